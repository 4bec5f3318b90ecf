#!/bin/bash
# Two network namespaces, each attached to the switch through
# "vde_plug vde://DIR tap://tap0" run inside the namespace (vde_plug creates
# the tap there).  Ping both ways, move 100 MiB over TCP (socat, md5-checked), and
# check that port/print over -M lists both vde_plug endpoints.
. "$(dirname "$0")/lib.sh"

ls_require_root
ls_require_cmd ip vde_plug unixcmd ping socat md5sum

d=$(ls_tmpdir)
sw=$d/sw
mgmt=$d/mgmt
ls_start_switch "$sw" -M "$mgmt"

A=$(ls_netns a)
B=$(ls_netns b)
ls_plug_tap "$A" "$sw" tap0
pidA=$LS_BG_PID
ls_plug_tap "$B" "$sw" tap0
pidB=$LS_BG_PID

# Addresses exist only inside the two namespaces created above.
ipA=10.233.10.1
ipB=10.233.10.2
ip -n "$A" addr add "$ipA/24" dev tap0
ip -n "$B" addr add "$ipB/24" dev tap0
ip -n "$A" link set tap0 up
ip -n "$B" link set tap0 up

# First contact (ARP) may take a moment; then every ping must answer.
ls_wait_until 10 ip netns exec "$A" ping -c 1 -W 1 "$ipB" ||
	ls_fail "no ping reply A -> B"
ip netns exec "$A" ping -c 5 -i 0.2 -W 2 "$ipB" || ls_fail "ping A -> B lost replies"
ip netns exec "$B" ping -c 5 -i 0.2 -W 2 "$ipA" || ls_fail "ping B -> A lost replies"

# port/print: exactly two active ports, each with one vde_plug endpoint
# whose description names that vde_plug's pid.
pp=$(ls_mgmt "$mgmt" port/print)
printf '%s\n' "$pp"
nports=$(ls_ports "$mgmt" | wc -l)
[ "$nports" -eq 2 ] || ls_fail "port/print lists $nports active ports, expected 2"
eps=$(ls_endpoints "$mgmt")
for pid in "$pidA" "$pidB"; do
	printf '%s\n' "$eps" | grep -Eq "^[0-9]+ vdeplug: user=[^ ]+ pid=$pid( |\$)" ||
		ls_fail "no endpoint 'vdeplug: user=... pid=$pid' in port/print"
done
pa=$(ls_port_of_pid "$mgmt" "$pidA")
pb=$(ls_port_of_pid "$mgmt" "$pidB")
[ "$pa" != "$pb" ] || ls_fail "both vde_plug clients on port $pa"
ls "$sw"/"$(printf '%03d' "$pa")".* >/dev/null 2>&1 ||
	ls_fail "no data socket $sw/$(printf '%03d' "$pa").*"

# 100 MiB over TCP, A -> B, checked byte for byte: random data from a file,
# md5 of what arrived compared with md5 of what was sent.
size=104857600
head -c "$size" /dev/urandom >"$d/src.bin"
want=$(md5sum <"$d/src.bin" | cut -d' ' -f1)
ls_bg ip netns exec "$B" bash -c \
	"socat -u TCP-LISTEN:5201,bind=$ipB,reuseaddr STDOUT | tee >(wc -c >'$d/recv.len') | md5sum >'$d/recv.md5'" \
	>/dev/null
ls_wait_until 5 sh -c "ip netns exec '$B' ss -ltn | grep -q ':5201 '" ||
	ls_fail "receiver did not start listening"
t0=$(date +%s%N)
ls_timeout 120 ip netns exec "$A" socat -u "FILE:$d/src.bin" "TCP:$ipB:5201" ||
	ls_fail "TCP transfer A -> B failed or took more than 120 s"
ls_wait_until 20 test -s "$d/recv.md5" || ls_fail "receiver did not finish"
ls_wait_until 5 test -s "$d/recv.len" || true
t1=$(date +%s%N)
got=$(cut -d' ' -f1 "$d/recv.md5")
len=$(tr -dc 0-9 <"$d/recv.len" 2>/dev/null || echo "?")
echo "TCP transfer: $len of $size bytes in $(((t1 - t0) / 1000000)) ms"
[ "$len" = "$size" ] || ls_fail "received $len bytes, expected $size"
[ "$got" = "$want" ] || ls_fail "received data differs from sent data (md5 $got != $want)"

# The switch must still be alive and both clients still attached.
kill -0 "$LS_SWITCH_PID" || ls_fail "switch died"
[ "$(ls_ports "$mgmt" | wc -l)" -eq 2 ] || ls_fail "ports vanished after transfer"

ls_pass "010 ping both ways, 100 MiB TCP, port/print ok"
