#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make profile`, inside the guest (scripts/profile.sh boots it with the
# insn_count TCG plugin): the same bytes lan-a -> lan-b with iperf3, once
# per stack, each transfer a counting window of the plugin. The host then
# tells per kernel function how many instructions each stack executed for
# them. Not a test and not a timing: instruction counts, which the host's
# load does not change.
#
# Settings (environment): PROFILE_ALG (aes-gcm-16, aes-cbc/hmac-sha256,
# chacha20-poly1305; default aes-gcm-16), PROFILE_WORKLOAD (tcp, or udp64:
# 64-byte UDP datagrams as fast as iperf3 sends them, for the per-packet
# cost), PROFILE_BYTES (iperf3 -n, default 40M for TCP, 2M for udp64),
# PROFILE_STREAMS (default 1), PROFILE_STACKS (in order, from none, xfrm,
# kipsec, kipsec-par; default "xfrm kipsec"; the report compares the last
# with the first).
#
# Writes to /mnt/out: windows.tsv (LABEL BYTES per window), kallsyms, and
# through the plugin insns-LABEL.txt.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
export KIPSEC_TOP=$PWD
export PATH=$PWD/userland/build:$PATH
. tests/lib/tap.sh
. tests/lib/topology.sh
. tests/lib/xfrm.sh
. tests/lib/kipsec_side.sh

ALG=${PROFILE_ALG:-aes-gcm-16}
WORKLOAD=${PROFILE_WORKLOAD:-tcp}
case $WORKLOAD in
tcp) BYTES=${PROFILE_BYTES:-40M} wl=() ;;
udp64) BYTES=${PROFILE_BYTES:-2M} wl=(-u -l 64 -b 0) ;;
*) echo "profile: PROFILE_WORKLOAD is tcp or udp64, not $WORKLOAD" >&2; exit 2 ;;
esac
STREAMS=${PROFILE_STREAMS:-1}
STACKS=${PROFILE_STACKS:-"xfrm kipsec"}
OUT=/mnt/out
enc=${ALG%%/*} auth=
[ "$ALG" != "$enc" ] && auth=${ALG#*/}

log() { echo "# [$(printf '%4d' $SECONDS) s] $*"; }

# window LABEL: one counted transfer; its bytes go to windows.tsv.
window() {
	local label=$1 json=$OUT/iperf-$1.json i bytes
	topo_iperf lan-a lan-b 1 tcp >/dev/null || { log "$label: no traffic"; return 1; }
	ip netns exec lan-b iperf3 -s -1 -B "$TOPO_LANB4" >/dev/null 2>&1 &
	sleep 1
	# Renamed into place: the plugin must never find it still empty.
	echo "$label" >"$OUT/profile-label"
	mv "$OUT/profile-label" "$OUT/profile-start"
	ip netns exec lan-a iperf3 -c "$TOPO_LANB4" -n "$BYTES" -P "$STREAMS" \
		${wl[@]+"${wl[@]}"} -J >"$json" 2>&1
	: >"$OUT/profile-stop"
	wait
	# The plugin removes both markers once it has written the counts.
	for i in $(seq 150); do
		[ -e "$OUT/profile-start" ] || break
		sleep 0.2
	done
	if [ -e "$OUT/profile-start" ]; then
		log "$label: the plugin wrote no counts (is it loaded?)"
		return 1
	fi
	# UDP: what arrived, not what was sent (the sender's own total).
	bytes=$(jq -r 'if .end.sum_received.lost_packets then
		(.end.sum_received.packets - .end.sum_received.lost_packets) * 64
		else .end.sum_received.bytes end' "$json")
	echo "$label	$bytes" >>"$OUT/windows.tsv"
	log "$label: $bytes bytes at $(jq -r '.end.sum_received.bits_per_second / 1e6 | floor' "$json") Mbit/s"
}

pair() {
	local a=("alg=$enc" replay=1024)
	[ -n "$auth" ] && a+=("auth=$auth")
	ipsec_pair "$@" "${a[@]}"
}

# The CPU-specific crypto drivers are loaded by the guest's init
# (scripts/vm-guest-init), for both stacks alike.
topo_setup || { log "topology failed"; exit 1; }
: >"$OUT/windows.tsv"
rc=0
for stack in $STACKS; do
	case $stack in
	none) window none || rc=1 ;;
	xfrm)
		pair xfrm xfrm || { log "xfrm: SAs failed"; rc=1; continue; }
		window xfrm || rc=1
		xfrm_flush gw-a gw-b
		;;
	kipsec | kipsec-par)
		lsmod | grep -q '^kipsec ' || insmod kmod/kipsec.ko || { rc=1; continue; }
		par=no
		[ "$stack" = kipsec-par ] && par=yes
		pair kipsec kipsec "parallel=$par" || { log "$stack: SAs failed"; rc=1; continue; }
		window "$stack" || rc=1
		log "$stack: gw-a's outbound SA counted $(kipsec_sa_field gw-a 0x1000 "$TOPO_GWB4" esp stats.bytes) bytes"
		kipsec_flush gw-a gw-b
		;;
	*) log "unknown stack $stack"; rc=1 ;;
	esac
	# Module symbols are named only while the module is loaded.
	cat /proc/kallsyms >"$OUT/kallsyms"
done
exit $rc
