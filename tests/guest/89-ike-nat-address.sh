#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# NAT traversal across a change of the NAT's public address: the peer's
# ESP and IKE arrive from a new IP (and port), and everything follows it.
#   0. kipsec's KIPSEC_CMD_SA_SET with KIPSEC_A_SA_NEW_SRC/NEW_DST alone:
#      the SA moves in place (same SPI, sequence numbers, counters), the
#      tunnel policies of its old address pair move with it, and bad
#      requests are refused with an ext-ack naming the attribute.
#   1. ipsecd on both gateways, gw-a behind the NAT (tests/lib/nat.sh):
#      traffic, then the NAT moves gw-a to a second public address; gw-b's
#      kipsec reports the authentic ESP from there, ipsecd moves the ISAKMP
#      SA, the IPsec SAs and the policies, and traffic resumes on the same
#      SPIs, without a new negotiation.
#   2. The same, seen first on IKE: a rekey from a third address.
#   3. Transport mode between the gateways: the policies (the peer is their
#      selector) and the IKE bypass follow too; a rekey over IKE from the
#      new address completes.
#   4. The conn's current peer is not its configuration: (continuing 3) the
#      IKE bypass moved once; ike list shows the configured and the current
#      peer; a reload keeps the SAs, policies and bypass at the current
#      address and starts no Main Mode; a move seen on QM1 sends nothing to
#      the old address (QM2 goes to the new one); gw-a's ipsecd restarts and
#      its new Main Mode from the moved address finds the PSK of the
#      configured one.
. "$KIPSEC_TOP/tests/lib/tap.sh"
. "$KIPSEC_TOP/tests/lib/guest.sh"
. "$KIPSEC_TOP/tests/lib/topology.sh"
. "$KIPSEC_TOP/tests/lib/nat.sh"
. "$KIPSEC_TOP/tests/lib/ipsecd.sh"

t=$(mktemp -d /tmp/ike-nat-addr.XXXXXX)
chmod 700 "$t"
IPSECD_DIR=$t
IPSECD_PSK=nat-addr-$(hexkey 8)

cleanup() {
	ipsecd_keep_logs 89
	nat_teardown
	rm -rf "$t"
}
trap cleanup EXIT

load_kipsec
nl_start

# ---- 0. KIPSEC_CMD_SA_SET to a new address (tests/lib/kipsec_nl.py) --------
# has NAME TEXT WORD...: every WORD is a field of TEXT.
has() {
	local name=$1 text=$2 w
	shift 2
	for w in "$@"; do
		if [[ " $text " == *" $w "* ]]; then ok "$name: $w"; else fail "$name: $w"; echo "#   got: $text"; fi
	done
}
# pol_index OUT: the index from a policy_new reply.
pol_index() { sed -n 's/^pol_index=\([0-9]*\)$/\1/p' <<<"$1"; }

A=198.51.100.1 B=198.51.100.2 B2=198.51.100.9
key=$(hexkey 20)
sa_rest="sa_proto=u8:50 sa_mode=u8:2 sa_reqid=u32:5 sa_enc_alg=u16:3 sa_enc_key=hex:$key"
udp="sa_spi=u32:0x4001 sa_dst=ip:$B sa_proto=u8:50"
plain="sa_spi=u32:0x4000 sa_dst=ip:$B sa_proto=u8:50"
check "an ESP-in-UDP tunnel SA $A -> $B, reqid 5, 100 packets sent" \
	nl sa_new sa_spi=u32:0x4001 sa_dst=ip:$B sa_src=ip:$A $sa_rest \
	sa_encap_sport=u16:4500 sa_encap_dport=u16:4500 sa_seq_out=u64:100
check "an ESP SA without UDP encapsulation" \
	nl sa_new sa_spi=u32:0x4000 sa_dst=ip:$B sa_src=ip:$A $sa_rest
tmpl="pol_action=u8:3 pol_tmpl_proto=u8:50 pol_tmpl_mode=u8:2"
out5=$(nl policy_new pol_dir=u8:1 pol_src=ip:10.1.0.0 pol_src_plen=u8:24 \
	pol_dst=ip:10.2.0.0 pol_dst_plen=u8:24 $tmpl pol_tmpl_reqid=u32:5 \
	pol_tmpl_src=ip:$A pol_tmpl_dst=ip:$B)
out0=$(nl policy_new pol_dir=u8:1 pol_src=ip:10.1.1.0 pol_src_plen=u8:24 \
	pol_dst=ip:10.2.1.0 pol_dst_plen=u8:24 $tmpl \
	pol_tmpl_src=ip:$A pol_tmpl_dst=ip:$B)
out6=$(nl policy_new pol_dir=u8:1 pol_src=ip:10.1.2.0 pol_src_plen=u8:24 \
	pol_dst=ip:10.2.2.0 pol_dst_plen=u8:24 $tmpl pol_tmpl_reqid=u32:6 \
	pol_tmpl_src=ip:$A pol_tmpl_dst=ip:$B)
outin=$(nl policy_new pol_dir=u8:2 pol_src=ip:10.2.0.0 pol_src_plen=u8:24 \
	pol_dst=ip:10.1.0.0 pol_dst_plen=u8:24 $tmpl pol_tmpl_reqid=u32:5 \
	pol_tmpl_src=ip:$B pol_tmpl_dst=ip:$A)
p5=$(pol_index "$out5") p0=$(pol_index "$out0") p6=$(pol_index "$out6") pin=$(pol_index "$outin")
expect_match "four tunnel policies" "$p5 $p0 $p6 $pin" '^[0-9]+ [0-9]+ [0-9]+ [0-9]+$'

check "SA_SET moves it to $B2 (NEW_DST) and port 31000" nl sa_set $udp \
	sa_new_dst=ip:$B2 sa_encap_sport=u16:4500 sa_encap_dport=u16:31000
refuse "the old identity is gone" 2 'no SA with this SPI' sa_get $udp
udp="sa_spi=u32:0x4001 sa_dst=ip:$B2 sa_proto=u8:50"
has "SA_GET at the new identity" "$(nl sa_get $udp)" sa_spi=16385 sa_dst=$B2 \
	sa_src=$A sa_reqid=5 sa_seq_out=100 sa_encap_sport=4500 sa_encap_dport=31000
expect_eq "SA count unchanged" "$(cat /sys/kernel/kipsec/sa_count)" 2
has "the reqid-5 out policy followed" "$(nl policy_get pol_index=u32:$p5)" \
	pol_index=$p5 pol_tmpl_src=$A pol_tmpl_dst=$B2 pol_tmpl_reqid=5
has "the any-reqid out policy followed" "$(nl policy_get pol_index=u32:$p0)" \
	pol_index=$p0 pol_tmpl_dst=$B2 pol_tmpl_reqid=0
has "the reqid-6 policy stayed" "$(nl policy_get pol_index=u32:$p6)" \
	pol_tmpl_src=$A pol_tmpl_dst=$B
has "the in policy (other pair) stayed" "$(nl policy_get pol_index=u32:$pin)" \
	pol_tmpl_src=$B pol_tmpl_dst=$A
expect_eq "policy count unchanged" "$(cat /sys/kernel/kipsec/policy_count)" 4

check "SA_SET NEW_SRC alone" nl sa_set $udp sa_new_src=ip:198.51.100.7
has "SA_GET shows the new source" "$(nl sa_get $udp)" sa_src=198.51.100.7 \
	sa_dst=$B2 sa_encap_dport=31000 sa_seq_out=100
has "the policies followed the source" "$(nl policy_get pol_index=u32:$p5)" \
	pol_tmpl_src=198.51.100.7 pol_tmpl_dst=$B2
check "SA_SET back to the same addresses changes nothing" nl sa_set $udp \
	sa_new_src=ip:198.51.100.7 sa_new_dst=ip:$B2

refuse "NEW_DST of another family" 22 'KIPSEC_A_SA_NEW_DST: address family differs' \
	sa_set $udp sa_new_dst=ip:2001:db8::1
refuse "NEW_SRC of another family" 22 'KIPSEC_A_SA_NEW_SRC: address family differs' \
	sa_set $udp sa_new_src=ip:2001:db8::1
refuse "NEW_DST of 5 bytes" 22 'KIPSEC_A_SA_NEW_DST: must be 4' \
	sa_set $udp sa_new_dst=hex:0102030405
refuse "an SA without UDP encapsulation does not move" 22 \
	'KIPSEC_A_SA_NEW_DST: only an ESP-in-UDP SA' sa_set $plain sa_new_dst=ip:$B2
refuse "nothing to change" 22 'nothing to change' sa_set $udp
refuse "one port alone" 22 'KIPSEC_A_SA_ENCAP_DPORT: required' \
	sa_set $udp sa_encap_sport=u16:4500 sa_new_dst=ip:$B
check "another SA with the same SPI towards $B" \
	nl sa_new sa_spi=u32:0x4001 sa_dst=ip:$B sa_src=ip:$A $sa_rest \
	sa_encap_sport=u16:4500 sa_encap_dport=u16:4500
refuse "a move onto an existing SA's identity: EEXIST" 17 \
	'KIPSEC_A_SA_NEW_DST: an SA or SPI reservation' sa_set $udp sa_new_dst=ip:$B
refuse "the same with new ports: EEXIST, and the ports stay" 17 \
	'KIPSEC_A_SA_NEW_DST: an SA or SPI reservation' sa_set $udp \
	sa_new_dst=ip:$B sa_encap_sport=u16:4600 sa_encap_dport=u16:4700
check "an SPI reservation of 0x4001 towards 198.51.100.30" \
	nl spi_alloc sa_dst=ip:198.51.100.30 sa_proto=u8:50 \
	spi_min=u32:0x4001 spi_max=u32:0x4001
refuse "a move onto a reserved identity: EEXIST" 17 'SPI reservation' \
	sa_set $udp sa_new_dst=ip:198.51.100.30
has "the refused moves left it as it was" "$(nl sa_get $udp)" \
	sa_src=198.51.100.7 sa_dst=$B2 sa_encap_sport=4500 sa_encap_dport=31000
check "flush SAs" nl sa_flush
check "flush policies" nl policy_flush

# ---- 1. ipsecd <-> ipsecd, the NAT's public address changes ---------------
check "NAT topology builds" nat_setup
NAT_PUBLIC2=192.0.2.3
ipsecd_conf a "$NAT_GWA_PRIV" "$TOPO_GWB4" \
	conn good leftsubnet=10.1.0.0/24 rightsubnet=10.2.0.0/24 esp=aes128gcm16
ipsecd_conf b "$TOPO_GWB4" "$NAT_PUBLIC" \
	conn good leftsubnet=10.2.0.0/24 rightsubnet=10.1.0.0/24 esp=aes128gcm16

# sas NS: the SAs, "spi src dst encap_sport encap_dport" per line, sorted.
sas() {
	in_ns "$1" ipsecctl -j sa list |
		jq -r '.[] | "\(.spi) \(.src) \(.dst) \(.encap_sport) \(.encap_dport)"' | sort
}
# sa_packets NS DST: the packets of the SA towards DST.
sa_packets() {
	in_ns "$1" ipsecctl -j sa list | jq -r --arg d "$2" '.[] | select(.dst == $d) | .stats.packets'
}
tmpls() {
	in_ns gw-b ipsecctl -j policy list |
		jq -r '.[] | select(.tmpl) | "\(.dir) \(.tmpl.src) \(.tmpl.dst)"' | sort
}
ping1() { in_ns lan-a ping -n -q -c 1 -W 1 "$TOPO_LANB4" >/dev/null 2>&1; }
# nat_moves WHICH ADDR: the NAT gets ADDR, its WHICH public address, and
# forgets its mappings: gw-a's next packets come from ADDR.
nat_moves() {
	check "the NAT gets a $1 public address" \
		ip -n "$NAT_NS" addr add "$2/24" dev out
	check "the NAT now masquerades to it" nat_snat_to "$2"
	check "conntrack -F in the NAT" nat_flush
}

ipsecd_pair_up a b good " (behind the NAT)"
check "lan-a reaches lan-b" topo_ping lan-a lan-b 3
before=$(sas gw-b)
diag "gw-b SAs before: $before"
spis=$(awk '{print $1}' <<<"$before" | sort | tr '\n' ' ')
expect_eq "gw-b: one SA pair, both with the NAT's first address" \
	"$(grep -c "$NAT_PUBLIC" <<<"$before")" 2

# The NAT moves gw-a to a second public address: new mappings from there.
nat_moves second "$NAT_PUBLIC2"
check "traffic lan-a -> lan-b resumes within 20 s" wait_for 20 ping1
check "lan-a reaches lan-b" topo_ping lan-a lan-b 3
check "lan-b reaches lan-a" topo_ping lan-b lan-a 3

after=$(sas gw-b)
diag "gw-b SAs after: $after"
expect_eq "gw-b: the same SPIs (no new negotiation)" \
	"$(awk '{print $1}' <<<"$after" | sort | tr '\n' ' ')" "$spis"
expect_eq "gw-b: still one SA pair" "$(wc -l <<<"$after")" 2
expect_eq "gw-b: both SAs name the NAT's new address" \
	"$(grep -c "$NAT_PUBLIC2" <<<"$after")" 2
expect_eq "gw-b: no SA names the old one" "$(grep -c "$NAT_PUBLIC " <<<"$after ")" 0
expect_eq "gw-b: the tunnel policies moved with the SAs" "$(tmpls)" \
	"$(printf '%s\n' "fwd $NAT_PUBLIC2 $TOPO_GWB4" "in $NAT_PUBLIC2 $TOPO_GWB4" "out $TOPO_GWB4 $NAT_PUBLIC2" | sort)"
expect_eq "gw-b: ike list shows the new peer" \
	"$(ipsecd_ctl b -j ike list | jq -r '.[] | select(.conn == "good" and .state == "established") | .peer')" \
	"$NAT_PUBLIC2"
expect_eq "gw-b logs the move once" \
	"$(grep -c "good: peer $NAT_PUBLIC now seen at $NAT_PUBLIC2 port [0-9]* (its NAT's public address changed): the ISAKMP SA and 1 IPsec SA pair follow it" "$t/b.log")" 1
expect_eq "gw-b: no new Main Mode" "$(grep -c 'Main Mode from' "$t/b.log")" 1

# Exact counters: 5 pings from lan-b, 5 ESP packets each way through gw-b.
out0=$(sa_packets gw-b "$NAT_PUBLIC2") in0=$(sa_packets gw-b "$TOPO_GWB4")
check "5 pings lan-b -> lan-a" topo_ping lan-b lan-a 5
out1=$(sa_packets gw-b "$NAT_PUBLIC2") in1=$(sa_packets gw-b "$TOPO_GWB4")
expect_eq "gw-b: 5 more packets out, on the moved SA" "$((out1 - out0))" 5
expect_eq "gw-b: 5 more packets in, on the moved SA" "$((in1 - in0))" 5

# ---- 2. the same, seen first on IKE: a rekey from yet another address ------
# No ESP crosses before gw-a's Quick Mode does: gw-b follows the authentic
# QM1 on 4500 (nat_move_rx, then nat_move_authenticated).
NAT_PUBLIC3=192.0.2.4
nat_moves third "$NAT_PUBLIC3"
check "ipsecctl rekey good (gw-a)" ipsecd_ctl a rekey good
moved_on_ike() {
	grep -q "good: peer $NAT_PUBLIC2 now seen at $NAT_PUBLIC3 port [0-9]* (its NAT's public address changed)" "$t/b.log"
}
check "gw-b follows the authentic Quick Mode to $NAT_PUBLIC3" wait_for 20 moved_on_ike
only_new() {
	local s
	s=$(sas gw-b)
	[ -n "$s" ] && ! grep -q "$NAT_PUBLIC2 " <<<"$s " && [ "$(grep -c "$NAT_PUBLIC3" <<<"$s")" = "$(wc -l <<<"$s")" ]
}
check "gw-b: every SA names $NAT_PUBLIC3" wait_for 10 only_new
check "lan-a reaches lan-b after the rekey" wait_for 10 topo_ping lan-a lan-b 3
check "lan-b reaches lan-a after the rekey" topo_ping lan-b lan-a 3
expect_eq "gw-b: ike list shows the third address" \
	"$(ipsecd_ctl b -j ike list | jq -r '[.[] | select(.conn == "good" and .state == "established") | .peer] | unique | join(" ")')" \
	"$NAT_PUBLIC3"
expect_eq "gw-b: still no new Main Mode" "$(grep -c 'Main Mode from' "$t/b.log")" 1
diag "gw-b SAs: $(sas gw-b | tr '\n' ';')"

# ---- 3. transport mode between the gateways, the NAT's address changes -----
# The conn's selectors are the peer itself (the NAT's public address, seen
# from gw-b): they follow, with the IKE bypass, so gw-a's own traffic and
# its IKE on 4500 keep going on the same SAs.
check "both ipsecd stop" ipsecd_stop_all gw-a gw-b
ipsecd_conf ta "$NAT_GWA_PRIV" "$TOPO_GWB4" conn tr type=transport esp=aes128gcm16
ipsecd_conf tb "$TOPO_GWB4" "$NAT_PUBLIC3" conn tr type=transport esp=aes128gcm16
gw_ping() { in_ns gw-a ping -n -q -c 1 -W 1 "$TOPO_GWB4" >/dev/null 2>&1; }
# sels: gw-b's transport policies, "dir src dst" per line, sorted.
sels() {
	in_ns gw-b ipsecctl -j policy list |
		jq -r '.[] | select(.action == "protect") | "\(.dir) \(.src) \(.dst)"' | sort
}
# bypass_peers: the peer addresses gw-b's IKE bypass policies name.
bypass_peers() {
	in_ns gw-b ipsecctl -j policy list |
		jq -r '.[] | select(.action == "bypass") | if .dir == "out" then .dst else .src end' | sort | uniq -c | awk '{print $1, $2}'
}
ipsecd_pair_up ta tb tr " (transport)" " (transport)"
check "gw-a reaches gw-b over the transport SAs" wait_for 10 gw_ping
tspis=$(sas gw-b | awk '{print $1}' | sort | tr '\n' ' ')
expect_eq "gw-b: the transport policies name $NAT_PUBLIC3" "$(sels)" \
	"$(printf '%s\n' "in $NAT_PUBLIC3 $TOPO_GWB4" "out $TOPO_GWB4 $NAT_PUBLIC3" | sort)"
expect_eq "gw-b: four IKE bypass policies (500, 4500, both ways) for $NAT_PUBLIC3" \
	"$(bypass_peers)" "4 $NAT_PUBLIC3"

NAT_PUBLIC4=192.0.2.5
nat_moves fourth "$NAT_PUBLIC4"
check "gw-a's own traffic to gw-b resumes within 20 s" wait_for 20 gw_ping
tafter=$(sas gw-b)
diag "gw-b SAs after: $tafter"
expect_eq "gw-b: the same SPIs (no new negotiation)" \
	"$(awk '{print $1}' <<<"$tafter" | sort | tr '\n' ' ')" "$tspis"
expect_eq "gw-b: both SAs name $NAT_PUBLIC4" "$(grep -c "$NAT_PUBLIC4" <<<"$tafter")" 2
expect_eq "gw-b: the transport policies follow to $NAT_PUBLIC4" "$(sels)" \
	"$(printf '%s\n' "in $NAT_PUBLIC4 $TOPO_GWB4" "out $TOPO_GWB4 $NAT_PUBLIC4" | sort)"
expect_eq "gw-b: the IKE bypass follows to $NAT_PUBLIC4" "$(bypass_peers)" "4 $NAT_PUBLIC4"
expect_eq "gw-b logs the move once" \
	"$(grep -c "tr: peer $NAT_PUBLIC3 now seen at $NAT_PUBLIC4 port [0-9]* (its NAT's public address changed): the ISAKMP SA and 1 IPsec SA pair follow it" "$t/tb.log")" 1
# IKE from the new address passes the moved bypass: a rekey completes.
check "ipsecctl rekey tr (gw-a)" ipsecd_ctl ta rekey tr
rekeyed() { [ "$(grep -c 'IPsec SA established' "$t/tb.log")" -ge 2 ]; }
check "gw-b completes the rekey over IKE from $NAT_PUBLIC4" wait_for 20 rekeyed
check "gw-a reaches gw-b after the rekey" wait_for 10 gw_ping
expect_eq "gw-b: no new Main Mode" "$(grep -c 'Main Mode from' "$t/tb.log")" 1

# ---- 4. the current peer survives a reload; a new Main Mode finds its PSK --
# Continues 3: conn tr, gw-b's peer followed from $NAT_PUBLIC3 (right= in
# tb.conf and tb.secrets) to $NAT_PUBLIC4.
expect_eq "gw-b: the IKE bypass for $NAT_PUBLIC4 was installed once (moved, not re-created)" \
	"$(grep -c "IKE bypass policies for $TOPO_GWB4 <-> $NAT_PUBLIC4 " "$t/tb.log")" 1
ikej() { ipsecd_ctl tb -j ike list; }
expect_eq "gw-b: ike list -j: peer and configured_peer" \
	"$(ikej | jq -r '.[] | select(.conn == "tr" and .state == "established") | "\(.peer) \(.configured_peer)"')" \
	"$NAT_PUBLIC4 $NAT_PUBLIC3"
expect_match "gw-b: ike list (tab-separated) has a peer line" \
	"$(ipsecd_ctl tb ike list | grep '^peer')" \
	"^peer	tr	$NAT_PUBLIC3	$NAT_PUBLIC4	[0-9]+\$"
expect_match "gw-b: ike list (table) says where the peer went" \
	"$(script -qc "ipsecctl -s $t/tb.sock ike list" /dev/null | tr -d '\r')" \
	"peer configured at $NAT_PUBLIC3, followed to $NAT_PUBLIC4 port [0-9]+"

# gw-b's packets to an address the NAT no longer uses, from here on.
check "count gw-b's packets to $NAT_PUBLIC4 in the NAT" ip netns exec "$NAT_NS" nft -f - <<EOT
table ip peertest {
	counter to_old4 { }
	chain pre {
		type filter hook prerouting priority -300; policy accept;
		ip saddr $TOPO_GWB4 ip daddr $NAT_PUBLIC4 counter name to_old4
	}
}
EOT
# to_old NAME: packets counted by NAME.
to_old() {
	ip netns exec "$NAT_NS" nft -j list counter ip peertest "$1" |
		jq -r '.nftables[] | select(.counter) | .counter.packets'
}
# The pair the rekey replaced keeps its inbound SA for a few seconds more:
# the SAs to compare are those left once it is retired.
pair_only() { [ "$(sas gw-b | wc -l)" = 2 ]; }
check "gw-b: the replaced pair is retired" wait_for 20 pair_only
rtspis=$(sas gw-b | awk '{print $1}' | sort | tr '\n' ' ')
expect_match "gw-b: ipsecctl reload keeps the unchanged conn" \
	"$(ipsecd_ctl tb reload 2>&1)" "1 connection kept, 0 added, 0 removed"
check "gw-b: a SIGHUP reload too" kill -HUP $(ip netns pids gw-b)
reloaded_twice() { [ "$(grep -c 'reloaded .*1 connection kept, 0 added, 0 removed' "$t/tb.log")" = 2 ]; }
check "gw-b: both reloads done" wait_for 5 reloaded_twice
expect_eq "gw-b: the same SAs after the reloads" \
	"$(sas gw-b | awk '{print $1}' | sort | tr '\n' ' ')" "$rtspis"
expect_eq "gw-b: both SAs still name $NAT_PUBLIC4" "$(sas gw-b | grep -c "$NAT_PUBLIC4")" 2
expect_eq "gw-b: the transport policies stay at $NAT_PUBLIC4" "$(sels)" \
	"$(printf '%s\n' "in $NAT_PUBLIC4 $TOPO_GWB4" "out $TOPO_GWB4 $NAT_PUBLIC4" | sort)"
expect_eq "gw-b: the IKE bypass stays at $NAT_PUBLIC4" "$(bypass_peers)" "4 $NAT_PUBLIC4"
check "gw-a reaches gw-b after the reloads" wait_for 10 gw_ping
expect_eq "gw-b: ike list still shows $NAT_PUBLIC4" \
	"$(ikej | jq -r '.[] | select(.conn == "tr" and .state == "established") | .peer')" "$NAT_PUBLIC4"
expect_eq "gw-b: no conn taken down" "$(grep -c 'by the reload: taking it down' "$t/tb.log")" 0
expect_eq "gw-b: never initiated a Main Mode" "$(grep -c 'initiating Main Mode' "$t/tb.log")" 0
expect_eq "gw-b: no new Main Mode" "$(grep -c 'Main Mode from' "$t/tb.log")" 1

# A move seen first on QM1 (no ESP before it): QM2 goes to the new address.
NAT_PUBLIC5=192.0.2.6
nat_moves fifth "$NAT_PUBLIC5"
old0=$(to_old to_old4)
check "ipsecctl rekey tr (gw-a), from $NAT_PUBLIC5" ipsecd_ctl ta rekey tr
rekeyed3() { [ "$(grep -c 'IPsec SA established' "$t/tb.log")" -ge 3 ]; }
check "gw-b completes the rekey over IKE from $NAT_PUBLIC5" wait_for 20 rekeyed3
expect_eq "gw-b followed the QM1 to $NAT_PUBLIC5" \
	"$(grep -c "tr: peer $NAT_PUBLIC4 now seen at $NAT_PUBLIC5 port [0-9]* (its NAT's public address changed)" "$t/tb.log")" 1
expect_eq "gw-b sent nothing to $NAT_PUBLIC4 after the NAT left it (QM2 went to $NAT_PUBLIC5)" \
	"$(($(to_old to_old4) - old0))" 0
expect_eq "gw-b: the IKE bypass for $NAT_PUBLIC5 was installed once" \
	"$(grep -c "IKE bypass policies for $TOPO_GWB4 <-> $NAT_PUBLIC5 " "$t/tb.log")" 1
check "gw-a reaches gw-b after the rekey" wait_for 10 gw_ping
expect_eq "gw-b: the new pair's remote selector is $NAT_PUBLIC5" \
	"$(ikej | jq -r '[.[] | select(.conn == "tr") | .ipsec_sas[] | select(.state == "installed") | .remote_ts] | unique | join(" ")')" \
	"$NAT_PUBLIC5/32"
expect_eq "gw-b: the transport policies at $NAT_PUBLIC5" "$(sels)" \
	"$(printf '%s\n' "in $NAT_PUBLIC5 $TOPO_GWB4" "out $TOPO_GWB4 $NAT_PUBLIC5" | sort)"

# gw-a's ipsecd restarts: its new Main Mode comes from $NAT_PUBLIC5, which
# no secret names; the conn's configured peer ($NAT_PUBLIC3) has one.
expect_eq "gw-b's secrets name only the configured peer" \
	"$(grep -c "$NAT_PUBLIC5" "$t/tb.secrets")" 0
ta_pid=$(ip netns pids gw-a)
check "gw-a's ipsecd stops" kill -TERM $ta_pid
ta_gone() { ! ip netns pids gw-a | grep -q .; }
check "gw-a's ipsecd is gone" wait_for 10 ta_gone
tr_gone() { [ -z "$(sas gw-b)" ]; }
check "gw-b deleted the SAs (gw-a's Deletes)" wait_for 10 tr_gone
mv "$t/ta.log" "$t/ta-first.log"
check "ipsecd starts again on gw-a" ipsecd_start gw-a ta
check "ipsecctl up tr (gw-a)" ipsecd_ctl ta up tr
check "tr is established on gw-a again" wait_for 30 ipsecd_established ta tr
check "tr is established on gw-b again" wait_for 10 ipsecd_established tb tr
expect_eq "gw-b: a Main Mode from $NAT_PUBLIC5" \
	"$(grep -c "tr: Main Mode from $NAT_PUBLIC5\$" "$t/tb.log")" 1
expect_eq "gw-b: no PSK missing" "$(grep -c 'no pre-shared key' "$t/tb.log")" 0
check "gw-a reaches gw-b over the new SAs" wait_for 10 gw_ping
expect_eq "gw-b: ike list: current $NAT_PUBLIC5, configured $NAT_PUBLIC3" \
	"$(ikej | jq -r '.[] | select(.conn == "tr" and .state == "established") | "\(.peer) \(.configured_peer)"')" \
	"$NAT_PUBLIC5 $NAT_PUBLIC3"
expect_eq "gw-b: both SAs name $NAT_PUBLIC5" "$(sas gw-b | grep -c "$NAT_PUBLIC5")" 2
expect_eq "gw-b: nothing went to $NAT_PUBLIC4" "$(($(to_old to_old4) - old0))" 0
expect_eq "gw-b: never initiated a Main Mode" "$(grep -c 'initiating Main Mode' "$t/tb.log")" 0
diag "gw-b ike list: $(ipsecd_ctl tb ike list | tr '\n' ';')"
