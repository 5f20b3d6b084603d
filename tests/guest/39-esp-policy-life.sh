#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Policies and lifetimes with real traffic between two kipsec gateways:
#  1. "require" without an SA: nothing crosses, every packet is counted,
#     and one ACQUIRE per flow reaches `ipsecctl monitor`; "request": the
#     traffic crosses in clear and an ACQUIRE is raised all the same; a
#     clear packet arriving where a "require" fwd policy wants ESP is
#     dropped and counted, under "request" it is let in.
#  2. byte limits: the soft limit raises one event, the hard limit ends
#     the SA at the right packet, raises its event and removes it.
#  3. SAs, policies and a whole namespace deleted under traffic, and the
#     module unloaded under traffic (the harness fails the run on any
#     kernel warning).
. "$KIPSEC_TOP/tests/lib/tap.sh"
. "$KIPSEC_TOP/tests/lib/guest.sh"
. "$KIPSEC_TOP/tests/lib/topology.sh"
. "$KIPSEC_TOP/tests/lib/xfrm.sh"
. "$KIPSEC_TOP/tests/lib/kipsec_side.sh"

MON=$(mktemp /tmp/kipsec-mon.XXXXXX)
cleanup() {
	kill $(jobs -p) 2>/dev/null
	rm -f "$MON"
	topo_teardown
}
trap cleanup EXIT

ns_stat() {
	ip netns exec "$1" ipsecctl -j stats | jq -r ".stats.$2 // .$2"
}
monitor_start() {
	: >"$MON"
	ip netns exec "$1" ipsecctl monitor >"$MON" &
	sleep 1
}
events() {
	grep -c "^$1	" "$MON"
}
tunnel_policy() {
	ip netns exec gw-a ipsecctl policy add dir out src $TOPO_NETA4 \
		dst $TOPO_NETB4 action protect esp tunnel $TOPO_GWA4 $TOPO_GWB4 \
		reqid 1 level "$1" >/dev/null
}

check "kipsec loads" load_kipsec
check "topology builds" topo_setup

# --- 1. require / request / ACQUIRE ----------------------------------------
monitor_start gw-a
check "out policy, level require, no SA" tunnel_policy require
topo_wire_watch
drop0=$(ns_stat gw-a drop_out_no_sa)
check_fails "require: no SA, no traffic" topo_ping lan-a lan-b 3
expect_eq "require: all 3 packets dropped and counted" \
	"$(ns_stat gw-a drop_out_no_sa)" "$((drop0 + 3))"
expect_eq "require: nothing on the wire" \
	"$(topo_wire_count gw-a clear) $(topo_wire_count gw-a esp)" "0 0"
ip netns exec lan-a ping -c 2 -i 0.2 -W 1 10.2.0.99 >/dev/null 2>&1
sleep 0.5
expect_eq "one ACQUIRE per flow: 2 flows, 5 packets, 2 events" \
	"$(events acquire)" 2
expect_match "the ACQUIRE names the flow" "$(grep '^acquire' "$MON" | head -1)" \
	"10\.1\.0\.2(/32)?	.*10\.2\.0\.2(/32)?"

ip netns exec gw-a ipsecctl policy flush
check "out policy, level request, no SA" tunnel_policy request
topo_wire_watch
check "request: without an SA the traffic goes in clear" \
	topo_ping lan-a lan-b 3
expect_eq "request: seen in clear on the wire" \
	"$([ "$(topo_wire_count gw-a clear)" -ge 3 ] && echo yes)" yes
sleep 0.5
expect_eq "request: an ACQUIRE for the new policy all the same" \
	"$(events acquire)" 3
ip netns exec gw-a ipsecctl policy flush

fwd_policy() {
	ip netns exec gw-b ipsecctl policy add dir fwd src $TOPO_NETA4 \
		dst $TOPO_NETB4 action protect esp tunnel $TOPO_GWA4 $TOPO_GWB4 \
		reqid 1 level "$1" >/dev/null
}
check "gw-b: fwd policy, level require" fwd_policy require
drop0=$(ns_stat gw-b drop_policy)
check_fails "clear packets where ESP is required are refused" \
	topo_ping lan-a lan-b 2
expect_eq "... and counted as policy drops" \
	"$(ns_stat gw-b drop_policy)" "$((drop0 + 2))"
ip netns exec gw-b ipsecctl policy flush
check "gw-b: fwd policy, level request" fwd_policy request
check "clear packets where ESP is only requested are let in" \
	topo_ping lan-a lan-b 2
ip netns exec gw-b ipsecctl policy flush
kill %1 2>/dev/null

# --- 2. byte limits ---------------------------------------------------------
key_ab=$(hexkey 20)
check "SA pair" ipsec_pair kipsec kipsec key_ab=$key_ab
ip netns exec gw-a ipsecctl sa del spi 0x1000 dst $TOPO_GWB4 proto esp
monitor_start gw-a
# 1028-byte packets (1000 bytes of ICMP data): soft after the 2nd, hard
# at the 4th, which is the last the SA carries.
check "outbound SA with soft-bytes 2000, hard-bytes 4000" \
	ip netns exec gw-a ipsecctl sa add spi 0x1000 src $TOPO_GWA4 \
	dst $TOPO_GWB4 proto esp mode tunnel reqid 1 replay-window 32 \
	enc aes-gcm-16 0x$key_ab soft-bytes 2000 hard-bytes 4000
ip netns exec lan-a ping -c 6 -i 0.3 -W 1 -s 1000 $TOPO_LANB4 >/dev/null 2>&1
sleep 1
expect_eq "one soft and one hard expire, for bytes" \
	"$(grep -c "^sa_soft_expire	bytes	0x00001000" "$MON") $(grep -c "^sa_hard_expire	bytes	0x00001000" "$MON")" \
	"1 1"
expect_eq "the soft event comes first" \
	"$(grep -o '^sa_[a-z]*_expire' "$MON" | tr '\n' ' ')" \
	"sa_soft_expire sa_hard_expire "
check_fails "the hard limit removed the SA" ip netns exec gw-a ipsecctl sa get \
	spi 0x1000 dst $TOPO_GWB4 proto esp
expect_eq "gw-b received exactly the 4 packets the SA was allowed" \
	"$(kipsec_sa_field gw-b 0x1000 $TOPO_GWB4 esp stats.packets)" 4
kill %1 2>/dev/null

# --- 3. deletion under traffic ---------------------------------------------
kipsec_flush gw-a gw-b
check "SA pair" ipsec_pair kipsec kipsec
under_traffic() {
	ip netns exec lan-a ping -q -i 0.02 -c 150 -W 1 $TOPO_LANB4 >/dev/null 2>&1 &
	TOPO_IPERF_UDP_RATE=5M topo_iperf lan-a lan-b 3 udp >/dev/null 2>&1 &
	sleep 1
}
under_traffic
check "SA deleted under traffic" ip netns exec gw-a ipsecctl sa del \
	spi 0x1000 dst $TOPO_GWB4 proto esp
check "all SAs flushed under traffic" ip netns exec gw-b ipsecctl sa flush
check "policies flushed under traffic" ip netns exec gw-a ipsecctl policy flush
wait
kipsec_flush gw-a gw-b
check "SA pair again" ipsec_pair kipsec kipsec
check "traffic flows again" topo_ping lan-a lan-b 2
under_traffic
check "gateway namespace deleted under traffic" ip netns del gw-a
wait
check "topology rebuilt" topo_setup
check "SA pair" ipsec_pair kipsec kipsec
under_traffic
check "module unloaded under traffic" rmmod kipsec
wait
check "without the module the traffic flows in clear" topo_ping lan-a lan-b 2

tap_done
