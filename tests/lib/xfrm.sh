# SPDX-License-Identifier: GPL-2.0
#
# Manually keyed kernel IPsec (XFRM) for guest tests: the reference side of
# kipsec <-> XFRM interop, and a baseline for benchmarks. Everything goes
# through `ip xfrm state/policy` in one network namespace at a time, so one
# gateway can run XFRM while the other runs kipsec with the same keys/SPIs.
#
# Source after tests/lib/tap.sh (and tests/lib/topology.sh for xfrm_pair).
# Sources tests/lib/kipsec_side.sh, which holds the pair logic (ipsec_pair).
#
# Algorithm names are ipsecctl's (README "Algorithms"), mapped to the kernel
# constructions that kipsec.ko uses too, so the wire format is the same:
#   alg=aes-gcm-16         aead rfc4106(gcm(aes)), ICV 128; key 20/28/36 B
#                          (AES key + 4-byte salt)
#   alg=chacha20-poly1305  aead rfc7539esp(chacha20,poly1305), ICV 128; 36 B
#   alg=aes-cbc            enc cbc(aes) 16/24/32 B, plus auth=
#   alg=null               enc ecb(cipher_null), no key, plus auth=
#   auth=hmac-sha256       auth-trunc hmac(sha256) 32 B, ICV 128
#   auth=hmac-sha1         auth-trunc hmac(sha1) 20 B, ICV 96
#   proto=ah               auth= only (alg= ignored)
# Keys are hex, with or without 0x.
#
# Functions:
#   xfrm_side NS key=value...
#       one gateway's SAs (out and in) and policies (out, in, and fwd in
#       tunnel mode). Keys (defaults in brackets):
#         local= remote=          outer addresses (required)
#         lnet= rnet=             protected subnets [local/remote host]
#         mode=                   [tunnel] | transport
#         proto=                  [esp] | ah
#         alg= auth=              see above [aes-gcm-16]
#         spi_out= spi_in=        SPIs (required)
#         key_out= key_in=        encryption or AEAD key (ESP, not null)
#         akey_out= akey_in=      authentication key (aes-cbc, null, AH)
#         reqid=                  [1]
#         replay=                 replay window in packets [32]; the
#                                 kernel's own default, 0, would disable
#                                 anti-replay
#         esn=                    [no] | yes
#         encap=                  [none] | SPORT:DPORT (ESP in UDP, RFC 3948;
#                                 ports as seen from this side; the inbound
#                                 side also needs xfrm_encap_socket)
#         level=                  policy template level [required] | use
#   xfrm_pair key=value...
#       both gateways of tests/lib/topology.sh at once, mirrored. Keys:
#         family=4|6 [4], mode=, proto=, alg=, auth=, reqid=, replay=, esn=,
#         encap= (SPORT:DPORT as seen from gw-a), level= as above;
#         spi_ab= spi_ba= (gw-a -> gw-b and back) [0x1000 0x2000],
#         key_ab= key_ba= akey_ab= akey_ba= [random of the right length]
#   xfrm_flush NS...     delete every SA and policy in each NS
#   xfrm_encap_socket NS PORT
#       keep a UDP socket with UDP_ENCAP_ESPINUDP on PORT (IPv4 and IPv6) in
#       NS until the namespace dies: without one the kernel does not look
#       for ESP in UDP datagrams (charon or ipsecd normally own it)
#   xfrm_warmup NS [ALG[/AUTH]...]
#       add and delete one throw-away SA per algorithm [aes-gcm-16] (e.g.
#       aes-cbc/hmac-sha256, ah/hmac-sha1): the first SA of an algorithm
#       autoloads esp4/ah4 and the crypto templates, runs the kernel's crypto
#       self-tests and seeds the DRBG, which takes ~10 s under TCG. Call it
#       before anything timed, on both sides of a comparison.
#   xfrm_sa_count NS     print how many SAs NS holds
#   xfrm_spis NS         print "SRC DST PROTO SPI" per SA (SPI as ip prints
#                        it: 0x%08x)
#   xfrm_sa_counters NS SPI
#       print "BYTES PACKETS" from `ip -s xfrm state` for the SA with SPI
#       (the kernel counts inner bytes, before encapsulation)
#   xfrm_sa_errors NS SPI
#       print "REPLAY INTEGRITY_FAILED" for that SA (`ip -s` stats line)

# _xfrm_key_len ALG: bytes of random key xfrm_pair makes up for ALG.
_xfrm_key_len() {
	case $1 in
	aes-gcm-16) echo 20 ;;
	chacha20-poly1305) echo 36 ;;
	aes-cbc) echo 16 ;;
	hmac-sha256) echo 32 ;;
	hmac-sha1) echo 20 ;;
	*) echo 0 ;;
	esac
}

_xfrm_hex() {
	case $1 in 0x*) echo "$1" ;; *) echo "0x$1" ;; esac
}

_xfrm_randkey() {
	head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'
}

# _xfrm_algo PROTO ALG AUTH KEY AKEY: sets the array _XFRM_ALGO to the
# `ip xfrm state` algorithm words (an array, because the words contain
# parentheses and, for the null cipher, an empty key).
_xfrm_algo() {
	local proto=$1 alg=$2 auth=$3 key=$4 akey=$5 aname= abits=
	_XFRM_ALGO=()
	case $auth in
	hmac-sha256) aname='hmac(sha256)' abits=128 ;;
	hmac-sha1) aname='hmac(sha1)' abits=96 ;;
	'') ;;
	*) echo "xfrm: unknown auth '$auth'" >&2; return 2 ;;
	esac
	if [ "$proto" = ah ]; then
		[ -n "$aname" ] || { echo "xfrm: AH needs auth=" >&2; return 2; }
		_XFRM_ALGO=(auth-trunc "$aname" "$(_xfrm_hex "$akey")" $abits)
		return
	fi
	case $alg in
	aes-gcm-16) _XFRM_ALGO=(aead 'rfc4106(gcm(aes))' "$(_xfrm_hex "$key")" 128) ;;
	chacha20-poly1305)
		_XFRM_ALGO=(aead 'rfc7539esp(chacha20,poly1305)' "$(_xfrm_hex "$key")" 128) ;;
	aes-cbc | null)
		[ -n "$aname" ] || { echo "xfrm: $alg needs auth=" >&2; return 2; }
		if [ "$alg" = null ]; then
			_XFRM_ALGO=(enc 'ecb(cipher_null)' '')
		else
			_XFRM_ALGO=(enc 'cbc(aes)' "$(_xfrm_hex "$key")")
		fi
		_XFRM_ALGO+=(auth-trunc "$aname" "$(_xfrm_hex "$akey")" $abits)
		;;
	*) echo "xfrm: unknown alg '$alg'" >&2; return 2 ;;
	esac
}

# _xfrm_host ADDR: ADDR as a host prefix, the default transport selector.
_xfrm_host() {
	case $1 in */*) echo "$1" ;; *:*) echo "$1/128" ;; *) echo "$1/32" ;; esac
}

xfrm_side() {
	local ns=$1 kv k v
	local local= remote= lnet= rnet= mode=tunnel proto=esp alg=aes-gcm-16
	local auth= spi_out= spi_in= key_out= key_in= akey_out= akey_in=
	local reqid=1 replay=32 esn=no encap=none level=required
	local flags=() encap_out=() encap_in=() prio=() sp dp d
	shift
	for kv in "$@"; do
		k=${kv%%=*} v=${kv#*=}
		case $k in
		local | remote | lnet | rnet | mode | proto | alg | auth | spi_out | \
			spi_in | key_out | key_in | akey_out | akey_in | reqid | \
			replay | esn | encap | level)
			printf -v "$k" '%s' "$v" ;;
		*) echo "xfrm_side: unknown key '$k'" >&2; return 2 ;;
		esac
	done
	if [ -z "$local" ] || [ -z "$remote" ] || [ -z "$spi_out" ] || [ -z "$spi_in" ]; then
		echo "xfrm_side: local=, remote=, spi_out=, spi_in= are required" >&2
		return 2
	fi
	lnet=$(_xfrm_host "${lnet:-$local}")
	rnet=$(_xfrm_host "${rnet:-$remote}")
	flags=(replay-window "$replay")
	[ "$esn" = yes ] && flags+=(flag esn)
	# IPv4 in IPv6 or the other way round: the SA's own selector must not
	# restrict the inner packets to the outer family.
	case "$lnet$local" in
	*:*) [[ $lnet == *:* && $local == *:* ]] || flags+=(flag af-unspec) ;;
	esac
	# RFC 4302 pads IPv4 AH to 4 bytes; XFRM pads to 8 unless told, and
	# strongSwan tells it. So do we, as kipsec follows the RFC.
	[ "$proto" = ah ] && [[ $local != *:* ]] && flags+=(flag align4)
	if [ "$encap" != none ]; then
		sp=${encap%%:*} dp=${encap#*:}
		encap_out=(encap espinudp "$sp" "$dp" 0.0.0.0)
		encap_in=(encap espinudp "$dp" "$sp" 0.0.0.0)
	fi
	# Transport mode in UDP: the UDP datagrams carrying ESP match the
	# gateway-to-gateway policies themselves. charon exempts its sockets
	# with a socket policy; without a daemon, bypass policies placed
	# ahead do the same.
	if [ "$mode" = transport ] && [ "$encap" != none ]; then
		for d in in out; do
			ip -n "$ns" xfrm policy add src "$lnet" dst "$rnet" \
				proto udp dport 4500 dir $d priority 1 || return 1
			ip -n "$ns" xfrm policy add src "$rnet" dst "$lnet" \
				proto udp sport 4500 dir $d priority 1 || return 1
		done
		prio=(priority 2)
	fi
	_xfrm_algo "$proto" "$alg" "$auth" "$key_out" "$akey_out" || return 2
	ip -n "$ns" xfrm state add src "$local" dst "$remote" proto "$proto" \
		spi "$spi_out" reqid "$reqid" mode "$mode" "${flags[@]}" \
		${encap_out[@]+"${encap_out[@]}"} "${_XFRM_ALGO[@]}" || return 1
	_xfrm_algo "$proto" "$alg" "$auth" "$key_in" "$akey_in" || return 2
	ip -n "$ns" xfrm state add src "$remote" dst "$local" proto "$proto" \
		spi "$spi_in" reqid "$reqid" mode "$mode" "${flags[@]}" \
		${encap_in[@]+"${encap_in[@]}"} "${_XFRM_ALGO[@]}" || return 1
	ip -n "$ns" xfrm policy add src "$lnet" dst "$rnet" dir out \
		${prio[@]+"${prio[@]}"} tmpl src "$local" dst "$remote" proto "$proto" reqid "$reqid" \
		mode "$mode" level "$level" || return 1
	# Transport mode protects traffic to and from the gateway itself: no
	# forwarded traffic, no fwd policy.
	for d in in fwd; do
		[ "$d" = fwd ] && [ "$mode" != tunnel ] && continue
		ip -n "$ns" xfrm policy add src "$rnet" dst "$lnet" dir $d \
			${prio[@]+"${prio[@]}"} tmpl src "$remote" dst "$local" proto "$proto" \
			reqid "$reqid" mode "$mode" level "$level" || return 1
	done
}

# The pair logic is shared with kipsec (tests/lib/kipsec_side.sh), so that
# a test can run either stack on either gateway with the same keys.
xfrm_pair() {
	ipsec_pair xfrm xfrm "$@"
}

xfrm_flush() {
	local ns
	for ns in "$@"; do
		ip -n "$ns" xfrm policy flush
		ip -n "$ns" xfrm state flush
	done
}

xfrm_encap_socket() {
	# UDP_ENCAP is 100, UDP_ENCAP_ESPINUDP 2 (linux/udp.h); Python's
	# socket module has no names for them.
	ip netns exec "$1" python3 -c '
import signal, socket, sys
port = int(sys.argv[1])
keep = []
for fam, addr in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
    s = socket.socket(fam, socket.SOCK_DGRAM)
    if fam == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.setsockopt(socket.IPPROTO_UDP, 100, 2)
    s.bind((addr, port))
    keep.append(s)
print("ready", flush=True)
signal.pause()
' "$2" </dev/null 2>&1 | { read -r l && [ "$l" = ready ]; } &
	# Wait for the socket rather than racing the first packet.
	local i
	for i in $(seq 50); do
		ip netns exec "$1" ss -Hlun "sport = :$2" | grep -q . && return 0
		sleep 0.1
	done
	echo "xfrm_encap_socket: no UDP socket on port $2 in $1" >&2
	return 1
}

xfrm_warmup() {
	local ns=$1 spec alg auth proto spi=0xfeed0000 rc=0
	shift
	for spec in "${@:-aes-gcm-16}"; do
		alg=${spec%%/*} auth=
		[ "$spec" != "$alg" ] && auth=${spec#*/}
		proto=esp
		[ "$alg" = ah ] && proto=ah
		_xfrm_algo $proto "$alg" "$auth" \
			"$(_xfrm_randkey "$(_xfrm_key_len "$alg")")" \
			"$(_xfrm_randkey "$(_xfrm_key_len "$auth")")" || return 2
		spi=$((spi + 1))
		# Documentation addresses that no test uses: nothing can match.
		ip -n "$ns" xfrm state add src 198.51.100.254 dst 198.51.100.253 \
			proto $proto spi $spi mode tunnel "${_XFRM_ALGO[@]}" || rc=1
		ip -n "$ns" xfrm state del src 198.51.100.254 dst 198.51.100.253 \
			proto $proto spi $spi 2>/dev/null
	done
	return $rc
}

xfrm_sa_count() {
	ip -n "$1" xfrm state list | grep -c '^src '
}

xfrm_spis() {
	ip -n "$1" xfrm state list | awk '
		/^src / { src = $2; dst = $4 }
		/^\tproto / { spi = $4; sub(/\(.*/, "", spi); print src, dst, $2, spi }'
}

# _xfrm_spi SPI: the SPI as ip prints it (0x%08x), for string comparison.
_xfrm_spi() {
	printf '0x%08x' "$1"
}

# `ip -s xfrm state` prints, per SA, "proto esp spi 0x0000a001(40961) ..." and later
# "lifetime current:" followed by "  N(bytes), N(packets)", and "stats:"
# followed by "  replay-window N replay N failed N".
xfrm_sa_counters() {
	ip -n "$1" -s xfrm state list | awk -v want="$(_xfrm_spi "$2")" '
		/^\tproto / { spi = $4; sub(/\(.*/, "", spi); hit = (spi == want) }
		hit && /lifetime current:/ { cur = 1; next }
		hit && cur { gsub(/[(),a-z]/, " "); print $1, $2; exit }'
}

xfrm_sa_errors() {
	ip -n "$1" -s xfrm state list | awk -v want="$(_xfrm_spi "$2")" '
		/^\tproto / { spi = $4; sub(/\(.*/, "", spi); hit = (spi == want) }
		hit && /^\tstats:/ { st = 1; next }
		hit && st { for (i = 1; i < NF; i++) { if ($i == "replay") r = $(i + 1); if ($i == "failed") f = $(i + 1) } print r, f; exit }'
}

. "$(dirname "${BASH_SOURCE[0]}")/kipsec_side.sh"
