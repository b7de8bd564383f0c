#!/bin/bash
# The cache hit sshd makes (authkeys-command ACCOUNT %f) on large documents
# (2,001 and 20,001 keys), side by side with cat of the one line it prints,
# in one hyperfine run per size. Keys are synthetic ed25519 public keys.
# Needs root, hyperfine, python3.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/lib.sh"
. "$TOP/bench/lib.sh"
bench_init
ssh-keygen -q -t ed25519 -N '' -C wanted -f "$W/wanted"
for n in ${SIZES:-2001 20001}; do
	mkdir -p "$W/$n/store" "$W/$n/cache" "$W/$n/etc"
	python3 - "$n" > "$W/$n/keys" <<'PY'
import base64, os, struct, sys
t = b"ssh-ed25519"
for i in range(int(sys.argv[1]) - 1):
    blob = struct.pack(">I", len(t)) + t + struct.pack(">I", 32) + os.urandom(32)
    print("ssh-ed25519", base64.b64encode(blob).decode(), f"key{i}")
PY
	# The wanted key in the middle.
	{ head -n $((n / 2)) "$W/$n/keys"; cat "$W/wanted.pub"; tail -n +$((n / 2 + 1)) "$W/$n/keys"; } |
		sign_doc "$W/signer" "$W/$n/store/deploy" deploy 1 "$(rfc3339 '+1 day')"
	cat > "$W/$n/etc/authkeys.conf" <<CONF
url = file://$W/$n/store/%u
trusted_signers = $W/allowed_signers
cache_dir = $W/$n/cache
accounts = deploy
refresh_after = 86400
CONF
	"$CMD" -f "$W/$n/etc/authkeys.conf" deploy > /dev/null
	FPR=$(fpr_of "$W/wanted.pub")
	"$CMD" -f "$W/$n/etc/authkeys.conf" deploy "$FPR" > "$W/$n/line"
	[ "$(wc -l < "$W/$n/line")" = 1 ] || { echo "no line for $FPR"; exit 1; }
	echo "# $n keys ($(wc -c < "$W/$n/store/deploy") bytes), %f cache hit vs cat of the one line"
	hyperfine -N --warmup 20 --runs "${RUNS:-300}" --export-markdown "$W/$n.md" \
		-n "cat (the one line)" "cat $W/$n/line" \
		-n "authkeys-command deploy %f" "$CMD -f $W/$n/etc/authkeys.conf deploy $FPR" >/dev/null
	cat "$W/$n.md"
done
