#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What an attacker on the transit link can send gets dropped and counted:
# an ESP packet captured off the wire and sent again (a replay), the same
# packet with one bit flipped (an integrity failure, logged once in dmesg),
# and ESP for an SPI nobody has. The SA keeps working through all of it.
# In transport mode, a packet whose source address was rewritten on the way
# passes the ICV, which does not cover it, and is dropped on its payload's
# checksum.
# On an ESP-in-UDP port, IKE still reaches its socket and NAT keepalives
# are dropped; a port that is only a peer's is left to local sockets.
. "$KIPSEC_TOP/tests/lib/tap.sh"
. "$KIPSEC_TOP/tests/lib/guest.sh"
. "$KIPSEC_TOP/tests/lib/topology.sh"
. "$KIPSEC_TOP/tests/lib/xfrm.sh"
. "$KIPSEC_TOP/tests/lib/kipsec_side.sh"

WIRE=$KIPSEC_TOP/tests/lib/wire_packet.py
PKT=$(mktemp /tmp/kipsec-esp.XXXXXX)
trap 'rm -f "$PKT" "$PKT.out"; topo_teardown' EXIT

check "kipsec loads" load_kipsec
check "topology builds" topo_setup
check "ESP tunnel between the gateways" ipsec_pair kipsec kipsec spi_ab=0x1000
check "traffic flows" topo_ping lan-a lan-b 2

# One ESP packet from gw-a, as gw-b's wan interface received it.
listen_start "$PKT.out" ip netns exec gw-b python3 "$WIRE" capture wan 50 "$PKT" 20
topo_ping lan-a lan-b 1 >/dev/null
wait "$LISTEN_PID"
expect_match "an ESP packet is captured on gw-b" "$(cat "$PKT.out")" \
	"captured [0-9]+ bytes"

field() {
	kipsec_sa_field gw-b 0x1000 $TOPO_GWB4 esp "stats.$1"
}
ns_stat() {
	ip netns exec gw-b ipsecctl -j stats | jq -r ".stats.$1 // .$1"
}

replay0=$(field drop_replay) pk0=$(field packets)
ip netns exec gw-a python3 "$WIRE" send "$PKT"
sleep 0.5
expect_eq "the replayed packet is dropped as a replay" \
	"$(field drop_replay) $(field packets)" "$((replay0 + 1)) $pk0"

# Byte 24 is the top of the sequence number (20-byte IP header, 4-byte
# SPI): flipped, the number looks fresh, and only the ICV can tell.
integ0=$(field drop_integrity)
dmesg -C
ip netns exec gw-a python3 "$WIRE" send "$PKT" 24
sleep 0.5
expect_eq "the packet with a flipped bit fails the integrity check" \
	"$(field drop_integrity) $(field drop_replay) $(field packets)" \
	"$((integ0 + 1)) $((replay0 + 1)) $pk0"
expect_match "dmesg names the SPI and the peer" "$(dmesg)" \
	"kipsec: integrity check failed: SPI 0x00001000 from 192\.0\.2\.1"

# Byte 23 is the bottom of the SPI: an SA nobody has.
nosa0=$(ns_stat drop_no_sa)
dmesg -C
ip netns exec gw-a python3 "$WIRE" send "$PKT" 23
sleep 0.5
expect_eq "ESP for an unknown SPI is counted per namespace" \
	"$(ns_stat drop_no_sa)" "$((nosa0 + 1))"
expect_match "dmesg names the unknown SPI and its sender" "$(dmesg)" \
	"kipsec: no SA for ESP SPI 0x00001001 from 192\.0\.2\.1"

check "the SA still carries traffic" topo_ping lan-a lan-b 2

# --- transport mode: the payload's checksum guards the addresses ----------
# ESP's ICV leaves out the outer addresses, which a TCP or UDP checksum
# covers. With policies that admit all of 192.0.2.0/24, only that checksum
# tells a datagram whose source was rewritten on the way: an ESP packet
# from gw-a is taken off gw-b's wire before gw-b's IP sees it (nft, at the
# ingress hook, after the capture), then sent again with its source
# 192.0.2.1 made 192.0.2.0 (byte 15). The ICV holds, the sequence number is
# fresh, the policy admits it: the stack must drop it on the checksum.
kipsec_flush gw-a gw-b
tk_ab=$(_xfrm_randkey 20) tk_ba=$(_xfrm_randkey 20)
tside() {
	kipsec_side "$1" local="$2" remote="$3" lnet=192.0.2.0/24 \
		rnet=192.0.2.0/24 mode=transport spi_out="$4" spi_in="$5" \
		key_out="$6" key_in="$7"
}
check "ESP transport mode, policies for 192.0.2.0/24" \
	eval 'tside gw-a $TOPO_GWA4 $TOPO_GWB4 0x3000 0x3001 $tk_ab $tk_ba &&
	      tside gw-b $TOPO_GWB4 $TOPO_GWA4 0x3001 0x3000 $tk_ba $tk_ab'
udp_csum_errors() {
	ip netns exec gw-b awk '$1 == "Udp:" && !c {
		for (i = 2; i <= NF; i++) if ($i == "InCsumErrors") c = i; next }
		$1 == "Udp:" { print $c }' /proc/net/snmp
}
hex() { printf %s "$1" | od -An -tx1 | tr -d ' \n'; }
listen_start "$PKT.udp" ip netns exec gw-b python3 "$WIRE" listen 7000 30 30
udp_pid=$LISTEN_PID
ip netns exec gw-a bash -c "echo -n intact >/dev/udp/$TOPO_GWB4/7000"
wait_for 10 grep -q "$(hex intact)" "$PKT.udp"
expect_match "an intact datagram crosses the transport SA" "$(cat "$PKT.udp")" \
	"^192\.0\.2\.1 $(hex intact)$"
ip netns exec gw-b nft -f - <<'NFT'
table netdev esp_cut {
	chain in { type filter hook ingress device wan priority 0; meta l4proto esp drop; }
}
NFT
listen_start "$PKT.out" ip netns exec gw-b python3 "$WIRE" capture wan 50 "$PKT" 20
ip netns exec gw-a bash -c "echo -n rewritten >/dev/udp/$TOPO_GWB4/7000"
wait "$LISTEN_PID"
ip netns exec gw-b nft delete table netdev esp_cut
expect_match "an ESP packet is taken off gw-b's wire" "$(cat "$PKT.out")" \
	"captured [0-9]+ bytes"
# gw-a sends the packet as it is: no policy of its own must wrap it again.
kipsec_flush gw-a
csum0=$(udp_csum_errors) tpk0=$(kipsec_sa_field gw-b 0x3000 $TOPO_GWB4 esp stats.packets)
ip netns exec gw-a python3 "$WIRE" send "$PKT" 15
sleep 1
expect_eq "the rewritten packet passed the ICV and the policy (packets +1)" \
	"$(kipsec_sa_field gw-b 0x3000 $TOPO_GWB4 esp stats.packets)" "$((tpk0 + 1))"
expect_eq "gw-b's UDP counted a checksum error" "$(udp_csum_errors)" "$((csum0 + 1))"
kill "$udp_pid" 2>/dev/null
wait "$udp_pid" 2>/dev/null
expect_eq "the rewritten datagram never reached the socket" \
	"$(grep -c "$(hex rewritten)" "$PKT.udp")" 0
rm -f "$PKT.udp"

# --- the ESP-in-UDP port is shared with IKE (RFC 3948 2.2) -----------------
# With ESP-in-UDP SAs on port 4500, a datagram whose first word is zero
# (IKE's non-ESP marker) still reaches the socket that owns the port,
# byte for byte, and a NAT keepalive (one 0xff byte) is eaten.
kipsec_flush gw-a gw-b
check "ESP-in-UDP tunnel on port 4500" ipsec_pair kipsec kipsec encap=4500:4500
check "ESP-in-UDP traffic flows" topo_ping lan-a lan-b 2
# The sender is a python3 start away, seconds under a loaded TCG host;
# once something came, one more second catches anything late behind it.
listen_start "$PKT.out" ip netns exec gw-b python3 "$WIRE" listen 4500 20 1
ip netns exec gw-a python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 4500))
for p in (b"\xff", b"\x00\x00\x00\x00ike-message"):
    s.sendto(p, ("'$TOPO_GWB4'", 4500))
'
wait "$LISTEN_PID"
got=$(sed '1d;/^done$/d;s/^[^ ]* //' "$PKT.out" | tr '\n' ' ')
expect_eq "IKE with the non-ESP marker reaches the socket untouched, the keepalive does not" \
	"$got" "00000000696b652d6d657373616765 "
check "ESP-in-UDP traffic still flows" topo_ping lan-a lan-b 2

# A peer behind a NAT sends from whatever port the NAT gave it: gw-b
# takes ESP on 40000 here, which is gw-a's outbound SA's destination port.
# On gw-a, that port is not ESP's: a local service's datagrams to it reach
# the service, whatever their first word.
kipsec_flush gw-a gw-b
check "ESP-in-UDP tunnel, gw-a on 4500, gw-b on 40000" \
	ipsec_pair kipsec kipsec encap=4500:40000
check "ESP-in-UDP traffic flows" topo_ping lan-a lan-b 2
nosa0=$(ip netns exec gw-a ipsecctl -j stats | jq -r '.stats.drop_no_sa // .drop_no_sa')
listen_start "$PKT.out" ip netns exec gw-a python3 "$WIRE" listen 40000 20 1
ip netns exec gw-b python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"a local service datagram", ("'$TOPO_GWA4'", 40000))
'
wait "$LISTEN_PID"
got=$(sed '1d;/^done$/d;s/^[^ ]* //' "$PKT.out" | tr '\n' ' ')
expect_eq "gw-a: a datagram to its peer's ESP port reaches the local socket" \
	"$got" "$(printf 'a local service datagram' | od -An -tx1 | tr -d ' \n') "
expect_eq "gw-a: and is not counted as ESP for no SA" \
	"$(ip netns exec gw-a ipsecctl -j stats | jq -r '.stats.drop_no_sa // .drop_no_sa')" "$nosa0"
check "ESP-in-UDP traffic still flows" topo_ping lan-a lan-b 2

tap_done
