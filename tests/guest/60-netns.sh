#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The SA database is per network namespace: SAs in one are invisible in
# another, the same identity may exist in both, and deleting a namespace
# frees its SAs.
. "$KIPSEC_TOP/tests/lib/tap.sh"
. "$KIPSEC_TOP/tests/lib/guest.sh"
sa="sa_spi=u32:0x6000 sa_dst=ip:192.0.2.2 sa_src=ip:192.0.2.1 sa_proto=u8:50 sa_mode=u8:2 sa_enc_alg=u16:3 sa_enc_key=hex:$(hexkey 20)"

load_kipsec
nl_start
ip netns add ns1
ip netns add ns2
check "add an SA in ns1" in_ns ns1 $NL sa_new $sa
check "ns1 sees it" in_ns ns1 $NL sa_get sa_spi=u32:0x6000 sa_dst=ip:192.0.2.2 sa_proto=u8:50
expect_eq "ns2 does not" "$(in_ns ns2 $NL sa_dump | grep -c '^sa_')" 0
expect_eq "the initial namespace does not" "$(nl sa_dump | grep -c '^sa_')" 0
check "the same SA identity can be added in ns2" in_ns ns2 $NL sa_new $sa
check "ns1 adds 1000 more" in_ns ns1 $NL bulk_add 1000
expect_eq "ns1 stats count its 1001 SAs" "$(in_ns ns1 ipsecctl -j stats | jq .sa_count)" 1001
expect_eq "ns2 stats count its 1 SA" "$(in_ns ns2 ipsecctl -j stats | jq .sa_count)" 1
expect_eq "sysfs counts all 1002" "$(cat /sys/kernel/kipsec/sa_count)" 1002
check "flush in ns2 leaves ns1 alone" in_ns ns2 $NL sa_flush
expect_eq "ns1 still has 1001" "$(in_ns ns1 $NL sa_dump | grep -c '^sa_')" 1001
ip netns del ns1
n=
for i in $(seq 50); do
	n=$(cat /sys/kernel/kipsec/sa_count)
	[ "$n" = 0 ] && break
	sleep 0.2
done
expect_eq "deleting ns1 freed its SAs" "$n" 0
tap_done
