#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# SA time limits, without traffic: soft-seconds raises exactly one soft
# expire event when reached, hard-seconds one hard expire event, after which
# the SA is gone. Two independent listeners must see the same events:
# "ipsecctl -j monitor" and the raw client's monitor mode. An SA deleted
# or flushed before its limits raises nothing; unloading the module and
# deleting a namespace while timers are pending are clean (vm-run fails the
# run on any warning in dmesg). Byte and packet limits need traffic and are
# tested with the packet path.
. "$KIPSEC_TOP/tests/lib/tap.sh"
. "$KIPSEC_TOP/tests/lib/guest.sh"

tmp=$(mktemp -d /tmp/kipsec-55.XXXXXX)
key=$(hexkey 20)

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# add_sa SPI [LIMIT VALUE...]: an ESP tunnel SA to 192.0.2.2.
add_sa() {
	local spi=$1
	shift
	ipsecctl sa add spi "$spi" src 192.0.2.1 dst 192.0.2.2 proto esp \
		mode tunnel enc aes-gcm-16 "$key" "$@"
}

# wait_match FILE REGEX SECONDS: polls FILE until a line matches REGEX and
# prints the milliseconds since $t0 at which it did; fails on timeout.
wait_match() {
	local end=$(($(now_ms) + $3 * 1000))
	while [ "$(now_ms)" -lt "$end" ]; do
		if grep -Eq -- "$2" "$1"; then
			echo $(($(now_ms) - t0))
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# in_range NAME VALUE LO HI
in_range() {
	if [ -n "$2" ] && [ "$2" -ge "$3" ] && [ "$2" -le "$4" ]; then
		ok "$1 ($2)"
	else
		fail "$1"
		echo "#   got: ${2:-nothing}, want $3..$4"
	fi
}

# count FILE REGEX: matching lines.
count() {
	grep -Ec -- "$2" "$1"
}

# Per-SPI patterns in each monitor's output (JSON: decimal SPI).
jev() { echo "^\\{\"event\":\"$1\".*\"sa\":\\{\"spi\":$2,"; }
pev() { echo "^event=$1 .*sa_spi=$2( |\$)"; }

load_kipsec
# Python starts slowly under TCG: start the client's server now.
nl stats_get >/dev/null
ipsecctl -j monitor >"$tmp/j" 2>"$tmp/j.err" &
mon_j=$!
$NL monitor 300 >"$tmp/p" 2>&1 &
mon_p=$!

# The raw client says when it listens; ipsecctl shows it by an event.
t0=$(now_ms)
listening=0
if wait_match "$tmp/p" '^monitor=listening' 30 >/dev/null; then
	for _ in $(seq 50); do
		ipsecctl sa flush
		if grep -q '"event":"sa_flush"' "$tmp/j"; then
			listening=1
			break
		fi
		sleep 0.2
	done
fi
expect_eq "both monitors listen" "$listening" 1
check "the raw monitor sees flushes too" grep -q '^event=sa_flush' "$tmp/p"

# --- lifetime use in SA_GET -------------------------------------------------
check "add an SA with byte and packet limits" add_sa 0x5500 soft-bytes 1M \
	hard-bytes 2M soft-packets 1000 hard-packets 2000
expect_eq "sa get -j shows the lifetime use" \
	"$(ipsecctl -j sa get spi 0x5500 dst 192.0.2.2 proto esp |
	   jq -c .lifetime_used)" '{"bytes":0,"packets":0}'
expect_match "sa list -j shows it" "$(ipsecctl -j sa list)" \
	'"lifetime_used":\{"bytes":0,"packets":0\}'
expect_match "sa get on a terminal shows it" \
	"$(script -qc 'ipsecctl sa get spi 0x5500 dst 192.0.2.2 proto esp' /dev/null)" \
	'lifetime-used bytes 0 packets 0'
expect_match "the raw client sees it as KIPSEC_A_SA_LIFETIME_CUR" \
	"$(nl sa_get sa_spi=u32:0x5500 sa_dst=ip:192.0.2.2 sa_proto=u8:50)" \
	"sa_lifetime_cur=\\{'lifetime_bytes': 0, 'lifetime_packets': 0\\}"
check "delete it" ipsecctl sa del spi 0x5500 dst 192.0.2.2 proto esp

# --- soft at 2 s, hard at 4 s ------------------------------------------
t0=$(now_ms)
check "add an SA with soft-seconds 2 hard-seconds 4" \
	add_sa 0x5501 soft-seconds 2 hard-seconds 4
check "its soft expiry comes" \
	wait_match "$tmp/j" "$(jev sa_soft_expire 21761)" 30
# Still there, unless already gone by its hard expiry (a slow guest).
if ipsecctl sa get spi 0x5501 dst 192.0.2.2 proto esp >/dev/null 2>&1 ||
	wait_match "$tmp/j" "$(jev sa_hard_expire 21761)" 10 >/dev/null; then
	ok "the SA outlives its soft expiry"
else
	fail "the SA outlives its soft expiry"
fi
check "its hard expiry comes" \
	wait_match "$tmp/j" "$(jev sa_hard_expire 21761)" 30
expect_match "then the SA is gone" \
	"$(nl sa_get sa_spi=u32:0x5501 sa_dst=ip:192.0.2.2 sa_proto=u8:50)" \
	'^errno=2 '
check_fails "ipsecctl sa get fails too" \
	ipsecctl sa get spi 0x5501 dst 192.0.2.2 proto esp
check "the raw monitor saw the soft expiry" \
	wait_match "$tmp/p" "$(pev sa_soft_expire 21761)" 5
check "the raw monitor saw the hard expiry" \
	wait_match "$tmp/p" "$(pev sa_hard_expire 21761)" 5

sleep 1
expect_eq "exactly one soft expire event (ipsecctl)" \
	"$(count "$tmp/j" "$(jev sa_soft_expire 21761)")" 1
expect_eq "exactly one soft expire event (raw)" \
	"$(count "$tmp/p" "$(pev sa_soft_expire 21761)")" 1
expect_eq "exactly one hard expire event (ipsecctl)" \
	"$(count "$tmp/j" "$(jev sa_hard_expire 21761)")" 1
expect_eq "exactly one hard expire event (raw)" \
	"$(count "$tmp/p" "$(pev sa_hard_expire 21761)")" 1
expect_eq "no sa_del besides the hard expire (ipsecctl)" \
	"$(count "$tmp/j" "$(jev sa_del 21761)")" 0
expect_eq "no sa_del besides the hard expire (raw)" \
	"$(count "$tmp/p" "$(pev sa_del 21761)")" 0
expect_eq "soft came before hard" \
	"$(grep -Eo '"event":"sa_(soft|hard)_expire".*"spi":21761,' "$tmp/j" |
	   cut -d'"' -f4 | tr '\n' ' ')" "sa_soft_expire sa_hard_expire "

soft=$(grep -E "$(jev sa_soft_expire 21761)" "$tmp/j")
hard=$(grep -E "$(jev sa_hard_expire 21761)" "$tmp/j")
# The events' age (whole seconds since the SA was added, by the kernel's
# clock) times them without the polling and load of this script: never
# early, and not much late.
in_range "soft expire at about 2 s (age)" \
	"$(printf '%s' "$soft" | jq .sa.age)" 2 4
in_range "hard expire at about 4 s (age)" \
	"$(printf '%s' "$hard" | jq .sa.age)" 4 6
jq_is() {
	expect_eq "hard expire event: $1" \
		"$(printf '%s' "$hard" | jq -c "$1")" "$2"
}
expect_eq "soft expire event: reason" \
	"$(printf '%s' "$soft" | jq -c .reason)" '"seconds"'
jq_is .reason '"seconds"'
jq_is .sa.spi 21761
jq_is .sa.dst '"192.0.2.2"'
jq_is .sa.src '"192.0.2.1"'
jq_is .sa.proto '"esp"'
jq_is .sa.mode '"tunnel"'
jq_is .sa.enc '"aes-gcm-16"'
jq_is .sa.lifetime_soft.seconds 2
jq_is .sa.lifetime_hard.seconds 4
jq_is .sa.stats.packets 0
check_fails "no event carries the key" grep -qi "${key:0:12}" "$tmp/j" "$tmp/p"
raw=$(grep -E "$(pev sa_hard_expire 21761)" "$tmp/p")
for want in sa_expire_reason=3 sa_dst=192.0.2.2 sa_src=192.0.2.1 sa_proto=50 \
	sa_mode=2 sa_enc_alg=3; do
	expect_match "raw hard expire event: $want" "$raw" " $want( |\$)"
done

# --- deleted or flushed before the limits: nothing -------------------------
t0=$(now_ms)
check "add an SA with soft-seconds 1 hard-seconds 2" \
	add_sa 0x5502 soft-seconds 1 hard-seconds 2
check "and delete it at once" ipsecctl sa del spi 0x5502 dst 192.0.2.2 proto esp
check "add an SA with soft-seconds 1 hard-seconds 3" \
	add_sa 0x5503 soft-seconds 1 hard-seconds 3
check "add an SA with hard-seconds 3" add_sa 0x5504 hard-seconds 3
check "its soft expiry comes" wait_match "$tmp/j" "$(jev sa_soft_expire 21763)" 5
check "delete it between soft and hard" \
	ipsecctl sa del spi 0x5503 dst 192.0.2.2 proto esp
check "flush the other before its limit" ipsecctl sa flush
sleep 3.5
for spi in 21762 21764; do
	expect_eq "no expire event for SPI $spi (ipsecctl)" \
		"$(count "$tmp/j" "\"event\":\"sa_(soft|hard)_expire\".*\"spi\":$spi,")" 0
	expect_eq "no expire event for SPI $spi (raw)" \
		"$(count "$tmp/p" "^event=sa_(soft|hard)_expire .*sa_spi=$spi( |\$)")" 0
done
expect_eq "no hard expiry after the delete (ipsecctl)" \
	"$(count "$tmp/j" "$(jev sa_hard_expire 21763)")" 0
expect_eq "no hard expiry after the delete (raw)" \
	"$(count "$tmp/p" "$(pev sa_hard_expire 21763)")" 0
expect_eq "the delete was announced once" \
	"$(count "$tmp/j" "$(jev sa_del 21763)")" 1

# --- many at once -----------------------------------------------------------
t0=$(now_ms)
n=20
added=0
for i in $(seq $n); do
	add_sa $((30000 + i)) soft-seconds 2 hard-seconds 3 && added=$((added + 1))
done
expect_eq "$n SAs added" "$added" $n
hard_re='"event":"sa_hard_expire".*"spi":300[0-9][0-9],'
for _ in $(seq 150); do
	[ "$(count "$tmp/j" "$hard_re")" -ge $n ] && break
	sleep 0.2
done
expect_eq "$n hard expire events (ipsecctl)" "$(count "$tmp/j" "$hard_re")" $n
expect_eq "$n soft expire events (ipsecctl)" \
	"$(count "$tmp/j" '"event":"sa_soft_expire".*"spi":300[0-9][0-9],')" $n
for _ in $(seq 50); do
	[ "$(count "$tmp/p" '^event=sa_hard_expire .*sa_spi=300[0-9][0-9]( |$)')" -ge $n ] && break
	sleep 0.2
done
expect_eq "$n hard expire events (raw)" \
	"$(count "$tmp/p" '^event=sa_hard_expire .*sa_spi=300[0-9][0-9]( |$)')" $n
expect_eq "no SA left" "$(ipsecctl -j stats | jq .sa_count)" 0
check_fails "no events lost" grep -q 'lost' "$tmp/j.err" "$tmp/p"
check "ipsecctl monitor is still running" kill -0 $mon_j

# --- rmmod with timers and expirations pending --------------------------------
for i in $(seq 10); do
	add_sa $((0x7000 + i)) soft-seconds 500 hard-seconds 1000 || break
	add_sa $((0x7100 + i)) hard-seconds 1 || break
done
sleep 0.7
check "rmmod with pending timers, expiring SAs and a listener" rmmod kipsec
kill $mon_j $mon_p 2>/dev/null
wait $mon_j $mon_p 2>/dev/null
check "reload" insmod "$KIPSEC_KO"
expect_eq "no SA survived" "$(cat /sys/kernel/kipsec/sa_count)" 0

# --- namespace deletion with timers pending ---------------------------------
ipsecctl -j monitor >"$tmp/j2" 2>&1 &
mon_j=$!
ip netns add lt
# Not through in_ns, a function: $! would be a subshell, not ipsecctl,
# and a listener left in the namespace would keep it alive.
ip netns exec lt ipsecctl -j monitor >"$tmp/ns" 2>&1 &
mon_ns=$!
sleep 0.5
for i in $(seq 5); do
	in_ns lt ipsecctl sa add spi $((0x8000 + i)) src 192.0.2.1 \
		dst 192.0.2.2 proto esp mode tunnel enc aes-gcm-16 "$key" \
		soft-seconds 100 hard-seconds 200 || break
	in_ns lt ipsecctl sa add spi $((0x8100 + i)) src 192.0.2.1 \
		dst 192.0.2.2 proto esp mode tunnel enc aes-gcm-16 "$key" \
		hard-seconds 1 || break
done
t0=$(now_ms)
check "events reach a listener in the namespace" \
	wait_match "$tmp/ns" '"event":"sa_hard_expire".*"spi":33029,' 30
expect_eq "all 5 expired" \
	"$(count "$tmp/ns" '"event":"sa_hard_expire".*"spi":3302[5-9],')" 5
expect_eq "and not a listener of another namespace" "$(count "$tmp/j2" 'spi')" 0
kill $mon_ns $mon_j
wait $mon_ns $mon_j 2>/dev/null
expect_eq "5 SAs with pending timers left in the namespace" \
	"$(cat /sys/kernel/kipsec/sa_count)" 5
ip netns del lt
n=
for _ in $(seq 150); do
	n=$(cat /sys/kernel/kipsec/sa_count)
	[ "$n" = 0 ] && break
	sleep 0.2
done
expect_eq "deleting the namespace freed them" "$n" 0

rm -rf "$tmp"
tap_done
