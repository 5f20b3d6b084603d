# SPDX-License-Identifier: GPL-2.0
#
# Manually keyed kipsec for guest tests, configured through ipsecctl with
# exactly the keys tests/lib/xfrm.sh takes for the kernel's own IPsec, so
# that a test can put either stack on either gateway: kipsec on both, XFRM
# on both (the reference), or one of each (interop).
#
# Source after tests/lib/tap.sh, tests/lib/topology.sh and tests/lib/xfrm.sh.
#
# Functions:
#   kipsec_side NS key=value...
#       one gateway's SAs (out and in) and policies: out, and in (transport)
#       or fwd (tunnel). Keys as xfrm_side; level= takes XFRM's words
#       (required | use) and maps them to kipsec's (require | request).
#       oseq=N presets the outbound SA's last sequence number sent;
#       parallel=yes makes both SAs KIPSEC_SA_F_PARALLEL.
#   ipsec_pair STACK_A STACK_B key=value...
#       both gateways of the topology, gw-a running STACK_A and gw-b
#       STACK_B (kipsec or xfrm), mirrored. Keys as xfrm_pair, plus
#       outer=4|6 and inner=4|6 to mix families (4-in-6, 6-in-4; family=
#       sets both), oseq_ab=N for gw-a's outbound SA (kipsec only), and
#       parallel=yes for the SAs of whichever gateways run kipsec.
#       Prints nothing; status non-zero on any failure.
#   kipsec_flush NS...   delete every SA and policy in each NS
#   kipsec_sa_field NS SPI DST PROTO FIELD
#       print one member of `ipsecctl -j sa get` (stats.X for a counter)

_kipsec_level() {
	case $1 in required | require) echo require ;; use | request) echo request ;; *) echo "$1" ;; esac
}

kipsec_side() {
	local ns=$1 kv k v
	local local= remote= lnet= rnet= mode=tunnel proto=esp alg=aes-gcm-16
	local auth= spi_out= spi_in= key_out= key_in= akey_out= akey_in=
	local reqid=1 replay=32 esn=no encap=none level=required oseq=
	local parallel=no common=() enc_out=() enc_in=() encap_out=() encap_in=() tmpl_out tmpl_in
	shift
	for kv in "$@"; do
		k=${kv%%=*} v=${kv#*=}
		case $k in
		local | remote | lnet | rnet | mode | proto | alg | auth | spi_out | \
			spi_in | key_out | key_in | akey_out | akey_in | reqid | \
			replay | esn | encap | level | oseq | parallel)
			printf -v "$k" '%s' "$v" ;;
		*) echo "kipsec_side: unknown key '$k'" >&2; return 2 ;;
		esac
	done
	if [ -z "$local" ] || [ -z "$remote" ] || [ -z "$spi_out" ] || [ -z "$spi_in" ]; then
		echo "kipsec_side: local=, remote=, spi_out=, spi_in= are required" >&2
		return 2
	fi
	lnet=$(_xfrm_host "${lnet:-$local}")
	rnet=$(_xfrm_host "${rnet:-$remote}")
	common=(proto "$proto" mode "$mode" reqid "$reqid" replay-window "$replay")
	[ "$esn" = yes ] && common+=(esn)
	[ "$parallel" = yes ] && common+=(parallel)
	if [ "$encap" != none ]; then
		encap_out=(encap-sport "${encap%%:*}" encap-dport "${encap#*:}")
		encap_in=(encap-sport "${encap#*:}" encap-dport "${encap%%:*}")
	fi
	if [ "$proto" = esp ]; then
		enc_out=(enc "$alg") enc_in=(enc "$alg")
		[ "$alg" != null ] && enc_out+=("$(_xfrm_hex "$key_out")") &&
			enc_in+=("$(_xfrm_hex "$key_in")")
	fi
	[ -n "$auth" ] && enc_out+=(auth "$auth" "$(_xfrm_hex "$akey_out")") &&
		enc_in+=(auth "$auth" "$(_xfrm_hex "$akey_in")")
	ip netns exec "$ns" ipsecctl sa add spi "$spi_out" src "$local" \
		dst "$remote" "${common[@]}" ${encap_out[@]+"${encap_out[@]}"} \
		${oseq:+oseq "$oseq"} "${enc_out[@]}" || return 1
	ip netns exec "$ns" ipsecctl sa add spi "$spi_in" src "$remote" \
		dst "$local" "${common[@]}" ${encap_in[@]+"${encap_in[@]}"} \
		"${enc_in[@]}" || return 1
	if [ "$mode" = tunnel ]; then
		tmpl_out="tunnel $local $remote" tmpl_in="tunnel $remote $local"
	else
		tmpl_out=transport tmpl_in=transport
	fi
	level=$(_kipsec_level "$level")
	ip netns exec "$ns" ipsecctl policy add dir out src "$lnet" dst "$rnet" \
		action protect "$proto" $tmpl_out reqid "$reqid" \
		level "$level" >/dev/null || return 1
	# What arrives decrypted must be what a policy lets through that SA:
	# "in" for the gateway itself (transport), "fwd" for its LAN.
	[ "$mode" = tunnel ] && d=fwd || d=in
	ip netns exec "$ns" ipsecctl policy add dir $d src "$rnet" dst "$lnet" \
		action protect "$proto" $tmpl_in reqid "$reqid" \
		level "$level" >/dev/null
}

kipsec_flush() {
	local ns
	for ns in "$@"; do
		ip netns exec "$ns" ipsecctl policy flush
		ip netns exec "$ns" ipsecctl sa flush
	done
}

kipsec_sa_field() {
	ip netns exec "$1" ipsecctl -j sa get spi "$2" dst "$3" proto "$4" |
		jq -r "if type == \"array\" then .[0] else . end | .$5"
}

ipsec_pair() {
	local stack_a=$1 stack_b=$2 kv k v family= outer=4 inner=4 mode=tunnel
	local proto=esp alg=aes-gcm-16 auth= reqid=1 replay=32 esn=no
	local encap=none level=required spi_ab=0x1000 spi_ba=0x2000
	local key_ab= key_ba= akey_ab= akey_ba= ga gb na nb common encap_b=none
	local oseq_ab= parallel=no par_a=() par_b=()
	shift 2
	for kv in "$@"; do
		k=${kv%%=*} v=${kv#*=}
		case $k in
		family | outer | inner | mode | proto | alg | auth | reqid | \
			replay | esn | encap | level | spi_ab | spi_ba | key_ab | \
			key_ba | akey_ab | akey_ba | oseq_ab | parallel)
			printf -v "$k" '%s' "$v" ;;
		*) echo "ipsec_pair: unknown key '$k'" >&2; return 2 ;;
		esac
	done
	[ -n "$family" ] && outer=$family inner=$family
	[ "$proto" = esp ] && [ "$alg" != null ] && {
		: "${key_ab:=$(_xfrm_randkey "$(_xfrm_key_len "$alg")")}"
		: "${key_ba:=$(_xfrm_randkey "$(_xfrm_key_len "$alg")")}"
	}
	[ -n "$auth" ] && {
		: "${akey_ab:=$(_xfrm_randkey "$(_xfrm_key_len "$auth")")}"
		: "${akey_ba:=$(_xfrm_randkey "$(_xfrm_key_len "$auth")")}"
	}
	if [ "$outer" = 6 ]; then ga=$TOPO_GWA6 gb=$TOPO_GWB6
	else ga=$TOPO_GWA4 gb=$TOPO_GWB4; fi
	if [ "$inner" = 6 ]; then na=$TOPO_NETA6 nb=$TOPO_NETB6
	else na=$TOPO_NETA4 nb=$TOPO_NETB4; fi
	# Transport mode protects gateway-to-gateway traffic only.
	[ "$mode" = transport ] && na=$ga nb=$gb
	[ "$encap" != none ] && encap_b=${encap#*:}:${encap%%:*}
	[ "$stack_a" = kipsec ] && par_a=(parallel="$parallel")
	[ "$stack_b" = kipsec ] && par_b=(parallel="$parallel")
	common=(mode="$mode" proto="$proto" alg="$alg" auth="$auth"
		reqid="$reqid" replay="$replay" esn="$esn" level="$level")
	"${stack_a}_side" gw-a local="$ga" remote="$gb" lnet="$na" rnet="$nb" \
		spi_out="$spi_ab" spi_in="$spi_ba" key_out="$key_ab" \
		key_in="$key_ba" akey_out="$akey_ab" akey_in="$akey_ba" \
		encap="$encap" ${oseq_ab:+oseq="$oseq_ab"} ${par_a[@]+"${par_a[@]}"} \
		"${common[@]}" || return 1
	"${stack_b}_side" gw-b local="$gb" remote="$ga" lnet="$nb" rnet="$na" \
		spi_out="$spi_ba" spi_in="$spi_ab" key_out="$key_ba" \
		key_in="$key_ab" akey_out="$akey_ba" akey_in="$akey_ab" \
		encap="$encap_b" ${par_b[@]+"${par_b[@]}"} "${common[@]}"
}
