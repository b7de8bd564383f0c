#!/bin/sh
# The whole test suite on a fresh Debian 12 machine (root): dependencies,
# build with warnings as errors, then every layer: cmocka unit tests (the
# differential test of every reader among them), integration (nginx HTTPS
# store), PAM (real libpam), publish, end to end (real sshd + ssh),
# sessions, CDN, fleet, docs, each under ASan+UBSan; unit, integration
# and PAM again under valgrind on the release build; the README's demo and
# the Debian package on the release build; a short libFuzzer run of every
# parser; lint. Suites run two at a time (make -j2; -j3 drove the load to
# 19 and timeouts measured under it ran 4x long), never two runs of one
# suite at once (each takes /run/ak-suite-NAME.lock).
#
#   ./test.sh --full   also runs every suite on the release build without a
#                      checker (make check) and fuzzes 15 s per parser.
set -eu
cd "$(dirname "$0")"
T0=$(date +%s)
# stage NAME CMD...: runs it, then says how long it took (and in all).
stage() {
	s=$(date +%s)
	name=$1
	shift
	"$@"
	echo "test.sh: $name took $(( $(date +%s) - s )) s ($(( $(date +%s) - T0 )) s in all)"
}
FULL=
[ "${1:-}" = --full ] && FULL=1
stage deps ./tools/install-deps.sh
stage build make -j2 all test-tools
[ -z "$FULL" ] || stage check make -j2 check
stage suites make -j2 ci-check
s=$(date +%s)
./demo.sh > build/demo.log 2>&1 || { cat build/demo.log; echo "demo.sh failed"; exit 1; }
echo "test.sh: demo.sh ran the README's demo in $(( $(date +%s) - s )) s"
stage package make package-check
[ -n "$FULL" ] && FUZZ_SECONDS=${FUZZ_SECONDS:-15}
stage fuzz make -j2 fuzz-check FUZZ_SECONDS="${FUZZ_SECONDS:-5}"
stage lint make lint
echo "test.sh: all suites passed in $(( $(date +%s) - T0 )) s"
