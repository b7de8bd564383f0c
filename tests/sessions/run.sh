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
# An open one first, else the newest tombstone.
record_of() {
	local f all
	all=$(grep -lx "key $1.*" "$C/sessions"/* 2>/dev/null)
	[ -n "$all" ] || return 0
	# shellcheck disable=SC2086
	for f in $(ls -t $all); do
		grep -q "^closed " "$f" || { echo "$f"; return; }
	done
	# shellcheck disable=SC2086
	ls -t $all | head -1
}
# monitor_of FPR: the sshd monitor PID its record names.
monitor_of() { sed -n 's/^pid //p' "$(record_of "$1")" 2>/dev/null; }
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
	eval '[ "$(left61)" = 0 ] && [ "$(session_members "$SID1")" = 0 ] && [ "$SWRC" = 0 ]'
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
# (another key) stays whole, running, and a job it stopped itself stays
# stopped. The loops run under ulimit -p (dash: processes): this
# machine's PID 1 reaps orphans in batches, and unbounded loops fill the
# 32,768 PIDs with zombies, failing the forks of every suite beside it.
cat > "$W/shloop" <<'SH'
#!/bin/sh
# shloop END: starts itself again and exits, until END (epoch seconds).
[ "$(date +%s)" -lt "$1" ] && { "$0" "$1" & }
exit 0
SH
chmod 755 "$W/shloop"
# (stopped once it runs sleep: stopped before its exec, it is still "sh")
keep=$(bg_session user1 deploy 'sleep 6203 & p=$!; (sleep 1; kill -STOP $p) & sleep 6201')
# state_of PATTERN: the state letter of deploy's process running exactly it
state_of() {
	ps -o stat= -p "$(pgrep -u deploy -fx "$1" | head -1)" 2>/dev/null | cut -c1
}
for round in 1 2 3; do
	cat user1.pub user2.pub > "$SRC/accounts/deploy"
	publish_all; refresh_once
	end=$(( $(date +%s) + 60 ))
	c=$(bg_session user2 deploy "ulimit -p 4000; $FORKLOOP 60 & perl -e '\$e=time+60; while(time<\$e){fork and exit}' & $W/shloop $end & sleep 6202")
	wait_for 50 eval '[ -n "$(monitor_of "$F2")" ]'
	sleep 1
	M=$(monitor_of "$F2")
	SID=$(cat "/proc/$M/sessionid" 2>/dev/null)
	n0=$(session_members "$SID")
	cat user1.pub > "$SRC/accounts/deploy"
	publish_all; refresh_once
	t0=$(date +%s%N); sweep; ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	# The sweep checked for survivors itself; sshd and the client only
	# need a moment to notice the connection is gone (longer when loaded).
	wait_for 50 eval '[ "$(session_members "$SID")" = 0 ] && ! alive "$c"'
	check "2.$round: fork loops (C, perl, sh; $n0 processes at the start): none survives the sweep ($ms ms)" \
		eval '[ "$n0" -ge 4 ] && [ "$(session_members "$SID")" = 0 ] && [ "$SWRC" = 0 ] && ! alive "$c"'
	note "$(grep "ended session: .*fingerprint=$F2" "$SW_LOG" | tail -1 | sed 's/.*authkeys-sweep[^:]*: //')"
done
# Eight C loops at once: a scan of /proc can miss a loop whose process
# exits between the listing and its read while its child was born after
# the listing. Unbounded, on this machine, the sweep used to kill what one
# such scan saw, say "0 could not be ended" and leave loops running (2 of
# 5 rounds); bounded as here, where fork's EAGAIN slows the loops, it
# does not show. Stopped by the account first, every loop is in the scan
# that kills (processes= counts them).
cat user1.pub user2.pub > "$SRC/accounts/deploy"
publish_all; refresh_once
c=$(bg_session user2 deploy "ulimit -p 4000; for i in 1 2 3 4 5 6 7 8; do $FORKLOOP 60 & done; sleep 6204")
wait_for 50 eval '[ -n "$(monitor_of "$F2")" ]'
sleep 1
SID=$(cat "/proc/$(monitor_of "$F2")/sessionid" 2>/dev/null)
cat user1.pub > "$SRC/accounts/deploy"
publish_all; refresh_once
sweep
wait_for 50 eval '[ "$(session_members "$SID")" = 0 ] && ! alive "$c"'
ENDED=$(grep "ended session: .*fingerprint=$F2" "$SW_LOG" | tail -1)
check "2.4: eight C fork loops at once: each stopped and killed from one scan, none survives" \
	eval '[ "$(sed -n "s/.* processes=\([0-9]*\) .*/\1/p" <<<"$ENDED")" -ge 8 ] &&
	[ "$(session_members "$SID")" = 0 ] && [ "$SWRC" = 0 ] && ! alive "$c" &&
	[ ! -e "$C/sessions/.sweep-stopped" ]'
note "$(sed 's/.*authkeys-sweep[^:]*: //' <<<"$ENDED")"
check "2: the same account's session with another key stays" \
	eval 'alive "$keep" && pgrep -u deploy -fx "sleep 6201" >/dev/null'
check "2: ... running: the account was stopped for the sweep, then continued" \
	eval '[ "$(state_of "sleep 6201")" = S ]'
check "2: ... and the job it had stopped itself stays stopped" \
	eval '[ "$(state_of "sleep 6203")" = T ]'
# A sweep that died between stopping the account and continuing it (its
# note names the account): the next sweep continues what it left stopped.
kill -STOP "$(pgrep -u deploy -fx "sleep 6201")"
printf 'uid %s\n' "$(id -u deploy)" > "$C/sessions/.sweep-stopped"
chmod 600 "$C/sessions/.sweep-stopped"
sweep
check "2: a sweep died with the account stopped: the next one continues it, says so, drops the note" \
	eval '[ "$(state_of "sleep 6201")" = S ] && [ ! -e "$C/sessions/.sweep-stopped" ] &&
	grep -q "uid $(id -u deploy) and did not finish: [1-9][0-9]* continued" "$SW_LOG"'
# Told to stop (SIGTERM: systemd's timeout) while the account is stopped:
# the sweep continues it first. strace holds the sweep 3 s in that window
# (its first wait4, for the child that stopped the account).
cat user1.pub user2.pub > "$SRC/accounts/deploy"
publish_all; refresh_once
c=$(bg_session user2 deploy 'sleep 6205')
wait_for 50 eval '[ -n "$(monitor_of "$F2")" ]'
cat user1.pub > "$SRC/accounts/deploy"
publish_all; refresh_once
strace -f -qq -o /dev/null -e trace=wait4 \
	-e inject=wait4:delay_exit=3000000:when=1 \
	"$SWEEP" -e -f "$CONF" 2>>"$SW_LOG" &
ST=$!
wait_for 50 test -e "$C/sessions/.sweep-stopped"
held=$(state_of "sleep 6201")
pkill -TERM -P "$ST" -x authkeys-sweep
wait "$ST"
check "2: SIGTERM while the account is stopped: the sweep continues it first, leaves no note" \
	eval '[ "$held" = T ] && [ "$(state_of "sleep 6201")" = S ] &&
	[ ! -e "$C/sessions/.sweep-stopped" ]'
sweep
check "2: ... and the next sweep ends what it had not" \
	eval '! pgrep -u deploy -fx "sleep 6205" >/dev/null && [ "$SWRC" = 0 ]'
kill "$keep" 2>/dev/null
pkill -9 -u deploy -fx "sleep 6203"
cat user1.pub user2.pub > "$SRC/accounts/deploy"
publish_all; refresh_once

# --- 3. names any NSS source gives, and certificate logins ----------------
# Not managed here (their own authorized_keys), recorded all the same:
# revocation is global.
NAMES="DEPLOYUP svc@example.com"
for u in $NAMES; do
	id "$u" >/dev/null 2>&1 || useradd --badname -m -s /bin/sh "$u"
	h=$(getent passwd "$u" | cut -d: -f6)
	install -d -o "$u" -m 700 "$h/.ssh"
	cat user3.pub > "$h/.ssh/authorized_keys"
	chown "$u" "$h/.ssh/authorized_keys"; chmod 600 "$h/.ssh/authorized_keys"
done
EXTRA_CLEANUP="${EXTRA_CLEANUP:+$EXTRA_CLEANUP; }for u in $NAMES; do userdel -r \$u 2>/dev/null; done"
c_up=$(bg_session user3 DEPLOYUP 'sleep 6301')
c_at=$(bg_session user3 svc@example.com 'sleep 6302')
wait_for 50 eval 'grep -qx "account svc@example.com" "$C"/sessions/* && grep -qx "account DEPLOYUP" "$C"/sessions/*'
check "3: upper case and user@domain logins are recorded, by uid and name" \
	eval 'grep -qx "uid $(id -u DEPLOYUP)" $(grep -lx "account DEPLOYUP" "$C"/sessions/*) &&
	grep -qx "uid $(id -u svc@example.com)" $(grep -lx "account svc@example.com" "$C"/sessions/*)'
LIST=$("$SWEEP" -f "$CONF" --list 2>/dev/null)
check "3: --list shows both" \
	eval 'grep -q "^DEPLOYUP  *$F3 " <<<"$LIST" && grep -q "^svc@example.com  *$F3 " <<<"$LIST"'
revoke user3; sweep
wait_for 30 eval '! alive $c_up && ! alive $c_at'
check "3: their key revoked: both sessions end, nothing of them left" \
	eval '! alive $c_up && ! alive $c_at && ! pgrep -f "sleep 630[12]$" >/dev/null'
check "3: one log line each, by name" \
	eval 'grep -q "ended session: account=DEPLOYUP fingerprint=$F3 " "$SW_LOG" &&
	grep -q "ended session: account=svc@example.com fingerprint=$F3 " "$SW_LOG"'
revoke

# A certificate login (sshd's TrustedUserCAKeys): recorded with the key
# and its CA; revoking the CA ends it, and sshd's KRL refuses the next.
ensure_user plainu
ssh-keygen -q -t ed25519 -N '' -C userca -f "$W/userca"
ssh-keygen -q -t ed25519 -N '' -C certuser -f "$W/certuser"
ssh-keygen -q -s "$W/userca" -I certuser -n plainu "$W/certuser.pub"
chmod 644 "$W"/*.pub
sed -i "1i TrustedUserCAKeys $W/userca.pub" "$W/sshd_config"
sshd_stop; sshd_start
FC=$(fpr_of certuser.pub); FCA=$(fpr_of userca.pub)
c_cert=$(bg_session certuser plainu 'sleep 6303')
wait_for 50 eval '[ -n "$(record_of "$FC")" ]'
check "3: certificate login recorded with its key and CA" \
	grep -qx "key $FC ca $FCA" "$(record_of "$FC")"
JLIST=$("$SWEEP" -f "$CONF" --list --json 2>/dev/null)
check "3: --list --json names the CA" \
	python3 -c 'import json,sys; r=[json.loads(l) for l in sys.stdin]; assert any(x["fingerprint"]==sys.argv[1] and x["ca"]==sys.argv[2] and x["connected"] for x in r)' "$FC" "$FCA" <<<"$JLIST"
revoke userca; sweep
wait_for 30 eval '! alive $c_cert'
check "3: its CA revoked: the certificate session ends" \
	eval '! alive $c_cert && ! pgrep -f "sleep 6303$" >/dev/null && grep -q "ended session: account=plainu fingerprint=$FC .*reason=key or its CA revoked" "$SW_LOG"'
ssh_as certuser plainu true >/dev/null 2>&1
check "3: and sshd refuses the next certificate login (root's KRL)" test $? != 0
revoke

# --- 4. at and cron: end_account_processes -------------------------------
# Jobs an account leaves with at and cron run in audit sessions of their
# own (pam_loginuid in atd's and cron's stacks): with the option, they end
# with the revoked key's session; the account's session with a key still
# admitted stays whole.
RCHK=$("$CMD" -f "$CONF" --check --pam-service "$PAMSVC" --sshd-config "$W/sshd_config" 2>/dev/null)
check "4: --check warns that deploy may use at and cron" \
	eval 'grep -q "^warn account deploy may use cron" <<<"$RCHK" && grep -q "^warn account deploy may use at" <<<"$RCHK"'
check "4: --check: pam_loginuid gives each login its audit session" \
	grep -q "^ok   PAM service $PAMSVC: pam_loginuid gives each login" <<<"$RCHK"
conf "end_account_processes = yes"
mkdir -p /var/spool/cron/atjobs /var/spool/cron/crontabs
# Both daemons are up before the first job: cron reads the crontab at
# start (a crontab written just after start waits for cron to notice the
# spool's mtime, in whole seconds), and at can only wake an atd whose pid
# file is written (a job queued before that waits for atd's hourly scan).
# CI stop 29: on a fresh, loaded machine one of the two jobs had not
# started within 70 s.
echo '* * * * * sleep 6402' | crontab -u deploy -
/usr/sbin/atd -f & ATD=$!
/usr/sbin/cron -f & CRON=$!
EXTRA_CLEANUP="${EXTRA_CLEANUP:+$EXTRA_CLEANUP; }kill $ATD $CRON 2>/dev/null; crontab -u deploy -r 2>/dev/null"
wait_for 100 eval '[ "$(cat /run/atd.pid 2>/dev/null)" = "$ATD" ] &&
	[ "$(cat /run/crond.pid 2>/dev/null)" = "$CRON" ]'
c_rev=$(bg_session user1 deploy 'echo "sleep 6401" | at now 2>/dev/null; sleep 6403')
c_ok=$(bg_session user2 deploy 'sleep 6404')
job() { pgrep -u deploy -x sleep -a | grep -q " sleep $1$"; }
wait_for 300 job 6401
note "waiting for cron's next minute (up to 62 s)"
wait_for 650 job 6402
for j in 6401 6402 6403 6404; do
	job $j || note "4: no 'sleep $j' of deploy (6401 at, 6402 cron, 6403 and 6404 the sessions)"
done
check "4: an at job and a cron job run, each in its own audit session" \
	eval 'job 6401 && job 6402 && job 6403 && job 6404'
revoke user1; sweep
wait_for 30 eval '! alive $c_rev'
check "4: revoked: the session, the at job and the cron job all end" \
	eval '! alive $c_rev && ! job 6401 && ! job 6402 && ! job 6403 && [ "$SWRC" = 0 ]'
check "4: the session of a key still admitted stays" eval 'alive $c_ok && job 6404'
check "4: logged: the account's processes ended" \
	grep -q "ended account processes: uid=$(id -u deploy) account=deploy processes=[1-9].* left=0 reason=end_account_processes" "$SW_LOG"
kill "$c_ok" 2>/dev/null
pkill -u deploy -fx 'sleep 6404'
kill "$ATD" "$CRON" 2>/dev/null
sleep 0.3; sweep
crontab -u deploy -r 2>/dev/null
conf "end_account_processes = no"
revoke

# --- 5. a logind scope: the kernel freezes it --------------------------
# pam_exec in the stack puts each login in a session-*.scope cgroup of the
# unified hierarchy, as pam_systemd does on a systemd host.
UNI=/sys/fs/cgroup; [ -e $UNI/cgroup.controllers ] || UNI=/sys/fs/cgroup/unified
cat > "$W/mkscope" <<SH
#!/bin/sh
[ "\$PAM_TYPE" = open_session ] || exit 0
d=$UNI/ak-test.slice/session-ak\$PPID.scope
mkdir -p "\$d" && echo \$PPID > "\$d/cgroup.procs"
SH
chmod 755 "$W/mkscope"
echo "session optional pam_exec.so $W/mkscope" >> "$PAMSVC"
EXTRA_CLEANUP="${EXTRA_CLEANUP:+$EXTRA_CLEANUP; }rmdir $UNI/ak-test.slice/* $UNI/ak-test.slice 2>/dev/null"
c=$(bg_session user2 deploy "$FORKLOOP 60 & sleep 6501")
wait_for 50 eval '[ -n "$(monitor_of "$F2")" ] && grep -q "ak-test.slice" "/proc/$(monitor_of "$F2")/cgroup"'
M=$(monitor_of "$F2"); SCOPE=$UNI/ak-test.slice/session-ak$M.scope
check "5: the login is in its scope" eval '[ -n "$(cat "$SCOPE/cgroup.procs")" ]'
cat user1.pub > "$SRC/accounts/deploy"; publish_all; refresh_once
sweep
# cgroupfs files read as size 0: their text, not test -s.
empty_scope() { [ -z "$(cat "$SCOPE/cgroup.procs" 2>/dev/null)" ]; }
wait_for 30 eval '! alive $c && empty_scope'
check "5: removed key: the scope is frozen, then ended whole (fork loop included)" \
	eval '! alive $c && empty_scope && [ "$SWRC" = 0 ] &&
	grep -q "ended session: account=deploy fingerprint=$F2 .*stopped_by=cgroup.freeze .*left=0" "$SW_LOG"'
cat user1.pub user2.pub > "$SRC/accounts/deploy"; publish_all; refresh_once
ssh_as user2 deploy 'nohup sleep 6502 >/dev/null 2>&1 &' >/dev/null 2>&1
R=$(record_of "$F2")
check "5: logged out: the tombstone keeps the scope" grep -q "^scope $UNI/ak-test.slice/session-ak" "$R"
cat user1.pub > "$SRC/accounts/deploy"; publish_all; refresh_once
sweep
check "5: ... and the sweep ends what is left in it (cgroup.kill)" \
	eval '! job 6502 && [ "$SWRC" = 0 ] && grep -q "fingerprint=$F2 .*state=logged-out stopped_by=cgroup.freeze .*left=0" "$SW_LOG"'
sed -i '/pam_exec.so/d' "$PAMSVC"
cat user1.pub user2.pub > "$SRC/accounts/deploy"; publish_all; refresh_once

# --- 6. what cannot be ended is an error --------------------------------
# A process held by the cgroup v1 freezer cannot die until thawed: the
# sweep says which session it could not end and exits non-zero.
if [ -d /sys/fs/cgroup/freezer ]; then
	FZ=/sys/fs/cgroup/freezer/ak-test-$$
	mkdir -p "$FZ"
	EXTRA_CLEANUP="${EXTRA_CLEANUP:+$EXTRA_CLEANUP; }echo THAWED 2>/dev/null > $FZ/freezer.state; sleep 0.2; rmdir $FZ 2>/dev/null"
	c=$(bg_session user2 deploy 'sleep 6601')
	wait_for 50 job 6601
	pgrep -u deploy -fx 'sleep 6601' > "$FZ/tasks"
	echo FROZEN > "$FZ/freezer.state"
	cat user1.pub > "$SRC/accounts/deploy"; publish_all; refresh_once
	sweep
	check "6: a process that cannot be ended: exit status 1, an error naming the session" \
		eval '[ "$SWRC" != 0 ] && grep -q "could not end session: account=deploy fingerprint=$F2 .*left=1 " "$SW_LOG"'
	check "6: its record stays for the next sweep" test -n "$(record_of "$F2")"
	echo THAWED > "$FZ/freezer.state"
	wait_for 30 eval '! job 6601'
	sweep
	check "6: thawed, it is gone and the next sweep is clean" \
		eval '! job 6601 && [ "$SWRC" = 0 ] && [ -z "$(record_of "$F2")" ]'
	rmdir "$FZ"
else
	note "6: no cgroup v1 freezer on this host: nothing here can hold a process against SIGKILL"
fi
cat user1.pub user2.pub > "$SRC/accounts/deploy"; publish_all; refresh_once

# --- 7a. on_freeze = deny: a frozen view ends managed sessions ----------
# No verified timestamp newer than freeze_after: logins are refused, and
# the sweep (its timer runs it even when the refresher is stopped) ends
# what they opened, as Teleport's strict locking does.
conf "timestamp_url = $STORE/v1/timestamp"
conf "freeze_after = 6"
conf "on_freeze = deny"
publish_all; refresh_once
cf=$(bg_session user2 deploy 'sleep 6651')
wait_for 50 job 6651
sweep
check "7a: the view fresh: nothing ended" eval 'alive $cf && job 6651'
# Frozen once the clock is freeze_after past the timestamp's serial, its
# signing time: a serial publish ran ahead of the clock (two publishes in
# one second) is later than "7 s from now" (seen here: 7 s was not enough).
ts=$(sed -n 's/^#serial //p' "$WWW/v1/timestamp")
while [ "$(date +%s)" -le $((ts + 7)) ]; do sleep 0.2; done
sweep
wait_for 100 eval '! alive $cf'
note "7a: $(grep -c "reason=view frozen" "$SW_LOG") session(s) ended as frozen; $(grep "view frozen:" "$SW_LOG" | tail -1 | sed 's/.*: view/view/')"
check "7a: the view frozen with on_freeze = deny: the managed session ends" \
	eval '! alive $cf && ! job 6651 && grep -q "ended session: account=deploy fingerprint=$F2 .*reason=view frozen (on_freeze = deny)" "$SW_LOG"'
sed -i '/^timestamp_url\|^freeze_after\|^on_freeze/d' "$CONF"
publish_all; refresh_once

# --- 7b. no pam_loginuid, sshd started from an administrator's login ------
# This shell becomes a root login (its own audit session, as an admin's
# ssh or console login has), keeps a job, and (re)starts sshd, which
# inherits that session; sshd's stack has no pam_loginuid. Revoking one
# key must touch nothing of root's, the new listener or another account.
# Debian's common-session brings pam_systemd: inlined here without it.
awk '/^@include common-session$/ { while ((getline l < "/etc/pam.d/common-session") > 0) print l; next } { print }' \
	"$PAMSVC" | grep -v 'pam_loginuid\|pam_systemd' > "$W/pam.tmp"
cat "$W/pam.tmp" > "$PAMSVC"
RCHK=$("$CMD" -f "$CONF" --check --pam-service "$PAMSVC" --sshd-config "$W/sshd_config" 2>/dev/null)
check "7b: --check fails without pam_loginuid or pam_systemd, and says why" \
	grep -q "^FAIL PAM service $PAMSVC: neither pam_loginuid nor pam_systemd" <<<"$RCHK"
ssh-keygen -q -k -f "$W/empty.krl"
echo 0 > /proc/$$/loginuid
sleep 6701 & ADMIN_JOB=$!
sshd_stop; sshd_start
ca=$(bg_session user1 deploy 'sleep 6702')
cb=$(bg_session user3 plainu 'sleep 6703')
cp "$W/user3.pub" "$(getent passwd plainu | cut -d: -f6)/.ssh/authorized_keys" 2>/dev/null || {
	h=$(getent passwd plainu | cut -d: -f6); install -d -o plainu -m 700 "$h/.ssh"
	cat user3.pub > "$h/.ssh/authorized_keys"; chown plainu "$h/.ssh/authorized_keys"; chmod 600 "$h/.ssh/authorized_keys"
	cb=$(bg_session user3 plainu 'sleep 6703'); }
wait_for 50 eval 'job 6702 && pgrep -u plainu -fx "sleep 6703" >/dev/null'
# Restarted: the sessions' monitors now hang off PID 1, the listener is new.
sshd_stop; sshd_start
revoke user1; sweep
wait_for 30 eval '! alive $ca'
check "7b: the revoked key's session ends (its process tree)" \
	eval '! alive $ca && ! job 6702 && grep -q "ended session: account=deploy fingerprint=$F1 .*audit_session=none" "$SW_LOG"'
check "7b: root's job in the administrator's audit session stays" alive "$ADMIN_JOB"
check "7b: another account's session stays" \
	eval 'alive $cb && pgrep -u plainu -fx "sleep 6703" >/dev/null'
login user2 deploy
check "7b: the restarted sshd still takes logins" logged_in deploy user2
kill "$ADMIN_JOB" "$cb" 2>/dev/null
pkill -u plainu -fx 'sleep 6703'
revoke

summary
