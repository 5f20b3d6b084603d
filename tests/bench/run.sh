#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The benchmark, inside ONE guest (scripts/bench.sh boots it): lan-a -> lan-b
# throughput over tests/lib/topology.sh's four namespaces with
#   none    plain routing (the ceiling),
#   xfrm    the kernel's own IPsec on both gateways (manual SAs, xfrm.sh),
#   kipsec  kipsec.ko on both gateways (manual SAs, ipsecctl),
#   kipsec-par  the same with `parallel` SAs (KIPSEC_SA_F_PARALLEL: crypto
#           spread over all CPUs, packets released in order),
# ESP tunnel mode with AES-GCM-128, AES-CBC-128 + HMAC-SHA-256-128 and
# ChaCha20-Poly1305, for iperf3 TCP (1 and 4 streams) and UDP 64-byte packet
# rate; then the time of N IKEv1 PSK Main Mode + Quick Mode negotiations,
# ipsecd <-> ipsecd against charon <-> charon, and the rate of Quick Modes
# (BENCH_QM_N in a row, rekeys) over one ISAKMP SA for each.
#
#   tests/bench/run.sh      (settings from the environment, defaults below)
#
# xfrm, kipsec and kipsec-par are measured interleaved: for each workload
# and algorithm, run i measures each of them back to back (the order
# rotated every run), so that run i's values of the stacks form a pair
# that the host's drift between runs does not bias (see "interleaved"
# below for how the stacks are switched).
#
# Results: BENCH_OUT/results.tsv (default /mnt/out, the results share),
# tab-separated, one line per cell: WORKLOAD ALG STACK VALUE UNIT RUNS,
# VALUE the median of RUNS (comma-separated in run order, "-" for a run
# that failed), or "n/a (REASON)" in VALUE; per workload and algorithm the
# paired ratios WORKLOAD ALG kipsec/xfrm MEDIAN ratio R1,R2,... (and
# kipsec-par/xfrm), Ri = kipsec's value of run i over xfrm's ("-" unless
# both were measured), MEDIAN theirs; and last
# cpu WORKLOAD ALG STACK MEDIAN LIST: how busy the guest's CPUs were
# during each run of the cell, in percent of one CPU (200 = both of 2
# vCPUs busy), over every namespace (sender, gateways, receiver): whether
# the CPUs were the limit, the bound on what spreading crypto can win;
# cpupeak WORKLOAD ALG STACK MEDIAN LIST: the same for the busiest single
# CPU of each run (100 = that vCPU never idled);
# switches - - N switches SECONDS: how often the stack in charge changed
# and what that took; replay - - WINDOW window XFRM,KIPSEC: the SAs'
# anti-replay window and the ESP packets gw-b dropped as outside it over
# the whole bench (kipsec and kipsec-par together). scripts/bench.sh
# turns it into the table. Progress goes to stdout.
#
# Not `set -e`: a stack that fails must cost its own cells only, never the
# rest of the bench. Every step that could hang is under a timeout.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
export KIPSEC_TOP=$PWD
export PATH=$PWD/userland/build:$PATH
export KIPSEC_KO=${KIPSEC_KO:-$PWD/kmod/kipsec.ko}

RUNS=${BENCH_RUNS:-3}          # runs per cell; the median is reported
SECS=${BENCH_SECS:-3}          # seconds per iperf3 run
IKE_N=${BENCH_IKE_N:-5}        # timed IKE negotiations per daemon
BUDGET=${BENCH_BUDGET:-680}    # seconds for all throughput cells, stack
                               # switches included: no run starts after
                               # that, cells without one report "n/a (time)"
ALGS=${BENCH_ALGS:-"aes-gcm-16 aes-cbc/hmac-sha256 chacha20-poly1305"}
WORKLOADS=${BENCH_WORKLOADS:-"tcp1 tcp4 udp64"}
STACKS=${BENCH_STACKS:-"xfrm kipsec kipsec-par"}
# Anti-replay window of every SA, both stacks. The TCG host deschedules a
# vCPU for milliseconds at a time, and the packets gw-a's other vCPU
# encrypts meanwhile reach gw-b first: at 64, both stacks dropped 0.1-2%
# of the ESP packets as out of window, at random, and TCP's backing off
# from those losses, not the stacks' own cost, decided the TCP rows.
REPLAY=${BENCH_REPLAY:-1024}
OUT=${BENCH_OUT:-/mnt/out}
[ -d "$OUT" ] && [ -w "$OUT" ] || OUT=/tmp/kipsec-bench
mkdir -p "$OUT"
RES=$OUT/results.tsv
: >"$RES"

. tests/lib/tap.sh
. tests/lib/guest.sh
. tests/lib/topology.sh
. tests/lib/xfrm.sh
. tests/lib/strongswan.sh
. tests/lib/kipsec_side.sh
. tests/bench/lib.sh

log() { echo "# [$(printf '%4d' $SECONDS) s] $*"; }

cleanup() {
	sw_stop_all >/dev/null 2>&1
	topo_teardown
	unload_kipsec 2>/dev/null
	rm -f "${ko:-}"
}
trap cleanup EXIT

unit_of() {
	case $1 in udp64) echo kpps ;; ike) echo ms ;; qm) echo QM/s ;; *) echo Mbit/s ;; esac
}

# record WORKLOAD ALG STACK VALUE [RUNS]
record() {
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$(unit_of "$1")" "${5:-}" >>"$RES"
}

DEADLINE=$((SECONDS + BUDGET))

# cpu_ticks: "BUSY TOTAL" jiffies of all CPUs so far, then one such pair
# per CPU, from /proc/stat (idle and iowait count as not busy; guest time
# is inside user).
cpu_ticks() {
	local name user nice sys idle iowait irq softirq steal _ out=
	while read -r name user nice sys idle iowait irq softirq steal _; do
		[[ $name == cpu* ]] || break
		out+="$((user + nice + sys + irq + softirq + steal)) $((user + nice + sys + idle + iowait + irq + softirq + steal)) "
	done </proc/stat
	echo "$out"
}

# cpu_busy_pct "TICKS0" "TICKS1": percent of one CPU used between the two
# cpu_ticks samples, summed over the CPUs; then, after a space, the
# busiest single CPU's percent: near 100, that one CPU was the limit
# whatever the total; well below 100 on every CPU, the CPUs were not.
cpu_busy_pct() {
	local a b i pct peak=0
	read -ra a <<<"$1"
	read -ra b <<<"$2"
	[ "${b[1]}" -gt "${a[1]}" ] || { echo "- -"; return; }
	for ((i = 2; i + 1 < ${#b[@]}; i += 2)); do
		[ "${b[i + 1]}" -gt "${a[i + 1]}" ] || continue
		pct=$(((b[i] - a[i]) * 100 / (b[i + 1] - a[i + 1])))
		[ "$pct" -le "$peak" ] || peak=$pct
	done
	echo "$(((b[0] - a[0]) * 100 * NCPU / (b[1] - a[1]))) $peak"
}
NCPU=$(nproc)

# cell WORKLOAD ALG STACK: RUNS iperf3 runs, median recorded. A failed
# first run ends the cell (a broken path would only fail again, slowly).
cell() {
	local w=$1 alg=$2 stack=$3 r v vals=() med
	for r in $(seq "$RUNS"); do
		if [ $SECONDS -ge $DEADLINE ]; then
			[ ${#vals[@]} -gt 0 ] || { record "$w" "$alg" "$stack" "n/a (time)"; return; }
			break
		fi
		if v=$(bench_iperf "$w" "$SECS" 2>>"$OUT/iperf-errors.log") && [ -n "$v" ]; then
			vals+=("$v")
			log "$w $alg $stack run $r: $v $(unit_of "$w")"
		else
			log "$w $alg $stack run $r: failed"
			[ ${#vals[@]} -gt 0 ] || { record "$w" "$alg" "$stack" "n/a (no traffic)"; return; }
		fi
	done
	med=$(bench_median "${vals[@]}")
	record "$w" "$alg" "$stack" "$med" "$(IFS=,; echo "${vals[*]}")"
}

# na_all ALG STACK REASON: every workload of this stack and algorithm.
na_all() {
	local w
	for w in $WORKLOADS; do record "$w" "$1" "$2" "n/a ($3)"; done
}

# ---- set-up -------------------------------------------------------------
log "kernel $(uname -r), $(nproc) vCPUs; runs=$RUNS x ${SECS}s, IKE n=$IKE_N"
# The same CPU-specific crypto drivers for every stack (DESIGN.md §5):
# vm-guest-init loads them already; asking again is free and makes the
# bench independent of that.
for m in aesni_intel ghash_clmulni_intel sha256_ssse3 chacha_x86_64 poly1305_x86_64; do
	modprobe -q $m || log "warning: modprobe $m failed"
done
topo_setup || { log "topology failed"; exit 1; }
# The first SA of an algorithm autoloads esp4 and the templates and runs
# the crypto self-tests (~10 s under TCG). kipsec uses the same templates,
# so this warms both stacks before anything is timed.
xfrm_warmup gw-a aes-gcm-16 aes-cbc/hmac-sha256 chacha20-poly1305 ||
	log "warning: XFRM warm-up failed"
# kipsec.ko is loaded at every switch to kipsec from XFRM: a copy without
# its debug info (most of its 9 MB, otherwise read over 9p each time)
# loads in about half the time, with the same code.
ko=$(mktemp --suffix=.ko /tmp/kipsec-bench.XXXXXX)
if strip --strip-debug -o "$ko" "$KIPSEC_KO" 2>/dev/null; then
	KIPSEC_KO=$ko
else
	rm -f "$ko"
fi
log "crypto drivers in use:"
bench_crypto_drivers | sed 's/^/#     /'

# ---- none: the ceiling ----------------------------------------------------
reason=$(bench_probe none)
if [ -n "$reason" ]; then
	log "none: $reason"
	for w in $WORKLOADS; do record "$w" - none "n/a ($reason)"; done
else
	for w in $WORKLOADS; do cell "$w" - none; done
fi

# ---- xfrm, kipsec and kipsec-par, interleaved ------------------------------
# Host drift between blocks of runs would bias the ratios, so for each
# workload and algorithm run i measures every stack back to back, in an
# order rotated by one place each run (x,k,p; p,x,k; k,p,x): over as many
# runs as there are stacks each one is in each position once, and every
# run starts with the stack the previous one ended with, one switch less.
# The rotation goes on across workloads, for the same reason.
#
# Each execution of ip or ipsecctl costs 0.1-0.3 s under TCG, so a switch
# changes only what the stacks need changed:
# - XFRM's SAs stay for the whole algorithm: without policies they act on
#   nothing (output follows policies, and on input kipsec takes the ESP of
#   its own SPIs at LOCAL_IN, before esp4 sees it). XFRM is switched by
#   adding its three policies per gateway (one `ip -batch`) or flushing
#   them.
# - kipsec.ko is unloaded for XFRM's turns: in a namespace that holds any
#   kipsec SA, kipsec's LOCAL_IN hook drops ESP for SPIs it does not know
#   (kipsec_input), XFRM's among them; and what XFRM decrypts in tunnel
#   mode comes back in as a new clear packet, which kipsec's FORWARD hook
#   would check against its fwd policies (kmod/hooks.c). Unloading also
#   costs fewer execs than flushing both gateways, and keeps kipsec's
#   hooks out of XFRM's path, as they are out of none's.
# - kipsec's and kipsec-par's SAs (distinct SPIs and reqids) stay side by
#   side while the module is loaded: the out policy's reqid picks the one
#   that carries the traffic, and the fwd policy (reqid 0) takes either.
declare -A SPI=([xfrm.ab]=0x1001 [xfrm.ba]=0x2001 [kipsec.ab]=0x1101
	[kipsec.ba]=0x2101 [kipsec-par.ab]=0x1201 [kipsec-par.ba]=0x2201)
declare -A REQID=([kipsec]=1 [kipsec-par]=2)
declare -A KEY=() AKEY=()  # per algorithm, [STACK.ab] and [STACK.ba]
declare -A DEAD=()         # per algorithm: STACK -> why it is out
declare -A PROBED=()       # per algorithm: STACK -> 1 once probed
STK=()                     # per algorithm: the stacks measured
CUR=                       # the stack in charge, if any
XPOL=0                     # XFRM's policies installed
KMOD=0                     # kipsec.ko loaded
KSAS=' '                   # the kipsec stacks whose SAs are installed
KOUT=                      # the kipsec stack the out policies are for
SWITCHES=0 SWITCH_US=0     # switches made, and their cost
ROT=0                      # runs so far: the rotation

keyhex() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }
nsx() {
	local ns=$1
	shift
	timeout "$BENCH_T" ip netns exec "$ns" "$@"
}
us_now() { echo "${EPOCHREALTIME/./}"; }

# side NS: NS's view, for the caller's locals: outer addresses l (its
# own) and r, protected nets ln and rn, and its out (o) and in (i)
# direction as SPI/KEY index.
side() {
	if [ "$1" = gw-a ]; then
		l=$TOPO_GWA4 r=$TOPO_GWB4 ln=$TOPO_NETA4 rn=$TOPO_NETB4 o=ab i=ba
	else
		l=$TOPO_GWB4 r=$TOPO_GWA4 ln=$TOPO_NETB4 rn=$TOPO_NETA4 o=ba i=ab
	fi
}

# both FUNC ARG...: FUNC gw-a ARG... and FUNC gw-b ARG... at once (two
# vCPUs); fails if either does.
both() {
	local f=$1 pid rc=0
	shift
	"$f" gw-a "$@" &
	pid=$!
	"$f" gw-b "$@" || rc=1
	wait "$pid" || rc=1
	return $rc
}

# The policies xfrm_side installs, in one ip call.
xfrm_pol_on() {
	local l r ln rn o i d
	side "$1"
	{
		echo "xfrm policy add src $ln dst $rn dir out tmpl src $l dst $r" \
			"proto esp reqid 1 mode tunnel level required"
		for d in in fwd; do
			echo "xfrm policy add src $rn dst $ln dir $d tmpl src $r dst $l" \
				"proto esp reqid 1 mode tunnel level required"
		done
	} | timeout "$BENCH_T" ip -n "$1" -batch -
}
xfrm_pol_off() { timeout "$BENCH_T" ip -n "$1" xfrm policy flush; }

# nsrun NS CMD [ARG...] [\; CMD [ARG...]]...: the commands, in order, in
# NS, from a single `ip netns exec` (which remounts /sys, the dearest part
# of running a command there under TCG); stops at the first that fails.
nsrun() {
	local ns=$1
	shift
	# shellcheck disable=SC2016 # the inner bash expands them
	timeout $((3 * BENCH_T)) ip netns exec "$ns" bash -c '
		c=()
		for a in "$@" ";"; do
			if [ "$a" != ";" ]; then
				c+=("$a")
			elif [ ${#c[@]} -gt 0 ]; then
				"${c[@]}" >/dev/null || exit 1
				c=()
			fi
		done' nsrun "$@"
}

# kipsec_on NS STACK XOFF FWD OLD: on NS, all a switch to STACK needs
# there, in one go (the gateways in parallel, one wait per switch): XFRM's
# policies flushed if XOFF=1, STACK's two SAs unless installed, the fwd
# policy (reqid 0: either kipsec SA) if FWD=1, and the out policy for
# STACK's SA (its reqid), replacing OLD's if OLD is not empty.
kipsec_on() {
	local ns=$1 st=$2 xoff=$3 fwd=$4 old=$5 l r ln rn o i c eo ei cmd=()
	side "$ns"
	[ "$xoff" = 1 ] && cmd+=(ip xfrm policy flush \;)
	if [[ $KSAS != *" $st "* ]]; then
		c=(proto esp mode tunnel reqid "${REQID[$st]}" replay-window "$REPLAY")
		[ "$st" = kipsec-par ] && c+=(parallel)
		eo=(enc "$alg" "0x${KEY[$st.$o]}") ei=(enc "$alg" "0x${KEY[$st.$i]}")
		if [ -n "$auth" ]; then
			eo+=(auth "$auth" "0x${AKEY[$st.$o]}")
			ei+=(auth "$auth" "0x${AKEY[$st.$i]}")
		fi
		cmd+=(ipsecctl sa add spi "${SPI[$st.$o]}" src "$l" dst "$r"
			"${c[@]}" "${eo[@]}" \;
			ipsecctl sa add spi "${SPI[$st.$i]}" src "$r" dst "$l"
			"${c[@]}" "${ei[@]}" \;)
	fi
	[ -n "$old" ] && cmd+=(ipsecctl policy del dir out src "$ln" dst "$rn" \;)
	[ "$fwd" = 1 ] && cmd+=(ipsecctl policy add dir fwd src "$rn" dst "$ln"
		action protect esp tunnel "$r" "$l" level require \;)
	cmd+=(ipsecctl policy add dir out src "$ln" dst "$rn" action protect esp
		tunnel "$l" "$r" reqid "${REQID[$st]}" level require)
	nsrun "$ns" "${cmd[@]}"
}

# What gw-b dropped as outside the replay window, kipsec's read before
# each unload (its counters go with the module), XFRM's at the end.
KREPLAY=0
kmod_unload() {
	local n
	n=$(nsx gw-b ipsecctl -j stats | jq -r '.stats.drop_replay // .drop_replay')
	KREPLAY=$((KREPLAY + ${n:-0}))
	KMOD=0 KSAS=' ' KOUT=
	timeout 60 rmmod kipsec && return 0
	bench_kipsec_flush
	timeout 60 rmmod kipsec
}

# stack_reset: no stack in charge, nothing of kipsec loaded, no XFRM
# policy (its SAs stay); after a failed switch, and per algorithm.
stack_reset() {
	both xfrm_pol_off
	XPOL=0 CUR=
	! grep -q '^kipsec ' /proc/modules || kmod_unload ||
		log "warning: rmmod kipsec failed"
	return 0
}

# use_stack STACK: STACK in charge of lan-a <-> lan-b from now on.
use_stack() {
	local to=$1 t0 ok=1
	[ "$to" = "$CUR" ] && return 0
	t0=$(us_now)
	case $to in
	xfrm)
		if [ $KMOD = 1 ]; then kmod_unload || ok=0; fi
		if [ $ok = 1 ]; then both xfrm_pol_on && XPOL=1 || ok=0; fi
		;;
	kipsec | kipsec-par)
		if [ $KMOD = 0 ]; then
			timeout 60 insmod "$KIPSEC_KO" && KMOD=1 || ok=0
		fi
		if [ $ok = 1 ] && both kipsec_on "$to" $XPOL \
			"$([ -n "$KOUT" ] || echo 1)" "$KOUT"; then
			XPOL=0 KOUT=$to
			[[ $KSAS == *" $to "* ]] || KSAS+="$to "
		else
			ok=0
		fi
		;;
	*) ok=0 ;;
	esac
	t0=$(($(us_now) - t0))
	SWITCHES=$((SWITCHES + 1)) SWITCH_US=$((SWITCH_US + t0))
	log "switch ${CUR:-(none)} -> $to: $((t0 / 1000)) ms"
	if [ $ok = 1 ]; then
		CUR=$to
		return 0
	fi
	log "switch to $to failed"
	stack_reset
	return 1
}

# sa_packets STACK: packets on STACK's gw-a -> gw-b SA so far.
sa_packets() {
	if [ "$1" = xfrm ]; then
		xfrm_sa_counters gw-a "${SPI[xfrm.ab]}" | awk '{ print $2 }'
	else
		nsx gw-a ipsecctl sa get spi "${SPI[$1.ab]}" dst "$TOPO_GWB4" \
			proto esp | awk -F'\t' '{ print $21 }'
	fi
}

# probe STACK: bench_probe, and the pings must have gone through STACK's
# own SA (for kipsec stacks: the out policy's reqid picked the right one).
probe() {
	local reason n
	reason=$(bench_probe "$1")
	if [ -z "$reason" ]; then
		n=$(sa_packets "$1")
		[ "${n:-0}" -gt 0 ] 2>/dev/null || reason="not on its own SA"
	fi
	echo "$reason"
}

# numbers LIST: NUMS set to the numbers in the comma-separated LIST (no
# process substitution here: the guest has no /dev/fd).
numbers() {
	local x items
	NUMS=()
	IFS=, read -ra items <<<"$1"
	for x in ${items[@]+"${items[@]}"}; do
		[[ $x =~ ^[0-9.]*[0-9]$ ]] && NUMS+=("$x")
	done
	return 0
}

# record_cpu KIND WORKLOAD ALG STACK LIST: a cpu or cpupeak line, the
# median of the comma-separated LIST first (nothing if LIST has no number).
record_cpu() {
	numbers "$5"
	[ ${#NUMS[@]} -eq 0 ] ||
		printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" \
			"$(bench_median "${NUMS[@]}")" "$5" >>"$RES"
}

# pcell WORKLOAD ALG: one cell per stack of STK, RUNS interleaved runs;
# then the paired ratios kipsec/xfrm and kipsec-par/xfrm. A stack's failed
# first run ends its part of the cell (a broken path would only fail
# again, slowly); a later failure leaves "-" in its place. The time budget
# is checked per run, so that every run that starts has all its pairs.
pcell() {
	local w=$1 a=$2 n=${#STK[@]} r j s v reason list p rl t0 cpus peaks
	local -A pv=() gone=() pcpu=() ppeak=()
	local -a busy
	for ((r = 0; r < RUNS; r++)); do
		[ $SECONDS -lt $DEADLINE ] || break
		for ((j = 0; j < n; j++)); do
			s=${STK[$(((j - ROT % n + n) % n))]}
			if [ -n "${DEAD[$s]:-}" ] || [ -n "${gone[$s]:-}" ]; then
				pv[$s]+=,-
				continue
			fi
			if ! use_stack "$s"; then
				DEAD[$s]="stack switch failed"
				pv[$s]+=,-
				continue
			fi
			if [ -z "${PROBED[$s]:-}" ]; then
				PROBED[$s]=1
				reason=$(probe "$s")
				if [ -n "$reason" ]; then
					log "$a over $s: $reason"
					DEAD[$s]=$reason
					pv[$s]+=,-
					continue
				fi
			fi
			t0=$(cpu_ticks)
			if v=$(bench_iperf "$w" "$SECS" 2>>"$OUT/iperf-errors.log") && [ -n "$v" ]; then
				pv[$s]+=,$v
				read -ra busy <<<"$(cpu_busy_pct "$t0" "$(cpu_ticks)")"
				pcpu[$s]+=,${busy[0]}
				ppeak[$s]+=,${busy[1]}
				log "$w $a $s run $((r + 1)): $v $(unit_of "$w"), CPUs ${busy[0]}% busy, the busiest ${busy[1]}%"
			else
				log "$w $a $s run $((r + 1)): failed"
				[[ ${pv[$s]:-} == *[0-9]* ]] || gone[$s]=1
				pv[$s]+=,-
			fi
		done
		ROT=$((ROT + 1))
	done
	for s in "${STK[@]}"; do
		list=${pv[$s]:-}
		list=${list#,}
		numbers "$list"
		if [ ${#NUMS[@]} -gt 0 ]; then
			record "$w" "$a" "$s" "$(bench_median "${NUMS[@]}")" "$list"
		elif [ -n "${DEAD[$s]:-}" ]; then
			record "$w" "$a" "$s" "n/a (${DEAD[$s]})"
		elif [ -n "${gone[$s]:-}" ]; then
			record "$w" "$a" "$s" "n/a (no traffic)"
		else
			record "$w" "$a" "$s" "n/a (time)"
		fi
		# Unset for a stack the deadline left without a run.
		cpus=${pcpu[$s]:-} peaks=${ppeak[$s]:-}
		record_cpu cpu "$w" "$a" "$s" "${cpus#,}"
		record_cpu cpupeak "$w" "$a" "$s" "${peaks#,}"
	done
	[ -n "${pv[xfrm]:-}" ] || return 0
	for p in kipsec kipsec-par; do
		[ -n "${pv[$p]:-}" ] || continue
		rl=$(bench_pair_ratios "${pv[xfrm]#,}" "${pv[$p]#,}")
		numbers "$rl"
		[ ${#NUMS[@]} -gt 0 ] || continue
		printf '%s\t%s\t%s\t%s\tratio\t%s\n' "$w" "$a" "$p/xfrm" \
			"$(bench_median "${NUMS[@]}")" "$rl" >>"$RES"
	done
}

for spec in $ALGS; do
	alg=${spec%%/*} auth=
	[ "$spec" != "$alg" ] && auth=${spec#*/}
	# Key lengths as ipsecctl's README lists them (AEADs: key + 4-byte
	# salt). A key per stack: with one key and salt on two SAs, GCM's
	# nonces (salt + sequence number) would repeat.
	case $alg in
	aes-gcm-16) klen=20 ;;
	chacha20-poly1305) klen=36 ;;
	*) klen=16 ;;
	esac
	DEAD=() PROBED=() STK=()
	for stack in $STACKS; do
		if [ $SECONDS -ge $DEADLINE ]; then
			na_all "$spec" "$stack" time
			continue
		fi
		STK+=("$stack")
		for d in ab ba; do
			KEY[$stack.$d]=$(keyhex $klen) AKEY[$stack.$d]=
			[ -z "$auth" ] || AKEY[$stack.$d]=$(keyhex 32)
		done
	done
	[ ${#STK[@]} -gt 0 ] || continue
	log "== $spec: ${STK[*]}, interleaved"
	# XFRM's SAs (and policies, flushed again: xfrm_pair adds both) as
	# the tests install them.
	if [[ " ${STK[*]} " == *" xfrm "* ]] &&
		! { xfrm_pair family=4 mode=tunnel alg="$alg" auth="$auth" \
			replay="$REPLAY" spi_ab="${SPI[xfrm.ab]}" spi_ba="${SPI[xfrm.ba]}" \
			key_ab="${KEY[xfrm.ab]}" key_ba="${KEY[xfrm.ba]}" \
			akey_ab="${AKEY[xfrm.ab]}" akey_ba="${AKEY[xfrm.ba]}" &&
			both xfrm_pol_off; }; then
		DEAD[xfrm]="SA setup failed"
		xfrm_flush gw-a gw-b
	fi
	for w in $WORKLOADS; do pcell "$w" "$spec"; done
	ip -s -n gw-a xfrm state >"$OUT/xfrm-$alg-gw-a.txt" 2>&1
	[ $KMOD = 0 ] || nsx gw-a ipsecctl -j sa list >"$OUT/kipsec-$alg-gw-a.json" 2>&1
	stack_reset
	xfrm_flush gw-a gw-b
done
log "stack switches: $SWITCHES, $((SWITCH_US / 1000000)) s in all"
printf 'switches\t-\t-\t%s\tswitches\t%s\n' "$SWITCHES" \
	"$((SWITCH_US / 1000000))" >>"$RES"
# shellcheck disable=SC2016 # awk's own $1 and $2
xreplay=$(nsx gw-b awk '$1 == "XfrmInStateSeqError" { print $2 }' /proc/net/xfrm_stat)
log "out-of-window drops on gw-b (window $REPLAY): xfrm ${xreplay:-?}, kipsec $KREPLAY"
printf 'replay\t-\t-\t%s\twindow\t%s,%s\n' "$REPLAY" "${xreplay:--}" "$KREPLAY" >>"$RES"

# ---- IKE: N x (Main Mode + Quick Mode) ------------------------------------
ike_row() {
	local stack=$1 f=$2 vals
	mapfile -t vals <"$f"
	if [ ${#vals[@]} -eq "$IKE_N" ]; then
		record ike "$BENCH_IKE_SUITE/$BENCH_IKE_ESP" "$stack" \
			"$(printf '%s\n' "${vals[@]}" | awk '{ s += $1 } END { print s }')" \
			"$(IFS=,; echo "${vals[*]}")"
	else
		record ike "$BENCH_IKE_SUITE/$BENCH_IKE_ESP" "$stack" \
			"n/a (failed after ${#vals[@]})" "$(IFS=,; echo "${vals[*]}")"
	fi
}
# qm_row STACK FILE: Quick Modes per second over one ISAKMP SA.
qm_row() {
	[ "$BENCH_QM_N" -gt 0 ] || return 0
	if [ -s "$2" ]; then
		record qm "$BENCH_IKE_SUITE/$BENCH_IKE_ESP" "$1" "$(cat "$2")" "$BENCH_QM_N"
	else
		record qm "$BENCH_IKE_SUITE/$BENCH_IKE_ESP" "$1" "n/a (failed)"
	fi
}
if [ "$IKE_N" -gt 0 ]; then
	ike=$(mktemp -d /tmp/bench-ike.XXXXXX)
	chmod 700 "$ike"
	bench_ike_addrs "$IKE_N" || log "warning: extra transit addresses failed"
	log "== IKE: charon <-> charon, 1 warm-up + $IKE_N negotiations"
	BENCH_QM_FILE=$ike/charon.qm bench_ike_charon "$IKE_N" >"$ike/charon.ms" ||
		log "charon: a negotiation failed"
	cp "$SW_BASE/gw-a/charon.log" "$OUT/bench-charon-gw-a.log" 2>/dev/null
	ike_row xfrm "$ike/charon.ms"
	qm_row xfrm "$ike/charon.qm"
	log "charon: $(tr '\n' ' ' <"$ike/charon.ms")ms, $(cat "$ike/charon.qm" 2>/dev/null) Quick Modes/s"
	log "== IKE: ipsecd <-> ipsecd, 1 warm-up + $IKE_N negotiations"
	if timeout 60 insmod "$KIPSEC_KO"; then
		bench_ike_ipsecd "$IKE_N" "$ike" >"$ike/ipsecd.ms" ||
			log "ipsecd: a negotiation failed"
		cp "$ike/ipsecd-a.log" "$OUT/bench-ipsecd-gw-a.log" 2>/dev/null
		cp "$ike/ipsecd-b.log" "$OUT/bench-ipsecd-gw-b.log" 2>/dev/null
		ike_row kipsec "$ike/ipsecd.ms"
		qm_row kipsec "$ike/qm"
		log "ipsecd: $(tr '\n' ' ' <"$ike/ipsecd.ms")ms, $(cat "$ike/qm" 2>/dev/null) Quick Modes/s"
		bench_kipsec_flush
		timeout 60 rmmod kipsec || log "warning: rmmod kipsec failed"
	else
		record ike "$BENCH_IKE_SUITE/$BENCH_IKE_ESP" kipsec "n/a (insmod failed)"
	fi
	rm -rf "$ike"
fi
log "done"
