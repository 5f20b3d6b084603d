#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kipsec against the kernel's own IPsec on the wire: one gateway runs
# kipsec (ipsecctl), the other XFRM (ip xfrm) with the same keys and SPIs,
# each way round. Every algorithm, tunnel and transport mode, IPv4 and
# IPv6, ESN and ESP in UDP; traffic both ways (ping and its replies), ESP
# only on the wire, and each SA's packet count equal on both ends.
. "$KIPSEC_TOP/tests/lib/traffic_test.sh"

traffic_test_start
# The first XFRM SA of each algorithm loads modules and runs self-tests.
check "XFRM warm-up" xfrm_warmup gw-b aes-gcm-16 chacha20-poly1305 \
	aes-cbc/hmac-sha256 aes-cbc/hmac-sha1 null/hmac-sha256

sha256=auth=hmac-sha256
traffic_case "kipsec<->XFRM AES-GCM-16 tunnel IPv4" kipsec xfrm
traffic_case "kipsec<->XFRM ChaCha20-Poly1305 tunnel IPv4" kipsec xfrm \
	alg=chacha20-poly1305
# The two algorithms 35-esp-traffic.sh does not carry bulk traffic over
# get their iperf3 runs here.
TRAFFIC_IPERF=1
traffic_case "XFRM<->kipsec AES-CBC-256/HMAC-SHA1-96 tunnel IPv4" xfrm kipsec \
	alg=aes-cbc auth=hmac-sha1 key_ab=$(hexkey 32) key_ba=$(hexkey 32)
traffic_case "kipsec<->XFRM NULL/HMAC-SHA-256 tunnel IPv4" kipsec xfrm \
	alg=null $sha256
TRAFFIC_IPERF=0
traffic_case "kipsec<->XFRM AES-GCM-16 ESN tunnel IPv4" kipsec xfrm esn=yes
traffic_case "XFRM<->kipsec AES-CBC/HMAC-SHA-256 ESN tunnel IPv4" xfrm kipsec \
	alg=aes-cbc $sha256 esn=yes
traffic_case "XFRM<->kipsec AES-CBC/HMAC-SHA-256 tunnel IPv6" xfrm kipsec \
	family=6 alg=aes-cbc $sha256
traffic_case "kipsec<->XFRM AES-GCM-16 tunnel IPv4 in IPv6" kipsec xfrm \
	outer=6 inner=4
traffic_case "kipsec<->XFRM AES-GCM-16 transport IPv4" kipsec xfrm \
	mode=transport
traffic_case "XFRM<->kipsec AES-CBC/HMAC-SHA-256 transport IPv6" xfrm kipsec \
	mode=transport family=6 alg=aes-cbc $sha256
traffic_case "kipsec<->XFRM AES-GCM-16 in UDP tunnel IPv4" kipsec xfrm \
	encap=4500:4500
traffic_case "XFRM<->kipsec AES-GCM-16 in UDP transport IPv4" xfrm kipsec \
	mode=transport encap=4500:4500

tap_done
