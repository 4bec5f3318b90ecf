#!/bin/sh
# Test runner:  sh tests/run.sh BUILD_DIR [FILTER...]
#
# 1. every unit test binary BUILD_DIR/unit/test_* (cmocka; each test case
#    counts, from the "[  PASSED  ] N test(s)." / "[  FAILED  ] N test(s)"
#    / "[  SKIPPED ] N test(s)" summary lines);
# 2. every tests/integration/NNN-*.sh, in order (one test each; exit 0 =
#    pass, 77 = skip, anything else = fail; killed after LS_TEST_TIMEOUT
#    seconds, default 300, which is a failure).
#
# FILTER: run only the tests whose name contains one of the given strings
# (unit binaries by binary name, integration scripts by file name).
# Logs: BUILD_DIR/test-logs/NAME.log.  The last line printed is always
# "N passed, N failed, N skipped"; exit status 1 if anything failed.
#
# Exported to the tests: LS_BUILD (absolute BUILD_DIR), LS_SWITCH (default
# $LS_BUILD/linkswitch unless already set, e.g. LS_SWITCH=vde_switch),
# LS_TOOLS, LS_LINKCTL.
set -u

if [ $# -lt 1 ]; then
	echo "usage: sh tests/run.sh BUILD_DIR [FILTER...]" >&2
	exit 2
fi
[ -d "$1" ] || { echo "run.sh: no such build dir: $1" >&2; exit 2; }
LS_BUILD=$(cd "$1" && pwd)
shift
TESTS_DIR=$(cd "$(dirname "$0")" && pwd)
: "${LS_SWITCH:=$LS_BUILD/linkswitch}"
: "${LS_TOOLS:=$LS_BUILD/tools}"
LS_LINKCTL=$LS_BUILD/linkctl
export LS_BUILD LS_SWITCH LS_TOOLS LS_LINKCTL
TIMEOUT=${LS_TEST_TIMEOUT:-300}
LOGDIR=$LS_BUILD/test-logs
mkdir -p "$LOGDIR"

npass=0
nfail=0
nskip=0
CHILD=""
INTERRUPTED=0

# shellcheck disable=SC2317 # called from the trap
on_signal() {
	INTERRUPTED=1
	# timeout(1) forwards the signal to the test's whole process group, so
	# the test's own EXIT trap cleans up.
	[ -n "$CHILD" ] && kill -TERM "$CHILD" 2>/dev/null
}
trap on_signal INT TERM HUP

# run_logged OUT ERR CMD...: run CMD under timeout, stdout to OUT, stderr
# to ERR (may be the same file); sets RC (124/137 = timed out).
run_logged() {
	_out=$1
	_err=$2
	shift 2
	if [ "$_out" = "$_err" ]; then
		timeout -k 15 "$TIMEOUT" "$@" </dev/null >"$_out" 2>&1 &
	else
		timeout -k 15 "$TIMEOUT" "$@" </dev/null >"$_out" 2>"$_err" &
	fi
	CHILD=$!
	RC=0
	wait "$CHILD" || RC=$?
	# A trapped signal interrupts wait: wait again until the child is gone.
	while kill -0 "$CHILD" 2>/dev/null; do
		RC=0
		wait "$CHILD" || RC=$?
	done
	CHILD=""
}

# selected NAME [FILTER...]: no filter, or NAME contains one of them.
selected() {
	_n=$1
	shift
	[ $# -gt 0 ] || return 0
	for _f in "$@"; do
		case "$_n" in *"$_f"*) return 0 ;; esac
	done
	return 1
}

show_tail() {
	echo "---- last 30 lines of $1 ----"
	tail -n 30 "$1"
	echo "----"
}

# ------------------------------------------------------------ unit tests
for bin in "$LS_BUILD"/unit/test_*; do
	if [ ! -f "$bin" ] || [ ! -x "$bin" ]; then continue; fi
	[ "$INTERRUPTED" -eq 0 ] || break
	name=$(basename "$bin")
	selected "$name" "$@" || continue
	log=$LOGDIR/$name.log
	run_logged "$log.out" "$log.err" env CMOCKA_MESSAGE_OUTPUT=STDOUT "$bin"
	{
		cat "$log.out"
		echo "---- stderr ----"
		cat "$log.err"
	} >"$log"
	# Per-case lines come from stdout ("[ RUN      ] x" then "[       OK ] x",
	# "[  FAILED  ] x" or "[  SKIPPED ] x"); the counts from the summary
	# lines, wherever cmocka printed them.
	awk -v bin="$name" '
		/^\[ RUN      \] / { cur = substr($0, 14); next }
		cur != "" && /^\[       OK \] /  { print "PASS " bin "/" cur; cur = ""; next }
		cur != "" && /^\[  FAILED  \] /  { print "FAIL " bin "/" cur; cur = ""; next }
		cur != "" && /^\[  SKIPPED \] /  { print "SKIP " bin "/" cur ": skipped"; cur = ""; next }
	' "$log.out"
	counts=$(awk '
		/^\[  PASSED  \] [0-9]+ test/  { p += $4 }
		/^\[  FAILED  \] [0-9]+ test/  { f += $4 }
		/^\[  SKIPPED \] [0-9]+ test/  { s += $4 }
		END { printf "%d %d %d %d", p, f, s, (p + f + s) }
	' "$log.out" "$log.err")
	rm -f "$log.out" "$log.err"
	cp=$(echo "$counts" | cut -d" " -f1)
	cf=$(echo "$counts" | cut -d" " -f2)
	cs=$(echo "$counts" | cut -d" " -f3)
	ct=$(echo "$counts" | cut -d" " -f4)
	if [ "$RC" -ne 0 ] && [ "$cf" -eq 0 ]; then
		# crashed, timed out, or failed outside any test case
		if [ "$RC" -eq 124 ] || [ "$RC" -eq 137 ]; then
			echo "FAIL $name (timeout after ${TIMEOUT}s)"
		else
			echo "FAIL $name (exit $RC)"
		fi
		cf=1
	elif [ "$RC" -eq 0 ] && [ "$ct" -eq 0 ]; then
		echo "PASS $name (no cmocka summary)"
		cp=1
	fi
	npass=$((npass + cp))
	nfail=$((nfail + cf))
	nskip=$((nskip + cs))
	[ "$cf" -eq 0 ] || show_tail "$log"
done

# ----------------------------------------------------- integration tests
for t in "$TESTS_DIR"/integration/[0-9][0-9][0-9]-*.sh; do
	[ -f "$t" ] || continue
	[ "$INTERRUPTED" -eq 0 ] || break
	name=$(basename "$t" .sh)
	selected "$name" "$@" || continue
	log=$LOGDIR/$name.log
	run_logged "$log" "$log" bash "$t"
	if [ "$INTERRUPTED" -ne 0 ]; then
		echo "FAIL $name (interrupted)"
		nfail=$((nfail + 1))
		break
	fi
	case $RC in
	0)
		echo "PASS $name"
		npass=$((npass + 1))
		;;
	77)
		reason=$(sed -n 's/^SKIP: //p' "$log" | tail -n 1)
		echo "SKIP $name: ${reason:-no reason given}"
		nskip=$((nskip + 1))
		;;
	124 | 137)
		echo "FAIL $name (timeout after ${TIMEOUT}s, exit $RC)"
		nfail=$((nfail + 1))
		show_tail "$log"
		;;
	*)
		echo "FAIL $name (exit $RC)"
		nfail=$((nfail + 1))
		show_tail "$log"
		;;
	esac
done

[ "$INTERRUPTED" -eq 0 ] || echo "interrupted"
echo "$npass passed, $nfail failed, $nskip skipped"
[ "$INTERRUPTED" -eq 0 ] || exit 130
[ "$nfail" -eq 0 ] || exit 1
exit 0
