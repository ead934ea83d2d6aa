# tests/lib/tap.sh - TAP helpers for the shell test scripts.
# Each script sources this file, runs its cases and ends with `tap_done`.
# Every case prints one line: "ok N - desc", "not ok N - desc" or
# "ok N # SKIP reason"; diagnostics go to stdout prefixed with "# ".
# Environment set by tests/run-all.sh:
#   PLUGINDIR  directory holding the built check_* binaries
#   TOP_SRCDIR source tree root;  TEST_TMP  per-run scratch directory

TAP_N=0
TAP_FAILED=0
: "${TOP_SRCDIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${PLUGINDIR:=$TOP_SRCDIR/build/plugins}"
: "${TEST_TMP:=$(mktemp -d /tmp/adtest.XXXXXX)}"
mkdir -p "$TEST_TMP"

tap_diag() { printf '%s\n' "$@" | sed 's/^/# /'; }

ok() {            # ok "description"
	TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $*"
}
not_ok() {        # not_ok "description" [diagnostic lines...]
	TAP_N=$((TAP_N + 1)); TAP_FAILED=$((TAP_FAILED + 1))
	echo "not ok $TAP_N - $1"; shift
	[ $# -gt 0 ] && tap_diag "$@"
	return 0
}
skip() {          # skip "description" "reason"
	TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $1 # SKIP ${2:-}"
}
check() {         # check "description" command... : ok when command succeeds
	local d=$1; shift
	if "$@"; then ok "$d"; else not_ok "$d" "command failed: $*"; fi
}

tap_done() { echo "1..$TAP_N"; [ "$TAP_FAILED" -eq 0 ]; }

state_name() {
	case $1 in 0) echo OK;; 1) echo WARNING;; 2) echo CRITICAL;; 3) echo UNKNOWN;; *) echo "EXIT$1";; esac
}

# perfdata_valid LINE1: the perfdata part of a first output line follows the
# Monitoring Plugins guidelines ('label'=value[UOM];[warn];[crit];[min];[max]).
perfdata_valid() {
	local line=$1 perf tok num rng
	case $line in *"|"*) ;; *) return 0;; esac
	perf=${line#*|}
	case $perf in *"|"*) echo "more than one '|'"; return 1;; esac
	num='-?[0-9]+(\.[0-9]+)?'
	rng="@?(~|$num)?:?($num)?"
	for tok in $perf; do
		if ! printf '%s' "$tok" | grep -Eq "^('[^'=]+'|[^' =]+)=$num(s|ms|us|%|B|KB|MB|TB|c)?(;($rng)?(;($rng)?(;($num)?(;($num)?)?)?)?)?$"; then
			echo "bad perfdata token: $tok"; return 1
		fi
	done
	return 0
}

# expect_check DESC STATE ERE -- cmd args...
#   Runs a plugin, checks the exit code equals STATE (0-3 or a name), that
#   the first line matches the extended regex ERE, that the first line starts
#   with "<SERVICE> <STATE>", that perfdata is well formed, and that no text
#   line contains '|' (only the first line may, as the perfdata separator).
#   The output is left in $OUT, the exit code in $RC, the first line in $LINE1.
expect_check() {
	local desc=$1 want=$2 ere=$3; shift 3
	[ "$1" = "--" ] && shift
	case $want in OK) want=0;; WARNING) want=1;; CRITICAL) want=2;; UNKNOWN) want=3;; esac
	OUT=$("$@" 2>"$TEST_TMP/stderr"); RC=$?
	LINE1=$(printf '%s\n' "$OUT" | head -n 1)
	local why=()
	[ "$RC" = "$want" ] || why+=("exit $RC ($(state_name "$RC")), wanted $want ($(state_name "$want"))")
	printf '%s\n' "$LINE1" | grep -Eq -- "$ere" || why+=("first line does not match /$ere/")
	printf '%s\n' "$LINE1" | grep -Eq "^[A-Z0-9 ]+ (OK|WARNING|CRITICAL|UNKNOWN)( - |: |$)" || why+=("first line lacks 'SERVICE STATE'")
	printf '%s\n' "$LINE1" | grep -q " $(state_name "$RC")" || why+=("state word does not match exit code")
	local pv; pv=$(perfdata_valid "$LINE1") || why+=("$pv")
	if printf '%s\n' "$OUT" | tail -n +2 | grep -q '|'; then why+=("'|' in long output"); fi
	if [ ${#why[@]} -eq 0 ]; then ok "$desc"; else
		not_ok "$desc" "${why[@]}" "command: $*" "output:" "$OUT" "stderr: $(head -c 500 "$TEST_TMP/stderr")"
	fi
}

# expect_output DESC ERE: the last $OUT (all lines) matches ERE somewhere.
expect_output() {
	if printf '%s\n' "$OUT" | grep -Eq -- "$2"; then ok "$1"; else not_ok "$1" "output lacks /$2/" "$OUT"; fi
}
expect_no_output() {
	if printf '%s\n' "$OUT" | grep -Eq -- "$2"; then not_ok "$1" "output has /$2/" "$OUT"; else ok "$1"; fi
}
# perf_value LABEL: the value of a perfdata label in $LINE1 (without UOM).
perf_value() {
	printf '%s\n' "${LINE1#*|}" | tr ' ' '\n' | sed -n "s/^'\{0,1\}$1'\{0,1\}=\(-\{0,1\}[0-9.]*\).*/\1/p" | head -n 1
}
expect_perf() {   # expect_perf LABEL VALUE
	local v; v=$(perf_value "$1")
	if [ "$v" = "$2" ]; then ok "perfdata $1=$2"; else not_ok "perfdata $1=$2" "got '$v' in: $LINE1"; fi
}
