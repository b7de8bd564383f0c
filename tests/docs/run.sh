#!/bin/bash
# docs/onboarding.md: every ```sh block, in order, run as written in a
# scratch directory with the built tools on the PATH; then what it made is
# checked (the store verifies, the keys are where the page says). Needs
# ssh-keygen and puttygen (putty-tools).

. "$(dirname "$0")/../lib.sh"
D=$(mktemp -d /tmp/ak-docs.XXXXXX)
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
summary
