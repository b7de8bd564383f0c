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
e1=$(sha256sum < "$WWW/v1/accounts/deploy")

# issue 11: an unchanged account is not re-signed (serial and ETag stay,
# hosts get 304s) until its document nears #expires.
pub
check "unchanged source: nothing re-signed, file byte for byte the same" \
	eval '[ "$(sha256sum < "$WWW/v1/accounts/deploy")" = "$e1" ] && grep -q "nothing changed" <<<"$POUT"'
pub --resign-before 8d
check "--resign-before longer than what is left: re-signed" \
	test "$(serial_of "$WWW/v1/accounts/deploy")" -gt "$s1"
s1=$(serial_of "$WWW/v1/accounts/deploy")
echo "# a comment does not change the document" >> "$SRC/accounts/deploy"
pub
check "a comment line in the source changes nothing published" \
	test "$(serial_of "$WWW/v1/accounts/deploy")" = "$s1"
cat user1.pub > "$SRC/accounts/deploy"
pub
s2=$(serial_of "$WWW/v1/accounts/deploy")
check "serial always higher than the last published (same second too)" test "$s2" -gt "$s1"
check "only the changed document was re-signed" \
	eval 'grep -q "accounts/deploy serial" <<<"$POUT" && ! grep -q "accounts/octo serial" <<<"$POUT"'
cat user1.pub user2.pub > "$SRC/accounts/deploy"
pub --resign-before 8d
s2=$(serial_of "$WWW/v1/accounts/deploy")
check "every document of one run shares the serial" \
	test "$(serial_of "$WWW/v1/revoked")" = "$s2"

before=$(cd "$WWW" && find . -type f | sort | xargs sha256sum)
echo "ssh-ed25519 AAAAnotbase64!! broken" >> "$SRC/accounts/octo"
pub
check "invalid key line: refused, exit non-zero" test "$PRC" != 0
check "invalid key line: file:line and reason in words" grep -q "accounts/octo:3: the ssh-ed25519 key data (base64) is truncated or damaged" <<<"$POUT"
after=$(cd "$WWW" && find . -type f | sort | xargs sha256sum)
check "invalid source: nothing in OUTPUT_DIR changed" test "$before" = "$after"
check "invalid source: no staging left behind" test -z "$(ls -A "$WWW" | grep staging)"
sed -i '$d' "$SRC/accounts/octo"

for bad in "permitopen=\"x:1\" $(cat user1.pub)|option 'permitopen' is not allowed (see allowed_options)" \
	"$(cat rsa2048.pub)|RSA key of 2048 bits is smaller than min_rsa_bits (3072): make a new key" \
	"ssh-dss AAAAB3NzaC1kc3M= x|a DSA key (ssh-dss): not accepted" \
	"$(printf 'ssh-ed25519 %s a\x01b' "$(cut -d' ' -f2 user1.pub)")|a control character in the line"; do
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

pub --valid 90m --resign-before 3650d
check "--valid 90m" expires_near "+90 minutes"
pub --valid 2h --resign-before 3650d
check "--valid 2h" expires_near "+2 hours"
pub --valid 30s --resign-before 3650d
check "--valid 30s" expires_near "+30 seconds"
pub --valid 1d --resign-before 3650d
check "--valid 1d" expires_near "+1 day"
pub --valid 3w --resign-before 3650d
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

# --- issue 10: keys as users really make them ------------------------------
# RFC 4716 from ssh-keygen -e and from PuTTYgen's "Save public key" (real
# puttygen: 64 columns, quoted Comment), mixed with OpenSSH lines.
new_case
rm -rf "$SRC/accounts" "$SRC/revoked" && mkdir -p "$SRC/accounts"
ssh-keygen -q -t rsa -b 3072 -N '' -C "jenkins-2026" -f "$W/jenkins"
ssh-keygen -e -f "$W/jenkins.pub" > "$W/jenkins.rfc"
puttygen -t ed25519 -C "ed25519-key-20261125 octopus prod" -o "$W/octo.ppk" --new-passphrase /dev/null
puttygen "$W/octo.ppk" -O public -o "$W/octo.rfc"
puttygen "$W/octo.ppk" -O public-openssh -o "$W/octo.pub"
# A long Comment continued with a backslash, base64 re-wrapped at 50.
{
	echo "---- BEGIN SSH2 PUBLIC KEY ----"
	echo "Comment: \"a very long comment that PuTTYgen's user typed and \\"
	echo "that goes on\""
	echo "x-Private-Header: whatever"
	cut -d' ' -f2 user3.pub | fold -w 50
	echo "---- END SSH2 PUBLIC KEY ----"
} > "$W/user3.rfc"
{ cat "$W/jenkins.rfc"; cat user1.pub; printf '\r\n'; cat "$W/octo.rfc"; cat "$W/user3.rfc"; } > "$SRC/accounts/deploy"
pub
check "RFC 4716 (ssh-keygen -e, PuTTYgen) mixed with OpenSSH lines: published" test "$PRC" = 0
conf "refresh_after = 0"
run deploy
check "the command prints all four keys" \
	eval 'has_key user1 && has_key user3 && grep -qF "$(key_of jenkins.pub)" <<<"$OUT" && grep -qF "$(key_of octo.pub)" <<<"$OUT"'
check "RFC 4716 Comment: becomes the comment (PuTTYgen's)" \
	grep -q "$(key_of octo.pub) ed25519-key-20261125 octopus prod\$" "$WWW/v1/accounts/deploy"
check "continued quoted Comment joined" \
	grep -qF "$(key_of user3.pub) a very long comment that PuTTYgen's user typed and that goes on" "$WWW/v1/accounts/deploy"
check "published lines are OpenSSH lines (ssh-keygen -lf reads the body)" \
	eval '[ "$(sed -n "/^ssh-/p" "$WWW/v1/accounts/deploy" | ssh-keygen -lf - | wc -l)" = 4 ]'

# Private keys: refused loudly, naming the file, nothing published.
before=$(cd "$WWW" && find . -type f | sort | xargs sha256sum)
openssl genpkey -algorithm ed25519 -out "$W/pem.key" 2>/dev/null
ssh-keygen -q -t rsa -b 3072 -m PEM -N '' -f "$W/pemrsa"
for priv in "$W/jenkins|an OpenSSH private key" "$W/octo.ppk|a PuTTY private key (.ppk" \
	"$W/pemrsa|a PEM private key" "$W/pem.key|a PEM private key"; do
	cp "${priv%|*}" "$SRC/accounts/octo"
	pub
	after=$(cd "$WWW" && find . -type f | sort | xargs sha256sum)
	check "private key refused: ${priv#*|}, file named, nothing published" \
		eval '[ "$PRC" != 0 ] && grep -q "accounts/octo:1: this is ${priv#*|}.*must stay in the deployment tool" <<<"$POUT" && grep -q "nothing published" <<<"$POUT" && [ "$before" = "$after" ]'
done
rm -f "$SRC/accounts/octo"

# Refusals in words: truncated base64, unknown type, certificate, RSA size,
# and what differential fuzzing against ssh-keygen -lf found the line parser
# alone took: an ECDSA point off its curve, base64 without its padding.
EC_GOOD="ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBPOqgoNrEpe7U+74dmOv63D3qm+O5wwHnxMKjvRn7eT5JfnlolbNY+Y4Gg0TtvkU5Nm5g2d1Y8OFjmOGfjUN0CE="
EC_OFF_CURVE="${EC_GOOD%CE=}CA="
printf '%s\n' "$EC_GOOD" > "$SRC/accounts/bad1"
pub
check "a well-formed ECDSA key (the base of the next two refusals) is published" test "$PRC" = 0
ssh-keygen -q -t ed25519 -N '' -f "$W/ca"
ssh-keygen -q -s "$W/ca" -I cert -n deploy "$W/user2.pub" 2>/dev/null
for bad in "$(cut -c1-60 user1.pub)|the ssh-ed25519 key data (base64) is truncated or damaged" \
	"ssh-foo AAAAC3NzaC1lZDI1NTE5AAAAIB x|unknown key type 'ssh-foo'" \
	"$(cat "$W/user2-cert.pub")|an SSH certificate (ssh-ed25519-cert-v01@openssh.com): publish the plain public key" \
	"$(cat rsa2048.pub)|RSA key of 2048 bits is smaller than min_rsa_bits (3072)" \
	"---- BEGIN SSH2 PUBLIC KEY ----|RFC 4716 key without its" \
	"hello world|not a public key line" \
	"$EC_OFF_CURVE|the ecdsa-sha2-nistp256 key data (base64) is truncated or damaged" \
	"${EC_GOOD%=}|the ecdsa-sha2-nistp256 key data (base64) is truncated or damaged"; do
	printf '%s\n' "${bad%|*}" > "$SRC/accounts/bad1"
	pub
	check "refused in words: ${bad#*|}" grep -qF "accounts/bad1:1: ${bad#*|}" <<<"$POUT"
done
rm -f "$SRC/accounts/bad1"

# --dry-run: what a reviewer reads; writes nothing, needs no key.
pub
cat user1.pub user2.pub > "$SRC/accounts/deploy"
mkdir -p "$SRC/accounts" && cat user3.pub > "$SRC/accounts/newacct"
fpr_of user1.pub > "$SRC/revoked"
# The tree under $WWW only: bytes, names, sizes, modes, mtimes to the ns
# (not ls -la, whose ".." line changes with anything created in $W).
tree_of() {
	(cd "$WWW" && find . -type f | sort | xargs sha256sum &&
	 find . -printf '%y %p %s %m %T@\n' | sort)
}
before=$(tree_of)
POUT=$("$PUB" --dry-run -s "$SRC" -o "$WWW" 2>&1); PRC=$?
after=$(tree_of)
note "$(head -12 <<<"$POUT")"
check "--dry-run: exit 0, nothing written" eval '[ "$PRC" = 0 ] && [ "$before" = "$after" ] && grep -q "^dry run: nothing written" <<<"$POUT"'
[ "$PRC" = 0 ] || note "--dry-run exit status $PRC"
[ "$before" = "$after" ] || note "$(diff <(echo "$before") <(echo "$after"))"
check "--dry-run: added key with fingerprint and comment" \
	grep -q "^+ $(fpr_of user2.pub) ssh-ed25519, user2\$" <<<"$POUT"
check "--dry-run: removed keys (the RFC 4716 ones) with fingerprint and comment" \
	eval 'grep -q "^- $(fpr_of jenkins.pub) ssh-rsa 3072, 3072-bit RSA, converted by .* from OpenSSH\$" <<<"$POUT" && grep -q "^- $(fpr_of octo.pub) ssh-ed25519, ed25519-key-20261125 octopus prod\$" <<<"$POUT"'
check "--dry-run: per account counts, a new account, the revocation list" \
	eval 'grep -q "^account deploy: 1 to add, 3 to remove, 1 unchanged" <<<"$POUT" &&
	grep -q "^account newacct: 1 to add, 0 to remove" <<<"$POUT" &&
	grep -q "^revocation list: 1 to add, 0 to remove" <<<"$POUT" && grep -q "^+ $(fpr_of user1.pub) fingerprint only" <<<"$POUT"'
rm -f "$SRC/accounts/newacct"
# A comment with terminal controls (C1 CSI as a byte and as UTF-8), a
# bidi override and an isolate: shown as '?', so a key file can neither
# move a reviewer's cursor nor reorder what they read.
printf '%s evil\xc2\x9b2J\xe2\x80\xaegnp.\xe2\x81\xa6x\x9b1m ok\n' "$(key_of user2.pub)" > "$SRC/accounts/deploy"
POUT=$("$PUB" --dry-run -s "$SRC" -o "$WWW" 2>&1); PRC=$?
check "--dry-run: control and bidi characters in a comment are shown as '?'" \
	eval '[ "$PRC" = 0 ] && grep -q "^+ $(fpr_of user2.pub) ssh-ed25519, evil?2J?gnp.?x?1m ok\$" <<<"$POUT" &&
	! LC_ALL=C grep -q $'"'"'[\x80-\x9f]\|\xe2\x80\xae\|\xe2\x81\xa6'"'"' <<<"$POUT"'

# --report: one self-contained page for access reviews.
printf 'from="10.0.0.0/8",expiry-time="20270101" %s\n%s\n' "$(cat user1.pub)" "$(cat rsa3072.pub)" > "$SRC/accounts/deploy"
printf '%s\n' "$(key_of user1.pub) <script>alert(1)</script>" > "$SRC/accounts/octo"
fpr_of user3.pub > "$SRC/revoked"
pub --report "$W/report.html"
R=$W/report.html
check "--report: written with the publish" eval '[ "$PRC" = 0 ] && [ -s "$R" ]'
check "--report: self-contained (no external assets, no script)" \
	eval '! grep -qiE "(src|href)=|<script|@import|url\(" "$R"'
check "--report: every account with serial and expiry" \
	eval 'grep -q "Account <code>deploy</code>" "$R" && grep -q "Account <code>octo</code>" "$R" && grep -qE "serial [0-9]+, expires 20[0-9-]+T" "$R"'
check "--report: keys with fingerprint, type and size, comment, from= and expiry-time=" \
	eval 'grep -q "$(fpr_of user1.pub)" "$R" && grep -q "ssh-rsa 3072" "$R" && grep -q "<td>10.0.0.0/8</td><td>20270101</td>" "$R"'
check "--report: a comment with HTML is escaped" \
	eval 'grep -q "&lt;script&gt;alert(1)&lt;/script&gt;" "$R"'
check "--report: warnings: several accounts, no expiry-time, old key type" \
	eval 'grep -q "$(fpr_of user1.pub)</code> key listed for several accounts" "$R" &&
	grep -q "<b>deploy</b>: <code>$(fpr_of rsa3072.pub)</code> key without expiry-time" "$R" &&
	grep -q "RSA key under 4096 bits" "$R"'
check "--report: revoked entries" grep -q "<tr><td><code>$(fpr_of user3.pub)</code></td><td>fingerprint only</td></tr>" "$R"
cp "$R" "$TOP/build/report-example.html" 2>/dev/null || true

summary
