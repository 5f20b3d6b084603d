#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# SPI allocation as an IKE responder uses it: random, in range, unused,
# reserved until used, deleted or timed out.
. "$KIPSEC_TOP/tests/lib/tap.sh"
. "$KIPSEC_TOP/tests/lib/guest.sh"
id="sa_dst=ip:198.51.100.7 sa_proto=u8:50"

load_kipsec
nl_start
spi_of() { sed -n 's/.*sa_spi=\([0-9]*\).*/\1/p'; }

a=$(nl spi_alloc $id | spi_of)
b=$(nl spi_alloc $id | spi_of)
expect_match "an SPI is allocated" "$a" '^[0-9]+$'
if [ -n "$a" ] && [ -n "$b" ] && [ "$a" != "$b" ]; then ok "two allocations differ"; else fail "two allocations differ ($a, $b)"; fi
if [ "${a:-0}" -ge 256 ]; then ok "default range starts at 256"; else fail "default range starts at 256 (got $a)"; fi
expect_eq "reservations are counted" "$(nl stats_get | sed -n 's/.*stats_spi_reserved=\([0-9]*\).*/\1/p')" 2

inrange=1
for i in $(seq 20); do
	s=$(nl spi_alloc $id spi_min=u32:5000 spi_max=u32:5100 | spi_of)
	[ -n "$s" ] && [ "$s" -ge 5000 ] && [ "$s" -le 5100 ] || inrange=0
done
expect_eq "20 allocations stay inside [5000, 5100]" $inrange 1

# Timeouts are generous: under TCG on a loaded host the guest's clock can
# jump by a second or more.
check "a range of one SPI can be reserved" nl spi_alloc $id spi_min=u32:7000 spi_max=u32:7000 spi_timeout=u32:5
out=$(nl spi_alloc $id spi_min=u32:7000 spi_max=u32:7000)
expect_match "a reserved SPI is not handed out twice" "$out" 'errno=28 '
expect_match "the error names the range" "$out" 'msg=KIPSEC_A_SPI_MIN: .*SPI_MAX'
expired=0
for i in $(seq 40); do
	if nl spi_alloc $id spi_min=u32:7000 spi_max=u32:7000 spi_timeout=u32:60 >/dev/null; then
		expired=1
		break
	fi
	sleep 0.5
done
expect_eq "the reservation expires after its timeout" $expired 1
key=$(hexkey 20)
sa="sa_spi=u32:7000 sa_src=ip:198.51.100.1 sa_mode=u8:2 sa_enc_alg=u16:3 sa_enc_key=hex:$key"
check "an SA takes over its reserved SPI" nl sa_new $id $sa
out=$(nl spi_alloc $id spi_min=u32:7000 spi_max=u32:7000)
expect_match "an SPI in use by an SA is not allocated" "$out" 'errno=28 '
out=$(nl spi_alloc sa_dst=ip:198.51.100.8 sa_proto=u8:50 spi_min=u32:7000 spi_max=u32:7000)
expect_match "the same SPI is free for another destination" "$out" 'sa_spi=7000'
check "delete releases a reservation" nl sa_del sa_dst=ip:198.51.100.8 sa_proto=u8:50 sa_spi=u32:7000
out=$(nl spi_alloc $id spi_min=u32:9000 spi_max=u32:8000)
expect_match "min above max is refused" "$out" 'errno=22'
out=$(nl spi_alloc $id spi_min=u32:10)
expect_match "a range below 256 is refused" "$out" 'errno=22.*(SPI_MIN|256)'
out=$(nl spi_alloc $id spi_timeout=u32:0)
expect_match "timeout 0 is refused" "$out" 'errno=34.*SPI_TIMEOUT'
check "flush removes reservations" nl sa_flush
expect_eq "no reservation left" "$(nl stats_get | sed -n 's/.*stats_spi_reserved=\([0-9]*\).*/\1/p')" 0
s=$(ipsecctl spi alloc dst 198.51.100.7 proto esp min 0x4000 max 0x4000)
expect_eq "ipsecctl spi alloc prints the SPI" "$s" 0x00004000
tap_done
