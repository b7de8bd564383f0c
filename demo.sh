#!/bin/bash
# The authkeys demo, on a fresh Debian 12 machine as root: a local HTTPS
# store (nginx on 127.0.0.1, test CA), a real sshd on loopback using
# authkeys-command and pam_authkeys.so, a real ssh login that works, a
# revocation with authkeys-publish, and the next login refused with the log
# line that says why. Cleans up after itself.
set -u
cd "$(dirname "$0")"
./tools/install-deps.sh || exit 1
make -s -j2 all test-tools >/dev/null || exit 1
. tests/lib.sh
reexec_in_mount_ns "$@"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { sed 's/^/   | /'; }

say "Setting up: test CA, nginx HTTPS store on 127.0.0.1, an unprivileged user for the command"
store_setup >/dev/null
new_case
conf "revocation_url = $STORE/v1/revoked"
conf "forced_options = restrict,pty"
conf "allowed_options = from,no-pty,restrict,pty,command"
conf "refresh_after = 2"
ssh-keygen -q -t ed25519 -N '' -C octopus-deploy -f "$W/octopus"
cat "$W/octopus.pub" "$W/user2.pub" > "$W/src/accounts/deploy"

say "Publishing the store: authkeys-publish -k signer -s src -o www"
"$PUB" -k "$W/signer" -s "$W/src" -o "$WWW" | show
echo "   The signed document for 'deploy', as nginx serves it:"
curl -s --cacert "$W/ca.pem" "$STORE/v1/accounts/deploy" | cut -c1-90 | show

say "Target config ($CONF):"
show < "$CONF"
sshd_setup "$CONF"
say "sshd on 127.0.0.1:$SPORT with this drop-in:"
show < "$W/sshd_config.d/authkeys.conf"

say "Starting authkeys-refresh (as the packaged service does): keeps the cache fresh"
setpriv --reuid="$RUNAS" --regid="$RUNAS" --clear-groups "$REFRESH" -f "$CONF" 2>/dev/null &
EXTRA_CLEANUP="${EXTRA_CLEANUP:+$EXTRA_CLEANUP; }kill $! 2>/dev/null"
sleep 1.5

say "What sshd's AuthorizedKeysCommand prints for deploy:"
run deploy
show <<<"$OUT"

say "Logging in as deploy with the Octopus key (real ssh client)"
login octopus deploy
show <<<"$SOUT"
logged_in deploy octopus && echo "   -> login works" || { echo "   -> UNEXPECTED: login failed"; exit 1; }

say "Revoking the Octopus key centrally: its fingerprint into src/revoked, publish"
fpr_of "$W/octopus.pub" > "$W/src/revoked"
"$PUB" -k "$W/signer" -s "$W/src" -o "$WWW" | show
: > "$LOG"
echo "   (the refresher picks it up within refresh_after / 2; waiting 3 s)"
sleep 3

say "Logging in again with the same key"
login octopus deploy
show <<<"${SOUT:-(connection closed, no command ran)}"
refused && echo "   -> refused" || { echo "   -> UNEXPECTED: login worked"; exit 1; }
say "Why (syslog lines from authkeys):"
grep -E "authkeys|pam_authkeys" "$LOG" | grep -E "revoked|deny" | sed 's/^<[0-9]*>//' | show

say "The other deployment key of the account still works"
login user2 deploy
show <<<"$SOUT"

say "Demo done; cleaning up (nginx, sshd, temporary files)"
