#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ipsecd against ipsecd over a daemon's life, kipsec.ko on both gateways,
# in the lan-a — gw-a — gw-b — lan-b topology:
#   ren    192.0.2.1  <-> .2   10.1.0.0/24 <-> 10.2.0.0/24, ikelifetime 12 s,
#                              rekeymargin 4 s: the ISAKMP SA is renewed
#                              (a new Main Mode) after 6..8 s, twice
#                              under a continuous ping, and the old one
#                              deleted; then gw-a's ipsecd is killed (-9)
#                              and restarted: its MM5 carries
#                              INITIAL-CONTACT and gw-b drops the stale SAs
#   gone   192.0.2.11 <-> .12  removed from gw-a's file by a reload
#   new    192.0.2.21 <-> .22  added to gw-a's file by a reload (auto=start)
#   lossy  192.0.2.31 <-> .32  10.1.3.0/24 <-> 10.2.3.0/24, 30% of its
#                              packets lost each way (netem): Main Mode and
#                              Quick Mode still converge, traffic crosses
# plus "ipsecctl rekey", a reload that fails (file:line, nothing changes),
# SIGHUP, and --syslog.
. "$KIPSEC_TOP/tests/lib/tap.sh"
. "$KIPSEC_TOP/tests/lib/guest.sh"
. "$KIPSEC_TOP/tests/lib/topology.sh"
. "$KIPSEC_TOP/tests/lib/xfrm.sh"
. "$KIPSEC_TOP/tests/lib/ipsecd.sh"

t=$(mktemp -d /tmp/ike-life.XXXXXX)
chmod 700 "$t"
pid_a= pid_b=

cleanup() {
	kill $(jobs -p) 2>/dev/null
	[ -n "$pid_a" ] && kill -TERM "$pid_a" 2>/dev/null
	[ -n "$pid_b" ] && kill -TERM "$pid_b" 2>/dev/null
	sleep 0.5
	if [ -w /mnt/out ]; then
		cat "$t/a0.log" "$t/a.log" >/mnt/out/83-ipsecd-gw-a.log 2>/dev/null
		cp "$t/b.log" /mnt/out/83-ipsecd-gw-b.log 2>/dev/null
	fi
	topo_teardown
	rm -rf "$t"
}
trap cleanup EXIT

load_kipsec
check "topology builds" topo_setup
extra_addrs() {
	local n
	for n in 11 21 31; do echo "addr add 192.0.2.$n/24 dev wan"; done |
		ip -n gw-a -batch - || return 1
	for n in 12 22 32; do echo "addr add 192.0.2.$n/24 dev wan"; done |
		ip -n gw-b -batch - || return 1
	ip -n lan-a addr add 10.1.3.2/24 dev eth0 &&
		ip -n gw-a addr add 10.1.3.1/24 dev lan &&
		ip -n gw-a route add 10.2.3.0/24 via 192.0.2.2 &&
		ip -n lan-b addr add 10.2.3.2/24 dev eth0 &&
		ip -n gw-b addr add 10.2.3.1/24 dev lan &&
		ip -n gw-b route add 10.1.3.0/24 via 192.0.2.1
}
check "extra transit and LAN addresses" extra_addrs
# lossy's packets (IKE and ESP, to the peer's lossy address) lose 30% on
# the way out of each gateway, in a band of a prio qdisc of their own.
lose() {
	ip netns exec "$1" tc qdisc add dev wan root handle 1: prio bands 4 &&
		ip netns exec "$1" tc qdisc add dev wan parent 1:4 handle 40: \
			netem loss 30% &&
		ip netns exec "$1" tc filter add dev wan parent 1: protocol ip \
			prio 1 u32 match ip dst "$2"/32 flowid 1:4
}
check "lossy: 30% loss each way on the transit link" eval 'lose gw-a 192.0.2.32 && lose gw-b 192.0.2.31'
xfrm_warmup lan-a aes-gcm-16 >"$t/warmup.out" 2>&1 &
warm_pid=$!

IPSECD_DIR=$t
IPSECD_PSK=lifecycle-test-
# conf ME [WITHOUT] [WITH]: writes gw-ME's file; WITHOUT: a conn left out;
# WITH: an extra KEY=VALUE at the end (of the last conn). Each address pair
# has a key of its own.
conf() {
	local me=$1 without=${2:-} with=${3:-} l r i more=()
	if [ "$me" = a ]; then l=1 r=2; else l=2 r=1; fi
	[ "$without" = gone ] || more+=(conn gone left=192.0.2.1$l right=192.0.2.1$r)
	[ "$without" = new ] || more+=(conn new left=192.0.2.2$l right=192.0.2.2$r
		auto="$([ "$me" = a ] && echo start || echo add)")
	ipsecd_conf $me 192.0.2.$l 192.0.2.$r keyingtries=%forever esp=aes128gcm16 \
		setup retransmit_timeout=500ms retransmit_tries=7 \
		conn ren leftsubnet=10.$l.0.0/24 rightsubnet=10.$r.0.0/24 \
		ikelifetime=12s rekeymargin=4s rekeyfuzz=50% lifetime=120s \
		conn lossy left=192.0.2.3$l right=192.0.2.3$r \
		leftsubnet=10.$l.3.0/24 rightsubnet=10.$r.3.0/24 \
		"${more[@]}" ${with:+"$with"}
	for i in 1 2 3; do
		ipsecd_psk $me 192.0.2.$i$l 192.0.2.$i$r lifecycle-test-$i
	done
}
conf a new
conf b

start_a() {
	ip netns exec gw-a ipsecd -f "$t/a.conf" 2>>"$t/a.log" &
	pid_a=$!
}
wait_sock() {
	local i
	for i in $(seq 50); do
		[ -S "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
start_a
ip netns exec gw-b ipsecd -f "$t/b.conf" 2>"$t/b.log" &
pid_b=$!
check "both daemons listen" eval 'wait_sock "$t/a.sock" && wait_sock "$t/b.sock"'
ike_a() { ipsecd_ctl a "$@"; }
ike_b() { ipsecd_ctl b "$@"; }

up_both() {
	local s
	for s in a b; do
		"ike_$s" -j ike list | jq -e --arg c "$1" \
			'map(select(.conn == $c and (.ipsec_sas | map(select(.state == "installed")) | length) > 0)) | length > 0' \
			>/dev/null || return 1
	done
}
wait_up() {
	local i
	for i in $(seq "$(($2 * 4))"); do
		up_both "$1" && return 0
		sleep 0.25
	done
	return 1
}
# isakmp NS-SIDE CONN: "COOKIE_I:COOKIE_R" of each established ISAKMP SA.
isakmp() {
	"ike_$1" -j ike list | jq -r --arg c "$2" \
		'.[] | select(.conn == $c and .state == "established") | "\(.cookie_i):\(.cookie_r)"'
}
# spis SIDE CONN: "IN OUT" of the conn's current pair.
spis() {
	"ike_$1" -j ike list | jq -r --arg c "$2" \
		'[.[] | select(.conn == $c) | .ipsec_sas[] | select(.state == "installed") | "\(.spi_in) \(.spi_out)"] | first // ""'
}
# kipsec's SAs between two transit addresses, on gateway NS.
sa_count() {
	ip netns exec "$1" ipsecctl -j sa list | jq --arg x "$2" --arg y "$3" \
		'map(select((.src == $x and .dst == $y) or (.src == $y and .dst == $x))) | length'
}

wait $warm_pid
expect_eq "crypto warm-up" "$?" 0
t0=$(date +%s)
check "ipsecctl up ren" ike_a up ren
check "ipsecctl up gone" ike_a up gone
check "ren established" wait_up ren 20
check "gone established" wait_up gone 20

# ---- ISAKMP SA renewal under traffic -------------------------------------
first=$(isakmp a ren)
expect_match "ren: one ISAKMP SA on gw-a" "$first" '^[0-9a-f]{16}:[0-9a-f]{16}$'
# -W 5: the last reply may come late after a vCPU stall under TCG; a
# reply that comes at all was not lost.
ip netns exec lan-a ping -n -i 0.2 -c 90 -W 5 10.2.0.2 >"$t/ping-ren" 2>&1 &
ping_ren=$!
# The lossy conn meanwhile: 30% of its packets lost each way.
l0=$(date +%s)
check "ipsecctl up lossy" ike_a up lossy
sampler() {
	while :; do
		echo "$(isakmp a ren | wc -l) $(isakmp b ren | wc -l)" >>"$t/isakmp-count"
		sleep 1
	done
}
sampler &
samp=$!
check "lossy: established in spite of 30% loss each way" wait_up lossy 50
diag "lossy: established after $(($(date +%s) - l0)) s"
lossy_ping() {
	local n
	n=$(ip netns exec lan-a ping -n -q -c 20 -i 0.2 -W 1 -I 10.1.3.2 10.2.3.2 |
		sed -n 's/.* \([0-9]*\) received.*/\1/p')
	diag "lossy: $n of 20 pings answered (each way 30% lost: ~49% expected)"
	[ "${n:-0}" -ge 3 ]
}
check "lossy: traffic crosses (at least 3 of 20 pings answered)" lossy_ping
netem_drops() {
	ip netns exec "$1" tc -s qdisc show dev wan |
		awk '/^qdisc netem/ { n = 1; next } n && /dropped/ { sub(",", "", $7); print $7; exit }'
}
drops="$(netem_drops gw-a) $(netem_drops gw-b)"
diag "lossy: netem dropped $drops packets (gw-a gw-b)"
expect_eq "lossy: netem really dropped packets both ways" \
	"$(set -- $drops; [ "${1:-0}" -gt 0 ] && [ "${2:-0}" -gt 0 ] && echo yes)" yes
ip netns exec gw-a tc qdisc del dev wan root
ip netns exec gw-b tc qdisc del dev wan root
wait $ping_ren
kill $samp 2>/dev/null
wait $samp 2>/dev/null
loss() {
	sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' "$1"
}
expect_eq "ren: 90 pings over 18 s, none lost across ISAKMP renewals" "$(loss "$t/ping-ren")" 0
[ "$(loss "$t/ping-ren")" = 0 ] ||
	diag "ren: no reply to icmp_seq $(seq 90 | grep -vxFf <(sed -n 's/.*icmp_seq=\([0-9]*\) .*/\1/p' "$t/ping-ren") | tr '\n' ' ')"
n_renew=$(grep -c 'ren: renewing the ISAKMP SA' "$t/a.log" "$t/b.log" | awk -F: '{ s += $2 } END { print s }')
diag "ren: $n_renew renewals in $(($(date +%s) - t0)) s, ISAKMP SAs seen at once (gw-a gw-b): $(sort -u "$t/isakmp-count" | tr '\n' ',')"
expect_eq "ren: the ISAKMP SA was renewed at least twice" "$([ "$n_renew" -ge 2 ] && echo yes)" yes
expect_eq "ren: each replaced ISAKMP SA deleted with a Delete" \
	"$([ "$(grep -c 'ren: deleting the replaced ISAKMP SA' "$t/a.log" "$t/b.log" | awk -F: '{ s += $2 } END { print s }')" -ge 2 ] && echo yes)" yes
expect_eq "ren: the peer honoured the Deletes" \
	"$([ "$(grep -c 'ren: peer deleted the ISAKMP SA' "$t/a.log" "$t/b.log" | awk -F: '{ s += $2 } END { print s }')" -ge 2 ] && echo yes)" yes
expect_eq "ren: never more than 2 ISAKMP SAs at once on either side" \
	"$(awk '$1 > 2 || $2 > 2 { bad = 1 } END { print bad ? "no" : "yes" }' "$t/isakmp-count")" yes
# (Renewals come every 6..8 s: read both sides again if one fell between.)
same_sa() {
	local x
	x=$(isakmp a ren)
	[ "$(echo "$x" | wc -l)" = 1 ] && [ "$x" = "$(isakmp b ren)" ]
}
check "ren: one ISAKMP SA left on each side, the same" \
	eval 'for i in $(seq 12); do same_sa && exit 0; sleep 0.25; done; exit 1'
now=$(isakmp a ren)
expect_eq "ren: its cookies changed" "$([ -n "$now" ] && [ "$now" != "$first" ] && echo yes)" yes
expect_eq "no IPsec SA reached its hard limit, none expired with its ISAKMP SA" \
	"$(cat "$t/a.log" "$t/b.log" | grep -c 'reached its hard\|ISAKMP SA expired')" 0

# ---- ipsecctl rekey: a Quick Mode under the renewed ISAKMP SA ------------
before=$(spis a ren)
out=$(ike_a rekey ren)
expect_eq "ipsecctl rekey ren starts a Quick Mode" "$out" "initiating Quick Mode"
rekeyed() { [ -n "$(spis a ren)" ] && [ "$(spis a ren)" != "$before" ]; }
check "ren: a new pair after the rekey (Quick Mode under the new ISAKMP SA)" \
	eval 'for i in $(seq 40); do rekeyed && exit 0; sleep 0.25; done; exit 1'
expect_eq "ren: it ran under a renewed ISAKMP SA (the first one is gone)" \
	"$(isakmp a ren | grep -c "$first")" 0
check_fails "ipsecctl rekey of an unknown conn fails" ike_a rekey nosuch

# ---- INITIAL-CONTACT: gw-a's daemon dies and comes back -------------------
# Right after a renewal, so that gw-b does not renew the ISAKMP SA of the
# dead daemon (it would then have a new one with gw-a, and gw-a no reason
# for INITIAL-CONTACT) while gw-a restarts.
cur=$(isakmp a ren)
check "ren: the next renewal" eval 'for i in $(seq 80); do n=$(isakmp a ren); [ -n "$n" ] && [ "$n" != "$cur" ] && [ "$(echo "$n" | wc -l)" = 1 ] && exit 0; sleep 0.25; done; exit 1'
kill -9 "$pid_a"
wait "$pid_a" 2>/dev/null
mv "$t/a.log" "$t/a0.log"
rm -f "$t/a.sock"
diag "gw-b before the restart: $(sa_count gw-b 192.0.2.1 192.0.2.2) SAs of ren, $(isakmp b ren | wc -l) ISAKMP SA"
start_a
check "gw-a's ipsecd restarted" wait_sock "$t/a.sock"
check "ipsecctl up ren (after the restart)" ike_a up ren
check "ren established again" wait_up ren 20
# (gw-b's stale ISAKMP SA may have expired meanwhile: 12 s lifetime.)
expect_match "gw-a sent INITIAL-CONTACT, gw-b deleted the stale SAs" \
	"$(grep 'INITIAL-CONTACT' "$t/b.log")" 'ren: INITIAL-CONTACT from 192\.0\.2\.1: deleted [01] stale ISAKMP SAs? and [1-9][0-9]* IPsec SA pairs?'
sleep 0.5
expect_eq "gw-b: only the new pair of ren left in kipsec" "$(sa_count gw-b 192.0.2.1 192.0.2.2)" 2
expect_eq "gw-b: one ISAKMP SA for ren" "$(isakmp b ren | wc -l)" 1
check "ren: traffic flows after the restart" topo_ping lan-a lan-b 3
# gone's SAs on gw-b were purged as well (same peer? no: other addresses).
expect_eq "gw-b: gone (other addresses) untouched by it" "$(sa_count gw-b 192.0.2.11 192.0.2.12)" 2
# The killed daemon's SAs of gone are still in gw-a's kipsec; bring it up
# again for the reload below.
check "ipsecctl up gone (after the restart)" ike_a up gone
check "gone established again" wait_up gone 20

# ---- reload ----------------------------------------------------------------
ren_spis=$(spis a ren)
conf a gone
out=$(ike_a reload 2>&1)
expect_eq "ipsecctl reload succeeds" "$?" 0
expect_match "reload: 2 kept, 1 added, 1 removed" "$out" 'reloaded .*a\.conf: 2 connections kept, 1 added, 1 removed or changed'
check "new (added, auto=start) comes up" wait_up new 20
expect_eq "gw-b: gone's SAs deleted (Deletes from gw-a)" \
	"$(for i in $(seq 20); do [ "$(sa_count gw-b 192.0.2.11 192.0.2.12)" = 0 ] && break; sleep 0.25; done; sa_count gw-b 192.0.2.11 192.0.2.12)" 0
expect_eq "gw-a: gone no longer listed" "$(ike_a -j ike list | jq '[.[] | select(.conn == "gone")] | length')" 0
expect_eq "ren: untouched by the reload (same SPIs)" "$(spis a ren)" "$ren_spis"
check "ren: traffic flows after the reload" topo_ping lan-a lan-b 3

# A broken file: nothing changes, the caller learns where.
conf a gone bogus=1
bad_line=$(grep -n 'bogus' "$t/a.conf" | cut -d: -f1)
out=$(ike_a reload 2>&1)
rc=$?
expect_eq "reload of a broken file fails (exit status 1)" "$rc" 1
expect_match "the error names file:line" "$out" "a\\.conf:$bad_line: unknown key \"bogus\""
expect_eq "ren and new still up after the failed reload" \
	"$(up_both ren && up_both new && echo yes)" yes
expect_eq "ren: same SPIs after the failed reload" "$(spis a ren)" "$ren_spis"

# SIGHUP does the same: new goes away.
conf a new
kill -HUP "$pid_a"
check "SIGHUP: reloaded (new removed, gone back)" eval 'for i in $(seq 20); do grep -q "reloaded .*: 2 connections kept, 1 added, 1 removed" "$t/a.log" && exit 0; sleep 0.25; done; exit 1'
expect_eq "gw-b: new's SAs deleted after SIGHUP" \
	"$(for i in $(seq 20); do [ "$(sa_count gw-b 192.0.2.21 192.0.2.22)" = 0 ] && break; sleep 0.25; done; sa_count gw-b 192.0.2.21 192.0.2.22)" 0
expect_eq "ren: still the same SPIs" "$(spis a ren)" "$ren_spis"

# ---- --syslog --------------------------------------------------------------
# A datagram socket at /dev/log in the guest's own /dev stands in for
# syslogd: ipsecd's lines arrive there as "<PRI>... ipsecd[PID]: text".
rm -f /dev/log
python3 -S -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
s.settimeout(20)
open(sys.argv[1], "w").close()
with open(sys.argv[1], "a") as out:
    while True:
        try:
            out.write(s.recv(2048).decode(errors="replace") + "\n")
            out.flush()
        except socket.timeout:
            break
' "$t/syslog" &
sl=$!
for i in $(seq 40); do [ -e "$t/syslog" ] && break; sleep 0.1; done
printf 'config setup\n\tcontrolsocket=%s/s.sock\n' "$t" >"$t/s.conf"
: >"$t/s.secrets"
chmod 600 "$t/s.secrets"
ip netns exec lan-b ipsecd --syslog -f "$t/s.conf" -s "$t/s.secrets" 2>"$t/s.err" &
spid=$!
wait_sock "$t/s.sock"
kill -TERM $spid
wait $spid
for i in $(seq 20); do grep -q stopped "$t/syslog" && break; sleep 0.1; done
kill $sl 2>/dev/null
expect_match "--syslog: lines reach syslog, facility daemon, level info" \
	"$(grep started "$t/syslog")" "^<30>.*ipsecd\\[$spid\\]: ipsecd .* started"
expect_eq "--syslog: nothing on stderr" "$(wc -c <"$t/s.err")" 0
rm -f /dev/log

kill -TERM "$pid_a" "$pid_b"
wait "$pid_a" "$pid_b" 2>/dev/null
pid_a= pid_b=
expect_eq "after SIGTERM: no policy left on gw-b" \
	"$(ip netns exec gw-b ipsecctl -j stats | jq '.policy_count')" 0
if grep -q 'lifecycle-test' "$t/a0.log" "$t/a.log" "$t/b.log"; then fail "logs never contain a PSK"; else ok "logs never contain a PSK"; fi

if [ "$TAP_FAILED" -ne 0 ]; then
	diag "--- gw-a log tail"
	tail -n 60 "$t/a.log" | sed 's/^/#   /'
	diag "--- gw-b log tail"
	tail -n 60 "$t/b.log" | sed 's/^/#   /'
fi
tap_done
