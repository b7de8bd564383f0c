#!/bin/bash
# pam_authkeys.so's cost per login inside the PAM host (what sshd pays in
# pam_open_session), through the real libpam: a stack with only pam_permit
# beside the same stack with our module first (default mode: verified
# cache, signatures of document and list checked again), one hyperfine run.
# Then callgrind: where the module's instructions go. Needs root.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
. "$TOP/tests/lib.sh"
reexec_in_mount_ns "$@"
store_setup >/dev/null
DRIVER=$TOP/build/tests/pam_driver
new_case
conf "revocation_url = $STORE/v1/revoked"
conf "refresh_after = 3600"
cat user1.pub user2.pub | publish deploy 1
: | sign_doc signer "$WWW/v1/revoked" - 1 "$FUTURE"
run deploy
mkdir -p "$C/pam.d"
echo "session required pam_permit.so" > "$C/pam.d/plain"
{ echo "session required $PAMMOD config=$CONF"; echo "session required pam_permit.so"; } > "$C/pam.d/ak"
INFO="publickey $(key_of user1.pub)"
"$DRIVER" "$C/pam.d" ak deploy session "$INFO" | grep -q "rc=PAM_SUCCESS" || { echo "module denied"; exit 1; }
hyperfine -N --warmup 10 --runs "${RUNS:-200}" --export-markdown "$W/m.md" \
	-n "libpam, pam_permit only" "$DRIVER $C/pam.d plain deploy session '$INFO'" \
	-n "libpam, pam_authkeys.so first (cache, 2 signatures)" "$DRIVER $C/pam.d ak deploy session '$INFO'" >/dev/null 2>&1
cat "$W/m.md"
valgrind --tool=callgrind --callgrind-out-file="$W/cg" "$DRIVER" "$C/pam.d" ak deploy session "$INFO" >/dev/null 2>&1
echo "# instructions by library (callgrind, whole driver run with the module):"
callgrind_annotate --inclusive=no "$W/cg" 2>/dev/null | sed -n 's/^ *\([0-9,]*\) ([ 0-9.]*%) *\(.*\):.*(\([^)]*\)).*/\1 \3/p' |
	awk '{gsub(",","",$1); s[$2]+=$1} END {for (k in s) print s[k], k}' | sort -rn | head -8
