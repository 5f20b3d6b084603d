#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Outbound sequence numbers never wrap (RFC 4303 3.3.3). With the SA's
# counter preset (`ipsecctl sa add ... oseq N`, KIPSEC_A_SA_SEQ_OUT):
#  1. without ESN, the packets numbered up to 0xffffffff leave, the next one
#     is dropped and counted as drop_seq_overflow (per SA, per namespace and
#     in sysfs), and the SA ends: a hard-expire event with the reason
#     seq-overflow, and the SA is gone;
#  2. with ESN, the numbers cross 2^32 (the high half goes 0 -> 1 in the
#     ICV) and the kernel's own IPsec on the other gateway keeps accepting
#     every packet;
#  3. with ESN, the same end at 2^64 - 1 as in 1.
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
# The JSON hard-expire events of SA 0x1000, one line each, as printed (jq
# would round a 64-bit number to a double).
hard_events() {
	grep '^{"event":"sa_hard_expire",' "$MON" | grep '"sa":{"spi":4096,'
}
# sa_jq NS FILTER: jq FILTER over `ipsecctl -j sa get` of SA 0x1000.
sa_jq() {
	ip netns exec "$1" ipsecctl -j sa get spi 0x1000 dst $TOPO_GWB4 \
		proto esp | jq -r "if type == \"array\" then .[0] else . end | $2"
}
# pings N: lan-a pings lan-b N times, one after the other; prints how many
# answers came back.
pings() {
	ip netns exec lan-a ping -c "$1" -i 0.05 -W 1 $TOPO_LANB4 2>/dev/null |
		sed -n 's/.* \([0-9]*\) received.*/\1/p'
}

check "kipsec loads" load_kipsec
check "topology builds" topo_setup

# --- 1. 32-bit sequence numbers ---------------------------------------------
ip netns exec gw-a ipsecctl -j monitor >"$MON" &
sleep 1
check "ESP tunnel, gw-a's outbound SA preset to 0xfffffffd" \
	ipsec_pair kipsec kipsec oseq_ab=0xfffffffd
expect_eq "sa get shows the preset number" \
	"$(kipsec_sa_field gw-a 0x1000 $TOPO_GWB4 esp oseq)" 4294967293
sys0=$(cat /sys/kernel/kipsec/drop_seq_overflow)
ns0=$(ns_stat gw-a drop_seq_overflow)
expect_eq "of 4 pings, the 2 numbered 0xfffffffe and 0xffffffff cross" \
	"$(pings 4)" 2
sleep 1
expect_eq "gw-b received exactly those 2" \
	"$(kipsec_sa_field gw-b 0x1000 $TOPO_GWB4 esp stats.packets)" 2
ev=$(hard_events)
expect_eq "one hard-expire event, reason seq-overflow" \
	"$(printf '%s\n' "$ev" | jq -r .reason | tr '\n' ' ')" "seq-overflow "
expect_eq "its final counters: 2 packets, 1 overflow drop, last number 0xffffffff" \
	"$(printf '%s\n' "$ev" | jq -r '"\(.sa.stats.packets) \(.sa.stats.drop_seq_overflow) \(.sa.oseq)"')" \
	"2 1 4294967295"
check_fails "the SA is gone" ip netns exec gw-a ipsecctl sa get \
	spi 0x1000 dst $TOPO_GWB4 proto esp
expect_eq "the namespace counts the drop" \
	"$(ns_stat gw-a drop_seq_overflow)" "$((ns0 + 1))"
expect_eq "sysfs counts the drop" \
	"$(cat /sys/kernel/kipsec/drop_seq_overflow)" "$((sys0 + 1))"
expect_eq "nothing more crosses: the SA is never reused" "$(pings 2)" 0
expect_eq "gw-b still has only the 2 packets" \
	"$(kipsec_sa_field gw-b 0x1000 $TOPO_GWB4 esp stats.packets)" 2
kill %1 2>/dev/null
wait 2>/dev/null

# --- 2. ESN across 2^32, against the kernel's own IPsec ----------------------
# The first number, 0xffffffd0, lies below the receiver's 32-packet window
# at 0 (RFC 4303 A2.1), so the receiver takes it as epoch 0; 48 packets
# later the numbers cross into epoch 1.
kipsec_flush gw-a gw-b
check "XFRM warm-up" xfrm_warmup gw-b aes-gcm-16
check "ESN tunnel, kipsec on gw-a preset to 0xffffffcf, XFRM on gw-b" \
	ipsec_pair kipsec xfrm esn=yes oseq_ab=0xffffffcf
expect_eq "XFRM answers all 52 pings, 4 past 2^32" "$(pings 52)" 52
expect_eq "the last number sent is 2^32 + 3" \
	"$(kipsec_sa_field gw-a 0x1000 $TOPO_GWB4 esp oseq)" 4294967299
expect_eq "no drops on gw-a's outbound SA" \
	"$(sa_jq gw-a '.stats | to_entries |
		map(select(.key | startswith("drop_")) | .value) | add')" 0
xfrm_flush gw-b

# --- 3. ESN up to 2^64 - 1 ---------------------------------------------------
kipsec_flush gw-a
ip netns exec gw-a ipsecctl -j monitor >"$MON" &
sleep 1
check "ESN tunnel, gw-a's outbound SA preset to 2^64 - 3" \
	ipsec_pair kipsec kipsec esn=yes oseq_ab=18446744073709551613
pings 3 >/dev/null
sleep 1
# A receiver whose window is at 0 cannot place numbers from the last epoch
# (RFC 4303 A2.1): it counts them as replays, which shows what arrived.
expect_eq "exactly 2 packets reached gw-b" \
	"$(sa_jq gw-b '"\(.stats.packets) \(.stats.drop_replay)"')" "0 2"
ev=$(hard_events)
# jq reads numbers as doubles: the 64-bit one is matched in the text.
expect_eq "one hard-expire event: seq-overflow, 2 packets, 1 drop, last 2^64 - 1" \
	"$(printf '%s\n' "$ev" | jq -r '"\(.reason) \(.sa.stats.packets) \(.sa.stats.drop_seq_overflow)"') $(printf '%s\n' "$ev" | grep -o '"oseq":[0-9]*')" \
	'seq-overflow 2 1 "oseq":18446744073709551615'
check_fails "the SA is gone" ip netns exec gw-a ipsecctl sa get \
	spi 0x1000 dst $TOPO_GWB4 proto esp

tap_done
