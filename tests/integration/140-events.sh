#!/bin/bash
# Events for scripts (linkctl monitor -j): an endpoint attaching shows its
# description with the client's pid; MACs learned and moving between
# ports; port link changes (port/setlink); drops, summed once a second;
# an endpoint leaving.
# shellcheck disable=SC2016 # jq filters are single-quoted on purpose
. "$(dirname "$0")/lib.sh"

ls_require_cmd jq vde_plug
ls_is_stock && ls_skip "linkswitch's own events"
[ -x "$LS_LINKCTL" ] || ls_fail "linkctl not built: $LS_LINKCTL"

d=$(ls_tmpdir)
mg=$d/mgmt
ls_start_switch "$d/sw" -M "$mg"
ls_wait_until 5 test -S "$mg" || ls_fail "no management socket"

lc() { "$LS_LINKCTL" -M "$mg" "$@"; }

"$LS_LINKCTL" -M "$mg" -j monitor >"$d/ev" 2>"$d/ev.err" </dev/null &
mon=$!
ls_on_exit ls_kill "$mon"

# has CATEGORY JQ_TEST: some event of CATEGORY whose text passes JQ_TEST.
# (Slurped: jq 1.6's -e looks only at the last input's result.)
has() {
	jq -e -s --arg c "$1" "any(.[]; .category == \$c and ($2))" "$d/ev" \
		>/dev/null 2>&1
}
synced() {
	lc port/create 30 >/dev/null 2>&1 || true
	lc port/remove 30 >/dev/null 2>&1 || true
	has port/+ '.text | test("30")'
}
ls_wait_until 5 synced || ls_fail "monitor never subscribed: $(cat "$d/ev.err")"

ls_plug_stream "vde://$d/sw"
pa=$LS_PLUG_PID inA=$LS_PLUG_IN
ls_plug_stream "vde://$d/sw"
pb=$LS_PLUG_PID inB=$LS_PLUG_IN
ls_wait_until 5 ls_port_of_pid "$mg" "$pa" >/dev/null || ls_fail "A not attached"
ls_wait_until 5 ls_port_of_pid "$mg" "$pb" >/dev/null || ls_fail "B not attached"
porta=$(ls_port_of_pid "$mg" "$pa")
portb=$(ls_port_of_pid "$mg" "$pb")

ls_wait_until 3 has port/descr ".text | test(\"pid=$pa\")" ||
	ls_fail "no port/descr event with pid=$pa: $(cat "$d/ev")"
has port/ep/+ ".text | test(\"Port 0*$porta \")" ||
	ls_fail "no port/ep/+ for port $porta: $(cat "$d/ev")"

# Learning, then a move (minimum persistence off so it is immediate).
lc hash/setminper 0 >/dev/null
ls_send_frame "$inA" 0a ev-learn
ls_wait_until 3 has hash/+ \
	".text | test(\"02:00:00:00:00:0a VLAN 00:00 Port $porta\$\")" ||
	ls_fail "no hash/+ for 02:00:00:00:00:0a on port $porta: $(cat "$d/ev")"
ls_send_frame "$inB" 0a ev-move
ls_wait_until 3 has hash/move \
	".text | test(\"from port $porta to port $portb\")" ||
	ls_fail "no hash/move $porta -> $portb: $(cat "$d/ev")"

# Link down: an event, and frames from that port are dropped and counted.
lc port/setlink "$porta" down >/dev/null
ls_wait_until 3 has port/link \
	".text | test(\"Port 0*$porta link down \\\\(admin down\")" ||
	ls_fail "no port/link down event: $(cat "$d/ev")"
ls_send_frame "$inA" 0b ev-drop1
ls_send_frame "$inA" 0b ev-drop2
ls_wait_until 3 has port/drop ".text | test(\"Port 0*$porta link \\\\+2\")" ||
	ls_fail "no port/drop 'link +2' within 3 s: $(cat "$d/ev")"
lc port/setlink "$porta" up >/dev/null
ls_wait_until 3 has port/link ".text | test(\"Port 0*$porta link up\")" ||
	ls_fail "no port/link up event: $(cat "$d/ev")"

# An endpoint leaving.
ls_kill "$pb"
ls_wait_until 3 has port/ep/- ".text | test(\"Port 0*$portb \")" ||
	ls_fail "no port/ep/- for port $portb: $(cat "$d/ev")"

# Every line is one JSON object with the three fields.
jq -e -s 'all(.[]; has("tag") and has("category") and has("text"))' \
	"$d/ev" >/dev/null || ls_fail "malformed event objects: $(cat "$d/ev")"
ls_pass "attach/descr with pid, hash/+, hash/move, port/link, port/drop, port/ep/-"
