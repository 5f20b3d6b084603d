#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ipsecd against ipsecd, kipsec.ko on both gateways, in the lan-a — gw-a —
# gw-b — lan-b topology (tests/lib/topology.sh). Several connections over
# different transit address pairs run side by side, so one pair of
# daemons covers both the successful negotiations and the failures:
#   good    192.0.2.1  <-> .2   ESP AES-GCM tunnel 10.1.0.0/24 <-> 10.2.0.0/24
#   cbc     192.0.2.11 <-> .12  ESP AES-CBC/HMAC-SHA-256 with PFS, tunnel
#                               10.1.2.0/24 <-> 10.2.2.0/24 (extra LAN
#                               addresses on both sides)
#   ah      192.0.2.21 <-> .22  AH transport between the gateways
#   badpsk  .31 <-> .32 (wrong PSK), noprop .41 <-> .42 (proposal
#   mismatch), badid .51 <-> .52 (subnet mismatch)
# "Works" means: both sides installed the same SAs and the policies that
# use them, traffic crosses (LAN to LAN, LAN to the far gateway itself,
# gateway to gateway in transport mode), and the wire carries only ESP/AH
# for it, while IKE itself stays in the clear (Deletes under AH transport).
. "$KIPSEC_TOP/tests/lib/tap.sh"
. "$KIPSEC_TOP/tests/lib/guest.sh"
. "$KIPSEC_TOP/tests/lib/topology.sh"
. "$KIPSEC_TOP/tests/lib/xfrm.sh"
. "$KIPSEC_TOP/tests/lib/ipsecd.sh"

load_kipsec
t=$(mktemp -d /tmp/ike-test.XXXXXX)
chmod 700 "$t"

check "topology builds" topo_setup
# One more transit address pair per conn (192.0.2.N on gw-a, N+1 on
# gw-b), and the second pair of LANs for cbc.
extra_addrs() {
	local n
	for n in 11 21 31 41 51; do
		echo "addr add 192.0.2.$n/24 dev wan"
	done | ip -n gw-a -batch - || return 1
	for n in 12 22 32 42 52; do
		echo "addr add 192.0.2.$n/24 dev wan"
	done | ip -n gw-b -batch - || return 1
	ip -n lan-a addr add 10.1.2.2/24 dev eth0 &&
		ip -n gw-a addr add 10.1.2.1/24 dev lan &&
		ip -n gw-a route add 10.2.2.0/24 via 192.0.2.2 &&
		ip -n lan-b addr add 10.2.2.2/24 dev eth0 &&
		ip -n gw-b addr add 10.2.2.1/24 dev lan &&
		ip -n gw-b route add 10.1.2.0/24 via 192.0.2.1
}
check "extra addresses" extra_addrs
# The first SA of an algorithm loads modules and runs the kernel's crypto
# self-tests (~10 s under TCG; kipsec and XFRM share the templates): done
# here, while the daemons start, rather than inside a Quick Mode.
xfrm_warmup lan-a aes-gcm-16 aes-cbc/hmac-sha256 ah/hmac-sha256 >"$t/warmup.out" 2>&1 &
warm_pid=$!

IPSECD_DIR=$t
IPSECD_PSK=test-psk-
# conf SIDE: the files of gw-a (SIDE=a) or gw-b (SIDE=b), on ipsecd's own
# IKE proposal; a key of its own for each address pair, and for badpsk
# one on each side. The failure cases differ on gw-b only.
conf() {
	local me=$1 l r i
	if [ "$me" = a ]; then l=1 r=2; else l=2 r=1; fi
	ipsecd_conf $me 192.0.2.$l 192.0.2.$r ike= \
		conn good leftsubnet=10.$l.0.0/24 rightsubnet=10.$r.0.0/24 \
		conn cbc left=192.0.2.1$l right=192.0.2.1$r \
		leftsubnet=10.$l.2.0/24 rightsubnet=10.$r.2.0/24 \
		esp=aes128-sha256 pfs=yes lifetime=20m lifebytes=2M rekeyfuzz=0% \
		replay_window=$([ "$me" = a ] && echo 1024 || echo 0) \
		conn ah left=192.0.2.2$l right=192.0.2.2$r ah=sha256 type=transport \
		conn badpsk left=192.0.2.3$l right=192.0.2.3$r \
		conn noprop left=192.0.2.4$l right=192.0.2.4$r \
		esp=$([ "$me" = a ] && echo aes128gcm16 || echo aes256gcm16) \
		conn badid left=192.0.2.5$l right=192.0.2.5$r leftsubnet=10.$l.6.0/24 \
		rightsubnet=$([ "$me" = a ] && echo 10.$r.6.0/24 || echo 10.9.6.0/24)
	for i in 1 2 4 5; do
		ipsecd_psk $me 192.0.2.$i$l 192.0.2.$i$r test-psk-$i
	done
	ipsecd_psk $me 192.0.2.3$l 192.0.2.3$r only-$me-knows-this
}
conf a
conf b

check "ipsecd -n accepts the test configuration" ipsecd -n -f "$t/a.conf"
chmod 644 "$t/a.secrets"
out=$(ipsecd -n -f "$t/a.conf" 2>&1)
expect_match "a world-readable secrets file is refused" "$out" 'readable or writable by group or others'
chmod 600 "$t/a.secrets"

in_ns gw-a ipsecd -f "$t/a.conf" 2>"$t/a.log" &
in_ns gw-b ipsecd -f "$t/b.conf" 2>"$t/b.log" &
for i in $(seq 50); do
	[ -S "$t/a.sock" ] && [ -S "$t/b.sock" ] && break
	sleep 0.1
done
# "ip netns exec" forks: signal the daemons themselves.
pid_a=$(ip netns pids gw-a | head -n 1)
pid_b=$(ip netns pids gw-b | head -n 1)
# stopped PID: waits up to 10 s for PID to exit.
stopped() {
	local i
	for i in $(seq 100); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

A() { in_ns gw-a "$@"; }
B() { in_ns gw-b "$@"; }
ike_a() { ipsecd_ctl a "$@"; }
ike_b() { ipsecd_ctl b "$@"; }

wait $warm_pid
expect_eq "crypto warm-up" "$?" 0
for c in good cbc ah badpsk noprop badid; do
	check "ipsecctl up $c" ike_a up $c
done

# established CONN SIDE: the conn has an established ISAKMP SA and at
# least one IPsec SA, in the last "ike list" fetched for SIDE.
established() {
	jq -e --arg c "$1" 'map(select(.conn == $c and .state == "established" and (.ipsec_sas | length) > 0)) | length > 0' \
		"$t/$2.list" >/dev/null
}
fetch() {
	ike_a -j ike list >"$t/a.list"
	ike_b -j ike list >"$t/b.list"
}
deadline=$(($(date +%s) + 40))
while [ "$(date +%s)" -lt $deadline ]; do
	fetch
	[ "$(jq -s '[.[][] | select(.state == "established" and (.ipsec_sas | length) > 0)] | length' "$t/a.list" "$t/b.list")" = 6 ] &&
		grep -q 'badid: peer reports INVALID_ID' "$t/a.log" &&
		grep -q 'noprop: peer reports NO_PROPOSAL' "$t/a.log" &&
		grep -q 'badpsk: peer reports AUTHENTICATION_FAILED' "$t/a.log" && break
	sleep 0.5
done
fetch

for c in good cbc ah; do
	if established $c a; then ok "$c: gw-a shows the IKE SA established with IPsec SAs"; else fail "$c: gw-a shows the IKE SA established with IPsec SAs"; fi
	if established $c b; then ok "$c: gw-b shows the IKE SA established with IPsec SAs"; else fail "$c: gw-b shows the IKE SA established with IPsec SAs"; fi
done
out=$(ike_a ike list)
expect_match "ipsecctl ike list (tab-separated) shows the IKE SA" "$out" '^ike	good	192\.0\.2\.1	192\.0\.2\.2	established	initiator	aes256-sha256-modp2048	'
expect_match "ipsecctl ike list (tab-separated) shows its ESP SA" "$out" '^ipsec	good	esp	0x[0-9a-f]{8}	0x[0-9a-f]{8}	aes128gcm16	tunnel	10\.1\.0\.0/24	10\.2\.0\.0/24	'


# The same SA seen from both ends: (SPI, src, dst, proto, algorithms),
# from the lists last fetched by snap (ipsecctl and jq are slow under TCG).
snap() {
	A ipsecctl -j sa list >"$t/sa-gw-a.json"
	B ipsecctl -j sa list >"$t/sa-gw-b.json"
}
snap
# sas SIDE PAIR: the SAs between 192.0.2.PAIR and .PAIR+1.
sas() {
	jq -r --arg a "192.0.2.$2" --arg b "192.0.2.$(($2 + 1))" \
		'.[] | select((.src == $a and .dst == $b) or (.src == $b and .dst == $a)) |
		"\(.spi) \(.dst) \(.proto) \(.mode) \(.enc) \(.enc_key_bits) \(.auth)"' \
		"$t/sa-$1.json" | sort
}
for c in 1:good:esp 11:cbc:esp 21:ah:ah; do
	n=${c%%:*}; rest=${c#*:}; name=${rest%%:*}; proto=${rest#*:}
	sa_a=$(sas gw-a $n)
	sa_b=$(sas gw-b $n)
	expect_eq "$name: two SAs on gw-a" "$(printf '%s\n' "$sa_a" | grep -c .)" 2
	expect_eq "$name: gw-a's SAs are gw-b's (SPIs cross-match, same algorithms)" "$sa_a" "$sa_b"
	expect_match "$name: protocol $proto" "$sa_a" " $proto "
done
expect_match "good: AES-GCM-16/128 tunnel" "$(sas gw-a 1)" 'esp tunnel aes-gcm-16 128 none'
expect_match "cbc: AES-CBC-128 with HMAC-SHA-256" "$(sas gw-a 11)" 'esp tunnel aes-cbc 128 hmac-sha256'
expect_match "ah: HMAC-SHA-256 transport" "$(sas gw-a 21)" 'ah transport'
life=$(jq -r '.[] | select(.dst == "192.0.2.12") | "\(.lifetime_hard.seconds) \(.lifetime_soft.seconds) \(.lifetime_hard.bytes) \(.lifetime_soft.bytes)"' "$t/sa-gw-a.json")
expect_eq "cbc: hard 1200 s, soft 1200-540 s, 2 MB hard, 90% soft (rekeyfuzz=0%)" "$life" "1200 660 2000000 1800000"
life=$(jq -r '[.[] | select(.dst == "192.0.2.2" or .dst == "192.0.2.1") | .lifetime_soft.seconds] | map(. >= 2520 and . <= 3060) | all' "$t/sa-gw-a.json")
expect_eq "good: soft limits of both SAs within 3600 - 540 - random(540) s (rekeyfuzz=100%)" "$life" true
win=$(jq -r '[.[] | select(.dst | IN("192.0.2.1", "192.0.2.2", "192.0.2.11", "192.0.2.12")) | "\(.dst)=\(.replay_window)"] | sort | join(" ")' "$t/sa-gw-a.json")
expect_eq "replay_window: cbc's SAs on gw-a have 1024 (gw-b's conf says 0), good's the default 64" \
	"$win" "192.0.2.11=1024 192.0.2.12=1024 192.0.2.1=64 192.0.2.2=64"
win=$(jq -r '[.[] | select(.dst | IN("192.0.2.11", "192.0.2.12")) | .replay_window] | unique | join(" ")' "$t/sa-gw-b.json")
expect_eq "replay_window=0 on gw-b: its cbc SAs check no replay" "$win" 0
expect_match "cbc: PFS was used" "$(ike_a -j ike list | jq -c '.[] | select(.conn == "cbc") | .ipsec_sas[0].pfs')" true

# Policies: out + in + fwd for each tunnel, out + in for the transport
# conn and its four IKE bypass policies (UDP 500 and 4500, each way); the
# same on gw-b.
pols() {
	ip netns exec "$1" ipsecctl -j policy list
}
pols gw-a >"$t/pol-a.json"
expect_eq "gw-a: 3 + 3 + 2 conn policies and 4 IKE bypass policies" \
	"$(jq -r 'map(.action) | sort | group_by(.) | map("\(.[0])=\(length)") | join(" ")' "$t/pol-a.json")" \
	"bypass=4 protect=8"
expect_eq "gw-a: good's policies (dir src dst tmpl endpoints reqid)" \
	"$(jq -r '.[] | select(.tmpl.reqid == 1) | "\(.dir) \(.src)/\(.src_plen) \(.dst)/\(.dst_plen) \(.tmpl.mode) \(.tmpl.src) \(.tmpl.dst) \(.tmpl.level)"' "$t/pol-a.json" | sort | tr '\n' ';')" \
	"fwd 10.2.0.0/24 10.1.0.0/24 tunnel 192.0.2.2 192.0.2.1 require;in 10.2.0.0/24 10.1.0.0/24 tunnel 192.0.2.2 192.0.2.1 require;out 10.1.0.0/24 10.2.0.0/24 tunnel 192.0.2.1 192.0.2.2 require;"
expect_eq "gw-a: IKE bypass for the transport pair, before every conn policy" \
	"$(jq -r '.[] | select(.action == "bypass") | "\(.dir) \(.src) \(.dst) \(.proto) \(.sport.min // "-") \(.dport.min // "-") \(.priority < 1000)"' "$t/pol-a.json" | sort | tr '\n' ';')" \
	"in 192.0.2.22 192.0.2.21 17 - 4500 true;in 192.0.2.22 192.0.2.21 17 - 500 true;out 192.0.2.21 192.0.2.22 17 4500 - true;out 192.0.2.21 192.0.2.22 17 500 - true;"
expect_eq "gw-b: the same number of policies" "$(pols gw-b | jq length)" 12

# Traffic through the SAs, and only ESP/AH on the wire for it.
check "topology: wire counters" topo_wire_watch
check "good: lan-a -> lan-b through the tunnel" topo_ping lan-a lan-b 3
check "good: lan-b -> lan-a" topo_ping lan-b lan-a 2
check "good: lan-a -> gw-b's own LAN address (gw-b's in policy)" topo_ping lan-a 10.2.0.1 2
check "cbc: 10.1.2.2 -> 10.2.2.2 (PFS, CBC+HMAC)" \
	ip netns exec lan-a ping -n -q -c 3 -i 0.2 -W 2 -I 10.1.2.2 10.2.2.2
check "ah: gateway to gateway in transport mode" \
	ip netns exec gw-a ping -n -q -c 3 -i 0.2 -W 2 -I 192.0.2.21 192.0.2.22
for g in gw-a gw-b; do
	expect_eq "$g: no LAN traffic in the clear on the wire" "$(topo_wire_count $g clear)" 0
done
expect_eq "wire: ESP gw-a >= 3+2+3, gw-b >= 3+2+2+3" \
	"$([ "$(topo_wire_count gw-a esp)" -ge 8 ] && [ "$(topo_wire_count gw-b esp)" -ge 10 ] && echo yes)" yes
expect_eq "wire: AH both ways for the transport ping" \
	"$([ "$(topo_wire_count gw-a ah)" -ge 3 ] && [ "$(topo_wire_count gw-b ah)" -ge 3 ] && echo yes)" yes

# Failures.
expect_match "wrong PSK: gw-b logs AUTHENTICATION_FAILED" "$(grep badpsk "$t/b.log")" 'AUTHENTICATION_FAILED'
expect_match "wrong PSK: gw-a logs AUTHENTICATION_FAILED" "$(grep badpsk "$t/a.log")" 'AUTHENTICATION_FAILED'
expect_match "proposal mismatch: gw-b logs NO_PROPOSAL_CHOSEN" "$(grep noprop "$t/b.log")" 'NO_PROPOSAL_CHOSEN'
expect_match "proposal mismatch: gw-a logs NO_PROPOSAL_CHOSEN" "$(grep noprop "$t/a.log")" 'peer reports NO_PROPOSAL_CHOSEN'
expect_match "subnet mismatch: gw-b logs INVALID_ID_INFORMATION" "$(grep badid "$t/b.log")" 'INVALID_ID_INFORMATION'
expect_match "subnet mismatch: gw-a logs INVALID_ID_INFORMATION" "$(grep badid "$t/a.log")" 'peer reports INVALID_ID_INFORMATION'
for n in 31 41 51; do
	expect_eq "no SA for the failed pair 192.0.2.$n on gw-a" "$(sas gw-a $n | grep -c .)" 0
	expect_eq "no SA for the failed pair 192.0.2.$n on gw-b" "$(sas gw-b $n | grep -c .)" 0
done
if grep -Eq 'PSK|psk-|only-.-knows' "$t/a.log" "$t/b.log"; then fail "logs never contain a PSK"; else ok "logs never contain a PSK"; fi

# down: Deletes go to the peer, which removes its SAs and policies too.
check "ipsecctl down good" ike_a down good
for i in $(seq 20); do
	snap
	[ -z "$(sas gw-b 1)" ] && break
	sleep 0.3
done
expect_eq "down: gw-a removed its SAs" "$(sas gw-a 1 | grep -c .)" 0
expect_eq "down: gw-b honoured the Delete" "$(sas gw-b 1 | grep -c .)" 0
expect_eq "down: the other conns keep their SAs" "$(jq length "$t/sa-gw-a.json")" 4
expect_eq "down: good's policies are gone on both sides" \
	"$(pols gw-a | jq 'map(select(.tmpl.reqid == 1)) | length') $(pols gw-b | jq 'map(select(.tmpl.reqid == 1)) | length')" "0 0"

# The Deletes of a transport conn leave in the clear (the bypass) while its
# AH SAs and "require" policies are still there, and gw-b's in policy lets
# them in: gw-b drops the SAs.
topo_wire_watch
ah0=$(topo_wire_count gw-a ah)
check "ipsecctl down ah" ike_a down ah
for i in $(seq 20); do
	snap
	[ -z "$(sas gw-b 21)" ] && break
	sleep 0.3
done
expect_eq "down ah: gw-b honoured the Deletes that went in the clear" "$(sas gw-b 21 | grep -c .)" 0
expect_eq "down ah: IKE left gw-a in the clear, not under AH" \
	"$([ "$(topo_wire_count gw-a ike)" -ge 2 ] && echo yes) $(($(topo_wire_count gw-a ah) - ah0))" "yes 0"
expect_eq "down ah: the bypass went with the last transport conn" \
	"$(pols gw-a | jq 'map(select(.action == "bypass")) | length')" 0

# SIGTERM: gw-a deletes everything and tells gw-b.
kill -TERM "$pid_a"
check "SIGTERM: ipsecd on gw-a exits" stopped "$pid_a"
expect_match "SIGTERM: gw-a logs that it stopped" "$(tail -n 3 "$t/a.log")" 'stopped'
for i in $(seq 20); do
	[ "$(B ipsecctl -j sa list | jq length)" = 0 ] && break
	sleep 0.3
done
expect_eq "SIGTERM: gw-a has no SA left" "$(A ipsecctl -j sa list | jq length)" 0
expect_eq "SIGTERM: gw-b honoured the Deletes" "$(B ipsecctl -j sa list | jq length)" 0
expect_eq "SIGTERM: no policy left on gw-a, nor on gw-b (no SA left there)" \
	"$(pols gw-a | jq length) $(pols gw-b | jq length)" "0 0"
kill -TERM "$pid_b"
stopped "$pid_b"
wait

[ -d /mnt/out ] && for f in a b; do cp "$t/$f.log" "/mnt/out/80-ipsecd-gw-$f.log"; done 2>/dev/null
if [ "$TAP_FAILED" -ne 0 ]; then
	echo "# --- gw-a log"; sed 's/^/#   /' "$t/a.log" | tail -n 60
	echo "# --- gw-b log"; sed 's/^/#   /' "$t/b.log" | tail -n 60
fi
rm -rf "$t"
topo_teardown
tap_done
