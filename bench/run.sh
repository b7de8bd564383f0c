#!/bin/bash
# Cache-hit cost of authkeys-command beside cat(1) of the same lines, in one
# hyperfine run (sshd runs the command twice per login), with per-document
# polling and under a view (timestamp_url: each document held to the cached
# snapshot). Also the cold path (fetch + verify) against a file:// store.
# Needs root, hyperfine, ssh-keygen.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/lib.sh"
. "$TOP/bench/lib.sh"
KEYS=${KEYS:-10}
bench_init
bench_deploy "$KEYS"
# The same keys from a store with snapshot and timestamp.
mkdir -p "$W/src/accounts" "$W/vcache"
for i in $(seq 1 "$KEYS"); do
	cat "$W/k$i.pub"
done > "$W/src/accounts/deploy"
"$TOP/build/bin/authkeys-publish" -k "$W/signer" -s "$W/src" -o "$W/www" \
	>/dev/null
sed -e "s|^url = .*|url = file://$W/www/v1/accounts/%u|" \
    -e "s|^cache_dir = .*|cache_dir = $W/vcache|" "$W/etc/authkeys.conf" \
	> "$W/etc/view.conf"
echo "timestamp_url = file://$W/www/v1/timestamp" >> "$W/etc/view.conf"
"$CMD" -f "$W/etc/view.conf" deploy | cmp -s - "$W/lines" ||
	{ echo "under a view the command printed other lines"; exit 1; }
FPR=$(fpr_of "$W/k1.pub")
echo "# $KEYS keys, $(wc -c < "$W/lines") bytes printed; $(nproc) cores"
hyperfine -N --warmup 50 --runs "${RUNS:-1000}" --export-markdown "$W/hit.md" \
	-n "cat (same lines)" "cat $W/lines" \
	-n "authkeys-command (cache hit)" "$CMD -f $W/etc/authkeys.conf deploy" \
	-n "authkeys-command (cache hit, fingerprint)" \
	"$CMD -f $W/etc/authkeys.conf deploy $FPR" \
	-n "authkeys-command (cache hit, view)" \
	"$CMD -f $W/etc/view.conf deploy" \
	-n "authkeys-command (cache hit, view, fingerprint)" \
	"$CMD -f $W/etc/view.conf deploy $FPR"
cat "$W/hit.md"
sed -i 's/^refresh_after = .*/refresh_after = 0/' "$W/etc/authkeys.conf"
hyperfine -N --warmup 5 --runs "${COLD_RUNS:-100}" --export-markdown "$W/cold.md" \
	-n "authkeys-command (revalidate: exec helper, verify, write cache)" \
	"$CMD -f $W/etc/authkeys.conf deploy"
cat "$W/cold.md"
if command -v valgrind >/dev/null; then
	echo "# instructions (callgrind, user space incl. dynamic loading; repeatable)"
	sed -i 's/^refresh_after = .*/refresh_after = 86400/' "$W/etc/authkeys.conf"
	while IFS='|' read -r label c; do
		# shellcheck disable=SC2086
		valgrind --tool=callgrind --callgrind-out-file=/dev/null $c \
			2>&1 >/dev/null | sed -n "s|.*Collected : |  $label: |p"
	done <<RUNS
cat|cat $W/lines
authkeys-command, fingerprint|$CMD -f $W/etc/authkeys.conf deploy $FPR
authkeys-command, view, fingerprint|$CMD -f $W/etc/view.conf deploy $FPR
RUNS
fi
