#!/bin/bash
# authkeys-publish: output verifies with stock ssh-keygen -Y verify and with
# the command; bad sources change nothing; serials only go up.

. "$(dirname "$0")/../lib.sh"
reexec_in_mount_ns "$@"
store_setup

# pub [ARGS]: publish $SRC into the store; sets POUT, PRC.
pub() {
	POUT=$("$PUB" -k "$W/signer" -s "$SRC" -o "$WWW" "$@" 2>&1)
	PRC=$?
}
serial_of() { sed -n 's/^#serial //p' "$1"; }
expires_of() { sed -n 's/^#expires //p' "$1"; }
# expires_near OFFSET: the deploy document expires OFFSET from now (+-3 s).
expires_near() {
	local got want
	got=$(date -u -d "$(expires_of "$WWW/v1/accounts/deploy")" +%s)
	want=$(date -u -d "$1" +%s)
	[ $((got - want)) -le 3 ] && [ $((want - got)) -le 3 ]
}
verify() { # FILE NS: stock ssh-keygen -Y verify of a published document
	ssh-keygen -Y verify -f "$W/allowed_signers" -I signer@test -n "$2" \
		-s <(sed -n '/^-----BEGIN SSH SIGNATURE-----$/,$p' "$1") \
		< <(sed '/^-----BEGIN SSH SIGNATURE-----$/,$d' "$1") >/dev/null 2>&1
}

new_case
conf "revocation_url = $STORE/v1/revoked"
conf "refresh_after = 0"
cat user1.pub user2.pub > "$SRC/accounts/deploy"
printf '# the CI runner\nno-pty %s\n' "$(cat user3.pub)" > "$SRC/accounts/octo"
pub
check "publish: exit 0" test "$PRC" = 0
check "publish: account documents and revocation list written" \
	test -f "$WWW/v1/accounts/deploy" -a -f "$WWW/v1/accounts/octo" -a -f "$WWW/v1/revoked"
check "stock ssh-keygen -Y verify accepts the account document" verify "$WWW/v1/accounts/deploy" authkeys
check "stock ssh-keygen -Y verify accepts the revocation list" verify "$WWW/v1/revoked" authkeys
check "stock ssh-keygen -Y verify refuses another namespace" eval '! verify "$WWW/v1/accounts/deploy" git'
check "default validity is 7 days" expires_near "+7 days"
run deploy
check "the command accepts what publish wrote" eval 'has_key user1 && has_key user2'
run octo
check "comments kept, options kept" grep -qxF "no-pty $(cat user3.pub)" <<<"$OUT"
check "published files are world-readable, not writable" \
	test "$(stat -c %a "$WWW/v1/accounts/deploy")" = 644
s1=$(serial_of "$WWW/v1/accounts/deploy")

pub
s2=$(serial_of "$WWW/v1/accounts/deploy")
check "serial always higher than the last published (same second too)" test "$s2" -gt "$s1"
check "every document of one run shares the serial" \
	test "$(serial_of "$WWW/v1/revoked")" = "$s2"

before=$(cd "$WWW" && find . -type f | sort | xargs sha256sum)
echo "ssh-ed25519 AAAAnotbase64!! broken" >> "$SRC/accounts/octo"
pub
check "invalid key line: refused, exit non-zero" test "$PRC" != 0
check "invalid key line: file:line and reason" grep -q "accounts/octo:3: invalid public key" <<<"$POUT"
after=$(cd "$WWW" && find . -type f | sort | xargs sha256sum)
check "invalid source: nothing in OUTPUT_DIR changed" test "$before" = "$after"
check "invalid source: no staging left behind" test -z "$(ls -A "$WWW" | grep staging)"
sed -i '$d' "$SRC/accounts/octo"

for bad in "permitopen=\"x:1\" $(cat user1.pub)|key option not allowed" \
	"$(cat rsa2048.pub)|rejected by key policy" \
	"ssh-dss AAAAB3NzaC1kc3M= x|key type not allowed" \
	"$(printf 'ssh-ed25519 %s a\x01b' "$(cut -d' ' -f2 user1.pub)")|control character"; do
	echo "${bad%|*}" > "$SRC/accounts/bad1"
	pub
	grep -q "accounts/bad1:1: ${bad#*|}" <<<"$POUT" || not_ok "policy on source: ${bad#*|}" "$POUT"
done
ok "source lines checked with the command's parser and policy"
rm -f "$SRC/accounts/bad1"

cat user1.pub > "$SRC/accounts/Bad.Name"
pub
check "invalid account file name refused" eval 'test "$PRC" != 0 && grep -q "not a valid account name" <<<"$POUT"'
rm -f "$SRC/accounts/Bad.Name"

echo "SHA256:notafingerprint" > "$SRC/revoked"
pub
check "invalid revoked line refused with file:line" grep -q "revoked:1:" <<<"$POUT"
{ fpr_of user1.pub; cat user2.pub; } > "$SRC/revoked"
pub
run deploy
check "revoked (fingerprint and key line) published and applied" \
	eval 'test "$PRC" = 0 && ! has_key user1 && ! has_key user2'
rm -f "$SRC/revoked"

rm -f "$SRC/accounts/octo"
pub
check "removed account: signed empty document, not a stale file" \
	eval 'verify "$WWW/v1/accounts/octo" authkeys && ! grep -q "^ssh-" "$WWW/v1/accounts/octo"'
new_case
conf "refresh_after = 0"
cat user1.pub > "$SRC/accounts/deploy"
pub
run octo
check "removed account: the command prints nothing" test -z "$OUT" -a "$RC" = 0

# Same-size documents published back to back: the ETag (mtime + size in
# nginx) must change every time, or If-None-Match would keep the old one.
bad=0
for i in 1 2 3 4 5 6; do
	if [ $((i % 2)) = 0 ]; then k=user1; else k=user2; fi
	cat "$k.pub" > "$SRC/accounts/deploy"
	pub
	run deploy
	has_key "$k" || bad=$((bad + 1))
done
check "back-to-back publishes of same-size documents are all seen (ETag changes)" test "$bad" = 0

pub --valid 90m
check "--valid 90m" expires_near "+90 minutes"
pub --valid 2h
check "--valid 2h" expires_near "+2 hours"
pub --valid 30s
check "--valid 30s" expires_near "+30 seconds"
pub --valid 1d
check "--valid 1d" expires_near "+1 day"
pub --valid 3w
check "bad duration refused" test "$PRC" = 2

eval "$(ssh-agent -s)" >/dev/null
EXTRA_CLEANUP="kill $SSH_AGENT_PID"
ssh-keygen -q -t ecdsa -b 384 -N '' -C agentkey -f "$W/agentkey"
ssh-add -q "$W/agentkey" 2>/dev/null
mv "$W/agentkey" "$W/agentkey.private"
echo "agent@test $(key_of agentkey.pub)" >> "$W/allowed_signers"
POUT=$("$PUB" -k "$W/agentkey.pub" -s "$SRC" -o "$WWW" 2>&1)
PRC=$?
check "signing with a key held in ssh-agent (given by its .pub)" test "$PRC" = 0
run deploy
check "agent-signed (ECDSA P-384) document accepted by the command" has_key user1

summary
