#!/bin/bash
# Jumbo frames: two namespaces attached through vde_plug tap:// (as in 010),
# MTU 9000 on both taps, and "ping -M "do" -s 8972" (a 9014-byte frame, DF
# set, no fragmentation) must get through both ways.
#
# linkswitch forwards frames up to 9216+18 bytes intact.  Debian's
# vde_switch truncates every frame to 1518 bytes, so against
# LS_SWITCH=vde_switch this test is EXPECTED TO FAIL (which shows it can).
. "$(dirname "$0")/lib.sh"

ls_require_root
ls_require_cmd ip vde_plug ping

d=$(ls_tmpdir)
sw=$d/sw
ls_start_switch "$sw"

A=$(ls_netns a)
B=$(ls_netns b)
ls_plug_tap "$A" "$sw" tap0
ls_plug_tap "$B" "$sw" tap0

ipA=10.233.30.1
ipB=10.233.30.2
for ns in "$A" "$B"; do
	ip -n "$ns" link set tap0 mtu 9000 || ls_fail "cannot set MTU 9000 on tap0 in $ns"
done
ip -n "$A" addr add "$ipA/24" dev tap0
ip -n "$B" addr add "$ipB/24" dev tap0
ip -n "$A" link set tap0 up
ip -n "$B" link set tap0 up

# Sanity first: standard-size frames (1514 bytes on the wire) pass, so a
# failure below is about the frame size and nothing else.
ls_wait_until 10 ip netns exec "$A" ping -c 1 -W 1 "$ipB" ||
	ls_fail "no ping reply A -> B even with small frames"
ip netns exec "$A" ping -c 3 -i 0.2 -W 2 -M "do" -s 1472 "$ipB" ||
	ls_fail "1500-byte packets A -> B lost"

# The real check: 8972 bytes of ICMP payload + 28 = 9000-byte IP packets,
# 9014-byte Ethernet frames, in both directions.
ip netns exec "$A" ping -c 3 -i 0.2 -W 2 -M "do" -s 8972 "$ipB" ||
	ls_fail "9000-byte packets A -> B did not get through (jumbo frames truncated or dropped?)"
ip netns exec "$B" ping -c 3 -i 0.2 -W 2 -M "do" -s 8972 "$ipA" ||
	ls_fail "9000-byte packets B -> A did not get through"

# Something in between: 4000-byte frames, to catch a switch that only
# handles exactly-MTU frames.
ip netns exec "$B" ping -c 2 -i 0.2 -W 2 -M "do" -s 3972 "$ipA" ||
	ls_fail "4000-byte packets B -> A did not get through"

kill -0 "$LS_SWITCH_PID" || ls_fail "switch died"
ls_pass "030 jumbo frames (9014-byte) both ways"
