# SPDX-License-Identifier: GPL-2.0
#
# The gateway topology of tests/lib/topology.sh with gw-a behind a NAT: a
# fifth namespace, "nat", takes gw-a's place on the transit link and
# masquerades everything gw-a sends out:
#
#   lan-a — gw-a wan 172.16.0.1/24 ——— in 172.16.0.254 [nat] out 192.0.2.1 ——— wan 192.0.2.2 gw-b — lan-b
#
# gw-b sees gw-a as 192.0.2.1, the address it has in the plain topology, so
# gw-b's side of a configuration does not change. The masquerade picks
# random ports ("random"), as carrier-grade NATs do: gw-a's IKE and ESP do
# not leave from 500/4500, and a new mapping (after nat_flush) gets a new
# port, which the far end must follow.
#
# Source after tap.sh and topology.sh. Needs: ip, nft, conntrack.
#
# Functions:
#   nat_setup          topo_setup, then the NAT in the middle; non-zero on
#                      failure
#   nat_teardown       the NAT namespace and the topology; idempotent
#   nat_flush          forget every mapping (conntrack -F in "nat")
#   nat_snat_to ADDR   map gw-a to ADDR (an address the NAT's "out" has)
#                      from now on, random ports; with nat_flush, the NAT
#                      moves gw-a to a new public address
#   nat_count NAME     packets counted in "nat" from gw-a: keepalive (UDP
#                      to 4500 with one byte of payload), ike500 (UDP to
#                      500), natt (UDP to 4500), other
#   nat_mappings       the NAT's UDP mappings, one conntrack line each
#   nat_setup6         after nat_setup, the same NAT for IPv6 (NAT66):
#                      gw-a fd00:ffff::1/64 behind it, the NAT
#                      $TOPO_GWA6 to gw-b; nftables masquerade, random
#                      ports; counters natt6 (UDP to 4500 from gw-a),
#                      zerocsum6 (UDP from gw-a with checksum 0: RFC 6935
#                      zero checksums over IPv6 are not for ESP in UDP),
#                      other6; read with nat_count6 NAME

NAT_NS=nat
NAT_GWA_PRIV=172.16.0.1 NAT_IN=172.16.0.254 NAT_PUBLIC=$TOPO_GWA4

nat_teardown() {
	if [ -e "/run/netns/$NAT_NS" ]; then
		ip netns pids "$NAT_NS" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$NAT_NS" 2>/dev/null
	fi
	topo_teardown
}

nat_setup() {
	nat_teardown
	topo_setup || return 1
	ip netns add "$NAT_NS" || return 1
	ip netns exec "$NAT_NS" sysctl -qw net.ipv4.ip_forward=1 || return 1
	# Deleting gw-a's end of the transit veth deletes gw-b's too.
	ip -n gw-a link del wan || return 1
	ip -batch - <<-EOF || return 1
	link add wan netns gw-a type veth peer name in netns $NAT_NS
	link add out netns $NAT_NS type veth peer name wan netns gw-b
	EOF
	_topo_batch gw-a <<-EOF || return 1
	addr add $NAT_GWA_PRIV/24 dev wan
	link set wan up
	route add default via $NAT_IN
	EOF
	_topo_batch "$NAT_NS" <<-EOF || return 1
	link set lo up
	addr add $NAT_IN/24 dev in
	link set in up
	addr add $NAT_PUBLIC/24 dev out
	link set out up
	EOF
	_topo_batch gw-b <<-EOF || return 1
	addr add $TOPO_GWB4/24 dev wan
	link set wan up
	route add $TOPO_NETA4 via $NAT_PUBLIC
	EOF
	ip netns exec "$NAT_NS" nft -f - <<-EOF || return 1
	table ip nat {
		counter keepalive { }
		counter ike500 { }
		counter natt { }
		counter other { }
		chain count_from_gw_a {
			type filter hook forward priority 0; policy accept;
			iifname "in" udp dport 4500 udp length 9 counter name keepalive accept
			iifname "in" udp dport 500 counter name ike500 accept
			iifname "in" udp dport 4500 counter name natt accept
			iifname "in" counter name other accept
		}
		chain masquerade_to_gw_b {
			type nat hook postrouting priority srcnat; policy accept;
			oifname "out" masquerade random
		}
	}
	EOF
}

NAT6_GWA_PRIV=fd00:ffff::1 NAT6_IN=fd00:ffff::fe NAT6_PUBLIC=$TOPO_GWA6

nat_setup6() {
	ip netns exec "$NAT_NS" sysctl -qw net.ipv6.conf.all.forwarding=1 \
		net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 ||
		return 1
	_topo_batch gw-a <<-EOF || return 1
	addr add $NAT6_GWA_PRIV/64 dev wan nodad
	route add default via $NAT6_IN
	EOF
	_topo_batch "$NAT_NS" <<-EOF || return 1
	addr add $NAT6_IN/64 dev in nodad
	addr add $NAT6_PUBLIC/64 dev out nodad
	EOF
	_topo_batch gw-b <<-EOF || return 1
	addr add $TOPO_GWB6/64 dev wan nodad
	route add $TOPO_NETA6 via $NAT6_PUBLIC
	EOF
	ip netns exec "$NAT_NS" nft -f - <<-EOF || return 1
	table ip6 nat6 {
		counter natt6 { }
		counter zerocsum6 { }
		counter other6 { }
		chain count_from_gw_a {
			type filter hook forward priority 0; policy accept;
			iifname "in" udp checksum 0 counter name zerocsum6 accept
			iifname "in" udp dport 4500 counter name natt6 accept
			iifname "in" counter name other6 accept
		}
		chain masquerade_to_gw_b {
			type nat hook postrouting priority srcnat; policy accept;
			oifname "out" masquerade random
		}
	}
	EOF
}

nat_count6() {
	local out
	out=$(ip netns exec "$NAT_NS" nft list counter ip6 nat6 "$1") || return 1
	[[ $out =~ packets\ ([0-9]+) ]] || return 1
	echo "${BASH_REMATCH[1]}"
}

# Mappings made before stay until nat_flush.
nat_snat_to() {
	ip netns exec "$NAT_NS" nft -f - <<EOT
flush chain ip nat masquerade_to_gw_b
add rule ip nat masquerade_to_gw_b oifname "out" snat ip to $1 random
EOT
}

nat_flush() {
	ip netns exec "$NAT_NS" conntrack -F 2>&1 | grep -v 'flow entries have been deleted'
	return "${PIPESTATUS[0]}"
}

nat_count() {
	local out
	out=$(ip netns exec "$NAT_NS" nft list counter ip nat "$1") || return 1
	[[ $out =~ packets\ ([0-9]+) ]] || return 1
	echo "${BASH_REMATCH[1]}"
}

nat_mappings() {
	ip netns exec "$NAT_NS" conntrack -L -p udp 2>/dev/null
}
