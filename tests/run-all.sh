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
mkdir -p "$TEST_ROOT"
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

# The unit tests are those of the source tree (tests/unit/test_*.c), not
# whatever binaries the build directory happens to hold: a unit test that
# did not build (or is missing from check_PROGRAMS) is a failure, never a
# test that silently vanishes.
KNOWN=" "
for src in "$TOP_SRCDIR"/tests/unit/test_*.c; do
	[ -f "$src" ] || continue
	name=$(basename "$src" .c)
	KNOWN+="$name "
	t=$BUILDDIR/tests/unit/$name
	if [ -f "$t" ] && [ -x "$t" ]; then
		run_one "$name" "$t"
	else
		if grep -qE "(^|[[:space:]])tests/unit/$name([[:space:]]|$)" "$TOP_SRCDIR"/*.am 2>/dev/null; then
			why="not built: run scripts/build $BUILDDIR and see why it failed"
		else
			why="not in check_PROGRAMS (Makefile.am or a *.am fragment), so never built"
		fi
		run_one "$name" bash -c 'printf "not ok 1 - unit test %s: %s is missing (%s)\n1..1\n" "$1" "$2" "$3"; exit 1' \
			missing "$name" "$t" "$why"
	fi
done
for t in "$TOP_SRCDIR"/tests/integration/t_*.sh; do
	[ -f "$t" ] || continue
	KNOWN+="$(basename "$t" .sh) "
	run_one "$(basename "$t" .sh)" bash "$t"
done
# a name in TESTS that is no test at all (a typo) must not pass as "nothing failed"
for n in ${TESTS:-}; do
	case $KNOWN in *" $n "*) ;; *)
		printf '%-32s no such test (TESTS names: test_* unit tests, t_* scripts)\n' "$n"
		failed=$((failed + 1));;
	esac
done

echo "full log: $LOG"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
