#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# More NAT traversal (RFC 3947/3948), gw-a behind the masquerading NAT of
# tests/lib/nat.sh, ipsecd on both gateways:
#   1. Transport mode between the gateways' own addresses across the NAT
#      (UDP-transport encapsulation, NAT-OA in Quick Mode): the responder
#      sees gw-a at the NAT's public address, so gw-a's client IDs (its
#      private address) stand for that. Ping and TCP (iperf3) both ways,
#      ESP in UDP only on the wire, the SAs' packet counts agree on both
#      ends. The conn covers the IKE endpoints: IKE on UDP 4500 (non-ESP
#      marker) must bypass its require policies both ways, which a rekey
#      (ipsecctl rekey) and DPD exchanges show. Then the ISAKMP SA is
#      renewed across the NAT (12 s lifetime), on 4500 from the start.
#   2. NAT-T over IPv6 (NAT66, nftables masquerade): tunnel mode between
#      the LANs, the NAT detected, ESP in UDP over IPv6 with a UDP checksum
#      (Linux refuses zero ones on a UDP socket), ping6 both ways, counters.
#   3. The same over IPv6 with strongSwan's charon (XFRM) on gw-b.
. "$KIPSEC_TOP/tests/lib/tap.sh"
. "$KIPSEC_TOP/tests/lib/guest.sh"
. "$KIPSEC_TOP/tests/lib/topology.sh"
. "$KIPSEC_TOP/tests/lib/nat.sh"
. "$KIPSEC_TOP/tests/lib/strongswan.sh"
. "$KIPSEC_TOP/tests/lib/ipsecd.sh"

t=$(mktemp -d /tmp/ike-nat-more.XXXXXX)
chmod 700 "$t"
IPSECD_DIR=$t

cleanup() {
	sw_stop_all
	if [ -w /mnt/out ]; then cp "$(sw_log gw-b)" /mnt/out/91-charon-gw-b.log 2>/dev/null; fi
	ipsecd_keep_logs 91
	nat_teardown
	rm -rf "$t"
}
trap cleanup EXIT

load_kipsec
check "NAT topology builds" nat_setup
check "NAT66 in the same NAT namespace" nat_setup6

IPSECD_PSK=nat-more-$(hexkey 8)
# conf4 NAME LEFT RIGHT: transport mode between the gateways, with DPD.
conf4() {
	ipsecd_conf "$@" esp=aes128gcm16 dpddelay=1s dpdtimeout=10s dpdaction=clear \
		conn tr type=transport
}
# conf6 NAME LEFT RIGHT LEFTSUBNET RIGHTSUBNET: tunnel mode over IPv6.
conf6() {
	ipsecd_conf "$1" "$2" "$3" esp=aes128gcm16 \
		conn six leftsubnet="$4" rightsubnet="$5"
}
ike_a() { ipsecd_ctl a "$@"; }
ike_b() { ipsecd_ctl b "$@"; }
nat_of() {
	ipsecd_ctl "$1" -j ike list |
		jq -c --arg c "$2" '[.[] | select(.conn == $c and .state == "established")][0].nat'
}
encaps() {
	in_ns "$1" ipsecctl -j sa list |
		jq -r '.[] | "\(.mode) \(.src) \(.dst) \(.encap_sport) \(.encap_dport)"' | sort
}
# sa_packets NS SRC DST: packets the SAs SRC -> DST in NS have counted.
sa_packets() {
	in_ns "$1" ipsecctl -j sa list |
		jq --arg s "$2" --arg d "$3" '[.[] | select(.src == $s and .dst == $d) | .lifetime_used.packets] | add // 0'
}
ge() {
	if [ "${2:-0}" -ge "$3" ]; then ok "$1 ($2)"; else fail "$1 ($2, want >= $3)"; fi
}
# qm_count SIDE CONN: Quick Modes the side's log has completed for CONN.
qm_count() {
	grep -c "$2: IPsec SA established" "$t/$1.log"
}
dpd() {
	ipsecd_ctl "$1" -j ike list |
		jq -r --arg c "$2" --arg f "$3" '[.[] | select(.conn == $c and .state == "established")][0].dpd[$f] // "none"'
}

# ---- 1. transport mode across the NAT --------------------------------------
conf4 a "$NAT_GWA_PRIV" "$TOPO_GWB4"
conf4 b "$TOPO_GWB4" "$NAT_PUBLIC"
ipsecd_pair_up a b tr " (behind the NAT)"
nat_b=$(nat_of b tr)
diag "gw-a nat: $(nat_of a tr)"
diag "gw-b nat: $nat_b"
expect_eq "gw-a: behind the NAT, IKE on 4500" \
	"$(nat_of a tr | jq -r '"\(.behind_nat) \(.local_port) \(.peer_port)"')" "local 4500 4500"
expect_eq "gw-b: the peer is behind the NAT" "$(jq -r .behind_nat <<<"$nat_b")" peer
pp=$(jq -r .peer_port <<<"$nat_b")
expect_match "gw-b maps gw-a's client IDs to the addresses IKE sees" "$(cat "$t/b.log")" \
	"tr: transport mode across the NAT: the peer's client IDs $TOPO_GWB4/32 === $NAT_GWA_PRIV/32 stand for $TOPO_GWB4/32 === $NAT_PUBLIC/32"
expect_eq "gw-a: transport SAs, ESP in UDP 4500 <-> 4500" "$(encaps gw-a)" \
	"$(printf '%s\n' "transport $NAT_GWA_PRIV $TOPO_GWB4 4500 4500" "transport $TOPO_GWB4 $NAT_GWA_PRIV 4500 4500" | sort)"
expect_eq "gw-b: transport SAs, ESP in UDP on the NAT's port $pp" "$(encaps gw-b)" \
	"$(printf '%s\n' "transport $NAT_PUBLIC $TOPO_GWB4 $pp 4500" "transport $TOPO_GWB4 $NAT_PUBLIC 4500 $pp" | sort)"
pols=$(in_ns gw-b ipsecctl policy list)
diag "gw-b policies:"$'\n'"$(sed 's/^/#   /' <<<"$pols")"
expect_eq "gw-b: IKE bypass policies for UDP 500 and 4500, both directions" \
	"$(in_ns gw-b ipsecctl -j policy list | jq '[.[] | select(.action == "bypass")] | length')" 4
expect_match "gw-b logs the bypass for both IKE ports" "$(cat "$t/b.log")" \
	"IKE bypass policies for $TOPO_GWB4 <-> $NAT_PUBLIC \\(UDP 500 and 4500\\) installed"

check "topo_wire_watch" topo_wire_watch
# clear_watch: count TCP and ICMP leaving each gateway's wire in the clear
# (outer fragments of ESP in UDP are UDP, and not counted).
clear_watch() {
	local ns
	for ns in gw-a gw-b; do
		ip netns exec "$ns" nft -f - <<-EOF || return 1
		table netdev t91w {
			counter clear { }
			chain egress {
				type filter hook egress device "wan" priority 10; policy accept;
				ip protocol { tcp, icmp } counter name clear
			}
		}
		EOF
	done
}
clear_count() {
	local out
	out=$(ip netns exec "$1" nft list counter netdev t91w clear) || return 1
	[[ $out =~ packets\ ([0-9]+) ]] || return 1
	echo "${BASH_REMATCH[1]}"
}
check "clear TCP/ICMP counters on both wires" clear_watch
other0=$(nat_count other)
check "tr: gw-a pings gw-b" topo_ping gw-a "$TOPO_GWB4" 5
check "tr: gw-b pings gw-a (the NAT's address)" topo_ping gw-b "$NAT_PUBLIC" 5
out=$(topo_iperf gw-a gw-b 2 tcp)
expect_eq "tr: TCP gw-a -> gw-b (iperf3 -t 2; inner checksums over gw-a's private address)" "$?" 0
diag "iperf3 gw-a -> gw-b: $out"
# The server must be in gw-b: gw-a has no address of its own to bind that
# gw-b could reach. -R: gw-b sends.
out=$(TOPO_IPERF_ARGS=-R topo_iperf gw-a gw-b 2 tcp)
expect_eq "tr: TCP gw-b -> gw-a through the NAT (iperf3 -R)" "$?" 0
diag "iperf3 gw-b -> gw-a: $out"
expect_eq "tr: nothing but UDP left gw-a through the NAT" "$(($(nat_count other) - other0))" 0
for ns in gw-a gw-b; do
	expect_eq "tr: $ns sends no bare ESP" "$(topo_wire_count $ns esp)" 0
	ge "tr: $ns sends ESP in UDP" "$(topo_wire_count $ns espinudp)" 100
	expect_eq "tr: $ns sends no TCP or ICMP in the clear" "$(clear_count $ns)" 0
	diag "tr: $ns: $(topo_wire_count $ns other) other frames (outer fragments)"
done
sleep 0.5
a_out=$(sa_packets gw-a "$NAT_GWA_PRIV" "$TOPO_GWB4")
b_in=$(sa_packets gw-b "$NAT_PUBLIC" "$TOPO_GWB4")
b_out=$(sa_packets gw-b "$TOPO_GWB4" "$NAT_PUBLIC")
a_in=$(sa_packets gw-a "$TOPO_GWB4" "$NAT_GWA_PRIV")
ge "tr: gw-a's outbound SA carried the traffic" "$a_out" 100
# The outer packets are fragmented (kipsec does not lower TCP's MSS for
# the ESP overhead) and reassembled by the NAT's conntrack; reordering on
# the way can push some beyond the replay window. Every packet sent is
# either taken or counted as a replay drop; nothing else is dropped.
drops() {
	in_ns "$1" ipsecctl -j stats | jq -c 'with_entries(select((.key | startswith("drop")) and .value > 0))'
}
replay() { in_ns "$1" ipsecctl -j stats | jq '.drop_replay // 0'; }
diag "tr: gw-a drops: $(drops gw-a); gw-b drops: $(drops gw-b)"
expect_eq "tr: gw-b's inbound SA took what gw-a sent, less replay drops" "$((b_in + $(replay gw-b)))" "$a_out"
expect_eq "tr: gw-a's inbound SA took what gw-b sent, less replay drops" "$((a_in + $(replay gw-a)))" "$b_out"
expect_eq "tr: no kipsec drops but replay on gw-b" "$(drops gw-b | jq 'del(.drop_replay) | length')" 0
expect_eq "tr: no kipsec drops but replay on gw-a" "$(drops gw-a | jq 'del(.drop_replay) | length')" 0

# IKE on 4500 through the conn's own require policies. DPD probes on
# demand (traffic out, nothing back for dpddelay = 1 s): each side in turn
# drops the ESP in UDP it receives (not IKE: its first word is the zero
# non-ESP marker) while it pings the other, so it sends R-U-THEREs, which
# must reach the peer and be acknowledged.
# dpd_probe NS SIDE PEER_ADDR
dpd_probe() {
	ip netns exec "$1" nft -f - <<-EOF || return 1
	table netdev t91 {
		chain in {
			type filter hook ingress device "wan" priority 0; policy accept;
			udp dport 4500 @th,64,32 != 0 drop
		}
	}
	EOF
	in_ns "$1" ping -n -q -c 8 -i 0.5 -W 1 "$3" >/dev/null 2>&1
	ip netns exec "$1" nft delete table netdev t91
	[ "$(dpd "$2" tr acked)" -ge 1 ]
}
check "DPD: gw-a's R-U-THEREs cross the NAT and are acknowledged" dpd_probe gw-a a "$TOPO_GWB4"
check "DPD: gw-b's R-U-THEREs cross the NAT and are acknowledged" dpd_probe gw-b b "$NAT_PUBLIC"
diag "DPD gw-a: $(ike_a -j ike list | jq -c '.[] | select(.conn == "tr") | .dpd')"
diag "DPD gw-b: $(ike_b -j ike list | jq -c '.[] | select(.conn == "tr") | .dpd')"
check "tr still established on gw-a after the probes" ipsecd_established a tr
qa=$(qm_count a tr)
check "ipsecctl rekey tr (gw-a)" ike_a rekey tr
check "gw-a completes the rekey" wait_for 10 sh -c "[ \$(grep -c 'tr: IPsec SA established' '$t/a.log') -gt $qa ]"
qb=$(qm_count b tr)
check "ipsecctl rekey tr (gw-b, the responder side of the NAT)" ike_b rekey tr
check "gw-b completes the rekey" wait_for 10 sh -c "[ \$(grep -c 'tr: IPsec SA established' '$t/b.log') -gt $qb ]"
check "tr after the rekeys: gw-a pings gw-b" topo_ping gw-a "$TOPO_GWB4" 3
check "tr after the rekeys: gw-b pings gw-a" topo_ping gw-b "$NAT_PUBLIC" 3
expect_eq "tr: the NAT still saw only UDP from gw-a" "$(($(nat_count other) - other0))" 0
expect_eq "tr: no clear-text drops on gw-b (IKE passed the policies)" \
	"$(in_ns gw-b ipsecctl -j stats | jq '.drop_policy // 0')" 0

# ISAKMP SA renewal across the NAT, with a 12 s ISAKMP lifetime. The side
# that renews starts its Main Mode on 4500, as IKE stands now, and on the
# port the NAT mapped: begun on 500 towards 4500, without the non-ESP
# marker, it would be taken for ESP there and never answered.
ipsecd_stop_all gw-a gw-b
conf4 a "$NAT_GWA_PRIV" "$TOPO_GWB4" ikelifetime=12s rekeymargin=4s rekeyfuzz=0%
conf4 b "$TOPO_GWB4" "$NAT_PUBLIC" ikelifetime=12s rekeymargin=4s rekeyfuzz=0%
mm_done() { grep -c 'tr: ISAKMP SA established' "$t/$1.log"; }
renewals() { cat "$t/a.log" "$t/b.log" | grep -c 'tr: renewing the ISAKMP SA'; }
mm0a=$(mm_done a) mm0b=$(mm_done b) ren0=$(renewals)
ipsecd_pair_up a b tr " (ISAKMP lifetime 12 s)"
renewed() {
	[ "$(renewals)" -gt "$ren0" ] && [ "$(mm_done a)" -ge $((mm0a + 2)) ] &&
		[ "$(mm_done b)" -ge $((mm0b + 2)) ]
}
check "tr: the ISAKMP SA is renewed across the NAT" wait_for 30 renewed
diag "renewals: $(grep -h 'renewing the ISAKMP SA' "$t/a.log" "$t/b.log" | head -2)"
check "tr after the renewal: gw-a pings gw-b" topo_ping gw-a "$TOPO_GWB4" 3
qa=$(qm_count a tr)
check "ipsecctl rekey tr under the renewed ISAKMP SA" ike_a rekey tr
check "gw-a completes that rekey" wait_for 10 sh -c "[ \$(grep -c 'tr: IPsec SA established' '$t/a.log') -gt $qa ]"
ipsecd_stop_all gw-a gw-b
expect_eq "no SA left on gw-b" "$(in_ns gw-b ipsecctl -j sa list | jq length)" 0

# ---- 2. NAT-T over IPv6 ----------------------------------------------------
# kipsec leaves the IPv6 UDP checksum to the device (CHECKSUM_PARTIAL), and
# between veths it is never filled in: the receiver trusts the flag. gw-a's
# wan computes it in software from here on, as a NIC without checksum
# offload would, so that the NAT's conntrack and charon's UDP socket (3.)
# check the real bytes.
# txcsum NS DEV [0|1]: set, then print, DEV's tx checksumming ("ethtool -K
# DEV tx off"; ethtool itself is not installed).
txcsum() {
	ip netns exec "$1" python3 - "$2" "${3:-}" <<'PY'
import array, fcntl, socket, struct, sys
SIOCETHTOOL, GTXCSUM, STXCSUM = 0x8946, 0x16, 0x17
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
def call(cmd, data=0):
    buf = array.array('I', [cmd, data])
    ifr = struct.pack('16sP16x', sys.argv[1].encode(), buf.buffer_info()[0])
    fcntl.ioctl(s.fileno(), SIOCETHTOOL, ifr)
    return buf[1]
if sys.argv[2]:
    call(STXCSUM, int(sys.argv[2]))
print(call(GTXCSUM))
PY
}
expect_eq "gw-a's wan: tx checksum offload off" "$(txcsum gw-a wan 0 2>&1)" 0
csumerr6() { ip netns exec "$1" awk '$1 == "Udp6InCsumErrors" { print $2 }' /proc/net/snmp6; }
conf6 a "$NAT6_GWA_PRIV" "$TOPO_GWB6" "$TOPO_NETA6" "$TOPO_NETB6"
conf6 b "$TOPO_GWB6" "$NAT6_PUBLIC" "$TOPO_NETB6" "$TOPO_NETA6"
ipsecd_pair_up a b six " (IPv6, behind NAT66)" " (IPv6)"
nat_b=$(nat_of b six)
diag "gw-a nat: $(nat_of a six)"
diag "gw-b nat: $nat_b"
expect_eq "IPv6 gw-a: behind the NAT, IKE on 4500" \
	"$(nat_of a six | jq -r '"\(.behind_nat) \(.local_port) \(.peer_port)"')" "local 4500 4500"
expect_eq "IPv6 gw-b: the peer is behind the NAT" "$(jq -r .behind_nat <<<"$nat_b")" peer
pp=$(jq -r .peer_port <<<"$nat_b")
expect_match "ipsecctl ike list on gw-b shows the NAT over IPv6" \
	"$(ike_b ike list)" "^nat	six	nat-t RFC 3947, behind NAT: peer, ports 4500 -> $pp"
expect_eq "IPv6 gw-b: tunnel SAs, ESP in UDP on the NAT's port $pp" "$(encaps gw-b)" \
	"$(printf '%s\n' "tunnel $NAT6_PUBLIC $TOPO_GWB6 $pp 4500" "tunnel $TOPO_GWB6 $NAT6_PUBLIC 4500 $pp" | sort)"
check "topo_wire_watch" topo_wire_watch
z0=$(nat_count6 zerocsum6) o0=$(nat_count6 other6)
check "six: lan-a reaches lan-b over IPv6" topo_ping lan-a "$TOPO_LANB6" 5
check "six: lan-b reaches lan-a over IPv6" topo_ping lan-b "$TOPO_LANA6" 5
for ns in gw-a gw-b; do
	expect_eq "six: $ns sends no bare ESP" "$(topo_wire_count $ns esp)" 0
	expect_eq "six: $ns sends no LAN packet in clear" "$(topo_wire_count $ns clear)" 0
	ge "six: $ns sends ESP in UDP over IPv6" "$(topo_wire_count $ns espinudp)" 5
done
expect_eq "six: no zero UDP checksum from gw-a over IPv6" "$(($(nat_count6 zerocsum6) - z0))" 0
expect_eq "six: nothing but UDP 4500 from gw-a through NAT66" "$(($(nat_count6 other6) - o0))" 0
ge "six: NAT66 forwarded gw-a's ESP in UDP" "$(nat_count6 natt6)" 5
sleep 0.5
a_out=$(sa_packets gw-a "$NAT6_GWA_PRIV" "$TOPO_GWB6")
b_in=$(sa_packets gw-b "$NAT6_PUBLIC" "$TOPO_GWB6")
b_out=$(sa_packets gw-b "$TOPO_GWB6" "$NAT6_PUBLIC")
a_in=$(sa_packets gw-a "$TOPO_GWB6" "$NAT6_GWA_PRIV")
expect_eq "six: SA counters, gw-a -> gw-b (sent, received)" "$a_out $b_in" "10 10"
expect_eq "six: SA counters, gw-b -> gw-a (sent, received)" "$b_out $a_in" "10 10"
ipsecd_stop_all gw-a gw-b

# ---- 3. ipsecd (gw-a, behind NAT66) <-> charon (gw-b) over IPv6 ----------
# charon's ESP in UDP goes through Linux's UDP encapsulation socket, which
# refuses a zero UDP checksum over IPv6: traffic from lan-a reaching lan-b
# shows kipsec's checksum is right.
check "charon starts in gw-b" sw_start gw-b
check "charon conn sw6" sw_conn gw-b sw6 local="$TOPO_GWB6" remote="$NAT6_PUBLIC" \
	remote_id="$NAT6_GWA_PRIV" local_ts="$TOPO_NETB6" remote_ts="$TOPO_NETA6" \
	psk="$IPSECD_PSK" ike=aes128-sha256-modp2048 esp=aes128gcm16
check "swanctl loads gw-b" sw_load gw-b
sed -i 's/^conn six$/conn sw6/' "$t/a.conf"
check "ipsecd starts on gw-a again" ipsecd_start gw-a a
check "ipsecctl up sw6" ike_a up sw6
check "sw6 is established on gw-a" wait_for 30 ipsecd_established a sw6
check "charon installed the child" sw_wait_child gw-b sw6 10
expect_match "charon found gw-a behind a NAT over IPv6" "$(cat "$(sw_log gw-b)")" 'remote host is behind NAT'
expect_eq "charon's two SAs are ESP in UDP" \
	"$(ip -n gw-b xfrm state | grep -c 'encap type espinudp sport [0-9]* dport [0-9]*')" 2
check "topo_wire_watch" topo_wire_watch
check "sw6: lan-a reaches lan-b over IPv6" topo_ping lan-a "$TOPO_LANB6" 5
check "sw6: lan-b reaches lan-a over IPv6" topo_ping lan-b "$TOPO_LANA6" 5
for ns in gw-a gw-b; do
	expect_eq "sw6: $ns sends no bare ESP" "$(topo_wire_count $ns esp)" 0
	expect_eq "sw6: $ns sends no LAN packet in clear" "$(topo_wire_count $ns clear)" 0
done
expect_eq "sw6: gw-b's UDP found no bad IPv6 checksum" "$(csumerr6 gw-b)" 0
sw_stop_all

tap_done
