#!/bin/bash
# Instructions (callgrind, repeatable under load) of the cache hit, full
# print and %f, beside cat(1) of the same lines; OLD=path/to/an older
# authkeys-command is counted on the same cache too. Needs root, valgrind.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/lib.sh"
. "$TOP/bench/lib.sh"
bench_init
bench_deploy 10
F=$(ssh-keygen -lf "$W/k3.pub" | cut -d' ' -f2)
for b in ${OLD:+"$OLD"} "$CMD"; do
	for a in "deploy" "deploy $F"; do
		n=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null $b -f "$W/etc/authkeys.conf" $a 2>&1 >/dev/null | sed -n 's/.*Collected : //p')
		echo "$b [$a]: $n"
	done
done
n=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null cat "$W/lines" 2>&1 >/dev/null | sed -n 's/.*Collected : //p'); echo "cat: $n"
