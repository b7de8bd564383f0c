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

# Sanitizer and valgrind reports land in $AK_REPORTS (make sanitize-check,
# make valgrind-check); any report fails the suite.
AK_REPORTS=/run/ak-reports
mkdir -p "$AK_REPORTS"
chmod 1777 "$AK_REPORTS"
export ASAN_OPTIONS="log_path=$AK_REPORTS/asan:detect_leaks=1:abort_on_error=0"
export UBSAN_OPTIONS="log_path=$AK_REPORTS/ubsan:print_stacktrace=1:halt_on_error=1"
# Extra milliseconds allowed in timing checks when every run is slowed down.
SLACK=0
[ -n "${AK_WRAP:-}" ] && SLACK=4000

reports_clean() {
	local f bad=0
	for f in "$AK_REPORTS"/asan* "$AK_REPORTS"/ubsan*; do
		[ -e "$f" ] || continue
		echo "# sanitizer report $f:"; sed 's/^/#   /' "$f" | head -40
		bad=1
	done
	for f in "$AK_REPORTS"/vg.*; do
		[ -e "$f" ] || continue
		if grep -qE "ERROR SUMMARY: [1-9]|definitely lost: [1-9]" "$f"; then
			echo "# valgrind report $f:"; sed 's/^/#   /' "$f" | head -60
			bad=1
		fi
	done
	rm -f "$AK_REPORTS"/asan* "$AK_REPORTS"/ubsan* "$AK_REPORTS"/vg.*
	return $bad
}

summary() {
	check "no sanitizer or valgrind reports" reports_clean
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
	log_format ak '\$remote_addr [\$time_local] "\$request" \$status \$body_bytes_sent conn=\$connection reqs=\$connection_requests';
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
	if [ -e "$out" ] && [ "$(stat -c %Y "$out")" -ge "$(stat -c %Y "$tmp")" ]; then
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

# --- a whole test store ---------------------------------------------------
# store_setup: as root, makes the unprivileged command user ($RUNAS), a work
# dir $W (under /run: sshd refuses paths others can write), installs the
# build into $W/inst ($CMD, $PUB; publish sources in $SRC), starts nginx HTTPS ($STORE, files in $WWW), a hanging
# listener ($BHPORT), a syslog sink ($LOG), and makes keys signer, stranger,
# user1..3, rsa2048, rsa3072 in $W.
store_setup() {
	[ "$(id -u)" -eq 0 ] || { echo "these tests need root"; exit 1; }
	RUNAS=akit
	id "$RUNAS" >/dev/null 2>&1 || useradd --system --no-create-home \
		--shell /usr/sbin/nologin "$RUNAS"
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

store_cleanup() {
	stop_nginx "$W"
	[ -n "$BH_PID" ] && kill "$BH_PID" 2>/dev/null
	[ -n "$LS_PID" ] && kill "$LS_PID" 2>/dev/null
	[ "${LOGSOCK:-}" = /dev/log ] && rm -f /dev/log
	[ -n "${EXTRA_CLEANUP:-}" ] && eval "$EXTRA_CLEANUP"
	mountpoint -q /dev/log 2>/dev/null && umount /dev/log
	cd /
	rm -rf "$W"
}

# start_logsink: syslog lines land in $LOG. Where no syslog socket exists we
# own /dev/log for the run; where one exists, the suite was re-executed in
# its own mount namespace (reexec_in_mount_ns) and we bind over it there.
start_logsink() {
	LOG=$W/syslog
	: > "$LOG"
	chmod 644 "$LOG"
	if [ -e /dev/log ]; then
		LOGSOCK=$W/log.sock
	else
		LOGSOCK=/dev/log
	fi
	"$TOP/build/tests/logsink" "$LOGSOCK" "$LOG" 1800 &
	LS_PID=$!
	for _ in $(seq 1 50); do [ -S "$LOGSOCK" ] && break; sleep 0.05; done
	if [ "$LOGSOCK" != /dev/log ]; then
		mount --bind "$LOGSOCK" /dev/log || { echo "cannot bind /dev/log"; exit 1; }
	fi
}

# Call first thing in a suite: a private mount namespace if /dev/log exists.
reexec_in_mount_ns() {
	if [ -e /dev/log ] && [ -z "${AK_IN_NS:-}" ]; then
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
	rm -f "$WWW/v1/revoked"
	rm -f "$WWW"/v1/accounts/*
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

# --- a real sshd ------------------------------------------------------------
# sshd_setup CONF: a copy of /usr/sbin/sshd named sshd-ak-PID (so its PAM
# service is /etc/pam.d/sshd-ak-PID, ours), on 127.0.0.1:$SPORT, with the
# conf/sshd_config.d drop-in for deploy and octo and the PAM module in the
# session stack. Local users deploy and octo are made if missing.
sshd_setup() {
	local conf=$1 name=sshd-ak-$$
	for u in deploy octo; do
		id "$u" >/dev/null 2>&1 || useradd -m -s /bin/sh "$u"
	done
	mkdir -p /run/sshd "$W/sbin" "$W/sshd_config.d"
	chmod 755 /run/sshd
	cp /usr/sbin/sshd "$W/sbin/$name"
	SSHD=$W/sbin/$name
	PAMSVC=/etc/pam.d/$name
	PAMCONF=$conf
	pam_stack first
	ssh-keygen -q -t ed25519 -N '' -f "$W/ssh_host_ed25519_key"
	SPORT=$(free_port)
	# The shipped drop-in, with this run's paths and user.
	# RevokedKeys: a KRL the command user may replace; empty to start with.
	mkdir -p "$W/krl"
	[ -e "$W/krl/revoked_keys" ] || ssh-keygen -q -k -f "$W/krl/revoked_keys"
	chown -R "$RUNAS" "$W/krl"
	chmod 700 "$W/krl"
	sed -e "s|^Match User .*|Match User deploy,octo|" \
	    -e "s|^RevokedKeys .*|RevokedKeys $W/krl/revoked_keys|" \
	    -e "s|/usr/sbin/authkeys-command|$CMD -f $conf|" \
	    -e "s|AuthorizedKeysCommandUser .*|AuthorizedKeysCommandUser $RUNAS|" \
	    "$TOP/conf/sshd_config.d/authkeys.conf" > "$W/sshd_config.d/authkeys.conf"
	cat > "$W/sshd_config" <<SSHDCONF
Port $SPORT
ListenAddress 127.0.0.1
HostKey $W/ssh_host_ed25519_key
PidFile $W/sshd.pid
UsePAM yes
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
AuthorizedKeysFile .ssh/authorized_keys
StrictModes yes
LogLevel VERBOSE
Include $W/sshd_config.d/*.conf
SSHDCONF
	"$SSHD" -t -f "$W/sshd_config" || { echo "sshd config invalid"; exit 1; }
	EXTRA_CLEANUP="${EXTRA_CLEANUP:+$EXTRA_CLEANUP; }sshd_stop; rm -f $PAMSVC"
	# AK_SSHD_ENV (make sanitize-check): the sanitizer runtimes preloaded,
	# so the stock sshd can load the ASan-built PAM module.
	# shellcheck disable=SC2086
	${AK_SSHD_ENV:-} "$SSHD" -D -e -f "$W/sshd_config" >/dev/null 2>>"$W/sshd.log" &
	SSHD_PID=$!
	for _ in $(seq 1 100); do
		(exec 3<>/dev/tcp/127.0.0.1/"$SPORT") 2>/dev/null && return 0
		sleep 0.05
	done
	echo "sshd did not start"; cat "$W/sshd.log"; exit 1
}

# pam_stack first|appended [ARGS]: $PAMSVC as Debian 12's own /etc/pam.d/sshd
# (real pam_env, pam_unix, pam_limits... around ours) with the module put
# where README says (first: the command README gives, before any session
# line) or where older READMEs said (appended: after pam_env
# user_readenv=1). Falls back to a minimal stack where there is no
# /etc/pam.d/sshd.
pam_stack() {
	local how=$1 extra=${2:-} line
	line=$(grep -v '^#' "$TOP/conf/pam.d/sshd-authkeys" | grep .)
	if [ ! -f /etc/pam.d/sshd ]; then
		{ echo "auth required pam_deny.so"; echo "account required pam_permit.so"
		  echo "$line"; } > "$PAMSVC"
	elif [ "$how" = first ]; then
		cp /etc/pam.d/sshd "$PAMSVC"
		# README, "Target host": the exact command given there.
		sed -i '0,/^session/s//session    required     pam_authkeys.so\n&/' "$PAMSVC"
	else
		{ cat /etc/pam.d/sshd; echo "$line"; } > "$PAMSVC"
	fi
	sed -i -e "s|pam_authkeys.so.*|$PAMMOD config=$PAMCONF${extra:+ $extra}|" "$PAMSVC"
}

sshd_stop() {
	[ -n "${SSHD_PID:-}" ] && kill "$SSHD_PID" 2>/dev/null
	SSHD_PID=
}

# login KEY USER: a real ssh login; sets SOUT and LRC (0 = ran the command).
login() {
	SOUT=$(ssh -F /dev/null -i "$W/$1" -o IdentitiesOnly=yes \
		-o BatchMode=yes -o StrictHostKeyChecking=no \
		-o UserKnownHostsFile=/dev/null -o ConnectTimeout=10 \
		-o LogLevel=ERROR -p "$SPORT" "$2@127.0.0.1" \
		'echo "LOGIN-OK $(id -un) $AUTHKEYS_FINGERPRINT"' 2>&1 </dev/null)
	LRC=$?
}
logged_in() { [ "$LRC" = 0 ] && grep -q "^LOGIN-OK $1 $(fpr_of "$W/$2.pub")\$" <<<"$SOUT"; }
refused() { [ "$LRC" != 0 ] && ! grep -q LOGIN-OK <<<"$SOUT"; }
