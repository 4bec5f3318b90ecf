#!/bin/bash
# The link watcher survives lost netlink events (ENOBUFS).  The switch runs
# in namespace S with a tiny netlink receive buffer (LS_NETLINK_RCVBUF) and
# a host://mac= port.  While the switch is stopped (SIGSTOP), its NIC is
# deleted, hundreds of veth links come and go (overflowing the buffer),
# and the NIC is re-created under another name with the same MAC.  After
# SIGCONT the watcher must notice the loss, re-read the links, and the
# port must find its NIC again -- which it can only do from a correct link
# table, since the events that said so were lost.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hostlib.sh"

ls_require_root
ls_is_stock && ls_skip "host-side port URLs are linkswitch's"
ls_require_cmd ip vde_plug unixcmd ping

d=$(ls_tmpdir)
sw=$d/sw
mgmt=$d/mgmt
S=$(ls_netns s)
P=$(ls_netns p)
B=$(ls_netns b)
for ns in "$S" "$P" "$B"; do
	ls_quiet_ns "$ns"
done
mac=02:33:23:00:00:01

# mk_veth NAME: veth NAME (MAC $mac) in S, up; its peer p0 in P.
mk_veth() {
	ip -n "$S" link add "$1" address "$mac" type veth peer name p0 netns "$P"
	ip -n "$S" link set "$1" up
	ip -n "$P" addr add 10.233.23.1/24 dev p0
	ip -n "$P" link set p0 up
}
mk_veth lsr0

export LS_NETLINK_RCVBUF=4096
ls_switch_in_netns "$S"
ls_start_switch "$sw" -M "$mgmt" -a "1=host://mac=$mac"
unset LS_NETLINK_RCVBUF
ls_wait_until 5 test -S "$mgmt" || ls_fail "no management socket"
ls_plug_tap "$B" "$sw" tap0
ip -n "$B" addr add 10.233.23.2/24 dev tap0
ip -n "$B" link set tap0 up
ls_wait_until 10 ls_ping "$P" 10.233.23.2 || ls_fail "no ping P -> B through host://mac="

kill -STOP "$LS_SWITCH_PID"
ls_on_exit kill -CONT "$LS_SWITCH_PID"
ip -n "$S" link del lsr0
for i in $(seq 1 150); do echo "link add lsd$i type veth peer name lse$i"; done >"$d/add"
for i in $(seq 1 150); do echo "link del lsd$i"; done >"$d/del"
ip -n "$S" -batch "$d/add"
ip -n "$S" -batch "$d/del"
mk_veth lsr7
kill -CONT "$LS_SWITCH_PID"

ls_wait_until 10 grep -q 'link events were lost; resynchronising' "$LS_SWITCH_LOG" ||
	ls_fail "the watcher did not notice the lost events"
ls_wait_until 10 ls_port_carrier_is "$mgmt" 1 up || ls_fail "port 1 did not find its NIC (lsr7)"
ls_port_block "$mgmt" 1 | grep -q "host://mac=$mac (lsr7)" || ls_fail "port 1 does not name lsr7"
ls_wait_until 10 ls_ping "$P" 10.233.23.2 || ls_fail "no traffic through lsr7"
kill -0 "$LS_SWITCH_PID" || ls_fail "switch died"
cat "$LS_SWITCH_LOG"
ls_pass "215 netlink overflow: resynchronised, port found its NIC by MAC"
