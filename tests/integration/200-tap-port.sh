#!/bin/bash
# tap:// ports.  The switch runs in namespace S and opens its taps there:
# one with stock -t, one with port/attach; each is moved into a namespace
# (A) that then talks through the switch to a vde_plug client (B).
#  - ping A <-> B through "-t lst0";
#  - port/print: module tuntap, description = interface name;
#  - port/setlink 1 down: lst0 shows NO-CARRIER in A, traffic stops;
#    up: carrier and traffic are back;
#  - console errors: port in use (EBUSY), bad URL (EINVAL), no device
#    (ENODEV) -- the switch keeps running;
#  - hot-plug: the tap is deleted -> carrier down, the port keeps its
#    place; a tap of that name appears again -> reattached, traffic flows
#    without a command;
#  - port/detach removes the tap the switch created; SIGTERM removes the
#    rest.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hostlib.sh"

ls_require_root
ls_is_stock && ls_skip "host-side port URLs are linkswitch's"
ls_require_cmd ip vde_plug unixcmd ping socat
[ -c /dev/net/tun ] || ls_skip "no /dev/net/tun"

d=$(ls_tmpdir)
sw=$d/sw
mgmt=$d/mgmt
S=$(ls_netns s)
A=$(ls_netns a)
B=$(ls_netns b)
ls_switch_in_netns "$S"
ls_start_switch "$sw" -M "$mgmt" -t lst0
ls_wait_until 5 test -S "$mgmt" || ls_fail "no management socket"
ip -n "$S" link show lst0 >/dev/null || ls_fail "-t lst0 did not create lst0"

# The tap goes to A; the vde_plug client's tap lives in B.
ip -n "$S" link set lst0 netns "$A"
ip -n "$A" addr add 10.233.20.1/24 dev lst0
ip -n "$A" link set lst0 up
ls_plug_tap "$B" "$sw" tap0
ip -n "$B" addr add 10.233.20.2/24 dev tap0
ip -n "$B" link set tap0 up

ls_wait_until 10 ls_ping "$A" 10.233.20.2 || ls_fail "no ping A -> B through tap lst0"
ip netns exec "$B" ping -c 3 -i 0.2 -W 2 10.233.20.1 >/dev/null ||
	ls_fail "ping B -> A lost replies"

blk=$(ls_port_block "$mgmt" 1)
printf '%s\n' "$blk"
printf '%s\n' "$blk" | grep -Eq 'endpoint ID [0-9]+ module tuntap +: lst0$' ||
	ls_fail "port 1 does not show 'module tuntap : lst0'"

# The port's link drives the tap's carrier.
ls_mgmt_rc "$mgmt" port/setlink 1 down | tail -n 1 | grep -q '^1000 ' ||
	ls_fail "port/setlink 1 down failed"
ls_wait_until 2 ls_no_carrier "$A" lst0 || ls_fail "lst0 does not show NO-CARRIER"
ip -n "$A" link show lst0
ls_ping_fails "$A" 10.233.20.2 || ls_fail "traffic still flows with the port's link down"
ls_mgmt_rc "$mgmt" port/setlink 1 up | tail -n 1 | grep -q '^1000 ' ||
	ls_fail "port/setlink 1 up failed"
ls_wait_until 2 ls_has_carrier "$A" lst0 || ls_fail "lst0 carrier not back"
ls_wait_until 5 ls_ping "$A" 10.233.20.2 || ls_fail "no traffic after setlink up"

# Console: attach, and the errors.
r=$(ls_mgmt_rc "$mgmt" port/attach 5 tap://lst1)
printf '%s\n' "$r"
printf '%s\n' "$r" | tail -n 1 | grep -q '^1000 ' || ls_fail "port/attach 5 tap://lst1 failed"
ip -n "$S" link show lst1 >/dev/null || ls_fail "lst1 not created"
r=$(ls_mgmt_rc "$mgmt" port/attach 5 tap://lst2)
printf '%s\n' "$r" | tail -n 1 | grep -q '^1016 ' || ls_fail "attach to a busy port: $r"
printf '%s\n' "$r" | grep -q 'in use' || ls_fail "no clear message for a busy port: $r"
r=$(ls_mgmt_rc "$mgmt" port/attach 6 tapp://lst2)
printf '%s\n' "$r" | tail -n 1 | grep -q '^1022 ' || ls_fail "bad URL accepted: $r"
r=$(ls_mgmt_rc "$mgmt" port/attach 6 host://lsnodev0)
printf '%s\n' "$r" | tail -n 1 | grep -q '^1019 ' || ls_fail "missing NIC: $r"
r=$(ls_mgmt_rc "$mgmt" port/attach 99 tap://lst2)
printf '%s\n' "$r" | tail -n 1 | grep -q '^1022 ' || ls_fail "port out of range: $r"
grep -q 'port/attach 6 host://lsnodev0: .*no such interface' "$LS_SWITCH_LOG" ||
	ls_fail "no log line for the failed attach"
ls_port_listed "$mgmt" 6 && ls_fail "a failed attach left port 6 active"
ls_mgmt_rc "$mgmt" port/detach 5 | tail -n 1 | grep -q '^1000 ' || ls_fail "port/detach 5 failed"
ls_wait_until 2 sh -c "! ip -n '$S' link show lst1 >/dev/null 2>&1" ||
	ls_fail "lst1 still exists after port/detach"
r=$(ls_mgmt_rc "$mgmt" port/detach 5)
printf '%s\n' "$r" | tail -n 1 | grep -q '^1006 ' || ls_fail "detach of an empty port: $r"

# Hot-plug: the tap is deleted; the port stays, carrier down.
ip -n "$A" link del lst0
ls_wait_until 3 ls_port_carrier_is "$mgmt" 1 down || ls_fail "carrier still up after the tap was deleted"
ls_port_listed "$mgmt" 1 || ls_fail "port 1 lost its place"
ls_port_block "$mgmt" 1 | grep -q 'lst0 \[no device\]' || ls_fail "no '[no device]' in the description"
# A tap with that name again (persistent, made by the administrator).
ip -n "$S" tuntap add dev lst0 mode tap
ls_wait_until 5 ls_port_carrier_is "$mgmt" 1 up || ls_fail "port 1 did not reattach to the new lst0"
ip -n "$S" link set lst0 netns "$A"
ip -n "$A" addr add 10.233.20.1/24 dev lst0
ip -n "$A" link set lst0 up
ls_wait_until 10 ls_ping "$A" 10.233.20.2 || ls_fail "no traffic through the re-created tap"
# It is persistent: deleting it is the administrator's job.
ls_on_exit ip -n "$A" link del lst0

kill -0 "$LS_SWITCH_PID" || ls_fail "switch died"
ls_kill "$LS_SWITCH_PID"
ls_pass "200 tap: ping, carrier follows the port link, console errors, hot-plug"
