# A real sshd on 127.0.0.1 with Debian's PAM stack and our module, and real
# ssh logins. Functions only; needs store.sh's store_setup first.
# sshd_setup CONF: a copy of /usr/sbin/sshd named sshd-ak-PID (so its PAM
# service is /etc/pam.d/sshd-ak-PID, ours), on 127.0.0.1:$SPORT, with the
# conf/sshd_config.d drop-in for deploy and octo and the PAM module in the
# session stack. Local users deploy and octo are made if missing.
sshd_setup() {
	local conf=$1 name=sshd-ak-$$
	for u in deploy octo; do
		ensure_user "$u"
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
	# RevokedKeys: root's KRL in a directory only root can write (the
	# packages' /var/lib/authkeys), empty to start with.
	mkdir -p "$W/krl"
	[ -e "$W/krl/revoked_keys" ] || ssh-keygen -q -k -f "$W/krl/revoked_keys"
	chown -R root:root "$W/krl"
	chmod 755 "$W/krl"
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
	EXTRA_CLEANUP="${EXTRA_CLEANUP:+$EXTRA_CLEANUP; }sshd_stop; rm -f $PAMSVC"
	sshd_start
}

# sshd_start: (re)starts this run's sshd with its config as it is now.
sshd_start() {
	"$SSHD" -t -f "$W/sshd_config" || { echo "sshd config invalid"; exit 1; }
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

# session_members SID: how many processes (not zombies) carry that audit
# session id (/proc/PID/sessionid): what is left of a login.
session_members() {
	local f st n=0
	for f in $(grep -lx "$1" /proc/[0-9]*/sessionid 2>/dev/null); do
		st=$(sed 's/.*) //' "${f%/sessionid}/stat" 2>/dev/null | cut -d' ' -f1)
		[ -n "$st" ] && [ "$st" != Z ] && n=$((n + 1))
	done
	echo "$n"
}
