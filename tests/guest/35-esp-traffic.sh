#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ESP traffic between two kipsec gateways, manually keyed with ipsecctl,
# over the lan-a — gw-a — gw-b — lan-b topology: every algorithm, tunnel
# and transport mode, IPv4, IPv6, 4-in-6 and 6-in-4, ESN, and ESP in UDP.
# (Every algorithm against the kernel's own IPsec: 37-esp-interop.sh.)
# Each case pings across and checks the wire (ESP only, no LAN address in
# clear) and that each SA counted on one gateway exactly what its twin on
# the other did, then runs a second of iperf3 TCP and UDP along the same
# path. Then longer TCP and UDP bulk transfers, which need segmentation,
# checksum resolution and path-MTU handling to work; IPv6 hop-by-hop
# options in both modes; ECN marks across the tunnel (RFC 6040).
. "$KIPSEC_TOP/tests/lib/traffic_test.sh"

traffic_test_start

sha256=auth=hmac-sha256
TRAFFIC_IPERF=1
# Every algorithm is also crossed with the kernel's own IPsec in
# 37-esp-interop.sh; here, each mode, family and option once.
traffic_case "AES-GCM-16-128 tunnel IPv4" kipsec kipsec alg=aes-gcm-16
traffic_case "AES-GCM-16-256 ESN tunnel IPv4" kipsec kipsec alg=aes-gcm-16 \
	key_ab=$(hexkey 36) key_ba=$(hexkey 36) esn=yes
traffic_case "AES-CBC/HMAC-SHA-256 tunnel IPv6" kipsec kipsec family=6 \
	alg=aes-cbc $sha256
traffic_case "AES-GCM-16 tunnel IPv4 in IPv6" kipsec kipsec outer=6 inner=4
traffic_case "ChaCha20-Poly1305 tunnel IPv6 in IPv4" kipsec kipsec outer=4 \
	inner=6 alg=chacha20-poly1305
traffic_case "AES-GCM-16 transport IPv4" kipsec kipsec mode=transport
traffic_case "ChaCha20-Poly1305 transport IPv6" kipsec kipsec \
	mode=transport family=6 alg=chacha20-poly1305
traffic_case "AES-GCM-16 in UDP tunnel IPv4" kipsec kipsec encap=4500:4500
traffic_case "AES-GCM-16 in UDP tunnel IPv6" kipsec kipsec family=6 \
	encap=4500:4500
traffic_case "AES-CBC/HMAC-SHA-256 ESN in UDP transport IPv4" kipsec kipsec \
	mode=transport encap=4500:4500 alg=aes-cbc $sha256 esn=yes

# --- bulk transfer --------------------------------------------------------
bulk() {
	local label=$1 family=$2 bps
	shift 2
	traffic_reset
	ipsec_pair kipsec kipsec family=$family "$@" || { fail "$label: configure"; return; }
	topo_wire_watch
	bps=$(TOPO_FAMILY=$family topo_iperf lan-a lan-b 3 tcp) &&
		ok "$label: TCP lan-a -> lan-b moves data (${bps% *} bit/s)" ||
		fail "$label: TCP lan-a -> lan-b"
	bps=$(TOPO_FAMILY=$family TOPO_IPERF_UDP_RATE=20M topo_iperf lan-a lan-b 2 udp) &&
		ok "$label: UDP lan-a -> lan-b moves data (${bps% *} bit/s)" ||
		fail "$label: UDP lan-a -> lan-b"
	expect_eq "$label: no LAN packet crossed in clear" \
		"$(topo_wire_count gw-a clear)" 0
}
bulk "AES-GCM-16 IPv4" 4
bulk "AES-CBC/HMAC-SHA-256 IPv6" 6 alg=aes-cbc $sha256

# Decrypted tunnel traffic goes through GRO, as with the kernel's own
# IPsec, once the device it came in on has GRO on (veth has it off by
# default): gw-b then forwards fewer, larger packets than its SA
# decrypted. Every merged packet must still be known as decrypted, or
# the "fwd" require policy would drop it as clear traffic.
fwd_datagrams() {
	ip netns exec gw-b nstat -az "$1" | awk -v c="$1" '$1 == c { print $2 }'
}
policy_drops() {
	ip netns exec gw-b ipsecctl -j stats | jq -r '.stats.drop_policy // .drop_policy'
}
for fam in 4 6; do
	traffic_reset
	ipsec_pair kipsec kipsec family=$fam || fail "GRO IPv$fam: configure"
	ip netns exec gw-b ethtool -K wan gro on >/dev/null
	counter=$([ $fam = 4 ] && echo IpForwDatagrams || echo Ip6OutForwDatagrams)
	fwd0=$(fwd_datagrams $counter) pdrop0=$(policy_drops)
	bps=$(TOPO_FAMILY=$fam topo_iperf lan-a lan-b 2 tcp) &&
		ok "GRO IPv$fam: TCP lan-a -> lan-b moves data (${bps% *} bit/s)" ||
		fail "GRO IPv$fam: TCP lan-a -> lan-b"
	fwd=$(($(fwd_datagrams $counter) - fwd0))
	dst=$(topo_addr gw-b $fam)
	decrypted=$(kipsec_sa_field gw-b 0x1000 "$dst" esp stats.packets)
	diag "GRO IPv$fam: gw-b forwarded $fwd packets for $decrypted decrypted"
	check "GRO IPv$fam: decrypted segments were merged (forwarded under 2/3 of them)" \
		test $((fwd * 3)) -lt $((decrypted * 2))
	expect_eq "GRO IPv$fam: no policy drop of merged packets on gw-b" \
		$(($(policy_drops) - pdrop0)) 0
	ip netns exec gw-b ethtool -K wan gro off >/dev/null
done

# IPv6 packets with hop-by-hop options cross too: in a tunnel, where the
# inner packet carries them (with gw-b's GRO on and off), and in transport
# mode, where they stay in front of ESP. A UDP datagram with a PadN option
# each time, which must reach the socket it is for.
WIRE=$KIPSEC_TOP/tests/lib/wire_packet.py
HBH_OUT=$(mktemp /tmp/kipsec-hbh.XXXXXX)
hbh_crosses() {	# hbh_crosses LABEL FROM TO_NS TO_ADDR
	local label=$1 from=$2 to=$3 addr=$4 got
	listen_start "$HBH_OUT" ip netns exec "$to" python3 "$WIRE" listen 9000 20 1 6
	ip netns exec "$from" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_HOPOPTS, bytes([0, 0, 1, 4, 0, 0, 0, 0]))
s.sendto(b"hop-by-hop", (sys.argv[1], 9000))' "$addr"
	wait "$LISTEN_PID"
	got=$(sed '1d;/^done$/d;s/^[^ ]* //' "$HBH_OUT" | tr '\n' ' ')
	expect_eq "$label: a datagram with hop-by-hop options crosses, options and all" \
		"$got" "$(printf 'hop-by-hop' | od -An -tx1 | tr -d ' \n') hop-by-hop "
}
traffic_reset
ipsec_pair kipsec kipsec family=6 || fail "hop-by-hop: tunnel IPv6: configure"
hbh_crosses "tunnel IPv6" lan-a lan-b $TOPO_LANB6
ip netns exec gw-b ethtool -K wan gro on >/dev/null
hbh_crosses "tunnel IPv6, GRO on" lan-a lan-b $TOPO_LANB6
ip netns exec gw-b ethtool -K wan gro off >/dev/null
traffic_reset
ipsec_pair kipsec kipsec family=6 mode=transport ||
	fail "hop-by-hop: transport IPv6: configure"
hbh_crosses "transport IPv6" gw-a gw-b $TOPO_GWB6
check "transport IPv6: it crossed in ESP" \
	test "$(kipsec_sa_field gw-b 0x1000 $TOPO_GWB6 esp stats.packets)" -ge 1
rm -f "$HBH_OUT"

# The gateways' own traffic in transport mode. A full-size ping without DF
# grows past the MTU once encrypted: its ESP packet leaves fragmented and
# gw-b must reassemble it before it can find the SA (on IPv6, after
# LOCAL_IN). TCP's segments instead fit: each gateway lowers the MSS of the
# SYNs its SA carries to what fits the SA, so neither end sends a segment
# that needs fragmenting once encrypted. Without that, nearly every ESP
# packet of the transfer leaves as two fragments.
frag_creates() {
	ip netns exec gw-a nstat -az "$1" | awk -v c="$1" '$1 == c { print $2 }'
}
for fam in 4 6; do
	traffic_reset
	ipsec_pair kipsec kipsec family=$fam mode=transport ||
		fail "transport IPv$fam bulk: configure"
	peer=$(topo_addr gw-b $fam)
	check "transport IPv$fam: a full-size non-DF ping gw-a -> gw-b crosses, fragmented" \
		ip netns exec gw-a ping -$fam -c 2 -M dont -s $((fam == 4 ? 1472 : 1452)) -W 2 "$peer"
	counter=$([ $fam = 4 ] && echo IpFragCreates || echo Ip6FragCreates)
	frags0=$(frag_creates $counter)
	bps=$(TOPO_FAMILY=$fam topo_iperf gw-a gw-b 2 tcp) &&
		ok "transport IPv$fam: TCP gw-a -> gw-b moves data (${bps% *} bit/s)" ||
		fail "transport IPv$fam: TCP gw-a -> gw-b"
	frags=$(($(frag_creates $counter) - frags0))
	sent=$(kipsec_sa_field gw-a 0x1000 "$peer" esp stats.packets)
	diag "transport IPv$fam: $frags fragments made for $sent ESP packets"
	check "transport IPv$fam: TCP's segments fit: fragments for under 5% of the ESP packets" \
		test $((frags * 20)) -lt "$sent"
done

# A DF packet that no longer fits once encrypted comes back as ICMP
# "fragmentation needed" from gw-a with the MTU left inside the tunnel.
# gw-a counts each refusal where the forwarding code counts its own.
frag_fails() {
	ip netns exec gw-a nstat -az IpFragFails | awk '$1 == "IpFragFails" { print $2 }'
}
traffic_reset
ipsec_pair kipsec kipsec
fails0=$(frag_fails)
out=$(ip netns exec lan-a ping -c 2 -M do -s 1472 -W 2 $TOPO_LANB4 2>&1)
expect_match "a full-size DF ping is refused with the tunnel's MTU" "$out" \
	"(Frag needed|message too long).*mtu ?= ?1[34][0-9][0-9]"
# The first refusal's ICMP teaches lan-a the MTU, which refuses the second
# ping itself.
expect_eq "gw-a counted its refusal in IpFragFails" $(($(frag_fails) - fails0)) 1
check "a ping that fits the tunnel's MTU crosses" \
	ip netns exec lan-a ping -c 2 -M do -s 1300 -W 2 $TOPO_LANB4
check "a non-DF full-size ping crosses, fragmented" \
	ip netns exec lan-a ping -c 2 -M dont -s 1472 -W 2 $TOPO_LANB4

# The same for IPv6 in an IPv4 tunnel: "packet too big" with the tunnel's
# MTU, counted on the device the packet came in on, as ip6_forward()
# counts its own.
too_big6() {
	ip netns exec gw-a nstat -az Ip6InTooBigErrors | awk '$1 == "Ip6InTooBigErrors" { print $2 }'
}
traffic_reset
ipsec_pair kipsec kipsec outer=4 inner=6
big0=$(too_big6)
out=$(ip netns exec lan-a ping -6 -c 2 -M do -s 1452 -W 2 $TOPO_LANB6 2>&1)
expect_match "6-in-4: a full-size IPv6 ping is refused with the tunnel's MTU" "$out" \
	"(Packet too big|message too long).*mtu[:=] ?1[234][0-9][0-9]"
expect_eq "6-in-4: gw-a counted its refusal in Ip6InTooBigErrors" $(($(too_big6) - big0)) 1
check "6-in-4: a ping that fits the tunnel's MTU crosses" \
	ip netns exec lan-a ping -6 -c 2 -M do -s 1200 -W 2 $TOPO_LANB6

# ECN across the tunnel (RFC 6040): gw-a's transit link marks every ESP
# packet congested (CE). gw-b carries the mark over to an inner packet
# that does ECN, and drops one that does not, which could not carry it.
traffic_reset
ipsec_pair kipsec kipsec
ip netns exec gw-a nft -f - <<'EOF'
table ip ecn_test {
	chain post {
		type filter hook postrouting priority 0;
		ip protocol esp ip ecn set ce
	}
}
EOF
ip netns exec lan-b nft -f - <<'EOF'
table ip ecn_test {
	counter ce {}
	chain pre {
		type filter hook prerouting priority 0;
		icmp type echo-request ip ecn ce counter name ce
	}
}
EOF
ecn_ce_seen() {
	ip netns exec lan-b nft -j list counter ip ecn_test ce |
		jq '.nftables[] | select(.counter) | .counter.packets'
}
malformed() {
	ip netns exec gw-b ipsecctl -j stats | jq -r '.stats.drop_malformed // .drop_malformed'
}
bad0=$(malformed)
check "ECN: an ECN-capable ping (ECT(0)) crosses the congested link" \
	ip netns exec lan-a ping -c 3 -Q 2 -W 2 $TOPO_LANB4
expect_eq "ECN: lan-b got all 3 marked CE" "$(ecn_ce_seen)" 3
check_fails "ECN: a ping that does not do ECN cannot cross it" \
	ip netns exec lan-a ping -c 2 -W 1 $TOPO_LANB4
expect_eq "ECN: gw-b dropped those 2 and counted them malformed" \
	$(($(malformed) - bad0)) 2
ip netns exec gw-a nft delete table ip ecn_test
ip netns exec lan-b nft delete table ip ecn_test

tap_done
