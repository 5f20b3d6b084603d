#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Request versus require (ipsecd's level=, fallback.c), gw-a running
# ipsecd toward gw-b, which has no IKE daemon at first:
#   req     10.1.0.0/24 <-> 10.2.0.0/24, level=request, fallback_timeout=3s:
#           the first packets are held back (kipsec drop_out_no_sa) while
#           ipsecd asks gw-b for IPsec; with no answer after 3 s the flow
#           falls back to clear text through a time-limited bypass policy
#           (ipsecctl policy list, ipsecctl ike list shows its remaining
#           time); clear traffic from lan-b is accepted;
#   strict  10.1.2.0/24 <-> 10.2.2.0/24, same peer, level=require: nothing
#           gets through, every packet is counted as a drop, and ipsecd
#           retries with backoff;
#   then ipsecd starts on gw-b and negotiates req: the flow moves into ESP
#           while it runs, without restarting anything on gw-a, and the
#           bypass goes;
#   refuse  10.1.3.0/24 <-> 10.2.3.0/24, level=request with a long
#           fallback_timeout: gw-b answers its Quick Mode with
#           NO_PROPOSAL_CHOSEN, and gw-a falls back at once; its bypass
#           has a kipsec lifetime of fallback_lifetime (20 s): kipsec
#           deletes it, ipsecd hears it and negotiates again (refused
#           again: a new bypass); killed with SIGKILL, ipsecd leaves that
#           bypass behind, and kipsec deletes it by itself.
. "$KIPSEC_TOP/tests/lib/tap.sh"
. "$KIPSEC_TOP/tests/lib/guest.sh"
. "$KIPSEC_TOP/tests/lib/topology.sh"
. "$KIPSEC_TOP/tests/lib/xfrm.sh"

load_kipsec
nl_start
t=$(mktemp -d /tmp/fallback-test.XXXXXX)
chmod 700 "$t"

check "topology builds" topo_setup
more_lans() {
	local n
	for n in 2 3; do
		ip -n lan-a addr add 10.1.$n.2/24 dev eth0 &&
			ip -n gw-a addr add 10.1.$n.1/24 dev lan &&
			ip -n gw-a route add 10.2.$n.0/24 via 192.0.2.2 &&
			ip -n lan-b addr add 10.2.$n.2/24 dev eth0 &&
			ip -n gw-b addr add 10.2.$n.1/24 dev lan &&
			ip -n gw-b route add 10.1.$n.0/24 via 192.0.2.1 || return 1
	done
}
check "two more pairs of LANs" more_lans
xfrm_warmup lan-a aes-gcm-16 >"$t/warmup.out" 2>&1 &
warm_pid=$!

cat >"$t/a.conf" <<EOT
config setup
	controlsocket=$t/a.sock
	secretsfile=$t/a.secrets
	retransmit_timeout=1s
	retransmit_tries=1

conn %default
	left=192.0.2.1
	right=192.0.2.2
	authby=secret
	auto=route

conn req
	leftsubnet=10.1.0.0/24
	rightsubnet=10.2.0.0/24
	level=request
	fallback_timeout=3s
	fallback_lifetime=90s

conn strict
	leftsubnet=10.1.2.0/24
	rightsubnet=10.2.2.0/24
	level=require

conn refuse
	leftsubnet=10.1.3.0/24
	rightsubnet=10.2.3.0/24
	level=request
	fallback_timeout=60s
	fallback_lifetime=20s
	esp=aes256gcm16
EOT
cat >"$t/b.conf" <<EOT
config setup
	controlsocket=$t/b.sock
	secretsfile=$t/b.secrets
	retransmit_timeout=1s

conn req
	left=192.0.2.2
	right=192.0.2.1
	leftsubnet=10.2.0.0/24
	rightsubnet=10.1.0.0/24
	authby=secret
	auto=start

conn refuse
	left=192.0.2.2
	right=192.0.2.1
	leftsubnet=10.2.3.0/24
	rightsubnet=10.1.3.0/24
	authby=secret
	esp=aes128gcm16
EOT
for me in a b; do
	echo '192.0.2.1 192.0.2.2 : PSK "fallback-test-psk"' >"$t/$me.secrets"
	chmod 600 "$t/$me.secrets"
done
check "ipsecd -n accepts level=request and fallback_*" ipsecd -n -f "$t/a.conf"

in_ns gw-a ipsecd -f "$t/a.conf" 2>"$t/a.log" &
for i in $(seq 50); do
	[ -S "$t/a.sock" ] && break
	sleep 0.1
done
ike_a() { ipsecctl -s "$t/a.sock" "$@"; }
stat_a() { in_ns gw-a ipsecctl -j stats | jq ".$1"; }
pols_a() { in_ns gw-a ipsecctl -j policy list; }
# wait_for (tests/lib/guest.sh) polls every 0.5 s here.
WAIT_FOR_EVERY=0.5
bypass() {
	pols_a | jq -r --arg s "${1:-10.1.0.0}" \
		'.[] | select(.action == "bypass" and .dir == "out" and .src == $s) | .priority'
}

expect_eq "req, strict and refuse routed at start: in, fwd, out each" \
	"$(pols_a | jq -r '[.[] | "\(.tmpl.reqid):\(.dir):\(.tmpl.level)"] | sort | join(" ")')" \
	"1:fwd:request 1:in:request 1:out:require 2:fwd:require 2:in:require 2:out:require 3:fwd:request 3:in:request 3:out:require"

# require: nothing crosses, drops are counted (its retries run meanwhile).
d0=$(stat_a drop_out_no_sa)
out=$(in_ns lan-a ping -n -q -c 4 -i 0.3 -W 1 -I 10.1.2.2 10.2.2.2 2>&1)
expect_match "strict: no traffic without IPsec" "$out" ' 0 received'
expect_eq "strict: every packet counted as dropped (drop_out_no_sa +4)" \
	"$(($(stat_a drop_out_no_sa) - d0))" 4

# request: held back, then clear text after fallback_timeout.
topo_wire_watch
d0=$(stat_a drop_out_no_sa)
start=$(date +%s)
in_ns lan-a ping -n -q -c 1 -W 1 10.2.0.2 >/dev/null 2>&1
has_bypass() { [ -n "$(bypass)" ]; }
check "req: a bypass appears after the peer stays silent" wait_for 15 has_bypass
took=$(($(date +%s) - start))
expect_eq "req: after fallback_timeout (3 s), not before: ${took}s in 2..8" \
	"$([ $took -ge 2 ] && [ $took -le 8 ] && echo yes)" yes
expect_eq "req: the packet that found no SA was counted (drop_out_no_sa)" \
	"$([ "$(stat_a drop_out_no_sa)" -gt "$d0" ] && echo yes)" yes
prio=$(pols_a | jq -r '.[] | select(.tmpl.reqid == 1 and .dir == "out") | .priority')
expect_eq "req: the bypass (policy list) is looked at before req's protect policy" \
	"$(bypass)" "$((prio - 1))"
expect_eq "req: the bypass has kipsec's lifetime, fallback_lifetime, and time left" \
	"$(pols_a | jq -r '.[] | select(.action == "bypass" and .src == "10.1.0.0") | "\(.lifetime) \(.expires_in > 60 and .expires_in <= 90)"')" \
	"90 true"
expect_match "req: policy list (tab-separated) ends with lifetime and time left" \
	"$(in_ns gw-a ipsecctl policy list | awk -F'\t' '$9 == "bypass" && $4 == "10.1.0.0/24" { print $16, $17 }')" \
	'^90 [0-9]+$'
check "req: lan-a -> lan-b in clear text" topo_ping lan-a lan-b 3
check "req: clear traffic from lan-b is accepted (in/fwd level request)" topo_ping lan-b lan-a 2
expect_eq "req: on the wire in the clear (counted), no ESP" \
	"$([ "$(topo_wire_count gw-a clear)" -ge 3 ] && echo yes) $(topo_wire_count gw-a esp)" "yes 0"
expect_match "req: gw-a logs the fallback" "$(cat "$t/a.log")" \
	'req: level=request: no IPsec SA after 3 s; 10\.1\.0\.0/24 === 10\.2\.0\.0/24 falls back to clear text for 90 s'
fb=$(ike_a -j ike list | jq -c '.[] | select(.conn == "req") | .fallback')
expect_eq "req: ike list shows the active fallback" \
	"$(jq -r '"\(.active) \(.count) \(.remaining > 60 and .remaining <= 90)"' <<<"$fb")" "true 1 true"
expect_match "req: ike list (table) shows the level and the time left" \
	"$(script -qc "ipsecctl -s $t/a.sock ike list" /dev/null)" \
	'level request  fallback clear text \(no IPsec SA after 3 s\), [0-9]+s left, bypass policy [0-9]+'

# require, continued: no fallback, retries with backoff.
expect_eq "strict: no bypass for it" \
	"$(pols_a | jq '[.[] | select(.action == "bypass" and .src == "10.1.2.0")] | length')" 0
retried() { grep -q 'strict: Main Mode failed; attempt 2 in 1000 ms' "$t/a.log"; }
check "strict: ipsecd retries" wait_for 10 retried
backoff() { grep -q 'strict: Main Mode failed; attempt 3 in 2000 ms' "$t/a.log"; }
check "strict: with backoff (1 s, then 2 s)" wait_for 15 backoff
expect_match "strict: ike list shows level require, no fallback" \
	"$(script -qc "ipsecctl -s $t/a.sock ike list" /dev/null | tr -d '\r' | grep -A1 '^strict')" 'level require$'

# The peer starts ipsecd while lan-a keeps sending: into ESP, no restart.
in_ns lan-a ping -n -q -i 0.2 10.2.0.2 >/dev/null 2>&1 &
ping_pid=$!
pid_a=$(ip netns pids gw-a | head -n 1)
wait $warm_pid
in_ns gw-b ipsecd -f "$t/b.conf" 2>"$t/b.log" &
esp_up() { [ "$(in_ns gw-a ipsecctl -j sa list | jq length)" -ge 2 ] && [ -z "$(bypass)" ]; }
check "req: gw-b negotiates; gw-a drops the bypass" wait_for 40 esp_up
sleep 1
topo_wire_watch
sleep 2
kill $ping_pid 2>/dev/null
wait $ping_pid 2>/dev/null
expect_eq "req: the running flow now crosses as ESP, none in clear" \
	"$([ "$(topo_wire_count gw-a esp)" -ge 5 ] && echo yes) $(topo_wire_count gw-a clear)" "yes 0"
check "req: lan-a -> lan-b through IPsec" topo_ping lan-a lan-b 3
expect_eq "req: the same ipsecd on gw-a (not restarted)" "$(ip netns pids gw-a | head -n 1)" "$pid_a"
expect_match "req: gw-a logs the end of the fallback" "$(cat "$t/a.log")" \
	'req: IPsec SAs are up: the clear-text fallback ends'
expect_eq "req: ike list: no fallback active" \
	"$(ike_a -j ike list | jq -r '[.[] | select(.conn == "req") | .fallback.active] | any')" false

# request, refused: NO_PROPOSAL_CHOSEN makes gw-a fall back at once.
start=$(date +%s)
in_ns lan-a ping -n -q -c 1 -W 1 -I 10.1.3.2 10.2.3.2 >/dev/null 2>&1
refused() { [ -n "$(bypass 10.1.3.0)" ]; }
check "refuse: a bypass appears" wait_for 20 refused
took=$(($(date +%s) - start))
expect_eq "refuse: at once, well before its fallback_timeout (60 s): ${took}s <= 10s" \
	"$([ $took -le 10 ] && echo yes)" yes
expect_match "refuse: gw-a logs why" "$(cat "$t/a.log")" \
	'refuse: level=request: the peer refused: NO_PROPOSAL_CHOSEN; 10\.1\.3\.0/24 === 10\.2\.3\.0/24 falls back to clear text'
check "refuse: 10.1.3.2 -> 10.2.3.2 in clear text" \
	in_ns lan-a ping -n -q -c 2 -i 0.2 -W 2 -I 10.1.3.2 10.2.3.2

expect_eq "refuse: the bypass has a kipsec lifetime of fallback_lifetime (20 s)" \
	"$(pols_a | jq -r '.[] | select(.action == "bypass" and .src == "10.1.3.0") | "\(.lifetime) \(.expires_in >= 1 and .expires_in <= 20)"')" \
	"20 true"
first=$(pols_a | jq -r '.[] | select(.action == "bypass" and .src == "10.1.3.0") | .index')

# kipsec ends the bypass; ipsecd hears it and tries again (refused again).
heard() { grep -Eq "refuse: clear-text fallback over after 20 s \(bypass policy $first expired in kipsec\): negotiating again" "$t/a.log"; }
check "refuse: kipsec deletes the bypass after 20 s and ipsecd hears it" wait_for 60 heard
again() { local i; i=$(pols_a | jq -r '.[] | select(.action == "bypass" and .src == "10.1.3.0") | .index'); [ -n "$i" ] && [ "$i" != "$first" ]; }
check "refuse: negotiated again, refused again: a new bypass" wait_for 30 again
check_fails "refuse: ipsecd's backstop timer did not have to act" grep -q 'no word from kipsec' "$t/a.log"

# An ipsecd killed while a bypass is up leaves it, but kipsec ends it.
kill -KILL "$pid_a"
for i in $(seq 50); do kill -0 "$pid_a" 2>/dev/null || break; sleep 0.1; done
killed=$(date +%s)
expect_eq "SIGKILL: the refuse bypass is left behind for now" "$([ -n "$(bypass 10.1.3.0)" ] && echo yes)" yes
gone() { [ -z "$(bypass 10.1.3.0)" ]; }
check "SIGKILL: kipsec deletes the bypass by itself" wait_for 60 gone
took=$(($(date +%s) - killed))
expect_eq "SIGKILL: within its lifetime of 20 s plus slack: ${took}s <= 40s" \
	"$([ $took -le 40 ] && echo yes)" yes
in_ns gw-a ipsecd -f "$t/a.conf" 2>"$t/a2.log" &
started() { grep -q 'routed: policies installed' "$t/a2.log"; }
check "ipsecd starts again on gw-a" wait_for 10 started
expect_eq "no bypass after the restart" "$(bypass 10.1.3.0)" ""
kill -TERM "$(ip netns pids gw-a | head -n 1)" 2>/dev/null

[ -d /mnt/out ] && for f in a b; do cp "$t/$f.log" "/mnt/out/86-fallback-gw-$f.log"; done 2>/dev/null
if [ "$TAP_FAILED" -ne 0 ]; then
	echo "# --- gw-a log"; sed 's/^/#   /' "$t/a.log" | tail -n 60
	echo "# --- gw-b log"; sed 's/^/#   /' "$t/b.log" | tail -n 30
	echo "# --- gw-a, second ipsecd"; sed 's/^/#   /' "$t/a2.log" 2>/dev/null | tail -n 20
fi
rm -rf "$t"
topo_teardown
tap_done
