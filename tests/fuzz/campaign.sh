#!/bin/sh
# A long fuzz campaign: runs every libFuzzer target for SECONDS each (default
# 300) from the seeds plus everything earlier campaigns found, then merges
# what is new into a minimised corpus under build-fuzz/merged-NAME, and prints
# one line per target (runs, exec/s, corpus before and after) for
# tests/fuzz/README.md.  Not part of `make check`: `make fuzz-check` is the
# short CI run; this is the one recorded in the README.
#   tests/fuzz/campaign.sh [SECONDS] [TARGET...]
set -u
cd "$(dirname "$0")/../.."
secs=${1:-300}
[ $# -gt 0 ] && shift
targets=${*:-config keyline doc signers sshsig cache authinfo session userenv krl proc index pamstack pubsrc}
status=0
for f in $targets; do
	work=build-fuzz/campaign-$f
	merged=build-fuzz/merged-$f
	mkdir -p "$work" "$merged"
	before=$(ls "tests/fuzz/corpus/$f" | wc -l)
	log=build-fuzz/campaign-$f.log
	if build-fuzz/fuzz_$f -max_total_time="$secs" -max_len=16384 \
	    -print_final_stats=1 -artifact_prefix=build-fuzz/crash-$f- \
	    "$work" "tests/fuzz/corpus/$f" > "$log" 2>&1; then
		build-fuzz/fuzz_$f -merge=1 "$merged" "tests/fuzz/corpus/$f" \
		    "$work" > build-fuzz/merge-$f.log 2>&1
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
		cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
		echo "ok fuzz_$f: ${secs} s, $runs runs, $eps exec/s, $cov, corpus $before seeds -> $(ls "$merged" | wc -l) after merge"
	else
		echo "not ok fuzz_$f:"
		grep -E "ERROR|SUMMARY|Test unit written" "$log" | head -20
		status=1
	fi
done
exit $status
