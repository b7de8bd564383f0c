#!/bin/bash
# chain_command's cost: an account authkeys does not manage, answered by a
# chained AuthorizedKeysCommand (a stand-in printing three key lines, one
# of them revoked), side by side with running that tool on its own, which
# is what sshd would run without authkeys. Ours adds the verified
# revocation list from the cache and the keyset decision on every line.
# Needs root, hyperfine.
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/lib.sh"
. "$TOP/bench/lib.sh"
bench_init
mkdir -p "$W/store" "$W/cache" "$W/etc" "$W/chain"
for k in k1 k2 k3; do ssh-keygen -q -t ed25519 -N '' -C "$k" -f "$W/$k"; done
fpr_of "$W/k2.pub" | sign_doc "$W/signer" "$W/store/revoked" - 1 "$(rfc3339 '+1 day')"
{ echo '#!/bin/sh'; for k in k1 k2 k3; do echo "echo '$(cat "$W/$k.pub")'"; done; } > "$W/chain/tool"
chmod 755 "$W/chain/tool"
cat > "$W/etc/authkeys.conf" <<CONF
url = file://$W/store/%u
revocation_url = file://$W/store/revoked
trusted_signers = $W/allowed_signers
cache_dir = $W/cache
accounts = deploy
refresh_after = 86400
chain_command = $W/chain/tool %u
CONF
# The list verified once into the cache, as the refresher keeps it.
"$CMD" -f "$W/etc/authkeys.conf" sssduser > "$W/out"
[ "$(wc -l < "$W/out")" = 2 ] || { echo "expected 2 lines (k2 revoked)"; cat "$W/out"; exit 1; }
echo "# chained lookup (3 lines, 1 revoked) vs the chained tool alone"
hyperfine -N --warmup 20 --runs "${RUNS:-300}" --export-markdown "$W/chain.md" \
	-n "the chained tool alone" "$W/chain/tool sssduser" \
	-n "authkeys-command (chain_command, list from the cache)" \
	"$CMD -f $W/etc/authkeys.conf sssduser" >/dev/null
cat "$W/chain.md"
