#!/bin/bash
# Store load of one host at idle, per-document polling against snapshot and
# timestamp (timestamp_url), with 1, 20 and 200 managed accounts, measured
# on one nginx HTTPS store in one run: requests and bytes (both ways, TLS
# excluded) of one refresher round, per hour at refresh_after = 60 (a
# round every 30 s), and for 100,000 hosts. Then revocation latency,
# publish to the first refusal by authkeys-command, with the refresher
# running, direct and through Varnish. Needs root, nginx, varnish.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/lib.sh"
reexec_in_mount_ns "$@"
store_setup >/dev/null
as() { setpriv --reuid="$RUNAS" --regid="$RUNAS" --clear-groups "$@"; }
round() { as "$REFRESH" -f "$CONF" --once >/dev/null 2>&1; }
# load: requests and bytes in access.log since it was emptied.
load() {
	awk '{ n++; for (i = 1; i <= NF; i++) { if ($i ~ /^sent=/) s += substr($i, 6); if ($i ~ /^got=/) g += substr($i, 5) } }
	    END { printf "%d %d\n", n, s + g }' "$W/access.log"
}
ROUNDS_PER_HOUR=120
HOSTS=100000

ssh-keygen -q -t ed25519 -N '' -f "$W/k1"
ssh-keygen -q -t ed25519 -N '' -f "$W/k2"
echo "| accounts | polling | requests / round | bytes / round | requests / host / hour | bytes / host / hour | 100,000 hosts: requests/s | 100,000 hosts: MB/s | a changed account: requests |"
echo "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for n in 1 20 200; do
	rm -rf "$SRC/accounts" && mkdir -p "$SRC/accounts"
	accts=
	for i in $(seq 1 "$n"); do
		cat "$W/k1.pub" "$W/k2.pub" > "$SRC/accounts/a$i"
		accts="${accts:+$accts, }a$i"
	done
	: > "$SRC/revoked"
	for mode in per-document snapshot; do
		new_case
		"$PUB" -k "$W/signer" -s "$SRC" -o "$WWW" >/dev/null
		sed -i "s/^accounts = .*/accounts = $accts/" "$CONF"
		conf "revocation_url = $STORE/v1/revoked"
		[ "$mode" = snapshot ] && conf "timestamp_url = $STORE/v1/timestamp"
		round; round
		: > "$W/access.log"
		round
		read -r reqs bytes < <(load)
		cat "$W/k1.pub" > "$SRC/accounts/a1"
		"$PUB" -k "$W/signer" -s "$SRC" -o "$WWW" >/dev/null
		cat "$W/k1.pub" "$W/k2.pub" > "$SRC/accounts/a1"
		: > "$W/access.log"
		round
		read -r creqs _ < <(load)
		awk -v n="$n" -v m="$mode" -v r="$reqs" -v b="$bytes" -v c="$creqs" \
		    -v rph="$ROUNDS_PER_HOUR" -v h="$HOSTS" 'BEGIN {
			printf "| %d | %s | %d | %d | %d | %d | %.0f | %.1f | %d |\n",
			    n, m, r, b, r * rph, b * rph, r * h / 30, b * h / 30 / 1e6, c }'
	done
done

# Revocation latency: the refresher running (refresh_after 2: a round a
# second), a key revoked by publish, the command polled every 50 ms.
latency() { # URLBASE -> ms until the key is gone from the command's output
	local t0 out
	: > "$SRC/revoked"
	"$PUB" -k "$W/signer" -s "$SRC" -o "$WWW" >/dev/null
	# Until the host has the baseline (both keys), as a login would.
	for _ in $(seq 1 300); do
		out=$(as "$CMD" -f "$CONF" a1 2>/dev/null)
		grep -qF "$(key_of "$W/k1.pub")" <<<"$out" && break
		sleep 0.1
	done
	sleep 1
	fpr_of "$W/k1.pub" > "$SRC/revoked"
	t0=$(date +%s%N)
	"$PUB" -k "$W/signer" -s "$SRC" -o "$WWW" >/dev/null
	for _ in $(seq 1 400); do
		out=$(as "$CMD" -f "$CONF" a1 2>/dev/null)
		# Refused, while the other key still logs in (not an outage).
		if ! grep -qF "$(key_of "$W/k1.pub")" <<<"$out" &&
		    grep -qF "$(key_of "$W/k2.pub")" <<<"$out"; then
			echo $(( ($(date +%s%N) - t0) / 1000000 ))
			return
		fi
		sleep 0.05
	done
	echo never
}
lat_run() { # LABEL URLBASE
	new_case
	sed -i "s|^url = .*|url = $2/v1/accounts/%u|; s/^accounts = .*/accounts = a1/" "$CONF"
	[ "${2#http:}" != "$2" ] && sed -i '/^ca_file/d' "$CONF"
	conf "revocation_url = $2/v1/revoked"
	conf "timestamp_url = $2/v1/timestamp"
	conf "refresh_after = 2"
	rm -rf "$SRC/accounts" && mkdir -p "$SRC/accounts"
	cat "$W/k1.pub" "$W/k2.pub" > "$SRC/accounts/a1"
	setpriv --reuid="$RUNAS" --regid="$RUNAS" --clear-groups \
		"$REFRESH" -e -f "$CONF" 2>"${LAT_LOG:-/dev/null}" &
	local rp=$! ms=
	for _ in 1 2 3 4 5; do ms="${ms:+$ms, }$(latency)"; done
	kill "$rp"; wait "$rp" 2>/dev/null
	echo "| $1 | $ms |"
}
echo
echo "| revocation latency, publish to refusal (5 runs, ms) | |"
echo "| --- | --- |"
lat_run "refresher, store direct (nginx HTTPS)" "$STORE"
if command -v varnishd >/dev/null; then
	OPORT=$(free_port); VPORT=$(free_port)
	mkdir -p "$W/origin"
	cat > "$W/origin/nginx.conf" <<CONF
daemon on; pid $W/origin/nginx.pid; error_log $W/origin/error.log;
worker_processes 1; user root; events { worker_connections 64; }
http { access_log off; default_type text/plain;
	client_body_temp_path $W/origin/b; proxy_temp_path $W/origin/p;
	fastcgi_temp_path $W/origin/f; uwsgi_temp_path $W/origin/u; scgi_temp_path $W/origin/s;
	server { listen 127.0.0.1:$OPORT; root $WWW;
		location = /v1/timestamp { add_header Cache-Control "public, max-age=10, stale-while-revalidate=0" always; }
		location /v1/ { add_header Cache-Control "public, max-age=3600"; } } }
CONF
	nginx -c "$W/origin/nginx.conf" -p "$W/origin" -e "$W/origin/error.log"
	varnishd -j none -n "$W/varnish" -a "127.0.0.1:$VPORT" -b "127.0.0.1:$OPORT" \
		-s malloc,32m -P "$W/varnish.pid" >"$W/varnish.log" 2>&1 ||
		{ echo "varnishd did not start:"; cat "$W/varnish.log"; }
	sleep 1
	lat_run "refresher through Varnish (timestamp max-age 10 s, docs/cdn.md)" "http://127.0.0.1:$VPORT"
	kill "$(cat "$W/varnish.pid")"
	nginx -c "$W/origin/nginx.conf" -p "$W/origin" -s stop 2>/dev/null
fi
