#!/bin/bash
# Time to end a session of 1, 100 and 1,000 processes, and of 100 with a
# fork loop among them, on a host with 5,000 other processes: authkeys-sweep
# (stop every member, then SIGKILL, then count) beside what an admin would
# run instead, `pkill -KILL -u USER` (one pass over /proc, every process
# of the account). Survivors are counted by a scan after each. Needs root
# (a login's audit session is made as pam_loginuid makes it).
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/lib.sh"
RUNS=${RUNS:-3}
W=$(mktemp -d /run/ak-bench.XXXXXX)
chmod 755 "$W"
# Every process of akbench at once: kill(-1) as that user is one pass of
# the kernel under its task list lock, which no fork outruns.
killall_akbench() {
	setpriv --reuid=akbench --regid=akbench --clear-groups kill -KILL -1 \
		2>/dev/null
}
cleanup() {
	kill "$PROCS" 2>/dev/null
	killall_akbench
	rm -rf "$W"
}
trap cleanup EXIT
make -s -C "$TOP" all test-tools >/dev/null
ensure_user akbench
U=$(id -u akbench)
SWEEP=$TOP/build/sbin/authkeys-sweep
# SWEEP_OLD=PATH: another authkeys-sweep (an older build) in a column of
# its own, in the same run.
OLD=${SWEEP_OLD:-}
# A revocation list naming one key, verified into the cache as the
# refresher would (root's cache here).
mkdir -p "$W/store" "$W/cache" "$W/etc"
chmod 700 "$W/cache"
ssh-keygen -q -t ed25519 -N '' -f "$W/signer"
ssh-keygen -q -t ed25519 -N '' -f "$W/leaked"
echo "s $(key_of "$W/signer.pub")" > "$W/allowed_signers"
FPR=$(fpr_of "$W/leaked.pub")
echo "$FPR" | sign_doc "$W/signer" "$W/store/revoked" - 1 "$(rfc3339 '+1 day')"
cat > "$W/etc/authkeys.conf" <<CONF
url = file://$W/store/%u
revocation_url = file://$W/store/revoked
trusted_signers = $W/allowed_signers
cache_dir = $W/cache
module_cache_dir = $W/modcache
session_dir = $W/sessions
accounts = nobody-managed
CONF
"$TOP/build/sbin/authkeys-refresh" -f "$W/etc/authkeys.conf" --once 2>/dev/null
mkdir -p "$W/sessions" "$W/tmp"; chmod 700 "$W/sessions"; chmod 1777 "$W/tmp"
"$TOP/build/tests/procs" 5000 > "$W/procs.out" &
PROCS=$!
for _ in $(seq 1 400); do grep -q ready "$W/procs.out" 2>/dev/null && break; sleep 0.05; done

# session N LOOP: a login of akbench with its own audit session (loginuid
# written, as pam_loginuid does), N-1 processes that left its tree
# (setsid -f), a fork loop if LOOP=1; its monitor's PID in MON.
session() {
	local n=$1 loop=$2
	rm -f "$W/tmp/ready"
	bash -c "echo $U > /proc/self/loginuid || exit 1
exec setpriv --reuid=$U --regid=$U --clear-groups bash -c '
for i in \$(seq 2 $n); do setsid -f sleep 1000 >/dev/null 2>&1; done
[ $loop = 1 ] && { $TOP/build/tests/forkloop 30 & }
: > $W/tmp/ready
exec sleep 1000'" &
	MON=$!
	for _ in $(seq 1 600); do [ -e "$W/tmp/ready" ] && break; sleep 0.05; done
	sleep 0.2
	SID=$(cat "/proc/$MON/sessionid")
}
record() { # the module's record of that session, on the leaked key
	local start
	start=$(sed 's/.*) //' "/proc/$MON/stat" | cut -d' ' -f20)
	printf 'authkeys-session 2\npid %s\nstart %s\nuid %s\npresid %s\naccount akbench\nkey %s\n' \
		"$MON" "$start" "$U" "$(cat /proc/self/sessionid)" "$FPR" \
		> "$W/sessions/$MON-$start"
	chmod 600 "$W/sessions/$MON-$start"
}
# What is left of the session: its audit session's processes (zombies,
# waiting for PID 1 to reap them, run nothing and are not counted).
left() { session_members "$SID"; }
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

echo "# $(nproc) cores; $(ps -e --no-headers | wc -l) processes on the host"
# sweep_once N LOOP BINARY P: a session ended by BINARY; its time, scans
# and what was left added to ${P}ms, ${P}sc, ${P}left.
sweep_once() {
	local t0 ms scans
	session "$1" "$2"; record
	t0=$(date +%s%N)
	"$3" -e -f "$W/etc/authkeys.conf" 2>"$W/sweep.err"
	ms=$(ms_since "$t0")
	scans=$(sed -n 's/.*(\([0-9]*\) scan(s) to stop them).*/\1/p' "$W/sweep.err")
	sleep 0.3
	eval "${4}ms+=($ms) ${4}sc+=($scans) ${4}left=\$((${4}left + $(left)))"
	killall_akbench; sleep 0.3
	rm -f "$W/sessions"/*
}
echo "| session | authkeys-sweep | scans to stop | left |${OLD:+ before | scans | left |} pkill -KILL -u | left |"
echo "| --- | ---: | ---: | ---: |${OLD:+ ---: | ---: | ---: |} ---: | ---: |"
for c in "1 0" "100 0" "1000 0" "100 1"; do
	set -- $c
	nms=() nsc=() nleft=0 oms=() osc=() oleft=0 pk=() pkl=0
	for _ in $(seq 1 "$RUNS"); do
		sweep_once "$1" "$2" "$SWEEP" n
		[ -z "$OLD" ] || sweep_once "$1" "$2" "$OLD" o
		session "$1" "$2"
		t0=$(date +%s%N)
		pkill -KILL -u akbench
		pk+=("$(ms_since "$t0")")
		sleep 0.3; pkl=$((pkl + $(left)))
		killall_akbench; sleep 0.3
	done
	med() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
	printf '| %s processes%s | %s ms | %s | %s |' "$1" \
		"$([ "$2" = 1 ] && echo ", a fork loop among them")" \
		"$(med "${nms[@]}")" "$(echo "${nsc[*]}" | tr ' ' /)" "$nleft"
	[ -z "$OLD" ] || printf ' %s ms | %s | %s |' "$(med "${oms[@]}")" \
		"$(echo "${osc[*]}" | tr ' ' /)" "$oleft"
	printf ' %s ms | %s |\n' "$(med "${pk[@]}")" "$pkl"
done
echo "# median of $RUNS runs each; 'left': processes of the session still there 0.3 s after, summed over the runs"
