#!/bin/bash
# tun:// ports: an L3 tun bridged into the L2 segment.  The switch runs in
# namespace S with -a 1=tun://lsn0?addr=...&addr6=...; lsn0 moves into
# namespace A (routed through it), a vde_plug client's tap is in B.
#  - ping A <-> B over IPv4 and IPv6 (the port answers ARP / neighbour
#    solicitations for A's addresses and resolves B's);
#  - 10 MiB over TCP each way, md5-checked;
#  - a non-IP frame sent to the tun port is dropped and counted (proto);
#  - port/setlink down shows NO-CARRIER on the tun too.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hostlib.sh"

ls_require_root
ls_is_stock && ls_skip "host-side port URLs are linkswitch's"
ls_require_cmd ip vde_plug unixcmd ping socat md5sum
[ -c /dev/net/tun ] || ls_skip "no /dev/net/tun"

d=$(ls_tmpdir)
sw=$d/sw
mgmt=$d/mgmt
S=$(ls_netns s)
A=$(ls_netns a)
B=$(ls_netns b)
a4=10.233.21.1
b4=10.233.21.2
a6=fd00:233:21::1
b6=fd00:233:21::2
ls_switch_in_netns "$S"
ls_start_switch "$sw" -M "$mgmt" -a "1=tun://lsn0?addr=$a4/24&addr6=$a6/64"
ls_wait_until 5 test -S "$mgmt" || ls_fail "no management socket"

ip -n "$S" link set lsn0 netns "$A"
ip -n "$A" addr add "$a4/24" dev lsn0
ip -n "$A" addr add "$a6/64" dev lsn0 nodad
ip -n "$A" link set lsn0 up
ls_plug_tap "$B" "$sw" tap0
ip -n "$B" addr add "$b4/24" dev tap0
ip -n "$B" addr add "$b6/64" dev tap0 nodad
ip -n "$B" link set tap0 up

ls_wait_until 10 ls_ping "$A" "$b4" || ls_fail "no IPv4 ping A -> B through the tun"
ip netns exec "$B" ping -c 3 -i 0.2 -W 2 "$a4" >/dev/null || ls_fail "IPv4 ping B -> A lost replies"
ls_wait_until 10 ls_ping "$A" "$b6" || ls_fail "no IPv6 ping A -> B through the tun"
ip netns exec "$B" ping -c 3 -i 0.2 -W 2 "$a6" >/dev/null || ls_fail "IPv6 ping B -> A lost replies"
ip -n "$B" neigh show dev tap0

# TCP both ways, checked byte for byte.
size=$((10 * 1024 * 1024))
head -c "$size" /dev/urandom >"$d/src.bin"
want=$(md5sum <"$d/src.bin" | cut -d' ' -f1)
tcp_check() { # FROM_NS TO_NS TO_ADDR PORT TCP|TCP6
	rm -f "$d/recv.md5"
	ls_bg ip netns exec "$2" sh -c \
		"socat -u $5-LISTEN:$4,bind=$3,reuseaddr STDOUT | md5sum >'$d/recv.md5'" >/dev/null
	ls_wait_until 5 sh -c "ip netns exec '$2' ss -ltn | grep -q ':$4 '" ||
		ls_fail "receiver in $2 did not listen"
	ls_timeout 60 ip netns exec "$1" socat -u "FILE:$d/src.bin" "$5:$3:$4" ||
		ls_fail "TCP $1 -> $3 failed"
	ls_wait_until 20 test -s "$d/recv.md5" || ls_fail "receiver in $2 did not finish"
	[ "$(cut -d' ' -f1 "$d/recv.md5")" = "$want" ] || ls_fail "TCP $1 -> $3: data differs"
}
tcp_check "$A" "$B" "$b4" 5211 TCP
tcp_check "$B" "$A" "$a4" 5212 TCP
tcp_check "$A" "$B" "[$b6]" 5213 TCP6

# A non-IP broadcast from a raw VDE client reaches port 1 and is dropped
# there, counted as "proto".
before=$(ls_port_drop "$mgmt" 1 proto)
ls_plug_stream "vde://$sw"
ls_wait_until 5 ls_port_of_pid "$mgmt" "$LS_PLUG_PID" || ls_fail "raw client did not attach"
ls_send_frame "$LS_PLUG_IN" 01 lsnonip
proto_grew() { [ "$(ls_port_drop "$mgmt" 1 proto)" -gt "$before" ]; }
ls_wait_until 3 proto_grew || ls_fail "non-IP frame not counted as a proto drop"
ls_port_block "$mgmt" 1

# The tun shows the port's link too.
ls_mgmt_rc "$mgmt" port/setlink 1 down | tail -n 1 | grep -q '^1000 ' || ls_fail "setlink down failed"
ls_wait_until 2 ls_no_carrier "$A" lsn0 || ls_fail "lsn0 does not show NO-CARRIER"
ls_mgmt_rc "$mgmt" port/setlink 1 up | tail -n 1 | grep -q '^1000 ' || ls_fail "setlink up failed"
ls_wait_until 5 ls_ping "$A" "$b4" || ls_fail "no traffic after setlink up"

kill -0 "$LS_SWITCH_PID" || ls_fail "switch died"
ls_pass "205 tun: IPv4/IPv6 ping, TCP both ways, non-IP counted, carrier"
