#!/bin/bash
# The stock management clients against the switch under test, with Debian's
# vde_switch as the reference:
#  * unixcmd -s MGMT -f /etc/vde2/vdecmd CMD: the data lines, each followed
#    by a NUL byte, and exit status 255 (always, in stock unixcmd); the
#    output must be byte-identical for both switches (port/showinfo,
#    vlan/print, and an error, which prints nothing);
#  * vdeterm MGMT in a tmux pane: typing port/showinfo shows Numports=...
#    and Success; tab completion (built from 'help') completes
#    port/showi; after debug/add port, attaching a vde_plug shows
#    "** DBG MSG: port/ep/+ ...".
. "$(dirname "$0")/lib.sh"

ls_require_cmd unixcmd vdeterm tmux vde_plug vde_switch cmp
[ -r /etc/vde2/vdecmd ] || ls_skip "/etc/vde2/vdecmd missing (package vde2)"

d=$(ls_tmpdir)
LS_SWITCH=vde_switch ls_start_switch "$d/stock" -M "$d/stock.mgmt"
ls_start_switch "$d/ls" -M "$d/ls.mgmt"
for s in stock ls; do
	ls_wait_until 5 test -S "$d/$s.mgmt" || ls_fail "no $d/$s.mgmt"
done

# ---------------------------------------------------------------- unixcmd

# unixcmd_out SOCK OUT CMD...: raw stdout of unixcmd into OUT; prints its
# exit status.
unixcmd_out() {
	local sock=$1 out=$2 rc=0
	shift 2
	ls_timeout 10 unixcmd -s "$sock" -f /etc/vde2/vdecmd "$@" >"$out" 2>&1 || rc=$?
	printf '%s\n' "$rc"
}

n=0
for cmd in "port/showinfo" "vlan/print" "port/print 5" "vlan/create 4094"; do
	n=$((n + 1))
	# shellcheck disable=SC2086 # the words of the command are arguments
	for s in stock ls; do
		rc=$(unixcmd_out "$d/$s.mgmt" "$d/$s.unixcmd.$n" $cmd)
		[ "$rc" -eq 255 ] ||
			ls_fail "$s: unixcmd $cmd exited $rc, stock unixcmd always exits 255"
	done
	if ! cmp -s "$d/stock.unixcmd.$n" "$d/ls.unixcmd.$n"; then
		echo "vde_switch:"
		od -c "$d/stock.unixcmd.$n"
		echo "$LS_SWITCH:"
		od -c "$d/ls.unixcmd.$n"
		ls_fail "unixcmd $cmd: output differs from vde_switch"
	fi
	ls_log "unixcmd $cmd: $(wc -c <"$d/ls.unixcmd.$n") bytes identical"
done
# The first one must really be port/showinfo with a NUL after each line.
want=$(printf 'Numports=32\n\0HUB=false\n\0counters=true\n\0' | od -An -c)
got=$(od -An -c <"$d/ls.unixcmd.1")
[ "$got" = "$want" ] || ls_fail "unixcmd port/showinfo printed: $got"
[ ! -s "$d/ls.unixcmd.3" ] || ls_fail "unixcmd port/print 5 printed something"

# ---------------------------------------------------------------- vdeterm

TMUX_SOCK=$d/tmux.sock
# (A cleanup action that fails makes lib.sh's ERR trap print a confusing
# message: this one fails when every session has ended already.)
# shellcheck disable=SC2016 # $1 is expanded by that sh
ls_on_exit sh -c 'tmux -S "$1" kill-server 2>/dev/null || true' sh "$TMUX_SOCK"
tm() { TERM=xterm tmux -S "$TMUX_SOCK" "$@"; }

# pane_has SESSION STRING: the pane's text contains STRING.
pane_has() {
	tm capture-pane -p -J -S - -t "$1" 2>/dev/null | grep -qF -- "$2"
}

# pane_count_ge SESSION STRING N: at least N lines of the pane contain
# STRING (evaluated on each call, so it works with ls_wait_until).
pane_count_ge() {
	local n
	n=$(tm capture-pane -p -J -S - -t "$1" 2>/dev/null | grep -cF -- "$2" || true)
	[ "${n:-0}" -ge "$3" ]
}

show_pane() {
	echo "---- pane $1 ----"
	tm capture-pane -p -J -S - -t "$1" 2>/dev/null || true
	echo "----"
}

vdeterm_case() {
	local s=$1 sock=$d/$1.mgmt plug
	tm new-session -d -s "$s" -x 200 -y 50 "vdeterm '$sock'"
	ls_wait_until 5 pane_has "$s" "vde[$sock]: " ||
		{ show_pane "$s"; ls_fail "$s: no vdeterm prompt"; }
	tm send-keys -t "$s" "port/showinfo" Enter
	ls_wait_until 5 pane_has "$s" "Success" ||
		{ show_pane "$s"; ls_fail "$s: port/showinfo: no Success in vdeterm"; }
	pane_has "$s" "Numports=32" ||
		{ show_pane "$s"; ls_fail "$s: port/showinfo: no Numports=32 in vdeterm"; }
	pane_has "$s" "HUB=false" || { show_pane "$s"; ls_fail "$s: no HUB=false"; }

	# Completion: vdeterm builds its word list from 'help'.
	tm send-keys -t "$s" "port/showi" Tab
	ls_wait_until 5 pane_has "$s" "vde[$sock]: port/showinfo" ||
		{ show_pane "$s"; ls_fail "$s: vdeterm did not complete port/showi"; }
	tm send-keys -t "$s" Enter
	ls_wait_until 5 pane_count_ge "$s" "Numports=32" 2 ||
		{ show_pane "$s"; ls_fail "$s: completed command did not run"; }

	tm send-keys -t "$s" "debug/add port" Enter
	ls_wait_until 5 pane_count_ge "$s" "Success" 3 ||
		{ show_pane "$s"; ls_fail "$s: debug/add port: no Success"; }
	ls_plug_stream "vde://$d/$s"
	plug=$LS_PLUG_PID
	ls_wait_until 5 pane_has "$s" "** DBG MSG: port/ep/+ Port " ||
		{ show_pane "$s"; ls_fail "$s: no '** DBG MSG: port/ep/+' after vde_plug attached"; }
	tm capture-pane -p -J -S - -t "$s" |
		grep -Eq '^\*\* DBG MSG: port/ep/\+ Port [0-9]{2} FD +[0-9]+$' ||
		{ show_pane "$s"; ls_fail "$s: malformed port/ep/+ line"; }
	ls_wait_until 5 pane_has "$s" "** DBG MSG: port/descr Port " ||
		{ show_pane "$s"; ls_fail "$s: no port/descr event"; }
	ls_kill "$plug"
	ls_wait_until 5 pane_has "$s" "** DBG MSG: port/ep/- Port " ||
		{ show_pane "$s"; ls_fail "$s: no port/ep/- event after vde_plug left"; }

	# logout is handled by vdeterm itself: it exits.
	tm send-keys -t "$s" "logout" Enter
	ls_wait_until 5 sh -c "! TERM=xterm tmux -S '$TMUX_SOCK' has-session -t '$s' 2>/dev/null" ||
		{ show_pane "$s"; ls_fail "$s: vdeterm did not exit on logout"; }
	ls_log "vdeterm against $s: ok"
}

# The reference first: if this fails, the harness is broken, not the switch.
vdeterm_case stock
vdeterm_case ls

kill -0 "$LS_SWITCH_PID" || ls_fail "switch died"
ls_pass "unixcmd output identical, vdeterm works"
