#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Policy indexes wrap at 2^32 and are then handed out again from the lowest
# free one; the lookup order of equal priorities must stay the order of
# insertion all the same, or a policy added after the wrap would start to
# shadow older ones. The DEBUG build's hook (debug_first_policy_index,
# debug_hooks.c) starts a new namespace's indexes just below U32_MAX so
# that a few policies cross the wrap.
. "$KIPSEC_TOP/tests/lib/tap.sh"
. "$KIPSEC_TOP/tests/lib/guest.sh"
KIPSEC_KO=$KIPSEC_TOP/tests/out/debug/kmod/kipsec.ko
NL="python3 -S $KIPSEC_TOP/tests/lib/kipsec_nl.py"

check "the DEBUG build exists" test -f "$KIPSEC_KO"
load_kipsec
echo 4294967294 > /sys/module/kipsec/parameters/debug_first_policy_index
ip netns add wrap
# Overlapping selectors, one priority: the first added must match first.
indexes=
for src in 10.9.0.0/16 10.9.1.0/24 10.9.1.1/32 10.9.0.0/8; do
	out=$(ip netns exec wrap $NL policy_new pol_dir=u8:1 \
		pol_src=ip:${src%/*} pol_src_plen=u8:${src#*/} \
		pol_dst=ip:0.0.0.0 pol_dst_plen=u8:0 pol_priority=u32:5 \
		pol_action=u8:2)
	indexes+="${out#pol_index=} "
done
expect_eq "the indexes wrap past U32_MAX to 1" "$indexes" \
	"4294967294 4294967295 1 2 "
order=$(ip netns exec wrap $NL policy_dump |
	sed -n 's/.* pol_src=\([0-9.]*\) pol_src_plen=\([0-9]*\).*/\1\/\2/p' |
	tr '\n' ' ')
expect_eq "lookup order is still the order of insertion" "$order" \
	"10.9.0.0/16 10.9.1.0/24 10.9.1.1/32 10.0.0.0/8 "
check "a policy deleted by its wrapped index" \
	ip netns exec wrap $NL policy_del pol_index=u32:1
expect_eq "the others keep their order" "$(ip netns exec wrap $NL policy_dump |
	sed -n 's/.* pol_index=\([0-9]*\) .*/\1/p' | tr '\n' ' ')" \
	"4294967294 4294967295 2 "
ip netns del wrap
tap_done
