# The shell suites' prologue: the helpers (tests/lib/tap.sh, store.sh,
# sshd.sh, which only define functions) and a fresh TAP count. Sourced by
# bash scripts run as root; the demo and benches source it too.
set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$TOP/tests/lib/tap.sh"
. "$TOP/tests/lib/store.sh"
. "$TOP/tests/lib/sshd.sh"
tap_init
