# TAP-like reporting for the shell suites: functions only; tap_init starts
# a suite (counters, where sanitizer and valgrind reports land).

# tap_init: zero counters; sanitizer and valgrind reports land in
# $AK_REPORTS (make sanitize-check, make valgrind-check), and any report
# fails the suite; SLACK is extra milliseconds for timing checks when every
# run is slowed down (AK_WRAP). In a suite's own mount namespace the
# directory is a tmpfs of its own, so suites run side by side (make -j2)
# never read or clear each other's reports.
tap_init() {
	TAP_T0=$(date +%s)
	PASS=0
	FAIL=0
	FAILED_NAMES=""
	AK_REPORTS=/run/ak-reports
	mkdir -p "$AK_REPORTS"
	if [ -n "${AK_IN_NS:-}" ] && ! mountpoint -q "$AK_REPORTS"; then
		mount -t tmpfs -o mode=1777,size=64m ak-reports "$AK_REPORTS" ||
			{ echo "cannot mount $AK_REPORTS"; exit 1; }
	fi
	chmod 1777 "$AK_REPORTS"
	export ASAN_OPTIONS="log_path=$AK_REPORTS/asan:detect_leaks=1:abort_on_error=0"
	export UBSAN_OPTIONS="log_path=$AK_REPORTS/ubsan:print_stacktrace=1:halt_on_error=1"
	# Bounds on time (never a hang) get room where a checker slows every
	# process: valgrind (AK_WRAP) most, ASan (AK_PAM_ENV) beside another
	# suite on 2 cores some.
	SLACK=0
	[ -n "${AK_PAM_ENV:-}" ] && SLACK=2000
	[ -n "${AK_WRAP:-}" ] && SLACK=4000
	return 0
}

note() { printf '# %s\n' "$*"; }

ok() {
	PASS=$((PASS + 1))
	printf 'ok %d - %s\n' $((PASS + FAIL)) "$1"
}

not_ok() {
	FAIL=$((FAIL + 1))
	FAILED_NAMES="$FAILED_NAMES
  $1"
	printf 'not ok %d - %s\n' $((PASS + FAIL)) "$1"
	shift
	for l in "$@"; do printf '#   %s\n' "$l"; done
}

# check NAME CONDITION-COMMAND...: ok if the command succeeds.
check() {
	local name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name" "failed: $*"; fi
}

# Sanitizer and valgrind reports land in $AK_REPORTS (make sanitize-check,

reports_clean() {
	local f bad=0
	for f in "$AK_REPORTS"/asan* "$AK_REPORTS"/ubsan*; do
		[ -e "$f" ] || continue
		echo "# sanitizer report $f:"; sed 's/^/#   /' "$f" | head -40
		bad=1
	done
	for f in "$AK_REPORTS"/vg.*; do
		[ -e "$f" ] || continue
		if grep -qE "ERROR SUMMARY: [1-9]|definitely lost: [1-9]" "$f"; then
			echo "# valgrind report $f:"; sed 's/^/#   /' "$f" | head -60
			bad=1
		fi
	done
	rm -f "$AK_REPORTS"/asan* "$AK_REPORTS"/ubsan* "$AK_REPORTS"/vg.*
	return $bad
}

summary() {
	check "no sanitizer or valgrind reports" reports_clean
	echo
	[ "$FAIL" -eq 0 ] || printf 'failed:%s\n' "$FAILED_NAMES"
	printf '%d passed, %d failed\n' "$PASS" "$FAIL"
	printf '# %s: %d s\n' "$(basename "$(dirname "$0")")" \
	    $(( $(date +%s) - ${TAP_T0:-$(date +%s)} ))
	[ "$FAIL" -eq 0 ]
}
