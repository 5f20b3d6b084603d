#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the test guest (tests/run.sh boots it through scripts/vm-run):
# every tests/guest/[0-9]*.sh in order, in one boot, because boots cost
# ~15 s each under TCG. Each test file prints TAP lines (tests/lib/tap.sh)
# and starts from a clean state: no kipsec module loaded, no test network
# namespaces left over from the test before.
#
#   tests/guest/run-all.sh [--only PATTERN] [--queue DIR]
#
# --queue DIR: several guests booted side by side (tests/run.sh does this)
# share DIR and take the test files from it as from one queue: a guest runs
# a file only if it is the first to create DIR/NAME, an atomic mkdir on the
# host's file system. Much of the suite waits on timers (lifetimes, rekeys,
# retransmissions), so two guests on two host cores finish far sooner than
# one.
set -uo pipefail
cd "$(dirname "$0")/../.."
export KIPSEC_TOP=$PWD
export PATH=$PWD/userland/build:$PATH
export KIPSEC_KO=$PWD/kmod/kipsec.ko

only= queue=
while [ $# -gt 0 ]; do
	case $1 in
	--only) only=$2; shift ;;
	--queue) queue=$2; shift ;;
	*) echo "usage: run-all.sh [--only PATTERN] [--queue DIR]" >&2; exit 2 ;;
	esac
	shift
done

cleanup() {
	local ns
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$ns"
	done
	if grep -q '^kipsec ' /proc/modules; then
		rmmod kipsec || echo "not ok - rmmod kipsec after test"
	fi
}

# The longest files first (their "# -- FILE took N s" lines in a run of
# `make check`), the rest in order: guests sharing the queue then end
# close together, instead of one starting a long file when the other is
# nearly done. A file missing from the list only runs later.
LONGEST_FIRST="35 37 89 91 36 39 84 92 45"
queue_order() {
	local n t
	for n in $LONGEST_FIRST; do
		ls tests/guest/"$n"-*.sh 2>/dev/null
	done
	for t in tests/guest/[0-9]*.sh; do
		n=${t#tests/guest/}
		[[ " $LONGEST_FIRST " == *" ${n%%-*} "* ]] || echo "$t"
	done
}

for t in $(queue_order); do
	[ -n "$only" ] && ! [[ $(basename "$t") == *$only* ]] && continue
	[ -z "$queue" ] || mkdir "$queue/$(basename "$t")" 2>/dev/null || continue
	echo "# == $t"
	start=$(date +%s)
	timeout -k 5 600 bash "$t"
	rc=$?
	[ $rc -eq 0 ] || echo "# $t exited with status $rc"
	[ $rc -eq 124 ] && echo "not ok - $t timed out"
	echo "# -- $t took $(($(date +%s) - start)) s"
	cleanup
done
