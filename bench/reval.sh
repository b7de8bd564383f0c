#!/bin/bash
# Revalidation (the cache is stale, the store answers 304) side by side
# with curl doing one HTTPS GET of the same URL with the same CA, one
# hyperfine run; then peak RSS of every binary on a hit, a fetch and a
# 4 MiB document, and 50 cold invocations at once. nginx HTTPS on
# loopback. Needs root, hyperfine.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/lib.sh"
reexec_in_mount_ns "$@"
store_setup >/dev/null
new_case
conf "refresh_after = 0"
cat user1.pub user2.pub | publish deploy 1
as() { setpriv --reuid="$RUNAS" --regid="$RUNAS" --clear-groups "$@"; }
as "$CMD" -f "$CONF" deploy >/dev/null
URL=$STORE/v1/accounts/deploy
echo "# revalidation with a 304 vs one curl GET (same URL, same CA)"
hyperfine -N --warmup 10 --runs "${RUNS:-200}" --export-markdown "$W/r.md" \
	-n "curl (one HTTPS GET)" "curl -s --cacert $W/ca.pem -o /dev/null $URL" \
	-n "authkeys-command (stale: exec helper, 304, verify)" \
	"setpriv --reuid=$RUNAS --regid=$RUNAS --clear-groups $CMD -f $CONF deploy" \
	-n "setpriv alone (the wrapper's own cost)" \
	"setpriv --reuid=$RUNAS --regid=$RUNAS --clear-groups true" >/dev/null 2>&1
cat "$W/r.md"
grep -c '" 304 ' "$W/access.log" | sed 's/^/# 304s answered by nginx: /'

echo "# peak RSS (KiB)"
rss() { as /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1; }
conf "refresh_after = 3600"
echo "command, cache hit: $(rss "$CMD" -f "$CONF" deploy)"
conf "refresh_after = 0"
echo "command + helper, 304: $(rss "$CMD" -f "$CONF" deploy)"
python3 -c "
import base64, os, struct
t = b'ssh-ed25519'
for i in range(46000):
    blob = struct.pack('>I', len(t)) + t + struct.pack('>I', 32) + os.urandom(32)
    print('ssh-ed25519', base64.b64encode(blob).decode(), 'k%d' % i)
" | publish deploy 2
echo "document size: $(wc -c < "$WWW/v1/accounts/deploy") bytes"
echo "command + helper, 4 MiB document fetched: $(rss "$CMD" -f "$CONF" deploy)"
echo "refresher --once, 4 MiB document: $(rss "$REFRESH" -f "$CONF" --once)"
echo "sweep (root, verified cache, no sessions): $(/usr/bin/time -f '%M' "$W/inst/usr/sbin/authkeys-sweep" -f "$CONF" 2>&1 >/dev/null | tail -1)"
echo "publish of 1 account: $(/usr/bin/time -f '%M' "$PUB" -k "$W/signer" -s "$SRC" -o "$W/pubout" 2>&1 >/dev/null | tail -1)"

echo "# 50 cold invocations at once"
new_case
cat user1.pub | publish deploy 1
: > "$W/access.log"
t0=$(date +%s%N)
pids=
for i in $(seq 1 50); do as "$CMD" -f "$CONF" deploy > "$C/out.$i" 2>/dev/null & pids="$pids $!"; done
# shellcheck disable=SC2086
wait $pids
echo "wall $(( ($(date +%s%N) - t0) / 1000000 )) ms, store requests: $(grep -c GET "$W/access.log"), all printed the key: $(grep -l "$(key_of user1.pub)" "$C"/out.* | wc -l)/50"
