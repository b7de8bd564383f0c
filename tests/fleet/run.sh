#!/bin/bash
# A mixed fleet, end to end with real sshd and real NSS: accounts given as
# sshd-style patterns and %groups; unmanaged accounts chained to another
# AuthorizedKeysCommand (Google's google_authorized_keys, Debian's
# google-compute-engine-oslogin, against a fake metadata server), one that
# hangs bounded by timeout. Runs in its own network namespace, where
# 169.254.169.254 is the namespace's loopback: nothing leaves it.

if [ -z "${AK_IN_NETNS:-}" ]; then
	exec env AK_IN_NETNS=1 AK_IN_NS=1 unshare --net --mount \
		--propagation private "$0" "$@"
fi
ip link set lo up
ip addr add 169.254.169.254/32 dev lo
. "$(dirname "$0")/../lib.sh"
command -v google_authorized_keys >/dev/null ||
	{ echo "google_authorized_keys missing (apt-get install google-compute-engine-oslogin)"; exit 1; }
store_setup
publish_all() { publish_quiet "$@"; }
publish_quiet() { "$PUB" -k "$W/signer" -s "$SRC" -o "$WWW" "$@" >/dev/null; }
# An unmanaged account's login: the module stays out (no fingerprint set).
plain_in() { [ "$LRC" = 0 ] && grep -q "^LOGIN-OK $1 " <<<"$SOUT"; }

# Real NSS: users and a group with a supplementary member.
for u in deploy-web deploy-db deploy-old grpmember gcpuser hanguser; do
	ensure_user "$u"
done
getent group akdeployers >/dev/null || groupadd akdeployers
getent group akempty >/dev/null || groupadd akempty
usermod -aG akdeployers grpmember
new_keys gcp hang

new_case
conf "revocation_url = $STORE/v1/revoked"
sed -i 's/^accounts = .*/accounts = deploy, deploy-*, !deploy-old, %akdeployers/' "$CONF"
conf "chain_command = /usr/bin/google_authorized_keys %u"
cat user1.pub > "$SRC/accounts/deploy-web"
cat user2.pub > "$SRC/accounts/deploy-db"
cat user3.pub > "$SRC/accounts/grpmember"
cat user1.pub > "$SRC/accounts/deploy-old"
: > "$SRC/revoked"
publish_all
sshd_setup "$CONF"
# The drop-in for patterns and groups: the command holds sshd's one slot
# for every account (chaining the others); managed ones get no local file.
{
	echo "RevokedKeys $W/krl/revoked_keys"
	echo "AuthorizedKeysCommand $CMD -f $CONF %u %f"
	echo "AuthorizedKeysCommandUser $RUNAS"
	echo "Match User deploy,deploy-*,!deploy-old"
	echo "	AuthorizedKeysFile none"
	echo "Match Group akdeployers"
	echo "	AuthorizedKeysFile none"
} > "$W/sshd_config.d/authkeys.conf"
sshd_stop
sleep 0.2
sshd_start

login user1 deploy-web
check "pattern deploy-*: deploy-web logs in with its store key (real sshd)" logged_in deploy-web user1
login user2 deploy-web
check "pattern: another account's key refused" refused
login user2 deploy-db
check "pattern: deploy-db logs in with its own key" logged_in deploy-db user2
login user3 grpmember
check "%akdeployers: a supplementary member (NSS) logs in with its store key" logged_in grpmember user3
login user1 deploy-old
check "!deploy-old: not managed, its store document is not used" refused
install -d -o deploy-old -m 700 ~deploy-old/.ssh
cat user2.pub > ~deploy-old/.ssh/authorized_keys
chown deploy-old ~deploy-old/.ssh/authorized_keys
chmod 600 ~deploy-old/.ssh/authorized_keys
login user2 deploy-old
check "!deploy-old: its own authorized_keys works as before (not managed)" plain_in deploy-old
: > "$W/access.log"
run deploy-old
check "!deploy-old: the command asks the store nothing for it" \
	eval '[ "$(count_requests "$W/access.log" /v1/accounts/deploy-old)" = 0 ]'
refresh_once
check "the refresher refreshes the accounts patterns and groups admit (NSS)" \
	eval '[ "$(reqs deploy-web)" -ge 1 ] && [ "$(reqs grpmember)" -ge 1 ] && [ "$(reqs deploy-old)" = 0 ]'
conf "accounts = deploy, deploy-*, !deploy-old, %akdeployers, %akempty, ops-*"
rep=$(setpriv --reuid="$RUNAS" --regid="$RUNAS" --clear-groups "$CMD" -f "$CONF" --check 2>/dev/null)
check "--check lists the accounts managed on this host" \
	grep -q "^ok   accounts: [0-9]* managed on this host: deploy, deploy-db, deploy-web, grpmember" <<<"$rep"
check "--check warns about a group and a pattern that match nobody" \
	eval 'grep -q "^warn accounts: %akempty matches no account on this host (no such group, or no members)" <<<"$rep" &&
	grep -q "^warn accounts: ops-\* matches no account on this host" <<<"$rep"'
conf "accounts = deploy, deploy-*, !deploy-old, %akdeployers"

# --check sees what sshd -T misses: -o options sshd's systemd unit passes.
# (This suite's own mount namespace: the unit directories are its own.)
mount -t tmpfs tmpfs /etc/systemd/system
mkdir -p /etc/systemd/system/ssh.service.d
printf 'SSHD_OPTS=\n' > "$W/default-ssh"
[ -e /etc/default/ssh ] || : > /etc/default/ssh
mount --bind "$W/default-ssh" /etc/default/ssh
uchk() { setpriv --reuid="$RUNAS" --regid="$RUNAS" --clear-groups "$CMD" -f "$CONF" --check 2>/dev/null; }
rep=$(uchk)
check "--check: Debian's ssh.service as shipped passes no -o options" \
	grep -q "^ok   sshd's systemd unit passes no -o options" <<<"$rep"
printf '[Service]\nExecStart=\nExecStart=/usr/sbin/sshd -D -o AuthorizedKeysCommand=/usr/bin/other-tool -o LogLevel=DEBUG3\n' \
	> /etc/systemd/system/ssh.service.d/other.conf
rep=$(uchk)
check "--check: a second AuthorizedKeysCommand in a unit drop-in is a named failure" \
	grep -q "^FAIL sshd's unit (/etc/systemd/system/ssh.service.d/other.conf:3) sets a second AuthorizedKeysCommand with -o AuthorizedKeysCommand=/usr/bin/other-tool" <<<"$rep"
check "--check: other -o options are a warning" \
	grep -q "^warn sshd's unit (/etc/systemd/system/ssh.service.d/other.conf:3) passes -o LogLevel=DEBUG3" <<<"$rep"
rm /etc/systemd/system/ssh.service.d/other.conf
printf 'SSHD_OPTS="-o AuthorizedKeysFile=.ssh/authorized_keys"\n' > "$W/default-ssh"
rep=$(uchk)
check "--check: SSHD_OPTS in /etc/default/ssh overriding AuthorizedKeysFile is a named failure" \
	grep -q "^FAIL sshd's unit (/etc/default/ssh, read by /lib/systemd/system/ssh.service:[0-9]*) passes -o AuthorizedKeysFile=.ssh/authorized_keys" <<<"$rep"
printf '[Service]\nEnvironment="SSHD_OPTS=-oRevokedKeys=none"\n' > /etc/systemd/system/ssh.service.d/env.conf
printf 'SSHD_OPTS=\n' > "$W/default-ssh"
rep=$(uchk)
check "--check: Environment=SSHD_OPTS in a drop-in is read too" \
	grep -q "^FAIL sshd's unit (/etc/systemd/system/ssh.service.d/env.conf:2) passes -o RevokedKeys=none" <<<"$rep"
umount /etc/default/ssh
umount /etc/systemd/system

# chain_command: Google's OS Login command for an account we do not manage.
cat > "$W/meta.py" <<PY
import http.server, json
KEY = open("$W/gcp.pub").read().strip()
USERS = {"loginProfiles": [{"name": "gcpuser@example.com",
    "sshPublicKeys": {"fp1": {"key": KEY, "fingerprint": "fp1"}},
    "posixAccounts": [{"primary": True, "username": "gcpuser", "uid": "1001",
        "gid": "1001", "homeDirectory": "/home/gcpuser", "shell": "/bin/sh"}]}]}
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        if self.headers.get("Metadata-Flavor") != "Google":
            self.send_error(403); return
        if "/users?" in self.path and "gcpuser" not in self.path:
            self.send_error(404); return
        body = json.dumps(USERS if "/users?" in self.path else {"success": True}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Metadata-Flavor", "Google")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer(("169.254.169.254", 80), H).serve_forever()
PY
python3 "$W/meta.py" &
MPID=$!
EXTRA_CLEANUP="${EXTRA_CLEANUP:+$EXTRA_CLEANUP; }kill $MPID"
for _ in $(seq 1 50); do (exec 3<>/dev/tcp/169.254.169.254/80) 2>/dev/null && break; sleep 0.1; done
login gcp gcpuser
check "chained: google_authorized_keys admits gcpuser's OS Login key (real sshd)" plain_in gcpuser
check "chained: logged with what it printed" \
	grep -q "account gcpuser: not managed; chain_command printed=1 dropped=0" "$LOG"
login user1 gcpuser
check "chained: a key OS Login does not list is refused" refused
login user1 deploy-web
check "chained: managed accounts unaffected" logged_in deploy-web user1

# A chained command that hangs: the login fails within timeout.
mkdir -p "$W/chain" && chmod 755 "$W/chain"
printf '#!/bin/sh\necho "%s"\nsleep 300\n' "$(key_of hang.pub)" > "$W/chain/hangs"
chmod 755 "$W/chain/hangs"
conf "chain_command = $W/chain/hangs %u %f"
conf "timeout = 2"
t0=$(date +%s%N)
login hang hanguser
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "chained command hangs: login refused within timeout ($ms ms; sshd runs the command twice at most)" \
	eval 'refused && [ "$ms" -lt 6000 ]'
check "the hang is logged, naming the command" \
	grep -q "account hanguser: not managed; chain_command $W/chain/hangs %u %f: killed after 2000 ms (timeout); no keys" "$LOG"
check "nothing of the hung command is left" eval '! pgrep -f "$W/chain/hangs" >/dev/null'
login user2 deploy-db
check "managed accounts unaffected by a hanging chain" logged_in deploy-db user2

# A chained command sshd itself would refuse (writable by others).
cp "$W/chain/hangs" /tmp/ak-chain-unsafe.$$
chmod 777 /tmp/ak-chain-unsafe.$$
conf "chain_command = /tmp/ak-chain-unsafe.$$"
run hanguser
check "an unsafe chain_command path is refused, logged, prints nothing" \
	eval '[ -z "$OUT" ] && grep -q "chain_command /tmp/ak-chain-unsafe.$$: /tmp/ak-chain-unsafe.$$: writable by group or others" <<<"$ERR"'
rm -f /tmp/ak-chain-unsafe.$$
# --- issue 26: chained keys obey the store's list and policy ---------------
# The chained tool is another source of keys, not another authority: its
# lines go through the same keyset decision as the store's.
ensure_user chainuser
cat > "$W/chain/keys" <<CHAIN
#!/bin/sh
echo "$(key_of user1.pub) revoked-one"
echo 'environment="LD_PRELOAD=/tmp/x.so" $(key_of user2.pub) env-one'
echo "cert-authority $(key_of user3.pub) ca-one"
echo "$(key_of "$W/rsa2048.pub") rsa-one"
echo "$(key_of gcp.pub) good-one"
CHAIN
chmod 755 "$W/chain/keys"
conf "chain_command = $W/chain/keys %u"
conf "forced_options = restrict"
conf "timeout = 3"
fpr_of user1.pub > "$SRC/revoked"
publish_all
refresh_once
run chainuser
check "chained: only the line the store's list and policy admit is printed, forced_options first" \
	eval '[ "$(lines)" = 1 ] && [ "$OUT" = "restrict $(key_of gcp.pub) good-one" ]'
check "chained: the revoked key is dropped and logged" \
	grep -q "account chainuser: key $(fpr_of user1.pub) (line 1) dropped: key is revoked" <<<"$ERR"
check "chained: environment=, cert-authority and RSA-2048 lines dropped and logged" \
	eval 'grep -q "key $(fpr_of user2.pub) (line 2) dropped: listed line carries an option not allowed" <<<"$ERR" &&
	grep -q "key $(fpr_of user3.pub) (line 3) dropped: listed line carries an option not allowed" <<<"$ERR" &&
	grep -q "key $(fpr_of "$W/rsa2048.pub") (line 4) dropped: key too weak" <<<"$ERR"'
# Without sshd's KRL: the command alone keeps the revoked key out.
sed -i '/^RevokedKeys/d' "$W/sshd_config.d/authkeys.conf"
sshd_stop; sleep 0.2; sshd_start
login user1 chainuser
check "chained: a revoked key is refused by real sshd without RevokedKeys" refused
login gcp chainuser
check "chained: the admitted chained key logs in, restricted" plain_in chainuser
mv "$WWW/v1/revoked" "$W/revoked.kept"
refresh_once
run chainuser
check "chained: a required list the store no longer has: nothing printed, chain not run" \
	eval '[ -z "$OUT" ] && grep -q "account chainuser: not managed; chain_command not run: no verified revocation list" <<<"$ERR"'
mv "$W/revoked.kept" "$WWW/v1/revoked"
refresh_once

# Chaining to ourselves: refused by name, by file, and inside a chain.
conf "chain_command = $CMD -f $CONF %u"
run chainuser
check "chain_command = authkeys-command: refused, logged, nothing run" \
	eval '[ -z "$OUT" ] && grep -q "is authkeys itself: chaining to it would run it again" <<<"$ERR"'
install -m 755 "$CMD" "$W/chain/renamed"
conf "chain_command = $W/chain/renamed -f $CONF %u"
t0=$(date +%s%N)
run chainuser
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
check "a renamed copy of authkeys-command: the inner one refuses to chain again ($ms ms)" \
	eval '[ -z "$OUT" ] && grep -q "refused inside a chained command (AUTHKEYS_CHAINED set)" "$LOG"'
check "... and no process of it is left" eval '! pgrep -f "$W/chain/renamed" >/dev/null'
# A chained tool that leaves detached processes behind (setsid, double fork).
# (Sleeps of a length only this run uses.)
S=$((470000 + $$))
cat > "$W/chain/detach" <<CHAIN
#!/bin/sh
setsid sleep ${S}1 </dev/null >/dev/null 2>&1 &
( ( sleep ${S}2 </dev/null >/dev/null 2>&1 & ) & )
sleep ${S}3
CHAIN
chmod 755 "$W/chain/detach"
conf "chain_command = $W/chain/detach %u"
run chainuser
sleep 0.3
check "a hung chain's detached subtree (setsid, double fork) is ended at timeout" \
	eval '! pgrep -f "^sleep ${S}[123]\$" >/dev/null'

# A group line over 16 KiB before %akdeployers: membership is still read
# (the buffer grows), so grpmember stays managed and the chain is not asked.
cp /etc/group "$W/group"
{ printf 'akhuge:x:4999:'; for i in $(seq 1 2500); do printf 'member%04d,' "$i"; done; echo member0000; cat /etc/group; } > "$W/group"
mount --bind "$W/group" /etc/group
conf "chain_command = $W/chain/keys %u"
login user3 grpmember
check "a group over 16 KiB in /etc/group: %akdeployers' member still logs in with its store key" logged_in grpmember user3
run grpmember
check "... and is still managed: the chained tool's keys are not printed for it" \
	eval '! grep -q "$(key_of gcp.pub)" <<<"$OUT" && has_key user3'
rep=$(setpriv --reuid="$RUNAS" --regid="$RUNAS" --clear-groups "$CMD" -f "$CONF" --check --sshd-config "$W/sshd_config" 2>/dev/null)
check "--check: still lists grpmember as managed" \
	grep -q "^ok   accounts: .* managed on this host: .*grpmember" <<<"$rep"
umount /etc/group
# A group the directory cannot read: the command prints neither the
# store's keys nor the chained tool's for an account it could decide.
getent group akbroken >/dev/null || groupadd akbroken
# (After the sanitizer runtimes when they are preloaded: they come first.)
NSSB=${AK_PAM_ENV:+${AK_PAM_ENV#env LD_PRELOAD=}:}$TOP/build/tests/nss_broken.so
conf "accounts = deploy, deploy-*, !deploy-old, %akdeployers, %akbroken"
AK_WRAP="env LD_PRELOAD=$NSSB" run chainuser
check "a %group NSS cannot read: no keys at all (the chain is not run), and why" \
	eval '[ -z "$OUT" ] && grep -q "account chainuser: cannot tell whether it is managed" <<<"$ERR"'
AK_WRAP="env LD_PRELOAD=$NSSB" run deploy-db
check "... an account another item admits still gets its store keys" has_key user2
rep=$(AK_WRAP= setpriv --reuid="$RUNAS" --regid="$RUNAS" --clear-groups env LD_PRELOAD="$NSSB" "$CMD" -f "$CONF" --check 2>/dev/null)
check "--check fails naming the group NSS cannot read" \
	grep -q "^FAIL accounts: %akbroken cannot be read through NSS" <<<"$rep"
conf "accounts = deploy, deploy-*, !deploy-old, %akdeployers"
# sshd's Match wider than accounts (a forgotten !negation): --check names them.
# (As root: sshd -T reads the host keys.)
sed -i 's/^Match User deploy,deploy-\*,!deploy-old$/Match User deploy,deploy-*/' "$W/sshd_config.d/authkeys.conf"
rep=$("$CMD" -f "$CONF" --check --sshd-config "$W/sshd_config" 2>/dev/null)
check "--check: an account sshd hands to authkeys with AuthorizedKeysFile none but accounts does not manage is named" \
	grep -q "^warn sshd hands 1 account(s) that accounts does not manage to authkeys-command with AuthorizedKeysFile none: deploy-old. Their keys come from chain_command alone" <<<"$rep"
summary
