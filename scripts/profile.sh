#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make profile`: where the guest kernel spends its instructions moving the
# same bytes lan-a -> lan-b through the kernel's own IPsec and through
# kipsec, per function, side by side. One guest boot, under TCG with the
# insn_count plugin (scripts/tcg-profile/insn_count.c), which counts every
# instruction executed during each transfer; tests/bench/profile.sh runs
# the transfers, scripts/tcg-profile/report.py prints the result.
#
#   scripts/profile.sh [-o DIR] [-n TOP]
#
# -o DIR keeps the counts and the guest's kallsyms (default: a new
# /tmp/kipsec-profile.XXXXXX); -n TOP functions per list (default 40).
# Settings pass through the environment to the guest: PROFILE_ALG,
# PROFILE_WORKLOAD, PROFILE_BYTES, PROFILE_STREAMS, PROFILE_STACKS (see
# tests/bench/profile.sh). BENCH_NO_BUILD=1 skips `make kmod userland`.
#
# This is for finding work to take off the packet path, not for speed
# claims: those come from `make bench`. Counts are exact for what ran in
# the window (the vCPUs take turns on one host thread, so no increment is
# lost), but an emulated instruction's cost varies: a "rep movsb" counts
# once per byte, an AES-NI round once.
set -euo pipefail
cd "$(dirname "$0")/.."

outdir= top=40
while getopts "o:n:h" opt; do
	case $opt in
	o) outdir=$OPTARG ;;
	n) top=$OPTARG ;;
	h) sed -n '3,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
	*) exit 2 ;;
	esac
done
[ -n "$outdir" ] || outdir=$(mktemp -d /tmp/kipsec-profile.XXXXXX)
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
rm -f "$outdir"/insns-*.txt "$outdir"/profile-start "$outdir"/profile-stop

[ "${BENCH_NO_BUILD:-0}" = 1 ] || make -s kmod userland

plugin=$outdir/insn_count.so
gcc -O2 -Wall -Wextra -Werror -shared -fPIC -fvisibility=hidden \
	-o "$plugin" scripts/tcg-profile/insn_count.c -lpthread

envs=()
for v in PROFILE_ALG PROFILE_WORKLOAD PROFILE_BYTES PROFILE_STREAMS PROFILE_STACKS; do
	[ -n "${!v:-}" ] && envs+=("$v=${!v}")
done
status=0
scripts/vm-run -p "$plugin,dir=$outdir" -o "$outdir" -t 1200 -- \
	env ${envs[@]+"${envs[@]}"} tests/bench/profile.sh || status=$?
if [ ! -s "$outdir/windows.tsv" ]; then
	echo "profile: the guest measured no window (status $status)" >&2
	exit 1
fi
python3 scripts/tcg-profile/report.py "$outdir" "$top" | tee "$outdir/report.txt"
echo "# counts and kallsyms in $outdir"
exit "$status"
