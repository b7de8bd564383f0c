# A test store: a test CA, nginx HTTPS on 127.0.0.1, documents signed and
# installed through the code authkeys-publish uses, a syslog sink, and the
# command run as sshd runs it. Functions only (store_setup does the work).

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
	log_format ak '\$remote_addr [\$time_local] "\$request" \$status \$body_bytes_sent conn=\$connection reqs=\$connection_requests sent=\$bytes_sent got=\$request_length';
	access_log $d/access.log ak;
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
# (ACCOUNT "-" makes a revocation list), its header written and installed
# by the code authkeys-publish uses (akdoc): atomically, with an mtime newer
# than the old file's (nginx's ETag is mtime + size).
sign_doc() {
	local key=$1 out=$2 account=$3 serial=$4 expires=$5 tmp
	tmp=$(mktemp "$out.XXXXXX")
	{
		"$TOP/build/tests/akdoc" header "$account" "$serial" "$expires" \
			|| return 1
		cat
	} > "$tmp"
	ssh-keygen -q -Y sign -n authkeys -f "$key" "$tmp" || return 1
	cat "$tmp.sig" >> "$tmp"
	rm -f "$tmp.sig"
	chmod 644 "$tmp"
	"$TOP/build/tests/akdoc" install "$tmp" "$out"
}

fpr_of() { ssh-keygen -lf "$1" | cut -d' ' -f2; }
key_of() { cut -d' ' -f1,2 "$1"; }

# count_requests LOG PATH: GETs of PATH the store received.
count_requests() {
	[ -f "$1" ] || { echo 0; return; }
	grep -cE "\"GET $2[ ?]" "$1" || true
}

# ensure_user NAME [useradd options]: NAME exists (default: a login user
# with a home). Suites run side by side: useradd may find /etc/passwd
# locked by another, so it is tried again until the name resolves.
ensure_user() {
	local u=$1
	shift
	[ $# -gt 0 ] || set -- -m -s /bin/sh
	for _ in $(seq 1 50); do
		id "$u" >/dev/null 2>&1 && return 0
		useradd "$@" "$u" 2>/dev/null
		id "$u" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	echo "cannot create user $u"
	exit 1
}

# --- a whole test store ---------------------------------------------------
# store_setup: as root, makes the unprivileged command user ($RUNAS), a work
# dir $W (under /run: sshd refuses paths others can write), installs the
# build into $W/inst ($CMD, $PUB; publish sources in $SRC), starts nginx HTTPS ($STORE, files in $WWW), a hanging
# listener ($BHPORT), a syslog sink ($LOG), and makes keys signer, stranger,
# user1..3, rsa2048, rsa3072 in $W.
store_setup() {
	[ "$(id -u)" -eq 0 ] || { echo "these tests need root"; exit 1; }
	RUNAS=akit
	ensure_user "$RUNAS" --system --no-create-home \
		--shell /usr/sbin/nologin
	W=$(mktemp -d /run/ak-test.XXXXXX)
	chmod 755 "$W"
	BH_PID=
	LS_PID=
	trap store_cleanup EXIT
	make -s -C "$TOP" install DESTDIR="$W/inst" PREFIX=/usr \
		SYSCONFDIR=/etc PAMDIR=/usr/lib/security >/dev/null || exit 1
	make -s -C "$TOP" test-tools >/dev/null || exit 1
	CMD=$W/inst/usr/sbin/authkeys-command
	PUB=$W/inst/usr/bin/authkeys-publish
	REFRESH=$W/inst/usr/sbin/authkeys-refresh
	SRC=$W/src
	mkdir -p "$SRC/accounts"
	PAMMOD=$W/inst/usr/lib/security/pam_authkeys.so
	san_preload
	start_logsink
	make_ca "$W" || { echo "cannot make test CA"; exit 1; }
	PORT=$(free_port)
	BHPORT=$(free_port)
	DEAD=$(free_port)
	start_nginx "$W" "$PORT" || { echo "nginx did not start"; exit 1; }
	"$TOP/build/tests/blackhole" "$BHPORT" 1800 &
	BH_PID=$!
	STORE=https://127.0.0.1:$PORT
	WWW=$W/www
	mkdir -p "$WWW/v1/accounts"
	cd "$W" || exit 1
	for k in signer stranger user1 user2 user3; do
		ssh-keygen -q -t ed25519 -N '' -C "$k" -f "$W/$k"
	done
	ssh-keygen -q -t rsa -b 2048 -N '' -C small -f "$W/rsa2048"
	ssh-keygen -q -t rsa -b 3072 -N '' -C big -f "$W/rsa3072"
	echo "signer@test $(key_of signer.pub)" > "$W/allowed_signers"
	chmod 644 "$W"/*.pub "$W/allowed_signers" "$W/ca.pem"
	FUTURE=$(rfc3339 "+1 day")
	PAST=$(rfc3339 "-1 minute")
	N=0
}

# san_preload: a sanitized build (make check CFLAGS=-fsanitize=...) runs
# inside libpam's driver and a stock sshd, which are not sanitized: preload
# the runtimes there, as make sanitize-check does (AK_PAM_ENV, AK_SSHD_ENV;
# values already set win). sshd's own allocations are not ours to
# leak-check.
san_preload() {
	local cc=${CC:-cc} san
	ldd "$PAMMOD" 2>/dev/null | grep -q libasan || return 0
	san=$($cc -print-file-name=libasan.so):$($cc -print-file-name=libubsan.so)
	: "${AK_PAM_ENV:=env LD_PRELOAD=$san}"
	: "${AK_SSHD_ENV:=env LD_PRELOAD=$san ASAN_OPTIONS=log_path=$AK_REPORTS/asan:detect_leaks=0:abort_on_error=0 UBSAN_OPTIONS=log_path=$AK_REPORTS/ubsan:print_stacktrace=1:halt_on_error=1}"
	note "sanitized build: runtimes preloaded into libpam's driver and sshd"
}

store_cleanup() {
	stop_nginx "$W"
	[ -n "$BH_PID" ] && kill "$BH_PID" 2>/dev/null
	[ -n "$LS_PID" ] && kill "$LS_PID" 2>/dev/null
	[ -n "${EXTRA_CLEANUP:-}" ] && eval "$EXTRA_CLEANUP"
	# Our mounts go with our mount namespace; these only tidy up early.
	mountpoint -q /dev/log 2>/dev/null && umount /dev/log
	mountpoint -q "$AK_DEVLOG_DIR" 2>/dev/null && umount "$AK_DEVLOG_DIR"
	cd /
	rm -rf "$W"
}

# start_logsink: syslog lines land in $LOG, in this suite's own mount
# namespace (reexec_in_mount_ns), so suites run in parallel (make -j2
# check) never take each other's lines. Where the machine has a syslog
# socket we bind ours over it; where it has none, /dev/log becomes (once,
# atomically, for everyone) a link to $AK_DEVLOG_DIR/log, and each suite
# mounts its own tmpfs there: outside the suites the link leads nowhere,
# as if there were no /dev/log.
AK_DEVLOG_DIR=/run/ak-devlog
start_logsink() {
	LOG=$W/syslog
	: > "$LOG"
	chmod 644 "$LOG"
	[ -n "${AK_IN_NS:-}" ] || { echo "start_logsink: not in a private mount namespace"; exit 1; }
	[ -e /dev/log ] || [ -L /dev/log ] || ln -s "$AK_DEVLOG_DIR/log" /dev/log 2>/dev/null
	if [ "$(readlink /dev/log)" = "$AK_DEVLOG_DIR/log" ]; then
		mkdir -p "$AK_DEVLOG_DIR"
		mount -t tmpfs -o mode=0755,size=1m ak-devlog "$AK_DEVLOG_DIR" ||
			{ echo "cannot mount $AK_DEVLOG_DIR"; exit 1; }
		LOGSOCK=$AK_DEVLOG_DIR/log
	else
		LOGSOCK=$W/log.sock
	fi
	"$TOP/build/tests/logsink" "$LOGSOCK" "$LOG" 1800 &
	LS_PID=$!
	for _ in $(seq 1 50); do [ -S "$LOGSOCK" ] && break; sleep 0.05; done
	if [ "$LOGSOCK" = "$W/log.sock" ]; then
		mount --bind "$LOGSOCK" /dev/log || { echo "cannot bind /dev/log"; exit 1; }
	fi
}

# Call first thing in a suite: its own mount namespace, for its syslog.
reexec_in_mount_ns() {
	if [ -z "${AK_IN_NS:-}" ]; then
		exec env AK_IN_NS=1 unshare --mount --propagation private "$0" "$@"
	fi
}

# new_case: fresh cache dir and config; $C, $CONF. Lines added with conf.
new_case() {
	N=$((N + 1))
	C=$W/case$N
	mkdir -p "$C/etc" "$C/cache"
	chown "$RUNAS" "$C/cache"
	chmod 755 "$C" "$C/etc" "$C/cache"
	CONF=$C/etc/authkeys.conf
	cat > "$CONF" <<CONF
url = $STORE/v1/accounts/%u
trusted_signers = $W/allowed_signers
ca_file = $W/ca.pem
cache_dir = $C/cache
module_cache_dir = $C/modcache
session_dir = $C/sessions
accounts = deploy, octo
retry_after = 0
timeout = $((3 + SLACK / 1000 * 2))
CONF
	chmod 644 "$CONF"
	: > "$W/access.log"
	# A fresh store from a fresh publisher: its record of serials issued
	# goes too (else serials go on from the last case's, ahead of the
	# clock after many publishes in a second).
	rm -f "$WWW/v1/revoked" "$WWW/v1/snapshot" "$WWW/v1/timestamp" \
	    "$WWW/.authkeys-serials"
	rm -f "$WWW"/v1/accounts/*
}
# roles FILE ROLE:K:KEYS...: a roles file for authkeys-publish --root (a
# threshold line per role, a key line per key; keys are $W/NAME.pub).
roles() {
	local f=$1 spec role k keys key
	shift
	: > "$f"
	for spec in "$@"; do
		role=${spec%%:*}; k=${spec#*:}; k=${k%%:*}; keys=${spec##*:}
		echo "threshold $role $k" >> "$f"
		for key in $keys; do
			echo "$role $(key_of "$W/$key.pub") $key" >> "$f"
		done
	done
}
# new_keys NAME...: ed25519 keys $W/NAME and $W/NAME.pub, comment NAME.
new_keys() {
	local k
	for k in "$@"; do
		ssh-keygen -q -t ed25519 -N '' -C "$k" -f "$W/$k"
	done
}
# trust_root ROLES_FILE ROOT_KEY...: publishes v1/root signed by the root
# keys ($W/NAME) and makes it this case's trusted_root (no trusted_signers).
trust_root() {
	local f=$1 k args=()
	shift
	for k in "$@"; do args+=(-k "$W/$k"); done
	"$PUB" --root "$f" "${args[@]}" -o "$WWW" >/dev/null
	install -m 644 "$WWW/v1/root" "$C/etc/root"
	sed -i '/^trusted_signers = /d' "$CONF"
	conf "trusted_root = $C/etc/root"
}
# nth_sig FILE N: the Nth armored signature appended to FILE.
nth_sig() {
	awk -v n="$2" '/^-----BEGIN SSH SIGNATURE-----$/ {c++} c == n {print} /^-----END SSH SIGNATURE-----$/ && c == n {exit}' "$1"
}
# verify_nth FILE N PRINCIPAL NAMESPACE SIGNERS_FILE: stock ssh-keygen -Y
# verify of FILE's Nth signature over its bytes before the first.
verify_nth() {
	ssh-keygen -Y verify -f "$5" -I "$3" -n "$4" -s <(nth_sig "$1" "$2") \
		< <(sed '/^-----BEGIN SSH SIGNATURE-----$/,$d' "$1") >/dev/null 2>&1
}
# conf "key = value": sets key (replacing a line new_case wrote; url adds a mirror).
conf() {
	local k=${1%% *}
	if [ "$k" != url ] && grep -q "^$k = " "$CONF"; then
		sed -i "s|^$k = .*|$*|" "$CONF"
	else
		echo "$*" >> "$CONF"
	fi
}
store_down() { sed -i "s|^url = .*|url = https://127.0.0.1:$DEAD/v1/accounts/%u|" "$CONF"; }

# run ACCOUNT [FPR]: the command as sshd runs it; sets OUT, ERR, RC.
run() {
	# shellcheck disable=SC2086
	OUT=$(setpriv --reuid="$RUNAS" --regid="$RUNAS" --clear-groups \
		${AK_WRAP:-} "$CMD" -e -f "$CONF" "$@" 2>"$C/err")
	RC=$?
	ERR=$(cat "$C/err")
}

# refresh_once: one round of the refresher as the command user; RROUT, RRC.
refresh_once() {
	# shellcheck disable=SC2086
	RROUT=$(setpriv --reuid="$RUNAS" --regid="$RUNAS" --clear-groups \
		${AK_WRAP:-} "$REFRESH" -e -f "$CONF" --once 2>&1)
	RRC=$?
}

# status [=prometheus]: --status as the command user; STOUT, STRC.
status() {
	STOUT=$(setpriv --reuid="$RUNAS" --regid="$RUNAS" --clear-groups \
		"$CMD" -f "$CONF" "--status${1:-}" 2>/dev/null)
	STRC=$?
}

publish() { # ACCOUNT SERIAL [EXPIRES] < lines
	sign_doc "$W/signer" "$WWW/v1/accounts/$1" "$1" "$2" "${3:-$FUTURE}"
}

has_key() { grep -qF "$(key_of "$W/$1.pub")" <<<"$OUT"; }
lines() { [ -z "$OUT" ] && echo 0 || wc -l <<<"$OUT"; }
reqs() { count_requests "$W/access.log" "/v1/accounts/$1"; }
