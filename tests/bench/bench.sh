#!/bin/sh
# Side-by-side throughput benchmark (make bench).
#
#   sh tests/bench/bench.sh BUILD_DIR
#
# For every frame size, measures one sender -> one receiver (BUILD_DIR/tools/
# lsgen) through
#   linkswitch   BUILD_DIR/linkswitch -s DIR      (skipped if not built)
#   vde_switch   Debian's vde_switch -s DIR
#   ptp          vdeplug4 ptp:// (no switch: the lower bound of the path)
# The receiver attaches first, then the sender sends for BENCH_SECONDS.
# Runs are interleaved (each round runs every path once) and repeated
# BENCH_REPEAT times; the table shows, per path and size, the run with the
# median received fps, with the range of received fps over the runs.
#
# Columns: tx_fps/rx_fps frames per second sent/received; loss% frames the
# receiver missed (the switches drop when the receiver's queue is full);
# sw_cpu_s CPU seconds (user+system) the switch process used during the run
# (from /proc/PID/stat); sw_us/fr switch CPU microseconds per frame sent;
# tx_cpu_s/rx_cpu_s CPU seconds of the sender/receiver (getrusage).
#
# Then, tap to tap: two network namespaces, each behind one tap port of
# one switch (linkswitch -a 1=tap://lsbtA -a 2=tap://lsbtB, vde_switch
# -t lsbtA -t lsbtB; the switch runs in a third namespace that creates the
# taps, which then move into the two), TCP iperf3 from one to the other for
# BENCH_SECONDS, interleaved and repeated like the runs above.  Columns:
# Mbit/s received by iperf3 (median, range) and the switch's CPU seconds.
# Needs root and iperf3; skipped otherwise.
#
# Environment: BENCH_SECONDS (default 3), BENCH_REPEAT (default 3),
# BENCH_SIZES (default "64 1514"), BENCH_TAP (default 1; 0 skips the tap
# runs).  Results are printed and saved to
# BUILD_DIR/bench/results.txt.  Exit status: 0 if every run worked, 1 if
# some run failed, 2 on setup errors.
set -u

B=${1:-build}
SECS=${BENCH_SECONDS:-3}
REPS=${BENCH_REPEAT:-3}
SIZES=${BENCH_SIZES:-"64 1514"}
LSGEN=$B/tools/lsgen
LINKSWITCH=$B/linkswitch
VDE_SWITCH=$(command -v vde_switch || true)
OUT=$B/bench/results.txt
TICK=$(getconf CLK_TCK 2>/dev/null || echo 100)

die() {
	echo "bench: $*" >&2
	exit 2
}

case $SECS in '' | *[!0-9.]*) die "BENCH_SECONDS must be a number" ;; esac
case $REPS in '' | *[!0-9]* | 0) die "BENCH_REPEAT must be a positive integer" ;; esac
[ -x "$LSGEN" ] || die "$LSGEN not found (run make first)"
[ -n "$VDE_SWITCH" ] || die "vde_switch not found (apt-get install vde-switch)"

T=$(mktemp -d "${TMPDIR:-/tmp}/lsbench.XXXXXX") || die "mktemp failed"
SW_PID=""
RX_PID=""
TX_PID=""
TAP_NS=""

# Stops whatever is still running and removes the temporary directory.
# shellcheck disable=SC2317 # called from the EXIT trap
cleanup() {
	trap - EXIT INT TERM HUP PIPE
	exec 3>&-
	for p in $TX_PID $RX_PID $SW_PID; do
		kill "$p" 2>/dev/null
	done
	for p in $TX_PID $RX_PID $SW_PID; do
		stop_pid "$p"
	done
	tap_ns_del
	rm -rf "$T"
}

# stop_pid PID: waits up to 2 s for PID to exit after SIGTERM, then
# SIGKILLs it; reaps it.
stop_pid() {
	[ -n "$1" ] || return 0
	i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 40 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
trap 'exit 141' PIPE

# cpu_ticks PID: utime + stime of PID in clock ticks (0 if it is gone).
cpu_ticks() {
	if [ -n "$1" ] && [ -r "/proc/$1/stat" ]; then
		sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
	else
		echo 0
	fi
}

# field FILE KEY: value of KEY=value on the lsgen line in FILE.
field() {
	v=$(sed -n "s/^lsgen-[a-z]*.* $2=\([^ ]*\).*/\1/p" "$1" 2>/dev/null)
	echo "${v:-0}"
}

# start_switch BINARY DIR: runs the switch with its console stdin on a
# fifo kept open on fd 3 (without -d, EOF on stdin shuts vde_switch down);
# waits for DIR/ctl.
start_switch() {
	rm -f "$T/stdin"
	mkfifo "$T/stdin" || return 1
	"$1" -s "$2" <"$T/stdin" >"$T/switch.log" 2>&1 &
	SW_PID=$!
	exec 3>"$T/stdin"
	i=0
	while [ ! -S "$2/ctl" ]; do
		if [ $i -ge 100 ] || ! kill -0 "$SW_PID" 2>/dev/null; then
			echo "bench: $1 did not create $2/ctl" >&2
			sed 's/^/  | /' "$T/switch.log" >&2
			return 1
		fi
		sleep 0.05
		i=$((i + 1))
	done
	return 0
}

stop_switch() {
	exec 3>&-
	if [ -n "$SW_PID" ]; then
		kill "$SW_PID" 2>/dev/null
		stop_pid "$SW_PID"
	fi
	SW_PID=""
}

# wait_attached KIND WHERE: waits (at most 2 s) until the receiver is
# attached: a data socket next to ctl for a switch, the socket for ptp.
wait_attached() {
	i=0
	while [ $i -lt 40 ]; do
		if [ "$1" = ptp ]; then
			[ -S "$2" ] && return 0
		else
			for f in "$2"/*; do
				if [ "$f" != "$2/ctl" ] && [ -e "$f" ]; then
					return 0
				fi
			done
		fi
		sleep 0.05
		i=$((i + 1))
	done
	return 0
}

# run_one KIND SIZE ROUND: one measurement; appends a row to $T/rows.
run_one() {
	kind=$1
	size=$2
	round=$3
	where=$T/net.$kind.$size.$round
	case $kind in
	linkswitch) bin=$LINKSWITCH ;;
	vde_switch) bin=$VDE_SWITCH ;;
	*) bin="" ;;
	esac
	if [ -n "$bin" ]; then
		url=vde://$where
		if ! start_switch "$bin" "$where"; then
			stop_switch
			echo "$kind $size $round FAIL" >>"$T/rows"
			return 1
		fi
	else
		url=ptp://$where
	fi

	rm -f "$T/rx.out" "$T/rx.err" "$T/tx.out" "$T/tx.err"
	"$LSGEN" recv --timeout 10 --idle 2000 "$url" \
		>"$T/rx.out" 2>"$T/rx.err" 3>&- &
	RX_PID=$!
	wait_attached "$kind" "$where"
	c0=$(cpu_ticks "$SW_PID")
	"$LSGEN" send --duration "$SECS" --size "$size" "$url" \
		>"$T/tx.out" 2>"$T/tx.err" 3>&- &
	TX_PID=$!
	wait "$TX_PID"
	txrc=$?
	TX_PID=""
	if [ $txrc -ne 0 ]; then
		kill "$RX_PID" 2>/dev/null
	fi
	wait "$RX_PID"
	rxrc=$?
	RX_PID=""
	c1=$(cpu_ticks "$SW_PID")
	stop_switch
	rm -rf "$where"

	if [ $txrc -ne 0 ] || [ $rxrc -ne 0 ]; then
		echo "bench: $kind size $size round $round failed" \
			"(sender $txrc, receiver $rxrc)" >&2
		sed 's/^/  | /' "$T/tx.err" "$T/rx.err" "$T/tx.out" \
			"$T/rx.out" >&2
		echo "$kind $size $round FAIL" >>"$T/rows"
		return 1
	fi
	swcpu=$(awk -v a="$c0" -v b="$c1" -v t="$TICK" -v k="$kind" \
		'BEGIN { if (k == "ptp") print "-"; else printf "%.2f", (b - a) / t }')
	echo "$kind $size $round OK" \
		"$(field "$T/tx.out" frames) $(field "$T/tx.out" fps)" \
		"$(field "$T/rx.out" frames) $(field "$T/rx.out" fps)" \
		"$(field "$T/rx.out" expected) $(field "$T/rx.out" lost)" \
		"$(field "$T/rx.out" mbps) $swcpu" \
		"$(field "$T/tx.out" cpu) $(field "$T/rx.out" cpu)" >>"$T/rows"
	return 0
}

# tap_ns_del: kills what runs in the tap runs' namespaces and removes them.
tap_ns_del() {
	for ns in $TAP_NS; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do
			kill "$p" 2>/dev/null
			stop_pid "$p"
		done
		ip netns del "$ns" 2>/dev/null
	done
	TAP_NS=""
}

# tap_wait CMD...: runs CMD every 0.1 s, at most 5 s, until it succeeds.
tap_wait() {
	i=0
	until "$@" >/dev/null 2>&1; do
		[ $i -lt 50 ] || return 1
		sleep 0.1
		i=$((i + 1))
	done
	return 0
}

# tap_run_one KIND ROUND: one iperf3 run between two namespaces on two
# tap ports of KIND's switch; appends a row to $T/taprows.
tap_run_one() {
	kind=$1
	round=$2
	ns=lsb$$
	where=$T/tap.$kind.$round
	TAP_NS="${ns}s ${ns}a ${ns}b"
	for n in $TAP_NS; do
		if ! ip netns add "$n" || ! ip -n "$n" link set lo up; then
			tap_ns_del
			echo "$kind $round FAIL" >>"$T/taprows"
			return 1
		fi
	done
	if [ "$kind" = linkswitch ]; then
		set -- "$LINKSWITCH" -a 1=tap://lsbtA -a 2=tap://lsbtB
	else
		set -- "$VDE_SWITCH" -t lsbtA -t lsbtB
	fi
	rm -f "$T/stdin"
	mkfifo "$T/stdin"
	ip netns exec "${ns}s" "$@" -s "$where" <"$T/stdin" \
		>"$T/switch.log" 2>&1 &
	SW_PID=$!
	exec 3>"$T/stdin"
	ok=1
	tap_wait ip -n "${ns}s" link show lsbtB || ok=0
	for side in A:a:1 B:b:2; do
		t=lsbt${side%%:*}
		n=$ns$(echo "$side" | cut -d: -f2)
		ip -n "${ns}s" link set "$t" netns "$n" &&
			ip -n "$n" addr add "10.233.30.${side##*:}/24" dev "$t" &&
			ip -n "$n" link set "$t" up || ok=0
	done
	[ $ok -eq 1 ] && tap_wait ip netns exec "${ns}a" ping -c 1 -W 1 10.233.30.2 ||
		ok=0
	if [ $ok -eq 1 ]; then
		ip netns exec "${ns}b" iperf3 -s -1 -B 10.233.30.2 \
			>"$T/iperf-s.out" 2>&1 3>&- &
		tap_wait sh -c "ip netns exec ${ns}b ss -ltn | grep -q ':5201 '" || ok=0
	fi
	if [ $ok -eq 1 ]; then
		c0=$(cpu_ticks "$SW_PID")
		ip netns exec "${ns}a" iperf3 -c 10.233.30.2 -f m -t "$SECS" \
			>"$T/iperf-c.out" 2>&1 3>&- || ok=0
		c1=$(cpu_ticks "$SW_PID")
	fi
	stop_switch
	tap_ns_del
	rm -rf "$where"
	mbps=$(awk '/receiver/ { for (i = 1; i < NF; i++)
		if ($(i + 1) == "Mbits/sec") v = $i } END { print v }' \
		"$T/iperf-c.out" 2>/dev/null)
	if [ $ok -eq 0 ] || [ -z "$mbps" ]; then
		echo "bench: tap $kind round $round failed" >&2
		sed 's/^/  | /' "$T/switch.log" "$T/iperf-c.out" >&2 2>/dev/null
		echo "$kind $round FAIL" >>"$T/taprows"
		return 1
	fi
	echo "$kind $round OK $mbps $(awk -v a="$c0" -v b="$c1" -v t="$TICK" \
		'BEGIN { printf "%.2f", (b - a) / t }')" >>"$T/taprows"
	return 0
}

KINDS="vde_switch ptp"
HAVE_LS=0
if [ -x "$LINKSWITCH" ]; then
	KINDS="linkswitch vde_switch ptp"
	HAVE_LS=1
else
	echo "bench: $LINKSWITCH is missing; measuring vde_switch and ptp only" >&2
fi

: >"$T/rows"
failed=0
round=1
while [ $round -le "$REPS" ]; do
	for size in $SIZES; do
		for kind in $KINDS; do
			printf 'bench: round %d/%d size %-5s %-10s ... ' \
				"$round" "$REPS" "$size" "$kind" >&2
			if run_one "$kind" "$size" "$round"; then
				awk 'END { printf "rx %s fps, loss %s/%s\n", $8, $10, $9 }' \
					"$T/rows" >&2
			else
				echo "FAILED" >&2
				failed=1
			fi
		done
	done
	round=$((round + 1))
done

TAP_KINDS="vde_switch"
[ $HAVE_LS -eq 1 ] && TAP_KINDS="linkswitch vde_switch"
TAP_SKIP=""
if [ "${BENCH_TAP:-1}" = 0 ]; then
	TAP_SKIP="BENCH_TAP=0"
elif [ "$(id -u)" -ne 0 ]; then
	TAP_SKIP="needs root"
elif ! command -v iperf3 >/dev/null 2>&1; then
	TAP_SKIP="iperf3 not installed"
elif [ ! -c /dev/net/tun ]; then
	TAP_SKIP="no /dev/net/tun"
fi
: >"$T/taprows"
round=1
while [ -z "$TAP_SKIP" ] && [ $round -le "$REPS" ]; do
	for kind in $TAP_KINDS; do
		printf 'bench: round %d/%d tap-to-tap %-10s ... ' \
			"$round" "$REPS" "$kind" >&2
		if tap_run_one "$kind" "$round"; then
			awk 'END { printf "%s Mbit/s\n", $4 }' "$T/taprows" >&2
		else
			echo "FAILED" >&2
			failed=1
		fi
	done
	round=$((round + 1))
done

mkdir -p "$B/bench" || die "cannot create $B/bench"
{
	echo "linkswitch benchmark, $(date '+%Y-%m-%d %H:%M:%S')"
	echo "host: $(uname -sr), $(nproc) CPU(s)," \
		"$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)"
	echo "one sender -> one receiver (lsgen), ${SECS} s per run," \
		"${REPS} round(s); row = run with the median rx_fps"
	if [ $HAVE_LS -eq 0 ]; then
		echo "linkswitch: MISSING ($LINKSWITCH not built); re-run" \
			"make bench when it exists"
	fi
	echo
	awk -v sizes="$SIZES" -v kinds="linkswitch vde_switch ptp" \
		-v have_ls="$HAVE_LS" '
	$4 == "OK" {
		k = $1 " " $2
		n[k]++
		row[k, n[k]] = $0
		fps[k, n[k]] = $8 + 0
	}
	$4 == "FAIL" { fail[$1 " " $2]++ }
	function median_row(k,    i, j, t, m, idx) {
		m = n[k]
		for (i = 1; i <= m; i++) {
			idx[i] = i
		}
		for (i = 1; i <= m; i++) {
			for (j = i + 1; j <= m; j++) {
				if (fps[k, idx[j]] < fps[k, idx[i]]) {
					t = idx[i]; idx[i] = idx[j]; idx[j] = t
				}
			}
		}
		lo[k] = fps[k, idx[1]]
		hi[k] = fps[k, idx[m]]
		return row[k, idx[int((m + 1) / 2)]]
	}
	END {
		ns = split(sizes, S, " ")
		nk = split(kinds, K, " ")
		printf "%-5s %-10s %10s %10s %7s %9s %8s %8s %8s %8s  %s\n",
		    "size", "path", "tx_fps", "rx_fps", "loss%", "rx_Mbit/s",
		    "sw_cpu_s", "sw_us/fr", "tx_cpu_s", "rx_cpu_s",
		    "rx_fps range"
		for (s = 1; s <= ns; s++) {
			for (q = 1; q <= nk; q++) {
				k = K[q] " " S[s]
				if (K[q] == "linkswitch" && !have_ls) {
					printf "%-5s %-10s %s\n", S[s], K[q],
					    "missing (not built)"
					continue
				}
				if (!n[k]) {
					printf "%-5s %-10s %s\n", S[s], K[q],
					    "all runs failed"
					continue
				}
				split(median_row(k), f, " ")
				med[k] = f[8]
				loss = f[9] > 0 ? 100 * f[10] / f[9] : 0
				us = (f[12] == "-" || f[5] == 0) ? "-" : \
				    sprintf("%.2f", f[12] * 1e6 / f[5])
				printf "%-5s %-10s %10d %10d %7.2f %9.1f %8s %8s %8s %8s  %d..%d%s\n",
				    S[s], K[q], f[6], f[8], loss, f[11], f[12],
				    us, f[13], f[14], lo[k], hi[k],
				    fail[k] ? " (" fail[k] " failed)" : ""
			}
		}
		print ""
		print "ratios of received fps (medians):"
		printf "%-5s %22s %16s %16s\n", "size",
		    "linkswitch/vde_switch", "linkswitch/ptp", "vde_switch/ptp"
		for (s = 1; s <= ns; s++) {
			l = med["linkswitch " S[s]]
			v = med["vde_switch " S[s]]
			p = med["ptp " S[s]]
			printf "%-5s %22s %16s %16s\n", S[s],
			    (l > 0 && v > 0) ? sprintf("%.2f", l / v) : "n/a",
			    (l > 0 && p > 0) ? sprintf("%.2f", l / p) : "n/a",
			    (v > 0 && p > 0) ? sprintf("%.2f", v / p) : "n/a"
		}
	}' "$T/rows"
	echo
	echo "raw runs (path size round status tx_frames tx_fps rx_frames" \
		"rx_fps expected lost rx_mbps sw_cpu_s tx_cpu_s rx_cpu_s):"
	sed 's/^/  /' "$T/rows"
	echo
	echo "tap to tap: TCP iperf3 between two namespaces on two tap ports," \
		"${SECS} s per run; row = run with the median Mbit/s"
	if [ -n "$TAP_SKIP" ]; then
		echo "skipped ($TAP_SKIP)"
	else
		awk -v kinds="$TAP_KINDS" '
		$3 == "OK" { n[$1]++; v[$1, n[$1]] = $4 + 0; c[$1, n[$1]] = $5 }
		$3 == "FAIL" { fail[$1]++ }
		END {
			printf "%-10s %10s %8s  %s\n", "path", "Mbit/s", "sw_cpu_s",
			    "Mbit/s range"
			nk = split(kinds, K, " ")
			for (q = 1; q <= nk; q++) {
				k = K[q]
				if (!n[k]) {
					printf "%-10s %s\n", k, "all runs failed"
					continue
				}
				for (i = 1; i <= n[k]; i++) {
					idx[i] = i
				}
				for (i = 1; i <= n[k]; i++) {
					for (j = i + 1; j <= n[k]; j++) {
						if (v[k, idx[j]] < v[k, idx[i]]) {
							t = idx[i]; idx[i] = idx[j]; idx[j] = t
						}
					}
				}
				m = idx[int((n[k] + 1) / 2)]
				med[k] = v[k, m]
				printf "%-10s %10.0f %8s  %.0f..%.0f%s\n", k, v[k, m],
				    c[k, m], v[k, idx[1]], v[k, idx[n[k]]],
				    fail[k] ? " (" fail[k] " failed)" : ""
			}
			l = med["linkswitch"]
			w = med["vde_switch"]
			printf "ratio linkswitch/vde_switch: %s\n",
			    (l > 0 && w > 0) ? sprintf("%.2f", l / w) : "n/a"
		}' "$T/taprows"
		echo "raw tap runs (path round status Mbit/s sw_cpu_s):"
		sed 's/^/  /' "$T/taprows"
	fi
} >"$T/results.txt"

cp "$T/results.txt" "$OUT" || die "cannot write $OUT"
echo
cat "$OUT"
echo "bench: saved to $OUT"
exit $failed
