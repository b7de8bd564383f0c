#!/bin/bash
# Real SSH logins, side by side in one hyperfine run per scenario: a plain
# ~/.ssh/authorized_keys login and a managed account (authkeys-command +
# pam_authkeys.so in Debian's own PAM stack) on the same sshd, with
# authkeys-refresh running, the store (nginx HTTPS) on loopback, 50 ms RTT
# away (tests/tools/delayproxy) and hung (accepts, never answers). Then:
# without the refresher and a hung store, the first and the next logins;
# revocation latency (publish -> first refused login, refresh_after = 10);
# store load per idle host. Needs root, hyperfine, python3. Writes
# $OUT (default bench/login-results.md).
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/lib.sh"
RUNS=${RUNS:-20}
OUT=${OUT:-$TOP/bench/login-results.md}
reexec_in_mount_ns "$@"
store_setup >/dev/null
publish_all() { "$PUB" -k "$W/signer" -s "$SRC" -o "$WWW" "$@" >/dev/null; }

new_case
conf "revocation_url = $STORE/v1/revoked"
conf "refresh_after = 10"
conf "retry_after = 30"
conf "timeout = 5"
cat user1.pub > "$SRC/accounts/deploy"
cat user2.pub > "$SRC/accounts/octo"
: > "$SRC/revoked"
publish_all
sshd_setup "$CONF"
id plainu >/dev/null 2>&1 || useradd -m -s /bin/sh plainu
PH=$(getent passwd plainu | cut -d: -f6)
install -d -o plainu -m 700 "$PH/.ssh"
install -o plainu -m 600 user1.pub "$PH/.ssh/authorized_keys"

SSHOPTS="-F /dev/null -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -p $SPORT"
ssh_cmd() { echo "ssh $SSHOPTS -i $W/$1 $2@127.0.0.1 true"; }
login_ms() {
	local t0
	t0=$(date +%s%N)
	# shellcheck disable=SC2046
	$(ssh_cmd "$1" "$2") </dev/null >/dev/null 2>&1
	LRC=$?
	echo $(( ($(date +%s%N) - t0) / 1000000 ))
}
median_pair() { # JSON -> "plain managed ratio"
	python3 - "$1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
p, m = r[0]["median"] * 1000, r[1]["median"] * 1000
print(f"{p:.0f} {m:.0f} {m / p:.2f}")
PY
}
start_refresher() {
	setpriv --reuid="$RUNAS" --regid="$RUNAS" --clear-groups \
		"$REFRESH" -f "$CONF" 2>/dev/null &
	RPID=$!
	EXTRA_CLEANUP="${EXTRA_CLEANUP:+$EXTRA_CLEANUP; }kill $RPID 2>/dev/null"
	sleep 1.5
}
stop_refresher() { kill "$RPID" 2>/dev/null; wait "$RPID" 2>/dev/null; }
set_store() { # BASE URL of the store
	sed -i -e "s|^url = .*|url = $1/v1/accounts/%u|" \
	    -e "s|^revocation_url = .*|revocation_url = $1/v1/revoked|" "$CONF"
}
scenario() { # NAME
	local j=$W/bench-$RANDOM.json
	login_ms user1 deploy >/dev/null
	[ "$LRC" = 0 ] || { echo "managed login failed in '$1'"; tail -5 "$W/sshd.log"; exit 1; }
	hyperfine -N --style none --warmup 2 --runs "$RUNS" --export-json "$j" \
		"$(ssh_cmd user1 plainu)" "$(ssh_cmd user1 deploy)" >/dev/null 2>&1
	read -r p m ratio <<<"$(median_pair "$j")"
	printf '| %s | %s ms | %s ms | %sx |\n' "$1" "$p" "$m" "$ratio" | tee -a "$OUT"
}

{
	echo "# Login benchmark ($(date -u +%Y-%m-%d), $(nproc) cores, OpenSSH $(ssh -V 2>&1 | cut -d' ' -f1))"
	echo
	echo "Median of $RUNS logins (\`ssh ... true\`), plain \`authorized_keys\` and managed account on the same sshd, one hyperfine run each."
	echo
	echo "| store (authkeys-refresh running) | plain file | authkeys | ratio |"
	echo "| --- | ---: | ---: | ---: |"
} > "$OUT"

start_refresher
scenario "nginx on loopback"

PROXY=$(free_port)
"$TOP/build/tests/delayproxy" "$PROXY" "$PORT" 25 3600 &
PXPID=$!
EXTRA_CLEANUP="${EXTRA_CLEANUP:+$EXTRA_CLEANUP; }kill $PXPID 2>/dev/null"
sleep 0.2
curl_ms=$(curl -s --cacert "$W/ca.pem" -o /dev/null -w '%{time_total}' "https://127.0.0.1:$PROXY/v1/accounts/deploy")
set_store "https://127.0.0.1:$PROXY"
kill -HUP "$RPID"; sleep 2
scenario "50 ms RTT away (one GET by curl: $(python3 -c "print(round($curl_ms*1000))") ms)"

set_store "https://127.0.0.1:$BHPORT"
kill -HUP "$RPID"; sleep 6
scenario "hung (accepts, never answers), timeout = 5"

# Without the refresher, a hung store: the first login after the cache went
# stale pays at most one timeout, the next ones nothing.
stop_refresher
set_store "$STORE"
rm -f "$C/cache/outage"
login_ms user1 deploy >/dev/null
set_store "https://127.0.0.1:$BHPORT"
sleep 10.5
: > "$LOG"
first=$(login_ms user1 deploy)
sleep 0.2
grep -E "authkeys|pam_authkeys" "$LOG" > "$W/first-login.log"
[ -n "${BENCH_LOGS:-}" ] && cp "$W/first-login.log" "$BENCH_LOGS"
{
	echo
	echo "Without the refresher, store hung, cache older than \`refresh_after\` (timeout = 5, retry_after = 30):"
	echo "first login $first ms (rc $LRC); the next ones:"
	echo
	echo "| store (no refresher) | plain file | authkeys | ratio |"
	echo "| --- | ---: | ---: | ---: |"
} | tee -a "$OUT"
scenario "hung, outage recorded by the first login"

# Revocation latency: publish a revocation, log in every 0.2 s until refused.
set_store "$STORE"
rm -f "$C/cache/outage" "$C/modcache/outage"
start_refresher
lat=()
for i in 1 2 3; do
	: > "$SRC/revoked"; publish_all; sleep 11
	login_ms user1 deploy >/dev/null
	[ "$LRC" = 0 ] || { echo "revocation round $i: login failed before revoking"; exit 1; }
	fpr_of user1.pub > "$SRC/revoked"
	t0=$(date +%s%N)
	publish_all
	while :; do
		login_ms user1 deploy >/dev/null
		[ "$LRC" != 0 ] && break
		[ $(( ($(date +%s%N) - t0) / 1000000 )) -gt 30000 ] && break
		sleep 0.2
	done
	lat+=($(( ($(date +%s%N) - t0) / 1000000 )))
done
{
	echo
	echo "Revocation latency (publish -> first refused login, refresher running, refresh_after = 10), 3 runs: ${lat[*]} ms"
} | tee -a "$OUT"
stop_refresher

# Store load of one idle host: the refresher alone, 2 accounts + the list.
for ra in 60 10; do
	sed -i "s/^refresh_after = .*/refresh_after = $ra/" "$CONF"
	: > "$W/access.log"
	start_refresher
	sleep 60
	stop_refresher
	reqs=$(grep -c GET "$W/access.log")
	conns=$(grep -o 'conn=[0-9]*' "$W/access.log" | sort -u | wc -l)
	echo "Store load per idle host, refresh_after = $ra: $reqs requests and $conns TLS handshakes in 60 s (2 accounts + the list; nginx keepalive_timeout 75 s)" | tee -a "$OUT"
done
