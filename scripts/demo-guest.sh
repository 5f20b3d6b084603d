#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the demo guest (see demo.sh). Every command is shown as an
# admin would type it; keys stay in variables and are never printed.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PWD/userland/build:$PATH SHELL=/bin/bash

# run 'COMMAND': shows COMMAND unexpanded (so "$KEY" stays a name), runs it
# on a pseudo-terminal so ipsecctl prints what an admin sees.
run() {
	echo
	echo "# $1"
	script -qec "$1" /dev/null | tr -d '\r'
}

key() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }
GCM_KEY=$(key 20) CBC_KEY=$(key 32) HMAC_KEY=$(key 32) AH_KEY=$(key 20)
export GCM_KEY CBC_KEY HMAC_KEY AH_KEY

echo "## 1. kipsec.ko and manually keyed SAs"
run 'insmod kmod/kipsec.ko'
run 'dmesg | grep "kipsec:"'
run 'ipsecctl sa add spi 0x1000 src 192.0.2.1 dst 192.0.2.2 proto esp mode tunnel enc aes-gcm-16 $GCM_KEY reqid 1 soft-bytes 90M hard-bytes 100M soft-seconds 55m hard-seconds 1h'
run 'ipsecctl sa add spi 0x1001 src 192.0.2.2 dst 192.0.2.1 proto esp mode tunnel enc aes-cbc $CBC_KEY auth hmac-sha256 $HMAC_KEY reqid 1 replay-window 128 esn'
run 'ipsecctl sa add spi 0x2000 src 2001:db8::1 dst 2001:db8::2 proto ah mode transport auth hmac-sha1 $AH_KEY'
run 'ipsecctl spi alloc dst 192.0.2.1 proto esp'
run 'ipsecctl sa list'
run 'ipsecctl sa get spi 0x1000 dst 192.0.2.2 proto esp'
run 'ipsecctl -j sa get spi 0x2000 dst 2001:db8::2 proto ah'
run 'ipsecctl stats'
run 'grep . /sys/kernel/kipsec/*'
run 'ipsecctl sa add spi 0x3000 src 192.0.2.1 dst 192.0.2.2 proto esp mode tunnel enc aes-gcm-16 ${GCM_KEY:0:32}; echo "exit status $?"'
run 'ipsecctl sa flush'

echo
echo "## 2. Two gateways negotiate with IKEv1 (Main Mode + Quick Mode)"
conf=$(mktemp -d /tmp/demo.XXXXXX)
chmod 700 "$conf"
# lan-a (10.1.0.2) — gw-a (192.0.2.1) — gw-b (192.0.2.2) — lan-b (10.2.0.2)
. tests/lib/tap.sh
. tests/lib/topology.sh
topo_setup
for side in a b; do
	if [ $side = a ]; then me=1 peer=2; else me=2 peer=1; fi
	cat >"$conf/gw-$side.conf" <<EOT
config setup
	controlsocket=$conf/gw-$side.sock
	secretsfile=$conf/gw-$side.secrets

conn lan-to-lan
	left=192.0.2.$me
	right=192.0.2.$peer
	leftsubnet=10.$me.0.0/24
	rightsubnet=10.$peer.0.0/24
	authby=secret
	ike=aes256-sha256-modp2048
	esp=aes128gcm16
	auto=add
EOT
	echo '192.0.2.1 192.0.2.2 : PSK "demo only: use a long random secret"' >"$conf/gw-$side.secrets"
	chmod 600 "$conf/gw-$side.secrets"
done
echo
echo "# cat gw-a.conf"
cat "$conf/gw-a.conf"
run "ipsecd -n -f $conf/gw-a.conf && echo configuration OK"
ip netns exec gw-a ipsecd -f "$conf/gw-a.conf" 2>"$conf/gw-a.log" &
ip netns exec gw-b ipsecd -f "$conf/gw-b.conf" 2>"$conf/gw-b.log" &
for i in $(seq 50); do
	[ -S "$conf/gw-a.sock" ] && [ -S "$conf/gw-b.sock" ] && break
	sleep 0.1
done
run "ipsecctl -s $conf/gw-a.sock up lan-to-lan"
for i in $(seq 100); do
	ip netns exec gw-b ipsecctl sa list | grep -q esp && break
	sleep 0.2
done
run "ipsecctl -s $conf/gw-a.sock ike list"
run "ip netns exec gw-a ipsecctl sa list"
run "ip netns exec gw-a ipsecctl policy list"
echo
echo "## 3. Traffic between the LANs crosses the transit link as ESP only"
topo_wire_watch
run "ip netns exec lan-a ping -c 3 -i 0.2 10.2.0.2"
run "ip netns exec gw-b ipsecctl sa list"
echo
echo "# what gw-a put on the wire (nft counters on its transit interface)"
echo "ESP packets: $(topo_wire_count gw-a esp); LAN packets in clear: $(topo_wire_count gw-a clear)"
echo
echo "# iperf3 lan-a -> lan-b, 2 s of TCP through the tunnel"
echo "$(topo_iperf lan-a lan-b 2 tcp | awk '{ printf "%.1f Mbit/s received\n", $1 / 1e6 }')"
run "ip netns exec gw-a ipsecctl stats"
echo
echo "# the daemons' logs"
sed 's/^/gw-a: /' "$conf/gw-a.log"
sed 's/^/gw-b: /' "$conf/gw-b.log"
run "ipsecctl -s $conf/gw-a.sock down lan-to-lan"
sleep 1
run "ip netns exec gw-b ipsecctl sa list"
# SIGTERM: each ipsecd deletes what it installed and says goodbye.
kill $(jobs -p) 2>/dev/null
wait 2>/dev/null || true
topo_teardown
run 'rmmod kipsec'
run 'dmesg | grep "kipsec:"'
