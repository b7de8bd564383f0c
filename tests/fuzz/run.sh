#!/bin/sh
# Runs every libFuzzer target for FUZZ_SECONDS from its seed corpus; fails
# on the first crash, leak or sanitizer report (the reproducer is kept).
set -u
cd "$(dirname "$0")/../.."
secs=${FUZZ_SECONDS:-15}
status=0
for f in config keyline doc signers sshsig cache authinfo session userenv krl proc index \
    pamstack pubsrc; do
	work=build-fuzz/corpus-$f
	rm -rf "$work"
	mkdir -p "$work"
	if build-fuzz/fuzz_$f -max_total_time="$secs" -max_len=16384 \
	    -artifact_prefix=build-fuzz/crash-$f- "$work" \
	    "tests/fuzz/corpus/$f" > "build-fuzz/fuzz_$f.log" 2>&1; then
		echo "ok fuzz_$f: $(grep -o 'Done [0-9]* runs' "build-fuzz/fuzz_$f.log" | tail -1) in ${secs} s, $(ls "$work" | wc -l) new inputs"
	else
		echo "not ok fuzz_$f:"
		grep -E "ERROR|SUMMARY|Test unit written" "build-fuzz/fuzz_$f.log" | head -20
		status=1
	fi
done
exit $status
