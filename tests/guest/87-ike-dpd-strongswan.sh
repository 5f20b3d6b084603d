#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Dead peer detection between ipsecd (gw-a, dpddelay 2 s, dpdtimeout 6 s)
# and strongSwan's charon (gw-b, dpd_delay 2 s), transport mode between
# the gateways: charon probes an idle SA, so its R-U-THEREs must get our
# ACKs; one-way traffic (gw-b ignores pings) makes ipsecd probe, so ours
# must get charon's ACKs; and neither side tears anything down while both
# are alive.
. "$KIPSEC_TOP/tests/lib/tap.sh"
. "$KIPSEC_TOP/tests/lib/guest.sh"
. "$KIPSEC_TOP/tests/lib/topology.sh"
. "$KIPSEC_TOP/tests/lib/xfrm.sh"
. "$KIPSEC_TOP/tests/lib/strongswan.sh"

load_kipsec
t=$(mktemp -d /tmp/dpd-sw-test.XXXXXX)
chmod 700 "$t"
trap 'sw_stop_all >/dev/null 2>&1' EXIT

check "topology builds" topo_setup
xfrm_warmup gw-b aes-gcm-16 >"$t/warmup.out" 2>&1 &
warm_pid=$!

cat >"$t/a.conf" <<EOT
config setup
	controlsocket=$t/a.sock
	secretsfile=$t/a.secrets
	retransmit_timeout=1s

conn sw
	left=192.0.2.1
	right=192.0.2.2
	type=transport
	authby=secret
	ike=aes128-sha256-modp2048
	esp=aes128gcm16
	dpddelay=2s
	dpdtimeout=6s
	dpdaction=clear
EOT
echo '192.0.2.1 192.0.2.2 : PSK "dpd-charon-psk"' >"$t/a.secrets"
chmod 600 "$t/a.secrets"
in_ns gw-a ipsecd -d -f "$t/a.conf" 2>"$t/a.log" &
for i in $(seq 50); do
	[ -S "$t/a.sock" ] && break
	sleep 0.1
done

check "charon starts in gw-b" sw_start gw-b
check "charon conn with dpd_delay 2s" sw_conn gw-b sw local=192.0.2.2 remote=192.0.2.1 \
	psk=dpd-charon-psk mode=transport conn.dpd_delay=2s
check "swanctl loads it" sw_load gw-b
wait $warm_pid

ike_a() { ipsecctl -s "$t/a.sock" "$@"; }
dpd() {
	ike_a -j ike list | jq -r --arg f "$1" \
		'[.[] | select(.conn == "sw" and .state == "established")][0].dpd[$f] // "none"'
}
# wait_for (tests/lib/guest.sh) polls every 0.5 s here.
WAIT_FOR_EVERY=0.5

check "ipsecctl up sw (ipsecd initiates to charon)" ike_a up sw
sw_up() { [ "$(dpd state)" != none ] && sw_wait_child gw-b sw 1 2>/dev/null; }
check "established with charon" wait_for 30 sw_up
expect_eq "charon announced DPD (its vendor ID in MM2)" "$(dpd peer_supports)" true

# Idle: charon probes (dpd_delay), we answer.
answered() { [ "$(dpd answered)" -ge 2 ] 2>/dev/null; }
check "charon's R-U-THEREs on an idle SA get our ACKs" wait_for 15 answered
expect_eq "and we do not probe an idle SA" "$(dpd sent)" 0

# One-way traffic: gw-b ignores pings, so nothing comes back; we probe.
in_ns gw-b sysctl -qw net.ipv4.icmp_echo_ignore_all=1
in_ns gw-a ping -n -q -c 40 -i 0.2 192.0.2.2 >/dev/null 2>&1 &
ping_pid=$!
acked() { [ "$(dpd acked)" -ge 1 ] 2>/dev/null; }
check "one-way traffic: our R-U-THERE gets charon's ACK" wait_for 15 acked
kill $ping_pid 2>/dev/null
wait $ping_pid 2>/dev/null
in_ns gw-b sysctl -qw net.ipv4.icmp_echo_ignore_all=0

expect_eq "ipsecd keeps its SAs" "$(in_ns gw-a ipsecctl -j sa list | jq length)" 2
check "charon keeps its CHILD_SA" sw_wait_child gw-b sw 1
if grep -q 'is dead' "$t/a.log"; then fail "ipsecd never declared charon dead"; else ok "ipsecd never declared charon dead"; fi
if grep -qi 'DPD check timed out\|giving up after' "$(sw_log gw-b)"; then
	fail "charon never gave up on ipsecd"
else
	ok "charon never gave up on ipsecd"
fi
check "traffic still crosses" in_ns gw-a ping -n -q -c 2 -i 0.2 -W 2 192.0.2.2

[ -d /mnt/out ] && cp "$t/a.log" /mnt/out/87-dpd-sw-gw-a.log 2>/dev/null
if [ "$TAP_FAILED" -ne 0 ]; then
	echo "# --- gw-a log"; sed 's/^/#   /' "$t/a.log" | tail -n 60
	echo "# --- charon"; grep -i 'dpd\|R_U_THERE\|informational' "$(sw_log gw-b)" | sed 's/^/#   /' | tail -n 30
fi
sw_stop_all
rm -rf "$t"
topo_teardown
tap_done
