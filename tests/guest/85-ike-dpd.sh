#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Dead peer detection (RFC 3706) in ipsecd, with short timers (dpddelay
# 2 s, dpdtimeout 6 s):
#   - both ipsecds announce DPD; one-way traffic (lan-b ignores pings)
#     makes gw-a probe, and gw-b answers: the SAs stay; a probe sent
#     again by someone on the path is dropped unanswered;
#   - gw-b's transit link goes down while lan-a keeps sending: gw-a finds
#     the peer dead and deletes its SAs (kipsec too) within dpddelay +
#     dpdtimeout; dpdaction=restart keeps the policies (no clear text) and
#     renegotiates with backoff; traffic recovers when the link returns;
#     a second conn (held, 192.0.2.11 <-> .12) with dpdaction=hold loses
#     its SAs too but keeps its policies and waits for traffic (ACQUIRE).
# DPD against charon is in 87-ike-dpd-strongswan.sh.
. "$KIPSEC_TOP/tests/lib/tap.sh"
. "$KIPSEC_TOP/tests/lib/guest.sh"
. "$KIPSEC_TOP/tests/lib/topology.sh"
. "$KIPSEC_TOP/tests/lib/xfrm.sh"
. "$KIPSEC_TOP/tests/lib/ipsecd.sh"

load_kipsec
t=$(mktemp -d /tmp/dpd-test.XXXXXX)
chmod 700 "$t"
check "topology builds" topo_setup
held_pair() {
	ip -n gw-a addr add 192.0.2.11/24 dev wan &&
		ip -n gw-b addr add 192.0.2.12/24 dev wan &&
		ip -n lan-a addr add 10.1.2.2/24 dev eth0 &&
		ip -n gw-a addr add 10.1.2.1/24 dev lan &&
		ip -n gw-a route add 10.2.2.0/24 via 192.0.2.12 &&
		ip -n lan-b addr add 10.2.2.2/24 dev eth0 &&
		ip -n gw-b addr add 10.2.2.1/24 dev lan &&
		ip -n gw-b route add 10.1.2.0/24 via 192.0.2.11
}
check "a second address pair and LANs for held" held_pair
xfrm_warmup lan-a aes-gcm-16 >"$t/warmup.out" 2>&1 &
warm_pid=$!

IPSECD_DIR=$t
IPSECD_PSK=dpd-test-psk
# conf SIDE: gw-SIDE's file (a or b), on ipsecd's own IKE proposal and
# keyingtries. When the peer dies, gw-a restarts good and holds held; gw-b
# clears both.
conf() {
	local me=$1 l r
	if [ "$me" = a ]; then l=1 r=2; else l=2 r=1; fi
	ipsecd_conf $me 192.0.2.$l 192.0.2.$r ike= keyingtries= \
		dpddelay=2s dpdtimeout=6s \
		setup retransmit_tries=2 \
		conn good leftsubnet=10.$l.0.0/24 rightsubnet=10.$r.0.0/24 \
		dpdaction=$([ "$me" = a ] && echo restart || echo clear) \
		conn held left=192.0.2.1$l right=192.0.2.1$r \
		leftsubnet=10.$l.2.0/24 rightsubnet=10.$r.2.0/24 \
		dpdaction=$([ "$me" = a ] && echo hold || echo clear)
	ipsecd_psk $me 192.0.2.1$l 192.0.2.1$r dpd-test-psk-2
}
conf a
conf b
check "ipsecd -n accepts the DPD configuration" ipsecd -n -f "$t/a.conf"

in_ns gw-a ipsecd -d -f "$t/a.conf" 2>"$t/a.log" &
in_ns gw-b ipsecd -d -f "$t/b.conf" 2>"$t/b.log" &
for i in $(seq 50); do
	[ -S "$t/a.sock" ] && [ -S "$t/b.sock" ] && break
	sleep 0.1
done
ike_a() { ipsecd_ctl a "$@"; }
ike_b() { ipsecd_ctl b "$@"; }
# dpd SIDE CONN FIELD: a field of the conn's DPD state in "ike list".
dpd() {
	ipsecd_ctl "$1" -j ike list |
		jq -r --arg c "$2" --arg f "$3" \
			'[.[] | select(.conn == $c and .state == "established")][0].dpd[$f] // "none"'
}
sa_count() { ip netns exec "$1" ipsecctl -j sa list | jq length; }
# wait_for (tests/lib/guest.sh) polls every 0.5 s here.
WAIT_FOR_EVERY=0.5
up_both() {
	[ "$(dpd a good state)" != none ] && [ "$(dpd b good state)" != none ] &&
		[ "$(dpd a held state)" != none ] &&
		[ "$(sa_count gw-a)" -ge 4 ] && [ "$(sa_count gw-b)" -ge 4 ]
}
# sas_of NS PAIR: the SAs between 192.0.2.PAIR and .PAIR+1 in NS.
sas_of() {
	ip netns exec "$1" ipsecctl -j sa list |
		jq --arg a "192.0.2.$2" '[.[] | select(.src == $a or .dst == $a)] | length'
}

wait $warm_pid
check "ipsecctl up good" ike_a up good
check "ipsecctl up held" ike_a up held
check "good and held: established on both sides" wait_for 40 up_both
expect_eq "gw-a saw gw-b's DPD vendor ID, and gw-b gw-a's" \
	"$(dpd a good peer_supports) $(dpd b good peer_supports)" "true true"
expect_eq "both idle (no probe without traffic)" \
	"$(dpd a good state) $(dpd a good sent) $(dpd b good state)" "idle 0 idle"
expect_match "ike list (table) shows the DPD state" "$(script -qc "ipsecctl -s $t/a.sock ike list" /dev/null)" \
	'dpd (idle|probing) \(delay 2s, timeout 6s, action restart\)'

# One-way traffic with both alive: lan-b ignores echo requests, so gw-a
# sends and receives nothing: it probes, gw-b answers.
in_ns lan-b sysctl -qw net.ipv4.icmp_echo_ignore_all=1
# An encrypted informational (exchange 5, flags 1) as gw-b receives it.
WIRE=$KIPSEC_TOP/tests/lib/wire_packet.py
listen_start "$t/cap.out" in_ns gw-b python3 "$WIRE" capture wan 17 \
	"$t/info.pkt" 30 46=0501
cap_pid=$LISTEN_PID
in_ns lan-a ping -n -q -c 30 -i 0.2 10.2.0.2 >/dev/null 2>&1 &
ping_pid=$!
acked() { [ "$(dpd a good acked)" -ge 1 ] 2>/dev/null; }
check "one-way traffic: gw-a's R-U-THERE gets an ACK" wait_for 15 acked
kill $ping_pid 2>/dev/null
wait $ping_pid 2>/dev/null
in_ns lan-b sysctl -qw net.ipv4.icmp_echo_ignore_all=0
expect_eq "gw-b answered it" "$([ "$(dpd b good answered)" -ge 1 ] && echo yes)" yes
expect_eq "the SAs stay while both are alive" "$(sas_of gw-a 1) $(sas_of gw-b 1)" "2 2"
check "traffic still crosses" topo_ping lan-a lan-b 3

# Someone on the transit link sends gw-b one of gw-a's R-U-THEREs again.
# It verifies (its IV and HASH depend only on the keys and its message
# ID), so only the ID, which the SA has used, tells it from a new one:
# gw-b must drop it unanswered, as any replayed or reflected message.
wait "$cap_pid"
expect_match "one of gw-a's protected informationals is captured on gw-b" \
	"$(cat "$t/cap.out")" "captured [0-9]+ bytes"
sleep 1
answered0=$(dpd b good answered)
for i in 1 2; do
	in_ns gw-a python3 "$WIRE" send "$t/info.pkt"
done
replays() { [ "$(grep -c 'message ID already used (replayed or reflected) dropped' "$t/b.log")" -ge 2 ]; }
check "gw-b drops both replays, naming why" wait_for 10 replays
expect_eq "and answers neither" "$(dpd b good answered)" "$answered0"

# gw-b's transit link goes down while lan-a keeps sending.
in_ns lan-a ping -n -q -i 0.2 10.2.0.2 >/dev/null 2>&1 &
ping_pid=$!
in_ns lan-a ping -n -q -i 0.2 -I 10.1.2.2 10.2.2.2 >/dev/null 2>&1 &
ping2_pid=$!
sleep 1
ip -n gw-b link set wan down
down_at=$(date +%s)
gone() { [ "$(sas_of gw-a 1)" = 0 ]; }
check "gw-b dead: gw-a deletes its SAs" wait_for 20 gone
took=$(($(date +%s) - down_at))
expect_eq "within dpddelay + dpdtimeout (+ a tick and slack): ${took}s <= 12s" \
	"$([ $took -le 12 ] && echo yes)" yes
expect_match "gw-a logs the dead peer" "$(cat "$t/a.log")" 'peer 192\.0\.2\.2 is dead: no R-U-THERE-ACK for 6 s'
expect_match "gw-a applies dpdaction=restart" "$(cat "$t/a.log")" 'good: dpdaction=restart'
held_gone() { [ "$(sas_of gw-a 11)" = 0 ]; }
check "held: its SAs are gone too" wait_for 5 held_gone
pols=$(in_ns gw-a ipsecctl -j policy list | jq 'map(select(.action == "protect")) | length')
expect_eq "restart and hold keep the policies (3 each): no clear text meanwhile" "$pols" 6
expect_match "held: gw-a applies dpdaction=hold" "$(cat "$t/a.log")" 'held: dpdaction=hold'
held_acq() { sed -n '/held: dpdaction=hold/,$p' "$t/a.log" | grep -q 'held: traffic for the conn (ACQUIRE'; }
check "held: traffic (ACQUIRE) renegotiates it" wait_for 5 held_acq
kill $ping2_pid 2>/dev/null
wait $ping2_pid 2>/dev/null
topo_wire_watch
sleep 2
expect_eq "nothing of lan-a's leaves gw-a in the clear" "$(topo_wire_count gw-a clear)" 0
expect_match "restart: gw-a renegotiates" "$(cat "$t/a.log")" 'good: initiating Main Mode'

ip -n gw-b link set wan up
ip -n gw-b route replace 10.1.0.0/24 via 192.0.2.1
ping_ok() { topo_ping lan-a lan-b 1 >/dev/null; }
check "link back: traffic recovers (new SAs, no manual step)" wait_for 40 ping_ok
kill $ping_pid 2>/dev/null
wait $ping_pid 2>/dev/null
topo_wire_watch
check "lan-a -> lan-b after the recovery" topo_ping lan-a lan-b 3
expect_eq "through ESP, none in clear" \
	"$([ "$(topo_wire_count gw-a esp)" -ge 3 ] && echo yes) $(topo_wire_count gw-a clear)" "yes 0"
expect_match "ike list counts the peer's death" \
	"$(ike_a -j ike list | jq -c '.[] | select(.conn == "good") | .dpd_deaths' | head -n 1)" '^1$'

[ -d /mnt/out ] && for f in a b; do cp "$t/$f.log" "/mnt/out/85-dpd-gw-$f.log"; done 2>/dev/null
if [ "$TAP_FAILED" -ne 0 ]; then
	echo "# --- gw-a log"; sed 's/^/#   /' "$t/a.log" | tail -n 80
	echo "# --- gw-b log"; sed 's/^/#   /' "$t/b.log" | tail -n 40
fi
rm -rf "$t"
topo_teardown
tap_done
