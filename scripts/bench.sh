#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: kipsec against the kernel's own IPsec (XFRM) and against no
# IPsec at all, measured side by side in ONE guest boot (tests/bench/run.sh
# does the work inside it), printed as a table:
#   workload, algorithm, none, xfrm, kipsec, kipsec/xfrm, kipsec-par,
#   kipsec-par/xfrm
# for iperf3 TCP 1 stream, TCP 4 streams and UDP 64-byte packet rate, with
# ESP tunnel mode AES-GCM-128, AES-CBC-128 + HMAC-SHA-256 and
# ChaCha20-Poly1305, plus the time of N IKEv1 Main Mode + Quick Mode
# negotiations, ipsecd <-> ipsecd against charon <-> charon, and Quick
# Modes per second over one ISAKMP SA for each, both taken from the
# daemons' own log time stamps (tests/bench/lib.sh says why). kipsec-par is kipsec with
# `parallel` SAs (each SA's crypto spread over all CPUs); the kipsec column
# keeps the serial SAs. BENCH_STACKS="xfrm kipsec" leaves kipsec-par out
# (its columns then show "-").
#
#   scripts/bench.sh [-o DIR]
#
# -o DIR keeps the guest's results there (default: a new
# /tmp/kipsec-bench.XXXXXX, not tests/out, which `make check` wipes at its
# start). Settings pass through the environment to the guest (defaults in
# tests/bench/run.sh): BENCH_RUNS, BENCH_SECS, BENCH_IKE_N, BENCH_QM_N,
# BENCH_BUDGET, BENCH_ALGS, BENCH_WORKLOADS, BENCH_STACKS, BENCH_REPLAY
# (the anti-replay window of both stacks' SAs, 1024 by default).
# BENCH_NO_BUILD=1 skips `make kmod userland`. BENCH_BOOTS=N (default 1)
# boots the guest N times, one after the other, each boot's results in
# DIR/boot-I, and makes the table from all of them: each cell's runs (and
# each ratio's pairs) of every boot together, the median over them all.
# A pair never spans two boots. TCP's behaviour differs from boot to boot
# (the same stack's work per byte moved by a fifth between two boots), so
# two boots say more than one boot with twice the runs.
#
# The runs are paired: for each workload and algorithm, run i measures
# xfrm, kipsec and kipsec-par back to back (whichever BENCH_STACKS has),
# the order rotated by one place each run (x,k,p; p,x,k; k,p,x), so that
# no stack is always first and drift of the host between runs hits all
# stacks of a run alike. The ratio columns are the median of the per-run
# ratios kipsec_i/xfrm_i, with their range "(min..max)"; the value
# columns are each stack's median. Switching keeps XFRM's SAs installed
# and only adds or flushes its policies; kipsec.ko is loaded for kipsec's
# turns and unloaded for XFRM's (it would drop XFRM's ESP while it holds
# SAs of its own), and kipsec and kipsec-par differ only in the SA their
# out policy names. The number of switches and their cost is printed
# after the table. `none` is measured once, first, with no IPsec loaded.
#
# Numbers come from a TCG guest (DESIGN.md §5): software-emulated CPUs, so
# only the ratios mean anything, and only between runs of the same boot.
# Each value cell is a median; a single run of one stack moves by about
# ±20%, which the pairing takes out of the ratios as far as it is the
# host's drift.
set -euo pipefail
cd "$(dirname "$0")/.."

outdir=
while getopts "o:h" opt; do
	case $opt in
	o) outdir=$OPTARG ;;
	h) sed -n '3,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
	*) exit 2 ;;
	esac
done
[ -n "$outdir" ] || outdir=$(mktemp -d /tmp/kipsec-bench.XXXXXX)
mkdir -p "$outdir"

[ "${BENCH_NO_BUILD:-0}" = 1 ] || make -s kmod userland

# vm-run passes the command, not the environment: hand the settings over
# through env(1).
envs=()
for v in BENCH_RUNS BENCH_SECS BENCH_IKE_N BENCH_QM_N BENCH_BUDGET BENCH_ALGS \
	BENCH_WORKLOADS BENCH_STACKS BENCH_REPLAY; do
	[ -n "${!v:-}" ] && envs+=("$v=${!v}")
done

# merge_boots FILE...: one results.tsv from several boots' (stdout). Every
# line is keyed by its leading fields (four for cpu and cpupeak lines,
# three for the rest); the run lists of a key are joined in boot order
# and its value is their median (the mean of the middle two for an even
# count), as tests/bench/lib.sh's bench_median takes it; an ike value is
# the total time of its negotiations, as in one boot. A key with no
# number in any boot keeps its first boot's "n/a (...)". qm values are
# per boot (a rate over BENCH_QM_N rekeys): their median. switches and
# the replay drops are summed.
merge_boots() {
	awk -F'\t' -v OFS='\t' '
	function median(list,   a, v, n, i, j, t) {
		n = 0
		split(list, a, ",")
		for (i in a)
			if (a[i] ~ /^[0-9.]+$/) v[++n] = a[i] + 0
		if (!n) return ""
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && v[j - 1] > v[j]; j--) {
				t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
			}
		return n % 2 ? v[(n + 1) / 2] : sprintf("%.4g", (v[n / 2] + v[n / 2 + 1]) / 2)
	}
	function total(list,   a, i, n, sum) {
		n = split(list, a, ",")
		for (i = 1; i <= n; i++) {
			if (a[i] !~ /^[0-9.]+$/) return ""
			sum += a[i]
		}
		return n ? sum : ""
	}
	{
		wide = $1 == "cpu" || $1 == "cpupeak"
		key = wide ? $1 OFS $2 OFS $3 OFS $4 : $1 OFS $2 OFS $3
		if (!(key in line)) { order[++n] = key; line[key] = $0; sep[key] = "" }
		if ($1 == "switches") { sw += $4; sws += $6; next }
		if ($1 == "replay") { split($6, d, ","); rx += d[1]; rk += d[2]; next }
		if ($1 == "qm") { runs[key] = runs[key] sep[key] $4; sep[key] = ","; next }
		runs[key] = runs[key] sep[key] $6; sep[key] = ","
	}
	END {
		for (i = 1; i <= n; i++) {
			key = order[i]
			split(line[key], f, "\t")
			if (f[1] == "switches") { print f[1], f[2], f[3], sw, f[5], sws; continue }
			if (f[1] == "replay") { print f[1], f[2], f[3], f[4], f[5], rx "," rk; continue }
			m = f[1] == "ike" ? total(runs[key]) : median(runs[key])
			if (m == "") { print line[key]; continue }
			if (f[1] == "qm") print f[1], f[2], f[3], m, f[5], f[6]
			else if (f[1] == "cpu" || f[1] == "cpupeak") print key, m, runs[key]
			else print key, m, f[5], runs[key]
		}
	}' "$@"
}

boots=${BENCH_BOOTS:-1}
case $boots in
''|*[!0-9]*|0) echo "bench: BENCH_BOOTS must be a number of boots, 1 or more" >&2; exit 2 ;;
esac
start=$SECONDS
status=0
for ((boot = 1; boot <= boots; boot++)); do
	bootdir=$outdir
	[ "$boots" -eq 1 ] || bootdir=$outdir/boot-$boot
	mkdir -p "$bootdir"
	# -t: the guest budgets 11 min for throughput plus ~1 min of IKE;
	# this is the hard stop if something in it hangs anyway (results.tsv
	# is written cell by cell, so what was measured before still makes
	# the table). -T multi: the parallel-crypto rows need vCPUs that
	# really run at once.
	scripts/vm-run -T multi -o "$bootdir" -t 900 -- \
		env ${envs[@]+"${envs[@]}"} tests/bench/run.sh || status=$?
done
echo "# guest took $((SECONDS - start)) s in $boots boot(s); results in $outdir"

res=$outdir/results.tsv
if [ "$boots" -gt 1 ]; then
	parts=()
	for ((boot = 1; boot <= boots; boot++)); do
		[ -s "$outdir/boot-$boot/results.tsv" ] &&
			parts+=("$outdir/boot-$boot/results.tsv")
	done
	[ ${#parts[@]} -eq 0 ] || merge_boots "${parts[@]}" >"$res"
	echo "# every cell below: the runs of ${#parts[@]} boot(s) of $boots together"
fi
if [ ! -s "$res" ]; then
	echo "bench: the guest produced no results (status $status)" >&2
	exit 1
fi

# The table. Cells: "VALUE UNIT" or "n/a (why)"; none is measured once per
# workload (it has no algorithm) and shown on each of its rows. The
# throughput ratios are the median of the paired per-run ratios
# (kipsec_i / xfrm_i of the same run i), with their range: higher is
# better for kipsec. For IKE the ratio is charon's time over ipsecd's, so
# there too >1 means kipsec is faster.
awk -F'\t' '
function num(v) { return v ~ /^[0-9.]+$/ }
function cell(v, u) { return v == "" ? "-" : num(v) ? v " " u : v }
# paired(KEY, STACK): "MEDIAN (MIN..MAX)" of the per-run ratios, or "-"
function paired(key, st,   m, k, i, r, lo, hi) {
	if (!num(val[key, st])) return "-"
	m = split(runs[key, st], r, ","); k = 0
	for (i = 1; i <= m; i++) {
		if (!num(r[i])) continue
		if (!k++ || r[i] + 0 < lo) lo = r[i] + 0
		if (k == 1 || r[i] + 0 > hi) hi = r[i] + 0
	}
	return sprintf("%.2f (%.2f..%.2f)", val[key, st], lo, hi)
}
$1 == "switches" || $1 == "replay" || $1 == "cpu" || $1 == "cpupeak" { next }
{
	key = $1 SUBSEP $2
	val[key, $3] = $4; runs[key, $3] = $6
	if ($5 != "ratio") unit[$1] = $5
	if ($1 == "ike" && $6 != "") ikeN = split($6, r, ",")
	if ($3 == "none") { none[$1] = $4; next }
	if (!(key in seen)) { seen[key] = 1; order[++n] = key }
}
END {
	name["tcp1"] = "TCP, 1 stream"; name["tcp4"] = "TCP, 4 streams"
	name["udp64"] = "UDP 64 B, rx rate"
	fmt = "%-20s %-36s %-14s %-18s %-25s %-19s %-16s %s\n"
	printf fmt, "workload", "algorithm", "none", "xfrm", "kipsec", "kipsec/xfrm",
		"kipsec-par", "par/xfrm"
	for (i = 1; i <= n; i++) {
		split(order[i], k, SUBSEP); w = k[1]; a = k[2]
		x = val[order[i], "xfrm"]; y = val[order[i], "kipsec"]
		if (w == "qm") {
			ratio = num(x) && num(y) && x > 0 ? sprintf("%.2f", y / x) : "-"
			printf fmt, "IKEv1 QM/s, 1 SA", a, "-", cell(x, unit[w]) " charon",
				cell(y, unit[w]) " ipsecd", ratio, "-", "-"
			continue
		}
		if (w == "ike") {
			ratio = num(x) && num(y) && y > 0 ? sprintf("%.2f (speed)", x / y) : "-"
			printf fmt, "IKEv1 MM+QM x" ikeN, a, "-", cell(x, unit[w]) " charon",
				cell(y, unit[w]) " ipsecd", ratio, "-", "-"
			continue
		}
		p = val[order[i], "kipsec-par"]
		printf fmt, (w in name ? name[w] : w), a, cell(none[w], unit[w]),
			cell(x, unit[w]), cell(y, unit[w]), paired(order[i], "kipsec/xfrm"),
			cell(p, unit[w]), paired(order[i], "kipsec-par/xfrm")
	}
}' "$res" | tee "$outdir/table.txt"

ike_runs=$(awk -F'\t' '$1 == "ike" { printf "%s%s: %s ms", s, $3, $6; s = "; " }' "$res")
qm_n=$(awk -F'\t' '$1 == "qm" && $6 != "" { print $6; exit }' "$res")
[ -z "$qm_n" ] || echo "# IKE QM/s: $qm_n Quick Modes (rekeys) in a row over one ISAKMP SA; ratio ipsecd/charon, >1: ipsecd faster"
[ -z "$ike_runs" ] || echo "# IKE per negotiation ($ike_runs)"
[ -z "$ike_runs$qm_n" ] || echo "# IKE times from the daemons' own logs: the initiator's control request to the responder's SA in the kernel"
# How busy the guest's CPUs were, per cell: a stack that already keeps
# every vCPU busy leaves nothing for parallel SAs to win.
# The busiest single vCPU beside it: near 100%, that one CPU was the
# limit, as it is for one TCP stream whose hops mostly run on one CPU.
awk -F'\t' '$1 == "cpu" || $1 == "cpupeak" {
	k = $2 " " $3
	if (!(k in line)) { order[++n] = k; line[k] = k ":" }
	line[k] = line[k] ($1 == "cpu" ? " " $4 " " $5 "%" : " (" $5 "%)")
}
END {
	if (n) print "# guest CPUs busy, median per cell (100% = one vCPU fully busy; the busiest vCPU in brackets):"
	for (i = 1; i <= n; i++) print "#   " line[order[i]]
}' "$res"
awk -F'\t' '$1 == "switches" {
	print "# stack switches: " $4 " (" $6 " s), runs interleaved: per-run ratios paired"
}
$1 == "replay" {
	split($6, d, ",")
	print "# anti-replay window " $4 "; ESP dropped as outside it on gw-b: xfrm " d[1] ", kipsec " d[2]
}' "$res"
if [ "$status" -ne 0 ]; then
	echo "bench: guest exit status $status (125: no status, or the kernel" \
		"complained in dmesg; see $outdir/dmesg-bad, console.log)" >&2
	exit 1
fi
