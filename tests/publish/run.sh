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

# A store file replaced by an older one (a rollback on the store, or a
# forged file) must not make the publisher issue a serial it issued
# before: hosts that verified the first refuse the second as equivocation,
# so the next revocation would not get through. Here the last list was
# signed 100 s ahead of the clock (a publisher clock ahead, or many runs in
# one second), then the store got back an older genuine list.
O=$W/ser
rm -rf "$O" "$W/sersrc"; mkdir -p "$W/sersrc/accounts"
cat user1.pub > "$W/sersrc/accounts/deploy"; : > "$W/sersrc/revoked"
spub() { POUT=$("$PUB" -k "$W/signer" -s "$W/sersrc" -o "$O" 2>&1); PRC=$?; }
spub
cp "$O/v1/revoked" "$W/ser.old"
ahead=$(( $(date +%s) + 100 ))
sed -e '/^-----BEGIN SSH SIGNATURE-----$/,$d' -e "s/^#serial .*/#serial $ahead/" "$W/ser.old" > "$W/ser.doc"
ssh-keygen -q -Y sign -n authkeys -f "$W/signer" "$W/ser.doc" && cat "$W/ser.doc.sig" >> "$W/ser.doc"
cp "$W/ser.doc" "$O/v1/revoked"
fpr_of user2.pub > "$W/sersrc/revoked"
spub
check "a list 100 s ahead in the output: the next serial is above it" \
	eval '[ "$PRC" = 0 ] && [ "$(serial_of "$O/v1/revoked")" = $((ahead + 1)) ]'
cp "$W/ser.old" "$O/v1/revoked"
fpr_of user3.pub > "$W/sersrc/revoked"
spub
check "the store given back an older list: the next serial is still above every one issued" \
	eval '[ "$PRC" = 0 ] && [ "$(serial_of "$O/v1/revoked")" -gt $((ahead + 1)) ]'
check "... the record of serials issued is in the output directory" \
	grep -qx "documents $((ahead + 2))" "$O/.authkeys-serials"
echo "documents 12x" > "$O/.authkeys-serials"
fpr_of user2.pub > "$W/sersrc/revoked"
before=$(sha256sum < "$O/v1/revoked")
spub
check "a damaged record of serials: nothing published, and what to do" \
	eval '[ "$PRC" != 0 ] && grep -q "authkeys-serials: not a record of serials this publisher wrote" <<<"$POUT" && [ "$(sha256sum < "$O/v1/revoked")" = "$before" ]'
rm -rf "$O" "$W/sersrc"

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

# The snapshot's own validity (issue 25): short by default, so a stolen
# timestamp key can point new hosts at an older one for a day at most.
snap_left=$(( $(date -d "$(expires_of "$WWW/v1/snapshot")" +%s) - $(date +%s) ))
doc_left=$(( $(date -d "$(expires_of "$WWW/v1/accounts/deploy")" +%s) - $(date +%s) ))
check "snapshot valid 1 d by default, documents 7 d ($snap_left s, $doc_left s)" \
	eval '[ "$snap_left" -gt 86000 ] && [ "$snap_left" -le 86400 ] && [ "$doc_left" -gt 600000 ]'
rm -f "$WWW/v1/snapshot"
pub --snapshot-valid 2h
snap_left=$(( $(date -d "$(expires_of "$WWW/v1/snapshot")" +%s) - $(date +%s) ))
check "--snapshot-valid 2h ($snap_left s)" eval '[ "$snap_left" -gt 7000 ] && [ "$snap_left" -le 7200 ]'

# The report answers as hosts do (issue 25): options read as sshd reads
# them, a document hosts cannot read, a missing list.
printf 'from="10.0.0.1,expiry-time=20990101" %s\n' "$(cat user2.pub)" > "$SRC/accounts/deploy"
rm -f "$SRC/revoked"
pub --report "$W/report2.html"
R=$W/report2.html
check "--report: expiry-time= inside a quoted from= is not an expiry (sshd's reading)" \
	grep -q "<b>deploy</b>: <code>$(fpr_of user2.pub)</code> key without expiry-time" "$R"
printf '#authkeys-document v1\n#account broken\n#serial 1\n#expires %s\nssh-ed25519 AAAA\rx\n' "$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%SZ)" > "$W/broken"
ssh-keygen -q -Y sign -n authkeys -f "$W/signer" "$W/broken" && cat "$W/broken.sig" >> "$W/broken"
cp "$W/broken" "$WWW/v1/accounts/broken"
rm -f "$WWW/v1/revoked"
POUT=$("$PUB" --dry-run -s "$SRC" -o "$WWW" --report "$W/report3.html" 2>&1); PRC=$?
R=$W/report3.html
check "--report: a signed document hosts cannot read is named, with its line" \
	grep -q "<b>broken</b>: hosts cannot read this document (line 5: .*): they admit none of its keys" "$R"
check "--report: a missing revocation list is named" \
	grep -q "no revocation list published: hosts with revocation_url refuse every key" "$R"
rm -f "$WWW/v1/accounts/broken"

# issue 27: several -k keys, each signing the same bytes (a k-of-n
# threshold's signers); every signature is a whole SSHSIG that stock
# ssh-keygen -Y verify accepts on its own.
new_case
ssh-keygen -q -t ecdsa -N '' -f "$W/signer2"
echo "signer2@test $(cut -d' ' -f1,2 "$W/signer2.pub")" >> "$W/allowed_signers"
cat user1.pub > "$SRC/accounts/deploy"
pub -k "$W/signer2"
vsig() { verify_nth "$1" "$2" "$3" authkeys "$W/allowed_signers"; } # FILE N PRINCIPAL
D=$WWW/v1/accounts/deploy
check "two -k keys: exit 0, two signatures on each document" \
	eval '[ "$PRC" = 0 ] && [ "$(grep -c "^-----BEGIN SSH SIGNATURE-----$" "$D")" = 2 ] && [ "$(grep -c "^-----BEGIN SSH SIGNATURE-----$" "$WWW/v1/snapshot")" = 2 ]'
check "two -k keys: ssh-keygen -Y verify accepts the first (signer) and the second (signer2)" \
	eval 'vsig "$D" 1 signer@test && vsig "$D" 2 signer2@test && ! vsig "$D" 2 signer@test'
check "two -k keys: so does the snapshot, in the same namespace" \
	eval 'vsig "$WWW/v1/snapshot" 1 signer@test && vsig "$WWW/v1/snapshot" 2 signer2@test'
check "two -k keys: no .sig file left beside any document" \
	eval '[ -z "$(find "$WWW" -name "*.sig*")" ]'
run deploy
check "two -k keys: the command takes the document" has_key user1
e2=$(sha256sum < "$D")
pub -k "$W/signer2"
check "same keys again, source unchanged: nothing re-signed" \
	eval '[ "$(sha256sum < "$D")" = "$e2" ]'
pub
check "a signer dropped (same source): every document and the snapshot re-signed by the keys given now" \
	eval '[ "$(grep -c "^-----BEGIN SSH SIGNATURE-----$" "$D")" = 1 ] && [ "$(grep -c "^-----BEGIN SSH SIGNATURE-----$" "$WWW/v1/snapshot")" = 1 ] && verify "$D" authkeys'
POUT=$("$PUB" -k "$W/signer" -k "$W/signer" -s "$SRC" -o "$WWW" 2>&1); PRC=$?
check "one key given twice: refused (exit 2), it would count once" \
	eval '[ "$PRC" = 2 ] && grep -q "given twice" <<<"$POUT"'

# --- issue 27: a signed root of trust, k of n signers per role ----------
new_case
new_keys r1 r2 r3 d1 d2 d3 t1 n1 n2
roles "$W/roles1" "root:2:r1 r2 r3" "documents:2:d1 d2 d3" "timestamp:1:t1"
POUT=$("$PUB" --root "$W/roles1" -k "$W/r1" -o "$WWW" 2>&1); PRC=$?
check "--root signed by 1 of 2 root keys: refused, nothing written" \
	eval '[ "$PRC" != 0 ] && [ ! -e "$WWW/v1/root" ] && [ ! -e "$WWW/v1/root.1" ] && grep -q "enough of its own root keys" <<<"$POUT"'
POUT=$("$PUB" --root "$W/roles1" -k "$W/r1" -k "$W/r2" -o "$WWW" 2>&1); PRC=$?
for k in r1 r2 r3; do echo "$k@root $(key_of "$W/$k.pub")"; done > "$W/root_signers"
verify_root() { verify_nth "$1" "$2" "$3" authkeys-root "$W/root_signers"; }
check "--root with 2 of 3 root keys: v1/root.1 and v1/root, the same bytes" \
	eval '[ "$PRC" = 0 ] && cmp -s "$WWW/v1/root.1" "$WWW/v1/root" && [ "$(serial_of "$WWW/v1/root")" = 1 ]'
check "--root: ssh-keygen -Y verify accepts both signatures (namespace authkeys-root)" \
	eval 'verify_root "$WWW/v1/root" 1 r1@root && verify_root "$WWW/v1/root" 2 r2@root'
check "--root: valid a year by default" \
	eval '[ $(( $(date -d "$(expires_of "$WWW/v1/root")" +%s) - $(date +%s) )) -gt $((364 * 86400)) ]'
# The host: trusted_root instead of trusted_signers.
install -m 644 "$WWW/v1/root" "$C/etc/root"
sed -i '/^trusted_signers = /d' "$CONF"
conf "trusted_root = $C/etc/root"
conf "refresh_after = 0"
cat user1.pub > "$SRC/accounts/deploy"
POUT=$("$PUB" -k "$W/d1" -s "$SRC" -o "$WWW" -f "$CONF" --timestamp-key "$W/t1" 2>&1); PRC=$?
check "publish -f with trusted_root: 1 of the 2 documents keys refused before signing" \
	eval '[ "$PRC" != 0 ] && grep -q "documents role needs 2 of its 3 keys" <<<"$POUT" && [ ! -e "$WWW/v1/accounts/deploy" ]'
# A stolen documents key alone (no -f: nothing stops it signing).
POUT=$("$PUB" -k "$W/d1" -s "$SRC" -o "$WWW" 2>&1); PRC=$?
run deploy
check "one stolen documents key alone cannot add a key: nothing printed" \
	eval '[ "$PRC" = 0 ] && [ -z "$OUT" ]'
check "one stolen documents key: the host logs why" \
	grep -q "fewer distinct keys of its role than the root's threshold" <<<"$ERR"
rm -f "$WWW"/v1/accounts/* "$WWW/v1/snapshot" "$WWW/v1/timestamp" "$WWW/v1/revoked"
rm -rf "$C/cache"/*
POUT=$("$PUB" -k "$W/d1" -k "$W/d3" -s "$SRC" -o "$WWW" -f "$CONF" --timestamp-key "$W/t1" 2>&1); PRC=$?
run deploy
check "two documents keys (2 of 3): published, and the host prints the key" \
	eval '[ "$PRC" = 0 ] && has_key user1'
rep=$(setpriv --reuid="$RUNAS" --regid="$RUNAS" --clear-groups "$CMD" -f "$CONF" --check 2>/dev/null)
check "--check: root serial, each role's threshold and keys" \
	eval 'grep -q "trusted_root $C/etc/root: root serial 1, expires" <<<"$rep" && grep -q "role documents: 2 of 3 key(s) must sign" <<<"$rep" && grep -qF "$(fpr_of "$W/t1.pub")" <<<"$rep"'
# A root that expires, with on_freeze = deny: no reader goes on with it,
# the command's cache-hit path included (it used to print from marks the
# root made while in force).
mkdir -p "$W/exp"
"$PUB" --root "$W/roles1" -k "$W/r1" -k "$W/r2" -o "$W/exp" --root-valid 4s >/dev/null
cp "$C/etc/root" "$W/root1.keep"
install -m 644 "$W/exp/v1/root" "$C/etc/root"
conf "refresh_after = 300"
conf "on_freeze = deny"
run deploy
run deploy
check "root valid for 4 s: a warm cache-hit prints the key meanwhile" has_key user1
sleep 4.5
run deploy
check "the root expired, on_freeze = deny: the cache-hit path prints nothing" \
	eval '[ -z "$OUT" ] && grep -q "ROOT EXPIRED" <<<"$ERR"'
status
check "the root expired, on_freeze = deny: --status says nothing is admitted" \
	grep -q "^root: serial 1.* ROOT EXPIRED: nothing is admitted (on_freeze = deny)" <<<"$STOUT"
# on_freeze = stale keeps the expired root working, loudly, on every reader.
conf "on_freeze = stale"
run deploy
check "the root expired, on_freeze = stale: still used, logged ROOT EXPIRED at the use" \
	eval 'has_key user1 && grep -q "ROOT EXPIRED" <<<"$ERR"'
status
check "... --status: ROOT EXPIRED, still used, renew it now" \
	grep -q "^root: serial 1.* ROOT EXPIRED: still used (on_freeze = stale); renew it now" <<<"$STOUT"
status =prometheus
check "... prometheus: authkeys_root_expired 1" grep -qx "authkeys_root_expired 1" <<<"$STOUT"
install -m 644 "$W/root1.keep" "$C/etc/root"
conf "on_freeze = stale"
conf "refresh_after = 0"
# Rotation: root 2 (r1 and r2 out, n1 and n2 in) needs 2 of root 1's
# root keys and 2 of its own.
roles "$W/roles2" "root:2:n1 n2 r3" "documents:1:d2" "timestamp:1:t1"
POUT=$("$PUB" --root "$W/roles2" -k "$W/n1" -k "$W/n2" -o "$WWW" 2>&1); PRC=$?
check "root 2 signed by new keys alone: refused, root 1 stays" \
	eval '[ "$PRC" != 0 ] && [ ! -e "$WWW/v1/root.2" ] && [ "$(serial_of "$WWW/v1/root")" = 1 ] && grep -q "current root" <<<"$POUT"'
POUT=$("$PUB" --root "$W/roles2" -k "$W/r1" -k "$W/r3" -k "$W/n1" -o "$WWW" 2>&1); PRC=$?
check "root 2 signed by r1+r3 (old) and n1+r3 (new): v1/root.2, v1/root is it" \
	eval '[ "$PRC" = 0 ] && cmp -s "$WWW/v1/root.2" "$WWW/v1/root" && [ "$(serial_of "$WWW/v1/root.1")" = 1 ] && [ "$(grep -c "^-----BEGIN SSH" "$WWW/v1/root.2")" = 3 ]'
# The host's trusted_root is still root 1; publish -f judges keys by the
# root hosts will hold once they take the store's root 2 (documents: d2).
POUT=$("$PUB" -k "$W/d1" -k "$W/d3" -s "$SRC" -o "$WWW" -f "$CONF" --dry-run 2>&1); PRC=$?
check "--dry-run -f: root 2 in force on hosts, d1 and d3 are too few for it" \
	eval 'grep -q "^root: serial 2 in force on hosts" <<<"$POUT" && grep -q "^root: documents need 1 of 1 keys, the -k keys are 0 of them: TOO FEW" <<<"$POUT"'
POUT=$("$PUB" -k "$W/d1" -k "$W/d3" -s "$SRC" -o "$WWW" -f "$CONF" --timestamp-key "$W/t1" 2>&1); PRC=$?
check "publish -f after a rotation: keys root 2 dropped refused (root 1 allowed them)" \
	eval '[ "$PRC" != 0 ] && grep -q "documents role needs 1 of its 1 keys" <<<"$POUT"'
POUT=$("$PUB" -k "$W/d2" -s "$SRC" -o "$WWW" -f "$CONF" --timestamp-key "$W/t1" 2>&1); PRC=$?
check "publish -f after a rotation: root 2's documents key publishes" test "$PRC" = 0
# Roots come from beside the timestamp (or the revocation list).
conf "timestamp_url = $STORE/v1/timestamp"
refresh_once
run deploy
check "the host (trusted_root still root 1) takes root 2 and prints what d2 signed" \
	eval 'grep -q "root 2 taken from" <<<"$RROUT" && has_key user1'
# The command's cache-hit path follows the root the refresher recorded:
# with the fetch helper unusable, a warm login still prints.
conf "refresh_after = 300"
refresh_once
HELPER=$W/inst/usr/libexec/authkeys/authkeys-fetch
chmod g+w "$HELPER"
run deploy
chmod g-w "$HELPER"
check "after the rotation the cache-hit path answers alone (marks follow root 2, no helper run)" \
	eval 'has_key user1 && ! grep -q "fetch helper" <<<"$ERR"'
conf "refresh_after = 0"
"$PUB" -s "$SRC" -o "$WWW" -f "$CONF" --dry-run --report "$W/r27.html" >/dev/null 2>&1
check "--report: who signed each document (d2), no threshold warning" \
	eval 'grep -qF "signed by <code class=\"signer\">$(fpr_of "$W/d2.pub")</code>" "$W/r27.html" && ! grep -q "documents keys the root in force needs" "$W/r27.html"'
"$PUB" -k "$W/d1" -s "$SRC" -o "$WWW" >/dev/null 2>&1	# no -f: nothing stops d1
"$PUB" -s "$SRC" -o "$WWW" -f "$CONF" --dry-run --report "$W/r27.html" >/dev/null 2>&1
check "--report: a document d1 alone signed is flagged as refused by hosts under root 2" \
	grep -q "signed by 0 of the 1 documents keys the root in force needs: hosts refuse it" "$W/r27.html"

# --- issue 27: two people on two machines (--partial, --add-signature) ---
new_case
rm -rf "$WWW/v1"
new_keys pr1 pr2 pd1 pd2 pd3 pt1
roles "$W/proles" "root:2:pr1 pr2" "documents:2:pd1 pd2 pd3" "timestamp:1:pt1"
trust_root "$W/proles" pr1 pr2
conf "timestamp_url = $STORE/v1/timestamp"
conf "refresh_after = 0"
for k in d1 d2 d3; do echo "$k@docs $(key_of "$W/p$k.pub")"; done > "$W/doc_signers"
cat user1.pub > "$SRC/accounts/deploy"
"$PUB" -k "$W/pd1" -k "$W/pd3" -s "$SRC" -o "$WWW" -f "$CONF" --timestamp-key "$W/pt1" >/dev/null
refresh_once
run deploy
check "two-person set-up: the store's first tree (d1 + d3) is taken" has_key user1
POUT=$("$PUB" -k "$W/pd1" -s "$SRC" -o "$W/nowhere" --partial 2>&1); PRC=$?
check "--partial without trusted_root (-f): refused, exit 2, says why" \
	eval '[ "$PRC" = 2 ] && grep -q "need -f with trusted_root" <<<"$POUT" && [ ! -e "$W/nowhere" ]'
# Alice, on her machine: a copy of the store's tree, one signature.
cp -a "$WWW" "$W/stage"
S=$W/stage/v1
cat user1.pub user2.pub > "$SRC/accounts/deploy"
ts0=$(sha256sum < "$S/timestamp")
POUT=$("$PUB" -k "$W/pd1" -s "$SRC" -o "$W/stage" -f "$CONF" --partial 2>&1); PRC=$?
check "--partial: 1 of the 2 documents keys signs; exit 0, and it says hosts refuse it until --add-signature" \
	eval '[ "$PRC" = 0 ] && grep -q "^partial: the documents role needs 2 of its 3 keys; the keys given are 1 of them" <<<"$POUT" && [ "$(grep -c "^-----BEGIN SSH SIGNATURE-----$" "$S/accounts/deploy")" = 1 ]'
check "--partial: the snapshot names documents by their signed bytes; no timestamp written" \
	eval 'grep -q "^account deploy [0-9]* signed-sha256:" "$S/snapshot" && [ "$(sha256sum < "$S/timestamp")" = "$ts0" ]'
POUT=$("$PUB" --timestamp -k "$W/pt1" -o "$W/stage" -f "$CONF" 2>&1); PRC=$?
check "--timestamp refuses a snapshot short of the documents threshold" \
	eval '[ "$PRC" != 0 ] && grep -q "signed by 1 of the 2 keys of the documents role it needs" <<<"$POUT" && [ "$(sha256sum < "$S/timestamp")" = "$ts0" ]'
# Bob, on his: reads what he vouches for, then signs.
before=$(cat "$S/accounts/deploy" "$S/snapshot" | sha256sum)
POUT=$("$PUB" --add-signature -k "$W/pd2" -o "$W/stage" -f "$CONF" --dry-run 2>&1); PRC=$?
check "--add-signature --dry-run: names each document, its signers so far and its keys; nothing signed" \
	eval '[ "$PRC" = 0 ] && grep -q "^v1/accounts/deploy serial [0-9]*: signed by 1 of the 2 keys needed, adding 1" <<<"$POUT" && grep -qF "$(fpr_of user2.pub)" <<<"$POUT" && grep -q "^v1/snapshot serial" <<<"$POUT" && [ "$(cat "$S/accounts/deploy" "$S/snapshot" | sha256sum)" = "$before" ]'
POUT=$("$PUB" --add-signature -k "$W/pt1" -o "$W/stage" -f "$CONF" 2>&1); PRC=$?
check "--add-signature with a key outside the documents role: refused, nothing changed" \
	eval '[ "$PRC" != 0 ] && grep -q "is not a key of the documents role" <<<"$POUT" && [ "$(cat "$S/accounts/deploy" "$S/snapshot" | sha256sum)" = "$before" ]'
cp -a "$W/stage" "$W/forged"
awk -v l="$(cat user3.pub)" '/^-----BEGIN SSH SIGNATURE-----$/ && !d {print l; d=1} {print}' "$S/accounts/deploy" > "$W/forged/v1/accounts/deploy"
POUT=$("$PUB" --add-signature -k "$W/pd2" -o "$W/forged" -f "$CONF" 2>&1); PRC=$?
check "--add-signature on a document changed after Alice signed: refused, nothing signed" \
	eval '[ "$PRC" != 0 ] && grep -q "no valid signature by a key of the documents role" <<<"$POUT" && [ "$(grep -c "^-----BEGIN SSH SIGNATURE-----$" "$W/forged/v1/snapshot")" = 1 ]'
POUT=$("$PUB" --add-signature -k "$W/pd2" -o "$W/stage" -f "$CONF" --timestamp-key "$W/pt1" 2>&1); PRC=$?
check "--add-signature: d2 added to each document and the snapshot; complete; stamped" \
	eval '[ "$PRC" = 0 ] && grep -q "^complete: every document and the snapshot carry 2" <<<"$POUT" && [ "$(grep -c "^-----BEGIN SSH SIGNATURE-----$" "$S/accounts/deploy")" = 2 ] && [ "$(grep -c "^-----BEGIN SSH SIGNATURE-----$" "$S/snapshot")" = 2 ] && [ "$(sha256sum < "$S/timestamp")" != "$ts0" ]'
verify_doc() { verify_nth "$1" "$2" "$3" authkeys "$W/doc_signers"; }
check "--add-signature: ssh-keygen -Y verify accepts Alice's (d1) and Bob's (d2) signatures of the same bytes" \
	eval 'verify_doc "$S/accounts/deploy" 1 d1@docs && verify_doc "$S/accounts/deploy" 2 d2@docs && verify_doc "$S/snapshot" 2 d2@docs'
check "--add-signature: no .sig file or staging left" \
	eval '[ -z "$(find "$W/stage" -name "*.sig*" -o -name ".staging*")" ]'
after=$(cat "$S/accounts/deploy" "$S/snapshot" "$S/timestamp" | sha256sum)
POUT=$("$PUB" --add-signature -k "$W/pd3" -o "$W/stage" -f "$CONF" 2>&1); PRC=$?
check "--add-signature on a complete tree: nothing changed (other bytes under a served serial would be equivocation)" \
	eval '[ "$PRC" = 0 ] && [ "$(cat "$S/accounts/deploy" "$S/snapshot" "$S/timestamp" | sha256sum)" = "$after" ]'
cp -a "$W/stage/v1/." "$WWW/v1/"
refresh_once
run deploy
check "two people, two machines: the host takes the tree and prints both keys" \
	eval 'has_key user1 && has_key user2'
run deploy
check "... and so does the cache-hit path (the snapshot names signed bytes)" \
	eval 'has_key user1 && has_key user2 && grep -q "source=cache" <<<"$ERR"'
run deploy "$(fpr_of user2.pub)"
check "... and sshd's %f (the cache records the signed bytes' hash)" \
	eval 'has_key user2 && ! has_key user1'
POUT=$("$PUB" -k "$W/pd1" -s "$SRC" -o "$W/stage" -f "$CONF" --partial 2>&1); PRC=$?
check "--partial again, source unchanged: what reaches the threshold is kept, not re-signed" \
	eval '[ "$PRC" = 0 ] && [ "$(cat "$S/accounts/deploy" | sha256sum)" = "$(cat "$WWW/v1/accounts/deploy" | sha256sum)" ]'

summary
