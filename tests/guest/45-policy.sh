#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Security policy database, control plane: add/get/del round-trips every
# field, the dump is in lookup order and resumable, every bad input is
# refused with its errno and the attribute at fault, commands need
# CAP_NET_ADMIN, namespaces are isolated, flush and unload free everything.
. "$KIPSEC_TOP/tests/lib/tap.sh"
. "$KIPSEC_TOP/tests/lib/guest.sh"

load_kipsec
nl_start

# --- round trips --------------------------------------------------------
sel4="pol_dir=u8:1 pol_src=ip:10.1.0.0 pol_src_plen=u8:24 pol_dst=ip:10.2.0.0 pol_dst_plen=u8:16"
out=$(nl policy_new $sel4 pol_priority=u32:77 pol_proto=u8:6 \
	pol_sport_min=u16:1024 pol_sport_max=u16:65535 pol_dport_min=u16:443 \
	pol_action=u8:3 pol_tmpl_proto=u8:50 pol_tmpl_mode=u8:2 \
	pol_tmpl_reqid=u32:42 pol_tmpl_src=ip:192.0.2.1 \
	pol_tmpl_dst=ip:192.0.2.2 pol_tmpl_level=u8:2)
expect_match "add a protect tunnel policy with every field; index returned" "$out" '^pol_index=[1-9]'
idx=${out#pol_index=}
got=$(nl policy_get pol_index=u32:$idx)
for want in pol_index=$idx pol_dir=1 pol_src=10.1.0.0 pol_src_plen=24 \
	pol_dst=10.2.0.0 pol_dst_plen=16 pol_priority=77 pol_proto=6 \
	pol_sport_min=1024 pol_sport_max=65535 pol_dport_min=443 \
	pol_dport_max=443 pol_action=3 pol_tmpl_proto=50 pol_tmpl_mode=2 \
	pol_tmpl_reqid=42 pol_tmpl_src=192.0.2.1 pol_tmpl_dst=192.0.2.2 \
	pol_tmpl_level=2; do
	if [[ " $got " == *" $want "* ]]; then ok "get returns $want"; else fail "get returns $want"; echo "#   got: $got"; fi
done
expect_eq "policy_count in STATS_GET" "$(nl stats_get | grep -o 'policy_count=[0-9]*')" policy_count=1
expect_eq "policy_count in sysfs" "$(cat /sys/kernel/kipsec/policy_count)" 1
check "delete it by index" nl policy_del pol_index=u32:$idx
expect_match "gone after delete" "$(nl policy_get pol_index=u32:$idx)" 'errno=2 .*POL_INDEX'
expect_eq "policy_count back to 0" "$(cat /sys/kernel/kipsec/policy_count)" 0

sel6="pol_dir=u8:2 pol_src=ip:2001:db8:1:: pol_src_plen=u8:48 pol_dst=ip:2001:db8:2::5"
out=$(nl policy_new $sel6 pol_action=u8:3 pol_tmpl_proto=u8:51 pol_tmpl_mode=u8:1)
idx=${out#pol_index=}
got=$(nl policy_get pol_index=u32:$idx)
for want in pol_dir=2 pol_src=2001:db8:1:: pol_src_plen=48 pol_dst=2001:db8:2::5 \
	pol_dst_plen=128 pol_priority=1000 pol_tmpl_proto=51 pol_tmpl_mode=1 \
	pol_tmpl_reqid=0 pol_tmpl_level=1; do
	if [[ " $got " == *" $want "* ]]; then ok "IPv6 transport: get returns $want (defaults)"; else fail "IPv6 transport: get returns $want"; echo "#   got: $got"; fi
done
check_fails "transport mode has no tunnel endpoints" sh -c "echo '$got' | grep -E 'pol_tmpl_(src|dst)='"
check_fails "no protocol or ports when none were given" sh -c "echo '$got' | grep -E 'pol_(proto|sport_min|dport_min)='"
check "delete it by selector" nl policy_del $sel6
expect_match "deleting it again: ENOENT naming the selector" "$(nl policy_del $sel6)" 'errno=2 msg=KIPSEC_A_POL_SRC: no policy'

out=$(nl policy_new pol_dir=u8:3 pol_src=ip:10.1.0.99 pol_src_plen=u8:24 pol_dst=ip:0.0.0.0 pol_dst_plen=u8:0 pol_action=u8:1)
idx=${out#pol_index=}
got=$(nl policy_get pol_index=u32:$idx)
expect_match "fwd bypass: host bits beyond the prefix are cleared" "$got" 'pol_src=10.1.0.0 '
check_fails "bypass has no template" sh -c "echo '$got' | grep -E 'pol_tmpl_'"
expect_match "the same selector, direction and priority again: EEXIST" \
	"$(nl policy_new pol_dir=u8:3 pol_src=ip:10.1.0.0 pol_src_plen=u8:24 pol_dst=ip:0.0.0.0 pol_dst_plen=u8:0 pol_action=u8:2)" \
	'errno=17 msg=KIPSEC_A_POL_SRC: a policy with this direction, selector and priority exists'
check "the same selector at another priority is another policy" nl policy_new pol_dir=u8:3 \
	pol_src=ip:10.1.0.0 pol_src_plen=u8:24 pol_dst=ip:0.0.0.0 pol_dst_plen=u8:0 pol_action=u8:2 pol_priority=u32:5
check "and in another direction too" nl policy_new pol_dir=u8:1 \
	pol_src=ip:10.1.0.0 pol_src_plen=u8:24 pol_dst=ip:0.0.0.0 pol_dst_plen=u8:0 pol_action=u8:2
check "flush" nl policy_flush
expect_eq "nothing left after flush" "$(nl policy_dump | grep -c '^pol_')" 0

# --- order ----------------------------------------------------------------
seen=
for p in 300 100 200 100; do
	nl policy_new pol_dir=u8:1 pol_src=ip:10.9.0.$((p / 100 + ${#seen})) \
		pol_dst=ip:10.8.0.0 pol_dst_plen=u8:16 pol_priority=u32:$p pol_action=u8:1 >/dev/null
	seen+=x
done
nl policy_new pol_dir=u8:2 pol_src=ip:10.7.0.1 pol_dst=ip:10.8.0.1 pol_priority=u32:1 pol_action=u8:2 >/dev/null
order=$(nl policy_dump | sed -n 's/.*pol_dir=\([0-9]*\).* pol_priority=\([0-9]*\).* pol_src=\([0-9.]*\).*/\1:\2:\3/p' | tr '\n' ' ')
expect_eq "dump in lookup order: direction, priority, then insertion" "$order" \
	"1:100:10.9.0.2 1:100:10.9.0.4 1:200:10.9.0.4 1:300:10.9.0.3 2:1:10.7.0.1 "
check "flush only direction out" nl policy_flush pol_dir=u8:1
expect_eq "the in policy survives" "$(nl policy_dump | grep -c 'pol_dir=2')" 1
check "flush everything" nl policy_flush

# --- bad input --------------------------------------------------------------
base="pol_dir=u8:1 pol_src=ip:10.1.0.0 pol_dst=ip:10.2.0.0"
tmpl="pol_tmpl_proto=u8:50 pol_tmpl_mode=u8:2 pol_tmpl_src=ip:192.0.2.1 pol_tmpl_dst=ip:192.0.2.2"
bad() {	# bad DESCRIPTION ERRNO PATTERN ARGS...
	local desc=$1 errno=$2 pat=$3
	shift 3
	expect_match "refused: $desc" "$(nl "$@")" "errno=$errno .*$pat"
}
bad "no direction" 22 'missing:KIPSEC_A_POL_DIR' policy_new pol_src=ip:10.1.0.0 pol_dst=ip:10.2.0.0 pol_action=u8:1
bad "direction 0" 34 'attr=KIPSEC_A_POL_DIR' policy_new pol_dir=u8:0 pol_src=ip:10.1.0.0 pol_dst=ip:10.2.0.0 pol_action=u8:1
bad "direction 4" 34 'attr=KIPSEC_A_POL_DIR' policy_new pol_dir=u8:4 pol_src=ip:10.1.0.0 pol_dst=ip:10.2.0.0 pol_action=u8:1
bad "no source" 22 'missing:KIPSEC_A_POL_SRC' policy_new pol_dir=u8:1 pol_dst=ip:10.2.0.0 pol_action=u8:1
bad "no destination" 22 'missing:KIPSEC_A_POL_DST' policy_new pol_dir=u8:1 pol_src=ip:10.2.0.0 pol_action=u8:1
bad "no action" 22 'missing:KIPSEC_A_POL_ACTION' policy_new $base
bad "action 4" 34 'attr=KIPSEC_A_POL_ACTION' policy_new $base pol_action=u8:4
bad "5-byte source" 22 'msg=KIPSEC_A_POL_SRC: must be 4.*attr=KIPSEC_A_POL_SRC' policy_new pol_dir=u8:1 pol_src=hex:0a01000000 pol_dst=ip:10.2.0.0 pol_action=u8:1
bad "3-byte destination" 22 'msg=KIPSEC_A_POL_DST: must be 4.*attr=KIPSEC_A_POL_DST' policy_new pol_dir=u8:1 pol_src=ip:10.1.0.0 pol_dst=hex:0a0100 pol_action=u8:1
bad "mixed families" 22 'msg=KIPSEC_A_POL_DST: address family differs.*attr=KIPSEC_A_POL_DST' policy_new pol_dir=u8:1 pol_src=ip:10.1.0.0 pol_dst=ip:2001:db8::1 pol_action=u8:1
bad "IPv4 prefix /33" 22 'msg=KIPSEC_A_POL_SRC_PLEN: longer.*attr=KIPSEC_A_POL_SRC_PLEN' policy_new $base pol_src_plen=u8:33 pol_action=u8:1
bad "IPv4 destination prefix /40" 22 'msg=KIPSEC_A_POL_DST_PLEN: longer.*attr=KIPSEC_A_POL_DST_PLEN' policy_new $base pol_dst_plen=u8:40 pol_action=u8:1
bad "IPv6 prefix /129" 34 'attr=KIPSEC_A_POL_SRC_PLEN' policy_new pol_dir=u8:1 pol_src=ip:2001:db8:: pol_src_plen=u8:129 pol_dst=ip:2001:db8::1 pol_action=u8:1
bad "ports without a protocol" 22 'msg=KIPSEC_A_POL_DPORT_MIN: ports need.*attr=KIPSEC_A_POL_DPORT_MIN' policy_new $base pol_dport_min=u16:80 pol_action=u8:1
bad "ports with ICMP" 22 'msg=KIPSEC_A_POL_SPORT_MIN: ports need.*attr=KIPSEC_A_POL_SPORT_MIN' policy_new $base pol_proto=u8:1 pol_sport_min=u16:80 pol_action=u8:1
bad "port range end without start" 22 'msg=KIPSEC_A_POL_SPORT_MAX: needs KIPSEC_A_POL_SPORT_MIN.*attr=missing:KIPSEC_A_POL_SPORT_MIN' policy_new $base pol_proto=u8:6 pol_sport_max=u16:80 pol_action=u8:1
bad "port range hi < lo" 22 'msg=KIPSEC_A_POL_DPORT_MAX: below KIPSEC_A_POL_DPORT_MIN.*attr=KIPSEC_A_POL_DPORT_MAX' policy_new $base pol_proto=u8:17 pol_dport_min=u16:90 pol_dport_max=u16:80 pol_action=u8:1
bad "16-bit port as u8" 22 'attr=KIPSEC_A_POL_DPORT_MIN' policy_new $base pol_proto=u8:17 pol_dport_min=u8:9 pol_action=u8:1
bad "protect without template" 22 'missing:KIPSEC_A_POL_TMPL_PROTO' policy_new $base pol_action=u8:3
bad "protect without mode" 22 'missing:KIPSEC_A_POL_TMPL_MODE' policy_new $base pol_action=u8:3 pol_tmpl_proto=u8:50
bad "template protocol 17" 34 'attr=KIPSEC_A_POL_TMPL_PROTO' policy_new $base pol_action=u8:3 pol_tmpl_proto=u8:17 pol_tmpl_mode=u8:1
bad "template mode 3" 34 'attr=KIPSEC_A_POL_TMPL_MODE' policy_new $base pol_action=u8:3 pol_tmpl_proto=u8:50 pol_tmpl_mode=u8:3
bad "level 3" 34 'attr=KIPSEC_A_POL_TMPL_LEVEL' policy_new $base pol_action=u8:3 $tmpl pol_tmpl_level=u8:3
bad "tunnel without endpoints" 22 'missing:KIPSEC_A_POL_TMPL_SRC' policy_new $base pol_action=u8:3 pol_tmpl_proto=u8:50 pol_tmpl_mode=u8:2
bad "tunnel without remote endpoint" 22 'missing:KIPSEC_A_POL_TMPL_DST' policy_new $base pol_action=u8:3 pol_tmpl_proto=u8:50 pol_tmpl_mode=u8:2 pol_tmpl_src=ip:192.0.2.1
bad "tunnel endpoints of two families" 22 'msg=KIPSEC_A_POL_TMPL_DST: address family differs.*attr=KIPSEC_A_POL_TMPL_DST' policy_new $base pol_action=u8:3 pol_tmpl_proto=u8:50 pol_tmpl_mode=u8:2 pol_tmpl_src=ip:192.0.2.1 pol_tmpl_dst=ip:2001:db8::2
bad "endpoints in transport mode" 22 'msg=KIPSEC_A_POL_TMPL_SRC, KIPSEC_A_POL_TMPL_DST: tunnel endpoints are for tunnel mode only' policy_new $base pol_action=u8:3 pol_tmpl_proto=u8:50 pol_tmpl_mode=u8:1 pol_tmpl_dst=ip:192.0.2.2
bad "bypass with a template" 22 'msg=KIPSEC_A_POL_TMPL_PROTO: an SA template is for protect policies only.*attr=KIPSEC_A_POL_TMPL_PROTO' policy_new $base pol_action=u8:1 $tmpl
bad "discard with a request id" 22 'msg=KIPSEC_A_POL_TMPL_REQID: an SA template.*attr=KIPSEC_A_POL_TMPL_REQID' policy_new $base pol_action=u8:2 pol_tmpl_reqid=u32:1
bad "an SA attribute in a policy" 22 'attr=KIPSEC_A_SA_SPI' policy_new $base pol_action=u8:1 sa_spi=u32:300
bad "an index on add" 22 'attr=KIPSEC_A_POL_INDEX' policy_new $base pol_action=u8:1 pol_index=u32:1
bad "an unknown attribute" 22 '' policy_new $base pol_action=u8:1 200=u32:1
bad "get without index" 22 'missing:KIPSEC_A_POL_INDEX' policy_get
bad "get index 0" 34 'attr=KIPSEC_A_POL_INDEX' policy_get pol_index=u32:0
bad "get of an unknown index" 2 'msg=KIPSEC_A_POL_INDEX: no policy with this index' policy_get pol_index=u32:999999
bad "del by index and selector at once" 22 'msg=KIPSEC_A_POL_INDEX: give the index or' policy_del pol_index=u32:5 pol_dir=u8:1
bad "del with an action" 22 'attr=KIPSEC_A_POL_ACTION' policy_del $base pol_action=u8:1
bad "flush direction 9" 34 'attr=KIPSEC_A_POL_DIR' policy_flush pol_dir=u8:9
bad "a dump with attributes" 22 '' policy_dump pol_index=u32:1
expect_eq "nothing was added by the refused requests" "$(cat /sys/kernel/kipsec/policy_count)" 0

# --- lifetime ---------------------------------------------------------------
# A policy with a lifetime is deleted by kipsec itself, on the boot clock,
# and announced as POLICY_DEL with pol_expires_in=0; one deleted or flushed
# first is never announced again. Nothing here asserts on speed: a policy
# cannot go before its deadline, and is given seconds of slack after it.
bad "lifetime 0" 34 'attr=KIPSEC_A_POL_LIFETIME' policy_new $base pol_action=u8:1 pol_lifetime=u32:0
bad "lifetime as a u8" 22 'attr=KIPSEC_A_POL_LIFETIME' policy_new $base pol_action=u8:1 pol_lifetime=u8:5
bad "lifetime on delete" 22 'attr=KIPSEC_A_POL_LIFETIME' policy_del $base pol_lifetime=u32:5
bad "expires_in is not for the caller to set" 22 'attr=KIPSEC_A_POL_EXPIRES_IN' policy_new $base pol_action=u8:1 pol_expires_in=u32:5
expect_eq "nothing added by the refused lifetimes" "$(cat /sys/kernel/kipsec/policy_count)" 0

uptime_ms() { local u; read -r u _ </proc/uptime; echo $((${u/./} * 10)); }
lt_tmp=$(mktemp -d /tmp/kipsec-45.XXXXXX)
$NL monitor 120 >"$lt_tmp/mon" 2>&1 &
lt_mon=$!
for _ in $(seq 150); do grep -q '^monitor=listening' "$lt_tmp/mon" && break; sleep 0.2; done
check "the raw monitor listens" grep -q '^monitor=listening' "$lt_tmp/mon"

t0=$(uptime_ms)
out=$(nl policy_new $base pol_action=u8:1 pol_lifetime=u32:3)
lt_idx=${out#pol_index=}
got=$(nl policy_get pol_index=u32:$lt_idx)
t1=$(uptime_ms)
expect_match "a bypass with lifetime 3 is there right after it was added" "$got" "pol_index=$lt_idx "
expect_match "get reports the lifetime" "$got" ' pol_lifetime=3( |$)'
left=$(printf '%s' "$got" | sed -n 's/.*pol_expires_in=\([0-9]*\).*/\1/p')
# Rounded up: 3 until a full second has passed, never 0 before the deadline.
lo=$(( 3 - (t1 - t0) / 1000 )); [ $lo -lt 1 ] && lo=1
if [ -n "$left" ] && [ "$left" -ge "$lo" ] && [ "$left" -le 3 ]; then ok "get reports the time left ($left s)"; else fail "get reports the time left"; echo "#   got: ${left:-nothing}, want $lo..3 ($got)"; fi
out=$(nl policy_new pol_dir=u8:2 pol_src=ip:10.5.0.0 pol_dst=ip:10.6.0.0 pol_action=u8:3 \
	pol_tmpl_proto=u8:50 pol_tmpl_mode=u8:1 pol_lifetime=u32:3600)
long_idx=${out#pol_index=}
expect_match "a protect policy may have a lifetime too" "$(nl policy_get pol_index=u32:$long_idx)" 'pol_expires_in=(3600|3[0-5][0-9]{2}) .*pol_lifetime=3600'
out=$(nl policy_new pol_dir=u8:3 pol_src=ip:10.5.0.0 pol_dst=ip:10.6.0.0 pol_action=u8:2 pol_lifetime=u32:2)
del_idx=${out#pol_index=}
out=$(nl policy_new pol_dir=u8:3 pol_src=ip:10.5.0.1 pol_dst=ip:10.6.0.0 pol_action=u8:2 pol_lifetime=u32:2)
fl_idx=${out#pol_index=}
check "delete a policy before its lifetime runs out" nl policy_del pol_index=u32:$del_idx
check "flush direction fwd with a lifetime pending" nl policy_flush pol_dir=u8:3
nl policy_new pol_dir=u8:1 pol_src=ip:10.7.0.0 pol_dst=ip:10.8.0.0 pol_action=u8:2 >/dev/null
noline=$(nl policy_dump | grep 'pol_src=10.7.0.0 ')
if [ -n "$noline" ] && ! [[ $noline =~ pol_(lifetime|expires_in)= ]]; then ok "a policy without a lifetime reports none"; else fail "a policy without a lifetime reports none"; echo "#   got: $noline"; fi

gone=
for _ in $(seq 100); do
	if nl policy_get pol_index=u32:$lt_idx | grep -q 'errno=2'; then gone=$(uptime_ms); break; fi
	sleep 0.1
done
if [ -n "$gone" ]; then ok "the lifetime-3 policy went by itself"; else fail "the lifetime-3 policy went by itself"; fi
if [ -n "$gone" ] && [ $((gone - t0)) -ge 3000 ]; then ok "not before its 3 s ($((gone - t0)) ms)"; else fail "not before its 3 s"; echo "#   gone after ${gone:+$((gone - t0))} ms"; fi
for _ in $(seq 50); do grep -q "^event=policy_del .*pol_index=$lt_idx( |\$)" "$lt_tmp/mon" && break; sleep 0.1; done
expect_eq "one POLICY_DEL event for it" "$(grep -Ec "^event=policy_del .*pol_index=$lt_idx( |\$)" "$lt_tmp/mon")" 1
expect_match "the event says the lifetime ran out" "$(grep -E "^event=policy_del .*pol_index=$lt_idx( |\$)" "$lt_tmp/mon")" 'pol_action=1 .*pol_expires_in=0 .*pol_lifetime=3'
sleep 1
expect_eq "the policy deleted early was announced once, by its delete" \
	"$(grep -Ec "^event=policy_del .*pol_index=$del_idx( |\$)" "$lt_tmp/mon")" 1
check_fails "and not with expires_in=0" grep -Eq "^event=policy_del .*pol_expires_in=0 .*pol_index=$del_idx( |\$)" "$lt_tmp/mon"
check_fails "the flushed one is never announced as deleted" grep -Eq "^event=policy_del .*pol_index=$fl_idx( |\$)" "$lt_tmp/mon"
expect_eq "two policies left: the long lifetime and the one without" "$(nl stats_get | grep -o 'policy_count=[0-9]*')" policy_count=2
check "delete the long-lifetime policy" nl policy_del pol_index=u32:$long_idx
check "flush" nl policy_flush
kill $lt_mon 2>/dev/null
wait $lt_mon 2>/dev/null
rm -rf "$lt_tmp"

ip netns add pol-l
check "a namespace with lifetimes pending" in_ns pol-l $NL policy_new $base pol_action=u8:1 pol_lifetime=u32:1
check "and a long one" in_ns pol-l $NL policy_new $base pol_action=u8:1 pol_priority=u32:3 pol_lifetime=u32:3600
check "deleting it" ip netns del pol-l
for _ in $(seq 50); do
	[ "$(cat /sys/kernel/kipsec/policy_count)" = 0 ] && break
	sleep 0.2
done
expect_eq "frees its policies, lifetimes and all" "$(cat /sys/kernel/kipsec/policy_count)" 0

# --- ipsecctl ----------------------------------------------------------------
idx=$(ipsecctl policy add dir out src 10.1.0.0/24 dst 10.2.0.0/24 proto tcp \
	sport 1000-2000 dport 443 priority 10 action protect esp tunnel \
	192.0.2.1 192.0.2.2 reqid 5 level request)
expect_match "ipsecctl policy add prints the index" "$idx" '^[0-9]+$'
j=$(ipsecctl -j policy get index "$idx")
jq_is() { expect_eq "ipsecctl -j policy get: $1" "$(printf '%s' "$j" | jq -c "$1")" "$2"; }
jq_is .index "$idx"
jq_is .dir '"out"'
jq_is .priority 10
jq_is .src '"10.1.0.0"'
jq_is .src_plen 24
jq_is .dst '"10.2.0.0"'
jq_is .dst_plen 24
jq_is .proto 6
jq_is .sport '{"min":1000,"max":2000}'
jq_is .dport '{"min":443,"max":443}'
jq_is .action '"protect"'
jq_is .tmpl '{"proto":"esp","mode":"tunnel","src":"192.0.2.1","dst":"192.0.2.2","reqid":5,"level":"request"}'
line=$(script -qc "ipsecctl policy get index $idx" /dev/null | tr -d '\r')
expect_eq "ipsecctl policy get prints config syntax on a terminal" "$line" \
	"index $idx: policy add dir out src 10.1.0.0/24 dst 10.2.0.0/24 proto tcp sport 1000-2000 dport 443 priority 10 action protect esp tunnel 192.0.2.1 192.0.2.2 reqid 5 level request"
expect_eq "tab-separated when not a terminal" "$(ipsecctl policy list)" \
	"$idx	out	10	10.1.0.0/24	10.2.0.0/24	tcp	1000-2000	443	protect	esp	tunnel	192.0.2.1	192.0.2.2	5	request	-	-"
expect_match "a table on a terminal" "$(script -qc 'ipsecctl policy list' /dev/null)" 'INDEX +DIR +PRIO +SRC'
out=$(ipsecctl policy add dir out src 10.1.0.0/24 dst 10.2.0.0/24 proto tcp sport 1000-2000 dport 443 priority 10 action discard 2>&1)
rc=$?
if [ $rc -ne 0 ]; then ok "ipsecctl: a duplicate fails (exit $rc)"; else fail "ipsecctl: a duplicate fails"; fi
expect_match "ipsecctl prints the kernel's message for a duplicate" "$out" 'POL_SRC.*exists'
out=$(ipsecctl policy add dir out src 10.1.0.0/24 dst 10.2.0.0/24 proto icmp dport 80 action bypass 2>&1)
expect_match "ipsecctl names the attribute the kernel refused" "$out" 'KIPSEC_A_POL_DPORT_MIN: ports need'
check "ipsecctl policy del by index" ipsecctl policy del index "$idx"
check "what get printed adds the same policy back" ipsecctl ${line#*: }
check "ipsecctl policy del by selector" ipsecctl policy del dir out src 10.1.0.0/24 \
	dst 10.2.0.0/24 proto tcp sport 1000-2000 dport 443
check "ipsecctl policy add, transport, IPv6" ipsecctl policy add dir in src 2001:db8::/32 \
	dst 2001:db8:1::1 action protect ah transport
check "ipsecctl policy add, bypass" ipsecctl policy add dir fwd src 0.0.0.0/0 dst 0.0.0.0/0 action bypass
expect_eq "ipsecctl -j policy list" "$(ipsecctl -j policy list | jq -c '[.[] | [.dir, .action, (.tmpl.mode // "-")]]')" \
	'[["in","protect","transport"],["fwd","bypass","-"]]'
expect_eq "ipsecctl -j stats counts policies" "$(ipsecctl -j stats | jq .policy_count)" 2
check "ipsecctl policy flush dir fwd" ipsecctl policy flush dir fwd
expect_eq "one left" "$(ipsecctl policy list | wc -l)" 1
check "ipsecctl policy flush" ipsecctl policy flush
# ipsecctl and policy lifetimes: add, the three listings, get's config
# syntax (the time left), and the expiry in "ipsecctl monitor".
lt_tmp=$(mktemp -d /tmp/kipsec-45c.XXXXXX)
ipsecctl -j monitor >"$lt_tmp/j" 2>&1 &
mon_j=$!
ipsecctl monitor >"$lt_tmp/l" 2>&1 &
mon_l=$!
for _ in $(seq 50); do
	ipsecctl policy flush dir fwd
	grep -q '"event":"policy_flush"' "$lt_tmp/j" && grep -q '^policy_flush' "$lt_tmp/l" && break
	sleep 0.2
done
check "both ipsecctl monitors listen" grep -q '^policy_flush' "$lt_tmp/l"
out=$(ipsecctl policy add dir out src 10.3.0.0/24 dst 10.4.0.0/24 action bypass lifetime 0 2>&1)
rc=$?
if [ $rc -ne 0 ]; then ok "ipsecctl: lifetime 0 fails (exit $rc)"; else fail "ipsecctl: lifetime 0 fails"; fi
expect_match "and names the attribute" "$out" 'KIPSEC_A_POL_LIFETIME'
idx=$(ipsecctl policy add dir out src 10.3.0.0/24 dst 10.4.0.0/24 action bypass lifetime 3600)
expect_match "ipsecctl policy add ... lifetime 3600" "$idx" '^[0-9]+$'
expect_match "TSV: lifetime and time left are the last two fields" \
	"$(ipsecctl policy list | awk -F'\t' -v i="$idx" '$1 == i { print NF, $16, $17 }')" '^17 3600 (3600|3[0-5][0-9]{2})$'
expect_match "-j: lifetime and expires_in" \
	"$(ipsecctl -j policy get index "$idx" | jq -c '[.lifetime, .expires_in]')" '^\[3600,(3600|3[0-5][0-9]{2})\]$'
line=$(script -qc "ipsecctl policy get index $idx" /dev/null | tr -d '\r')
expect_match "get on a terminal: config syntax with the time left" "$line" \
	"^index $idx: policy add dir out src 10.3.0.0/24 dst 10.4.0.0/24 priority 1000 action bypass lifetime (3600|3[0-5][0-9]{2})\$"
expect_match "the table has an EXPIRES column with the time left" \
	"$(script -qc 'ipsecctl policy list' /dev/null | tr -d '\r')" 'EXPIRES'
expect_match "and the time left in it" \
	"$(script -qc 'ipsecctl policy list' /dev/null | tr -d '\r' | grep "^ *$idx ")" ' in (1h00m|5[0-9]m[0-9]{2}s)$'
check "ipsecctl policy del of a policy with a lifetime" ipsecctl policy del index "$idx"
t0=$(uptime_ms)
idx=$(ipsecctl policy add dir in src 10.3.0.0/24 dst 10.4.0.0/24 action discard lifetime 2)
for _ in $(seq 100); do grep -q '"event":"policy_expire"' "$lt_tmp/j" && break; sleep 0.1; done
expect_eq "ipsecctl -j monitor: one policy_expire, with the policy" \
	"$(jq -c --argjson i "$idx" 'select(.event == "policy_expire") | [.policy.index == $i, .policy.action, .policy.lifetime, .policy.expires_in]' "$lt_tmp/j")" \
	'[true,"discard",2,0]'
if [ $(($(uptime_ms) - t0)) -ge 2000 ]; then ok "not before its 2 s"; else fail "not before its 2 s"; fi
for _ in $(seq 20); do grep -q '^policy_expire' "$lt_tmp/l" && break; sleep 0.1; done
expect_match "ipsecctl monitor: a policy_expire line, lifetime 2 and 0 left" \
	"$(grep '^policy_expire' "$lt_tmp/l")" "^policy_expire	$idx	in	.*	discard	.*	2	0\$"
expect_eq "the early delete was a policy_del, not an expiry" \
	"$(grep -c '"event":"policy_expire"' "$lt_tmp/j") $(grep -c '"event":"policy_del"' "$lt_tmp/j")" "1 1"
expect_eq "gone from the list" "$(ipsecctl policy list | awk -F'\t' -v i="$idx" '$1 == i' | wc -l)" 0
kill $mon_j $mon_l 2>/dev/null
wait $mon_j $mon_l 2>/dev/null
rm -rf "$lt_tmp"
out=$(setpriv --inh-caps=-net_admin --bounding-set=-net_admin ipsecctl policy list 2>&1)
rc=$?
if [ $rc -ne 0 ]; then ok "ipsecctl policy list fails without CAP_NET_ADMIN (exit $rc)"; else fail "ipsecctl policy list fails without CAP_NET_ADMIN"; fi
expect_match "and says it is not permitted" "$out" '[Pp]ermi'

# --- bulk, resumable dump -----------------------------------------------------
check "add 5000 policies" nl bulk_policy_add 5000
out=$(nl bulk_policy_check 5000)
rc=$?
if [ $rc -eq 0 ]; then ok "dump returns all 5000, every field, in lookup order"; else fail "dump returns all 5000"; echo "$out" | head -20 | sed 's/^/#   /'; fi
expect_match "the dump took many messages, none interrupted" "$out" 'dumped=5000 interrupted=0'
expect_match "a change during a dump sets NLM_F_DUMP_INTR" "$(nl policy_dump_interrupt)" 'interrupted=1'
expect_eq "policy_count after one delete" "$(nl stats_get | grep -o 'policy_count=[0-9]*')" policy_count=4999

# --- privilege ----------------------------------------------------------------
nobody="setpriv --reuid=65534 --regid=65534 --clear-groups"
nocap="setpriv --inh-caps=-net_admin --bounding-set=-net_admin"
for who in nobody nocap; do
	run=${!who}
	for cmd in "policy_new $base pol_action=u8:1 pol_priority=u32:1" \
		"policy_del pol_index=u32:1" policy_flush "policy_get pol_index=u32:1" policy_dump; do
		expect_match "$who: ${cmd%% *} refused with EPERM" "$($run $NL $cmd)" 'errno=1 '
	done
done
expect_eq "still 4999 policies" "$(cat /sys/kernel/kipsec/policy_count)" 4999

# --- namespaces ---------------------------------------------------------------
ip netns add pol-a
check "add a policy in another namespace" in_ns pol-a $NL policy_new $base pol_action=u8:2
expect_eq "it is alone there" "$(in_ns pol-a $NL policy_dump | grep -c '^pol_')" 1
expect_eq "the initial namespace still has its own" "$(nl stats_get | grep -o 'policy_count=[0-9]*')" policy_count=4999
expect_eq "sysfs counts every namespace" "$(cat /sys/kernel/kipsec/policy_count)" 5000
check "deleting the namespace" ip netns del pol-a
# The namespace is torn down by a workqueue after the last reference.
for _ in $(seq 50); do
	[ "$(cat /sys/kernel/kipsec/policy_count)" = 4999 ] && break
	sleep 0.2
done
expect_eq "frees its policies" "$(cat /sys/kernel/kipsec/policy_count)" 4999

# --- unload -------------------------------------------------------------------
ip netns add pol-b
check "add 100 policies in another namespace" in_ns pol-b $NL bulk_policy_add 100
check "and one with a lifetime pending" in_ns pol-b $NL policy_new $base pol_action=u8:2 pol_priority=u32:7 pol_lifetime=u32:3600
check "rmmod with 5100 policies present" rmmod kipsec
check "reload" insmod "$KIPSEC_KO"
expect_eq "no policy survived" "$(cat /sys/kernel/kipsec/policy_count)" 0
expect_eq "the other namespace is empty too" "$(in_ns pol-b $NL policy_dump | grep -c '^pol_')" 0
ip netns del pol-b
tap_done
