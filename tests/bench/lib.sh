# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Guest-side helpers for the benchmark (`make bench`, tests/bench/run.sh).
# Source after tests/lib/{tap,guest,topology,xfrm,strongswan}.sh: the
# topology, XFRM and charon plumbing come from there; this file only adds
# what a benchmark needs on top (kipsec's manual SAs, wire probes, iperf3
# parsing, medians, the IKE timing loops).
#
# Every command that talks to a stack under test runs under `timeout`: the
# kipsec packet path is young, and a bench that hangs reports nothing.
#
# Functions:
#   bench_median V...          median of numbers (middle one; mean of the
#                              two middle ones for an even count)
#   bench_now_ms               monotonic-enough wall clock in ms
#   bench_pair_ratios X Y      X and Y comma-separated per-run values of
#                              two stacks, run i at place i ("-": none);
#                              prints Y_i/X_i per run the same way ("-"
#                              where either is missing)
#   bench_iperf WORKLOAD SECS  one lan-a -> lan-b iperf3 run; prints the
#                              value in the workload's unit (tcp1, tcp4:
#                              Mbit/s received; udp64: kpackets/s received)
#   bench_probe STACK          ping lan-a -> lan-b and count what gw-a puts
#                              on the wire; prints "" when the stack really
#                              carries the traffic both ways (ESP from
#                              each gateway for xfrm/kipsec, and no clear
#                              LAN packet on the wire; clear for none),
#                              else the reason
#   bench_kipsec_flush         every kipsec SA and policy on both gateways
#   bench_crypto_drivers       "template -> driver" for the ESP templates
#                              in /proc/crypto
#   bench_ike_ipsecd N DIR / bench_ike_charon N
#                              one untimed warm-up, then N sequential Main
#                              Mode + Quick Mode negotiations gw-a -> gw-b;
#                              prints the per-negotiation times in ms; with
#                              BENCH_QM_N > 0 they then run that many
#                              Quick Modes in a row under negotiation 1's
#                              ISAKMP SA (a rekey each, the next one once
#                              the responder has installed the last) and
#                              write Quick Modes per second to
#                              DIR/qm (ipsecd) or $BENCH_QM_FILE (charon)
#
# How IKE is timed: from the daemons' own logs, not from the harness's
# clock. A negotiation (or a Quick Mode) starts when the initiator logs the
# control request ("up"/"rekey requested over the control socket",
# "vici initiate"/"vici rekey") and ends when the responder logs the IPsec
# SA/CHILD_SA established, which both daemons do once its SAs and policies
# are in the kernel. What lies outside, starting ipsecctl or swanctl and
# polling both kernels for the SAs, costs more under TCG than an ipsecd
# negotiation itself, and its cost differs between the two tools; it set
# the IKE rows until 2026-12-06 (ipsecd's Main Mode + Quick Mode took
# 150 to 180 ms in its log, the harness measured 1.4 s).

BENCH_T=${BENCH_T:-10} # seconds any single control command may take
BENCH_QM_N=${BENCH_QM_N:-10} # timed Quick Modes over one ISAKMP SA

# _bench_spans START_LOG START_ERE END_LOG END_ERE [SKIP]: the k-th line of
# daemon log START_LOG matching START_ERE paired with the (SKIP+k)-th line
# of END_LOG matching END_ERE; prints each pair's span in ms, one line per
# start that has its end. ipsecd's lines start with CLOCK_MONOTONIC
# seconds.ms, charon's (tests/lib/strongswan.sh, time_add_ms) with the
# wall clock's HH:MM:SS.ms; both daemons of one run use the same clock.
_bench_spans() {
	S=$2 E=$4 awk -v skip="${5:-0}" '
	function ms(stamp,   t, n) {
		n = split(stamp, t, /[:.]/)
		if (n == 4)
			return ((t[1] * 60 + t[2]) * 60 + t[3]) * 1000 + t[4]
		return t[1] * 1000 + t[2]
	}
	FILENAME == ARGV[1] { if ($0 ~ ENVIRON["S"]) s[++ns] = ms($1); next }
	$0 ~ ENVIRON["E"] && ++ne > skip { e[ne - skip] = ms($1) }
	END {
		for (k = 1; k <= ns && (k in e); k++) {
			d = e[k] - s[k]
			print d < 0 ? d + 86400000 : d
		}
	}' "$1" "$3"
}

# _bench_ike_spans N A_LOG B_LOG START_ERE END_ERE: negotiations 1..N's
# times, "ikeI" standing for the connection in both EREs.
_bench_ike_spans() {
	local i s e
	for i in $(seq "$1"); do
		s=${4//ikeI/ike$i} e=${5//ikeI/ike$i}
		_bench_spans "$2" "$s" "$3" "$e" | head -n 1
	done
}

# _bench_qm_rate N A_LOG B_LOG START_ERE END_ERE: Quick Modes per second of
# their own time, from the N lines matching START_ERE in the initiator's
# log, each paired with its END_ERE line in the responder's, which also
# has one line of the negotiation before them.
_bench_qm_rate() {
	_bench_spans "$2" "$4" "$3" "$5" 1 |
		awk -v n="$1" '{ s += $1; k++ }
			END { if (k == n && s > 0) printf "%.1f\n", n * 1000 / s }'
}

# _bench_qm N REKEY_CMD... : N times REKEY_CMD, each time waiting until the
# responder's log (BENCH_QM_LOG) has one more "established" line matching
# BENCH_QM_PATTERN (a BRE): one Quick Mode at a time, as an admin's
# rekeys would come. The timing comes from the logs afterwards.
_bench_qm() {
	local n=$1 i k want end
	shift
	k=$(grep -c "$BENCH_QM_PATTERN" "$BENCH_QM_LOG")
	for i in $(seq "$n"); do
		want=$((k + i))
		"$@" >/dev/null 2>&1 || return 1
		end=$(($(bench_now_ms) + 10000))
		while [ "$(grep -c "$BENCH_QM_PATTERN" "$BENCH_QM_LOG")" -lt $want ]; do
			[ "$(bench_now_ms)" -lt $end ] || return 1
			sleep 0.01
		done
	done
}

bench_median() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
		END { if (NR == 0) exit 1
		      if (NR % 2) print v[(NR + 1) / 2]
		      else printf "%.4g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

bench_pair_ratios() {
	awk -v x="$1" -v y="$2" 'BEGIN {
		n = split(x, xs, ","); split(y, ys, ",")
		for (i = 1; i <= n; i++) {
			ok = xs[i] ~ /^[0-9.]+$/ && ys[i] ~ /^[0-9.]+$/ && xs[i] > 0
			printf "%s%s", (i > 1 ? "," : ""), (ok ? sprintf("%.3f", ys[i] / xs[i]) : "-")
		}
		print ""
	}'
}

bench_now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

bench_iperf() {
	local workload=$1 secs=$2 json rc proto=tcp streams=1
	# --connect-timeout: a dead path fails the control connection in 3 s
	# instead of the kernel's SYN retries; topo_iperf's own timeout
	# (SECS + 20) still bounds a path that dies mid-run.
	local args="--connect-timeout 3000"
	case $workload in
	tcp1) ;;
	tcp4) streams=4 ;;
	udp64) proto=udp args="$args -l 64" ;;
	*) echo "bench_iperf: unknown workload $workload" >&2; return 2 ;;
	esac
	json=$(mktemp /tmp/bench-iperf.XXXXXX)
	TOPO_IPERF_JSON=$json TOPO_IPERF_ARGS=$args TOPO_IPERF_UDP_RATE=0 \
		topo_iperf lan-a lan-b "$secs" "$proto" "$streams" >/dev/null
	rc=$?
	if [ $rc -eq 0 ]; then
		# UDP (iperf3 3.12): sum_received.packets is the sender's count
		# and lost_packets what never arrived; the difference over the
		# receiver's time is the received packet rate.
		if [ "$proto" = udp ]; then
			jq -r '.end.sum_received | (.packets - .lost_packets) / .seconds / 1000 |
				. * 100 | floor / 100' "$json"
		else
			jq -r '.end.sum_received.bits_per_second / 1e6 | . * 10 | floor / 10' "$json"
		fi
		rc=$?
	fi
	rm -f "$json"
	return $rc
}

bench_probe() {
	local stack=$1 loss ns n esp=0 clear=0 minesp=99
	topo_wire_watch || { echo "wire counters failed"; return 1; }
	# 5 pings: the first one may be slow (ARP, a cold crypto tfm); any
	# answer at all shows the path works both ways.
	loss=$(topo_ping lan-a lan-b 5)
	for ns in gw-a gw-b; do
		n=$(topo_wire_count $ns esp) && esp=$((esp + n))
		[ "${n:-0}" -lt $minesp ] && minesp=${n:-0}
		n=$(topo_wire_count $ns clear) && clear=$((clear + n))
		# The nft egress counters cost per packet: take them off
		# before anything is timed.
		ip netns exec $ns nft delete table netdev topo_wire
	done
	if [ "${loss%.*}" = 100 ]; then
		echo "no traffic"
	elif [ "$stack" = none ]; then
		[ "$clear" -ge 2 ] || echo "not in clear"
	elif [ "$clear" -gt 0 ]; then
		# Without this check a kipsec that ignores its policies would
		# report the clear-text ceiling as its throughput.
		echo "in clear, not ESP"
	elif [ "$minesp" -lt 1 ]; then
		echo "no ESP on the wire"
	fi
	return 0
}

bench_kipsec_flush() {
	local ns
	for ns in gw-a gw-b; do
		timeout "$BENCH_T" ip netns exec "$ns" ipsecctl policy flush
		timeout "$BENCH_T" ip netns exec "$ns" ipsecctl sa flush
	done 2>/dev/null
	return 0
}

bench_crypto_drivers() {
	awk -F' *: ' '
		/^name/ { n = $2 } /^driver/ { d = $2 }
		/^$/ { if (n ~ /^(seqiv\(rfc4106|seqiv\(rfc7539esp|echainiv\(authenc\(hmac\(sha256\),cbc)/) print n " -> " d; n = d = "" }
	' /proc/crypto | sort -u
}

# ---- IKE ----------------------------------------------------------------
# Negotiation i (0 = warm-up, untimed) runs between 192.0.2.(100+i) on gw-a
# and 192.0.2.(200+i) on gw-b, protecting 10.1.(100+i).0/24 <->
# 10.2.(100+i).0/24: each is a fresh ISAKMP SA (Main Mode) plus one Quick
# Mode, and none can reuse another's state. Both daemons get the same
# suite: IKE aes128-sha256-modp2048, ESP aes128gcm16, no PFS.
BENCH_IKE_SUITE=aes128-sha256-modp2048
BENCH_IKE_ESP=aes128gcm16

bench_ike_addrs() {
	local n=$1 i
	for i in $(seq 0 "$n"); do echo "addr add 192.0.2.$((100 + i))/24 dev wan"; done |
		ip -n gw-a -batch - || return 1
	for i in $(seq 0 "$n"); do echo "addr add 192.0.2.$((200 + i))/24 dev wan"; done |
		ip -n gw-b -batch -
}

# _bench_sa_pair STACK NS A B: SAs between A and B (either way) in NS's
# kernel: kipsec's SADB or XFRM's. One exec each, the same cost for both.
_bench_sa_pair() {
	if [ "$1" = kipsec ]; then
		timeout "$BENCH_T" ip netns exec "$2" ipsecctl sa list 2>/dev/null |
			awk -F'\t' -v a="$3" -v b="$4" '($4 == a && $5 == b) || ($4 == b && $5 == a)' |
			wc -l
	else
		ip -n "$2" xfrm state list | grep -cE "^src ($3 dst $4|$4 dst $3)\$"
	fi
}

# _bench_ike_wait STACK I TIMEOUT_MS: until both kernels hold negotiation
# I's two SAs. The responder (gw-b) installs last, on Quick Mode's third
# message, so it is polled first.
_bench_ike_wait() {
	local stack=$1 a=192.0.2.$((100 + $2)) b=192.0.2.$((200 + $2))
	local end=$(($(bench_now_ms) + $3))
	while [ "$(bench_now_ms)" -lt $end ]; do
		[ "$(_bench_sa_pair "$stack" gw-b "$a" "$b")" -ge 2 ] &&
			[ "$(_bench_sa_pair "$stack" gw-a "$a" "$b")" -ge 2 ] && return 0
		sleep 0.02
	done
	return 1
}

_bench_ipsecd_conf() {
	local me=$1 n=$2 dir=$3 i l=1 r=2
	[ "$me" = b ] && l=2 r=1
	# printf, not a <<- here-document: ipsecd needs the parameter lines
	# indented, and <<- strips the tabs.
	printf 'config setup\n\tcontrolsocket=%s\n\tsecretsfile=%s\n' \
		"$dir/$me.sock" "$dir/$me.secrets"
	printf 'conn %%default\n\tauthby=secret\n\tkeyingtries=1\n\tauto=add\n'
	printf '\tike=%s\n\tesp=%s\n' "$BENCH_IKE_SUITE" "$BENCH_IKE_ESP"
	for i in $(seq 0 "$n"); do
		printf 'conn ike%d\n\tleft=192.0.2.%d\n\tright=192.0.2.%d\n' \
			"$i" $((l * 100 + i)) $((r * 100 + i))
		printf '\tleftsubnet=10.%d.%d.0/24\n\trightsubnet=10.%d.%d.0/24\n' \
			"$l" $((100 + i)) "$r" $((100 + i))
	done
}

# _bench_ipsecd_pid NS: ipsecd's own pid (ip netns exec may fork).
_bench_ipsecd_pid() {
	local p
	for p in $(ip netns pids "$1"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = ipsecd ] && echo "$p" && return 0
	done
	return 1
}

bench_ike_ipsecd() {
	local n=$1 dir=$2 me i pa pb rc=0
	for me in a b; do
		_bench_ipsecd_conf $me "$n" "$dir" >"$dir/$me.conf"
		for i in $(seq 0 "$n"); do
			echo "192.0.2.$((100 + i)) 192.0.2.$((200 + i)) : PSK \"bench-psk-$i\""
		done >"$dir/$me.secrets"
		chmod 600 "$dir/$me.secrets"
	done
	ip netns exec gw-a ipsecd -f "$dir/a.conf" 2>"$dir/ipsecd-a.log" &
	ip netns exec gw-b ipsecd -f "$dir/b.conf" 2>"$dir/ipsecd-b.log" &
	for i in $(seq 100); do
		[ -S "$dir/a.sock" ] && [ -S "$dir/b.sock" ] && break
		sleep 0.1
	done
	for i in $(seq 0 "$n"); do
		timeout "$BENCH_T" ipsecctl -s "$dir/a.sock" up "ike$i" >/dev/null &&
			_bench_ike_wait kipsec "$i" 30000 || { rc=1; break; }
	done
	_bench_ike_spans "$n" "$dir/ipsecd-a.log" "$dir/ipsecd-b.log" \
		'[]] ikeI: up requested over the control socket' \
		'[]] ikeI: IPsec SA established'
	: >"$dir/qm"
	if [ $rc -eq 0 ] && [ "$BENCH_QM_N" -gt 0 ] && [ "$n" -gt 0 ] &&
		BENCH_QM_LOG=$dir/ipsecd-b.log \
		BENCH_QM_PATTERN='\] ike1: IPsec SA established' \
			_bench_qm "$BENCH_QM_N" \
			timeout "$BENCH_T" ipsecctl -s "$dir/a.sock" rekey ike1; then
		_bench_qm_rate "$BENCH_QM_N" "$dir/ipsecd-a.log" "$dir/ipsecd-b.log" \
			'[]] ike1: rekey requested over the control socket' \
			'[]] ike1: IPsec SA established' >"$dir/qm"
	fi
	# SIGTERM: ipsecd deletes its SAs and tells the peer.
	pa=$(_bench_ipsecd_pid gw-a) pb=$(_bench_ipsecd_pid gw-b)
	kill -TERM $pa $pb 2>/dev/null
	for i in $(seq 50); do
		kill -0 $pa $pb 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL $pa $pb 2>/dev/null
	wait 2>/dev/null
	return $rc
}

bench_ike_charon() {
	local n=$1 i rc=0 psk
	local plugins
	# charon at log level 1: its default-ish verbosity; ipsecd logs at
	# info. Level 2 (the tests' choice) costs measurable time under TCG.
	# Its openssl plugin first: charon takes each algorithm from the first
	# plugin that has it, and the tests' list (tests/lib/strongswan.sh)
	# would give it gmp's Diffie-Hellman and the aes/sha plugins' C code,
	# where ipsecd has OpenSSL's.
	plugins=" $(_sw_plugins) "
	[ "${plugins/ openssl /}" = "$plugins" ] ||
		plugins="openssl ${plugins/ openssl / }"
	SW_PLUGINS=$plugins SW_LOGLEVEL=1 sw_start gw-a || return 1
	SW_PLUGINS=$plugins SW_LOGLEVEL=1 sw_start gw-b || { sw_stop_all; return 1; }
	for i in $(seq 0 "$n"); do
		psk=bench-psk-$i
		sw_conn gw-a "ike$i" local=192.0.2.$((100 + i)) \
			remote=192.0.2.$((200 + i)) local_ts=10.1.$((100 + i)).0/24 \
			remote_ts=10.2.$((100 + i)).0/24 psk="$psk" \
			ike=$BENCH_IKE_SUITE esp=$BENCH_IKE_ESP
		sw_conn gw-b "ike$i" local=192.0.2.$((200 + i)) \
			remote=192.0.2.$((100 + i)) local_ts=10.2.$((100 + i)).0/24 \
			remote_ts=10.1.$((100 + i)).0/24 psk="$psk" \
			ike=$BENCH_IKE_SUITE esp=$BENCH_IKE_ESP
	done
	sw_load gw-a >/dev/null && sw_load gw-b >/dev/null || rc=1
	for i in $(seq 0 "$n"); do
		[ $rc -eq 0 ] || break
		# swanctl --initiate returns once the initiator's CHILD_SA is
		# installed (or after its own --timeout of 30 s); the wait
		# covers the responder, as for ipsecd.
		sw_initiate gw-a "ike$i" 30 >/dev/null 2>&1 &&
			_bench_ike_wait xfrm "$i" 30000 || { rc=1; break; }
	done
	_bench_ike_spans "$n" "$(sw_log gw-a)" "$(sw_log gw-b)" \
		"vici initiate CHILD_SA 'ikeI'" \
		'CHILD_SA ikeI[{][0-9]+[}] established'
	: >"$BENCH_QM_FILE"
	if [ $rc -eq 0 ] && [ "$BENCH_QM_N" -gt 0 ] && [ "$n" -gt 0 ] &&
		BENCH_QM_LOG=$(sw_log gw-b) \
		BENCH_QM_PATTERN='CHILD_SA ike1{[0-9]*} established' \
			_bench_qm "$BENCH_QM_N" \
			timeout "$BENCH_T" env \
			STRONGSWAN_CONF="$(sw_dir gw-a)/strongswan.conf" \
			SWANCTL_DIR="$(sw_dir gw-a)" swanctl --rekey --child ike1 \
			--uri "unix://$(sw_dir gw-a)/charon.vici"; then
		_bench_qm_rate "$BENCH_QM_N" "$(sw_log gw-a)" "$(sw_log gw-b)" \
			"vici rekey CHILD_SA 'ike1'" \
			'CHILD_SA ike1[{][0-9]+[}] established' >"$BENCH_QM_FILE"
	fi
	sw_stop_all
	return $rc
}
