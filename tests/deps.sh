#!/bin/sh
# Install the Debian packages that the build and the tests need.
#
#   sh tests/deps.sh
#
# As root: installs whatever is missing (one `apt-get update`, then one
# `apt-get install`).  As any other user: prints the command to run and
# carries on (exit 0), so `make check` still works on a prepared machine.
# Fast when everything is present: only dpkg-query is run.
set -u

PKGS="build-essential pkg-config libvdeplug-dev libnl-3-dev libnl-route-3-dev
libpcap-dev libcmocka-dev libreadline-dev vde-switch vde2 vdeplug
libvdeplug-slirp libvdeplug-pcap libvdeplug-vlan liblwipv6-dev
libvdeslirp-dev qemu-system-x86 busybox-static iperf3 tcpdump jq clang
iproute2 procps psmisc socat tmux iputils-ping"

# One dpkg-query for all of them; unknown packages only print to stderr.
# shellcheck disable=SC2086
installed=$(dpkg-query -W -f='${Package} ${Status}\n' $PKGS 2>/dev/null |
	awk '$NF == "installed" && $(NF-1) == "ok" { printf "%s ", $1 }')
missing=""
for p in $PKGS; do
	case " $installed " in
	*" $p "*) ;;
	*) missing="$missing $p" ;;
	esac
done

[ -z "$missing" ] && exit 0

echo "deps.sh: missing Debian packages:$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: not root; install them with:"
	echo "  sudo sh -c 'apt-get update && DEBIAN_FRONTEND=noninteractive" \
		"apt-get install -y --no-install-recommends$missing'"
	exit 0
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update || { echo "deps.sh: apt-get update failed" >&2; exit 1; }
# shellcheck disable=SC2086
apt-get install -y --no-install-recommends $missing || {
	echo "deps.sh: apt-get install failed" >&2
	exit 1
}
exit 0
