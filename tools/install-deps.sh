#!/bin/sh
# Installs what authkeys needs to build, test and run its demo on Debian 12.
# Skips packages that are already installed. Run as root.
set -eu
PKGS="build-essential pkg-config libcurl4-openssl-dev libssl-dev libpam0g-dev
libcmocka-dev nginx-light openssh-server
openssh-client openssl hyperfine valgrind time clang clang-format cppcheck
util-linux procps man-db debhelper dpkg-dev fakeroot lintian putty-tools
systemd tmux python3 varnish curl iproute2
google-compute-engine-oslogin at cron perl strace"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	# Debian's nginx and ssh services are not ours to start: the tests run
	# their own on 127.0.0.1. policy-rc.d keeps the packages from starting.
	added_policy=
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		added_policy=1
		trap 'rm -f /usr/sbin/policy-rc.d' EXIT
	fi
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
	[ -n "$added_policy" ] && rm -f /usr/sbin/policy-rc.d
fi
# The Debian nginx and ssh services are not ours to run; tests start their own.
for s in nginx ssh varnish; do
	if command -v systemctl >/dev/null && systemctl is-active -q "$s" 2>/dev/null; then
		systemctl stop "$s" || true
	fi
done
exit 0
