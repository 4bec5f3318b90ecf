#!/bin/bash
# Attach requests, good and bad, with vde_plug and the raw-protocol client
# $LS_TOOLS/vdereq ("reply PATH ..." exit 0 / "eof" exit 2 / "timeout"
# exit 3).
#
# Switch A (32 ports):
#   * vde_plug vde://A[5] and vdereq --port 5 land on port 5 (data socket
#     A/005.*); vde_plug vde://A[0] and vdereq --port0 land on port 0;
#   * malformed requests (bad magic, bad version, bad type, truncated inside
#     the socket path, empty socket path, one garbage byte) end in "eof"
#     within 1 s, on linkswitch and vde_switch alike;
#   * afterwards normal clients still attach and pass frames both ways.
# Switch B (-n 3: ports 0..2, so two ordinary clients fill it):
#   * a third client, and requests for port 3 (= numports) and port 1000,
#     must end in "eof" within 1 s on linkswitch.  Debian's vde_switch never
#     answers these (the client hangs), so for LS_SWITCH=vde_switch a
#     "timeout" is accepted there and logged as the known stock behaviour;
#   * a request truncated to 4 bytes must end in "eof" on linkswitch (stock
#     vde_switch reuses stale bytes of the previous request from its buffer
#     and may attach it: not asserted for vde_switch);
#   * no phantom port is left by the refused requests; after one client
#     leaves, a new client takes its place and frames pass.
. "$(dirname "$0")/lib.sh"

ls_require_cmd vde_plug unixcmd
VDEREQ=$LS_TOOLS/vdereq
[ -x "$VDEREQ" ] || ls_fail "test tool not built: $VDEREQ (run make)"

d=$(ls_tmpdir)
swA=$d/swA
mgA=$d/swA.mgmt
swB=$d/swB
mgB=$d/swB.mgmt

# req ARGS...: run vdereq with a 1 s reply timeout; sets R_OUT, R_RC, R_MS.
req() {
	local t0
	t0=$(_ls_now_us)
	R_RC=0
	R_OUT=$(ls_timeout 10 "$VDEREQ" --timeout 1000 "$@") || R_RC=$?
	R_MS=$(ls_elapsed_ms "$t0")
	ls_log "vdereq $*: '$R_OUT' (exit $R_RC, $R_MS ms)"
}

# expect_eof WHAT ARGS...: the switch must close the control connection
# without a reply, within 1 s.
expect_eof() {
	local what=$1
	shift
	req "$@"
	[ "$R_RC" -eq 2 ] && [ "$R_OUT" = eof ] ||
		ls_fail "$what: expected 'eof' (exit 2), got '$R_OUT' (exit $R_RC)"
	[ "$R_MS" -le 1100 ] || ls_fail "$what: eof took $R_MS ms (> 1 s)"
}

# expect_refused WHAT ARGS...: linkswitch: eof within 1 s; stock
# vde_switch: its known hang ("timeout") is accepted too.
expect_refused() {
	local what=$1
	shift
	if ls_is_stock; then
		req "$@"
		case "$R_RC:$R_OUT" in
		2:eof) ;;
		3:timeout) ls_log "$what: no reply (known vde_switch hang, accepted for the stock switch only)" ;;
		*) ls_fail "$what: expected eof or timeout, got '$R_OUT' (exit $R_RC)" ;;
		esac
	else
		expect_eof "$what" "$@"
	fi
}

# expect_reply_port WHAT PORT ARGS...: vdereq --hold in the background;
# while it holds, port/print must show it on PORT; then its reply must name
# DIR/NNN.* of that port.  Uses $sw/$mg of the current switch.
expect_reply_port() {
	local what=$1 port=$2 pid rc out nnn
	shift 2
	nnn=$(printf '%03d' "$port")
	ls_bg "$VDEREQ" --timeout 1000 --hold 2000 "$@" "$sw" >/dev/null
	pid=$LS_BG_PID
	ls_wait_until 3 ls_port_of_pid "$mg" "$pid" ||
		ls_fail "$what: vdereq (pid $pid) never showed up in port/print: $(cat "$(ls_bg_log "$pid")")"
	[ "$(ls_port_of_pid "$mg" "$pid")" = "$port" ] ||
		ls_fail "$what: landed on port $(ls_port_of_pid "$mg" "$pid"), expected $port"
	ls_wait_until 5 ls_pid_gone "$pid" || ls_fail "$what: vdereq did not finish"
	rc=0
	wait "$pid" || rc=$?
	out=$(cat "$(ls_bg_log "$pid")")
	ls_log "$what: '$out' (exit $rc)"
	[ "$rc" -eq 0 ] || ls_fail "$what: vdereq exit $rc: $out"
	[[ "$out" =~ ^reply\ $(realpath "$sw")/$nnn\.[0-9]+( |$) ]] ||
		ls_fail "$what: reply '$out' does not name $(realpath "$sw")/$nnn.*"
	[[ "$out" == *" ctl=open"* ]] ||
		ls_fail "$what: switch closed the control connection while the client held it: $out"
	ls_wait_until 3 eval "! ls_port_listed '$mg' '$port'" ||
		ls_fail "$what: port $port still active after vdereq left"
}

# expect_plug_port WHAT PORT URL: vde_plug URL lands on PORT, with its data
# socket DIR/NNN.*; then it leaves and the port goes inactive.
expect_plug_port() {
	local what=$1 port=$2 url=$3 pid nnn
	nnn=$(printf '%03d' "$port")
	ls_plug_stream "$url"
	pid=$LS_PLUG_PID
	ls_wait_until 5 ls_port_of_pid "$mg" "$pid" ||
		ls_fail "$what: vde_plug $url did not attach"
	[ "$(ls_port_of_pid "$mg" "$pid")" = "$port" ] ||
		ls_fail "$what: vde_plug $url landed on port $(ls_port_of_pid "$mg" "$pid"), expected $port"
	compgen -G "$sw/$nnn.*" >/dev/null || ls_fail "$what: no data socket $sw/$nnn.*"
	ls_kill "$pid"
	ls_wait_until 3 eval "! ls_port_listed '$mg' '$port'" ||
		ls_fail "$what: port $port still active after vde_plug left"
	compgen -G "$sw/$nnn.*" >/dev/null && ls_fail "$what: data socket $sw/$nnn.* left behind"
	return 0
}

# exchange TAG IN1 OUT1 IN2 OUT2: a broadcast frame from client 1 reaches
# client 2 (and is not echoed back to 1), and the other way round.
exchange() {
	local tag=$1 in1=$2 out1=$3 in2=$4 out2=$5 m
	m="ls020-$tag-1to2-$RANDOM$RANDOM"
	ls_send_frame "$in1" 01 "$m"
	ls_wait_until 3 ls_has_marker "$out2" "$m" || ls_fail "$tag: frame 1 -> 2 not delivered"
	m="ls020-$tag-2to1-$RANDOM$RANDOM"
	ls_send_frame "$in2" 02 "$m"
	ls_wait_until 3 ls_has_marker "$out1" "$m" || ls_fail "$tag: frame 2 -> 1 not delivered"
	ls_has_marker "$out2" "$m" && ls_fail "$tag: frame echoed back to its sender"
	return 0
}

# ------------------------------------------------------------ switch A
ls_start_switch "$swA" -M "$mgA"
sw=$swA
mg=$mgA

expect_plug_port "vde_plug [5]" 5 "vde://${swA}[5]"
expect_reply_port "vdereq --port 5" 5 --port 5
expect_plug_port "vde_plug [0]" 0 "vde://${swA}[0]"
expect_reply_port "vdereq --port0" 0 --port0

expect_eof "bad magic" --magic 12345678 "$swA"
expect_eof "zero magic" --magic 0 "$swA"
expect_eof "byte-swapped magic" --magic cefaedfe "$swA"
expect_eof "version 2" --version 2 "$swA"
expect_eof "version 4" --version 4 "$swA"
expect_eof "request type 2" --type 2 "$swA"
expect_eof "request type 255" --type 255 "$swA"
expect_eof "truncated inside sun_path (20 bytes)" --truncate 20 "$swA"
expect_eof "empty sun_path" --empty-path "$swA"
expect_eof "one garbage byte" --raw 00 "$swA"

kill -0 "$LS_SWITCH_PID" || ls_fail "switch A died after bad requests"
[ "$(ls_ports "$mgA" | wc -l)" -eq 0 ] ||
	ls_fail "refused requests left active ports: $(ls_ports "$mgA" | tr '\n' ' ')"

ls_plug_stream "vde://$swA"
a1=$LS_PLUG_PID a1in=$LS_PLUG_IN a1out=$LS_PLUG_OUT
ls_plug_stream "vde://$swA"
a2=$LS_PLUG_PID a2in=$LS_PLUG_IN a2out=$LS_PLUG_OUT
ls_wait_until 5 ls_port_of_pid "$mgA" "$a1" || ls_fail "A: client 1 did not attach"
ls_wait_until 5 ls_port_of_pid "$mgA" "$a2" || ls_fail "A: client 2 did not attach"
exchange A "$a1in" "$a1out" "$a2in" "$a2out"

# ------------------------------------------------------------ switch B
ls_start_switch "$swB" -M "$mgB" -n 3
sw=$swB
mg=$mgB
ls_mgmt "$mgB" port/showinfo | grep -qx 'Numports=3' ||
	ls_fail "-n 3: port/showinfo does not say Numports=3"

ls_plug_stream "vde://$swB"
b1=$LS_PLUG_PID
ls_plug_stream "vde://$swB"
b2=$LS_PLUG_PID b2in=$LS_PLUG_IN b2out=$LS_PLUG_OUT
ls_wait_until 5 ls_port_of_pid "$mgB" "$b1" || ls_fail "B: client 1 did not attach"
ls_wait_until 5 ls_port_of_pid "$mgB" "$b2" || ls_fail "B: client 2 did not attach"
pb1=$(ls_port_of_pid "$mgB" "$b1")
pb2=$(ls_port_of_pid "$mgB" "$b2")
ls_log "B: clients on ports $pb1 and $pb2"
[ "$(printf '%s\n%s\n' "$pb1" "$pb2" | sort -n | tr '\n' ' ')" = "1 2 " ] ||
	ls_fail "B: the two clients got ports $pb1 and $pb2, expected 1 and 2"

expect_refused "third client on a full -n 3 switch" "$swB"
expect_refused "port 3 on a -n 3 switch" --port 3 "$swB"
expect_refused "port 1000 on a -n 3 switch" --port 1000 "$swB"
if ls_is_stock; then
	ls_log "truncated-to-4-bytes request: not checked against vde_switch (stale buffer bug)"
else
	expect_eof "request truncated to 4 bytes" --truncate 4 "$swB"
	expect_eof "request truncated to 121 bytes" --truncate 121 "$swB"
fi

kill -0 "$LS_SWITCH_PID" || ls_fail "switch B died after refused requests"
[ "$(ls_ports "$mgB" | wc -l)" -eq 2 ] ||
	ls_fail "B: expected exactly 2 active ports, got: $(ls_ports "$mgB" | tr '\n' ' ')"

# One client leaves; a new one takes the free port and talks to the other.
ls_kill "$b1"
ls_wait_until 3 eval "! ls_port_listed '$mgB' '$pb1'" || ls_fail "B: port $pb1 still active"
ls_plug_stream "vde://$swB"
b3=$LS_PLUG_PID b3in=$LS_PLUG_IN b3out=$LS_PLUG_OUT
ls_wait_until 5 ls_port_of_pid "$mgB" "$b3" || ls_fail "B: new client did not attach"
[ "$(ls_port_of_pid "$mgB" "$b3")" = "$pb1" ] ||
	ls_fail "B: new client got port $(ls_port_of_pid "$mgB" "$b3"), expected the freed port $pb1"
exchange B "$b3in" "$b3out" "$b2in" "$b2out"

kill -0 "$LS_SWITCH_PID" || ls_fail "switch B died"
ls_pass "020 attach requests"
