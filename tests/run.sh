#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The whole test suite (`make check`). Every test reports TAP lines
# ("ok N - ...", "not ok N - ..."); this script counts them across
#   - builds: kipsec.ko with zero W=1 warnings, userland with -Werror,
#     checkpatch --strict clean,
#   - userland unit tests under ASan + UBSan, and each libFuzzer target for
#     a bounded time,
#   - every kernel-side test, in two guests booted side by side that take
#     the test files from one queue (tests/guest/run-all.sh),
# and ends with the line "N passed, N failed". Exit status 0 only when
# nothing failed.
#
#   tests/run.sh [--unit | --guest] [--only PATTERN]
#
# --only runs only the guest tests whose file name matches PATTERN.
# Logs of every step are kept in tests/out/.
set -uo pipefail
cd "$(dirname "$0")/.."
top=$PWD
out=$top/tests/out
rm -rf "$out"
mkdir -p "$out"

do_unit=1 do_guest=1 only=
while [ $# -gt 0 ]; do
	case $1 in
	--unit) do_guest=0 ;;
	--guest) do_unit=0 ;;
	--only) only=$2; shift ;;
	*) echo "usage: tests/run.sh [--unit|--guest] [--only PATTERN]" >&2; exit 2 ;;
	esac
	shift
done

passed=0 failed=0

# count NAME LOGFILE STATUS: adds a TAP log to the totals. A step that
# failed without reporting a failing test still counts as one failure, so
# a crash can never pass silently.
count() {
	local name=$1 log=$2 status=$3 p f
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $name exited with status $status" | tee -a "$log"
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	grep -E -A12 '^not ok ' "$log" | head -n 200
	echo "== $name: $p passed, $f failed"
}

# step NAME CMD...: one pass/fail test made of a whole command.
step() {
	local name=$1 log
	shift
	log=$out/$(echo "$name" | tr -c 'a-zA-Z0-9\n' '_').log
	if "$@" >"$log" 2>&1; then
		echo "ok - $name"
		passed=$((passed + 1))
	else
		echo "not ok - $name (log: ${log#"$top"/})"
		tail -n 30 "$log" | sed 's/^/#   /'
		failed=$((failed + 1))
	fi
}

kmod_clean_build() {
	make -s kmod 2>&1 | tee /dev/stderr | { ! grep -E 'warning:|error:'; }
}

# The DEBUG variant runs the module's self-tests of its pure logic at load
# time (tests/guest/15-selftest.sh loads it). Built from a copy so that it
# never mixes objects with the normal build.
kmod_debug_build() {
	local d=$out/debug kver
	kver=$(scripts/kernel-version.sh) || return 1
	mkdir -p "$d/kmod"
	cp kmod/Kbuild $(ls kmod/*.[ch] | grep -v '\.mod\.c$') "$d/kmod/"
	ln -sfn "$top/include" "$d/include"
	make -s -C "/lib/modules/$kver/build" M="$d/kmod" W=1 KIPSEC_DEBUG=1 modules 2>&1 |
		tee /dev/stderr | { ! grep -E 'warning:|error:'; }
}

step "userland builds with -Wall -Wextra -Werror" make -s -C userland -j2
step "kipsec.ko builds with zero W=1 warnings" kmod_clean_build
step "kipsec.ko DEBUG build (load-time self-tests) builds cleanly" kmod_debug_build
step "checkpatch --strict is clean" scripts/checkpatch.sh

if [ "$do_unit" -eq 1 ]; then
	if make -s -C userland SAN=1 -j2 all tests >"$out/unit-build.log" 2>&1; then
		echo "ok - unit tests build with ASan+UBSan"
		passed=$((passed + 1))
		for t in userland/build-san/tests/*; do
			[ -x "$t" ] || continue
			log=$out/unit-$(basename "$t").log
			ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
				UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
				"$t" >"$log" 2>&1
			count "$(basename "$t")" "$log" $?
		done
	else
		echo "not ok - unit tests build with ASan+UBSan"
		tail -n 30 "$out/unit-build.log" | sed 's/^/#   /'
		failed=$((failed + 1))
	fi
	tests/fuzz/run-fuzzers.sh "$out" >"$out/fuzz.log" 2>&1
	count "fuzzers" "$out/fuzz.log" $?
fi

if [ "$do_guest" -eq 1 ]; then
	# A harness that cannot fail proves nothing: make sure a kernel
	# warning in the guest fails the run.
	vm_harness_catches_warnings() {
		! scripts/vm-run -q -t 300 -- sh -c \
			'echo "WARNING: CPU: 0 PID: 1 at kipsec harness self-test" >/dev/kmsg'
	}
	step "vm-run fails a run whose dmesg has a WARNING" vm_harness_catches_warnings

	# Guests side by side, taking test files from one queue (see
	# tests/guest/run-all.sh). One is enough for a --only run.
	# -t 2700: each guest's share takes ~17 min, all of the queue ~30
	# (each test file is also limited to 10 min in the guest). When one
	# guest dies, the other runs what is left of the queue alone, and must
	# not time out doing so: one crash has to cost its own test, not the
	# rest of the suite as well.
	guests=${KIPSEC_GUESTS:-$([ -n "$only" ] && echo 1 || echo 2)}
	mkdir -p "$out/queue"
	pids=()
	for i in $(seq 1 "$guests"); do
		scripts/vm-run -q -o "$out/guest$i" -s "$out/queue" -t 2700 -- \
			tests/guest/run-all.sh --queue /mnt/shared ${only:+--only "$only"} &
		pids+=($!)
	done
	for i in $(seq 1 "$guests"); do
		wait "${pids[$((i - 1))]}"
		status=$?
		log=$out/guest$i.log
		cp "$out/guest$i/output" "$log" 2>/dev/null || touch "$log"
		if [ "$status" -eq 125 ]; then
			echo "not ok - guest $i kernel stayed clean (WARNING/BUG/Oops/leak/stall)" >>"$log"
			sed 's/^/#   /' "$out/guest$i/dmesg-bad" >>"$log" 2>/dev/null
		else
			echo "ok - guest $i kernel stayed clean (no WARNING/BUG/Oops/leak/stall)" >>"$log"
		fi
		grep -h '^# -- ' "$log"
		count "guest tests (guest $i)" "$log" "$([ "$status" -eq 125 ] && echo 0 || echo "$status")"
	done
	# A test file no guest took (all of them died early) must not pass
	# unnoticed.
	for t in tests/guest/[0-9]*.sh; do
		t=$(basename "$t")
		[ -n "$only" ] && ! [[ $t == *$only* ]] && continue
		if [ -d "$out/queue/$t" ]; then
			echo "ok - $t was run by a guest"
			passed=$((passed + 1))
		else
			echo "not ok - $t was never run: no guest took it"
			failed=$((failed + 1))
		fi
	done
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
