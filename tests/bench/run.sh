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
# Results: BENCH_OUT/results.tsv (default /mnt/out, the results share),
# one line per cell: WORKLOAD ALG STACK VALUE UNIT RUNS, VALUE the median
# of RUNS (comma-separated), or "n/a (REASON)" in VALUE. scripts/bench.sh
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
BUDGET=${BENCH_BUDGET:-540}    # seconds for all throughput cells; cells
                               # after that report "n/a (time)"
ALGS=${BENCH_ALGS:-"aes-gcm-16 aes-cbc/hmac-sha256 chacha20-poly1305"}
WORKLOADS=${BENCH_WORKLOADS:-"tcp1 tcp4 udp64"}
STACKS=${BENCH_STACKS:-"xfrm kipsec kipsec-par"}
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

# ---- xfrm and kipsec, per algorithm ---------------------------------------
keyhex() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }

for spec in $ALGS; do
	alg=${spec%%/*} auth=
	[ "$spec" != "$alg" ] && auth=${spec#*/}
	# The same keys for both stacks; lengths as ipsecctl's README lists
	# them (AEADs: key + 4-byte salt).
	case $alg in
	aes-gcm-16) klen=20 ;;
	chacha20-poly1305) klen=36 ;;
	*) klen=16 ;;
	esac
	kab=$(keyhex $klen) kba=$(keyhex $klen) akab='' akba=''
	[ -n "$auth" ] && akab=$(keyhex 32) akba=$(keyhex 32)
	for stack in $STACKS; do
		if [ $SECONDS -ge $DEADLINE ]; then
			na_all "$spec" "$stack" time
			continue
		fi
		log "== $spec over $stack"
		case $stack in
		xfrm)
			if ! xfrm_pair family=4 mode=tunnel alg="$alg" auth="$auth" \
				replay=64 spi_ab=0x1001 spi_ba=0x2001 \
				key_ab="$kab" key_ba="$kba" akey_ab="$akab" akey_ba="$akba"; then
				na_all "$spec" xfrm "SA setup failed"
				xfrm_flush gw-a gw-b
				continue
			fi
			;;
		kipsec | kipsec-par)
			# Loaded only for its own cells, so that none and
			# xfrm are measured without kipsec's hooks in the path.
			if ! timeout 60 insmod "$KIPSEC_KO"; then
				na_all "$spec" "$stack" "insmod failed"
				continue
			fi
			par=no
			[ "$stack" = kipsec-par ] && par=yes
			if ! ipsec_pair kipsec kipsec family=4 mode=tunnel \
				alg="$alg" auth="$auth" replay=64 spi_ab=0x1001 \
				spi_ba=0x2001 key_ab="$kab" key_ba="$kba" \
				akey_ab="$akab" akey_ba="$akba" parallel=$par >/dev/null; then
				na_all "$spec" "$stack" "SA/policy setup failed"
				bench_kipsec_flush
				timeout 60 rmmod kipsec
				continue
			fi
			;;
		esac
		reason=$(bench_probe "$stack")
		if [ -n "$reason" ]; then
			log "$spec over $stack: $reason"
			na_all "$spec" "$stack" "$reason"
		else
			for w in $WORKLOADS; do cell "$w" "$spec" "$stack"; done
		fi
		case $stack in
		xfrm)
			ip -s -n gw-a xfrm state >"$OUT/xfrm-$alg-gw-a.txt" 2>&1
			xfrm_flush gw-a gw-b
			;;
		kipsec | kipsec-par)
			timeout "$BENCH_T" ip netns exec gw-a ipsecctl -j sa list \
				>"$OUT/$stack-$alg-gw-a.json" 2>&1
			bench_kipsec_flush
			timeout 60 rmmod kipsec || log "warning: rmmod kipsec failed"
			;;
		esac
	done
done

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
