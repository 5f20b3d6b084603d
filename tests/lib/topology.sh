# SPDX-License-Identifier: GPL-2.0
#
# The four-namespace gateway topology for packet-path and IKE tests:
#
#   lan-a                gw-a                          gw-b                lan-b
#   eth0 ---------- lan        wan ------------------ wan        lan ---------- eth0
#   10.1.0.2/24     10.1.0.1   192.0.2.1/24  192.0.2.2/24         10.2.0.1     10.2.0.2/24
#   fd00:a::2/64    fd00:a::1  2001:db8::1/64 2001:db8::2/64      fd00:b::1    fd00:b::2/64
#
# The transit link uses the documentation ranges (RFC 5737 / RFC 3849): it is
# what appears in SA endpoints and on the wire. The LANs use private ranges,
# so an inner address can never be mistaken for an outer one in a capture
# or a counter rule. The LAN hosts route everything through their gateway;
# each gateway has a plain route to the other LAN via the other gateway, so
# without IPsec the traffic crosses in clear (useful as a baseline and to
# show that policies really take over). Interface names are fixed ("eth0" on
# the hosts, "lan"/"wan" on the gateways) so tests can read counters by name.
#
# Source after tests/lib/tap.sh. Needs: ip, ping, iperf3, jq, nft.
#
# Functions:
#   topo_setup              build it (tears down a previous one first);
#                           returns non-zero if any step failed
#   topo_teardown           kill every process in the four namespaces and
#                           delete them; idempotent, safe when nothing exists
#   topo_addr NS [4|6]      print NS's address (gateways: the transit one)
#   topo_ping FROM TO [COUNT]
#                           ping from namespace FROM to TO (a namespace name,
#                           or an address: "topo_ping lan-a fd00:b::2"); add
#                           TOPO_FAMILY=6 to ping a name over IPv6. Prints the
#                           loss in percent; status 0 only when nothing was lost
#   topo_iperf FROM TO SECONDS [tcp|udp] [STREAMS]
#                           iperf3 server in TO (one test, then it exits),
#                           client in FROM; prints "BITS_PER_SECOND BYTES" as
#                           the receiver saw them (integers). Status non-zero
#                           when iperf3 failed or moved nothing. Env:
#                           TOPO_FAMILY (4|6), TOPO_IPERF_UDP_RATE (iperf3 -b,
#                           default 0 = unlimited), TOPO_IPERF_ARGS (more
#                           client options), TOPO_IPERF_JSON=FILE keeps the
#                           client's JSON
#   topo_counter NS IFACE STAT
#                           print /sys/class/net/IFACE/statistics/STAT in NS
#                           (rx_packets, tx_bytes, rx_dropped, ...)
#   topo_wire_watch         count what each gateway really transmits on the
#                           transit link (nft netdev egress hook on "wan",
#                           i.e. after any IPsec transform, exactly what goes
#                           on the wire); resets the counters when called again
#   topo_wire_count NS NAME print the packet count of counter NAME in gateway
#                           NS: esp, ah, espinudp (UDP port 4500 with a
#                           non-zero first payload word: not IKE), ike (UDP
#                           500, and 4500 with the zero non-ESP marker),
#                           clear (an IPv4/IPv6 packet whose own addresses
#                           are LAN addresses: inner traffic visible on the
#                           wire, i.e. NOT protected)
#
# Why egress and not tcpdump/ingress: a tunnel-mode packet decrypted by the
# kernel is re-injected on the device it arrived on, so ingress taps and
# prerouting see it a second time in clear; egress on the sender sees only
# what the wire carries.

TOPO_NS="lan-a gw-a gw-b lan-b"

TOPO_LANA4=10.1.0.2 TOPO_GWA_LAN4=10.1.0.1 TOPO_NETA4=10.1.0.0/24
TOPO_LANB4=10.2.0.2 TOPO_GWB_LAN4=10.2.0.1 TOPO_NETB4=10.2.0.0/24
TOPO_GWA4=192.0.2.1 TOPO_GWB4=192.0.2.2 TOPO_TRANSIT4=192.0.2.0/24
TOPO_LANA6=fd00:a::2 TOPO_GWA_LAN6=fd00:a::1 TOPO_NETA6=fd00:a::/64
TOPO_LANB6=fd00:b::2 TOPO_GWB_LAN6=fd00:b::1 TOPO_NETB6=fd00:b::/64
TOPO_GWA6=2001:db8::1 TOPO_GWB6=2001:db8::2 TOPO_TRANSIT6=2001:db8::/64

topo_teardown() {
	local ns
	for ns in $TOPO_NS; do
		[ -e "/run/netns/$ns" ] || continue
		# Processes (charon, iperf3) keep a namespace's sockets alive;
		# kill them so the namespace and its SAs really go away now.
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	return 0
}

# Under TCG with the root on 9p every exec costs ~0.1-0.5 s, so the setup is
# one `ip -batch` and one sysctl per namespace rather than ~40 commands.
# _topo_batch NS: run the ip commands on stdin in NS, naming NS on failure.
_topo_batch() {
	ip -n "$1" -batch - || {
		echo "# topology: ip -batch failed in $1" >&2
		return 1
	}
}

# nodad: IPv6 addresses must be usable at once, not after duplicate address
# detection; only the gateways forward.
topo_setup() {
	local ns fwd
	topo_teardown
	for ns in $TOPO_NS; do
		ip netns add "$ns" || return 1
		fwd=0
		case $ns in gw-*) fwd=1 ;; esac
		ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=$fwd \
			net.ipv6.conf.all.forwarding=$fwd \
			net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0 || return 1
	done
	ip -batch - <<-EOF || return 1
	link add eth0 netns lan-a type veth peer name lan netns gw-a
	link add wan netns gw-a type veth peer name wan netns gw-b
	link add lan netns gw-b type veth peer name eth0 netns lan-b
	EOF
	_topo_batch lan-a <<-EOF || return 1
	link set lo up
	addr add $TOPO_LANA4/24 dev eth0
	addr add $TOPO_LANA6/64 dev eth0 nodad
	link set eth0 up
	route add default via $TOPO_GWA_LAN4
	route add ::/0 via $TOPO_GWA_LAN6
	EOF
	_topo_batch gw-a <<-EOF || return 1
	link set lo up
	addr add $TOPO_GWA_LAN4/24 dev lan
	addr add $TOPO_GWA_LAN6/64 dev lan nodad
	link set lan up
	addr add $TOPO_GWA4/24 dev wan
	addr add $TOPO_GWA6/64 dev wan nodad
	link set wan up
	route add $TOPO_NETB4 via $TOPO_GWB4
	route add $TOPO_NETB6 via $TOPO_GWB6
	EOF
	_topo_batch gw-b <<-EOF || return 1
	link set lo up
	addr add $TOPO_GWB_LAN4/24 dev lan
	addr add $TOPO_GWB_LAN6/64 dev lan nodad
	link set lan up
	addr add $TOPO_GWB4/24 dev wan
	addr add $TOPO_GWB6/64 dev wan nodad
	link set wan up
	route add $TOPO_NETA4 via $TOPO_GWA4
	route add $TOPO_NETA6 via $TOPO_GWA6
	EOF
	_topo_batch lan-b <<-EOF || return 1
	link set lo up
	addr add $TOPO_LANB4/24 dev eth0
	addr add $TOPO_LANB6/64 dev eth0 nodad
	link set eth0 up
	route add default via $TOPO_GWB_LAN4
	route add ::/0 via $TOPO_GWB_LAN6
	EOF
}

topo_addr() {
	local fam=${2:-${TOPO_FAMILY:-4}}
	case "$1/$fam" in
	lan-a/4) echo $TOPO_LANA4 ;;
	lan-a/6) echo $TOPO_LANA6 ;;
	lan-b/4) echo $TOPO_LANB4 ;;
	lan-b/6) echo $TOPO_LANB6 ;;
	gw-a/4) echo $TOPO_GWA4 ;;
	gw-a/6) echo $TOPO_GWA6 ;;
	gw-b/4) echo $TOPO_GWB4 ;;
	gw-b/6) echo $TOPO_GWB6 ;;
	*) echo "$1" ;; # already an address
	esac
}

topo_ping() {
	local from=$1 to count=${3:-5} out loss
	to=$(topo_addr "$2")
	# -i 0.2 keeps a test short; -W 2 leaves time for a slow first packet
	# (an SA being negotiated, ARP/ND) without hanging on a dead path.
	out=$(ip netns exec "$from" ping -n -q -c "$count" -i 0.2 -W 2 "$to" 2>&1)
	loss=100
	[[ $out =~ \ ([0-9.]+)%\ packet\ loss ]] && loss=${BASH_REMATCH[1]}
	echo "$loss"
	[ "$loss" = 0 ]
}

topo_iperf() {
	local from=$1 to=$2 secs=$3 proto=${4:-tcp} streams=${5:-1}
	local addr spid json rc i args
	addr=$(topo_addr "$to")
	case "$to" in lan-a | lan-b | gw-a | gw-b) ;; *)
		echo "topo_iperf: TO must be a namespace name" >&2
		return 2
		;;
	esac
	json=${TOPO_IPERF_JSON:-$(mktemp /tmp/topo-iperf.XXXXXX)}
	ip netns exec "$to" iperf3 -s -1 -B "$addr" >/dev/null 2>&1 </dev/null &
	spid=$!
	# The client fails with "connection refused" if it races the server.
	for i in $(seq 50); do
		ip netns exec "$to" ss -Hltn "sport = :5201" | grep -q . && break
		sleep 0.1
	done
	args=(-c "$addr" -t "$secs" -P "$streams" -J)
	[ "$proto" = udp ] && args+=(-u -b "${TOPO_IPERF_UDP_RATE:-0}")
	# shellcheck disable=SC2206 # TOPO_IPERF_ARGS is a word list on purpose
	args+=(${TOPO_IPERF_ARGS:-})
	timeout $((secs + 20)) ip netns exec "$from" iperf3 "${args[@]}" >"$json" 2>&1
	rc=$?
	kill "$spid" 2>/dev/null
	wait "$spid" 2>/dev/null
	if [ $rc -ne 0 ]; then
		echo "topo_iperf: iperf3 failed ($rc): $(jq -r '.error // empty' "$json" 2>/dev/null || head -c 300 "$json")" >&2
		[ -n "${TOPO_IPERF_JSON:-}" ] || rm -f "$json"
		return 1
	fi
	# TCP: the receiver's totals. UDP (iperf3 3.12): .end.sum is the
	# sender's rate plus the receiver's loss, so scale by what arrived.
	if [ "$proto" = udp ]; then
		jq -r '.end.sum | [(.bits_per_second * (100 - .lost_percent) / 100 | floor),
			(.bytes * (100 - .lost_percent) / 100 | floor)] | @tsv' "$json" | tr '\t' ' '
	else
		jq -r '.end.sum_received | [(.bits_per_second | floor), .bytes] | @tsv' "$json" | tr '\t' ' '
	fi | {
		read -r bps bytes
		echo "$bps $bytes"
		[ "${bytes:-0}" -gt 0 ] 2>/dev/null
	}
	rc=$?
	[ -n "${TOPO_IPERF_JSON:-}" ] || rm -f "$json"
	return $rc
}

topo_counter() {
	ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3"
}

topo_wire_watch() {
	local ns
	for ns in gw-a gw-b; do
		# Order matters: a packet is counted once, by the first rule
		# that matches. @th,64,32 is the first 4 bytes of UDP payload:
		# zero is the RFC 3948 non-ESP marker (IKE on port 4500). The
		# add/delete pair makes a re-run replace the table (and zero the
		# counters) in the same single nft call.
		ip netns exec "$ns" nft -f - <<-EOF || return 1
		add table netdev topo_wire
		delete table netdev topo_wire
		table netdev topo_wire {
			counter w_esp { }
			counter w_ah { }
			counter w_espinudp { }
			counter w_ike { }
			counter w_clear { }
			counter w_other { }
			chain egress {
				type filter hook egress device "wan" priority 0; policy accept;
				meta l4proto esp counter name w_esp accept
				meta l4proto ah counter name w_ah accept
				udp dport 500 counter name w_ike accept
				udp sport 500 counter name w_ike accept
				udp dport 4500 @th,64,32 0 counter name w_ike accept
				udp sport 4500 @th,64,32 0 counter name w_ike accept
				udp dport 4500 counter name w_espinudp accept
				udp sport 4500 counter name w_espinudp accept
				ip saddr { $TOPO_NETA4, $TOPO_NETB4 } counter name w_clear accept
				ip daddr { $TOPO_NETA4, $TOPO_NETB4 } counter name w_clear accept
				ip6 saddr { $TOPO_NETA6, $TOPO_NETB6 } counter name w_clear accept
				ip6 daddr { $TOPO_NETA6, $TOPO_NETB6 } counter name w_clear accept
				counter name w_other
			}
		}
		EOF
	done
}

topo_wire_count() {
	local out
	# nft keywords (esp, ah) cannot name counters: they are prefixed.
	out=$(ip netns exec "$1" nft list counter netdev topo_wire "w_$2") || return 1
	[[ $out =~ packets\ ([0-9]+) ]] || return 1
	echo "${BASH_REMATCH[1]}"
}
