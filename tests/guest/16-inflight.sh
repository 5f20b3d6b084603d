#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A namespace's kipsec state outlives its packets in flight. A packet whose
# crypto completes late (a parallel SA's padata, an asynchronous crypto
# engine) still counts into its namespace's counters and may be handed to
# its GRO cells; so the namespace's exit must wait for it, since neither
# module unload nor a physical NIC moved back to init_net waits on the
# device reference the packet holds.
#
# The DEBUG build's hook (debug_hold_ms, parallel.c) holds the next parallel
# packet's crypto completion back, as a slow engine would; the module is
# unloaded meanwhile. Without the wait, gw-a's state would be freed first,
# and the held packet would then fault on the poisoned counter pointer the
# DEBUG build leaves behind (the harness fails the run on an oops) or, if
# not, its release would be logged after the state was freed.
. "$KIPSEC_TOP/tests/lib/traffic_test.sh"

KIPSEC_KO=$KIPSEC_TOP/tests/out/debug/kmod/kipsec.ko
check "the DEBUG build exists" test -f "$KIPSEC_KO"
traffic_test_start

ipsec_pair kipsec kipsec parallel=yes || fail "configure"
expect_eq "lan-a reaches lan-b through the parallel SAs" \
	"$(topo_ping lan-a lan-b 3)" 0

gwa=$(stat -L -c %i /run/netns/gw-a)
dmesg -C
echo 3000 >/sys/module/kipsec/parameters/debug_hold_ms
# Larger than KIPSEC_PAR_INLINE_MAX: it goes through padata.
ip netns exec lan-a ping -n -q -c 1 -s 1000 -W 1 "$TOPO_LANB4" >/dev/null 2>&1 &
png=$!
held=
for _ in $(seq 50); do
	held=$(dmesg | grep -o 'holding a packet of namespace [0-9]*')
	[ -n "$held" ] && break
	sleep 0.1
done
expect_eq "gw-a's packet is held in flight" "$held" \
	"holding a packet of namespace $gwa"
check "rmmod kipsec with the packet in flight" rmmod kipsec
wait "$png"

log=$(dmesg)
diag "$(grep -E "debug: (held packet|namespace $gwa)" <<<"$log")"
released=$(grep -n "held packet of namespace $gwa released" <<<"$log" | cut -d: -f1)
freed=$(grep -n "namespace $gwa: state freed" <<<"$log" | cut -d: -f1)
expect_eq "the held packet was released" "${released:+yes}" yes
expect_eq "gw-a's state was freed" "${freed:+yes}" yes
expect_eq "gw-a's exit waited for its packet in flight" \
	"$([ -n "$released" ] && [ -n "$freed" ] && [ "$released" -lt "$freed" ] && echo yes)" yes
expect_match "unload banner" "$(dmesg | tail -3)" 'kipsec: .*unloaded'

tap_done
