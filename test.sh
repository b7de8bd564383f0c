#!/bin/sh
# The whole test suite on a fresh Debian 12 machine (root): dependencies,
# build with warnings as errors, then every layer: cmocka unit tests (the
# differential test of every reader among them), integration (nginx HTTPS
# store), PAM (real libpam), publish, end to end (real sshd + ssh), the
# same again under ASan+UBSan and valgrind, and a short libFuzzer run of
# every parser. Suites run two at a time (2 cores): each has its own mount
# namespace, store, syslog and sanitizer reports.
set -eu
cd "$(dirname "$0")"
./tools/install-deps.sh
make -j2 all
make -j2 check
./demo.sh > build/demo.log 2>&1 || { cat build/demo.log; echo "demo.sh failed"; exit 1; }
echo "demo.sh: the README's demo ran"
make package-check
make -j2 sanitize-check
make -j2 valgrind-check
make -j2 fuzz-check FUZZ_SECONDS="${FUZZ_SECONDS:-15}"
make lint
echo "test.sh: all suites passed"
