#!/bin/bash
# docs/onboarding.md: every ```sh block, in order, run as written in a
# scratch directory with the built tools on the PATH; then what it made is
# checked (the store verifies, the keys are where the page says). Needs
# ssh-keygen and puttygen (putty-tools).

. "$(dirname "$0")/../lib.sh"
# Under /run: root's all the way up, as the config and root files the
# two-machine section installs must be (not /tmp, which anyone may write).
D=$(mktemp -d /run/ak-docs.XXXXXX)
trap 'rm -rf "$D"' EXIT
make -s -C "$TOP" install DESTDIR="$D/inst" PREFIX=/usr SYSCONFDIR=/etc \
	PAMDIR=/usr/lib/security >/dev/null || exit 1
export PATH="$D/inst/usr/bin:$D/inst/usr/sbin:$PATH"
mkdir "$D/work"
# The blocks, as one script: set -e stops at the first failing command.
{
	echo "set -e -o pipefail"
	awk '/^```sh$/ {on=1; next} /^```$/ {on=0} on' "$TOP/docs/onboarding.md"
} > "$D/blocks.sh"
note "$(grep -vc '^#\|^$' "$D/blocks.sh") commands from docs/onboarding.md"
(cd "$D/work" && bash "$D/blocks.sh") > "$D/out" 2>&1
rc=$?
check "every command of docs/onboarding.md runs (exit $rc)" test "$rc" = 0
[ "$rc" = 0 ] || sed 's/^/#   /' "$D/out" | tail -20
K=$D/work
check "the private key in the repository was refused, nothing published" \
	grep -q "accounts/mistake:1: this is an OpenSSH private key" "$D/out"
check "the dry run shows the RSA key to add, then to remove" \
	eval 'grep -q "^+ $(fpr_of "$K/id_rsa_octopus.pub") ssh-rsa 4096, octopus-prod\$" "$D/out" &&
	grep -q "^- $(fpr_of "$K/id_rsa_octopus.pub") ssh-rsa 4096, octopus-prod\$" "$D/out"'
echo "store $(key_of "$K/store_signer.pub")" > "$D/allowed"
vrf() {
	ssh-keygen -Y verify -f "$D/allowed" -I store -n authkeys \
		-s <(sed -n '/^-----BEGIN SSH SIGNATURE-----$/,$p' "$1") \
		< <(sed '/^-----BEGIN SSH SIGNATURE-----$/,$d' "$1") >/dev/null 2>&1
}
check "the published documents verify with the store's key" \
	eval 'vrf "$K/www/v1/accounts/deploy" && vrf "$K/www/v1/accounts/ansible" && vrf "$K/www/v1/revoked"'
check "deploy ends with the rotated key only" \
	eval 'grep -qF "$(key_of "$K/id_ed25519_octopus.pub")" "$K/www/v1/accounts/deploy" &&
	! grep -qF "$(key_of "$K/id_rsa_octopus.pub")" "$K/www/v1/accounts/deploy"'
check "the revoked Jenkins key is on the list" \
	grep -q "$(fpr_of "$K/jenkins_key.pub")" "$K/www/v1/revoked"
check "the review page was written" grep -q "authkeys access review" "$K/review.html"
T=$K/team/www/v1
check "root of trust: root 2 published beside root 1, v1/root is root 2" \
	eval 'grep -qx "#serial 1" "$T/root.1" && grep -qx "#serial 2" "$T/root.2" && cmp -s "$T/root" "$T/root.2"'
check "root of trust: root 2 names dave, not carol, for documents" \
	eval 'grep -qF "documents $(key_of "$K/team/dave.pub")" "$T/root.2" &&
	! grep -qF "documents $(key_of "$K/team/carol.pub")" "$T/root.2"'
check "root of trust: the account document carries two signatures (alice, dave)" \
	test "$(grep -c "^-----BEGIN SSH SIGNATURE-----$" "$T/accounts/deploy")" = 2
for who in alice bob; do echo "$who $(key_of "$K/team/$who.pub")"; done > "$D/team_allowed"
vrf2() { # FILE N PRINCIPAL: the Nth signature
	ssh-keygen -Y verify -f "$D/team_allowed" -I "$3" -n authkeys \
		-s <(awk -v n="$2" '/^-----BEGIN SSH SIGNATURE-----$/ {c++} c == n {print} /^-----END SSH SIGNATURE-----$/ && c == n {exit}' "$1") \
		< <(sed '/^-----BEGIN SSH SIGNATURE-----$/,$d' "$1") >/dev/null 2>&1
}
check "two machines: --dry-run showed bob the gitlab key he was to vouch for" \
	grep -qF "$(fpr_of "$K/team/gitlab_key.pub")" "$D/out"
check "two machines: the gitlab document is signed by alice, then bob (ssh-keygen -Y verify)" \
	eval 'vrf2 "$T/accounts/gitlab" 1 alice && vrf2 "$T/accounts/gitlab" 2 bob'
check "two machines: the snapshot names it by its signed bytes, and is signed by both" \
	eval 'grep -q "^account gitlab [0-9]* signed-sha256:" "$T/snapshot" && vrf2 "$T/snapshot" 1 alice && vrf2 "$T/snapshot" 2 bob'

# docs/cdn.md: its sh blocks in their own scratch directory, then the
# files they made served with its nginx block, headers checked.
mkdir "$D/cdn"
{
	echo "set -e -o pipefail"
	awk '/^```sh$/ {on=1; next} /^```$/ {on=0} on' "$TOP/docs/cdn.md"
} > "$D/cdn.sh"
note "$(grep -vc '^#\|^$' "$D/cdn.sh") commands from docs/cdn.md"
(cd "$D/cdn" && bash "$D/cdn.sh") > "$D/cdn.out" 2>&1
rc=$?
check "every command of docs/cdn.md runs (exit $rc)" test "$rc" = 0
[ "$rc" = 0 ] || sed 's/^/#   /' "$D/cdn.out" | tail -20
K=$D/cdn
vrfns() { # FILE NAMESPACE: verifies with the page's allowed_signers
	ssh-keygen -Y verify -f "$K/allowed_signers" -I "$3" -n "$2" \
		-s <(sed -n '/^-----BEGIN SSH SIGNATURE-----$/,$p' "$1") \
		< <(sed '/^-----BEGIN SSH SIGNATURE-----$/,$d' "$1") >/dev/null 2>&1
}
check "cdn.md: documents and snapshot verify as documents@store (authkeys)" \
	eval 'vrfns "$K/www/v1/accounts/deploy" authkeys documents@store && vrfns "$K/www/v1/snapshot" authkeys documents@store'
check "cdn.md: the timestamp verifies as timestamp@store (authkeys-timestamp) only" \
	eval 'vrfns "$K/www/v1/timestamp" authkeys-timestamp timestamp@store && ! vrfns "$K/www/v1/timestamp" authkeys documents@store'
check "cdn.md: the snapshot names the deploy document by its SHA-256" \
	grep -q "^account deploy [0-9]* sha256:$(sha256sum < "$K/www/v1/accounts/deploy" | cut -c1-64)$" "$K/www/v1/snapshot"
PORT=$(free_port)
mkdir -p "$D/nginx"
{
	echo "daemon on; pid $D/nginx/pid; error_log $D/nginx/error.log;"
	echo "worker_processes 1; user root; events { worker_connections 16; }"
	echo "http { access_log off; default_type text/plain;"
	echo "client_body_temp_path $D/nginx/b; proxy_temp_path $D/nginx/p;"
	echo "fastcgi_temp_path $D/nginx/f; uwsgi_temp_path $D/nginx/u; scgi_temp_path $D/nginx/s;"
	echo "server { listen 127.0.0.1:$PORT; root $K/www;"
	awk '/^```nginx$/ {on=1; next} /^```$/ {on=0} on' "$TOP/docs/cdn.md"
	echo "} }"
} > "$D/nginx/nginx.conf"
if nginx -c "$D/nginx/nginx.conf" -p "$D/nginx" -e "$D/nginx/error.log" 2>/dev/null; then
	hdr() { curl -sI "http://127.0.0.1:$PORT$1" | tr -d '\r' | sed -n 's/^Cache-Control: //p'; }
	check "cdn.md's nginx block: the timestamp gets max-age=10" \
		test "$(hdr /v1/timestamp)" = "public, max-age=10, stale-while-revalidate=0"
	check "cdn.md's nginx block: documents get max-age=3600, also asked for by version" \
		eval '[ "$(hdr /v1/accounts/deploy)" = "public, max-age=3600" ] && [ "$(hdr "/v1/revoked?v=1-abcd")" = "public, max-age=3600" ]'
	nginx -c "$D/nginx/nginx.conf" -p "$D/nginx" -s stop 2>/dev/null
else
	not_ok "cdn.md's nginx block: nginx does not start with it"
fi
summary
