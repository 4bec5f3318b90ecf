#!/bin/bash
# Console robustness of linkswitch:
#  * several newline-separated commands in one write all run, also when
#    the write is longer than one read (a command split between two reads
#    must still run once, whole), and with CRLF line ends;
#  * 50 concurrent sessions all get their answers;
#  * a session that sends 1 MiB of garbage without a newline, and binary
#    NULs inside commands;
#  * a session that never reads while help/hash/print output is requested
#    over and over;
#  and meanwhile the switch stays responsive to other sessions (a linkctl
#  port/showinfo answers within 1 s) and to data traffic (two vde_plug
#  null:// clients stay attached, and frames between two other clients
#  still arrive);
#  * an rc file (-f) with a bad line makes the switch exit non-zero at
#    start-up and name FILE:LINE.
# linkswitch-specific (vde_switch runs only the first command of a write
# and ignores rc file errors): skipped for LS_SWITCH=vde_switch.
. "$(dirname "$0")/lib.sh"

ls_is_stock && ls_skip "linkswitch behaviour (vde_switch runs one command per read)"
ls_require_cmd vde_plug socat
[ -x "$LS_LINKCTL" ] || ls_fail "linkctl not built: $LS_LINKCTL"

d=$(ls_tmpdir)
mg=$d/mgmt
ls_start_switch "$d/sw" -M "$mg"
ls_wait_until 5 test -S "$mg" || ls_fail "no management socket"

# responsive WHAT: linkctl port/showinfo must answer within 1 s.
responsive() {
	local t0 ms out
	t0=$(_ls_now_us)
	out=$(ls_timeout 5 "$LS_LINKCTL" -M "$mg" -t 5 port/showinfo 2>&1) ||
		ls_fail "$1: linkctl port/showinfo failed: $out"
	ms=$(ls_elapsed_ms "$t0")
	[ "$out" = $'Numports=32\nHUB=false\ncounters=true' ] ||
		ls_fail "$1: port/showinfo printed: $out"
	[ "$ms" -le 1000 ] || ls_fail "$1: port/showinfo took $ms ms"
	ls_log "$1: port/showinfo answered in $ms ms"
}

# Data traffic: two null clients, and two stream clients A and B.
ls_bg vde_plug "vde://$d/sw" null:// >/dev/null
null1=$LS_BG_PID
ls_bg vde_plug "vde://$d/sw" null:// >/dev/null
null2=$LS_BG_PID
ls_plug_stream "vde://$d/sw"
plugA=$LS_PLUG_PID
inA=$LS_PLUG_IN
ls_plug_stream "vde://$d/sw"
plugB=$LS_PLUG_PID
outB=$LS_PLUG_OUT
for p in "$null1" "$null2" "$plugA" "$plugB"; do
	ls_wait_until 5 ls_port_of_pid "$mg" "$p" || ls_fail "vde_plug $p did not attach"
done

# traffic WHAT: the null clients are still attached, and a broadcast
# frame from A reaches B within 1 s.
nframe=0
traffic() {
	local p
	nframe=$((nframe + 1))
	ls_send_frame "$inA" 0a "abuse-$nframe-"
	ls_wait_until 1 ls_has_marker "$outB" "abuse-$nframe-" ||
		ls_fail "$1: frame A -> B did not arrive within 1 s"
	for p in "$null1" "$null2"; do
		_ls_alive "$p" || ls_fail "$1: vde_plug null client $p died"
		ls_port_of_pid "$mg" "$p" >/dev/null || ls_fail "$1: null client $p detached"
	done
	ls_log "$1: data path ok"
}
traffic "before"

# ---------------------------------------------------------------------------
# Several commands in one write.
{
	printf 'vlan/create 41\nvlan/create 42\r\nvlan/create 43\nport/showinfo\n'
	printf 'logout\n'
} | ls_timeout 10 socat -t 5 - "UNIX-CONNECT:$mg" >"$d/multi.out"
[ "$(grep -c '1000 Success$' "$d/multi.out")" -eq 4 ] ||
	ls_fail "4 commands in one write: $(cat -A "$d/multi.out")"
grep -q 'Numports=32' "$d/multi.out" || ls_fail "port/showinfo in a batch did not run"
tail -c 19 "$d/multi.out" | grep -qx '9999 END OF SESSION' ||
	ls_fail "logout at the end of a batch: $(tail -c 40 "$d/multi.out" | cat -A)"
for v in 41 42 43; do
	ls_timeout 5 "$LS_LINKCTL" -M "$mg" vlan/print "$v" >/dev/null ||
		ls_fail "vlan/create $v from the batch did not run"
done

# 400 commands (5.6 KB) in one go: more than one read of the switch, so
# one command straddles the boundary.
big=""
for ((i = 0; i < 400; i++)); do big+=$'port/showinfo\n'; done
{
	printf '%s' "$big"
	printf 'logout\n'
} | ls_timeout 10 socat -t 5 - "UNIX-CONNECT:$mg" >"$d/big.out"
n=$(grep -c '^Numports=32$' "$d/big.out" || true)
bad=$(grep -c '10[0-9][1-9] \|10[1-9][0-9] ' "$d/big.out" || true)
{ [ "$n" -eq 400 ] && [ "$bad" -eq 0 ]; } ||
	ls_fail "400 commands in one write: $n ran, $bad errors: $(grep -ao '1[0-9]\{3\} [A-Za-z ]*' "$d/big.out" | sort | uniq -c)"
responsive "after batches"

# ---------------------------------------------------------------------------
# 50 concurrent sessions, all connected at the same time.
pids=()
for ((i = 0; i < 50; i++)); do
	{
		printf 'port/showinfo\n'
		sleep 3
		printf 'vlan/print\n'
		sleep 0.5
		printf 'logout\n'
	} | ls_timeout 20 socat -t 5 - "UNIX-CONNECT:$mg" >"$d/conc.$i" 2>&1 &
	pids+=("$!")
	ls_on_exit ls_kill "$!"
done
all_answered() {
	local i
	for ((i = 0; i < 50; i++)); do
		grep -q '^Numports=32$' "$d/conc.$i" || return 1
	done
}
ls_wait_until 5 all_answered || ls_fail "not all 50 sessions got their first answer"
responsive "with 50 sessions open"
for p in "${pids[@]}"; do
	wait "$p" || true
done
for ((i = 0; i < 50; i++)); do
	{ grep -q '^VLAN 0000$' "$d/conc.$i" && tail -c 19 "$d/conc.$i" | grep -qx '9999 END OF SESSION'; } ||
		ls_fail "session $i: $(cat -A "$d/conc.$i" | tail -n 8)"
done
traffic "after 50 sessions"

# ---------------------------------------------------------------------------
# Garbage: 1 MiB without a newline, NULs included; once without reading
# the answers, once reading them.
head -c 1048576 /dev/urandom | tr -d '\n' >"$d/garbage"
ls_bg ls_timeout 30 socat -u "FILE:$d/garbage" "UNIX-CONNECT:$mg" >/dev/null
g1=$LS_BG_PID
ls_timeout 30 socat -t 2 - "UNIX-CONNECT:$mg" <"$d/garbage" >"$d/garbage.out" 2>&1 &
g2=$!
ls_on_exit ls_kill "$g2"
responsive "during 1 MiB of garbage"
traffic "during 1 MiB of garbage"
wait "$g2" || true
ls_wait_until 30 ls_pid_gone "$g1" || ls_fail "garbage sender did not finish"
grep -q '1038 Function not implemented' "$d/garbage.out" ||
	ls_fail "garbage got no 1038 answer: $(head -c 300 "$d/garbage.out" | cat -A)"
responsive "after garbage"

# NULs inside commands stay inside their line.
{
	printf 'port/show\0info\n'
	printf 'port/showinfo\0junk\n'
	printf '\0\0\0\n'
	printf 'logout\n'
} | ls_timeout 10 socat -t 5 - "UNIX-CONNECT:$mg" >"$d/nul.out"
[ "$(grep -c '1038 Function not implemented$' "$d/nul.out")" -eq 1 ] ||
	ls_fail "'port/show<NUL>info' should be one unknown command: $(cat -A "$d/nul.out")"
[ "$(grep -c '^Numports=32$' "$d/nul.out")" -eq 1 ] ||
	ls_fail "'port/showinfo<NUL>junk' should run port/showinfo: $(cat -A "$d/nul.out")"

# ---------------------------------------------------------------------------
# A session that asks for output over and over and never reads it.
ls_bg bash -c "yes \$'help\nhash/print\nport/allprint' | exec socat -u - 'UNIX-CONNECT:$mg'" >/dev/null
flood=$LS_BG_PID
sleep 0.3
for i in 1 2 3; do
	responsive "non-reading session, round $i"
	traffic "non-reading session, round $i"
	sleep 0.2
done
ls_kill "$flood"
responsive "after the non-reading session"
kill -0 "$LS_SWITCH_PID" || ls_fail "switch died"

# ---------------------------------------------------------------------------
# rc file with a bad line: exit status != 0 at start-up, FILE:LINE named.
printf 'vlan/create 5\n# a comment\n\nbogus command\nvlan/create 6\n' >"$d/bad.rc"
rc=0
ls_timeout 10 "$LS_SWITCH" -s "$d/rcsw" -f "$d/bad.rc" </dev/null >"$d/rc.log" 2>&1 || rc=$?
{ [ "$rc" -ne 0 ] && [ "$rc" -lt 124 ]; } ||
	ls_fail "bad rc file: exit status $rc: $(cat "$d/rc.log")"
grep -qF "$d/bad.rc:4" "$d/rc.log" || ls_fail "bad rc file: no '$d/bad.rc:4' in: $(cat "$d/rc.log")"
[ ! -e "$d/rcsw" ] || ls_fail "bad rc file: $d/rcsw left behind"

# A good one is applied.
printf 'vlan/create 5\nport/setnumports 16\n# comment\n\nport/create 3\nvlan/addport 5 3\n' >"$d/good.rc"
ls_start_switch "$d/rcsw" -M "$d/rc.mgmt" -f "$d/good.rc"
ls_wait_until 5 test -S "$d/rc.mgmt" || ls_fail "no $d/rc.mgmt"
out=$(ls_timeout 5 "$LS_LINKCTL" -M "$d/rc.mgmt" port/showinfo) ||
	ls_fail "switch with a good rc file: $out"
[ "$(head -n 1 <<<"$out")" = "Numports=16" ] || ls_fail "good rc file not applied: $out"
ls_timeout 5 "$LS_LINKCTL" -M "$d/rc.mgmt" vlan/print 5 >/dev/null ||
	ls_fail "good rc file: no VLAN 5"

ls_pass "console abuse survived"
