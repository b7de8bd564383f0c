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
for k in gcp hang; do ssh-keygen -q -t ed25519 -N '' -C "$k" -f "$W/$k"; done

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
summary
