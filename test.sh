#!/bin/sh
# The whole test suite on a fresh Debian 12 machine (root): dependencies,
# build with warnings as errors, unit, integration and end-to-end tests.
set -eu
cd "$(dirname "$0")"
./tools/install-deps.sh
make -j2 all
make check
