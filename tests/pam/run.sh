#!/bin/bash
# pam_authkeys.so through the real libpam (pam_start_confdir), as sshd drives
# it, against the nginx HTTPS test store. Needs root.

. "$(dirname "$0")/../lib.sh"
reexec_in_mount_ns "$@"
store_setup
DRIVER=$TOP/build/tests/pam_driver
# This suite's own managed account: its home (~/.pam_environment, read at
# every login) is not the one the e2e suite's sshd logins use beside it.
ensure_user akpam

# pam_case [STACKS]: a service file "sshd-test" in $C/pam.d using the module
# in auth, account and session, each followed by pam_permit (so an ignored
# module shows as success, a denial as the module's code).
pam_case() {
	new_case
	conf "accounts = akpam, octo"
	mkdir -p "$C/pam.d"
	for stage in auth account session; do
		echo "$stage required $PAMMOD config=$CONF debug"
		echo "$stage required pam_permit.so"
	done > "$C/pam.d/sshd-test"
}

# pam STAGE USER [AUTH_INFO]: sets RES to "rc=... fpr=...".
# PAM_PRELOAD: an extra LD_PRELOAD (after the sanitizer runtimes, if any).
pam() {
	: > "$LOG"
	local pre=${AK_PAM_ENV:+${AK_PAM_ENV#env LD_PRELOAD=}}
	[ -n "${PAM_PRELOAD:-}" ] && pre=${pre:+$pre:}$PAM_PRELOAD
	# shellcheck disable=SC2086
	RES=$(env ${pre:+LD_PRELOAD=$pre} ${AK_WRAP:-} "$DRIVER" "$C/pam.d" sshd-test "$2" "$1" "${3-}" 2>&1)
	sleep 0.1	# let the sink write what was logged
}
info() { printf 'publickey %s\n' "$(key_of "$W/$1.pub")"; }
rc_is() { grep -q "^rc=$1 " <<<"$RES"; }
logged() { grep -q "$1" "$LOG"; }
# denied RC REASON: that return code, and the module's decision line says why.
denied() { rc_is "$1" && grep -q "decision=deny reason=$2" "$LOG"; }

check "only pam_sm_* exported (dlopen)" eval '${AK_PAM_ENV:-} "$DRIVER" --symbols "$PAMMOD" | grep -qx "symbols: ok"'
check "no other dynamic symbol defined" eval \
	'[ -z "$(nm -D --defined-only "$PAMMOD" | awk "{print \$3}" | grep -v "^pam_sm_")" ]'
NETSO=$(dirname "$PAMMOD")/authkeys/net.so
check "the module links neither libcurl nor libcrypto; net.so beside it has them" \
	eval '! ldd "$PAMMOD" | grep -qE "libcurl|libcrypto" && ldd "$NETSO" | grep -q libcurl && ldd "$NETSO" | grep -q libcrypto'

pam_case
cat user1.pub user2.pub | publish akpam 7
for stage in auth account session; do
	pam "$stage" akpam "$(info user1)"
	check "listed key: $stage succeeds" rc_is PAM_SUCCESS
done
check "AUTHKEYS_FINGERPRINT exported to the session" \
	grep -q "fpr=$(fpr_of user1.pub)\$" <<<"$RES"
check "allow logged with account, rhost, fingerprint, serial" \
	logged "account=akpam rhost=127.0.0.1 fingerprint=$(fpr_of user1.pub) serial=7 source=.* decision=allow"


pam auth akpam "$(info user3)"
check "unlisted key: auth -> PAM_AUTH_ERR, and why" denied PAM_AUTH_ERR "key not listed"
pam account akpam "$(info user3)"
check "unlisted key: account -> PAM_PERM_DENIED, and why" denied PAM_PERM_DENIED "key not listed"
pam session akpam "$(info user3)"
check "unlisted key: session -> PAM_PERM_DENIED" rc_is PAM_PERM_DENIED
check "deny logged with the reason" \
	logged "fingerprint=$(fpr_of user3.pub) serial=7 source=.* decision=deny reason=key not listed"

pam session root "$(info user3)"
check "unmanaged account: not denied (PAM_IGNORE)" rc_is PAM_SUCCESS
check "unmanaged account: no request" test "$(reqs root)" = 0

pam session akpam ""
check "no SSH_AUTH_INFO_0: denied" rc_is PAM_PERM_DENIED
check "no auth info: reason logged" logged "reason=no publickey method"
pam auth akpam "password"
check "password login (no publickey line): denied, and why" denied PAM_AUTH_ERR "no publickey method"

pam session akpam "$(info user1)"$'\n'"$(info user3)"
check "two keys, one unlisted: denied, naming the unlisted one" \
	eval 'denied PAM_PERM_DENIED "key not listed" && logged "$(fpr_of user3.pub)"'
pam session akpam "$(info user1)"$'\n'"$(info user2)"
check "two keys, both listed: allowed" rc_is PAM_SUCCESS
pam session akpam "keyboard-interactive"$'\n'"$(info user2)"
check "publickey after keyboard-interactive: allowed" rc_is PAM_SUCCESS

bad=0
for junk in "publickey" "publickey ssh-ed25519" "publickey ssh-ed25519 !!!!" \
	"publickey ssh-ed25519 AAAAC3NzaC1lZDI1NTE5" \
	"$(printf 'publickey ssh-ed25519 %s\x01' "$(cut -d' ' -f2 user1.pub)")" \
	"$(head -c 70000 /dev/zero | tr '\0' 'a')"; do
	pam session akpam "$junk"
	denied PAM_PERM_DENIED "malformed SSH_AUTH_INFO_0\|no publickey method\|unsupported key type" || bad=1
done
check "malformed auth info: denied with the reason, no crash" test "$bad" = 0

pam session akpam "publickey ssh-ed25519-cert-v01@openssh.com AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29t"
check "certificate cut short: denied as malformed" \
	eval 'rc_is PAM_PERM_DENIED && logged "reason=malformed SSH_AUTH_INFO_0"'
# A real certificate of a listed key: the store lists keys, not CAs.
ssh-keygen -q -t ed25519 -N '' -C pamca -f "$W/pamca"
cp "$W/user1.pub" "$W/certkey.pub"
ssh-keygen -q -s "$W/pamca" -I c1 -n akpam "$W/certkey.pub"
pam session akpam "publickey $(key_of "$W/certkey-cert.pub")"
check "certificate: denied" denied PAM_PERM_DENIED "certificate login"
check "certificate: clear log line" logged "reason=certificate login"

pam_case
cat rsa2048.pub rsa3072.pub | publish akpam 1
pam session akpam "$(info rsa2048)"
check "weak key (RSA 2048 < min_rsa_bits) denied, and why" denied PAM_PERM_DENIED "key too weak"
pam session akpam "$(info rsa3072)"
check "RSA 3072 allowed" rc_is PAM_SUCCESS

# The design rule: by default the module answers from the verified cache
# (the refresher keeps it younger than refresh_after), no network; with
# revalidate=always it asks the store at every login.
pam_case
conf "refresh_after = 3600"
cat user1.pub user2.pub | publish akpam 1
run akpam
check "command cached the key" has_key user1
cat user2.pub | publish akpam 2
run akpam
check "command's fresh cache still lists the removed key" has_key user1
: > "$W/access.log"
pam session akpam "$(info user1)"
check "default: module answers from the fresh verified cache" \
	eval 'rc_is PAM_SUCCESS && logged "source=cache"'
check "default: no store request at login" test "$(reqs akpam)" = 0
sed -i "s|config=$CONF|config=$CONF revalidate=always|" "$C/pam.d/sshd-test"
pam session akpam "$(info user1)"
check "revalidate=always: key removed from the store but in the command's cache: denied" denied PAM_PERM_DENIED "key not listed"
pam session akpam "$(info user2)"
check "revalidate=always: remaining key still allowed" rc_is PAM_SUCCESS

pam_case
conf "revocation_url = $STORE/v1/revoked"
cat user1.pub user2.pub | publish akpam 1
fpr_of user1.pub | sign_doc signer "$WWW/v1/revoked" - 1 "$FUTURE"
pam session akpam "$(info user1)"
check "revoked key denied" denied PAM_PERM_DENIED "key is revoked"
check "revoked: reason logged" logged "reason=key is revoked"
pam session akpam "$(info user2)"
check "other key of the same account allowed" rc_is PAM_SUCCESS

pam_case
conf "refresh_after = 0"
cat user1.pub | publish akpam 1
pam session akpam "$(info user1)"
store_down
pam session akpam "$(info user1)"
check "store down, unexpired cache: listed key allowed" rc_is PAM_SUCCESS
check "store down: source logged as stale cache" logged "source=stale cache revocations=- decision=allow"
pam session akpam "$(info user2)"
check "store down, unexpired cache: unlisted key denied" denied PAM_PERM_DENIED "key not listed"

# The module's own entry overwritten in place with an unsigned document
# that lists another key (root could do it; the signature still decides).
sed -i "s|$(key_of user1.pub)|$(key_of user2.pub)|" "$C/modcache/acct.akpam"
pam session akpam "$(info user2)"
check "store down, own cache rewritten with an unsigned key: denied" rc_is PAM_PERM_DENIED
check "tampered cache: signature failure logged" logged "not used: signature does not verify"

pam_case
cat user1.pub | publish akpam 1
store_down
pam session akpam "$(info user1)"
check "store down and no cache: denied, and why" denied PAM_PERM_DENIED "store unavailable and no usable cached document"

pam_case
cat user1.pub | publish akpam 1 "$(rfc3339 '+2 seconds')"
pam session akpam "$(info user1)"
sleep 3
store_down
pam session akpam "$(info user1)"
check "store down, cached document expired: denied, and why" denied PAM_PERM_DENIED "store unavailable and no usable cached document"

# Privilege separation: the module (root) writes only its own 0700 dir;
# the shared cache belongs to the unprivileged command.
pam_case
cat user1.pub | publish akpam 1
pam session akpam "$(info user1)"
check "PAM (root) keeps its entries in its own dir" test -f "$C/modcache/acct.akpam"
check "module dir is root's, mode 0700" test "$(stat -c '%U %a' "$C/modcache")" = "root 700"
check "PAM wrote nothing into the command's cache dir" \
	test -z "$(find "$C/cache" -user root ! -path "$C/cache")"
run akpam
check "command (unprivileged) fetches on its own" has_key user1
store_down
rm -f "$C/modcache/acct.akpam"
pam session akpam "$(info user1)"
check "store down: PAM uses a signed entry the command wrote (re-verified)" rc_is PAM_SUCCESS

pam_case
echo "session required $PAMMOD config=$CONF bogus" > "$C/pam.d/sshd-test"
cat user1.pub | publish akpam 1
pam session akpam "$(info user1)"
check "unknown module argument logged at LOG_ERR" logged "unknown argument: bogus"

pam_case
cat user1.pub | publish akpam 1
chmod 666 "$CONF"
pam session akpam "$(info user1)"
check "unsafe config: denied (fails closed), and why" \
	eval 'rc_is PAM_PERM_DENIED && logged "account akpam: configuration unusable (.*permission.*); denied"'
pam session "$(printf 'x\nFAKE decision=allow')" "$(info user1)"
check "hostile user name never reaches the log" \
	eval 'grep -q "account (invalid name): configuration unusable" "$LOG" && ! grep -q "FAKE" "$LOG"'

# --- issue 7: hostile local users and a compromised _authkeys ------------
# F2: a forged entry in the command's cache holding an older signed
# document plus the store's current ETag must not make the module skip the
# store ("304") and admit a removed key.
pam_case
sed -i "s|config=$CONF|config=$CONF revalidate=always|" "$C/pam.d/sshd-test"
cat user1.pub | publish akpam 1
run akpam
cp "$C/cache/acct.akpam" "$W/old-entry"
cat user2.pub | publish akpam 2
etag=$(curl -s --cacert "$W/ca.pem" -D - -o /dev/null "$STORE/v1/accounts/akpam" | tr -d '\r' | sed -n 's/^[Ee][Tt]ag: //p')
sed "s|^#etag .*|#etag $etag|" "$W/old-entry" > "$C/cache/acct.akpam"
chown "$RUNAS" "$C/cache/acct.akpam"
: > "$W/access.log"
pam session akpam "$(info user1)"
check "F2: forged entry + current ETag: removed key denied" denied PAM_PERM_DENIED "key not listed"
check "F2: module did a full GET, not a conditional one" \
	eval '! grep -q "\" 304 " "$W/access.log" && grep -q "\" 200 " "$W/access.log"'
pam session akpam "$(info user2)"
check "F2: current key allowed" rc_is PAM_SUCCESS

# F2: the rollback floor the module uses is its own. The module saw serial 5;
# the cache owner puts back a validly signed serial 3 and the store is down.
pam_case
sed -i "s|config=$CONF|config=$CONF revalidate=always|" "$C/pam.d/sshd-test"
cat user1.pub | publish akpam 3
run akpam
cp "$C/cache/acct.akpam" "$W/old-entry"
cat user2.pub | publish akpam 5
pam session akpam "$(info user2)"
cp "$W/old-entry" "$C/cache/acct.akpam"
chown "$RUNAS" "$C/cache/acct.akpam"
store_down
pam session akpam "$(info user1)"
check "F2: older signed document from the cache owner below the module's floor: denied" denied PAM_PERM_DENIED "key not listed"
pam session akpam "$(info user2)"
check "F2: the module's own newer document still serves" rc_is PAM_SUCCESS
check "F2: the cache owner cannot write the module's dir" \
	eval '! setpriv --reuid="$RUNAS" --regid="$RUNAS" --clear-groups touch "$C/modcache/x" 2>/dev/null'

# F2: require_signature = no: nothing to re-verify, so the module never
# admits from an entry it did not write, 304 or store down.
pam_case
conf "refresh_after = 0"
sed -i '/^trusted_signers/d' "$CONF"
conf "require_signature = no"
cat user1.pub > "$WWW/v1/accounts/akpam"
run akpam
etag=$(curl -s --cacert "$W/ca.pem" -D - -o /dev/null "$STORE/v1/accounts/akpam" | tr -d '\r' | sed -n 's/^[Ee][Tt]ag: //p')
printf '#authkeys-cache v1\n#checked %s\n#status 200\n#etag %s\n#min-serial 0\n%s\n' \
	"$(date +%s)" "$etag" "$(cat user3.pub)" > "$C/cache/acct.akpam"
chown "$RUNAS" "$C/cache/acct.akpam"
pam session akpam "$(info user3)"
check "F2 unsigned: forged entry + current ETag: key denied" denied PAM_PERM_DENIED "key not listed"
store_down
pam session akpam "$(info user3)"
check "F2 unsigned: store down, forged entry never admits" denied PAM_PERM_DENIED "store unavailable and no usable cached document"

# F3: a user's ~/.pam_environment must not choose the key checked, with
# Debian's pam_env (user_readenv=1) before the module in the stack.
DHOME=$(getent passwd akpam | cut -d: -f6)
pam_case
cat user1.pub user2.pub | publish akpam 1
{
	echo "session required pam_env.so user_readenv=1 envfile=/etc/default/locale"
	echo "session required $PAMMOD config=$CONF debug"
} > "$C/pam.d/sshd-test"
printf 'SSH_AUTH_INFO_0 DEFAULT="publickey %s"\n' "$(key_of user1.pub)" > "$DHOME/.pam_environment"
chown akpam "$DHOME/.pam_environment"
pam session akpam "$(info user3)"
check "F3: ~/.pam_environment naming a listed key: unlisted key denied" rc_is PAM_PERM_DENIED
check "F3: the log says why" logged "reason=~/.pam_environment sets SSH_AUTH_INFO"
pam session akpam "password"
check "F3: password login with a forged SSH_AUTH_INFO_0: denied" denied PAM_PERM_DENIED "~/.pam_environment sets SSH_AUTH_INFO"
printf 'SSH_AUTH_\\\nINFO_0 DEFAULT="publickey %s"\n' "$(key_of user1.pub)" > "$DHOME/.pam_environment"
pam session akpam "$(info user3)"
check "F3: name split by a continuation line: still denied" denied PAM_PERM_DENIED "~/.pam_environment sets SSH_AUTH_INFO"
rm -f "$DHOME/.pam_environment"
ln -s /etc/hostname "$DHOME/.pam_environment"
pam session akpam "$(info user1)"
check "F3: ~/.pam_environment as a symbolic link: denied (cannot be checked)" denied PAM_PERM_DENIED "~/.pam_environment"
rm -f "$DHOME/.pam_environment"
echo 'LANG DEFAULT=C.UTF-8' > "$DHOME/.pam_environment"
pam session akpam "$(info user1)"
check "F3: a harmless ~/.pam_environment: listed key allowed" rc_is PAM_SUCCESS
rm -f "$DHOME/.pam_environment"

# F4: FIFOs in place of the module's lock and entry files never hang it.
pam_case
cat user1.pub | publish akpam 1
mkdir -p "$C/modcache" && chmod 700 "$C/modcache"
mkfifo "$C/modcache/.lock.acct.akpam" "$C/modcache/acct.akpam"
mkfifo "$C/cache/.lock.acct.akpam" "$C/cache/acct.akpam"
chown "$RUNAS" "$C/cache/.lock.acct.akpam" "$C/cache/acct.akpam"
t0=$(date +%s%N)
PAMTO=$((20 + SLACK / 1000 * 3))
RES=$(timeout "$PAMTO" env ${AK_PAM_ENV:+LD_PRELOAD=${AK_PAM_ENV#env LD_PRELOAD=}} ${AK_WRAP:-} "$DRIVER" "$C/pam.d" sshd-test akpam session "$(info user1)" 2>&1)
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "F4: FIFOs as lock and cache files: no hang, decision made" rc_is PAM_SUCCESS
note "F4 decision with FIFOs in place: ${ms} ms"

# --- issue 9: session records for authkeys-sweep -------------------------
pam_case
cat user1.pub | publish akpam 1
AK_DRIVER_RECORDS=$C/sessions pam session akpam "$(info user1)"
dpid=$(sed -n 's/^driver-pid: //p' <<<"$RES")
check "session record while open: sshd's PID, its start time, the account by uid and name, fingerprint" \
	eval 'grep -qx "record: pid $dpid" <<<"$RES" && grep -q "^record: start [0-9][0-9]*\$" <<<"$RES" &&
	grep -qx "record: uid $(id -u akpam)" <<<"$RES" && grep -qx "record: account akpam" <<<"$RES" &&
	grep -qx "record: key $(fpr_of user1.pub)" <<<"$RES" && grep -q "^record: presid [0-9]*\$" <<<"$RES"'
check "session record removed at close (no audit session of its own: nothing to track after)" \
	test -z "$(ls -A "$C/sessions")"
check "session dir is root's, 0700" test "$(stat -c '%U %a' "$C/sessions")" = "root 700"
AK_DRIVER_RECORDS=$C/sessions pam session root "$(info user3)"
check "unmanaged account, public-key login: recorded too (PAM_IGNORE)" \
	eval 'rc_is PAM_SUCCESS && grep -qx "record: account root" <<<"$RES" && grep -qx "record: uid 0" <<<"$RES" && grep -qx "record: key $(fpr_of user3.pub)" <<<"$RES"'
AK_DRIVER_RECORDS=$C/sessions pam session akpam "$(info user3)"
check "denied session: nothing recorded" eval 'denied PAM_PERM_DENIED "key not listed" && ! grep -q "^record:" <<<"$RES"'
AK_DRIVER_RECORDS=$C/sessions pam account akpam "$(info user1)"
check "auth/account stages record nothing" eval '! grep -q "^record:" <<<"$RES"'
# A record that cannot be written (session_dir in a directory another user
# owns) is logged with the account's uid: the sweep could not end it.
mkdir -p "$C/notroots"; chown "$RUNAS" "$C/notroots"
conf "session_dir = $C/notroots/sessions"
pam session akpam "$(info user1)"
check "a session that cannot be recorded is logged, by uid and name" \
	eval 'rc_is PAM_SUCCESS && logged "uid $(id -u akpam) (akpam): session not recorded in $C/notroots/sessions"'
conf "session_dir = $C/sessions"

# revalidate=always: the document and the list on one connection.
pam_case
conf "revocation_url = $STORE/v1/revoked"
sed -i "s|config=$CONF|config=$CONF revalidate=always|" "$C/pam.d/sshd-test"
cat user1.pub | publish akpam 1
: | sign_doc signer "$WWW/v1/revoked" - 1 "$FUTURE"
pam session akpam "$(info user1)"
: > "$W/access.log"
pam session akpam "$(info user1)"
check "revalidate=always: asks the store at every login (2 requests)" \
	eval 'rc_is PAM_SUCCESS && [ "$(grep -c GET "$W/access.log")" = 2 ]'
check "revalidate=always: document and list share one connection" \
	test "$(grep -o 'conn=[0-9]*' "$W/access.log" | sort -u | wc -l)" = 1

# Outage memory: with revalidate=always a hung store costs one timeout per
# retry_after, not one per login.
conf "retry_after = 30"
sed -i "s|^url = .*|url = https://127.0.0.1:$BHPORT/v1/accounts/%u|" "$CONF"
t0=$(date +%s%N); pam session akpam "$(info user1)"; ms1=$(( ($(date +%s%N) - t0) / 1000000 ))
t0=$(date +%s%N); pam session akpam "$(info user1)"; ms2=$(( ($(date +%s%N) - t0) / 1000000 ))
check "hung store: first login waits, then stale cache (allowed)" eval 'rc_is PAM_SUCCESS && [ "$ms1" -ge 1000 ]'
check "hung store: the next login does not wait ($ms2 ms incl. 100 ms log pause)" \
	eval 'rc_is PAM_SUCCESS && [ "$ms2" -lt $((1000 + SLACK)) ]'
note "module, hung store: first ${ms1} ms, next ${ms2} ms"

# A group NSS cannot read (the directory errs): neither managed nor
# unmanaged, so the login it decides is denied, never PAM_IGNORE.
pam_case
cat user1.pub | publish akpam 1
getent group akbroken >/dev/null || groupadd akbroken
sed -i 's/^accounts = .*/accounts = %akbroken/' "$CONF"
PAM_PRELOAD=$TOP/build/tests/nss_broken.so pam session akpam "$(info user1)"
check "a %group NSS cannot read: denied (not ignored as unmanaged), and why" \
	eval 'rc_is PAM_PERM_DENIED && logged "account akpam: cannot tell whether it is managed (a group of accounts cannot be read through NSS); denied"'
sed -i 's/^accounts = .*/accounts = akpam, %akbroken/' "$CONF"
PAM_PRELOAD=$TOP/build/tests/nss_broken.so pam session akpam "$(info user1)"
check "... unless another item admits the account: the store decides" rc_is PAM_SUCCESS

# Also found: a case-insensitive NSS source (sssd) hands "AKPAM".
pam_case
cat user1.pub | publish akpam 1
PAM_PRELOAD=$TOP/build/tests/nss_caseless.so pam session AKPAM "$(info user3)"
check "PAM_USER in another case is the managed account: unlisted key denied" denied PAM_PERM_DENIED "key not listed"
PAM_PRELOAD=$TOP/build/tests/nss_caseless.so pam session AKPAM "$(info user1)"
check "PAM_USER in another case: listed key allowed, logged canonically" \
	eval 'rc_is PAM_SUCCESS && logged "account=akpam "'

# Also found: the decision line says where the revocation list came from.
pam_case
conf "refresh_after = 0"
conf "revocation_url = $STORE/v1/revoked"
cat user1.pub | publish akpam 1
: | sign_doc signer "$WWW/v1/revoked" - 1 "$FUTURE"
pam session akpam "$(info user1)"
store_down
sed -i "s|^revocation_url = .*|revocation_url = https://127.0.0.1:$DEAD/v1/revoked|" "$CONF"
pam session akpam "$(info user1)"
check "decision line names a stale revocation list" logged "source=stale cache revocations=stale cache decision=allow"

# net.so is loaded only for what needs it, and only if sshd would run it:
# made writable by others, the module refuses it and fails closed where a
# signature must be checked; bytes it verified before need no second look.
pam_case
cat user1.pub | publish akpam 7
pam session akpam "$(info user1)"
chmod 666 "$NETSO"
pam session akpam "$(info user1)"
check "net.so unsafe, bytes the module verified before: still admitted (no load)" rc_is PAM_SUCCESS
cat user1.pub | publish akpam 8
rm -f "$C/cache/"*akpam* "$C/modcache/"*akpam*
pam session akpam "$(info user1)"
check "net.so unsafe, new bytes to verify: denied, logged" \
	eval 'rc_is PAM_PERM_DENIED && logged "network part .*net.so refused: .*writable by group or others"'
chmod 644 "$NETSO"
pam session akpam "$(info user1)"
check "net.so safe again: admitted" rc_is PAM_SUCCESS
# An entry of an older version (no mark of what root verified): verified
# once more, marked, then the cache path needs no net.so for it.
sed -i '/^#verified /d' "$C/modcache/"*akpam*
pam session akpam "$(info user1)"
chmod 666 "$NETSO"
pam session akpam "$(info user1)"
chmod 644 "$NETSO"
check "an unmarked entry of an older version is marked once, then needs no second check" \
	eval 'rc_is PAM_SUCCESS && grep -q "^#verified " "$C/modcache/"*akpam*'

# The same with a root of trust (issue 27): the bootstrap's signatures are
# checked once, then root's record says so; a login on the cache path
# loads no net.so for the root either (a bench measured 6 -> 24 ms when it
# did).
pam_case
roles "$W/roles_pam" "root:1:signer" "documents:1:signer" "timestamp:1:signer"
"$PUB" --root "$W/roles_pam" -k "$W/signer" -o "$C/rootout" >/dev/null
install -m 644 "$C/rootout/v1/root" "$C/etc/root"
sed -i '/^trusted_signers = /d' "$CONF"
conf "trusted_root = $C/etc/root"
cat user1.pub | publish akpam 9
pam session akpam "$(info user1)"
check "trusted_root: admitted, the bootstrap recorded in root's own dir" \
	eval 'rc_is PAM_SUCCESS && ls "$C/modcache/"root-* >/dev/null 2>&1'
chmod 666 "$NETSO"
pam session akpam "$(info user1)"
chmod 644 "$NETSO"
check "trusted_root, cache path: admitted with net.so unusable (nothing loaded)" rc_is PAM_SUCCESS
summary
