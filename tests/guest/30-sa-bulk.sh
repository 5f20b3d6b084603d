#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 10,000 SAs: added, dumped completely across many netlink messages (count
# and every field checked), a dump interrupted by a change is flagged
# NLM_F_DUMP_INTR rather than silently skipping, ipsecctl lists them all,
# and a flush removes them.
. "$KIPSEC_TOP/tests/lib/tap.sh"
. "$KIPSEC_TOP/tests/lib/guest.sh"
N=10000

load_kipsec
nl_start
check "add $N SAs" nl bulk_add $N
expect_eq "sysfs sa_count is $N" "$(cat /sys/kernel/kipsec/sa_count)" $N
out=$(nl bulk_check $N)
if [ $? -eq 0 ]; then ok "dump returns all $N SAs with every field"; else fail "dump returns all $N SAs with every field"; printf '%s\n' "$out" | head -20 | sed 's/^/#   /'; fi
expect_match "dump was not interrupted" "$out" 'interrupted=0'

expect_eq "ipsecctl sa list prints $N lines" "$(ipsecctl sa list | wc -l)" $N
expect_eq "ipsecctl -j sa list has $N objects" "$(ipsecctl -j sa list | jq length)" $N
expect_eq "ipsecctl stats counts $N SAs" "$(ipsecctl -j stats | jq .sa_count)" $N

out=$(nl dump_interrupt)
if [ $? -eq 0 ]; then ok "a change during a dump sets NLM_F_DUMP_INTR ($out)"; else fail "a change during a dump sets NLM_F_DUMP_INTR"; echo "#   $out"; fi
expect_eq "the SA deleted during the dump is gone" "$(cat /sys/kernel/kipsec/sa_count)" $((N - 1))

check "ipsecctl sa flush" ipsecctl sa flush
expect_eq "sa_count is 0 after flush" "$(cat /sys/kernel/kipsec/sa_count)" 0
expect_eq "dump is empty after flush" "$(nl sa_dump | grep -c '^sa_')" 0
tap_done
