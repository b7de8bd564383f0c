#!/bin/bash
# pam_authkeys.so through the real libpam (pam_start_confdir), as sshd drives
# it, against the nginx HTTPS test store. Needs root.

. "$(dirname "$0")/../lib.sh"
reexec_in_mount_ns "$@"
store_setup
DRIVER=$TOP/build/tests/pam_driver

# pam_case [STACKS]: a service file "sshd-test" in $C/pam.d using the module
# in auth, account and session, each followed by pam_permit (so an ignored
# module shows as success, a denial as the module's code).
pam_case() {
	new_case
	mkdir -p "$C/pam.d"
	for stage in auth account session; do
		echo "$stage required $PAMMOD config=$CONF debug"
		echo "$stage required pam_permit.so"
	done > "$C/pam.d/sshd-test"
}

# pam STAGE USER [AUTH_INFO]: sets RES to "rc=... fpr=...".
pam() {
	: > "$LOG"
	# shellcheck disable=SC2086
	RES=$(${AK_PAM_ENV:-} ${AK_WRAP:-} "$DRIVER" "$C/pam.d" sshd-test "$2" "$1" "${3-}" 2>&1)
	sleep 0.1	# let the sink write what was logged
}
info() { printf 'publickey %s\n' "$(key_of "$W/$1.pub")"; }
rc_is() { grep -q "^rc=$1 " <<<"$RES"; }
logged() { grep -q "$1" "$LOG"; }

check "only pam_sm_* exported (dlopen)" eval '${AK_PAM_ENV:-} "$DRIVER" --symbols "$PAMMOD" | grep -qx "symbols: ok"'
check "no other dynamic symbol defined" eval \
	'[ -z "$(nm -D --defined-only "$PAMMOD" | awk "{print \$3}" | grep -v "^pam_sm_")" ]'

pam_case
cat user1.pub user2.pub | publish deploy 7
for stage in auth account session; do
	pam "$stage" deploy "$(info user1)"
	check "listed key: $stage succeeds" rc_is PAM_SUCCESS
done
check "AUTHKEYS_FINGERPRINT exported to the session" \
	grep -q "fpr=$(fpr_of user1.pub)\$" <<<"$RES"
check "allow logged with account, rhost, fingerprint, serial" \
	logged "account=deploy rhost=127.0.0.1 fingerprint=$(fpr_of user1.pub) serial=7 source=store.* decision=allow"

pam auth deploy "$(info user3)"
check "unlisted key: auth -> PAM_AUTH_ERR" rc_is PAM_AUTH_ERR
pam account deploy "$(info user3)"
check "unlisted key: account -> PAM_PERM_DENIED" rc_is PAM_PERM_DENIED
pam session deploy "$(info user3)"
check "unlisted key: session -> PAM_PERM_DENIED" rc_is PAM_PERM_DENIED
check "deny logged with the reason" \
	logged "fingerprint=$(fpr_of user3.pub) serial=7 source=store.* decision=deny reason=key not listed"

pam session root "$(info user3)"
check "unmanaged account: not denied (PAM_IGNORE)" rc_is PAM_SUCCESS
check "unmanaged account: no request" test "$(reqs root)" = 0

pam session deploy ""
check "no SSH_AUTH_INFO_0: denied" rc_is PAM_PERM_DENIED
check "no auth info: reason logged" logged "reason=no publickey method"
pam auth deploy "password"
check "password login (no publickey line): denied" rc_is PAM_AUTH_ERR

pam session deploy "$(info user1)"$'\n'"$(info user3)"
check "two keys, one unlisted: denied" rc_is PAM_PERM_DENIED
pam session deploy "$(info user1)"$'\n'"$(info user2)"
check "two keys, both listed: allowed" rc_is PAM_SUCCESS
pam session deploy "keyboard-interactive"$'\n'"$(info user2)"
check "publickey after keyboard-interactive: allowed" rc_is PAM_SUCCESS

bad=0
for junk in "publickey" "publickey ssh-ed25519" "publickey ssh-ed25519 !!!!" \
	"publickey ssh-ed25519 AAAAC3NzaC1lZDI1NTE5" \
	"$(printf 'publickey ssh-ed25519 %s\x01' "$(cut -d' ' -f2 user1.pub)")" \
	"$(head -c 70000 /dev/zero | tr '\0' 'a')"; do
	pam session deploy "$junk"
	rc_is PAM_PERM_DENIED || bad=1
done
check "malformed auth info: denied, no crash" test "$bad" = 0

pam session deploy "publickey ssh-ed25519-cert-v01@openssh.com AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29t"
check "certificate: denied" rc_is PAM_PERM_DENIED
check "certificate: clear log line" logged "reason=certificate"

pam_case
cat rsa2048.pub rsa3072.pub | publish deploy 1
pam session deploy "$(info rsa2048)"
check "weak key (RSA 2048 < min_rsa_bits) denied" rc_is PAM_PERM_DENIED
pam session deploy "$(info rsa3072)"
check "RSA 3072 allowed" rc_is PAM_SUCCESS

pam_case
conf "refresh_after = 3600"
cat user1.pub user2.pub | publish deploy 1
run deploy
check "command cached the key" has_key user1
cat user2.pub | publish deploy 2
run deploy
check "command's fresh cache still lists the removed key" has_key user1
pam session deploy "$(info user1)"
check "key removed from the store but in the command's cache: denied" rc_is PAM_PERM_DENIED
pam session deploy "$(info user2)"
check "remaining key still allowed" rc_is PAM_SUCCESS

pam_case
conf "revocation_url = $STORE/v1/revoked"
cat user1.pub user2.pub | publish deploy 1
fpr_of user1.pub | sign_doc signer "$WWW/v1/revoked" - 1 "$FUTURE"
pam session deploy "$(info user1)"
check "revoked key denied" rc_is PAM_PERM_DENIED
check "revoked: reason logged" logged "reason=key is revoked"
pam session deploy "$(info user2)"
check "other key of the same account allowed" rc_is PAM_SUCCESS

pam_case
cat user1.pub | publish deploy 1
pam session deploy "$(info user1)"
store_down
pam session deploy "$(info user1)"
check "store down, unexpired cache: listed key allowed" rc_is PAM_SUCCESS
check "store down: source logged as stale cache" logged "source=stale cache decision=allow"
pam session deploy "$(info user2)"
check "store down, unexpired cache: unlisted key denied" rc_is PAM_PERM_DENIED

# The cache file overwritten in place (same inode, same owner) with an
# unsigned document that lists another key.
sed -i "s|$(key_of user1.pub)|$(key_of user2.pub)|" "$C/cache/acct.deploy"
pam session deploy "$(info user2)"
check "store down, cache rewritten with an unsigned key: denied" rc_is PAM_PERM_DENIED
check "tampered cache: signature failure logged" logged "not used: signature does not verify"

pam_case
cat user1.pub | publish deploy 1
store_down
pam session deploy "$(info user1)"
check "store down and no cache: denied" rc_is PAM_PERM_DENIED

pam_case
cat user1.pub | publish deploy 1 "$(rfc3339 '+2 seconds')"
pam session deploy "$(info user1)"
sleep 3
store_down
pam session deploy "$(info user1)"
check "store down, cached document expired: denied" rc_is PAM_PERM_DENIED

pam_case
cat user1.pub | publish deploy 1
pam session deploy "$(info user1)"
check "PAM (root) wrote the cache" test -f "$C/cache/acct.deploy"
run deploy
check "command (unprivileged) reads a cache root wrote" has_key user1
cat user2.pub | publish deploy 2
sed -i 's/^timeout = .*/timeout = 3\nrefresh_after = 0/' "$CONF"
run deploy
check "command replaces a root-written entry" eval 'has_key user2 && [ "$(stat -c %U "$C/cache/acct.deploy")" = "$RUNAS" ]'
pam session deploy "$(info user2)"
check "PAM reads an entry the command wrote" rc_is PAM_SUCCESS

pam_case
echo "session required $PAMMOD config=$CONF bogus" > "$C/pam.d/sshd-test"
cat user1.pub | publish deploy 1
pam session deploy "$(info user1)"
check "unknown module argument logged at LOG_ERR" logged "unknown argument: bogus"

pam_case
cat user1.pub | publish deploy 1
chmod 666 "$CONF"
pam session deploy "$(info user1)"
check "unsafe config: denied (fails closed)" rc_is PAM_PERM_DENIED
pam session "$(printf 'x\nFAKE decision=allow')" "$(info user1)"
check "hostile user name never reaches the log" \
	eval 'grep -q "account (invalid name): configuration unusable" "$LOG" && ! grep -q "FAKE" "$LOG"'

summary
