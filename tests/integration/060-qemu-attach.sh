#!/bin/bash
# QEMU's own vde netdev attaches unchanged:
#   qemu-system-x86_64 -nodefaults -display none -S
#     -netdev vde,id=n0,sock=DIR -device e1000,netdev=n0,mac=52:54:00:12:34:56
# (TCG only, -S so no guest code runs).  port/print must show an endpoint
# "QEMU user=... pid=<qemu pid>"; with "port=7" it must land on port 7; when
# QEMU is killed its port must disappear from port/print.
. "$(dirname "$0")/lib.sh"

command -v qemu-system-x86_64 >/dev/null 2>&1 || ls_skip "qemu-system-x86_64 not installed"
ls_require_cmd unixcmd

d=$(ls_tmpdir)
sw=$d/sw
mgmt=$d/mgmt
ls_start_switch "$sw" -M "$mgmt"

# start_qemu NETDEV_EXTRA: sets QPID.
start_qemu() {
	ls_bg qemu-system-x86_64 -nodefaults -display none -S -accel tcg -m 32 \
		-netdev "vde,id=n0,sock=$sw$1" \
		-device e1000,netdev=n0,mac=52:54:00:12:34:56 >/dev/null
	QPID=$LS_BG_PID
}

# check_attached PID [PORT]: wait for the QEMU endpoint, check description
# and (if given) port; prints the port.
check_attached() {
	local pid=$1 want=${2:-} port line
	if ! ls_wait_until 20 ls_port_of_pid "$mgmt" "$pid"; then
		ls_pid_gone "$pid" && ls_fail "QEMU exited: $(tail -n 5 "$(ls_bg_log "$pid")")"
		ls_fail "QEMU (pid $pid) did not show up in port/print within 20 s"
	fi
	port=$(ls_port_of_pid "$mgmt" "$pid")
	line=$(ls_endpoints "$mgmt" | awk -v p="$port" '$1 == p' | grep "pid=$pid" | head -n 1)
	ls_log "QEMU pid $pid on port $port: ${line#* }"
	case "${line#* }" in
	QEMU*) ;;
	*) ls_fail "endpoint description '${line#* }' does not start with QEMU" ;;
	esac
	if [ -n "$want" ] && [ "$port" != "$want" ]; then
		ls_fail "QEMU landed on port $port, expected $want"
	fi
	compgen -G "$sw/$(printf '%03d' "$port").*" >/dev/null ||
		ls_fail "no data socket $sw/$(printf '%03d' "$port").*"
	printf '%s\n' "$port"
}

# kill_and_check PID PORT SIG: kill QEMU, its port must go inactive.
kill_and_check() {
	local pid=$1 port=$2 sig=$3
	kill -"$sig" "$pid"
	ls_wait_until 5 ls_pid_gone "$pid" || ls_fail "QEMU pid $pid would not die"
	ls_wait_until 5 eval "! ls_port_listed '$mgmt' '$port'" ||
		ls_fail "port $port still listed in port/print after QEMU was killed"
	ls_port_of_pid "$mgmt" "$pid" >/dev/null &&
		ls_fail "QEMU endpoint pid=$pid still listed after kill"
	compgen -G "$sw/$(printf '%03d' "$port").*" >/dev/null &&
		ls_fail "data socket $sw/$(printf '%03d' "$port").* left behind"
	return 0
}

# 1. default port
start_qemu ""
q1=$QPID
p1=$(check_attached "$q1")
[ "$p1" -ge 1 ] || ls_fail "QEMU got port $p1, expected an ordinary port (>= 1)"
ls_mgmt "$mgmt" port/print

# 2. port=7, while the first one is still attached
start_qemu ",port=7"
q2=$QPID
check_attached "$q2" 7 >/dev/null
[ "$(ls_ports "$mgmt" | wc -l)" -eq 2 ] || ls_fail "expected 2 active ports with two QEMUs"

# 3. killing QEMU (SIGTERM, then SIGKILL: no chance to say goodbye) makes
#    its port inactive and leaves the other one alone
kill_and_check "$q2" 7 TERM
ls_port_listed "$mgmt" "$p1" || ls_fail "port $p1 of the first QEMU vanished too"
kill_and_check "$q1" "$p1" KILL
[ "$(ls_ports "$mgmt" | wc -l)" -eq 0 ] || ls_fail "ports still active after both QEMUs died"

kill -0 "$LS_SWITCH_PID" || ls_fail "switch died"
ls_pass "060 QEMU -netdev vde attach, port=7, detach"
