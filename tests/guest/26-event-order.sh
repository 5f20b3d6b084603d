#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Events come in the order of the changes they announce. Requests run in
# parallel in the kernel, so processes race here, two adding an SA (then a
# policy) over and over and two deleting it; a listener must see new, del,
# new, del, ... and exactly one event per request that succeeded. ipsecd
# mirrors the databases from these events, and a DEL before its NEW would
# leave it believing in an SA that is gone.
#
# Unaided, the window between a change and its announcement is too narrow
# to hit often. The DEBUG build's hook (debug_event_delay_ms, netlink.c)
# sends one announcement 300 ms late during each race, as if its sender had
# been preempted there; an announcement sent after the lock is released
# would then be overtaken by the next change's. The races cover the
# requests' events; expiries and SA_SET follow the same rule (netlink.c)
# but are not raced here.
. "$KIPSEC_TOP/tests/lib/tap.sh"
. "$KIPSEC_TOP/tests/lib/guest.sh"
KIPSEC_KO=$KIPSEC_TOP/tests/out/debug/kmod/kipsec.ko
SECONDS_EACH=4
DELAY_MS=300

check "the DEBUG build exists" test -f "$KIPSEC_KO"
load_kipsec
dmesg -C
out=$(python3 -S "$KIPSEC_TOP/tests/lib/kipsec_nl.py" event_order \
	$SECONDS_EACH $DELAY_MS)
rc=$?
printf '%s\n' "$out" | sed 's/^/# /'
for object in sa policy; do
	line=$(printf '%s\n' "$out" | grep "^$object: adds=")
	expect_match "$object: events in the order of the changes" "$line" 'out_of_order=0$'
	expect_match "$object: one event per change" "$line" 'adds=([0-9]+) deletes=([0-9]+) events new=\1 del=\2 '
done
expect_eq "event_order exits 0" $rc 0
expect_eq "the hook delayed one event per race" \
	"$(dmesg | grep -c "debug: delaying an event by $DELAY_MS ms")" 2
expect_eq "no SA is left" "$(cat /sys/kernel/kipsec/sa_count)" 0
tap_done
