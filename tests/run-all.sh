#!/bin/bash
# tests/run-all.sh - runs every unit test binary and integration script,
# each producing TAP, and ends with "N passed, N failed, N skipped".
# Environment: BUILDDIR (the build with sanitizers used by the tests),
# VALGRIND_BUILDDIR (a plain build for the valgrind tests), TESTS (optional
# space-separated subset: names like test_range or t_unconstrained).
set -u
TOP_SRCDIR=$(cd "$(dirname "$0")/.." && pwd)
BUILDDIR=${BUILDDIR:-$TOP_SRCDIR/build}
export TOP_SRCDIR BUILDDIR
export PLUGINDIR=$BUILDDIR/plugins
export VALGRIND_BUILDDIR=${VALGRIND_BUILDDIR:-$BUILDDIR}
export TEST_ROOT=${TEST_ROOT:-$(mktemp -d /tmp/adtests.XXXXXX)}
# sanitizer findings must fail a test: a distinct exit code, never 1 (WARNING)
export ASAN_OPTIONS=${ASAN_OPTIONS:-exitcode=86:detect_leaks=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$TOP_SRCDIR/tests/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:exitcode=87}
LOG=$TEST_ROOT/run.log
: > "$LOG"

passed=0 failed=0 skipped=0
selected() {
	[ -z "${TESTS:-}" ] && return 0
	case " $TESTS " in *" $1 "*) return 0;; esac
	return 1
}

run_one() {   # run_one NAME COMMAND...
	local name=$1 out rc p f s bail
	shift
	selected "$name" || return 0
	export TEST_TMP=$TEST_ROOT/$name
	mkdir -p "$TEST_TMP"
	local t0=$SECONDS
	out=$(cd "$TEST_TMP" && timeout -k 10 600 "$@" 2>"$TEST_TMP/stderr.log"); rc=$?
	printf '### %s (exit %d, %ds)\n%s\n' "$name" "$rc" "$((SECONDS - t0))" "$out" >> "$LOG"
	p=$(printf '%s\n' "$out" | grep -E '^ok [0-9]+' | grep -vc '# SKIP')
	s=$(printf '%s\n' "$out" | grep -cE '^ok [0-9]+.*# SKIP')
	f=$(printf '%s\n' "$out" | grep -cE '^not ok [0-9]+')
	bail=""
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1; bail=" (exited $rc without a failing case)"
	fi
	if ! printf '%s\n' "$out" | grep -qE '^1\.\.[0-9]+$'; then
		f=$((f + 1)); bail="$bail (no TAP plan: did it crash?)"
	fi
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
	printf '%-32s %4d passed, %d failed, %d skipped  %3ds%s\n' "$name" "$p" "$f" "$s" "$((SECONDS - t0))" "$bail"
	if [ "$f" -gt 0 ]; then
		printf '%s\n' "$out" | grep -E -A12 '^not ok' | sed 's/^/    /' | head -60
		[ -s "$TEST_TMP/stderr.log" ] && sed 's/^/    stderr: /' "$TEST_TMP/stderr.log" | head -20
	fi
	return 0
}

for t in "$BUILDDIR"/tests/unit/test_*; do
	[ -x "$t" ] && [ -f "$t" ] || continue
	case $t in *.o|*.log|*.trs) continue;; esac
	run_one "$(basename "$t")" "$t"
done
for t in "$TOP_SRCDIR"/tests/integration/t_*.sh; do
	[ -f "$t" ] || continue
	run_one "$(basename "$t" .sh)" bash "$t"
done

echo "full log: $LOG"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
