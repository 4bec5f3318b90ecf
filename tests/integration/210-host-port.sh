#!/bin/bash
# host:// ports (libpcap).  The switch runs in namespace S; the "host NIC"
# is one end of a veth pair in S whose peer is in namespace P (the LAN).
# VDE clients (vde_plug taps) sit in B and C.
#  - P and B ping each other through host://lsh0, untagged and over VLAN
#    100 (tags pass through libpcap both ways); no frame loops: the port's
#    counters stay bounded while idle;
#  - frames injected on the NIC do not reach S's own stack (documented:
#    use a tap or veth port for host <-> guest traffic);
#  - a second port on the same NIC is refused (EBUSY);
#  - the NIC is deleted: port 1 goes carrier-down, keeps its place, and B
#    and C still talk; the NIC is re-created with the same name: traffic
#    resumes without any command;
#  - host://mac=: the NIC is deleted and re-created under another name with
#    the same MAC: the port follows it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hostlib.sh"

ls_require_root
ls_is_stock && ls_skip "host-side port URLs are linkswitch's"
ls_require_cmd ip vde_plug unixcmd ping socat tcpdump

d=$(ls_tmpdir)
sw=$d/sw
mgmt=$d/mgmt
S=$(ls_netns s)
P=$(ls_netns p)
Q=$(ls_netns q)
B=$(ls_netns b)
C=$(ls_netns c)
for ns in "$S" "$P" "$Q" "$B" "$C"; do
	ls_quiet_ns "$ns"
done

# mk_veth NAME PEER_NS ADDR [MAC]: veth NAME in S (up, MAC if given), its
# peer "p0" in PEER_NS with ADDR/24.
mk_veth() {
	ip -n "$S" link add "$1" ${4:+address "$4"} type veth peer name p0 netns "$2"
	ip -n "$S" link set "$1" up
	ip -n "$2" addr add "$3/24" dev p0
	ip -n "$2" link set p0 up
}
mk_veth lsh0 "$P" 10.233.22.1

ls_switch_in_netns "$S"
ls_start_switch "$sw" -M "$mgmt" -a 1=host://lsh0
ls_wait_until 5 test -S "$mgmt" || ls_fail "no management socket"
ls_plug_tap "$B" "$sw" tap0
ls_plug_tap "$C" "$sw" tap0
ip -n "$B" addr add 10.233.22.2/24 dev tap0
ip -n "$C" addr add 10.233.22.3/24 dev tap0
ip -n "$B" link set tap0 up
ip -n "$C" link set tap0 up

ls_wait_until 10 ls_ping "$P" 10.233.22.2 || ls_fail "no ping P -> B through host://lsh0"
ip netns exec "$B" ping -c 3 -i 0.2 -W 2 10.233.22.1 >/dev/null || ls_fail "ping B -> P lost replies"
# 802.1Q tags pass both ways: the switch is a transparent trunk, and on
# the NIC side the kernel moves a received tag out of band, which libpcap
# puts back.  Raw frames: socat's INTERFACE in P, a stream vde_plug here.
tagged_hex() { # SRC_LAST_BYTE MARKER: broadcast, VLAN 100, ethertype 88b5
	local m hex
	m=$(printf '%s' "$2" | od -An -tx1 | tr -d ' \n')
	hex="ffffffffffff0200000000${1}8100006488b5$m"
	while [ ${#hex} -lt 128 ]; do hex="${hex}00"; done
	printf '%s\n' "$hex"
}
hex2bin() { printf '%s' "$1" | sed 's/../\\x&/g' | xargs -0 printf; }
ls_plug_stream "vde://$sw"
ls_wait_until 5 ls_port_of_pid "$mgmt" "$LS_PLUG_PID" || ls_fail "raw client did not attach"
hex2bin "$(tagged_hex 07 lsvlanin)" | ip netns exec "$P" socat -u - INTERFACE:p0
ls_wait_until 3 ls_has_marker "$LS_PLUG_OUT" lsvlanin ||
	ls_fail "tagged frame from the NIC did not arrive"
od -An -tx1 -v "$LS_PLUG_OUT" | tr -d ' \n' |
	grep -q "8100006488b5$(printf lsvlanin | od -An -tx1 | tr -d ' \n')" ||
	ls_fail "the VLAN tag was lost on the way in"
dump=$(ls_bg ip netns exec "$P" tcpdump -i p0 -n -e -c 1 'vlan 100')
ls_wait_until 5 grep -q 'listening on' "$(ls_bg_log "$dump")" || ls_fail "tcpdump did not start"
hex2bin "0040$(tagged_hex 01 lsvlanout)" >"$LS_PLUG_IN"
ls_wait_until 3 grep -q 'vlan 100' "$(ls_bg_log "$dump")" ||
	ls_fail "tagged frame to the NIC did not keep its tag"
ls_port_block "$mgmt" 1 | grep -Eq 'module pcap +: host://lsh0$' ||
	ls_fail "port 1 does not show 'module pcap : host://lsh0'"

# Idle: no loop.  (Loops would count thousands of frames per second.)
sleep 1
in0=$(ls_port_pkts "$mgmt" 1 in)
out0=$(ls_port_pkts "$mgmt" 1 out)
sleep 3
in1=$(ls_port_pkts "$mgmt" 1 in)
out1=$(ls_port_pkts "$mgmt" 1 out)
echo "idle 3 s: port 1 in $in0 -> $in1, out $out0 -> $out1"
{ [ $((in1 - in0)) -le 20 ] && [ $((out1 - out0)) -le 20 ]; } ||
	ls_fail "port 1 counters grow while idle: in $in0 -> $in1, out $out0 -> $out1"

# Injected frames leave on the wire, not into S's stack.
ip -n "$S" addr add 10.233.22.9/24 dev lsh0
ls_ping_fails "$B" 10.233.22.9 ||
	ls_fail "S's own address answered through host:// (pcap_inject should bypass its stack)"
ip -n "$S" addr del 10.233.22.9/24 dev lsh0

r=$(ls_mgmt_rc "$mgmt" port/attach 6 host://lsh0)
printf '%s\n' "$r" | tail -n 1 | grep -q '^1016 ' || ls_fail "second port on lsh0 not refused: $r"
printf '%s\n' "$r" | grep -q 'already bridged by port 1' || ls_fail "unclear message: $r"

# Hot-plug: delete the NIC.
ip -n "$S" link del lsh0
ls_wait_until 3 ls_port_carrier_is "$mgmt" 1 down || ls_fail "carrier still up after lsh0 was deleted"
ls_port_listed "$mgmt" 1 || ls_fail "port 1 lost its place"
ls_wait_until 5 ls_ping "$B" 10.233.22.3 || ls_fail "B and C cannot talk while port 1 is down"
kill -0 "$LS_SWITCH_PID" || ls_fail "switch died when its NIC disappeared"
# Same name again (new ifindex): back without a command.
mk_veth lsh0 "$P" 10.233.22.1
ls_wait_until 5 ls_port_carrier_is "$mgmt" 1 up || ls_fail "port 1 did not come back with lsh0"
ls_wait_until 10 ls_ping "$P" 10.233.22.2 || ls_fail "no traffic P -> B after lsh0 came back"

# host://mac=: follow the MAC across a re-creation under another name.
mac=02:33:22:00:00:01
mk_veth lsm0 "$Q" 10.233.22.4 "$mac"
r=$(ls_mgmt_rc "$mgmt" port/attach 5 "host://mac=$mac")
printf '%s\n' "$r" | tail -n 1 | grep -q '^1000 ' || ls_fail "port/attach 5 host://mac=$mac: $r"
ls_wait_until 10 ls_ping "$Q" 10.233.22.2 || ls_fail "no ping Q -> B through host://mac="
ls_port_block "$mgmt" 5 | grep -q "host://mac=$mac (lsm0)" || ls_fail "port 5 does not name lsm0"
ip -n "$S" link del lsm0
ls_wait_until 3 ls_port_carrier_is "$mgmt" 5 down || ls_fail "port 5 carrier still up"
ip netns del "$Q"
Q=$(ls_netns q2)
ls_quiet_ns "$Q"
mk_veth lsm9 "$Q" 10.233.22.4 "$mac"
ls_wait_until 5 ls_port_carrier_is "$mgmt" 5 up || ls_fail "port 5 did not follow the MAC to lsm9"
ls_port_block "$mgmt" 5 | grep -q "host://mac=$mac (lsm9)" || ls_fail "port 5 does not name lsm9"
ls_wait_until 10 ls_ping "$Q" 10.233.22.2 || ls_fail "no traffic Q -> B through lsm9"
ls_ping "$P" 10.233.22.3 || ls_fail "port 1 stopped working"

kill -0 "$LS_SWITCH_PID" || ls_fail "switch died"
ls_pass "210 host: ping, no loops, EBUSY, NIC deleted and re-created (name and MAC)"
