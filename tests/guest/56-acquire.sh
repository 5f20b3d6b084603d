#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ACQUIRE: outbound packets that match a protect policy without an SA raise
# one event per flow, not one per packet, carrying the policy and the flow;
# an SA that fits the template lets the flow ask again. The packets leave
# through a dummy interface in a namespace of their own.
. "$KIPSEC_TOP/tests/lib/tap.sh"
. "$KIPSEC_TOP/tests/lib/guest.sh"

tmp=$(mktemp -d /tmp/kipsec-56.XXXXXX)

# send SPORT N: N UDP datagrams 10.9.0.1:SPORT -> 10.9.0.2:5000, one flow.
send() {
	ip netns exec aq python3 -S -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('10.9.0.1', $1))
for _ in range($2):
    try:
        s.sendto(b'x', ('10.9.0.2', 5000))
    except OSError:
        pass
"
}

# acquires SPORT: ACQUIRE events seen for that flow.
acquires() {
	grep -Ec "^\\{\"event\":\"acquire\".*\"sport\":\\{\"min\":$1," "$tmp/aq"
}

# wait_acquires SPORT N: until N events for that flow came, 20 s at most.
wait_acquires() {
	local i
	for i in $(seq 100); do
		[ "$(acquires "$1")" -ge "$2" ] && return 0
		sleep 0.2
	done
	return 1
}

load_kipsec
ip netns add aq
ip -n aq link add d0 type dummy
ip -n aq addr add 10.9.0.1/24 dev d0
ip -n aq link set d0 up
# Not through in_ns: $! must be ipsecctl itself, to be killed at the end.
ip netns exec aq ipsecctl -j monitor >"$tmp/aq" 2>&1 &
mon=$!
for _ in $(seq 50); do
	in_ns aq ipsecctl sa flush
	grep -q '"event":"sa_flush"' "$tmp/aq" && break
	sleep 0.2
done
check "the monitor listens" grep -q '"event":"sa_flush"' "$tmp/aq"

check "add a protect policy without an SA" in_ns aq ipsecctl policy add \
	dir out src 10.9.0.1 dst 10.9.0.2 proto udp action protect esp \
	tunnel 192.0.2.1 192.0.2.2 reqid 9
check "three packets of one flow" send 40000 3
check "raise an ACQUIRE" wait_acquires 40000 1
check "three more packets" send 40000 3
sleep 1
expect_eq "still one ACQUIRE for the flow" "$(acquires 40000)" 1
check "another flow" send 40001 2
check "raises its own ACQUIRE" wait_acquires 40001 1
sleep 1
expect_eq "one for that flow too" "$(acquires 40001)" 1

ev=$(grep -E '"event":"acquire".*"sport":\{"min":40000,' "$tmp/aq" | head -1)
jq_is() {
	expect_eq "ACQUIRE event: $1" "$(printf '%s' "$ev" | jq -c "$1")" "$2"
}
jq_is .policy.index 1
jq_is .policy.dir '"out"'
jq_is .policy.action '"protect"'
jq_is .policy.src '"10.9.0.1"'
jq_is .policy.src_plen 32
jq_is .policy.dst '"10.9.0.2"'
jq_is .policy.dst_plen 32
jq_is .policy.proto 17
jq_is .policy.sport '{"min":40000,"max":40000}'
jq_is .policy.dport '{"min":5000,"max":5000}'
jq_is .policy.tmpl '{"proto":"esp","mode":"tunnel","src":"192.0.2.1","dst":"192.0.2.2","reqid":9,"level":"require"}'

# An SA the template would use ends the hold; once it is gone, the flow
# asks again. One that does not fit (another reqid) changes nothing.
key=$(hexkey 20)
check "add an SA of another reqid" in_ns aq ipsecctl sa add spi 0x9001 \
	src 192.0.2.1 dst 192.0.2.2 proto esp mode tunnel enc aes-gcm-16 \
	"$key" reqid 8
check "and delete it" in_ns aq ipsecctl sa del spi 0x9001 dst 192.0.2.2 proto esp
check "more packets" send 40000 2
sleep 1
expect_eq "still held back" "$(acquires 40000)" 1
check "add an SA that fits" in_ns aq ipsecctl sa add spi 0x9002 \
	src 192.0.2.1 dst 192.0.2.2 proto esp mode tunnel enc aes-gcm-16 \
	"$key" reqid 9
check "and delete it" in_ns aq ipsecctl sa del spi 0x9002 dst 192.0.2.2 proto esp
check "packets of the first flow" send 40000 2
check "ask again" wait_acquires 40000 2
check "packets of the other flow" send 40001 2
check "which asks again as well" wait_acquires 40001 2

kill $mon
wait $mon 2>/dev/null
check "the namespace goes with its ACQUIRE state" ip netns del aq
rm -rf "$tmp"
tap_done
