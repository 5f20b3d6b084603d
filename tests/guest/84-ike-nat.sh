#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# NAT traversal (RFC 3947/3948): gw-a behind a masquerading NAT with random
# ports (tests/lib/nat.sh), gw-b in front of it.
#   0. kipsec's KIPSEC_CMD_SA_SET alone: moves an ESP-in-UDP SA to new
#      ports, refuses anything else with an ext-ack message.
#   1. ipsecd on both gateways: NAT-T vendor IDs and NAT-D find the NAT
#      (gw-a: "we are behind a NAT", gw-b: "the peer is"), IKE moves to
#      UDP 4500, the ESP SAs are ESP-in-UDP on the ports each side really
#      sees, `ipsecctl ike list` says so; traffic both ways crosses as ESP
#      in UDP only; gw-a's keepalives cross the NAT; an AH connection is
#      refused, with the reason in the log. Then the NAT forgets its
#      mappings mid-traffic: gw-a's next packets get a new port, gw-b's
#      kipsec reports the authentic ESP from there (KIPSEC_CMD_SA_MAPPING),
#      ipsecd moves the SAs (KIPSEC_CMD_SA_SET) and traffic recovers.
#   2. ipsecd on gw-a against strongSwan's charon (XFRM) on gw-b: the same
#      negotiation, traffic, and recovery after the mappings are flushed.
. "$KIPSEC_TOP/tests/lib/tap.sh"
. "$KIPSEC_TOP/tests/lib/guest.sh"
. "$KIPSEC_TOP/tests/lib/topology.sh"
. "$KIPSEC_TOP/tests/lib/nat.sh"
. "$KIPSEC_TOP/tests/lib/strongswan.sh"
. "$KIPSEC_TOP/tests/lib/xfrm.sh"
. "$KIPSEC_TOP/tests/lib/ipsecd.sh"

t=$(mktemp -d /tmp/ike-nat.XXXXXX)
chmod 700 "$t"

cleanup() {
	sw_stop_all
	ipsecd_keep_logs 84
	[ -w /mnt/out ] && cp "$(sw_log gw-b)" /mnt/out/84-charon-gw-b.log 2>/dev/null
	nat_teardown
	rm -rf "$t"
}
trap cleanup EXIT

load_kipsec
nl_start
check "NAT topology builds" nat_setup
xfrm_warmup lan-a aes-gcm-16 >"$t/warmup.out" 2>&1 &
warm_pid=$!

IPSECD_DIR=$t
IPSECD_PSK=nat-test-$(hexkey 8)
ipsecd_conf a "$NAT_GWA_PRIV" "$TOPO_GWB4" \
	conn good leftsubnet=10.1.0.0/24 rightsubnet=10.2.0.0/24 esp=aes128gcm16 \
	conn ah ah=sha256 type=transport
ipsecd_conf b "$TOPO_GWB4" "$NAT_PUBLIC" \
	conn good leftsubnet=10.2.0.0/24 rightsubnet=10.1.0.0/24 esp=aes128gcm16 \
	conn ah ah=sha256 type=transport
check "ipsecd -n accepts nat_keepalive=" ipsecd -n -f "$t/a.conf"

ike_a() { ipsecd_ctl a "$@"; }
ike_b() { ipsecd_ctl b "$@"; }
# nat_of SIDE: the "nat" object of conn good's IKE SA, one line.
nat_of() {
	ipsecd_ctl "$1" -j ike list |
		jq -c '.[] | select(.conn == "good" and .state == "established") | .nat'
}
# wire_only_udp NAME: since topo_wire_watch, both gateways put traffic on
# the wire as ESP in UDP only: no bare ESP, no clear LAN packets.
wire_only_udp() {
	local ns n
	for ns in gw-a gw-b; do
		n=$(topo_wire_count $ns espinudp)
		expect_eq "$1: $ns sends no bare ESP" "$(topo_wire_count $ns esp)" 0
		expect_eq "$1: $ns sends no LAN packet in clear" "$(topo_wire_count $ns clear)" 0
		if [ "${n:-0}" -ge 5 ]; then ok "$1: $ns sends ESP in UDP 4500 ($n packets)"; else fail "$1: $ns sends ESP in UDP 4500 ($n packets)"; fi
	done
}
# flushed_traffic NAME: 25 pings from lan-a, the NAT's mappings flushed
# 1.5 s into them; traffic must recover, then go both ways.
flushed_traffic() {
	local before after loss
	before=$(nat_mappings | grep -o 'sport=4500 dport=[0-9]* src=[0-9.]* dst=[0-9.]* sport=4500 dport=[0-9]*' | head -n 1)
	in_ns lan-a ping -n -q -c 25 -i 0.2 -W 1 "$TOPO_LANB4" >"$t/ping-flush.out" 2>&1 &
	local ppid=$!
	sleep 1.5
	check "$1: conntrack -F in the NAT" nat_flush
	wait $ppid
	after=$(nat_mappings | grep -o 'sport=4500 dport=[0-9]* src=[0-9.]* dst=[0-9.]* sport=4500 dport=[0-9]*' | head -n 1)
	diag "$1: NAT mapping before: $before; after: $after"
	loss=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' "$t/ping-flush.out")
	diag "$1: ping across the flush: ${loss}% lost"
	expect_eq "$1: the NAT gave gw-a's 4500 a new port" "$([ -n "$after" ] && [ "$before" != "$after" ] && echo yes)" yes
	check "$1: after the flush, lan-a reaches lan-b" topo_ping lan-a lan-b 5
	check "$1: after the flush, lan-b reaches lan-a" topo_ping lan-b lan-a 5
}

wait $warm_pid
expect_eq "crypto warm-up" "$?" 0

# ---- 0. KIPSEC_CMD_SA_SET, by itself (tests/lib/kipsec_nl.py) --------------
plain="sa_spi=u32:0x3000 sa_dst=ip:198.51.100.2 sa_proto=u8:50"
udp="sa_spi=u32:0x3001 sa_dst=ip:198.51.100.2 sa_proto=u8:50"
sa_rest="sa_src=ip:198.51.100.1 sa_mode=u8:2 sa_enc_alg=u16:3 sa_enc_key=hex:$(hexkey 20)"
check "an ESP SA without UDP encapsulation" nl sa_new $plain $sa_rest
check "an ESP-in-UDP SA (4500 -> 4500)" nl sa_new $udp $sa_rest \
	sa_encap_sport=u16:4500 sa_encap_dport=u16:4500
check "SA_SET moves it to 4500 -> 31000" nl sa_set $udp sa_encap_sport=u16:4500 \
	sa_encap_dport=u16:31000
out=$(nl sa_get $udp)
expect_match "SA_GET shows the source port" "$out" 'sa_encap_sport=4500'
expect_match "SA_GET shows the new destination port" "$out" 'sa_encap_dport=31000'
refuse "SA_SET refuses an SA without UDP encapsulation" 22 'no UDP encapsulation' \
	sa_set $plain sa_encap_sport=u16:4500 sa_encap_dport=u16:4500
refuse "SA_SET wants both ports" 22 'KIPSEC_A_SA_ENCAP_DPORT: required' \
	sa_set $udp sa_encap_sport=u16:4500
refuse "SA_SET refuses port 0" 34 'ENCAP_DPORT|attr=' \
	sa_set $udp sa_encap_sport=u16:4500 sa_encap_dport=u16:0
refuse "SA_SET on no SA: ENOENT" 2 'no SA with this SPI' \
	sa_set sa_spi=u32:0x3999 sa_dst=ip:198.51.100.2 sa_proto=u8:50 \
	sa_encap_sport=u16:4500 sa_encap_dport=u16:4500
refuse "SA_SET takes nothing but the identity and the ports" 22 '.' \
	sa_set $udp sa_encap_sport=u16:4500 sa_encap_dport=u16:4500 sa_reqid=u32:7
check "flush" nl sa_flush

# ---- 1. ipsecd <-> ipsecd --------------------------------------------------
ipsecd_pair_up a b good " (behind the NAT)"

nat_a=$(nat_of a)
nat_b=$(nat_of b)
diag "gw-a nat: $nat_a"
diag "gw-b nat: $nat_b"
expect_eq "gw-a: RFC 3947, we are behind the NAT, IKE on 4500 -> 4500, keepalives" \
	"$(jq -r '"\(.dialect) \(.behind_nat) \(.local_port) \(.peer_port) \(.keepalive)"' <<<"$nat_a")" \
	"RFC 3947 local 4500 4500 1"
expect_eq "gw-b: RFC 3947, the peer is behind the NAT, IKE on 4500" \
	"$(jq -r '"\(.dialect) \(.behind_nat) \(.local_port)"' <<<"$nat_b")" "RFC 3947 peer 4500"
peer_port_b=$(jq -r .peer_port <<<"$nat_b")
if [ "$peer_port_b" != 500 ] && [ "$peer_port_b" != 4500 ]; then
	ok "gw-b: the peer's port is the NAT's ($peer_port_b), not 500 or 4500"
else
	fail "gw-b: the peer's port is the NAT's ($peer_port_b), not 500 or 4500"
fi
expect_match "ipsecctl ike list (tab-separated) on gw-a shows the NAT" \
	"$(ike_a ike list)" '^nat	good	nat-t RFC 3947, behind NAT: local, ports 4500 -> 4500, keepalives'
expect_match "ipsecctl ike list (tab-separated) on gw-b shows the NAT" \
	"$(ike_b ike list)" "^nat	good	nat-t RFC 3947, behind NAT: peer, ports 4500 -> $peer_port_b"
expect_match "gw-a logs the NAT" "$(cat "$t/a.log")" 'good: NAT detected \(RFC 3947\): we are behind a NAT'
expect_match "gw-b logs the NAT" "$(cat "$t/b.log")" 'good: NAT detected \(RFC 3947\): the peer is behind a NAT'

# The SAs: ESP in UDP on the ports IKE uses.
encaps() {
	in_ns "$1" ipsecctl -j sa list |
		jq -r '.[] | "\(.src) \(.dst) \(.encap_sport) \(.encap_dport)"' | sort
}
expect_eq "gw-a: both SAs are ESP in UDP 4500 <-> 4500" "$(encaps gw-a)" \
	"$(printf '%s\n' "$NAT_GWA_PRIV $TOPO_GWB4 4500 4500" "$TOPO_GWB4 $NAT_GWA_PRIV 4500 4500" | sort)"
expect_eq "gw-b: both SAs are ESP in UDP on the NAT's port $peer_port_b" "$(encaps gw-b)" \
	"$(printf '%s\n' "$NAT_PUBLIC $TOPO_GWB4 $peer_port_b 4500" "$TOPO_GWB4 $NAT_PUBLIC 4500 $peer_port_b" | sort)"

check "topo_wire_watch" topo_wire_watch
check "good: lan-a reaches lan-b" topo_ping lan-a lan-b 5
check "good: lan-b reaches lan-a" topo_ping lan-b lan-a 5
wire_only_udp "good"

ka0=$(nat_count keepalive)
sleep 2.5
ka1=$(nat_count keepalive)
if [ $((ka1 - ka0)) -ge 2 ]; then ok "gw-a sends NAT keepalives through the NAT ($((ka1 - ka0)) in 2.5 s, nat_keepalive=1s)"; else fail "gw-a sends NAT keepalives through the NAT ($((ka1 - ka0)) in 2.5 s, nat_keepalive=1s)"; fi
n=$(nat_count ike500)
if [ "$n" -ge 2 ] && [ "$n" -le 4 ]; then ok "gw-a used UDP 500 only for MM1 and MM3 ($n packets, retransmissions allowed)"; else fail "gw-a used UDP 500 only for MM1 and MM3 ($n packets)"; fi
expect_eq "nothing but UDP left gw-a through the NAT" "$(nat_count other)" 0

check_fails "ipsecctl up ah fails (behind the NAT)" ike_a up ah
expect_match "gw-a refuses AH across the NAT and says why" "$(cat "$t/a.log")" \
	'ah: AH cannot cross a NAT .*no AH SA is proposed or accepted'
expect_eq "no AH SA on gw-a" "$(in_ns gw-a ipsecctl -j sa list | jq '[.[] | select(.proto == "ah")] | length')" 0
expect_eq "no AH SA on gw-b" "$(in_ns gw-b ipsecctl -j sa list | jq '[.[] | select(.proto == "ah")] | length')" 0

flushed_traffic "ipsecd"
expect_match "gw-b follows the peer's new port" "$(cat "$t/b.log")" \
	'good: ESP from 192\.0\.2\.1 now arrives from port [0-9]+ \(was '"$peer_port_b"'\): the peer.s NAT mapping changed, following it'
nat_b=$(nat_of b)
diag "gw-b nat after the flush: $nat_b"
new_port=$(jq -r .peer_port <<<"$nat_b")
if [ "$new_port" != "$peer_port_b" ] && [ "$(jq -r .rebinds <<<"$nat_b")" -ge 1 ]; then
	ok "gw-b: ike list shows the new port ($new_port) and the rebinding"
else
	fail "gw-b: ike list shows the new port ($new_port) and the rebinding"
fi
expect_eq "gw-b: its SAs moved to the new port (KIPSEC_CMD_SA_SET)" "$(encaps gw-b)" \
	"$(printf '%s\n' "$NAT_PUBLIC $TOPO_GWB4 $new_port 4500" "$TOPO_GWB4 $NAT_PUBLIC 4500 $new_port" | sort)"

ipsecd_stop_all gw-a gw-b
expect_eq "ipsecd gone, no SA left on gw-b" "$(in_ns gw-b ipsecctl -j sa list | jq length)" 0

# ---- 2. ipsecd (gw-a, behind the NAT) <-> charon (gw-b) --------------------
check "charon starts in gw-b" sw_start gw-b
check "charon conn sw" sw_conn gw-b sw local="$TOPO_GWB4" remote="$NAT_PUBLIC" \
	remote_id="$NAT_GWA_PRIV" local_ts=10.2.0.0/24 remote_ts=10.1.0.0/24 \
	psk="$IPSECD_PSK" ike=aes128-sha256-modp2048 esp=aes128gcm16
check "swanctl loads gw-b" sw_load gw-b
sed -i 's/^conn good$/conn sw/' "$t/a.conf"
check "ipsecd starts on gw-a again" ipsecd_start gw-a a
check "ipsecctl up sw" ike_a up sw
check "sw is established on gw-a" wait_for 30 ipsecd_established a sw
check "charon installed the child" sw_wait_child gw-b sw 10
expect_match "charon found gw-a behind a NAT" "$(cat "$(sw_log gw-b)")" 'remote host is behind NAT'
nat_a=$(ike_a -j ike list | jq -c '.[] | select(.conn == "sw" and .state == "established") | .nat')
expect_eq "gw-a: RFC 3947 with charon, behind the NAT, 4500 -> 4500" \
	"$(jq -r '"\(.dialect) \(.behind_nat) \(.local_port) \(.peer_port)"' <<<"$nat_a")" "RFC 3947 local 4500 4500"
xfrm_encap=$(ip -n gw-b xfrm state | grep -c 'encap type espinudp sport [0-9]* dport [0-9]*')
expect_eq "charon's two SAs are ESP in UDP" "$xfrm_encap" 2
expect_eq "gw-a: both SAs are ESP in UDP 4500 <-> 4500" "$(encaps gw-a)" \
	"$(printf '%s\n' "$NAT_GWA_PRIV $TOPO_GWB4 4500 4500" "$TOPO_GWB4 $NAT_GWA_PRIV 4500 4500" | sort)"
check "topo_wire_watch" topo_wire_watch
check "sw: lan-a reaches lan-b" topo_ping lan-a lan-b 5
check "sw: lan-b reaches lan-a" topo_ping lan-b lan-a 5
wire_only_udp "sw"
flushed_traffic "charon"

tap_done
