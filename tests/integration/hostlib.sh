# shellcheck shell=bash
# Helpers for the host-side port tests (2NN-*.sh).  Source after lib.sh:
#
#   . "$(dirname "$0")/lib.sh"
#   . "$(dirname "$0")/hostlib.sh"

# ls_switch_in_netns NS: make the next ls_start_switch run the switch inside
# network namespace NS, so that the taps, tuns and host NICs it opens are
# NS's (never the host's).  Extra words before the binary (e.g. "setpriv
# --reuid=U ...") may follow NS.  The pid stays the switch's (exec chain).
ls_switch_in_netns() {
	local ns=$1 w
	shift
	w=$(ls_tmpdir)/switch-in-$ns
	{
		echo '#!/bin/sh'
		printf 'exec ip netns exec %q' "$ns"
		[ $# -eq 0 ] || printf ' %q' "$@"
		printf ' %q "$@"\n' "$LS_SWITCH"
	} >"$w"
	chmod 755 "$w" "$(dirname "$w")"
	LS_SWITCH=$w
}

# ls_port_block SOCK N: port/allprint N.
ls_port_block() { ls_mgmt "$1" port/allprint "$2"; }

# ls_port_carrier SOCK N: "up" or "down", the carrier of port N.
ls_port_carrier() {
	ls_port_block "$1" "$2" | sed -n 's/^ LINK: .*carrier \([a-z]*\)).*/\1/p'
}

# ls_port_carrier_is SOCK N STATE: for ls_wait_until.
ls_port_carrier_is() { [ "$(ls_port_carrier "$1" "$2")" = "$3" ]; }

# ls_port_pkts SOCK N in|out: the frame counter of port N.
ls_port_pkts() {
	local dir
	dir=$(printf '%s' "$3" | tr 'a-z' 'A-Z')
	ls_port_block "$1" "$2" | awk -v d="$dir:" '$1 == d { print $3 }'
}

# ls_port_drop SOCK N CAUSE: the drop counter CAUSE (runt, proto, ...).
ls_port_drop() {
	ls_port_block "$1" "$2" | awk -v c="$3" '
		$1 == "DROPS:" { for (i = 2; i < NF; i += 2) if ($i == c) print $(i + 1) }'
}

# ls_no_carrier NS DEV: true if DEV in NS shows NO-CARRIER.
ls_no_carrier() { ip -n "$1" link show "$2" | grep -q 'NO-CARRIER'; }

# ls_has_carrier NS DEV: DEV in NS is up with carrier (LOWER_UP).
ls_has_carrier() { ip -n "$1" link show "$2" | grep -q 'LOWER_UP'; }

# ls_ping NS ADDR: one ping that must answer within a second.
ls_ping() { ip netns exec "$1" ping -c 1 -W 1 "$2" >/dev/null 2>&1; }

# ls_ping_fails NS ADDR: two pings, neither answered.
ls_ping_fails() { ! ip netns exec "$1" ping -c 2 -i 0.3 -W 1 "$2" >/dev/null 2>&1; }

# ls_quiet_ns NS: no IPv6 autoconfiguration noise (router solicitations,
# MLD) in NS, so idle counters mean idle.
ls_quiet_ns() {
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 >/dev/null
}
