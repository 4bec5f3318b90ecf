#!/bin/bash
# make soak: a long run that looks for leaks and slow death rather than
# wrong answers.  For SOAK_SECONDS (default 120) it keeps
#   - lsgen traffic flowing between two clients (rounds of 5 s, verified),
#   - clients attaching and leaving (vde_plug null://, and raw requests of
#     every malformed kind through vdereq),
#   - a management session running print commands,
# and samples the switch's RSS and open fds.  It fails if the switch dies,
# a traffic round loses or corrupts frames, or RSS or the fd count at the
# end are well above what they were after the first round.
# Usage: bash tests/soak.sh BUILD_DIR
. "$(dirname "$0")/integration/lib.sh"

ls_require_cmd vde_plug
SECS=${SOAK_SECONDS:-120}
d=$(ls_tmpdir)
mg=$d/mgmt
ls_start_switch "$d/sw" -M "$mg"
ls_wait_until 5 test -S "$mg" || ls_fail "no management socket"
pid=$LS_SWITCH_PID

rss() { awk '/^VmRSS/ { print $2 }' "/proc/$pid/status"; }
fds() { find "/proc/$pid/fd" -mindepth 1 | wc -l; }

churn() {
	local i=0
	while :; do
		vde_plug "vde://$d/sw" null:// </dev/null >/dev/null 2>&1 &
		local p=$!
		"$LS_TOOLS/vdereq" --magic 12345678 "$d/sw" >/dev/null 2>&1 || true
		"$LS_TOOLS/vdereq" --version 2 "$d/sw" >/dev/null 2>&1 || true
		"$LS_TOOLS/vdereq" --truncate 40 "$d/sw" >/dev/null 2>&1 || true
		"$LS_TOOLS/vdereq" --port 9999 "$d/sw" >/dev/null 2>&1 || true
		sleep 0.2
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
		i=$((i + 1))
	done
}
console() {
	while :; do
		"$LS_LINKCTL" -M "$mg" port/print >/dev/null 2>&1 || true
		"$LS_LINKCTL" -M "$mg" hash/print >/dev/null 2>&1 || true
		"$LS_LINKCTL" -M "$mg" bogus/command >/dev/null 2>&1 || true
		sleep 0.3
	done
}

round() {
	"$LS_TOOLS/lsgen" recv --verify --timeout 10 "vde://$d/sw" \
		>"$d/recv" 2>&1 &
	local r=$!
	sleep 0.3
	"$LS_TOOLS/lsgen" send --size "$1" --duration 5 "vde://$d/sw" \
		>"$d/send" 2>&1 || ls_fail "sender failed: $(cat "$d/send")"
	wait "$r" || ls_fail "receiver failed: $(cat "$d/recv")"
	grep -q ' lost=0 ' "$d/recv" || ls_fail "frames lost: $(cat "$d/recv")"
	grep -q ' corrupt=0 ' "$d/recv" || ls_fail "corrupt: $(cat "$d/recv")"
}

round 64
rss0=$(rss) fds0=$(fds)
ls_log "after the first round: RSS ${rss0} kB, ${fds0} fds"
cpid=$(ls_bg churn)
mpid=$(ls_bg console)
start=$SECONDS n=0
sizes="64 1514 9000 300"
while [ $((SECONDS - start)) -lt "$SECS" ]; do
	for s in $sizes; do
		round "$s"
		n=$((n + 1))
		kill -0 "$pid" 2>/dev/null || ls_fail "the switch died"
	done
	ls_log "$((SECONDS - start)) s: $n rounds, RSS $(rss) kB, $(fds) fds"
done
ls_kill "$cpid"
ls_kill "$mpid"
sleep 1
rss1=$(rss) fds1=$(fds)
ls_log "at the end: RSS ${rss1} kB, ${fds1} fds"
# Egress queues and MAC entries may legitimately hold a few MB; a leak per
# attach or per frame grows far beyond that over the run.
[ "$rss1" -le $((rss0 + 32768)) ] ||
	ls_fail "RSS grew from $rss0 kB to $rss1 kB"
[ "$fds1" -le $((fds0 + 4)) ] || ls_fail "fds grew from $fds0 to $fds1"
ls_pass "soak: $n rounds in $((SECONDS - start)) s, RSS $rss0 -> $rss1 kB, fds $fds0 -> $fds1"
