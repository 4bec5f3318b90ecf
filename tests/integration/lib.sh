# shellcheck shell=bash
# Helpers for linkswitch integration tests.  Source it first thing:
#
#   #!/bin/bash
#   . "$(dirname "$0")/lib.sh"
#
# It turns on strict mode (set -euo pipefail) and installs an EXIT trap that
# runs every action registered with ls_on_exit in reverse order, on every
# exit path (success, ls_fail, a failed command under set -e, Ctrl-C,
# SIGTERM from run.sh's timeout).  Registrations are kept in a file, so
# helpers work inside $(...) too (ls_tmpdir, ls_netns, ls_bg print a value
# and are meant to be called that way).
#
# Environment (run.sh exports these; defaults make a script runnable alone):
#   LS_BUILD   absolute build dir            (default: <repo>/build)
#   LS_SWITCH  switch binary under test      (default: $LS_BUILD/linkswitch)
#              set LS_SWITCH=vde_switch to run against Debian's switch
#   LS_TOOLS   test tools ($LS_BUILD/tools), LS_LINKCTL ($LS_BUILD/linkctl)
#
# Exit codes: 0 pass, 77 skip (ls_skip), anything else fail.

set -euo pipefail

LS_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LS_REPO=$(cd "$LS_LIB_DIR/../.." && pwd)
: "${LS_BUILD:=$LS_REPO/build}"
: "${LS_SWITCH:=$LS_BUILD/linkswitch}"
: "${LS_TOOLS:=$LS_BUILD/tools}"
: "${LS_LINKCTL:=$LS_BUILD/linkctl}"
export LS_BUILD LS_SWITCH LS_TOOLS LS_LINKCTL
LS_TEST_NAME=$(basename "$0" .sh)

# Per-run private state: cleanup list, logs of background processes.
LS_STATE=$(mktemp -d "${TMPDIR:-/tmp}/lstest.XXXXXX")
LS_MAIN_PID=$BASHPID
: >"$LS_STATE/cleanup"

# ---------------------------------------------------------------- logging

ls_log() { printf '[%s] %s\n' "$LS_TEST_NAME" "$*" >&2; }

# ls_fail MSG: report a failed assertion and exit 1 (cleanup runs).
ls_fail() {
	printf 'FAIL: %s\n' "$*" >&2
	exit 1
}

# ls_skip MSG: skip this test (exit 77).  run.sh shows MSG as the reason.
ls_skip() {
	printf 'SKIP: %s\n' "$*"
	exit 77
}

# ls_pass [MSG]: optional final message, for readable logs.
ls_pass() { printf 'PASS: %s\n' "${*:-$LS_TEST_NAME}"; }

ls_require_root() {
	[ "$(id -u)" -eq 0 ] || ls_skip "needs root (network namespaces, taps)"
}

# ls_require_cmd CMD...: skip unless every command exists.
ls_require_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || ls_skip "$c not installed"
	done
}

# ls_require_switch: the switch under test must exist (fail, not skip: a
# missing binary after `make` is a real problem).
ls_require_switch() {
	command -v "$LS_SWITCH" >/dev/null 2>&1 ||
		ls_fail "switch under test not found: $LS_SWITCH"
}

# ls_is_stock: true when the switch under test is Debian's vde_switch
# (whose behaviour differs in a few documented places).
ls_is_stock() {
	case "$(basename "$LS_SWITCH")" in
	vde_switch*) return 0 ;;
	*) return 1 ;;
	esac
}

# ---------------------------------------------------------------- cleanup

# ls_on_exit CMD [ARGS...]: register a cleanup action (run in reverse order
# at exit, errors ignored).  Arguments are quoted, so paths with spaces work.
ls_on_exit() {
	local q
	q=$(printf '%q ' "$@")
	printf '%s\n' "$q" >>"$LS_STATE/cleanup"
}

_ls_dump_logs() {
	local f
	for f in "$LS_STATE"/*.log; do
		[ -s "$f" ] || continue
		printf -- '--- %s (last 25 lines) ---\n' "$(basename "$f")" >&2
		tail -n 25 "$f" >&2 || true
	done
}

_ls_exit() {
	local rc=$?
	# Only the main shell cleans up (subshells do not inherit the trap in
	# bash, but be defensive).
	[ "$BASHPID" = "$LS_MAIN_PID" ] || return 0
	trap - EXIT ERR
	trap '' INT TERM HUP
	set +euo pipefail
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ]; then
		_ls_dump_logs
	fi
	local line
	if [ -s "$LS_STATE/cleanup" ]; then
		while IFS= read -r line; do
			[ -n "$line" ] || continue
			eval "$line" </dev/null >/dev/null 2>&1
		done < <(tac "$LS_STATE/cleanup")
	fi
	rm -rf "$LS_STATE"
	exit "$rc"
}
trap _ls_exit EXIT
# A command failing under set -e exits silently: say which one.
set -E
trap 'ls_log "command failed (exit $?) at ${BASH_SOURCE[0]##*/}:$LINENO: $BASH_COMMAND"' ERR
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# _ls_alive PID: process exists and is not a zombie.
_ls_alive() {
	local st
	[ -r "/proc/$1/stat" ] || return 1
	st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1) || return 1
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# ls_kill PID [GRACE_S]: SIGTERM, wait up to GRACE_S (default 3) seconds,
# then SIGKILL; reap it if it is our child.  Never fails.
ls_kill() {
	local pid=$1 grace=${2:-3} i
	[ -n "$pid" ] || return 0
	if _ls_alive "$pid"; then
		kill -TERM "$pid" 2>/dev/null || true
		for ((i = 0; i < grace * 20; i++)); do
			_ls_alive "$pid" || break
			sleep 0.05
		done
		if _ls_alive "$pid"; then
			kill -KILL "$pid" 2>/dev/null || true
			for ((i = 0; i < 40; i++)); do
				_ls_alive "$pid" || break
				sleep 0.05
			done
		fi
	fi
	wait "$pid" 2>/dev/null || true
	return 0
}

# ---------------------------------------------------------------- resources

# ls_tmpdir: create a temp dir removed at exit; prints its path.
ls_tmpdir() {
	local d
	d=$(mktemp -d "${TMPDIR:-/tmp}/lsdir.XXXXXX")
	ls_on_exit rm -rf "$d"
	printf '%s\n' "$d"
}

# ls_netns NAME: create network namespace "ls<pid>NAME" with lo up; it and
# any process still inside it are removed at exit.  Prints the full name.
ls_netns() {
	local ns="ls$$$1"
	ip netns add "$ns" || ls_fail "ip netns add $ns failed"
	ls_on_exit _ls_netns_del "$ns"
	ip -n "$ns" link set lo up || ls_fail "lo up in $ns failed"
	printf '%s\n' "$ns"
}

_ls_netns_del() {
	local ns=$1 p
	for p in $(ip netns pids "$ns" 2>/dev/null); do
		ls_kill "$p" 2
	done
	ip netns del "$ns" 2>/dev/null || true
}

# ls_bg CMD [ARGS...]: start CMD in the background (stdin /dev/null, output
# to a log in the state dir, shown when the test fails); killed at exit.
# Prints the pid and also sets LS_BG_PID (when not called in $(...)).
# ls_bg_log PID prints the path of that log.
ls_bg() {
	local tmp="$LS_STATE/bg.tmp.$BASHPID.$RANDOM" pid fd
	# Open the log here, not in the child: then renaming it after the fork
	# cannot race with the child's open().
	exec {fd}>"$tmp"
	"$@" </dev/null >&"$fd" 2>&1 {fd}>&- &
	pid=$!
	exec {fd}>&-
	mv "$tmp" "$LS_STATE/bg.$pid.log"
	ls_on_exit ls_kill "$pid"
	LS_BG_PID=$pid
	printf '%s\n' "$pid"
}

ls_bg_log() { printf '%s\n' "$LS_STATE/bg.$1.log"; }

# ls_wait_until TIMEOUT_S CMD [ARGS...]: run CMD every 0.1 s until it
# succeeds (return 0) or TIMEOUT_S seconds pass (return 1).  Fractional
# timeouts work.  Use as: ls_wait_until 5 test -S "$d/ctl" || ls_fail ...
ls_wait_until() {
	local t=$1 end
	shift
	end=$(($(_ls_now_us) + $(awk -v t="$t" 'BEGIN { printf "%d", t * 1000000 }')))
	while :; do
		if "$@" >/dev/null 2>&1; then return 0; fi
		[ "$(_ls_now_us)" -lt "$end" ] || return 1
		sleep 0.1
	done
}

# _ls_now_us: wall clock in microseconds.  ls_elapsed_ms START_US: ms since.
_ls_now_us() { local t=${EPOCHREALTIME/[.,]/}; printf '%s\n' "$((10#$t))"; }
ls_elapsed_ms() { printf '%s\n' "$((($(_ls_now_us) - $1) / 1000))"; }

# ls_timeout SECS CMD [ARGS...]: like timeout(1), but CMD stays in the
# test's process group, so Ctrl-C and run.sh's timeout reach it.  (Plain
# `timeout` puts CMD in a new process group: a signal to the test then
# waits for CMD before the cleanup trap can run.)  Use this, never plain
# timeout, in tests.
ls_timeout() { timeout --foreground -k 3 "$@"; }

# ls_pid_gone PID: for ls_wait_until (true once PID has exited).
ls_pid_gone() { ! _ls_alive "$1"; }

# ---------------------------------------------------------------- switch

# ls_start_switch DIR [ARGS...]: start "$LS_SWITCH -s DIR ARGS" in the
# background.  Its stdin is a fifo held open by a helper `sleep`, so the
# console does not see EOF (ls_switch_console writes commands into it,
# ls_switch_close_stdin makes it see EOF).  stdout+stderr go to
# LS_SWITCH_LOG.  Waits up to 5 s for DIR/ctl.  Sets LS_SWITCH_PID (a child
# of this shell: `wait $LS_SWITCH_PID` gives its exit status),
# LS_SWITCH_DIR, LS_SWITCH_LOG, LS_SWITCH_FIFO, LS_SWITCH_STDIN_PID.
# Killed (TERM, then KILL) at exit.  Do not call it inside $(...).
ls_start_switch() {
	local dir=$1 n
	shift
	ls_require_switch
	n=$(compgen -G "$LS_STATE/switch.*.log" | wc -l || true)
	LS_SWITCH_LOG="$LS_STATE/switch.$n.log"
	LS_SWITCH_FIFO="$LS_STATE/switch.$n.stdin"
	# shellcheck disable=SC2034 # for the tests
	LS_SWITCH_DIR=$dir
	mkfifo "$LS_SWITCH_FIFO"
	# The writer blocks in open() until the switch opens the read end.
	sleep 1000000 >"$LS_SWITCH_FIFO" &
	LS_SWITCH_STDIN_PID=$!
	ls_on_exit kill -KILL "$LS_SWITCH_STDIN_PID"
	# Background jobs of a non-interactive shell start with SIGINT/SIGQUIT
	# ignored; restore the defaults so the switch sees what it would see
	# when started from a terminal.
	(
		trap - INT QUIT
		exec "$LS_SWITCH" -s "$dir" "$@"
	) <"$LS_SWITCH_FIFO" >"$LS_SWITCH_LOG" 2>&1 &
	LS_SWITCH_PID=$!
	ls_on_exit ls_kill "$LS_SWITCH_PID"
	if ! ls_wait_until 5 test -S "$dir/ctl"; then
		if ! _ls_alive "$LS_SWITCH_PID"; then
			ls_fail "switch exited at start-up: $LS_SWITCH -s $dir $*"
		fi
		ls_fail "switch did not create $dir/ctl within 5 s"
	fi
}

# ls_switch_console CMD: write one console command to the switch's stdin
# (its output lands in LS_SWITCH_LOG).
ls_switch_console() { printf '%s\n' "$*" >"$LS_SWITCH_FIFO"; }

# ls_switch_close_stdin: EOF on the switch's console stdin.
ls_switch_close_stdin() {
	kill -KILL "$LS_SWITCH_STDIN_PID" 2>/dev/null || true
	wait "$LS_SWITCH_STDIN_PID" 2>/dev/null || true
}

# ls_mgmt SOCK CMD [ARGS...]: run one console command over a management
# socket with vde2's unixcmd; prints the data lines (NULs stripped).  The
# result code is not visible this way (unixcmd never prints it and always
# exits 255): use ls_mgmt_rc when it matters.
ls_mgmt() {
	local sock=$1
	shift
	{ ls_timeout 10 unixcmd -s "$sock" -f /etc/vde2/vdecmd "$@" || true; } |
		tr -d '\000'
}

# ls_mgmt_rc SOCK CMD [ARGS...]: same, speaking the protocol directly (socat).
# Prints the data lines, then the result line (e.g. "1000 Success") as the
# last line.  Returns 0 if a result line was received, 1 otherwise.
ls_mgmt_rc() {
	local sock=$1 line c got=1
	shift
	local cmd="$*"
	coproc LSMGMT { exec timeout --foreground -k 2 10 socat - "UNIX-CONNECT:$sock" 2>/dev/null; }
	local in=${LSMGMT[0]} out=${LSMGMT[1]}
	# banner + "\nvde$ "
	if IFS= read -r -t 5 -d '$' line <&"$in" && IFS= read -r -t 5 -N 1 c <&"$in"; then
		printf '%s\n' "$cmd" 1>&"$out"
		while IFS= read -r -t 5 line <&"$in"; do
			case "$line" in
			"0000 DATA END WITH"* | .) ;;
			3[0-9][0-9][0-9]" "*) ;; # asynchronous debug events
			1[0-9][0-9][0-9]" "*)
				printf '%s\n' "$line"
				got=0
				break
				;;
			*) printf '%s\n' "$line" ;;
			esac
		done
		printf 'logout\n' 1>&"$out" 2>/dev/null || true
	fi
	exec {out}>&- {in}<&-
	wait "$LSMGMT_PID" 2>/dev/null || true
	return "$got"
}

# ls_ports SOCK: active port numbers (decimal, one a line) from port/print.
ls_ports() {
	ls_mgmt "$1" port/print | awk '/^Port [0-9]+ .*ACTIVE/ && !/INACTIVE/ {print $2+0}'
}

# ls_endpoints SOCK: "PORT DESCRIPTION" for each endpoint in port/print.
ls_endpoints() {
	ls_mgmt "$1" port/print | awk '
		/^Port [0-9]+ / {p = $2 + 0}
		/^ *-- endpoint ID/ {d = $0; sub(/^[^:]*: /, "", d); print p, d}'
}

# ls_plug_tap NS SWITCHDIR TAP [VDE_URL_SUFFIX]: run
# "ip netns exec NS vde_plug vde://SWITCHDIR[SUFFIX] tap://TAP" in the
# background (killed at exit) and wait up to 5 s for TAP to exist in NS.
# Sets LS_BG_PID.  Do not call it inside $(...).
ls_plug_tap() {
	local ns=$1 dir=$2 tap=$3 sfx=${4:-}
	ls_bg ip netns exec "$ns" vde_plug "vde://$dir$sfx" "tap://$tap" >/dev/null
	ls_wait_until 5 ip -n "$ns" link show "$tap" ||
		ls_fail "vde_plug did not create $tap in $ns: $(cat "$(ls_bg_log "$LS_BG_PID")")"
}

# ls_port_of_pid SOCK PID: port number of the endpoint whose description
# contains "pid=PID" (vde_plug, QEMU and vdereq all put their pid there).
# Returns 1 if there is none (usable with ls_wait_until).
ls_port_of_pid() {
	local p
	p=$(ls_endpoints "$1" | awk -v pat="pid=$2" '
		{ n = split($0, w, " "); for (i = 2; i <= n; i++) if (w[i] == pat) { print $1; exit } }')
	[ -n "$p" ] || return 1
	printf '%s\n' "$p"
}

# ls_port_listed SOCK PORT: true if port/print shows PORT as active.
ls_port_listed() { ls_ports "$1" | grep -qx "$2"; }

# ls_plug_stream URL [VDE_PLUG_OPTIONS...]: run "vde_plug OPTIONS URL" in
# stream mode: frames to send are written into the fifo LS_PLUG_IN (kept
# open by a helper, so vde_plug does not see EOF), frames received are
# appended to LS_PLUG_OUT (2-byte big-endian length + frame each).  Sets
# LS_PLUG_PID.  Killed at exit.  Does not wait for the attachment (use
# ls_wait_until 5 ls_port_of_pid SOCK "$LS_PLUG_PID").  Not inside $(...).
ls_plug_stream() {
	local url=$1 n holder
	shift
	n=$BASHPID.$RANDOM$RANDOM
	LS_PLUG_IN="$LS_STATE/plug.$n.in"
	LS_PLUG_OUT="$LS_STATE/plug.$n.out"
	mkfifo "$LS_PLUG_IN"
	: >"$LS_PLUG_OUT"
	sleep 1000000 >"$LS_PLUG_IN" &
	holder=$!
	ls_on_exit kill -KILL "$holder"
	vde_plug "$@" "$url" <"$LS_PLUG_IN" >"$LS_PLUG_OUT" \
		2>"$LS_STATE/plug.$n.log" &
	LS_PLUG_PID=$!
	ls_on_exit ls_kill "$LS_PLUG_PID"
}

# _ls_hex2bin HEX: write the bytes (one write for small outputs).
_ls_hex2bin() {
	local fmt
	fmt=$(printf '%s' "$1" | sed 's/../\\x&/g')
	# shellcheck disable=SC2059
	printf "$fmt"
}

# ls_frame_hex SRC_LAST_BYTE_HEX MARKER: hex of a 60-byte broadcast frame,
# source MAC 02:00:00:00:00:XX, ethertype 0x88b5 (local experimental),
# payload MARKER (ASCII, at most 46 bytes) zero-padded.
ls_frame_hex() {
	local src=$1 m hex
	m=$(printf '%s' "$2" | od -An -tx1 | tr -d ' \n')
	hex="ffffffffffff0200000000${src}88b5$m"
	while [ ${#hex} -lt 120 ]; do hex="${hex}00"; done
	printf '%s\n' "$hex"
}

# ls_send_frame FIFO SRC_LAST_BYTE_HEX MARKER: send one broadcast frame
# through an ls_plug_stream client (FIFO = its LS_PLUG_IN).
ls_send_frame() {
	_ls_hex2bin "003c$(ls_frame_hex "$2" "$3")" >"$1"
}

# ls_has_marker FILE MARKER: FILE (an LS_PLUG_OUT) contains MARKER.
ls_has_marker() { grep -a -q -- "$2" "$1"; }
