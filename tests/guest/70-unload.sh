#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Unloading the module with 10,000 SAs present (in two namespaces) frees
# everything; the harness fails the run on any leak or warning in dmesg.
. "$KIPSEC_TOP/tests/lib/tap.sh"
. "$KIPSEC_TOP/tests/lib/guest.sh"

load_kipsec
nl_start
ip netns add busy
check "add 5000 SAs in the initial namespace" nl bulk_add 5000
check "add 5000 SAs in another namespace" in_ns busy $NL bulk_add 5000
check "allocate SPIs" nl spi_alloc sa_dst=ip:192.0.2.9 sa_proto=u8:50
expect_eq "10000 SAs present" "$(cat /sys/kernel/kipsec/sa_count)" 10000
check "rmmod with 10000 SAs present" rmmod kipsec
expect_match "unload banner" "$(dmesg | tail -5)" 'kipsec: .*unloaded'
check "reload" insmod "$KIPSEC_KO"
expect_eq "nothing survived the reload" "$(cat /sys/kernel/kipsec/sa_count)" 0
expect_eq "the other namespace is empty too" "$(in_ns busy $NL sa_dump | grep -c '^sa_')" 0
check "and the namespace can be deleted" ip netns del busy
tap_done
