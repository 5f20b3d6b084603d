#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# add → get → del round-trips every SA field except the keys, which are
# never returned; through the raw netlink client and through ipsecctl.
. "$KIPSEC_TOP/tests/lib/tap.sh"
. "$KIPSEC_TOP/tests/lib/guest.sh"

load_kipsec
nl_start
enc=$(hexkey 32) auth=$(hexkey 32)
id="sa_spi=u32:0xabcdef01 sa_dst=ip:2001:db8::2 sa_proto=u8:50"
check "add an SA with every field set" nl sa_new $id sa_src=ip:2001:db8::1 \
	sa_mode=u8:1 sa_reqid=u32:4242 sa_enc_alg=u16:2 sa_enc_key=hex:$enc \
	sa_auth_alg=u16:1 sa_auth_key=hex:$auth sa_replay_window=u32:4096 \
	sa_flags=u32:1 sa_encap_sport=u16:4500 sa_encap_dport=u16:4501 \
	sa_seq_out=u64:0x123456789 \
	"sa_lifetime_soft=nest:(lifetime_bytes=u64:900000,lifetime_packets=u64:9000,lifetime_seconds=u64:3300)" \
	"sa_lifetime_hard=nest:(lifetime_bytes=u64:1000000,lifetime_packets=u64:10000,lifetime_seconds=u64:3600)"
got=$(nl sa_get $id)
for want in sa_spi=2882400001 sa_dst=2001:db8::2 sa_src=2001:db8::1 sa_proto=50 \
	sa_mode=1 sa_reqid=4242 sa_enc_alg=2 sa_enc_key_bits=256 sa_auth_alg=1 \
	sa_replay_window=4096 sa_flags=1 sa_encap_sport=4500 sa_encap_dport=4501 \
	sa_seq_out=4886718345 \
	"sa_lifetime_soft={'lifetime_bytes': 900000, 'lifetime_packets': 9000, 'lifetime_seconds': 3300}" \
	"sa_lifetime_hard={'lifetime_bytes': 1000000, 'lifetime_packets': 10000, 'lifetime_seconds': 3600}"; do
	if [[ " $got " == *" $want "* ]]; then ok "get returns $want"; else fail "get returns $want"; echo "#   got: $got"; fi
done
expect_match "get returns the age" "$got" 'sa_age=[0-9]'
expect_match "get returns zeroed counters" "$got" "sa_stats=\{.*'packets': 0, 'bytes': 0"
check_fails "get returns no key attribute" sh -c "echo '$got' | grep -E 'sa_(enc|auth)_key='"
check_fails "get output holds neither key" sh -c "echo '$got' | grep -Ei '${enc:0:12}|${auth:0:12}'"
check "delete it" nl sa_del $id
expect_match "gone after delete" "$(nl sa_get $id)" 'errno=2 '

# The same through ipsecctl, IPv4 this time.
ek=$(hexkey 36)
check "ipsecctl sa add with every option" ipsecctl sa add spi 0x1234 src 192.0.2.1 \
	dst 192.0.2.2 proto esp mode tunnel enc aes-gcm-16 "$ek" reqid 7 \
	replay-window 1024 esn oseq 0x1fffffffe encap-sport 4500 encap-dport 4500 \
	soft-bytes 90M hard-bytes 100M soft-packets 1000 hard-packets 2000 \
	soft-seconds 50m hard-seconds 1h
j=$(ipsecctl -j sa get spi 0x1234 dst 192.0.2.2 proto esp)
jq_is() { expect_eq "ipsecctl -j sa get: $1" "$(printf '%s' "$j" | jq -c "$1")" "$2"; }
jq_is .spi 4660
jq_is .src '"192.0.2.1"'
jq_is .dst '"192.0.2.2"'
jq_is .proto '"esp"'
jq_is .mode '"tunnel"'
jq_is .enc '"aes-gcm-16"'
jq_is .enc_key_bits 256
jq_is .reqid 7
jq_is .replay_window 1024
jq_is .esn true
jq_is .oseq 8589934590
jq_is .encap_sport 4500
jq_is .encap_dport 4500
jq_is .lifetime_soft.bytes 90000000
jq_is .lifetime_hard.bytes 100000000
jq_is .lifetime_soft.packets 1000
jq_is .lifetime_hard.packets 2000
jq_is .lifetime_soft.seconds 3000
jq_is .lifetime_hard.seconds 3600
jq_is .stats.packets 0
check_fails "ipsecctl never prints the key" sh -c "ipsecctl sa get spi 0x1234 dst 192.0.2.2 proto esp; ipsecctl sa list; ipsecctl -j sa list | grep -i ${ek:0:12}"
expect_match "ipsecctl sa get prints config syntax" \
	"$(script -qc 'ipsecctl sa get spi 0x1234 dst 192.0.2.2 proto esp' /dev/null)" \
	'sa add spi 0x00001234 .*enc aes-gcm-16'
check "ipsecctl sa del" ipsecctl sa del spi 0x1234 dst 192.0.2.2 proto esp
out=$(ipsecctl sa get spi 0x1234 dst 192.0.2.2 proto esp 2>&1)
rc=$?
if [ $rc -ne 0 ]; then ok "get after del fails (exit $rc)"; else fail "get after del fails"; fi
expect_match "ipsecctl prints the kernel's error" "$out" 'No such|not found|ENOENT'
out=$(ipsecctl sa add spi 0x1235 src 192.0.2.1 dst 192.0.2.2 proto esp mode tunnel enc aes-gcm-16 "$(hexkey 16)" 2>&1)
expect_match "ipsecctl prints the extended-ack message" "$out" 'ENC_KEY|key'
out=$(ipsecctl sa add spi 0x1235 src 192.0.2.1 dst 192.0.2.2 proto esp mode tunnel enc aes-gcm-16 "$(hexkey 20)" replay-window 5000 2>&1)
expect_match "ipsecctl names the attribute of a policy rejection" "$out" 'REPLAY_WINDOW.*range'
tap_done
