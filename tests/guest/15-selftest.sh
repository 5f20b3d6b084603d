#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The DEBUG build of kipsec.ko (built by tests/run.sh into
# tests/out/debug/) runs the self-tests of its pure logic at load time and
# refuses to load when one fails.
. "$KIPSEC_TOP/tests/lib/tap.sh"
. "$KIPSEC_TOP/tests/lib/guest.sh"

ko=$KIPSEC_TOP/tests/out/debug/kmod/kipsec.ko
check "the DEBUG build exists" test -f "$ko"
dmesg -C
check "the DEBUG build loads" insmod "$ko"
expect_match "its self-tests passed" "$(dmesg)" 'kipsec: self-tests passed'
check "and unloads" rmmod kipsec
tap_done
