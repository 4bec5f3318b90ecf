#!/bin/bash
# Clean shutdown on a signal.  Start "-s DIR -M DIR.mgmt -p PIDFILE", attach
# two vde_plug clients, send the signal, then:
#   * the switch exits within 2 s (SIGTERM: status 0; SIGINT: status 0, or
#     death by SIGINT after cleaning up, which is what vde_switch does: it
#     re-raises SIGINT, so the shell sees 130);
#   * DIR, DIR/ctl, every DIR/NNN.* socket, the mgmt socket and the pidfile
#     are gone;
#   * both vde_plug clients notice (EOF on their control connection) and
#     exit by themselves within 2 s.
# Runs once with SIGTERM and once with SIGINT.
. "$(dirname "$0")/lib.sh"

ls_require_cmd vde_plug unixcmd

base=$(ls_tmpdir)

run_case() {
	local sig=$1 d=$base/$1 rc pid1 pid2 p1 p2 f
	mkdir -p "$d"
	local sw=$d/sw mgmt=$d/sw.mgmt pidf=$d/sw.pid
	ls_log "---- $sig ----"
	ls_start_switch "$sw" -M "$mgmt" -p "$pidf"
	local spid=$LS_SWITCH_PID

	ls_wait_until 5 test -s "$pidf" || ls_fail "$sig: pidfile $pidf not written"
	[ "$(tr -dc 0-9 <"$pidf")" = "$spid" ] ||
		ls_fail "$sig: pidfile has '$(cat "$pidf")', switch pid is $spid"
	[ -S "$mgmt" ] || ls_fail "$sig: no management socket $mgmt"

	ls_plug_stream "vde://$sw"
	pid1=$LS_PLUG_PID
	ls_plug_stream "vde://$sw"
	pid2=$LS_PLUG_PID
	ls_wait_until 5 ls_port_of_pid "$mgmt" "$pid1" || ls_fail "$sig: client 1 not attached"
	ls_wait_until 5 ls_port_of_pid "$mgmt" "$pid2" || ls_fail "$sig: client 2 not attached"
	p1=$(ls_port_of_pid "$mgmt" "$pid1")
	p2=$(ls_port_of_pid "$mgmt" "$pid2")
	# Both data sockets exist before the signal (so "gone" below means
	# something).
	for f in "$(printf '%03d' "$p1")" "$(printf '%03d' "$p2")"; do
		compgen -G "$sw/$f.*" >/dev/null || ls_fail "$sig: no data socket $sw/$f.*"
	done
	ls -la "$sw" "$d" >&2

	kill -"$sig" "$spid"
	ls_wait_until 2 ls_pid_gone "$spid" ||
		ls_fail "$sig: switch still running 2 s after SIG$sig"
	rc=0
	wait "$spid" || rc=$?
	ls_log "$sig: switch exit status $rc"
	case "$sig:$rc" in
	TERM:0 | INT:0) ;;
	INT:130)
		ls_is_stock || ls_log "note: linkswitch died by SIGINT (re-raised) instead of exit 0"
		;;
	*) ls_fail "$sig: switch exit status $rc (expected 0)" ;;
	esac

	ls -la "$d" >&2
	[ ! -e "$sw/ctl" ] || ls_fail "$sig: $sw/ctl left behind"
	if compgen -G "$sw/[0-9][0-9][0-9]*.*" >/dev/null; then
		ls_fail "$sig: data sockets left behind: $(echo "$sw"/[0-9][0-9][0-9]*.*)"
	fi
	[ ! -e "$sw" ] || ls_fail "$sig: switch directory $sw left behind ($(ls -A "$sw" | tr '\n' ' '))"
	[ ! -e "$mgmt" ] || ls_fail "$sig: management socket $mgmt left behind"
	[ ! -e "$pidf" ] || ls_fail "$sig: pidfile $pidf left behind"

	ls_wait_until 2 ls_pid_gone "$pid1" || ls_fail "$sig: vde_plug client 1 still running"
	ls_wait_until 2 ls_pid_gone "$pid2" || ls_fail "$sig: vde_plug client 2 still running"
	ls_log "$sig: ok"
}

run_case TERM
run_case INT
ls_pass "040 SIGTERM/SIGINT clean shutdown"
