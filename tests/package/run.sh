#!/bin/bash
# The Debian packages: build with dpkg-buildpackage -b -us -uc from a copy of
# the tracked tree, lintian reports no errors, install them for real, check
# what a sysadmin gets, then purge. Needs root.

. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" -eq 0 ] || { echo "package tests need root"; exit 1; }
P=$(mktemp -d /run/ak-pkg.XXXXXX)
trap 'dpkg --purge libpam-authkeys authkeys >/dev/null 2>&1; rm -rf "$P"' EXIT
mkdir "$P/authkeys-0.1.0"
(cd "$TOP" && git ls-files -z | tar --null -T - -cf -) | tar -C "$P/authkeys-0.1.0" -xf -

(cd "$P/authkeys-0.1.0" && dpkg-buildpackage -b -us -uc) > "$P/build.log" 2>&1
check "dpkg-buildpackage -b -us -uc builds" test -f "$P/authkeys_0.1.0_$(dpkg --print-architecture).deb"
check "two binary packages: authkeys and libpam-authkeys" \
	test -f "$P/libpam-authkeys_0.1.0_$(dpkg --print-architecture).deb"
lintian --fail-on error "$P"/authkeys_0.1.0_*.changes > "$P/lintian.log" 2>&1
check "lintian reports no errors" eval '! grep -q "^E:" "$P/lintian.log"'
note "lintian: $(grep -c '^W:' "$P/lintian.log") warnings"

dpkg -i "$P"/authkeys_0.1.0_*.deb "$P"/libpam-authkeys_0.1.0_*.deb > "$P/install.log" 2>&1
check "packages install" test "$(dpkg-query -W -f='${Status}' authkeys 2>/dev/null)" = "install ok installed"
check "_authkeys system user created" eval 'getent passwd _authkeys | grep -q nologin'
check "/var/cache/authkeys owned by _authkeys, 0700" \
	test "$(stat -c '%U %a' /var/cache/authkeys)" = "_authkeys 700"
check "/var/cache/pam_authkeys (the module's own) root's, 0700" \
	test "$(stat -c '%U %a' /var/cache/pam_authkeys)" = "root 700"
check "/etc/authkeys/authkeys.conf is a conffile" \
	eval 'dpkg-query -W -f="\${Conffiles}" authkeys | grep -q /etc/authkeys/authkeys.conf'
check "command, helper and publish installed" test -x /usr/sbin/authkeys-command -a \
	-x /usr/libexec/authkeys/authkeys-fetch -a -x /usr/bin/authkeys-publish
check "libpam-authkeys ships net.so beside the module (root's, 0644), the module links no libcurl" \
	eval 'f=$(ls /lib/*/security/authkeys/net.so 2>/dev/null | head -1); [ -n "$f" ] && [ "$(stat -c %U:%a "$f")" = root:644 ] && ! ldd "$(dirname "$(dirname "$f")")/pam_authkeys.so" | grep -q libcurl'
check "PAM module in the multiarch security dir" \
	test -f "/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/security/pam_authkeys.so"
# From the .debs themselves: some images path-exclude /usr/share/man.
check "man pages shipped" eval '[ "$(for d in "$P"/*authkeys_0.1.0_*.deb; do dpkg-deb -c "$d"; done | grep -cE "man/man[158]/(authkeys-command.8|authkeys-publish.1|pam_authkeys.8|authkeys-refresh.8|authkeys-sweep.8|authkeys.conf.5).gz")" = 6 ]'
check "the CDN and onboarding guides shipped in /usr/share/doc/authkeys" \
	eval 'ls /usr/share/doc/authkeys/cdn.md* /usr/share/doc/authkeys/onboarding.md* >/dev/null 2>&1'
check "an empty KRL exists from install on (sshd's RevokedKeys), root's" \
	eval 'ssh-keygen -Q -l -f /var/lib/authkeys/revoked_keys | grep -q "^# KRL version 0$" &&
	[ "$(stat -c "%U %a" /var/lib/authkeys/revoked_keys)" = "root 644" ]'
check "the shipped drop-in sets the global RevokedKeys to it" \
	eval 'grep -qx "RevokedKeys /var/lib/authkeys/revoked_keys" /usr/share/doc/authkeys/examples/sshd_config.d/authkeys.conf &&
	[ "$(grep -n "^RevokedKeys" /usr/share/doc/authkeys/examples/sshd_config.d/authkeys.conf | cut -d: -f1)" -lt "$(grep -n "^Match" /usr/share/doc/authkeys/examples/sshd_config.d/authkeys.conf | cut -d: -f1)" ]'
check "the packaged config keeps the KRL there" \
	grep -qx "revoked_keys_file = /var/lib/authkeys/revoked_keys" /etc/authkeys/authkeys.conf
for u in authkeys-sweep.service authkeys-sweep.path authkeys-sweep.timer; do
	check "$u installed and passes systemd-analyze verify" \
		eval 'systemd-analyze verify --man=no /lib/systemd/system/$u > "$P/verify.log" 2>&1 && [ ! -s "$P/verify.log" ]'
done
check "authkeys-sweep.path enabled by the package" \
	test -L /etc/systemd/system/paths.target.wants/authkeys-sweep.path
check "authkeys-sweep.timer enabled by the package: every 5 minutes besides the path unit" \
	eval 'test -L /etc/systemd/system/timers.target.wants/authkeys-sweep.timer &&
	grep -qx "OnUnitActiveSec=5min" /lib/systemd/system/authkeys-sweep.timer'
check "the sweep may write cgroup files (cgroup.freeze, cgroup.kill)" \
	eval '! grep -q "^ProtectControlGroups=yes" /lib/systemd/system/authkeys-sweep.service'
check "/var/lib/authkeys (the KRL's) root's, 0755" \
	test "$(stat -c '%U %a' /var/lib/authkeys)" = "root 755"
check "authkeys-sweep.service runs at boot, before sshd (the KRL exists)" \
	eval 'test -L /etc/systemd/system/multi-user.target.wants/authkeys-sweep.service &&
	grep -qx "Before=ssh.service" /lib/systemd/system/authkeys-sweep.service'
check "the sweep may write the KRL's directory, the refresher may not" \
	eval 'grep -q "^ReadWritePaths=.*/var/lib/authkeys" /lib/systemd/system/authkeys-sweep.service &&
	! grep -q "^ReadWritePaths=.*/var/lib/authkeys" /lib/systemd/system/authkeys-refresh.service'
check "a configuration change runs the sweep (the KRL as soon as configured)" \
	grep -qx "PathChanged=/etc/authkeys/authkeys.conf" /lib/systemd/system/authkeys-sweep.path
U=/lib/systemd/system/authkeys-refresh.service
check "authkeys-refresh.service installed, ExecStart the packaged binary" \
	eval 'grep -qx "ExecStart=/usr/sbin/authkeys-refresh" "$U" && [ -x /usr/sbin/authkeys-refresh ]'
check "authkeys-refresh.service enabled by the package" \
	test -L /etc/systemd/system/multi-user.target.wants/authkeys-refresh.service
check "authkeys-refresh.service passes systemd-analyze verify" \
	eval 'systemd-analyze verify --man=no "$U" > "$P/verify.log" 2>&1 && [ ! -s "$P/verify.log" ]'
check "the unit is hardened (User=_authkeys, ProtectSystem=strict, no capabilities)" \
	eval 'grep -qx "User=_authkeys" "$U" && grep -qx "ProtectSystem=strict" "$U" &&
	grep -qx "CapabilityBoundingSet=" "$U" && grep -qx "NoNewPrivileges=yes" "$U" &&
	grep -qx "PrivateTmp=yes" "$U" && grep -qx "Restart=on-failure" "$U"'
note "systemd-analyze security: $(systemd-analyze security --offline=true "$U" 2>/dev/null | tail -1)"
check "sshd and PAM examples shipped" test -f /usr/share/doc/authkeys/examples/sshd_config.d/authkeys.conf
check "no sshd_config was touched" eval '! grep -rqs authkeys /etc/ssh/sshd_config /etc/ssh/sshd_config.d/'
rep=$(/usr/sbin/authkeys-command --check 2>/dev/null)
check "--check on the installed package: paths as sshd wants them" \
	grep -q "^ok   command /usr/libexec/authkeys/../../sbin/authkeys-command" <<<"$rep"
check "--check: cache dir as the package made it" grep -q "^ok   cache_dir /var/cache/authkeys" <<<"$rep"
check "--check fails on the example config (no signers, no store)" \
	eval '! /usr/sbin/authkeys-command --check >/dev/null 2>&1'

# An upgrade from the old layout: the directory was _authkeys's, with a
# KRL it wrote (version 2^64-1, so every later list would be kept out).
chown _authkeys:_authkeys /var/lib/authkeys
chmod 0700 /var/lib/authkeys
ssh-keygen -q -k -z 18446744073709551615 -f /var/lib/authkeys/revoked_keys.x
chown _authkeys /var/lib/authkeys/revoked_keys.x
mv -f /var/lib/authkeys/revoked_keys.x /var/lib/authkeys/revoked_keys
dpkg -i "$P"/authkeys_0.1.0_*.deb > "$P/upgrade.log" 2>&1
check "upgrade: /var/lib/authkeys is root's again, 0755" \
	test "$(stat -c '%U %a' /var/lib/authkeys)" = "root 755"
check "upgrade: the KRL _authkeys wrote is replaced by root's" \
	eval '[ "$(stat -c %U /var/lib/authkeys/revoked_keys)" = root ] &&
	ssh-keygen -Q -l -f /var/lib/authkeys/revoked_keys | grep -q "^# KRL version 0$" &&
	grep -q "was not root.s own: replaced" "$P/upgrade.log"'

dpkg --purge libpam-authkeys authkeys > "$P/purge.log" 2>&1
check "purge removes config and caches" test ! -e /etc/authkeys/authkeys.conf -a ! -e /var/cache/authkeys -a ! -e /var/cache/pam_authkeys
summary
