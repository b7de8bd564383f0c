#!/bin/sh
# Runs every libFuzzer target for FUZZ_SECONDS from its seed corpus,
# FUZZ_JOBS at a time (default 2: one per core); fails on any crash, leak
# or sanitizer report (the reproducer is kept).
set -u
cd "$(dirname "$0")/../.."
secs=${FUZZ_SECONDS:-15}
jobs=${FUZZ_JOBS:-2}
targets="config keyline doc signers sshsig cache authinfo session userenv krl
proc index pamstack pubsrc snap root"

one() {
	f=$1
	work=build-fuzz/corpus-$f
	rm -rf "$work"
	mkdir -p "$work"
	if build-fuzz/fuzz_$f -max_total_time="$secs" -max_len=16384 \
	    -artifact_prefix=build-fuzz/crash-$f- "$work" \
	    "tests/fuzz/corpus/$f" > "build-fuzz/fuzz_$f.log" 2>&1; then
		echo "ok fuzz_$f: $(grep -o 'Done [0-9]* runs' "build-fuzz/fuzz_$f.log" | tail -1) in ${secs} s, $(ls "$work" | wc -l) new inputs" > "build-fuzz/fuzz_$f.result"
	else
		{ echo "not ok fuzz_$f:"
		  grep -E "ERROR|SUMMARY|Test unit written" "build-fuzz/fuzz_$f.log" | head -20
		} > "build-fuzz/fuzz_$f.result"
	fi
}

running=0
for f in $targets; do
	one "$f" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait
		running=0
	fi
done
wait
status=0
for f in $targets; do
	cat "build-fuzz/fuzz_$f.result"
	grep -q "^ok " "build-fuzz/fuzz_$f.result" || status=1
done
exit $status
