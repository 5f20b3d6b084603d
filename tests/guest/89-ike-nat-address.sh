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
. "$KIPSEC_TOP/tests/lib/tap.sh"
. "$KIPSEC_TOP/tests/lib/guest.sh"
. "$KIPSEC_TOP/tests/lib/topology.sh"
. "$KIPSEC_TOP/tests/lib/nat.sh"

t=$(mktemp -d /tmp/ike-nat-addr.XXXXXX)
chmod 700 "$t"

cleanup() {
	[ -w /mnt/out ] && cp "$t"/*.log /mnt/out/ 2>/dev/null
	nat_teardown
	rm -rf "$t"
}
trap cleanup EXIT

load_kipsec

# ---- 0. KIPSEC_CMD_SA_SET to a new address (tests/lib/kipsec_nl.py) --------
# refuse NAME ERRNO REGEX ARGS...: nl ARGS fails with ERRNO, its message
# matching REGEX.
refuse() {
	local name=$1 want=$2 re=$3 out
	shift 3
	out=$(nl "$@" 2>&1)
	if [[ $out =~ errno=([0-9]+) ]] && [ "${BASH_REMATCH[1]}" = "$want" ] &&
		printf '%s\n' "$out" | grep -Eq -- "$re"; then
		ok "$name"
	else
		fail "$name"
		echo "#   got: $out"
	fi
}
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
check "an SPI reservation of 0x4001 towards 198.51.100.30" \
	nl spi_alloc sa_dst=ip:198.51.100.30 sa_proto=u8:50 \
	spi_min=u32:0x4001 spi_max=u32:0x4001
refuse "a move onto a reserved identity: EEXIST" 17 'SPI reservation' \
	sa_set $udp sa_new_dst=ip:198.51.100.30
has "the refused moves left it as it was" "$(nl sa_get $udp)" \
	sa_src=198.51.100.7 sa_dst=$B2 sa_encap_dport=31000
check "flush SAs" nl sa_flush
check "flush policies" nl policy_flush
