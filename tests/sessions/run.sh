#!/bin/bash
# Issue 24: a revoked key leaves nothing running. Real sshd with Debian's
# PAM stack (pam_loginuid), the sweep as root, real at and cron daemons:
# what a login left after logout, fork loops (C, perl, sh), names any NSS
# source gives, certificate logins, at and cron jobs with
# end_account_processes, a logind-style scope (frozen by the kernel), what
# the sweep reports when something cannot be ended, and sshd without
# pam_loginuid started from an administrator's login (nothing of root's or
# another account's is touched).

. "$(dirname "$0")/../lib.sh"
reexec_in_mount_ns "$@"
store_setup
publish_all() { "$PUB" -k "$W/signer" -s "$SRC" -o "$WWW" "$@" >/dev/null; }
SWEEP=$W/inst/usr/sbin/authkeys-sweep
SW_LOG=$W/sweep.log
: > "$SW_LOG"
# sweep: as the path unit runs it; SWRC its exit status.
sweep() { "$SWEEP" -e -f "$CONF" 2>>"$SW_LOG"; SWRC=$?; }
FORKLOOP=$TOP/build/tests/forkloop

new_case
conf "revocation_url = $STORE/v1/revoked"
conf "refresh_after = 2"
conf "revoked_keys_file = $W/krl/revoked_keys"
cat user1.pub user2.pub > "$SRC/accounts/deploy"
: > "$SRC/revoked"
publish_all
sshd_setup "$CONF"
refresh_once; sweep

ssh_as() { # KEY USER COMMAND...: a login that runs COMMAND
	local k=$1 u=$2
	shift 2
	ssh -F /dev/null -i "$W/$k" -o IdentitiesOnly=yes -o BatchMode=yes \
		-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-o ConnectTimeout=10 -o LogLevel=ERROR -p "$SPORT" -l "$u" \
		127.0.0.1 "$@" </dev/null
}
bg_session() { # KEY USER [COMMAND] -> pid of the ssh client
	ssh_as "$1" "$2" "${3:-sleep 120}" >/dev/null 2>&1 &
	echo $!
}
alive() {
	local st
	st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)
	[ -n "$st" ] && [ "$st" != Z ]
}
# record_of FPR: the session record naming that key, if any.
record_of() { grep -lx "key $1.*" "$C/sessions"/* 2>/dev/null | head -1; }
# monitor_of FPR: the sshd monitor PID its record names.
monitor_of() { sed -n 's/^pid //p' "$(record_of "$1")" 2>/dev/null; }
# members SID: processes (not zombies) of that audit session.
members() {
	local f st n=0
	for f in $(grep -lx "$1" /proc/[0-9]*/sessionid 2>/dev/null); do
		st=$(sed 's/.*) //' "${f%/sessionid}/stat" 2>/dev/null | cut -d' ' -f1)
		[ -n "$st" ] && [ "$st" != Z ] && n=$((n + 1))
	done
	echo "$n"
}
wait_for() { # TRIES COMMAND...: until it succeeds, 0.1 s apart
	local n=$1
	shift
	for _ in $(seq 1 "$n"); do "$@" && return 0; sleep 0.1; done
	return 1
}
revoke() { # KEY...: the list names exactly these keys (none: empty)
	: > "$SRC/revoked"
	for k in "$@"; do fpr_of "$W/$k.pub" >> "$SRC/revoked"; done
	publish_all
	refresh_once
}
F1=$(fpr_of user1.pub); F2=$(fpr_of user2.pub); F3=$(fpr_of user3.pub)
cleanup_tags() {
	pkill -9 -f 'sleep 6[0-9][0-9][0-9]$' 2>/dev/null
	pkill -9 -f 'tmux -S /tmp/ak-tmux-6' 2>/dev/null
	pkill -9 -f 'forkloop|shloop|fork and exit' 2>/dev/null
	rm -f /tmp/ak-tmux-6*
}
cleanup_tags
EXTRA_CLEANUP="${EXTRA_CLEANUP:+$EXTRA_CLEANUP; }cleanup_tags"

# --- 1. logged out before the revocation ----------------------------------
# nohup, setsid -f, a subshell's job and a tmux server, then the client
# disconnects: the record stays as a tombstone naming the login's audit
# session, and a later revocation ends them all.
ssh_as user1 deploy 'nohup sleep 6101 >/dev/null 2>&1 &
setsid -f sleep 6102 >/dev/null 2>&1
(sleep 6103 >/dev/null 2>&1 &)
tmux -S /tmp/ak-tmux-61 new-session -d "sleep 6104"
echo started' > "$W/out1" 2>&1
left61() { pgrep -u deploy -ax sleep | grep -c ' sleep 610[1-4]$'; }
wait_for 50 eval '[ "$(left61)" = 4 ]'
check "1: logged out, four processes left behind (nohup, setsid, subshell, tmux)" \
	eval 'grep -q started "$W/out1" && [ "$(left61)" = 4 ]'
R1=$(record_of "$F1")
check "1: the record stays after logout, as a tombstone with the login's audit session" \
	eval '[ -n "$R1" ] && grep -q "^closed [0-9]" "$R1" && grep -q "^sid [0-9]" "$R1"'
SID1=$(sed -n 's/^sid //p' "$R1")
LIST=$("$SWEEP" -f "$CONF" --list 2>/dev/null)
check "1: --list shows it: logged out, still admitted" \
	grep -q "^deploy  *$F1 .* logged-out .* yes$" <<<"$LIST"
sweep
check "1: nothing revoked: the sweep ends nothing, the tombstone stays" \
	eval '[ "$(left61)" = 4 ] && [ -e "$R1" ] && [ "$SWRC" = 0 ]'
revoke user1
t0=$(date +%s%N); sweep; ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "1: revoked after logout: all four end ($ms ms), exit 0" \
	eval '[ "$(left61)" = 0 ] && [ "$(members "$SID1")" = 0 ] && [ "$SWRC" = 0 ]'
check "1: logged: ended, logged-out, nothing left" \
	grep -q "ended session: account=deploy fingerprint=$F1 .*audit_session=$SID1 .*state=logged-out .*left=0 reason=key revoked" "$SW_LOG"
check "1: the record goes once nothing of the session runs" test ! -e "$R1"
revoke
# A session whose processes all ended on their own: the next sweep drops it.
ssh_as user2 deploy 'nohup sleep 3 >/dev/null 2>&1 &' >/dev/null 2>&1
R2=$(record_of "$F2")
check "1: a tombstone while its last process runs" eval '[ -n "$R2" ] && [ -e "$R2" ]'
sleep 3.5; sweep
check "1: ... dropped by the sweep once nothing carries its id" test ! -e "$R2"

# --- 2. fork loops ---------------------------------------------------------
# C, perl and sh, each forking and exiting in a loop so no process lives
# longer than one fork; three rounds. Another session of the same account
# (another key) stays whole.
cat > "$W/shloop" <<'SH'
#!/bin/sh
# shloop END: starts itself again and exits, until END (epoch seconds).
[ "$(date +%s)" -lt "$1" ] && { "$0" "$1" & }
exit 0
SH
chmod 755 "$W/shloop"
keep=$(bg_session user1 deploy 'sleep 6201')
for round in 1 2 3; do
	cat user1.pub user2.pub > "$SRC/accounts/deploy"
	publish_all; refresh_once
	end=$(( $(date +%s) + 60 ))
	c=$(bg_session user2 deploy "$FORKLOOP 60 & perl -e '\$e=time+60; while(time<\$e){fork and exit}' & $W/shloop $end & sleep 6202")
	wait_for 50 eval '[ -n "$(monitor_of "$F2")" ]'
	sleep 1
	M=$(monitor_of "$F2")
	SID=$(cat "/proc/$M/sessionid" 2>/dev/null)
	n0=$(members "$SID")
	cat user1.pub > "$SRC/accounts/deploy"
	publish_all; refresh_once
	t0=$(date +%s%N); sweep; ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	sleep 0.5
	check "2.$round: fork loops (C, perl, sh; $n0 processes at the start): none survives the sweep ($ms ms)" \
		eval '[ "$n0" -ge 4 ] && [ "$(members "$SID")" = 0 ] && [ "$SWRC" = 0 ] && ! alive "$c"'
	note "$(grep "ended session: .*fingerprint=$F2" "$SW_LOG" | tail -1 | sed 's/.*authkeys-sweep[^:]*: //')"
done
check "2: the same account's session with another key stays" \
	eval 'alive "$keep" && pgrep -u deploy -fx "sleep 6201" >/dev/null'
kill "$keep" 2>/dev/null
cat user1.pub user2.pub > "$SRC/accounts/deploy"
publish_all; refresh_once

summary
