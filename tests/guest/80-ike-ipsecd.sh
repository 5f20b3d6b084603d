#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ipsecd against ipsecd: two gateways gw-a and gw-b in network namespaces
# joined by a veth pair, kipsec.ko loaded, one ipsecd in each. Several
# connections over different address pairs run side by side, so one pair
# of daemons covers both the successful negotiations (ESP AES-GCM tunnel,
# ESP AES-CBC/HMAC-SHA-256 with PFS, AH transport) and the failures
# (wrong PSK, proposal mismatch, subnet mismatch). The packet path does
# not exist yet, so "works" means: both sides installed the same SAs.
. "$KIPSEC_TOP/tests/lib/tap.sh"
. "$KIPSEC_TOP/tests/lib/guest.sh"

load_kipsec
t=$(mktemp -d /tmp/ike-test.XXXXXX)
chmod 700 "$t"

ip netns add gw-a
ip netns add gw-b
ip link add veth-a netns gw-a type veth peer name veth-b netns gw-b
for i in 0 2 3 4 5 6; do
	in_ns gw-a ip addr add 10.0.$i.1/24 dev veth-a
	in_ns gw-b ip addr add 10.0.$i.2/24 dev veth-b
done
in_ns gw-a ip link set lo up
in_ns gw-b ip link set lo up
in_ns gw-a ip link set veth-a up
in_ns gw-b ip link set veth-b up

# conf SIDE: the configuration of gw-a (SIDE=a) or gw-b (SIDE=b). The
# failure cases differ on gw-b only.
conf() {
	local me=$1 l r ls rs
	if [ "$me" = a ]; then l=1 r=2 ls=1 rs=2; else l=2 r=1 ls=2 rs=1; fi
	cat <<EOT
config setup
	controlsocket=$t/$me.sock
	secretsfile=$t/$me.secrets
	retransmit_timeout=1s
	retransmit_tries=3

conn %default
	authby=secret
	keyingtries=1
	auto=add

conn good
	left=10.0.0.$l
	right=10.0.0.$r
	leftsubnet=10.$ls.0.0/24
	rightsubnet=10.$rs.0.0/24

conn cbc
	left=10.0.2.$l
	right=10.0.2.$r
	leftsubnet=10.$ls.2.0/24
	rightsubnet=10.$rs.2.0/24
	esp=aes128-sha256
	pfs=yes
	lifetime=20m
	lifebytes=2M

conn ah
	left=10.0.3.$l
	right=10.0.3.$r
	ah=sha256
	type=transport

conn badpsk
	left=10.0.4.$l
	right=10.0.4.$r

conn noprop
	left=10.0.5.$l
	right=10.0.5.$r
	esp=$([ "$me" = a ] && echo aes128gcm16 || echo aes256gcm16)

conn badid
	left=10.0.6.$l
	right=10.0.6.$r
	leftsubnet=10.$ls.6.0/24
	rightsubnet=$([ "$me" = a ] && echo 10.$rs.6.0/24 || echo 10.9.6.0/24)
EOT
}

for me in a b; do
	conf $me >"$t/$me.conf"
	{
		echo '# the two ends of each pair, then the key'
		for i in 0 2 3 5 6; do echo "10.0.$i.1 10.0.$i.2 : PSK \"test-psk-$i\""; done
		echo "10.0.4.1 10.0.4.2 : PSK \"only-$me-knows-this\""
	} >"$t/$me.secrets"
	chmod 600 "$t/$me.secrets"
done

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
ike_a() { ipsecctl -s "$t/a.sock" "$@"; }
ike_b() { ipsecctl -s "$t/b.sock" "$@"; }

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
expect_match "ipsecctl ike list (tab-separated) shows the IKE SA" "$out" '^ike	good	10\.0\.0\.1	10\.0\.0\.2	established	initiator	aes256-sha256-modp2048	'
expect_match "ipsecctl ike list (tab-separated) shows its ESP SA" "$out" '^ipsec	good	esp	0x[0-9a-f]{8}	0x[0-9a-f]{8}	aes128gcm16	tunnel	10\.1\.0\.0/24	10\.2\.0\.0/24	'


# The same SA seen from both ends: (SPI, dst, proto, algorithms), from
# the lists last fetched by snap (ipsecctl and jq are slow under TCG).
snap() {
	A ipsecctl -j sa list >"$t/sa-gw-a.json"
	B ipsecctl -j sa list >"$t/sa-gw-b.json"
}
snap
sas() {
	jq -r --arg d "$2" '.[] | select(.dst | test($d)) | "\(.spi) \(.dst) \(.proto) \(.mode) \(.enc) \(.enc_key_bits) \(.auth)"' "$t/sa-$1.json" | sort
}
for c in 0:good:esp 2:cbc:esp 3:ah:ah; do
	n=${c%%:*}; rest=${c#*:}; name=${rest%%:*}; proto=${rest#*:}
	sa_a=$(sas gw-a "^10\\.0\\.$n\\.")
	sa_b=$(sas gw-b "^10\\.0\\.$n\\.")
	expect_eq "$name: two SAs on gw-a" "$(printf '%s\n' "$sa_a" | grep -c .)" 2
	expect_eq "$name: gw-a's SAs are gw-b's (SPIs cross-match, same algorithms)" "$sa_a" "$sa_b"
	expect_match "$name: protocol $proto" "$sa_a" " $proto "
done
expect_match "good: AES-GCM-16/128 tunnel" "$(sas gw-a '^10\.0\.0\.')" 'esp tunnel aes-gcm-16 128 none'
expect_match "cbc: AES-CBC-128 with HMAC-SHA-256" "$(sas gw-a '^10\.0\.2\.')" 'esp tunnel aes-cbc 128 hmac-sha256'
expect_match "ah: HMAC-SHA-256 transport" "$(sas gw-a '^10\.0\.3\.')" 'ah transport'
life=$(jq -r '.[] | select(.dst == "10.0.2.2") | "\(.lifetime_hard.seconds) \(.lifetime_soft.seconds) \(.lifetime_hard.bytes) \(.lifetime_soft.bytes)"' "$t/sa-gw-a.json")
expect_eq "cbc: hard 1200 s, soft 1200-540 s, 2 MB hard, 90% soft" "$life" "1200 660 2000000 1800000"
expect_match "cbc: PFS was used" "$(ike_a -j ike list | jq -c '.[] | select(.conn == "cbc") | .ipsec_sas[0].pfs')" true

# Failures.
expect_match "wrong PSK: gw-b logs AUTHENTICATION_FAILED" "$(grep badpsk "$t/b.log")" 'AUTHENTICATION_FAILED'
expect_match "wrong PSK: gw-a logs AUTHENTICATION_FAILED" "$(grep badpsk "$t/a.log")" 'AUTHENTICATION_FAILED'
expect_match "proposal mismatch: gw-b logs NO_PROPOSAL_CHOSEN" "$(grep noprop "$t/b.log")" 'NO_PROPOSAL_CHOSEN'
expect_match "proposal mismatch: gw-a logs NO_PROPOSAL_CHOSEN" "$(grep noprop "$t/a.log")" 'peer reports NO_PROPOSAL_CHOSEN'
expect_match "subnet mismatch: gw-b logs INVALID_ID_INFORMATION" "$(grep badid "$t/b.log")" 'INVALID_ID_INFORMATION'
expect_match "subnet mismatch: gw-a logs INVALID_ID_INFORMATION" "$(grep badid "$t/a.log")" 'peer reports INVALID_ID_INFORMATION'
for n in 4 5 6; do
	expect_eq "no SA for the failed pair 10.0.$n.x on gw-a" "$(sas gw-a "^10\\.0\\.$n\\." | grep -c .)" 0
	expect_eq "no SA for the failed pair 10.0.$n.x on gw-b" "$(sas gw-b "^10\\.0\\.$n\\." | grep -c .)" 0
done
if grep -Eq 'PSK|psk-|only-.-knows' "$t/a.log" "$t/b.log"; then fail "logs never contain a PSK"; else ok "logs never contain a PSK"; fi

# down: Deletes go to the peer, which removes its SAs too.
check "ipsecctl down good" ike_a down good
for i in $(seq 20); do
	snap
	[ -z "$(sas gw-b '^10\.0\.0\.')" ] && break
	sleep 0.3
done
expect_eq "down: gw-a removed its SAs" "$(sas gw-a '^10\.0\.0\.' | grep -c .)" 0
expect_eq "down: gw-b honoured the Delete" "$(sas gw-b '^10\.0\.0\.' | grep -c .)" 0
expect_eq "down: the other conns keep their SAs" "$(jq length "$t/sa-gw-a.json")" 4

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
kill -TERM "$pid_b"
stopped "$pid_b"
wait

[ -d /mnt/out ] && cp "$t"/*.log /mnt/out/ 2>/dev/null
if [ "$TAP_FAILED" -ne 0 ]; then
	echo "# --- gw-a log"; sed 's/^/#   /' "$t/a.log" | tail -n 60
	echo "# --- gw-b log"; sed 's/^/#   /' "$t/b.log" | tail -n 60
fi
rm -rf "$t"
tap_done
