#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kipsec.ko loads and unloads cleanly, says so in dmesg, registers its
# generic-netlink family and publishes its statistics in sysfs.
. "$KIPSEC_TOP/tests/lib/tap.sh"
. "$KIPSEC_TOP/tests/lib/guest.sh"

dmesg -C
check "insmod kipsec.ko" insmod "$KIPSEC_KO"
expect_match "banner with version on load" "$(dmesg)" 'kipsec: .*[0-9]+\.[0-9]+.*loaded'
check "genetlink family kipsec is listed" genl ctrl get name kipsec
expect_match "family has the kipsec multicast group" \
	"$(genl ctrl get name kipsec | sed -n '/multicast groups/,$p')" 'name: kipsec'

sys=/sys/kernel/kipsec
expect_eq "sysfs version matches modinfo" "$(cat $sys/version 2>&1)" \
	"$(modinfo -F version "$KIPSEC_KO")"
expect_eq "sysfs sa_count starts at 0" "$(cat $sys/sa_count 2>&1)" 0
for f in packets bytes drop_replay drop_integrity drop_policy drop_malformed \
	drop_seq_overflow drop_no_sa drop_nomem drop_out_no_sa drop_no_route \
	drop_expired; do
	expect_match "sysfs counter $f is one number" "$(cat $sys/$f 2>&1)" '^[0-9]+$'
done
check_fails "sysfs counters are read-only" sh -c "echo 1 > $sys/packets"

check "rmmod kipsec" rmmod kipsec
expect_match "banner on unload" "$(dmesg)" 'kipsec: .*unloaded'
check_fails "family gone after unload" genl ctrl get name kipsec
check_fails "sysfs directory gone after unload" test -e $sys

check "load again" insmod "$KIPSEC_KO"
check "unload again" rmmod kipsec
tap_done
