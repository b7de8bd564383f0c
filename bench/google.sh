#!/bin/bash
# Revalidation side by side with Google's google_authorized_keys (Debian's
# google-compute-engine-oslogin), each asking its own server for an
# account's keys: ours an HTTPS store answering 304 (signature verified
# again), Google's two plain-HTTP GETs to a metadata server. Runs in a
# private network namespace where 169.254.169.254 is the namespace's own
# loopback, served by a static fake metadata answer; nothing leaves it.
# Needs root, hyperfine, python3, iproute2, google-compute-engine-oslogin.
set -u
if [ -z "${AK_IN_NETNS:-}" ]; then
	exec env AK_IN_NETNS=1 unshare --net --mount --propagation private "$0" "$@"
fi
ip link set lo up
ip addr add 169.254.169.254/32 dev lo
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/lib.sh"
AK_IN_NS=1 store_setup >/dev/null
new_case
conf "refresh_after = 0"
cat user1.pub | publish deploy 1
# Both run as root here (no setpriv in the timing): root owns this cache.
chown root "$C/cache"
"$CMD" -f "$CONF" deploy >/dev/null
: > "$W/access.log"
# The fake metadata server: the answers OS Login gives for one user.
cat > "$W/meta.py" <<PY
import http.server, json
KEY = open("$W/user1.pub").read().strip()
USERS = {"loginProfiles": [{"name": "deploy@example.com",
    "sshPublicKeys": {"fp1": {"key": KEY, "fingerprint": "fp1"}},
    "posixAccounts": [{"primary": True, "username": "deploy", "uid": "1001",
        "gid": "1001", "homeDirectory": "/home/deploy", "shell": "/bin/sh"}]}]}
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        if self.headers.get("Metadata-Flavor") != "Google":
            self.send_error(403); return
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
EXTRA_CLEANUP="kill $MPID"
for _ in $(seq 1 50); do (exec 3<>/dev/tcp/169.254.169.254/80) 2>/dev/null && break; sleep 0.1; done
echo "# google_authorized_keys prints: $(google_authorized_keys deploy | cut -c1-40)..."
hyperfine -N --warmup 10 --runs "${RUNS:-200}" --export-markdown "$W/g.md" \
	-n "google_authorized_keys deploy (2 plain-HTTP GETs, JSON)" "google_authorized_keys deploy" \
	-n "curl (one HTTPS GET of our store)" "curl -s --cacert $W/ca.pem -o /dev/null $STORE/v1/accounts/deploy" \
	-n "authkeys-command deploy (stale: helper, HTTPS 304, signature)" "$CMD -f $CONF deploy" >/dev/null 2>&1
cat "$W/g.md"
echo "# our store's answers: $(grep -c '" 304 ' "$W/access.log") x 304, $(grep -c '" 200 ' "$W/access.log") x 200"
