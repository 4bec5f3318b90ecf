#!/bin/bash
# Console golden test: Debian's vde_switch and the switch under test side by
# side (each with its own -s dir and -M socket) get the same scripted
# sessions from a raw client (socat in a coprocess; one write per command,
# each sent after the previous prompt), and the transcripts must be
# byte-identical once the banner is cut off.
#
# Covered: port/print and port/allprint of a fresh switch, port/showinfo,
# vlan/print, vlan/allprint, an empty hash/print, error lines (unknown
# command -> 1038, port/print 5 -> data block + 1006, vlan/create 4094 ->
# 1022, ...), port/create 5 + port/allprint 5, VLAN membership commands,
# ACLs, comments and blank lines, prefix matching, commands sent without a
# newline (as vdeterm does), a port/print with a vde_plug attached
# (endpoint ID and pid normalised), and logout -> "9999 END OF SESSION"
# with no newline, then EOF.
#
# Intended differences, not compared:
#  * the banner (and so showinfo): linkswitch names itself;
#  * linkswitch prints two extra lines per port in port/print and
#    port/allprint, " LINK: ..." and " DROPS: ...", after the endpoints;
#    they are checked to be there (one of each per port) and then removed;
#  * help, debug/list, hash/showinfo: linkswitch has no fstp/ or plugin/
#    menus, has port/setlink and more event categories, another default
#    expiry and an "Entries" line;
#  * junk numeric arguments ("port/create x", "hash/setexpire -5"):
#    vde_switch reads them with atoi() (junk = 0), linkswitch answers 1022.
. "$(dirname "$0")/lib.sh"

ls_require_cmd vde_switch vde_plug socat diff cmp
command -v vde_switch >/dev/null || ls_skip "vde_switch not installed"

d=$(ls_tmpdir)

# raw_session SOCK OUT CMD...: one session; the transcript after the banner
# goes to OUT, the banner to OUT.banner, and a copy with each command
# written before its reply (for readable diffs) to OUT.ann.  Commands end
# with "$RAW_NL"
# (default newline).  After the last one it sends "logout\n" and reads to
# EOF.  Returns 1 (with a note at the end of OUT) if a prompt or the EOF
# does not come within 5 s.
raw_session() {
	local sock=$1 out=$2 acc chunk c rc=0 cmd
	shift 2
	: >"$out"
	: >"$out.ann"
	coproc RAW { exec socat -t 0.2 - "UNIX-CONNECT:$sock" 2>/dev/null; }
	local rin=${RAW[0]} rout=${RAW[1]} rpid=$RAW_PID
	# _prompt: read up to and including the next "\nvde$ ", into acc.
	_prompt() {
		acc=""
		while :; do
			IFS= read -r -d '$' -t 5 chunk <&"$rin" || return 1
			acc+=$chunk'$'
			IFS= read -r -N 1 -t 5 c <&"$rin" || return 1
			acc+=$c
			if [ "$c" = " " ] && [[ $acc == *$'\n'vde'$ ' ]]; then
				return 0
			fi
		done
	}
	if ! _prompt; then
		printf '%s<<no prompt after the banner>>' "$acc" >>"$out"
		rc=1
	else
		printf '%s' "${acc%$'\n'vde\$ }" >"$out.banner"
		printf '\nvde$ ' >>"$out"
		for cmd in "$@"; do
			printf '%s%s' "$cmd" "${RAW_NL-$'\n'}" >&"$rout"
			if ! _prompt; then
				printf '%s<<no prompt after %q>>' "$acc" "$cmd" >>"$out"
				rc=1
				break
			fi
			printf '%s' "$acc" >>"$out"
			printf '>>> %s\n%s' "$cmd" "${acc#$'\n'}" >>"$out.ann"
		done
	fi
	if [ "$rc" -eq 0 ]; then
		printf 'logout\n' >&"$rout"
		local r=0
		IFS= read -r -d '' -t 5 chunk <&"$rin" || r=$?
		printf '%s' "$chunk" >>"$out"
		# read returns 1 at EOF, >128 on timeout.
		if [ "$r" -ne 1 ]; then
			printf '<<no EOF after logout>>' >>"$out"
			rc=1
		fi
	fi
	exec {rout}>&- {rin}<&-
	ls_kill "$rpid" 1
	return "$rc"
}

# strip_ext FILE: remove linkswitch's " LINK:"/" DROPS:" port lines in
# place, after checking there is exactly one of each per port block.
strip_ext() {
	local f=$1 ports links drops
	ports=$(grep -c '^Port [0-9]\{4\} untagged_vlan=' "$f" || true)
	links=$(grep -c '^ LINK: ' "$f" || true)
	drops=$(grep -c '^ DROPS: ' "$f" || true)
	if ! ls_is_stock && { [ "$links" != "$ports" ] || [ "$drops" != "$ports" ]; }; then
		ls_fail "$f: $ports port blocks but $links LINK and $drops DROPS lines"
	fi
	sed -i -e '/^ LINK: /d' -e '/^ DROPS: /d' "$f"
}

# normalise FILE: endpoint IDs (control fds) and client pids differ.
normalise() {
	sed -i -e 's/endpoint ID [0-9]\{4\}/endpoint ID NNNN/' \
		-e 's/pid=[0-9]*/pid=N/' "$1"
}

# compare NAME: byte comparison of $d/stock.NAME and $d/ls.NAME.
compare() {
	local a=$d/stock.$1 b=$d/ls.$1
	strip_ext "$b"
	strip_ext "$b.ann"
	if ! cmp -s "$a" "$b"; then
		echo "---- $1: vde_switch (-) vs $LS_SWITCH (+), '>>>' lines: commands sent ----"
		diff -u --text "$a.ann" "$b.ann" || true
		ls_fail "session '$1' differs from vde_switch"
	fi
	ls_log "session '$1': $(wc -c <"$a") bytes identical"
}

LS_SWITCH=vde_switch ls_start_switch "$d/stock" -M "$d/stock.mgmt"
ls_start_switch "$d/ls" -M "$d/ls.mgmt"
for s in stock ls; do
	ls_wait_until 5 test -S "$d/$s.mgmt" || ls_fail "no $d/$s.mgmt"
done

# ---- session 1: a fresh switch, then configuration and errors.
fresh=(
	"port/print" "port/allprint" "port/showinfo" "vlan/print"
	"vlan/allprint" "hash/print"
	"foo" "port/print 5" "vlan/create 4094"
	"port/create 5" "port/allprint 5" "port/print 5" "port/create 5"
	"port/allprint"
	"vlan/create 0" "vlan/create 10" "vlan/create 10" "vlan/remove 7"
	"vlan/allprint 0" "vlan/print 4094"
	"vlan/addport 10 5" "vlan/addport 10 5" "vlan/allprint" "vlan/print 10"
	"port/setvlan 5 10" "vlan/addport 10 5" "vlan/allprint 10"
	"vlan/delport 10 5" "port/setvlan 5 0" "vlan/delport 10 5"
	"vlan/addport 10 6" "vlan/addport 11 5" "vlan/remove 10"
	"port/setvlan 5 4095" "port/allprint 5" "port/setvlan 5 7"
	"port/allocatable 5 2" "port/setuser 5 root" "port/setgroup 5 4321"
	"port/allprint 5" "port/setuser 5 NONE" "port/allocatable 5 0"
	"port/allprint 5"
	"port/resetcounter 3" "port/resetcounter 99" "port/resetcounter"
	"port/epclose 5 99" "port/remove 5" "port/remove 5" "port/print 99"
	"port/setnumports 0" "port/sethub 2" "port/showinfo" "port/sethub 0"
	"port/showinfo"
	"hash/find 01:02:03:04:05:06" "hash/find zz" "hash/setsize 0"
	"debug/add nosuch" "debug/add port" "debug/add port" "debug/del port"
	"#comment" "" "  port/showinfo" "port/showinfoXYZ"
	"port/createauto" "port/allprint"
)
for s in stock ls; do
	raw_session "$d/$s.mgmt" "$d/$s.fresh" "${fresh[@]}" ||
		ls_fail "$s: $(tail -c 300 "$d/$s.fresh")"
done
compare fresh
# The transcript must end with the logout answer: no newline, then EOF.
[ "$(tail -c 25 "$d/ls.fresh")" = $'\nvde$ 9999 END OF SESSION' ] ||
	ls_fail "logout answer: $(tail -c 40 "$d/ls.fresh" | od -c)"
# Banners: two lines, the first "VDE switch V.*" (vdeterm and scripts
# look for it).
for s in stock ls; do
	head -n 1 "$d/$s.fresh.banner" | grep -q '^VDE switch V\.' ||
		ls_fail "$s banner: $(cat "$d/$s.fresh.banner")"
	[ "$(wc -l <"$d/$s.fresh.banner")" -eq 2 ] ||
		ls_fail "$s banner is not two lines: $(cat -A "$d/$s.fresh.banner")"
done

# ---- session 2: commands without a newline, one write each (vdeterm).
nonl=("port/showinfo" "vlan/print" "foo" "port/print 1" "port/allprint 1")
for s in stock ls; do
	RAW_NL="" raw_session "$d/$s.mgmt" "$d/$s.nonl" "${nonl[@]}" ||
		ls_fail "$s: $(tail -c 300 "$d/$s.nonl")"
done
compare nonl

# ---- session 3: one vde_plug attached to each switch.
for s in stock ls; do
	ls_plug_stream "vde://$d/$s"
	ls_wait_until 5 ls_port_of_pid "$d/$s.mgmt" "$LS_PLUG_PID" ||
		ls_fail "vde_plug did not attach to $s"
done
attached=("port/print" "port/allprint" "port/print 1" "vlan/print"
	"vlan/allprint" "port/remove 1" "port/epclose 1 999")
for s in stock ls; do
	raw_session "$d/$s.mgmt" "$d/$s.attached" "${attached[@]}" ||
		ls_fail "$s: $(tail -c 300 "$d/$s.attached")"
	normalise "$d/$s.attached"
	normalise "$d/$s.attached.ann"
done
compare attached
grep -q '^  -- endpoint ID NNNN module unix prog   : vdeplug: user=[^ ]* pid=N$' \
	"$d/ls.attached" || ls_fail "no vde_plug endpoint line in port/print"

ls_pass "console transcripts identical to vde_switch"
