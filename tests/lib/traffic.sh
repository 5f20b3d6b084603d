# SPDX-License-Identifier: GPL-2.0
#
# One packet-path scenario, the same for kipsec alone and for interop with
# the kernel's own IPsec: configure both gateways, ping across, and check
# that the traffic crossed the transit link only transformed and that each
# gateway's SA counted exactly what the other one's did.
#
# Source after tap.sh, topology.sh, xfrm.sh and kipsec_side.sh.
#
#   traffic_case LABEL STACK_A STACK_B key=value...
#       STACK_A on gw-a, STACK_B on gw-b (kipsec or xfrm), keys as
#       ipsec_pair. Tunnel mode pings lan-a -> lan-b (over the inner
#       family), transport mode gw-a -> gw-b (over the outer one).
#       With TRAFFIC_IPERF=1, also a second of iperf3 TCP and one of UDP
#       along the same path.
#   traffic_reset        flush both gateways, whichever stack they run
#   side_counters STACK NS SPI DST PROTO
#                        print "PACKETS BYTES" of one SA

TRAFFIC_PINGS=3

traffic_reset() {
	kipsec_flush gw-a gw-b 2>/dev/null
	xfrm_flush gw-a gw-b 2>/dev/null
	return 0
}

side_counters() {
	local stack=$1 ns=$2 spi=$3 dst=$4 proto=$5 out
	if [ "$stack" = xfrm ]; then
		out=$(xfrm_sa_counters "$ns" "$spi")
		echo "${out#* } ${out%% *}"
	else
		ip netns exec "$ns" ipsecctl -j sa get spi "$spi" dst "$dst" \
			proto "$proto" | jq -r 'if type == "array" then .[0] else . end |
			"\(.stats.packets) \(.stats.bytes)"'
	fi
}

traffic_case() {
	local label=$1 a=$2 b=$3 kv k v
	local mode=tunnel inner=4 outer=4 encap=none proto=esp
	local spi_ab=0x1000 spi_ba=0x2000 from to ga gb wire n clear
	local ab_out ab_in ba_out ba_in bps t0=$SECONDS
	shift 3
	for kv in "$@"; do
		k=${kv%%=*} v=${kv#*=}
		case $k in
		family) inner=$v outer=$v ;;
		mode | inner | outer | encap | proto | spi_ab | spi_ba)
			printf -v "$k" '%s' "$v" ;;
		esac
	done
	traffic_reset
	[ "$a" = xfrm ] || [ "$b" = xfrm ] && [ "$encap" != none ] &&
		for ns in gw-a gw-b; do
			ip netns exec $ns ss -Hlun "sport = :4500" | grep -q . ||
				xfrm_encap_socket $ns 4500
		done
	if ! ipsec_pair "$a" "$b" "$@" >/tmp/traffic-pair.log 2>&1; then
		fail "$label: configure"
		sed 's/^/#   /' /tmp/traffic-pair.log | head -n 20
		return 1
	fi
	if [ "$outer" = 6 ]; then ga=$TOPO_GWA6 gb=$TOPO_GWB6
	else ga=$TOPO_GWA4 gb=$TOPO_GWB4; fi
	if [ "$mode" = transport ]; then
		from=gw-a to=$gb
	elif [ "$inner" = 6 ]; then
		from=lan-a to=$TOPO_LANB6
	else
		from=lan-a to=$TOPO_LANB4
	fi
	wire=$proto
	[ "$encap" != none ] && wire=espinudp

	topo_wire_watch
	check "$label: ping $from -> $to" topo_ping "$from" "$to" $TRAFFIC_PINGS
	n=$(topo_wire_count gw-a "$wire")
	clear=$(topo_wire_count gw-a clear)
	expect_eq "$label: gw-a sent $wire, no clear LAN packet" \
		"$([ "${n:-0}" -ge $TRAFFIC_PINGS ] && echo "$wire") ${clear:-?}" "$wire 0"

	ab_out=$(side_counters "$a" gw-a "$spi_ab" "$gb" "$proto")
	ab_in=$(side_counters "$b" gw-b "$spi_ab" "$gb" "$proto")
	ba_out=$(side_counters "$b" gw-b "$spi_ba" "$ga" "$proto")
	ba_in=$(side_counters "$a" gw-a "$spi_ba" "$ga" "$proto")
	# Byte counts are compared only between kipsec's own two sides: XFRM
	# counts at a different point of the packet.
	if [ "$a" != "$b" ]; then
		ab_out=${ab_out%% *} ab_in=${ab_in%% *}
		ba_out=${ba_out%% *} ba_in=${ba_in%% *}
	fi
	expect_eq "$label: gw-a -> gw-b SA counted alike on both ends" \
		"$ab_out" "$ab_in"
	expect_eq "$label: gw-b -> gw-a SA counted alike on both ends" \
		"$ba_out" "$ba_in"
	expect_eq "$label: at least $TRAFFIC_PINGS packets each way" \
		"$([ "${ab_out%% *}" -ge $TRAFFIC_PINGS ] 2>/dev/null &&
		   [ "${ba_out%% *}" -ge $TRAFFIC_PINGS ] 2>/dev/null && echo yes)" yes
	if [ "${TRAFFIC_IPERF:-0}" = 1 ]; then
		local fam=$inner iperf_to=lan-b
		[ "$mode" = transport ] && fam=$outer iperf_to=gw-b
		bps=$(TOPO_FAMILY=$fam topo_iperf "$from" $iperf_to 1 tcp) &&
			ok "$label: iperf3 TCP (${bps% *} bit/s)" ||
			fail "$label: iperf3 TCP"
		bps=$(TOPO_FAMILY=$fam TOPO_IPERF_UDP_RATE=10M topo_iperf "$from" \
			$iperf_to 1 udp) && ok "$label: iperf3 UDP (${bps% *} bit/s)" ||
			fail "$label: iperf3 UDP"
	fi
	diag "$label: $((SECONDS - t0)) s"
}
