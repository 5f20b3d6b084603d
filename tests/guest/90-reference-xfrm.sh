#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The reference kipsec is measured against, and a check of the shared test
# infrastructure (tests/lib/topology.sh, strongswan.sh, xfrm.sh):
#  1. the lan-a — gw-a — gw-b — lan-b topology routes IPv4 and IPv6 in clear;
#  2. strongSwan charon on gw-a and gw-b, both on the kernel's own XFRM,
#     negotiate IKEv1 PSK (Main Mode + Quick Mode), IPv4 tunnel mode,
#     ESP AES-GCM-16-128, LAN to LAN; the SAs match pairwise and the LAN
#     traffic then crosses the transit link as ESP only (wire counters on
#     each gateway's egress, and the SAs' own counters);
#  3. the same over manually keyed XFRM SAs (tests/lib/xfrm.sh), as the
#     packet-path interop tests will set them up against kipsec.
# Diag lines carry the IKE negotiation time and iperf3 throughput.
. "$KIPSEC_TOP/tests/lib/tap.sh"
. "$KIPSEC_TOP/tests/lib/guest.sh"
. "$KIPSEC_TOP/tests/lib/topology.sh"
. "$KIPSEC_TOP/tests/lib/strongswan.sh"
. "$KIPSEC_TOP/tests/lib/xfrm.sh"

cleanup() {
	local ns
	sw_stop_all
	# The charon logs come back out with the guest's results (vm-run -o).
	for ns in gw-a gw-b; do
		[ -w /mnt/out ] && cp "$(sw_log $ns)" "/mnt/out/90-charon-$ns.log" 2>/dev/null
	done
	topo_teardown
}
trap cleanup EXIT

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# sa_pair_matches NS_OUT NS_IN SRC DST: the SA NS_OUT sends with is the one
# NS_IN receives with (same addresses, protocol and SPI).
sa_spi() {
	xfrm_spis "$1" | awk -v s="$2" -v d="$3" '$1 == s && $2 == d { print $4 }'
}

# --- 1. topology ------------------------------------------------------------
check "topology builds" topo_setup
check "IPv4 lan-a -> lan-b in clear" topo_ping lan-a lan-b 3
check "IPv6 lan-a -> lan-b in clear" topo_ping lan-a $TOPO_LANB6 3
check "gw-a -> gw-b over IPv6" topo_ping gw-a $TOPO_GWB6 2
check "wire counters install" topo_wire_watch
topo_ping lan-a lan-b 5 >/dev/null
clear0=$(topo_wire_count gw-a clear)
esp0=$(topo_wire_count gw-a esp)
# Without this the "ESP only" checks below could pass on broken counters.
expect_eq "without IPsec the wire counter sees lan-a's pings in clear" \
	"$([ "${clear0:-0}" -ge 5 ] && [ "${esp0:-1}" = 0 ] && echo yes)" yes

# --- 2. charon <-> charon, IKEv1 PSK ----------------------------------------
diag "topology done at ${SECONDS} s"
psk=kipsec-reference-psk-$(hexkey 8)
check "charon starts in gw-a" sw_start gw-a
check "charon starts in gw-b" sw_start gw-b
check "gw-a connection config" sw_conn gw-a ref local=$TOPO_GWA4 \
	remote=$TOPO_GWB4 local_ts=$TOPO_NETA4 remote_ts=$TOPO_NETB4 \
	psk="$psk" ike=aes128-sha256-modp2048 esp=aes128gcm16 mode=tunnel
check "gw-b connection config" sw_conn gw-b ref local=$TOPO_GWB4 \
	remote=$TOPO_GWA4 local_ts=$TOPO_NETB4 remote_ts=$TOPO_NETA4 \
	psk="$psk" ike=aes128-sha256-modp2048 esp=aes128gcm16 mode=tunnel
check "swanctl loads gw-a" sw_load gw-a
check "swanctl loads gw-b" sw_load gw-b
expect_eq "no SAs before negotiation" \
	"$(xfrm_sa_count gw-a) $(xfrm_sa_count gw-b)" "0 0"

# The first SA of an algorithm loads modules, runs crypto self-tests and
# seeds the DRBG (~10 s under TCG): keep that out of the negotiation time.
w0=$(now_ms)
check "warm-up: a throw-away AES-GCM SA loads the kernel's ESP" xfrm_warmup gw-a aes-gcm-16
diag "first XFRM AES-GCM SA (module autoload, crypto self-tests, DRBG seeding): $(($(now_ms) - w0)) ms"

t0=$(now_ms)
check "gw-a initiates (Main Mode + Quick Mode)" sw_initiate gw-a ref 30
t1=$(now_ms)
# The responder installs its SAs when Quick Mode's third message arrives,
# possibly just after the initiator's swanctl returns.
deadline=$((SECONDS + 10))
while [ $SECONDS -lt $deadline ]; do
	[ "$(xfrm_sa_count gw-a) $(xfrm_sa_count gw-b)" = "2 2" ] && break
	sleep 0.05
done
t2=$(now_ms)
# A retransmission (4 s in charon) would dominate the time: say so.
rtx=$(cat "$(sw_log gw-a)" "$(sw_log gw-b)" | grep -c 'retransmit')
diag "IKEv1 negotiation charon<->charon (MM+QM, modp2048): initiate->initiator done $((t1 - t0)) ms, ->both sides' SAs in XFRM $((t2 - t0)) ms, $rtx retransmissions"
expect_eq "2 SAs in each gateway" \
	"$(xfrm_sa_count gw-a) $(xfrm_sa_count gw-b)" "2 2"
check "responder lists the CHILD_SA as installed" sw_wait_child gw-b ref 5
ab=$(sa_spi gw-a $TOPO_GWA4 $TOPO_GWB4)
ba=$(sa_spi gw-a $TOPO_GWB4 $TOPO_GWA4)
expect_match "gw-a has an ESP SA each way" "$ab $ba" '^0x[0-9a-f]{8} 0x[0-9a-f]{8}$'
expect_eq "gw-b's inbound SPI is gw-a's outbound SPI" \
	"$(sa_spi gw-b $TOPO_GWA4 $TOPO_GWB4)" "$ab"
expect_eq "gw-b's outbound SPI is gw-a's inbound SPI" \
	"$(sa_spi gw-b $TOPO_GWB4 $TOPO_GWA4)" "$ba"
expect_match "the SAs are AES-GCM-16-128 in tunnel mode" \
	"$(ip -n gw-a xfrm state)" 'aead rfc4106\(gcm\(aes\)\) 0x[0-9a-f]{40} 128'
expect_eq "policies out, in, fwd on each gateway" \
	"$(ip -n gw-a xfrm policy | grep -c '^src 10\.') $(ip -n gw-b xfrm policy | grep -c '^src 10\.')" "3 3"

check "wire counters reset" topo_wire_watch
read -r b_ab0 p_ab0 <<<"$(xfrm_sa_counters gw-a "$ab")"
read -r b_ba0 p_ba0 <<<"$(xfrm_sa_counters gw-b "$ba")"
check "ping lan-a -> lan-b through the tunnel" topo_ping lan-a lan-b 10
read -r b_ab1 p_ab1 <<<"$(xfrm_sa_counters gw-a "$ab")"
read -r b_ba1 p_ba1 <<<"$(xfrm_sa_counters gw-b "$ba")"
read -r _ p_ab_in <<<"$(xfrm_sa_counters gw-b "$ab")"
read -r _ p_ba_in <<<"$(xfrm_sa_counters gw-a "$ba")"
expect_eq "gw-a's outbound SA carried the 10 requests" "$((p_ab1 - p_ab0))" 10
expect_eq "gw-b's outbound SA carried the 10 replies" "$((p_ba1 - p_ba0))" 10
expect_eq "gw-b's inbound SA decrypted them (total packets)" "$p_ab_in" "$p_ab1"
expect_eq "gw-a's inbound SA decrypted the replies" "$p_ba_in" "$p_ba1"
expect_eq "gw-a sent 10 ESP and no clear LAN packet" \
	"$(topo_wire_count gw-a esp) $(topo_wire_count gw-a clear)" "10 0"
expect_eq "gw-b sent 10 ESP and no clear LAN packet" \
	"$(topo_wire_count gw-b esp) $(topo_wire_count gw-b clear)" "10 0"
expect_eq "no replay or integrity failures" \
	"$(xfrm_sa_errors gw-b "$ab") $(xfrm_sa_errors gw-a "$ba")" "0 0 0 0"

if res=$(topo_iperf lan-a lan-b 2 tcp); then
	read -r bps bytes <<<"$res"
	ok "iperf3 TCP lan-a -> lan-b through charon's SAs"
	diag "iperf3 TCP 2 s, 1 stream, XFRM ESP AES-GCM-128 (charon): $((bps / 1000000)) Mbit/s, $bytes bytes"
	read -r b_ab2 _ <<<"$(xfrm_sa_counters gw-a "$ab")"
	expect_eq "gw-a's outbound SA carried at least iperf3's bytes" \
		"$([ $((b_ab2 - b_ab1)) -ge "$bytes" ] && echo yes)" yes
	expect_eq "still no clear LAN packet on the wire" \
		"$(topo_wire_count gw-a clear) $(topo_wire_count gw-b clear)" "0 0"
else
	fail "iperf3 TCP lan-a -> lan-b through charon's SAs"
fi

check "charon in gw-a stops on SIGTERM" sw_stop gw-a
check "charon in gw-b stops on SIGTERM" sw_stop gw-b
expect_eq "stopping charon removed its SAs and policies" \
	"$(xfrm_sa_count gw-a) $(ip -n gw-a xfrm policy | grep -c '^src') $(xfrm_sa_count gw-b)" "0 0 0"
if [ "$TAP_FAILED" -ne 0 ]; then
	diag "gw-a charon log tail:"
	tail -n 30 "$(sw_log gw-a)" | sed 's/^/#   /'
fi

# --- 3. manually keyed XFRM, AES-GCM-128 tunnel ------------------------------
diag "charon part done at ${SECONDS} s"
check "manual AES-GCM-128 tunnel SAs and policies" xfrm_pair family=4 \
	mode=tunnel alg=aes-gcm-16 spi_ab=0x0000a001 spi_ba=0x0000b001 \
	key_ab=0x00112233445566778899aabbccddeeff01020304 \
	key_ba=0xffeeddccbbaa9988776655443322110005060708
expect_eq "2 SAs and 3 policies in each gateway" \
	"$(xfrm_sa_count gw-a) $(ip -n gw-a xfrm policy | grep -c '^src') $(xfrm_sa_count gw-b) $(ip -n gw-b xfrm policy | grep -c '^src')" "2 3 2 3"
check "wire counters reset" topo_wire_watch
check "ping lan-a -> lan-b through the manual tunnel" topo_ping lan-a lan-b 10
expect_eq "SA a001 carried 10 packets on both sides" \
	"$(xfrm_sa_counters gw-a 0xa001 | cut -d' ' -f2) $(xfrm_sa_counters gw-b 0xa001 | cut -d' ' -f2)" "10 10"
expect_eq "SA b001 carried 10 packets on both sides" \
	"$(xfrm_sa_counters gw-b 0xb001 | cut -d' ' -f2) $(xfrm_sa_counters gw-a 0xb001 | cut -d' ' -f2)" "10 10"
expect_eq "only ESP on the wire" \
	"$(topo_wire_count gw-a esp) $(topo_wire_count gw-b esp) $(topo_wire_count gw-a clear) $(topo_wire_count gw-b clear)" "10 10 0 0"
if res=$(topo_iperf lan-a lan-b 2 tcp); then
	read -r bps bytes <<<"$res"
	ok "iperf3 TCP through the manual tunnel"
	diag "iperf3 TCP 2 s, 1 stream, XFRM ESP AES-GCM-128 (manual): $((bps / 1000000)) Mbit/s, $bytes bytes"
else
	fail "iperf3 TCP through the manual tunnel"
fi
# Mismatched keys must break it: proves the keys, not just the policies,
# are what carries the traffic.
xfrm_flush gw-a gw-b
xfrm_pair family=4 alg=aes-gcm-16 spi_ab=0xa002 spi_ba=0xb002 \
	key_ab=0x00112233445566778899aabbccddeeff01020304 \
	key_ba=0xffeeddccbbaa9988776655443322110005060708 >/dev/null
ip -n gw-b xfrm state del src $TOPO_GWA4 dst $TOPO_GWB4 proto esp spi 0xa002
ip -n gw-b xfrm state add src $TOPO_GWA4 dst $TOPO_GWB4 proto esp spi 0xa002 \
	reqid 1 mode tunnel replay-window 32 \
	aead 'rfc4106(gcm(aes))' 0x$(hexkey 20) 128
check_fails "with a wrong key on gw-b nothing gets through" topo_ping lan-a lan-b 3
read -r _ failed <<<"$(xfrm_sa_errors gw-b 0xa002)"
expect_eq "gw-b counted 3 integrity failures" "$failed" 3
xfrm_flush gw-a gw-b
expect_eq "flush leaves nothing" \
	"$(xfrm_sa_count gw-a) $(xfrm_sa_count gw-b)" "0 0"
tap_done
