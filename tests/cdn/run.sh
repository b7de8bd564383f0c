#!/bin/bash
# End to end through a CDN: hosts fetch from Varnish (Debian's varnish;
# Fastly's edge is built on it), which caches an nginx origin serving what
# authkeys-publish wrote, with the Cache-Control docs/cdn.md recommends.
# A real sshd logs in with authkeys-command and pam_authkeys.so; the host
# polls the store through timestamp_url.

. "$(dirname "$0")/../lib.sh"
reexec_in_mount_ns "$@"
command -v varnishd >/dev/null || { echo "varnishd missing (apt-get install varnish)"; exit 1; }
store_setup
publish_all() { "$PUB" -k "$W/signer" -s "$SRC" -o "$WWW" "$@" >/dev/null; }

# The timestamp's max-age here: short, so the test measures in seconds
# what docs/cdn.md's 10 s gives in production.
TS_TTL=2
OPORT=$(free_port)
VPORT=$(free_port)

# origin TS_MAXAGE: nginx over plain HTTP (Varnish speaks no TLS to its
# backend), the docs' Cache-Control per file; reloaded to change it.
origin() {
	mkdir -p "$W/origin"
	cat > "$W/origin/nginx.conf" <<CONF
daemon on;
pid $W/origin/nginx.pid;
error_log $W/origin/error.log;
worker_processes 1;
user root;
events { worker_connections 256; }
http {
	log_format o '"\$request" \$status \$bytes_sent if_none_match=\$http_if_none_match';
	access_log $W/origin.log o;
	client_body_temp_path $W/origin/body;
	proxy_temp_path $W/origin/proxy;
	fastcgi_temp_path $W/origin/fastcgi;
	uwsgi_temp_path $W/origin/uwsgi;
	scgi_temp_path $W/origin/scgi;
	default_type text/plain;
	server {
		listen 127.0.0.1:$OPORT;
		root $WWW;
		location = /v1/timestamp {
			add_header Cache-Control "public, max-age=$1, stale-while-revalidate=0" always;
		}
		location /v1/ {
			add_header Cache-Control "public, max-age=3600";
		}
	}
}
CONF
	if [ -f "$W/origin/nginx.pid" ]; then
		nginx -c "$W/origin/nginx.conf" -p "$W/origin" -s reload 2>/dev/null
		sleep 0.5
	else
		nginx -c "$W/origin/nginx.conf" -p "$W/origin" -e "$W/origin/error.log"
		EXTRA_CLEANUP="${EXTRA_CLEANUP:+$EXTRA_CLEANUP; }nginx -c $W/origin/nginx.conf -p $W/origin -s stop 2>/dev/null"
	fi
}
origin "$TS_TTL"
varnishd -j none -n "$W/varnish" -a "127.0.0.1:$VPORT" -b "127.0.0.1:$OPORT" \
	-s malloc,64m -P "$W/varnish.pid" >"$W/varnish.log" 2>&1
EXTRA_CLEANUP="${EXTRA_CLEANUP:+$EXTRA_CLEANUP; }kill \$(cat $W/varnish.pid) 2>/dev/null"
for _ in $(seq 1 100); do
	(exec 3<>/dev/tcp/127.0.0.1/"$VPORT") 2>/dev/null && break
	sleep 0.05
done
CDN=http://127.0.0.1:$VPORT
origin_gets() { grep -c "\"GET $1" "$W/origin.log" || true; }
vstat() { varnishstat -n "$W/varnish" -1 -f "$1" | awk '{print $2}'; }

new_case
sed -i "s|^url = .*|url = $CDN/v1/accounts/%u|; /^ca_file/d" "$CONF"
conf "revocation_url = $CDN/v1/revoked"
conf "timestamp_url = $CDN/v1/timestamp"
conf "refresh_after = 2"
conf "forced_options = restrict"
cat user1.pub user2.pub > "$SRC/accounts/deploy"
cat user2.pub > "$SRC/accounts/octo"
: > "$SRC/revoked"
publish_all
sshd_setup "$CONF"

login user1 deploy
check "through Varnish: a listed key logs in (real sshd, timestamp_url)" logged_in deploy user1
login user3 deploy
check "through Varnish: an unlisted key is refused" refused
check "documents are asked for by version (?v=SERIAL-HASH), the timestamp plainly" \
	eval 'grep -q "\"GET /v1/accounts/deploy?v=[0-9]*-[0-9a-f]\{8\} " "$W/origin.log" && grep -q "\"GET /v1/timestamp HTTP" "$W/origin.log"'

# Conditional GETs: the host's If-None-Match answered by the cache.
refresh_once
: > "$W/origin.log"
hits0=$(vstat MAIN.cache_hit)
for _ in 1 2 3; do refresh_once; done
hits=$(( $(vstat MAIN.cache_hit) - hits0 ))
check "idle rounds through the CDN: the refresher gets 304s" \
	grep -q "timestamp: serial .* from store (not modified)" <<<"$(setpriv --reuid="$RUNAS" --regid="$RUNAS" --clear-groups "$REFRESH" -e -f "$CONF" --once 2>&1)"
note "3 idle rounds: $hits cache hits at the edge, $(origin_gets /v1/timestamp) timestamp GET(s) at the origin"
check "idle rounds: served from the edge; the origin sees at most one per max-age" \
	eval '[ "$hits" -ge 2 ] && [ "$(origin_gets /v1/accounts)" = 0 ] && [ "$(origin_gets /v1/snapshot)" = 0 ]'

# The module with revalidate=always asks the timestamp at every login
# (root's own conditional GET, through the edge), not every document.
pam_stack first revalidate=always
: > "$W/origin.log"
h0=$(vstat MAIN.client_req)
login user2 octo
check "revalidate=always through the CDN: login works" logged_in octo user2
note "one login with revalidate=always: $(( $(vstat MAIN.client_req) - h0 )) request(s) at the edge (the module's timestamp; the snapshot and documents it names came from the cache)"
check "revalidate=always: the module logged its decision on the view's documents" \
	grep -q "account=octo .*fingerprint=$(fpr_of user2.pub) .*decision=allow" "$LOG"
pam_stack first

# Revocation latency, publish to the next refused login: the refresher
# running (refresh_after 2: a round a second), the timestamp's max-age 2.
setpriv --reuid="$RUNAS" --regid="$RUNAS" --clear-groups \
	"$REFRESH" -e -f "$CONF" 2>"$C/refresh.log" &
RPID=$!
EXTRA_CLEANUP="${EXTRA_CLEANUP:+$EXTRA_CLEANUP; }kill $RPID 2>/dev/null"
sleep 1.5
login user1 deploy
check "before the revocation: user1 logs in" logged_in deploy user1
fpr_of user1.pub > "$SRC/revoked"
t0=$(date +%s%N)
publish_all
ms=
for _ in $(seq 1 80); do
	login user1 deploy
	if refused; then ms=$(( ($(date +%s%N) - t0) / 1000000 )); break; fi
	sleep 0.25
done
note "revocation latency through Varnish (timestamp max-age ${TS_TTL}s, refresh_after 2s): ${ms:-none} ms"
check "revoked key refused through the CDN within max-age + refresh_after + a round (${ms:-never} ms)" \
	eval '[ -n "$ms" ] && [ "$ms" -lt 8000 ]'
login user2 octo
check "the other key still logs in" logged_in octo user2

# Mix-and-match through the CDN: the origin now serves the previous list
# and the previous deploy document beside the current snapshot. A new host
# (caches wiped, the module's too) refuses the revoked key.
kill "$RPID"; wait "$RPID" 2>/dev/null
mkdir -p "$C/prev"
: > "$SRC/revoked"
cat user1.pub user2.pub > "$SRC/accounts/deploy"
publish_all
cp "$WWW/v1/revoked" "$WWW/v1/accounts/deploy" "$C/prev/"
fpr_of user1.pub > "$SRC/revoked"
cat user2.pub > "$SRC/accounts/deploy"
publish_all
cp "$C/prev/revoked" "$WWW/v1/revoked"
cp "$C/prev/deploy" "$WWW/v1/accounts/deploy"
rm -rf "${C:?}/cache/"* "${C:?}/modcache"
sleep "$TS_TTL"
login user1 deploy
check "new host fed the previous list and document with the current timestamp: refused (real sshd)" refused
check "the mismatch is logged" grep -q "not the document the snapshot names" "$LOG"
publish_all
cp "$WWW/v1/revoked" "$WWW/v1/accounts/deploy" "$C/prev/" 2>/dev/null

# A CDN that serves a stale timestamp (cached far longer than it should
# be) freezes the host's view: detected and, with on_freeze = deny, logins
# refused.
origin 3600
varnishadm -n "$W/varnish" "ban req.url ~ ." >/dev/null
conf "freeze_after = 3"
conf "on_freeze = deny"
rm -rf "${C:?}/cache/"* "${C:?}/modcache"
login user2 deploy
check "fresh view: user2 logs in" logged_in deploy user2
for _ in 1 2 3 4 5; do
	"$PUB" --timestamp -k "$W/signer" -o "$WWW" >/dev/null
	sleep 1
done
refresh_once
status
check "a CDN serving a stale timestamp: --status says frozen" \
	eval 'grep -q "^view: .*frozen (freeze_after 3s, on_freeze deny)" <<<"$STOUT"'
check "frozen view logged by the refresher" grep -q "view frozen" <<<"$RROUT"
login user2 deploy
check "frozen view, on_freeze = deny: login refused" refused
origin "$TS_TTL"
varnishadm -n "$W/varnish" "ban req.url ~ ." >/dev/null
"$PUB" --timestamp -k "$W/signer" -o "$WWW" >/dev/null
refresh_once
login user2 deploy
check "the edge serves a new timestamp: the view thaws, login works" logged_in deploy user2

summary
