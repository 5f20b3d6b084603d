#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ipsecd against strongSwan's charon, IKEv1 with pre-shared keys, on the
# wire: gw-a runs kipsec.ko + ipsecd, gw-b runs charon on the kernel's own
# XFRM, in the lan-a — gw-a — gw-b — lan-b topology (tests/lib/topology.sh,
# tests/lib/strongswan.sh). One ipsecd and one charon serve every case;
# each case has its own pair of transit addresses, so each gets its own
# ISAKMP SA and the cases cannot disturb each other:
#   gcm     192.0.2.1  <-> .2   ipsecd initiates, ESP AES-GCM-16-128 tunnel
#   cbc     192.0.2.11 <-> .12  charon initiates, ESP AES-CBC-128 +
#                               HMAC-SHA-256 tunnel, PFS with MODP 2048;
#                               ipsecd answers with RESPONDER-LIFETIME
#   ah      192.0.2.21 <-> .22  ipsecd initiates, AH HMAC-SHA-256 transport
#   badpsk  192.0.2.31 <-> .32  ipsecd initiates with a PSK charon does not
#                               share: both sides see the authentication
#                               fail, no SA anywhere
#   badpsk2 192.0.2.41 <-> .42  the same with charon initiating
# then Deletes both ways (charon terminates cbc, ipsecd takes gcm down).
# "Works" means: both sides report the SAs established, the SAs
# cross-match (our inbound SPI is charon's outbound one and vice versa,
# same protocol, mode, algorithms and key sizes), and traffic crosses
# through them both ways (lan-a <-> lan-b for gcm, 10.1.2.0/24 <->
# 10.2.2.0/24 for cbc, gateway to gateway for ah) with only ESP/AH on the
# wire: kipsec and XFRM derived the same keys from KEYMAT. Diag lines
# carry the negotiation times.
. "$KIPSEC_TOP/tests/lib/tap.sh"
. "$KIPSEC_TOP/tests/lib/guest.sh"
. "$KIPSEC_TOP/tests/lib/topology.sh"
. "$KIPSEC_TOP/tests/lib/strongswan.sh"
. "$KIPSEC_TOP/tests/lib/xfrm.sh"

t=$(mktemp -d /tmp/ike-sw.XXXXXX)
chmod 700 "$t"
pid_a=

cleanup() {
	[ -n "$pid_a" ] && kill -TERM "$pid_a" 2>/dev/null
	sw_stop_all
	if [ -w /mnt/out ]; then
		cp "$(sw_log gw-b)" /mnt/out/81-charon-gw-b.log 2>/dev/null
		cp "$t/a.log" /mnt/out/81-ipsecd-gw-a.log 2>/dev/null
	fi
	topo_teardown
	rm -rf "$t"
}
trap cleanup EXIT

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

load_kipsec
check "topology builds" topo_setup
# One more address pair per case on the transit link: 192.0.2.N on gw-a,
# .N+1 on gw-b (the first pair, .1 and .2, is the topology's own).
extra_addrs() {
	local n
	for n in 11 21 31 41; do
		echo "addr add 192.0.2.$n/24 dev wan"
	done | ip -n gw-a -batch - || return 1
	for n in 12 22 32 42; do
		echo "addr add 192.0.2.$n/24 dev wan"
	done | ip -n gw-b -batch - || return 1
	# cbc's LANs, beside the topology's.
	ip -n lan-a addr add 10.1.2.2/24 dev eth0 &&
		ip -n gw-a addr add 10.1.2.1/24 dev lan &&
		ip -n gw-a route add 10.2.2.0/24 via 192.0.2.2 &&
		ip -n lan-b addr add 10.2.2.2/24 dev eth0 &&
		ip -n gw-b addr add 10.2.2.1/24 dev lan &&
		ip -n gw-b route add 10.1.2.0/24 via 192.0.2.1
}
check "extra transit and LAN addresses" extra_addrs

psk=kipsec-sw-interop-$(hexkey 8)

diag "topology at ${SECONDS} s"
# The first SA of an algorithm loads modules and runs the kernel's crypto
# self-tests (~10 s under TCG), for XFRM and kipsec alike (they share the
# kernel's crypto templates): keep that out of the negotiation times. It
# runs while charon and ipsecd start, on the other vCPU.
xfrm_warmup gw-b aes-gcm-16 aes-cbc/hmac-sha256 ah/hmac-sha256 \
	>"$t/warmup.out" 2>&1 &
warm_pid=$!

# ---- gw-b: charon ----------------------------------------------------------
SW_LOGLEVEL=${SW_LOGLEVEL:-2} check "charon starts in gw-b" sw_start gw-b
check "charon conn gcm" sw_conn gw-b gcm local=192.0.2.2 remote=192.0.2.1 \
	local_ts=10.2.0.0/24 remote_ts=10.1.0.0/24 psk="$psk" \
	ike=aes128-sha256-modp2048 esp=aes128gcm16
check "charon conn cbc" sw_conn gw-b cbc local=192.0.2.12 remote=192.0.2.11 \
	local_ts=10.2.2.0/24 remote_ts=10.1.2.0/24 psk="$psk" \
	ike=aes128-sha256-modp2048 esp=aes128-sha256-modp2048
check "charon conn ah" sw_conn gw-b ah local=192.0.2.22 remote=192.0.2.21 \
	psk="$psk" ike=aes128-sha256-modp2048 ah=sha256 mode=transport
check "charon conn badpsk" sw_conn gw-b badpsk local=192.0.2.32 \
	remote=192.0.2.31 psk="charon-only-$(hexkey 8)" ike=aes128-sha256-modp2048
check "charon conn badpsk2" sw_conn gw-b badpsk2 local=192.0.2.42 \
	remote=192.0.2.41 psk="charon-only-$(hexkey 8)" ike=aes128-sha256-modp2048
check "swanctl loads gw-b" sw_load gw-b

diag "charon loaded at ${SECONDS} s"
# ---- gw-a: ipsecd ----------------------------------------------------------
cat >"$t/a.conf" <<EOF
config setup
	controlsocket=$t/a.sock
	secretsfile=$t/a.secrets
	retransmit_timeout=2s
	retransmit_tries=3

conn %default
	authby=secret
	keyingtries=1
	ike=aes128-sha256-modp2048
	auto=add

conn gcm
	left=192.0.2.1
	right=192.0.2.2
	leftsubnet=10.1.0.0/24
	rightsubnet=10.2.0.0/24
	esp=aes128gcm16

conn cbc
	left=192.0.2.11
	right=192.0.2.12
	leftsubnet=10.1.2.0/24
	rightsubnet=10.2.2.0/24
	esp=aes128-sha256
	pfs=yes

conn ah
	left=192.0.2.21
	right=192.0.2.22
	ah=sha256
	type=transport

conn badpsk
	left=192.0.2.31
	right=192.0.2.32

conn badpsk2
	left=192.0.2.41
	right=192.0.2.42
EOF
{
	for n in 1 11 21 31 41; do
		echo "192.0.2.$n 192.0.2.$((n + 1)) : PSK \"$psk\""
	done
} >"$t/a.secrets"
chmod 600 "$t/a.secrets"
check "ipsecd -n accepts the configuration" ipsecd -n -f "$t/a.conf"
ip netns exec gw-a ipsecd -d -f "$t/a.conf" 2>"$t/a.log" &
for i in $(seq 50); do
	[ -S "$t/a.sock" ] && break
	sleep 0.1
done
pid_a=$(ip netns pids gw-a | head -n 1)
ike_a() { ipsecctl -s "$t/a.sock" "$@"; }

wait $warm_pid
expect_eq "warm-up of XFRM's algorithms on gw-b" "$?" 0
[ -s "$t/warmup.out" ] && sed 's/^/#   /' "$t/warmup.out"

# established_a CONN: ipsecd lists CONN established with IPsec SAs.
established_a() {
	ike_a -j ike list | jq -e --arg c "$1" \
		'map(select(.conn == $c and .state == "established" and (.ipsec_sas | length) > 0)) | length > 0' \
		>/dev/null
}
# wait_a CONN SECONDS
wait_a() {
	local end=$(($(now_ms) + $2 * 1000))
	while [ "$(now_ms)" -lt $end ]; do
		established_a "$1" && return 0
		sleep 0.1
	done
	return 1
}
# established_b CONN: charon lists the IKE SA established and the child
# installed.
established_b() {
	local out
	out=$(sw_swanctl gw-b --list-sas --ike "$1" 2>/dev/null)
	[[ $out =~ $1:\ \#[0-9]+,\ ESTABLISHED,\ IKEv1 ]] &&
		[[ $out =~ $1:\ \#[0-9]+,\ reqid\ [0-9]+,\ INSTALLED ]]
}

# snap: the SAs of both sides, read by the functions below (every exec
# costs ~0.1-0.5 s under TCG, so they are fetched once per check).
snap() {
	ip netns exec gw-a ipsecctl -j sa list >"$t/sa-a.json"
	ip -s -n gw-b xfrm state >"$t/sa-b.txt"
}
# sas_a / sas_b PAIR: "SPI SRC DST PROTO MODE ENC KEYBITS AUTH" per SA
# between the addresses 192.0.2.PAIR and .PAIR+1, sorted: ipsecd's view
# (kipsec on gw-a) and charon's (XFRM on gw-b), in the same words.
sas_a() {
	jq -r --arg a "192.0.2.$1" \
		--arg b "192.0.2.$(($1 + 1))" \
		'.[] | select((.src == $a and .dst == $b) or (.src == $b and .dst == $a)) |
		"\(.spi) \(.src) \(.dst) \(.proto) \(.mode) \(.enc) \(.enc_key_bits) \(.auth)"' \
		"$t/sa-a.json" | while read -r spi rest; do printf '0x%08x %s\n' "$spi" "$rest"; done | sort
}
sas_b() {
	awk -v a="192.0.2.$1" -v b="192.0.2.$(($1 + 1))" '
	function out() {
		if (spi != "" && ((src == a && dst == b) || (src == b && dst == a)))
			print spi, src, dst, proto, mode, enc, bits, auth
		spi = ""
	}
	/^src / { out(); src = $2; dst = $4; enc = "none"; bits = 0; auth = "none" }
	/^\tproto / {
		# ip -s adds the decimal value: "0x0000a001(40961)".
		proto = $2; spi = $4; sub(/\(.*/, "", spi)
		for (i = 1; i < NF; i++) if ($i == "mode") mode = $(i + 1)
	}
	/^\taead rfc4106\(gcm\(aes\)\)/ { enc = "aes-gcm-16"; bits = (length($3) - 2) * 4 - 32 }
	/^\tenc cbc\(aes\)/ { enc = "aes-cbc"; bits = (length($3) - 2) * 4 }
	/^\tauth-trunc hmac\(sha256\) .* 128$/ { auth = "hmac-sha256-128" }
	/^\tauth-trunc hmac\(sha1\) .* 96$/ { auth = "hmac-sha1-96" }
	END { out() }' "$t/sa-b.txt" | sort
}
# cross_match NAME PAIR PATTERN: two SAs each side, the same ones, and
# they look like PATTERN.
cross_match() {
	local a b
	snap
	a=$(sas_a "$2")
	b=$(sas_b "$2")
	expect_eq "$1: two SAs in kipsec on gw-a" "$(printf '%s\n' "$a" | grep -c .)" 2
	expect_eq "$1: two SAs in XFRM on gw-b" "$(printf '%s\n' "$b" | grep -c .)" 2
	expect_eq "$1: the SAs cross-match (SPIs, addresses, protocol, mode, algorithms, key sizes)" "$a" "$b"
	expect_match "$1: $3" "$a" "$3"
	[ "$a" = "$b" ] || { diag "gw-a: $a"; diag "gw-b: $b"; }
}

# hard_a / hard_b PAIR: "SECONDS BYTES" hard limits per SA of the pair,
# sorted (0 or INF: none), from kipsec and from XFRM.
hard_a() {
	jq -r --arg a "192.0.2.$1" --arg b "192.0.2.$(($1 + 1))" \
		'.[] | select((.src == $a and .dst == $b) or (.src == $b and .dst == $a)) |
		"\(.lifetime_hard.seconds) \(.lifetime_hard.bytes)"' "$t/sa-a.json" | sort
}
hard_b() {
	awk -v a="192.0.2.$1" -v b="192.0.2.$(($1 + 1))" '
	/^src / { take = ($2 == a && $4 == b) || ($2 == b && $4 == a) }
	take && /limit: soft .*\(bytes\)/ { bytes = $5; sub(/\(bytes\)/, "", bytes); if (bytes == "(INF)") bytes = 0 }
	take && /expire add:/ { secs = $6; sub(/\(sec\)/, "", secs); print secs, bytes }' "$t/sa-b.txt" | sort
}

# neg_ms CONN START: milliseconds from ipsecd's log line "CONN: START" to
# its "CONN: IPsec SA established" (the log's clock is the daemon's, with
# millisecond resolution, so this leaves out ipsecctl and jq start-up).
neg_ms() {
	awk -v s="$1: $2" -v e="$1: IPsec SA established" '
	index($0, s) && !t0 { t0 = $1 }
	index($0, e) && t0 { printf "%d\n", ($1 - t0) * 1000 + 0.5; exit }' "$t/a.log"
}

diag "ipsecd started, XFRM warmed up at ${SECONDS} s"
# ---- gcm: ipsecd initiates --------------------------------------------------
t0=$(now_ms)
check "gcm: ipsecctl up" ike_a up gcm
check "gcm: ipsecd reports the IKE SA established with IPsec SAs" wait_a gcm 20
t1=$(now_ms)
diag "gcm: ipsecd -> charon MM+QM (modp2048): $(neg_ms gcm 'initiating Main Mode') ms in ipsecd's log; ipsecctl up -> ike list established $((t1 - t0)) ms"
check "gcm: charon reports the IKE SA established and the child installed" established_b gcm
cross_match gcm 1 '^0x[0-9a-f]{8} 192\.0\.2\.[12] 192\.0\.2\.[12] esp tunnel aes-gcm-16 128 none'
# Lifetimes are not negotiated down by charon: it parses ours from the
# transform (and logs them), but keeps its own configured ones (3960 s, no
# byte limit), so the side with the shorter limit, ipsecd, rekeys first.
expect_eq "gcm: kipsec's SAs have ipsecd's lifetimes (3600 s, 100 MB)" \
	"$(hard_a 1 | tr '\n' ' ')" "3600 100000000 3600 100000000 "
expect_match "gcm: charon read ipsecd's lifetime attributes (3600 s, 100000 kB)" \
	"$(grep -m2 -E 'received [0-9]+(s lifetime| lifebytes)' "$(sw_log gw-b)" | tr '\n' ' ')" \
	'received 3600s lifetime.*received 100000000 lifebytes'
diag "gcm: XFRM on gw-b (charon's own lifetimes): $(hard_b 1 | tr '\n' ' ')"
# Traffic: kipsec on gw-a, XFRM (charon's SAs and policies) on gw-b.
topo_wire_watch
check "gcm: lan-a -> lan-b through kipsec and XFRM" topo_ping lan-a lan-b 3
check "gcm: lan-b -> lan-a" topo_ping lan-b lan-a 2
expect_eq "gcm: the wire carries ESP both ways and no LAN traffic in the clear" \
	"$(topo_wire_count gw-a clear) $(topo_wire_count gw-b clear) $([ "$(topo_wire_count gw-a esp)" -ge 5 ] && [ "$(topo_wire_count gw-b esp)" -ge 5 ] && echo esp)" \
	"0 0 esp"

diag "gcm done at ${SECONDS} s"
# ---- cbc: charon initiates, PFS ---------------------------------------------
t0=$(now_ms)
check "cbc: charon initiates (swanctl --initiate)" sw_initiate gw-b cbc 20
t1=$(now_ms)
check "cbc: ipsecd reports the IKE SA established with IPsec SAs" wait_a cbc 5
diag "cbc: charon -> ipsecd MM+QM with PFS (modp2048): MM1 received -> SAs installed $(neg_ms cbc 'Main Mode from') ms in ipsecd's log; swanctl --initiate returned after $((t1 - t0)) ms"
check "cbc: charon reports the IKE SA established and the child installed" established_b cbc
cross_match cbc 11 '^0x[0-9a-f]{8} 192\.0\.2\.1[12] 192\.0\.2\.1[12] esp tunnel aes-cbc 128 hmac-sha256-128'
# charon offers 3960 s and no byte limit; ipsecd keeps its own, shorter
# limits and says so with RESPONDER-LIFETIME, which charon accepts (and
# ignores: it keeps its own, so ipsecd will be the one to rekey).
expect_match "cbc: ipsecd lowered charon's offer with RESPONDER-LIFETIME" \
	"$(grep 'cbc:' "$t/a.log")" "lowering the peer's offer to 3600 s / 100000 kB \\(RESPONDER-LIFETIME\\)"
expect_match "cbc: charon accepted QM2 with the notification under HASH(2)" \
	"$(grep 'parsed QUICK_MODE response' "$(sw_log gw-b)")" \
	'\[ HASH SA No KE ID ID N\(\(24576\)\) \]'
expect_eq "cbc: kipsec's SAs have ipsecd's lifetimes" "$(hard_a 11 | tr '\n' ' ')" \
	"3600 100000000 3600 100000000 "
diag "cbc: XFRM on gw-b (charon's own lifetimes): $(hard_b 11 | tr '\n' ' ')"
expect_match "cbc: ipsecd used PFS" \
	"$(ike_a -j ike list | jq -c '.[] | select(.conn == "cbc") | .ipsec_sas[0].pfs')" true
topo_wire_watch
check "cbc: 10.1.2.2 -> 10.2.2.2 (ipsecd as responder, CBC+HMAC, PFS)" \
	ip netns exec lan-a ping -n -q -c 3 -i 0.2 -W 2 -I 10.1.2.2 10.2.2.2
expect_eq "cbc: ESP both ways on the wire" \
	"$([ "$(topo_wire_count gw-a esp)" -ge 3 ] && [ "$(topo_wire_count gw-b esp)" -ge 3 ] && echo yes)" yes

diag "cbc done at ${SECONDS} s"
# ---- ah: ipsecd initiates, transport ----------------------------------------
t0=$(now_ms)
check "ah: ipsecctl up" ike_a up ah
check "ah: ipsecd reports the IKE SA established with IPsec SAs" wait_a ah 20
t1=$(now_ms)
diag "ah: ipsecd -> charon MM+QM (modp2048): $(neg_ms ah 'initiating Main Mode') ms in ipsecd's log; ipsecctl up -> ike list established $((t1 - t0)) ms"
check "ah: charon reports the IKE SA established and the child installed" established_b ah
cross_match ah 21 '^0x[0-9a-f]{8} 192\.0\.2\.2[12] 192\.0\.2\.2[12] ah transport none 0 hmac-sha256-128'
# AH transport between the gateways, one direction at a time: charon sets
# "align4" on its XFRM AH SAs (RFC 4302: the IPv4 AH header is a multiple
# of 4 bytes, 28 bytes with HMAC-SHA-256-128), and XFRM with align4
# refuses the 8-byte aligned header (32 bytes) of Linux's default.
topo_wire_watch
ip netns exec gw-b ping -n -q -c 3 -i 0.2 -W 1 -I 192.0.2.22 192.0.2.21 >/dev/null 2>&1
ah_stats=$(ip netns exec gw-a ipsecctl -j sa list |
	jq -r '.[] | select(.proto == "ah" and .dst == "192.0.2.21") | "\(.stats.packets) \(.stats.drop_integrity) \(.stats.drop_malformed)"')
expect_eq "ah: XFRM -> kipsec: kipsec verified charon's 3 AH packets (4-byte aligned header)" \
	"$ah_stats" "3 0 0"
# xfrm_in_packets: packets counted by gw-b's inbound AH SA.
xfrm_in_packets() {
	ip -s -n gw-b xfrm state get src 192.0.2.21 dst 192.0.2.22 proto ah \
		spi "0x$(printf %08x "$(ip netns exec gw-a ipsecctl -j sa list |
			jq -r '.[] | select(.proto == "ah" and .dst == "192.0.2.22") | .spi')")" |
		sed -n 's/^\t *\([0-9]*\)(bytes), \([0-9]*\)(packets).*/\2/p' | tail -n 1
}
expect_eq "ah: kipsec -> XFRM: charon's XFRM accepted kipsec's 3 AH replies (needs 4-byte aligned IPv4 AH from kipsec)" \
	"$(xfrm_in_packets)" 3
expect_eq "ah: AH both ways on the wire" \
	"$([ "$(topo_wire_count gw-a ah)" -ge 3 ] && [ "$(topo_wire_count gw-b ah)" -ge 3 ] && echo yes)" yes
if [ "$(xfrm_in_packets)" != 3 ]; then
	diag "ah: gw-b xfrm_stat: $(ip netns exec gw-b cat /proc/net/xfrm_stat | awk '$2 != 0 { printf "%s=%s ", $1, $2 }')"
	diag "ah: gw-b's XFRM SAs: $(ip -n gw-b xfrm state | grep -c 'flag align4') with flag align4"
fi
expect_eq "ipsecd's policies on gw-a: gcm and cbc 3 each, ah 2, IKE bypass 4 (UDP 500 and 4500)" \
	"$(ip netns exec gw-a ipsecctl -j policy list | jq -r 'map(.action) | sort | group_by(.) | map("\(.[0])=\(length)") | join(" ")')" \
	"bypass=4 protect=8"

diag "ah done at ${SECONDS} s"
# ---- badpsk, badpsk2: the wrong key, each side initiating, both at once -----
# badpsk: charon cannot decrypt MM5 and answers with an encrypted
# PAYLOAD_MALFORMED that ipsecd cannot decrypt either. badpsk2: ipsecd
# cannot decrypt MM5 and answers with a clear AUTHENTICATION_FAILED, which
# charon logs but ignores (it takes no unprotected informational once it
# has keys); it would retransmit MM5 until it gives up: not waited for.
sw_initiate gw-b badpsk2 4 >"$t/badpsk2.out" 2>&1 &
sw_pid=$!
check "badpsk: ipsecctl up" ike_a up badpsk
for i in $(seq 100); do
	grep -q 'badpsk: .*AUTHENTICATION_FAILED' "$t/a.log" &&
		grep -q 'badpsk2: .*AUTHENTICATION_FAILED' "$t/a.log" && break
	sleep 0.1
done
wait $sw_pid
expect_eq "badpsk2: charon's initiation fails" "$?" 1
expect_match "badpsk: ipsecd logs AUTHENTICATION_FAILED" \
	"$(grep 'badpsk: ' "$t/a.log")" 'AUTHENTICATION_FAILED'
# Both exchanges run at once, so charon's threads interleave their lines:
# the decryption failure need not follow its "received packet" line.
charon_mm5_undecrypted() { grep -Eq 'decryption failed|could not decrypt' "$(sw_log gw-b)"; }
for i in $(seq 50); do
	charon_mm5_undecrypted && break
	sleep 0.2
done
check "badpsk: charon logs that MM5 does not decrypt" charon_mm5_undecrypted
expect_match "badpsk2: ipsecd logs AUTHENTICATION_FAILED" \
	"$(grep 'badpsk2: ' "$t/a.log")" 'AUTHENTICATION_FAILED'
# Only badpsk2 makes ipsecd send a clear notification to charon (badpsk
# ends on an encrypted one from charon), and charon's lines interleave, so
# its parse of that notification is looked for anywhere after badpsk2's
# start rather than next to its "received packet" line.
charon_auth_failed() {
	awk '/initiating Main Mode IKE_SA badpsk2\[/ { on = 1 }
		on && /parsed INFORMATIONAL_V1 request 0 \[ N\(AUTH_FAILED\) \]/ { print; exit }' \
		"$(sw_log gw-b)"
}
for i in $(seq 25); do
	[ -n "$(charon_auth_failed)" ] && break
	sleep 0.2
done
expect_match "badpsk2: charon received ipsecd's AUTHENTICATION_FAILED" \
	"$(charon_auth_failed)" 'INFORMATIONAL_V1 request 0 \[ N\(AUTH_FAILED\) \]'
ike_a -j ike list >"$t/ike-a.json"
sw_swanctl gw-b --list-sas >"$t/ike-b.txt" 2>&1
for c in badpsk badpsk2; do
	if jq -e --arg c $c 'map(select(.conn == $c and .state == "established")) | length == 0' \
		"$t/ike-a.json" >/dev/null; then
		ok "$c: ipsecd has no established IKE SA"
	else
		fail "$c: ipsecd has no established IKE SA"
	fi
	if grep -Eq "^$c: #[0-9]+, ESTABLISHED" "$t/ike-b.txt"; then
		fail "$c: charon has no established IKE SA"
	else
		ok "$c: charon has no established IKE SA"
	fi
done
snap
expect_eq "badpsk, badpsk2: no SA on either side" \
	"$(sas_a 31 | grep -c .) $(sas_b 31 | grep -c .) $(sas_a 41 | grep -c .) $(sas_b 41 | grep -c .)" "0 0 0 0"

if grep -q -- "$psk" "$t/a.log"; then fail "ipsecd's log never contains the PSK"; else ok "ipsecd's log never contains the PSK"; fi

diag "wrong PSKs done at ${SECONDS} s"
# ---- Deletes both ways, at once ----------------------------------------------
# charon terminates cbc (ipsecd must honour its Deletes) while ipsecd takes
# gcm down (charon must honour ipsecd's).
sw_terminate gw-b cbc >"$t/terminate.out" 2>&1 &
sw_pid=$!
check "gcm: ipsecctl down" ike_a down gcm
wait $sw_pid
expect_eq "cbc: charon terminates the IKE SA (swanctl --terminate)" "$?" 0
for i in $(seq 30); do
	snap
	[ -z "$(sas_a 11)$(sas_b 1)" ] && break
	sleep 0.2
done
expect_eq "cbc: terminate removed the SAs on both sides (ipsecd honoured the Deletes)" \
	"$(sas_a 11 | grep -c .) $(sas_b 11 | grep -c .)" "0 0"
expect_match "cbc: ipsecd logs the peer's Deletes (IPsec SA, then ISAKMP SA)" \
	"$(grep 'cbc: peer deleted' "$t/a.log" | tr '\n' ' ')" \
	'peer deleted the IPsec SA with SPI 0x[0-9a-f]{8} .*peer deleted the ISAKMP SA'
expect_eq "gcm: down removed the SAs on both sides (charon honoured the Deletes)" \
	"$(sas_a 1 | grep -c .) $(sas_b 1 | grep -c .)" "0 0"
expect_eq "ah is untouched by both" "$(sas_a 21 | grep -c .) $(sas_b 21 | grep -c .)" "2 2"

if [ "$TAP_FAILED" -ne 0 ]; then
	diag "--- ipsecd (gw-a) log tail"
	tail -n 60 "$t/a.log" | sed 's/^/#   /'
	diag "--- charon (gw-b) log tail"
	tail -n 60 "$(sw_log gw-b)" | sed 's/^/#   /'
fi
tap_done
