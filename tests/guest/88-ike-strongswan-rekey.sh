#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Rekeying between ipsecd (gw-a, kipsec.ko) and strongSwan's charon (gw-b,
# the kernel's XFRM), IKEv1 with a pre-shared key, either side rekeying,
# under a continuous ping each:
#   cr   192.0.2.1  <-> .2   10.1.0.0/24 <-> 10.2.0.0/24: charon initiates
#                            and rekeys (child rekey_time 8 s, rand_time
#                            2 s, life_time 60 s); ipsecd answers each
#                            Quick Mode and retires the replaced pair
#   ir   192.0.2.11 <-> .12  10.1.2.0/24 <-> 10.2.2.0/24: ipsecd initiates
#                            and rekeys (lifetime 16 s, rekeymargin 6 s:
#                            every 7..10 s); charon keeps its defaults
# Each conn crosses at least two rekeys without losing a ping, and the SAs
# stay bounded on both sides (sampled all along): a replaced pair's
# outbound SA goes at the rekey, its inbound one when ipsecd retires it
# (5 s + 2 x retransmit_timeout after the rekey), Delete to charon included.
. "$KIPSEC_TOP/tests/lib/tap.sh"
. "$KIPSEC_TOP/tests/lib/guest.sh"
. "$KIPSEC_TOP/tests/lib/topology.sh"
. "$KIPSEC_TOP/tests/lib/strongswan.sh"
. "$KIPSEC_TOP/tests/lib/xfrm.sh"

t=$(mktemp -d /tmp/ike-swrk.XXXXXX)
chmod 700 "$t"
pid_a=

cleanup() {
	kill $(jobs -p) 2>/dev/null
	[ -n "$pid_a" ] && kill -TERM "$pid_a" 2>/dev/null
	sw_stop_all
	if [ -w /mnt/out ]; then
		cp "$(sw_log gw-b)" /mnt/out/88-charon-gw-b.log 2>/dev/null
		cp "$t/a.log" /mnt/out/88-ipsecd-gw-a.log 2>/dev/null
		paste "$t/counts" "$t/ages" >/mnt/out/88-sa-counts.tsv 2>/dev/null
	fi
	topo_teardown
	rm -rf "$t"
}
trap cleanup EXIT

load_kipsec
check "topology builds" topo_setup
extra_addrs() {
	ip -n gw-a addr add 192.0.2.11/24 dev wan &&
		ip -n gw-b addr add 192.0.2.12/24 dev wan &&
		ip -n lan-a addr add 10.1.2.2/24 dev eth0 &&
		ip -n gw-a addr add 10.1.2.1/24 dev lan &&
		ip -n gw-a route add 10.2.2.0/24 via 192.0.2.2 &&
		ip -n lan-b addr add 10.2.2.2/24 dev eth0 &&
		ip -n gw-b addr add 10.2.2.1/24 dev lan &&
		ip -n gw-b route add 10.1.2.0/24 via 192.0.2.1
}
check "extra transit and LAN addresses" extra_addrs
psk=kipsec-sw-rekey-$(hexkey 8)
xfrm_warmup gw-b aes-gcm-16 >"$t/warmup.out" 2>&1 &
warm_pid=$!

SW_LOGLEVEL=1 check "charon starts in gw-b" sw_start gw-b
check "charon conn cr (rekeys every 6..8 s)" sw_conn gw-b cr \
	local=192.0.2.2 remote=192.0.2.1 local_ts=10.2.0.0/24 \
	remote_ts=10.1.0.0/24 psk="$psk" esp=aes128gcm16 \
	child.rekey_time=8s child.rand_time=2s child.life_time=60s
check "charon conn ir (defaults)" sw_conn gw-b ir \
	local=192.0.2.12 remote=192.0.2.11 local_ts=10.2.2.0/24 \
	remote_ts=10.1.2.0/24 psk="$psk" esp=aes128gcm16
check "swanctl loads gw-b" sw_load gw-b

cat >"$t/a.conf" <<EOF
config setup
	controlsocket=$t/a.sock
	secretsfile=$t/a.secrets
	retransmit_timeout=1s
	retransmit_tries=3

conn %default
	authby=secret
	keyingtries=3
	ike=aes128-sha256-modp2048
	esp=aes128gcm16
	auto=add

conn cr
	left=192.0.2.1
	right=192.0.2.2
	leftsubnet=10.1.0.0/24
	rightsubnet=10.2.0.0/24

conn ir
	left=192.0.2.11
	right=192.0.2.12
	leftsubnet=10.1.2.0/24
	rightsubnet=10.2.2.0/24
	lifetime=16s
	rekeymargin=6s
	rekeyfuzz=50%
EOF
for n in 1 11; do
	echo "192.0.2.$n 192.0.2.$((n + 1)) : PSK \"$psk\""
done >"$t/a.secrets"
chmod 600 "$t/a.secrets"
ip netns exec gw-a ipsecd -f "$t/a.conf" 2>"$t/a.log" &
pid_a=$!
for i in $(seq 50); do
	[ -S "$t/a.sock" ] && break
	sleep 0.1
done
ike_a() { ipsecctl -s "$t/a.sock" "$@"; }

wait $warm_pid
expect_eq "warm-up of XFRM's AES-GCM on gw-b" "$?" 0
check "charon initiates cr" sw_initiate gw-b cr 30
check "ipsecd initiates ir" ike_a up ir
check "charon installed ir" sw_wait_child gw-b ir 20

# count NS-SIDE: "CR IR" SA counts by outer addresses.
# gw-a's sample also notes the age of each conn's oldest SA (to "ages").
count_a() {
	ip netns exec gw-a ipsecctl -j sa list | jq -r '
		def conn(a; b): map(select(.dst == a or .dst == b));
		[(conn("192.0.2.1"; "192.0.2.2") | length),
		 (conn("192.0.2.11"; "192.0.2.12") | length),
		 (conn("192.0.2.1"; "192.0.2.2") | map(.age) | max // 0),
		 (conn("192.0.2.11"; "192.0.2.12") | map(.age) | max // 0)] | @tsv' |
		{ IFS=$'\t' read -r cr ir age_cr age_ir
		  echo "$age_cr $age_ir" >>"$t/ages"
		  printf '%s\t%s\n' "$cr" "$ir"; }
}
count_b() {
	ip -n gw-b xfrm state | awk '
		/^src 192\.0\.2\.(1|2) dst/ { cr++ }
		/^src 192\.0\.2\.(11|12) dst/ { ir++ }
		END { printf "%d\t%d\n", cr, ir }'
}
sampler() {
	while :; do
		echo "$(count_a) $(count_b)" >>"$t/counts"
		sleep 1
	done
}
sampler &
samp=$!
# 24 s: cr is rekeyed by charon every 6..8 s, ir by ipsecd every 7..10 s.
ip netns exec lan-a ping -n -q -i 0.2 -c 120 -W 2 10.2.0.2 >"$t/ping-cr" 2>&1 &
p1=$!
ip netns exec lan-a ping -n -q -i 0.2 -c 120 -W 2 -I 10.1.2.2 10.2.2.2 >"$t/ping-ir" 2>&1 &
p2=$!
wait $p1 $p2
kill $samp 2>/dev/null
wait $samp 2>/dev/null

loss() {
	sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' "$1"
}
expect_eq "cr: 120 pings over 24 s, none lost across charon's rekeys" "$(loss "$t/ping-cr")" 0
expect_eq "ir: 120 pings over 24 s, none lost across ipsecd's rekeys" "$(loss "$t/ping-ir")" 0
n_cr=$(grep -c 'cr: IPsec SA established' "$t/a.log")
n_ir=$(grep -c 'ir: .*reached its soft time limit: rekeying' "$t/a.log")
diag "cr: $((n_cr - 1)) rekeys by charon; ir: $n_ir rekeys by ipsecd; most SAs at once (ipsecd cr ir, charon cr ir): $(awk '{ for (i = 1; i <= 4; i++) if ($i > m[i]) m[i] = $i } END { print m[1] + 0, m[2] + 0, m[3] + 0, m[4] + 0 }' "$t/counts"); oldest on gw-a (cr ir): $(awk '{ for (i = 1; i <= 2; i++) if ($i > m[i]) m[i] = $i } END { print m[1] + 0, m[2] + 0 }' "$t/ages") s"
expect_eq "cr: charon rekeyed at least twice (ipsecd answered)" "$([ "$n_cr" -ge 3 ] && echo yes)" yes
expect_eq "ir: ipsecd rekeyed at least twice" "$([ "$n_ir" -ge 2 ] && echo yes)" yes
expect_eq "charon's initiator rekeys went to ipsecd as a responder (no rekey by ipsecd for cr)" \
	"$(grep -c 'cr: .*reached its soft' "$t/a.log")" 0
# Bound: the current pair, one retiring inbound SA (rekeys come 6..10 s
# apart, retiring takes 7 s) and, for the moment between a new pair's
# install and its predecessor's outbound SA going, that new pair: 5. Without
# retiring, cr's four rekeys in 24 s would leave 6.
expect_eq "no SA pile-up: at most 5 SAs per conn on either side at any time" \
	"$(awk '$1 > 5 || $2 > 5 || $3 > 5 || $4 > 5 { bad = 1 } END { print bad ? "no" : "yes" }' "$t/counts")" yes
# Age: a cr pair is current for at most charon's rekey interval (8 s),
# then its inbound SA retires within 7 s. Without retiring, it would stay
# to its hard limit (60 s), and the first pair (in before the 24 s of
# pings) would pass 24 s. (ir's own 16 s hard limit bounds its SAs anyway.)
expect_eq "gw-a: no SA of cr outlives its rekey and retirement (age <= 20 s)" \
	"$(awk '$1 > 20 { bad = 1 } END { print bad ? "no" : "yes" }' "$t/ages")" yes
expect_eq "replaced pairs deleted on charon's side too (Deletes from ipsecd)" \
	"$([ "$(grep -c 'deleting the replaced IPsec SA' "$t/a.log")" -ge 3 ] && echo yes)" yes
check "cr: traffic still flows" topo_ping lan-a lan-b 3
check "ir: traffic still flows" ip netns exec lan-a ping -n -q -c 3 -i 0.2 -W 2 -I 10.1.2.2 10.2.2.2

if [ "$TAP_FAILED" -ne 0 ]; then
	diag "--- SA counts (ipsecd cr ir, charon cr ir), then gw-a's oldest (cr ir, s)"
	paste "$t/counts" "$t/ages" | sed 's/^/#   /'
	diag "--- gw-a log tail"
	tail -n 60 "$t/a.log" | sed 's/^/#   /'
	diag "--- charon log tail"
	tail -n 60 "$(sw_log gw-b)" | sed 's/^/#   /'
fi
tap_done
