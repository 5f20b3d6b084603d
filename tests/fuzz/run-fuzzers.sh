#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Builds every libFuzzer target (userland FUZZ=1) and runs each for a
# bounded time from its seed corpus in tests/fuzz/corpus/NAME/. One TAP line
# per target: ok when the run found no crash, leak or sanitizer report.
#   tests/fuzz/run-fuzzers.sh [LOGDIR]
# FUZZ_SECONDS sets every target's time; otherwise 30 s each, except the
# small input spaces listed in target_seconds().
set -uo pipefail
cd "$(dirname "$0")/../.."
logdir=${1:-/tmp}

# Default run time of one target, in seconds.
target_seconds() {
	case $1 in
	fuzz_ipsecd_config) echo 20 ;;
	*) echo 30 ;;
	esac
}

n=0
if ! make -s -C userland FUZZ=1 -j2 fuzzers >"$logdir/fuzz-build.log" 2>&1; then
	echo "not ok 1 - fuzz targets build"
	sed 's/^/#   /' "$logdir/fuzz-build.log" | tail -n 30
	exit 1
fi
for f in userland/build-fuzz/fuzz/*; do
	[ -x "$f" ] || continue
	name=$(basename "$f")
	seconds=${FUZZ_SECONDS:-$(target_seconds "$name")}
	corpus=tests/fuzz/corpus/${name#fuzz_}
	work=$(mktemp -d)
	[ -d "$corpus" ] && cp -r "$corpus"/. "$work"/
	n=$((n + 1))
	if "$f" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$logdir/$name-" "$work" >"$logdir/$name.log" 2>&1; then
		echo "ok $n - $name: ${seconds}s without a crash ($(grep -Eo 'cov: [0-9]+' "$logdir/$name.log" | tail -1))"
	else
		echo "not ok $n - $name crashed (artifacts in $logdir)"
		grep -E 'ERROR|SUMMARY|Test unit written' "$logdir/$name.log" | sed 's/^/#   /' | head -n 10
	fi
	rm -rf "$work"
done
echo "1..$n"
