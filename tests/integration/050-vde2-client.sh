#!/bin/bash
# A user-level TCP/IP stack (liblwipv6, via $LS_TOOLS/lwipnode) and a
# vde2-style raw client next to a kernel host on the switch.
#
# liblwipv6 (Debian 1.5a) does not carry vde2's old client code: it
# dlopen()s "libvdeplug.so", i.e. vdeplug4, so on the wire it is a vdeplug4
# client with the description "LWIPv6 if=vd0 user=U pid=P".  The vde2-era
# client behaviour (own socket file kept until close, a zero-length datagram
# on close, "PID=" in the description) is exercised with
# "$LS_TOOLS/vdereq --vde2-close".
#
#   * namespace NS: vde_plug vde://SW tap://ls50tap, 10.77.50.1/24;
#   * lwipnode 10.77.50.2/24 serving (pings + TCP echo on port 7007);
#   * NS pings lwipnode; NS sends 32 KiB through lwipnode's echo server;
#   * a second lwipnode (10.77.50.3) runs a 64 KiB TCP exchange against an
#     echo server in NS, then leaves: its endpoint must disappear;
#   * port/print lists the vde_plug and the lwipnode endpoints on two
#     distinct ports;
#   * vdereq --vde2-close attaches with "PID=", keeps its socket file while
#     attached, sends a frame and a zero-length datagram, leaves: endpoint
#     and socket file gone, switch alive, ping still works;
#   * lwipnode stopped with SIGTERM: its endpoint disappears, its port goes
#     inactive, no stray files stay in the switch directory.
. "$(dirname "$0")/lib.sh"

ls_require_root
ls_require_cmd ip vde_plug unixcmd ping socat ss cmp
LWIPNODE=$LS_TOOLS/lwipnode
VDEREQ=$LS_TOOLS/vdereq
[ -x "$VDEREQ" ] || ls_fail "test tool not built: $VDEREQ (run make)"
[ -x "$LWIPNODE" ] ||
	ls_fail "test tool not built: $LWIPNODE (needs liblwipv6-dev; run make deps all)"
# vdeplug4 dlopen()s its plugins with RTLD_DEEPBIND, which the ASan runtime
# refuses: a sanitizer build of lwipnode cannot attach to anything.
if ldd "$LWIPNODE" 2>/dev/null | grep -q 'libasan'; then
	ls_skip "lwipnode is an ASan build (vdeplug4 plugins cannot load under ASan)"
fi

d=$(ls_tmpdir)
sw=$d/sw
mg=$d/sw.mgmt
net=10.77.50
tap=ls50tap

# endpoint_with WORD: port of the endpoint whose description has the word
# WORD (e.g. "PID=123"); returns 1 if none.
endpoint_with() {
	local p
	p=$(ls_endpoints "$mg" | awk -v pat="$1" '
		{ n = split($0, w, " "); for (i = 2; i <= n; i++) if (w[i] == pat) { print $1; exit } }')
	[ -n "$p" ] || return 1
	printf '%s\n' "$p"
}

# nsping COUNT: ping lwipnode from NS; all COUNT replies must come back.
nsping() {
	ip netns exec "$ns" ping -n -q -c "$1" -i 0.2 -W 2 "$net.2"
}

# stray_files: files in the switch directory other than ctl and the data
# sockets of the switch (NNN.F).
stray_files() {
	find "$sw" -mindepth 1 ! -name ctl ! -regex '.*/[0-9][0-9][0-9]+\.[0-9]+' -printf '%f\n'
}

ls_start_switch "$sw" -M "$mg"
ns=$(ls_netns v2)

# ------------------------------------------------ kernel host + lwipnode
ls_plug_tap "$ns" "$sw" "$tap"
plug=$LS_BG_PID
ip -n "$ns" addr add "$net.1/24" dev "$tap"
ip -n "$ns" link set "$tap" up
ls_wait_until 5 ls_port_of_pid "$mg" "$plug" || ls_fail "vde_plug (pid $plug) not in port/print"

ls_bg "$LWIPNODE" --addr "$net.2/24" --serve 120 --echo 7007 "$sw" >/dev/null
lw=$LS_BG_PID
ls_wait_until 5 ls_port_of_pid "$mg" "$lw" ||
	ls_fail "lwipnode (pid $lw) not in port/print: $(cat "$(ls_bg_log "$lw")")"
ls_endpoints "$mg" | grep -q "LWIPv6 .*pid=$lw\$" ||
	ls_fail "lwipnode endpoint has an unexpected description: $(ls_endpoints "$mg")"

# The first replies can take a moment (lwipv6 start-up, ARP).
ls_wait_until 10 nsping 1 || ls_fail "no ping reply from lwipnode $net.2"
out=$(nsping 10) || ls_fail "ping loss to lwipnode: $out"
ls_log "ping: $(printf '%s\n' "$out" | grep 'packets transmitted')"

pplug=$(ls_port_of_pid "$mg" "$plug")
plw=$(ls_port_of_pid "$mg" "$lw")
ls_log "vde_plug on port $pplug, lwipnode on port $plw"
[ "$pplug" != "$plw" ] || ls_fail "vde_plug and lwipnode share port $pplug"
ls_port_listed "$mg" "$pplug" || ls_fail "port $pplug (vde_plug) not active"
ls_port_listed "$mg" "$plw" || ls_fail "port $plw (lwipnode) not active"

# ------------------------------------------------ TCP, NS -> lwipnode echo
head -c 32768 /dev/urandom >"$d/tx"
ls_timeout 30 ip netns exec "$ns" socat -t 10 -T 20 - "TCP:$net.2:7007" \
	<"$d/tx" >"$d/rx" 2>"$d/socat.err" ||
	ls_fail "socat to lwipnode's echo server failed: $(cat "$d/socat.err")"
cmp -s "$d/tx" "$d/rx" ||
	ls_fail "echo through lwipnode: sent 32768 bytes, got $(stat -c %s "$d/rx") back (or different)"
ls_log "TCP NS -> lwipnode echo: 32768 bytes ok"

# ------------------------------------------------ TCP, lwipnode -> NS echo
ls_bg ip netns exec "$ns" socat "TCP-LISTEN:7000,bind=$net.1,reuseaddr" PIPE >/dev/null
echo_pid=$LS_BG_PID
ls_wait_until 5 eval "ip netns exec '$ns' ss -Hltn 'sport = :7000' | grep -q 7000" ||
	ls_fail "echo server in $ns did not start: $(cat "$(ls_bg_log "$echo_pid")")"
ls_bg "$LWIPNODE" --addr "$net.3/24" --tcp "$net.1:7000" --bytes 65536 --timeout 20 "$sw" >/dev/null
lwc=$LS_BG_PID
ls_wait_until 30 ls_pid_gone "$lwc" || ls_fail "lwipnode TCP client did not finish"
rc=0
wait "$lwc" || rc=$?
out=$(cat "$(ls_bg_log "$lwc")")
ls_log "lwipnode --tcp: '$out' (exit $rc)"
if [ "$rc" -ne 0 ] || [ "$out" != "tcp ok 65536 bytes" ]; then
	ls_fail "lwipnode TCP exchange with $net.1:7000 failed: '$out' (exit $rc)"
fi
ls_wait_until 3 eval "! ls_port_of_pid '$mg' '$lwc'" ||
	ls_fail "endpoint of the finished lwipnode TCP client (pid $lwc) still listed"

# ------------------------------------------------ vde2-style client
ls_bg "$VDEREQ" --vde2-close --hold 3000 --ping "$sw" >/dev/null
v2=$LS_BG_PID
ls_wait_until 3 endpoint_with "PID=$v2" ||
	ls_fail "vde2-style client (pid $v2) not in port/print: $(ls_endpoints "$mg")"
pv2=$(endpoint_with "PID=$v2")
v2sock=$(realpath "$sw")/.$(printf '%05d' "$v2")-00000
[ -S "$v2sock" ] ||
	ls_fail "vde2-style client socket $v2sock missing while attached: $(ls -a "$sw")"
ls_wait_until 6 ls_pid_gone "$v2" || ls_fail "vdereq --vde2-close did not finish"
rc=0
wait "$v2" || rc=$?
out=$(cat "$(ls_bg_log "$v2")")
ls_log "vdereq --vde2-close: '$out' (exit $rc), was on port $pv2"
[ "$rc" -eq 0 ] || ls_fail "vdereq --vde2-close exit $rc: $out"
[[ "$out" == *" ctl=open "* && "$out" == *" send=ok "* && "$out" == *" close0=ok"* ]] ||
	ls_fail "vde2-style client: unexpected result '$out'"
ls_wait_until 3 eval "! endpoint_with 'PID=$v2'" ||
	ls_fail "vde2-style client's endpoint still listed after it left"
[ ! -e "$v2sock" ] || ls_fail "vde2-style client socket $v2sock left behind"
_ls_alive "$LS_SWITCH_PID" || ls_fail "switch died after the vde2-style close"
out=$(nsping 3) || ls_fail "ping to lwipnode fails after the vde2-style client left: $out"

# ------------------------------------------------ lwipnode leaves
kill -TERM "$lw"
ls_wait_until 5 ls_pid_gone "$lw" || ls_fail "lwipnode did not stop on SIGTERM"
rc=0
wait "$lw" || rc=$?
out=$(cat "$(ls_bg_log "$lw")")
ls_log "lwipnode --serve: '$out' (exit $rc)"
if [ "$rc" -ne 0 ] ||
	[ "$out" != "served until stopped, echoed 32768 bytes in 1 connections" ]; then
	ls_fail "lwipnode serve mode: '$out' (exit $rc)"
fi
ls_wait_until 3 eval "! ls_port_of_pid '$mg' '$lw'" ||
	ls_fail "lwipnode's endpoint still listed after it exited"
ls_wait_until 3 eval "! ls_port_listed '$mg' '$plw'" ||
	ls_fail "port $plw still active after lwipnode left"
ls_port_listed "$mg" "$pplug" || ls_fail "vde_plug's port $pplug went away too"
stray=$(stray_files)
[ -z "$stray" ] || ls_fail "stray files in the switch directory: $stray"
_ls_alive "$LS_SWITCH_PID" || ls_fail "switch died"

ls_pass "050 vde2-era client (lwipv6 + vdereq --vde2-close)"
