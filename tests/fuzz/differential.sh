#!/bin/bash
# Differential fuzzing of the key-line parser against OpenSSH's own: every
# input of the keyline corpus (the seeds and what campaigns found) and real
# keys of every type, mutated (base64 characters flipped, truncated, options,
# white space, comments), go to ak_key_line_parse (build/tests/keyfpr) and
# to ssh-keygen -lf. Fails if we accept a line OpenSSH refuses or the
# fingerprints differ. Lines only OpenSSH takes are counted by our reason:
# we are stricter by design (DSA, certificates, control characters...).
#   tests/fuzz/differential.sh [CORPUS_DIR...]
set -u
cd "$(dirname "$0")/../.."
KEYFPR=build/tests/keyfpr
[ -x "$KEYFPR" ] || make -s "$KEYFPR" >/dev/null || exit 1
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
RANDOM=4716	# the same mutations every run

# Real keys of every type OpenSSH 9.2 makes.
n=0
for t in "ed25519" "ecdsa -b 256" "ecdsa -b 384" "ecdsa -b 521" \
    "rsa -b 1024" "rsa -b 2048" "rsa -b 3072" "dsa"; do
	n=$((n + 1))
	# shellcheck disable=SC2086
	ssh-keygen -q -t $t -N '' -C "key$n" -f "$W/k$n" </dev/null || exit 1
done
gen=0
emit() { gen=$((gen + 1)); printf '%s\n' "$1" > "$W/gen.$gen"; }
for pub in "$W"/k*.pub; do
	read -r type b64 comment < "$pub"
	emit "$type $b64 $comment"
	emit "$type $b64"
	emit "  $type	$b64   spaced  comment  "
	emit "restrict $type $b64 $comment"
	emit "from=\"10.0.0.0/8,!10.1.2.3\",no-pty,command=\"echo \\\"hi\\\"\" $type $b64 x"
	emit "no-agent-forwarding,expiry-time=\"20301231\" $type $b64"
	emit "unknown-option $type $b64"
	emit "$type ${b64}=="
	emit "$type ${b64%?}"
	emit "$type $b64"$'\r'
	for _ in $(seq 1 12); do
		pos=$((RANDOM % ${#b64}))
		chars=ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/
		c=${chars:$((RANDOM % 64)):1}
		emit "$type ${b64:0:$pos}$c${b64:$((pos + 1))} flipped"
		emit "$type ${b64:0:$pos} truncated"
	done
	# Another type's name in front of this blob.
	emit "ssh-ed25519 $b64 swapped"
	emit "ecdsa-sha2-nistp256 $b64 swapped"
done

same=0 agree=0 stricter=0 bad=0
mkdir -p build
: > build/differential-failures	# every line we got wrong, whole
declare -A why
[ $# -gt 0 ] || set -- tests/fuzz/corpus/keyline
inputs=("$W"/gen.*)
for d in "$@"; do inputs+=("$d"/*); done
for f in "${inputs[@]}"; do
	[ -f "$f" ] || continue
	ours=$("$KEYFPR" "$f" "$W/line") || { echo "keyfpr failed on $f"; exit 1; }
	theirs=$(ssh-keygen -lf "$W/line" 2>/dev/null | awk 'NR == 1 { print $2 }')
	case "$ours" in
	"ok "*)
		if [ "${ours#ok }" = "$theirs" ]; then
			same=$((same + 1))
		else
			bad=$((bad + 1))
			echo "not ok: we accept, ssh-keygen says '${theirs:-refused}': $(head -c 200 "$W/line")"
			cat "$W/line" >> build/differential-failures
		fi ;;
	*)
		if [ -n "$theirs" ]; then
			stricter=$((stricter + 1))
			why[${ours#reject }]=$(( ${why[${ours#reject }]:-0} + 1 ))
		else
			agree=$((agree + 1))
		fi ;;
	esac
done
echo "differential: $((same + agree)) of $((same + agree + bad + stricter)) inputs agree with ssh-keygen -lf ($same same fingerprint, $agree both refuse), $bad where we accept what it refuses or differ, $stricter refused only by us:"
for k in "${!why[@]}"; do echo "  ${why[$k]} x $k"; done
[ "$bad" -eq 0 ]
