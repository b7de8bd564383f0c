#!/bin/bash
# What the root of trust costs (issue 27), one run, side by side: the
# cache hit (full print and %f, as sshd's command user) and the PAM module
# per login (real libpam, verified cache) with trusted_signers (documents
# signed once) beside a 2-of-3 trusted_root (every document signed by two
# keys), and after a rotation through the store (root 2 taken by the
# refresher, recorded in the caches); then authkeys-publish of 10,000
# accounts signed by 1, 2 and 3 keys. Needs root, hyperfine.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/lib.sh"
reexec_in_mount_ns "$@"
store_setup >/dev/null
DRIVER=$TOP/build/tests/pam_driver
RUNS=${RUNS:-200}
new_case
conf "revocation_url = $STORE/v1/revoked"
conf "refresh_after = 3600"
for k in r1 r2 r3 d1 d2 d3 t1; do
	ssh-keygen -q -t ed25519 -N '' -C "$k" -f "$W/$k"
done
cat user1.pub user2.pub > "$SRC/accounts/deploy"
: > "$SRC/revoked"
mkdir -p "$C/pam.d"
{ echo "session required $PAMMOD config=$CONF"; echo "session required pam_permit.so"; } > "$C/pam.d/ak"
INFO="publickey $(key_of user1.pub)"
F=$(fpr_of user1.pub)
AS="setpriv --reuid=$RUNAS --regid=$RUNAS --clear-groups"

# phase NAME: warms the caches, then one hyperfine run of the three.
phase() {
	run deploy
	[ -n "$OUT" ] || { echo "$1: nothing printed: $ERR"; exit 1; }
	"$DRIVER" "$C/pam.d" ak deploy session "$INFO" | grep -q "rc=PAM_SUCCESS" ||
		{ echo "$1: module denied"; exit 1; }
	hyperfine -N --warmup 10 --runs "$RUNS" --export-markdown "$W/$1.md" \
		-n "$1: cache hit, full print" "$AS $CMD -f $CONF deploy" \
		-n "$1: cache hit, %f" "$AS $CMD -f $CONF deploy $F" \
		-n "$1: module per login" "$DRIVER $C/pam.d ak deploy session '$INFO'" \
		>/dev/null 2>&1
	tail -n +3 "$W/$1.md"
}

echo "| | mean | min |"
echo "| --- | ---: | ---: |"
"$PUB" -k "$W/signer" -s "$SRC" -o "$WWW" >/dev/null
phase "trusted_signers (1 signature)" | awk -F'|' '{print "|" $2 "|" $3 "|" $4 "|"}'

roles "$W/roles1" "root:2:r1 r2 r3" "documents:2:d1 d2 d3" "timestamp:1:t1"
"$PUB" --root "$W/roles1" -k "$W/r1" -k "$W/r2" -o "$WWW" >/dev/null
install -m 644 "$WWW/v1/root" "$C/etc/root"
sed -i '/^trusted_signers = /d' "$CONF"
conf "trusted_root = $C/etc/root"
"$PUB" -s "$SRC" -o "$WWW" -k "$W/d1" -k "$W/d2" >/dev/null
rm -f "$C"/cache/* "$C"/modcache/* 2>/dev/null
phase "trusted_root 2 of 3" | awk -F'|' '{print "|" $2 "|" $3 "|" $4 "|"}'

roles "$W/roles2" "root:2:r1 r2 r3" "documents:2:d1 d2 d3" "timestamp:1:t1"
"$PUB" --root "$W/roles2" -k "$W/r1" -k "$W/r3" -o "$WWW" >/dev/null
refresh_once
grep -q "root 2 taken" <<<"$RROUT" || { echo "root 2 not taken: $RROUT"; exit 1; }
phase "root 2 of 3, rotated to 2" | awk -F'|' '{print "|" $2 "|" $3 "|" $4 "|"}'

# Publish at fleet scale: 10,000 accounts of one key each, 1, 2, 3 signers.
S=$W/big
mkdir -p "$S/accounts"
ssh-keygen -q -t ed25519 -N '' -f "$W/one"
for i in $(seq 1 10000); do cp "$W/one.pub" "$S/accounts/svc$i"; done
: > "$S/revoked"
echo
echo "| publish, 10,000 accounts | mean |"
echo "| --- | ---: |"
for ks in "d1" "d1 d2" "d1 d2 d3"; do
	args=""
	for k in $ks; do args="$args -k $W/$k"; done
	rm -rf "$W/out"
	s=$(date +%s%N)
	# shellcheck disable=SC2086
	"$PUB" -s "$S" -o "$W/out" $args >/dev/null || exit 1
	echo "| $(wc -w <<<"$ks") signing key(s) | $(( ($(date +%s%N) - s) / 1000000 )) ms |"
done
