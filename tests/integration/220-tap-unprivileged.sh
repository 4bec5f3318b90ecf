#!/bin/bash
# An unprivileged linkswitch attaches to a persistent tap that root made
# for its user ("ip tuntap add ... user U"), as a VM host would set it up.
# A test user is created for this and removed at the end.
#  - the switch (as U, in namespace S) attaches tap://lsu0 at start;
#  - the tap moves into namespace A, which pings a vde_plug client in B;
#  - port/setlink down/up drives the tap's carrier without privileges;
#  - a tap U does not own, and creating a new one, fail with EPERM and a
#    message saying what to do; the switch keeps running.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hostlib.sh"

ls_require_root
ls_is_stock && ls_skip "host-side port URLs are linkswitch's"
ls_require_cmd ip vde_plug unixcmd ping setpriv useradd userdel
[ -c /dev/net/tun ] || ls_skip "no /dev/net/tun"

user=lstest$$
useradd --system --no-create-home --home-dir /nonexistent \
	--shell /usr/sbin/nologin "$user" || ls_fail "useradd $user failed"
ls_on_exit userdel "$user"
uid=$(id -u "$user")
gid=$(id -g "$user")

d=$(ls_tmpdir)
chmod 755 "$d"
mkdir "$d/run"
chown "$user:" "$d/run"
sw=$d/run/sw
mgmt=$d/run/mgmt
S=$(ls_netns s)
A=$(ls_netns a)
B=$(ls_netns b)
ip -n "$S" tuntap add dev lsu0 mode tap user "$user"
ip -n "$S" tuntap add dev lsv0 mode tap user root # not the test user's
# lsu0 goes to A later; it is persistent, so remove it wherever it is.
ls_on_exit ip -n "$A" link del lsu0

ls_switch_in_netns "$S" setpriv --reuid="$uid" --regid="$gid" --clear-groups \
	--inh-caps=-all --bounding-set=-all --
ls_start_switch "$sw" -M "$mgmt" -a 1=tap://lsu0
ls_wait_until 5 test -S "$mgmt" || ls_fail "no management socket"
[ "$(stat -c %u "/proc/$LS_SWITCH_PID")" = "$uid" ] || ls_fail "switch does not run as $user"
grep -q '^CapEff:[[:space:]]*0*$' "/proc/$LS_SWITCH_PID/status" ||
	ls_fail "switch has capabilities: $(grep CapEff "/proc/$LS_SWITCH_PID/status")"

ip -n "$S" link set lsu0 netns "$A"
ip -n "$A" addr add 10.233.24.1/24 dev lsu0
ip -n "$A" link set lsu0 up
ls_plug_tap "$B" "$sw" tap0
ip -n "$B" addr add 10.233.24.2/24 dev tap0
ip -n "$B" link set tap0 up
ls_wait_until 10 ls_ping "$A" 10.233.24.2 || ls_fail "no ping A -> B through the user's tap"

ls_mgmt_rc "$mgmt" port/setlink 1 down | tail -n 1 | grep -q '^1000 ' || ls_fail "setlink down failed"
ls_wait_until 2 ls_no_carrier "$A" lsu0 || ls_fail "lsu0 does not show NO-CARRIER (unprivileged)"
ls_ping_fails "$A" 10.233.24.2 || ls_fail "traffic flows with the link down"
ls_mgmt_rc "$mgmt" port/setlink 1 up | tail -n 1 | grep -q '^1000 ' || ls_fail "setlink up failed"
ls_wait_until 5 ls_ping "$A" 10.233.24.2 || ls_fail "no traffic after setlink up"

r=$(ls_mgmt_rc "$mgmt" port/attach 7 tap://lsv0)
printf '%s\n' "$r"
printf '%s\n' "$r" | tail -n 1 | grep -q '^1001 ' || ls_fail "attaching root's tap: $r"
printf '%s\n' "$r" | grep -q 'ip tuntap add' || ls_fail "EPERM message does not say what to do"
r=$(ls_mgmt_rc "$mgmt" port/attach 7 tap://lsnew0)
printf '%s\n' "$r" | tail -n 1 | grep -q '^1001 ' || ls_fail "creating a tap unprivileged: $r"
kill -0 "$LS_SWITCH_PID" || ls_fail "switch died"
ls_ping "$A" 10.233.24.2 || ls_fail "port 1 stopped working"

ls_kill "$LS_SWITCH_PID"
ls_pass "220 unprivileged switch on a persistent tap owned by its user"
