# Shared by the integration and end-to-end suites: a test CA, an nginx HTTPS
# store on 127.0.0.1, signed documents, and a tiny TAP-like reporter.
# Sourced by bash scripts run as root.

set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PASS=0
FAIL=0
FAILED_NAMES=""

note() { printf '# %s\n' "$*"; }

ok() {
	PASS=$((PASS + 1))
	printf 'ok %d - %s\n' $((PASS + FAIL)) "$1"
}

not_ok() {
	FAIL=$((FAIL + 1))
	FAILED_NAMES="$FAILED_NAMES
  $1"
	printf 'not ok %d - %s\n' $((PASS + FAIL)) "$1"
	shift
	for l in "$@"; do printf '#   %s\n' "$l"; done
}

# check NAME CONDITION-COMMAND...: ok if the command succeeds.
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name" "failed: $*"; fi
}

summary() {
	echo
	[ "$FAIL" -eq 0 ] || printf 'failed:%s\n' "$FAILED_NAMES"
	printf '%d passed, %d failed\n' "$PASS" "$FAIL"
	[ "$FAIL" -eq 0 ]
}

# A free TCP port on 127.0.0.1.
free_port() {
	local p
	for _ in $(seq 1 200); do
		p=$((20000 + RANDOM % 30000))
		if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# make_ca DIR: a CA and a server certificate for 127.0.0.1 / localhost.
make_ca() {
	local d=$1
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$d/ca.key" -out "$d/ca.pem" -days 2 \
		-subj "/CN=authkeys test CA" >/dev/null 2>&1 || return 1
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$d/server.key" -out "$d/server.csr" \
		-subj "/CN=127.0.0.1" >/dev/null 2>&1 || return 1
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > "$d/san.ext"
	openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" \
		-CAkey "$d/ca.key" -CAcreateserial -out "$d/server.pem" \
		-days 2 -extfile "$d/san.ext" >/dev/null 2>&1
}

# start_nginx DIR PORT: serves DIR/www over HTTPS on 127.0.0.1:PORT.
start_nginx() {
	local d=$1 port=$2
	mkdir -p "$d/www" "$d/nginx"
	cat > "$d/nginx/nginx.conf" <<CONF
daemon on;
pid $d/nginx/nginx.pid;
error_log $d/nginx/error.log;
worker_processes 1;
user root;
events { worker_connections 256; }
http {
	access_log $d/access.log;
	client_body_temp_path $d/nginx/body;
	proxy_temp_path $d/nginx/proxy;
	fastcgi_temp_path $d/nginx/fastcgi;
	uwsgi_temp_path $d/nginx/uwsgi;
	scgi_temp_path $d/nginx/scgi;
	default_type text/plain;
	server {
		listen 127.0.0.1:$port ssl;
		ssl_certificate $d/server.pem;
		ssl_certificate_key $d/server.key;
		root $d/www;
		location /slow/ { limit_rate 1; }
		location /redirect-http/ { return 302 http://127.0.0.1:$port/; }
	}
}
CONF
	nginx -c "$d/nginx/nginx.conf" -p "$d/nginx" -e "$d/nginx/error.log" \
		|| return 1
	for _ in $(seq 1 100); do
		(exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

stop_nginx() {
	local d=$1 pid
	[ -f "$d/nginx/nginx.pid" ] || return 0
	pid=$(cat "$d/nginx/nginx.pid")
	kill "$pid" 2>/dev/null
	for _ in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	rm -f "$d/nginx/nginx.pid"
}

# rfc3339 OFFSET: UTC time OFFSET from now ("+1 hour", "-1 day").
rfc3339() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }

# sign_doc KEY OUT ACCOUNT|- SERIAL EXPIRES < body: a signed document
# (ACCOUNT "-" makes a revocation list). Written atomically.
sign_doc() {
	local key=$1 out=$2 account=$3 serial=$4 expires=$5 tmp
	tmp=$(mktemp "$out.XXXXXX")
	{
		echo "#authkeys-document v1"
		if [ "$account" = - ]; then echo "#revocations"
		else echo "#account $account"; fi
		echo "#serial $serial"
		echo "#expires $expires"
		cat
	} > "$tmp"
	ssh-keygen -q -Y sign -n authkeys -f "$key" "$tmp" || return 1
	cat "$tmp.sig" >> "$tmp"
	rm -f "$tmp.sig"
	chmod 644 "$tmp"
	# nginx's ETag is mtime + size: a new document must get a newer
	# mtime, or a client's If-None-Match would keep the old one.
	if [ -e "$out" ] && [ "$(stat -c %Y "$out")" -ge "$(date +%s)" ]; then
		touch -d "@$(( $(stat -c %Y "$out") + 1 ))" "$tmp"
	fi
	mv -f "$tmp" "$out"
}

fpr_of() { ssh-keygen -lf "$1" | cut -d' ' -f2; }
key_of() { cut -d' ' -f1,2 "$1"; }

# count_requests LOG PATH: GETs of PATH the store received.
count_requests() {
	[ -f "$1" ] || { echo 0; return; }
	grep -c "\"GET $2 " "$1" || true
}
