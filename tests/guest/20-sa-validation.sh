#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel validates every SA attribute itself: each bad input is refused
# with the right errno and an extended ack that names the attribute (in the
# message or as the ack's attribute pointer). Sent through a raw netlink
# client, so nothing in ipsecctl can hide a missing check. Also: every
# supported algorithm is accepted (its transform really allocates) and no
# reply ever carries key material.
. "$KIPSEC_TOP/tests/lib/tap.sh"
. "$KIPSEC_TOP/tests/lib/guest.sh"

load_kipsec
nl_start

ESP=u8:50 AH=u8:51 TRANSPORT=u8:1 TUNNEL=u8:2
ENC_NULL=u16:1 ENC_CBC=u16:2 ENC_GCM=u16:3 ENC_CHACHA=u16:4
AUTH_SHA256=u16:1 AUTH_SHA1=u16:2
id4="sa_dst=ip:192.0.2.2 sa_proto=$ESP"
gcm4="sa_spi=u32:0x1000 $id4 sa_src=ip:192.0.2.1 sa_mode=$TUNNEL sa_enc_alg=$ENC_GCM sa_enc_key=hex:$(hexkey 20)"

# Range checks done by the netlink policy answer ERANGE (34), everything
# else EINVAL (22).
# SA_NEW with a valid baseline, then each fault in turn.
k16=$(hexkey 16) k20=$(hexkey 20) k32=$(hexkey 32) k36=$(hexkey 36)
base="sa_spi=u32:0x2000 sa_dst=ip:192.0.2.2 sa_src=ip:192.0.2.1 sa_proto=$ESP sa_mode=$TUNNEL"
refuse "unknown cipher" 22 'ENC_ALG' sa_new $base sa_enc_alg=u16:99 sa_enc_key=hex:$k20
refuse "unknown integrity algorithm" 22 'AUTH_ALG' sa_new $base sa_enc_alg=$ENC_CBC sa_enc_key=hex:$k16 sa_auth_alg=u16:77 sa_auth_key=hex:$k32
refuse "AES-GCM key without salt (16 bytes)" 22 'ENC_KEY' sa_new $base sa_enc_alg=$ENC_GCM sa_enc_key=hex:$k16
refuse "AES-CBC 24-byte key" 22 'ENC_KEY' sa_new $base sa_enc_alg=$ENC_CBC sa_enc_key=hex:$(hexkey 24) sa_auth_alg=$AUTH_SHA256 sa_auth_key=hex:$k32
refuse "ChaCha20-Poly1305 32-byte key (no salt)" 22 'ENC_KEY' sa_new $base sa_enc_alg=$ENC_CHACHA sa_enc_key=hex:$k32
refuse "HMAC-SHA-256 20-byte key" 22 'AUTH_KEY' sa_new $base sa_enc_alg=$ENC_CBC sa_enc_key=hex:$k16 sa_auth_alg=$AUTH_SHA256 sa_auth_key=hex:$k20
refuse "HMAC-SHA1 32-byte key" 22 'AUTH_KEY' sa_new $base sa_enc_alg=$ENC_CBC sa_enc_key=hex:$k16 sa_auth_alg=$AUTH_SHA1 sa_auth_key=hex:$k32
refuse "AES-CBC without integrity" 22 'AUTH' sa_new $base sa_enc_alg=$ENC_CBC sa_enc_key=hex:$k16
refuse "AEAD with an integrity algorithm" 22 'AUTH' sa_new $base sa_enc_alg=$ENC_GCM sa_enc_key=hex:$k20 sa_auth_alg=$AUTH_SHA256 sa_auth_key=hex:$k32
refuse "integrity key without algorithm" 22 'AUTH' sa_new $base sa_enc_alg=$ENC_GCM sa_enc_key=hex:$k20 sa_auth_key=hex:$k32
refuse "ESP without cipher" 22 'ENC_ALG' sa_new $base sa_auth_alg=$AUTH_SHA256 sa_auth_key=hex:$k32
refuse "AH with a cipher" 22 'ENC' sa_new sa_spi=u32:0x2000 sa_dst=ip:192.0.2.2 sa_src=ip:192.0.2.1 sa_proto=$AH sa_mode=$TUNNEL sa_enc_alg=$ENC_CBC sa_enc_key=hex:$k16 sa_auth_alg=$AUTH_SHA256 sa_auth_key=hex:$k32
refuse "AH without integrity" 22 'AUTH' sa_new sa_spi=u32:0x2000 sa_dst=ip:192.0.2.2 sa_src=ip:192.0.2.1 sa_proto=$AH sa_mode=$TUNNEL
refuse "AH with UDP encapsulation" 22 'ENCAP' sa_new sa_spi=u32:0x2000 sa_dst=ip:192.0.2.2 sa_src=ip:192.0.2.1 sa_proto=$AH sa_mode=$TUNNEL sa_auth_alg=$AUTH_SHA256 sa_auth_key=hex:$k32 sa_encap_sport=u16:4500 sa_encap_dport=u16:4500
refuse "UDP encapsulation with one port" 22 'ENCAP' sa_new $base sa_enc_alg=$ENC_GCM sa_enc_key=hex:$k20 sa_encap_sport=u16:4500
refuse "protocol neither ESP nor AH" 34 'SA_PROTO' sa_new sa_spi=u32:0x2000 sa_dst=ip:192.0.2.2 sa_src=ip:192.0.2.1 sa_proto=u8:6 sa_mode=$TUNNEL sa_enc_alg=$ENC_GCM sa_enc_key=hex:$k20
refuse "mode out of range" 34 'SA_MODE' sa_new sa_spi=u32:0x2000 sa_dst=ip:192.0.2.2 sa_src=ip:192.0.2.1 sa_proto=$ESP sa_mode=u8:3 sa_enc_alg=$ENC_GCM sa_enc_key=hex:$k20
refuse "SPI below 256" 22 'SA_SPI' sa_new sa_spi=u32:255 sa_dst=ip:192.0.2.2 sa_src=ip:192.0.2.1 sa_proto=$ESP sa_mode=$TUNNEL sa_enc_alg=$ENC_GCM sa_enc_key=hex:$k20
refuse "5-byte destination address" 22 'SA_DST' sa_new sa_spi=u32:0x2000 sa_dst=hex:c000020201 sa_src=ip:192.0.2.1 sa_proto=$ESP sa_mode=$TUNNEL sa_enc_alg=$ENC_GCM sa_enc_key=hex:$k20
refuse "IPv6 source with IPv4 destination" 22 'SA_SRC' sa_new sa_spi=u32:0x2000 sa_dst=ip:192.0.2.2 sa_src=ip:2001:db8::1 sa_proto=$ESP sa_mode=$TUNNEL sa_enc_alg=$ENC_GCM sa_enc_key=hex:$k20
refuse "replay window above 4096" 34 'REPLAY_WINDOW' sa_new $base sa_enc_alg=$ENC_GCM sa_enc_key=hex:$k20 sa_replay_window=u32:4097
refuse "unknown flag bits" 22 'SA_FLAGS' sa_new $base sa_enc_alg=$ENC_GCM sa_enc_key=hex:$k20 sa_flags=u32:0x80
refuse "soft byte limit above hard" 22 'LIFETIME' sa_new $base sa_enc_alg=$ENC_GCM sa_enc_key=hex:$k20 "sa_lifetime_soft=nest:(lifetime_bytes=u64:2000)" "sa_lifetime_hard=nest:(lifetime_bytes=u64:1000)"
refuse "unknown attribute type" 22 '200|nknown|unknown' sa_new $base sa_enc_alg=$ENC_GCM sa_enc_key=hex:$k20 200=u32:1
refuse "wrongly sized SPI attribute" 22 'SA_SPI' sa_new sa_spi=u16:0x2000 sa_dst=ip:192.0.2.2 sa_src=ip:192.0.2.1 sa_proto=$ESP sa_mode=$TUNNEL sa_enc_alg=$ENC_GCM sa_enc_key=hex:$k20
for a in sa_spi sa_dst sa_src sa_proto sa_mode; do
	args=$(printf '%s\n' $base sa_enc_alg=$ENC_GCM sa_enc_key=hex:$k20 | grep -v "^$a=")
	refuse "missing $a" 22 "$(echo $a | tr a-z A-Z)" sa_new $args
done

check "valid AES-GCM SA is added" nl sa_new $base sa_enc_alg=$ENC_GCM sa_enc_key=hex:$k20
refuse "duplicate SA" 17 '.' sa_new $base sa_enc_alg=$ENC_GCM sa_enc_key=hex:$k20
refuse "delete of a missing SA" 2 '.' sa_del sa_spi=u32:0x2001 sa_dst=ip:192.0.2.2 sa_proto=$ESP
refuse "get of a missing SA" 2 '.' sa_get sa_spi=u32:0x2001 sa_dst=ip:192.0.2.2 sa_proto=$ESP
check "flush" nl sa_flush

# The preset outbound sequence number: 32 bits without ESN, 64 with.
gcm="sa_enc_alg=$ENC_GCM sa_enc_key=hex:$k20"
refuse "sequence number above 0xffffffff without ESN" 22 'SEQ_OUT' sa_new $base $gcm sa_seq_out=u64:0x100000000
refuse "wrongly sized sequence number" 22 'SEQ_OUT' sa_new $base $gcm sa_seq_out=u32:5
check "0xffffffff is accepted without ESN" nl sa_new $base $gcm sa_seq_out=u64:0xffffffff
expect_match "get returns it" "$(nl sa_get sa_spi=u32:0x2000 $id4)" ' sa_seq_out=4294967295( |$)'
check "2^64 - 1 is accepted with ESN" nl sa_new sa_spi=u32:0x2001 ${base#sa_spi=u32:0x2000 } $gcm sa_flags=u32:1 sa_seq_out=u64:0xffffffffffffffff
expect_match "get returns it" "$(nl sa_get sa_spi=u32:0x2001 $id4)" ' sa_seq_out=18446744073709551615( |$)'
check "flush" nl sa_flush

# Every algorithm the module accepts really allocates its transform, with
# and without ESN, IPv4 and IPv6.
spi=0x3000
accept() {
	local name=$1
	shift
	spi=$((spi + 1))
	check "accepts $name" nl sa_new sa_spi=u32:$spi "$@"
}
for fam in 4 6; do
	if [ $fam = 4 ]; then ends="sa_dst=ip:192.0.2.2 sa_src=ip:192.0.2.1"
	else ends="sa_dst=ip:2001:db8::2 sa_src=ip:2001:db8::1"; fi
	for esn in 0 1; do
		sfx="IPv$fam${esn/1/ ESN}"; sfx=${sfx/ 0/}
		f="sa_flags=u32:$esn"
		e="$ends sa_proto=$ESP sa_mode=$TUNNEL $f"
		accept "AES-GCM-16-128 $sfx" $e sa_enc_alg=$ENC_GCM sa_enc_key=hex:$k20
		accept "AES-GCM-16-256 $sfx" $e sa_enc_alg=$ENC_GCM sa_enc_key=hex:$k36
		accept "AES-CBC-128/HMAC-SHA-256 $sfx" $e sa_enc_alg=$ENC_CBC sa_enc_key=hex:$k16 sa_auth_alg=$AUTH_SHA256 sa_auth_key=hex:$k32
		accept "AES-CBC-256/HMAC-SHA1 $sfx" $e sa_enc_alg=$ENC_CBC sa_enc_key=hex:$k32 sa_auth_alg=$AUTH_SHA1 sa_auth_key=hex:$k20
		accept "ChaCha20-Poly1305 $sfx" $e sa_enc_alg=$ENC_CHACHA sa_enc_key=hex:$k36
		accept "NULL/HMAC-SHA-256 $sfx" $e sa_enc_alg=$ENC_NULL sa_auth_alg=$AUTH_SHA256 sa_auth_key=hex:$k32
		accept "NULL/HMAC-SHA1 $sfx" $e sa_enc_alg=$ENC_NULL sa_auth_alg=$AUTH_SHA1 sa_auth_key=hex:$k20
		accept "AH HMAC-SHA-256 $sfx" $ends sa_proto=$AH sa_mode=$TRANSPORT $f sa_auth_alg=$AUTH_SHA256 sa_auth_key=hex:$k32
		accept "AH HMAC-SHA1 $sfx" $ends sa_proto=$AH sa_mode=$TRANSPORT $f sa_auth_alg=$AUTH_SHA1 sa_auth_key=hex:$k20
	done
done

dump=$(nl sa_dump 2>&1)
expect_eq "dump lists the 36 SAs" "$(printf '%s\n' "$dump" | grep -c '^sa_')" 36
for k in $k16 $k20 $k32 $k36; do
	if printf '%s\n' "$dump" | grep -qi "$k\|${k:0:16}"; then
		fail "no key material in the dump (found ${k:0:8}...)"
	else
		ok "no key material in the dump (${k:0:8}...)"
	fi
done
check_fails "dump carries no key attribute" sh -c "printf '%s\n' \"\$1\" | grep -E 'sa_(enc|auth)_key='" _ "$dump"
tap_done
