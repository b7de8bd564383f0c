#!/bin/bash
# The PAM module's share of a whole real-sshd login: the same managed
# account (authkeys-command from a warm cache) logging in on the same sshd
# with Debian's PAM stack, with pam_authkeys.so first in the session stack
# and without it, one hyperfine run (the PAM file is swapped before each
# run of each). Needs root, hyperfine.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/lib.sh"
reexec_in_mount_ns "$@"
store_setup >/dev/null
new_case
conf "revocation_url = $STORE/v1/revoked"
conf "refresh_after = 3600"
cat user1.pub > "$SRC/accounts/deploy"
: > "$SRC/revoked"
"$PUB" -k "$W/signer" -s "$SRC" -o "$WWW" >/dev/null
sshd_setup "$CONF"
login user1 deploy
logged_in deploy user1 || { echo "login failed"; exit 1; }
cp "$PAMSVC" "$W/pam.with"
grep -v pam_authkeys "$PAMSVC" > "$W/pam.without"
SSH="ssh -F /dev/null -i $W/user1 -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -p $SPORT deploy@127.0.0.1 true"
hyperfine -N --warmup 3 --runs "${RUNS:-40}" --export-markdown "$W/l.md" \
	--prepare "cp $W/pam.without $PAMSVC" --prepare "cp $W/pam.with $PAMSVC" \
	-n "login, no pam_authkeys (command only)" "$SSH" \
	-n "login, pam_authkeys.so first in session" "$SSH" >/dev/null 2>&1
cat "$W/l.md"
