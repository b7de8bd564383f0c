# The benches' prologue (sourced after tests/lib.sh): bench_init makes a
# work dir $W under /run (mode 0755: sshd's rule for paths it trusts),
# removed at exit, builds the tree, and sets $CMD and a store signer
# ($W/signer, $W/allowed_signers).
bench_init() {
	W=$(mktemp -d /run/ak-bench.XXXXXX)
	chmod 755 "$W"
	trap 'rm -rf "$W"' EXIT
	make -s -C "$TOP" all >/dev/null
	CMD=$TOP/build/sbin/authkeys-command
	ssh-keygen -q -t ed25519 -N '' -f "$W/signer"
	echo "s $(key_of "$W/signer.pub")" > "$W/allowed_signers"
}

# bench_deploy N: deploy's signed document of N new ed25519 keys ($W/kI),
# its config $W/etc/authkeys.conf (forced_options = restrict), and what
# the command prints for it in $W/lines (the cache then warm).
bench_deploy() {
	mkdir -p "$W/store" "$W/cache" "$W/etc"
	for i in $(seq 1 "$1"); do
		ssh-keygen -q -t ed25519 -N '' -C "key$i" -f "$W/k$i"
		cat "$W/k$i.pub"
	done | sign_doc "$W/signer" "$W/store/deploy" deploy 1 "$(rfc3339 '+1 day')"
	cat > "$W/etc/authkeys.conf" <<CONF
url = file://$W/store/%u
trusted_signers = $W/allowed_signers
cache_dir = $W/cache
accounts = deploy
refresh_after = 86400
forced_options = restrict
CONF
	"$CMD" -f "$W/etc/authkeys.conf" deploy > "$W/lines"
}
