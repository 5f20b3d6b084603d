#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# AH (RFC 4302) over the lan-a — gw-a — gw-b — lan-b topology, manually
# keyed:
#  1. kipsec on both gateways: tunnel IPv4 and transport IPv6 (the other
#     combinations are in the interop part). Each case pings across and
#     checks that only AH crossed the transit link and that each SA counted
#     on one gateway what its twin did on the other (exactly what was sent
#     for the IPv4 tunnels); then TCP, an outer packet fragmented on the
#     way and reassembled before AH, and the path MTU.
#  2. interop: kipsec on gw-a, the kernel's own AH (XFRM) on gw-b, with the
#     same keys and SPIs, both ways: HMAC-SHA-256-128 and HMAC-SHA1-96,
#     tunnel and transport, IPv4 and IPv6, ESN (XFRM with "flag align4",
#     as strongSwan sets it: RFC 4302's 4-byte padding on IPv4); also an
#     XFRM sender without it, whose 8-byte padding kipsec takes too.
#  3. the mutable outer fields (TTL / hop limit, DSCP, flow label) changed
#     on the way do not break the ICV;
#  4. a byte changed on the wire, a replayed packet and a sequence number
#     changed are dropped and counted
#     (drop_integrity, drop_replay).
. "$KIPSEC_TOP/tests/lib/traffic_test.sh"

traffic_test_start

sha256=(proto=ah auth=hmac-sha256)
sha1=(proto=ah auth=hmac-sha1)

# sa_stat NS SPI DST FIELD: one counter of a kipsec AH SA.
sa_stat() {
	kipsec_sa_field "$1" "$2" "$3" ah "stats.$4"
}

# exact LABEL N: after a tunnel case over IPv4 with the default SPIs, each
# SA counted exactly N packets on both ends, the wire carried exactly N AH
# packets each way, and nothing was dropped.
exact() {
	local label=$1 n=$2
	expect_eq "$label: each SA counted exactly the $n pings on both ends" \
		"$(sa_stat gw-a 0x1000 $TOPO_GWB4 packets) $(sa_stat gw-b 0x1000 $TOPO_GWB4 packets) $(sa_stat gw-b 0x2000 $TOPO_GWA4 packets) $(sa_stat gw-a 0x2000 $TOPO_GWA4 packets)" \
		"$n $n $n $n"
	expect_eq "$label: exactly $n AH packets on the wire each way" \
		"$(topo_wire_count gw-a ah) $(topo_wire_count gw-b ah)" "$n $n"
	expect_eq "$label: no integrity, replay or malformed drop" \
		"$(sa_stat gw-b 0x1000 $TOPO_GWB4 drop_integrity) $(sa_stat gw-b 0x1000 $TOPO_GWB4 drop_replay) $(sa_stat gw-b 0x1000 $TOPO_GWB4 drop_malformed) $(sa_stat gw-a 0x2000 $TOPO_GWA4 drop_integrity)" \
		"0 0 0 0"
}

# --- 1. kipsec <-> kipsec -------------------------------------------------
traffic_case "AH HMAC-SHA-256-128 tunnel IPv4" kipsec kipsec "${sha256[@]}"
exact "AH HMAC-SHA-256-128 tunnel IPv4" $TRAFFIC_PINGS
expect_eq "the SA is AH with HMAC-SHA-256-128 (ipsecctl: hmac-sha256-128)" \
	"$(kipsec_sa_field gw-a 0x1000 $TOPO_GWB4 ah proto) $(kipsec_sa_field gw-a 0x1000 $TOPO_GWB4 ah auth)" \
	"ah hmac-sha256-128"
traffic_case "AH HMAC-SHA-256-128 transport IPv6" kipsec kipsec \
	"${sha256[@]}" mode=transport family=6

# Bulk and size: segmentation before AH, a fragmented outer packet (its
# reassembled skb carries a frag list), and the MTU left inside the tunnel.
traffic_reset
ipsec_pair kipsec kipsec "${sha256[@]}" || fail "AH bulk: configure"
topo_wire_watch
if bps=$(topo_iperf lan-a lan-b 2 tcp); then
	ok "AH tunnel IPv4: TCP lan-a -> lan-b moves data (${bps% *} bit/s)"
else
	fail "AH tunnel IPv4: TCP lan-a -> lan-b"
fi
check "AH tunnel IPv4: a non-DF full-size ping crosses, outer packet fragmented" \
	ip netns exec lan-a ping -c 2 -M dont -s 1472 -W 2 $TOPO_LANB4
out=$(ip netns exec lan-a ping -c 2 -M "do" -s 1472 -W 2 $TOPO_LANB4 2>&1)
expect_match "AH tunnel IPv4: a full-size DF ping is refused with the tunnel's MTU" \
	"$out" "(Frag needed|message too long).*mtu ?= ?14[0-9][0-9]"
check "AH tunnel IPv4: a DF ping that fits the tunnel's MTU crosses" \
	ip netns exec lan-a ping -c 2 -M "do" -s 1400 -W 2 $TOPO_LANB4
expect_eq "AH tunnel IPv4: still no LAN packet in clear, no integrity drop" \
	"$(topo_wire_count gw-a clear) $(topo_wire_count gw-b clear) $(sa_stat gw-b 0x1000 $TOPO_GWB4 drop_integrity) $(sa_stat gw-a 0x2000 $TOPO_GWA4 drop_integrity)" \
	"0 0 0 0"
# --- 2. interop with the kernel's own AH -----------------------------------
traffic_reset
check "XFRM AH warm-up (ah4/ah6, hmac templates)" \
	xfrm_warmup gw-b ah/hmac-sha256 ah/hmac-sha1

# interop LABEL key=value...: kipsec on gw-a, XFRM on gw-b (traffic_case
# pings from gw-a's side), then a ping from gw-b's side; no replay or
# integrity failure on XFRM's side.
interop() {
	local label=$1 mode=tunnel family=4 kv from to
	shift
	for kv in "$@"; do
		case $kv in
		mode=*) mode=${kv#mode=} ;;
		family=*) family=${kv#family=} ;;
		esac
	done
	traffic_case "$label" kipsec xfrm "$@"
	if [ "$mode" = transport ]; then
		from=gw-b to=$(topo_addr gw-a "$family")
	else
		from=lan-b to=$(topo_addr lan-a "$family")
	fi
	check "$label: ping $from -> $to" topo_ping $from "$to" 2
	expect_eq "$label: XFRM counted no replay or integrity failure" \
		"$(xfrm_sa_errors gw-b 0x1000)" "0 0"
}
interop "interop AH HMAC-SHA-256-128 tunnel IPv4" "${sha256[@]}"
interop "interop AH HMAC-SHA1-96 tunnel IPv6" "${sha1[@]}" family=6
interop "interop AH HMAC-SHA-256-128 transport IPv4" "${sha256[@]}" mode=transport
interop "interop AH HMAC-SHA-256-128 ESN tunnel IPv4" "${sha256[@]}" esn=yes

# kipsec pads IPv4 AH to 4 bytes as RFC 4302 asks (and as strongSwan
# configures XFRM with "flag align4", which tests/lib/xfrm.sh does too);
# XFRM's own default pads to 8 (a 32-byte header with a 16-byte ICV), and
# kipsec takes that as well.
traffic_reset
akey=$(hexkey 32)
ipsec_pair kipsec xfrm "${sha256[@]}" akey_ba="$akey" || fail "align8: configure"
ip -n gw-b xfrm state del src $TOPO_GWB4 dst $TOPO_GWA4 proto ah spi 0x2000
check "align8: XFRM's outbound SA replaced with one without align4" \
	ip -n gw-b xfrm state add src $TOPO_GWB4 dst $TOPO_GWA4 proto ah \
	spi 0x2000 reqid 1 mode tunnel replay-window 32 \
	auth-trunc 'hmac(sha256)' 0x"$akey" 128
check "align8: ping lan-b -> lan-a" topo_ping lan-b lan-a 3
expect_eq "align8: kipsec took XFRM's 32-byte headers" \
	"$(sa_stat gw-a 0x2000 $TOPO_GWA4 packets) $(sa_stat gw-a 0x2000 $TOPO_GWA4 drop_malformed)" \
	"3 0"

# --- 3. what may change on the way, and what may not -------------------------
# mangle FAMILY: pings lan-a -> lan-b while gw-b rewrites the mutable outer
# fields of each AH packet it receives (TTL / hop limit, DSCP, flow label).
mangle() {
	local fam=$1 label="mutable fields IPv$1" n
	traffic_reset
	if [ "$fam" = 6 ]; then
		ipsec_pair kipsec kipsec "${sha256[@]}" family=6 || fail "$label: configure"
	else
		ipsec_pair kipsec kipsec "${sha256[@]}" || fail "$label: configure"
	fi
	check "$label: gw-b rewrites them in each AH packet it receives" \
		ip netns exec gw-b nft -f - <<-EOF
	table netdev ah_mutable {
		chain ingress {
			type filter hook ingress device "wan" priority 0; policy accept;
			ip protocol ah ip ttl set 7 ip dscp set af11 counter
			ip6 nexthdr ah ip6 hoplimit set 7 ip6 dscp set af11 ip6 flowlabel set 12345 counter
		}
	}
	EOF
	check "$label: the ICV does not cover them, ping crosses" \
		topo_ping lan-a "$(topo_addr lan-b "$fam")" 2
	n=$(ip netns exec gw-b nft list table netdev ah_mutable | grep -o 'packets [0-9]*' |
		awk '{ s += $2 } END { print s + 0 }')
	expect_eq "$label: the rewrite did happen" "$([ "$n" -ge 2 ] && echo yes)" yes
	ip netns exec gw-b nft delete table netdev ah_mutable
}
mangle 4
mangle 6

# --- 4. integrity and replay ---------------------------------------------------
traffic_reset
ipsec_pair kipsec kipsec "${sha256[@]}" || fail "flipped byte: configure"
# One byte of the inner ICMP payload changed as gw-b receives it: outer
# IPv4 (20) + AH (32) + inner IPv4 (20) + ICMP (8) + 20 bytes in.
check "flipped byte: gw-b changes one byte of each AH packet it receives" \
	ip netns exec gw-b nft -f - <<-EOF
	table netdev ah_flip {
		chain ingress {
			type filter hook ingress device "wan" priority 0; policy accept;
			meta l4proto ah @th,640,8 set 0xa5 counter
		}
	}
	EOF
dmesg -C
check_fails "flipped byte: nothing gets through" topo_ping lan-a lan-b 3
expect_eq "flipped byte: gw-b counted 3 integrity failures and no packet" \
	"$(sa_stat gw-b 0x1000 $TOPO_GWB4 drop_integrity) $(sa_stat gw-b 0x1000 $TOPO_GWB4 packets)" \
	"3 0"
expect_match "flipped byte: dmesg names the SPI and the peer" "$(dmesg)" \
	"kipsec: integrity check failed: SPI 0x00001000 from 192\.0\.2\.1"
ip netns exec gw-b nft delete table netdev ah_flip
check "flipped byte: traffic crosses again without the change" \
	topo_ping lan-a lan-b 2

# An AH packet captured on gw-b's wan and sent again from gw-a: a replay;
# then with the top bit of its sequence number flipped (20-byte IP header,
# then next header, length, reserved, SPI: byte 28): it looks fresh, and
# only the ICV can tell.
WIRE=$KIPSEC_TOP/tests/lib/wire_packet.py
PKT=$(mktemp /tmp/kipsec-ah.XXXXXX)
trap 'rm -f "$PKT" "$PKT.out"; topo_teardown' EXIT
listen_start "$PKT.out" ip netns exec gw-b python3 "$WIRE" capture wan 51 "$PKT" 20
topo_ping lan-a lan-b 1 >/dev/null
wait "$LISTEN_PID"
expect_match "replay: an AH packet is captured on gw-b" "$(cat "$PKT.out")" \
	"captured [0-9]+ bytes"
replay0=$(sa_stat gw-b 0x1000 $TOPO_GWB4 drop_replay)
integ0=$(sa_stat gw-b 0x1000 $TOPO_GWB4 drop_integrity)
pk0=$(sa_stat gw-b 0x1000 $TOPO_GWB4 packets)
ip netns exec gw-a python3 "$WIRE" send "$PKT"
sleep 0.5
expect_eq "replay: the packet sent again is dropped as a replay" \
	"$(sa_stat gw-b 0x1000 $TOPO_GWB4 drop_replay) $(sa_stat gw-b 0x1000 $TOPO_GWB4 packets)" \
	"$((replay0 + 1)) $pk0"
ip netns exec gw-a python3 "$WIRE" send "$PKT" 28
sleep 0.5
expect_eq "replay: with its sequence number changed it fails the ICV" \
	"$(sa_stat gw-b 0x1000 $TOPO_GWB4 drop_integrity) $(sa_stat gw-b 0x1000 $TOPO_GWB4 drop_replay) $(sa_stat gw-b 0x1000 $TOPO_GWB4 packets)" \
	"$((integ0 + 1)) $((replay0 + 1)) $pk0"
check "replay: the SA still carries traffic" topo_ping lan-a lan-b 2

traffic_reset

tap_done
