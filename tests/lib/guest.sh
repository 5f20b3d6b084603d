# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers for guest tests: source after tap.sh.

KIPSEC_KO=${KIPSEC_KO:-$KIPSEC_TOP/kmod/kipsec.ko}

load_kipsec() {
	grep -q '^kipsec ' /proc/modules || insmod "$KIPSEC_KO"
}

unload_kipsec() {
	! grep -q '^kipsec ' /proc/modules || rmmod kipsec
}

# in_ns NS CMD...: run CMD in network namespace NS.
in_ns() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

# A random hex key of N bytes, for tests only.
hexkey() {
	head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'
}

# nl CMD [ATTR=VALUE...]: tests/lib/kipsec_nl.py through one long-lived
# process in this test's network namespace (Python starts in ~1 s under
# TCG, so a process per call would dominate the test time). Same output and
# exit status as running kipsec_nl.py directly.
nl() {
	local line rc
	if [ -z "${KIPSEC_NL_FIFO:-}" ]; then
		KIPSEC_NL_FIFO=$(mktemp -d /tmp/kipsec-nl.XXXXXX)
		mkfifo "$KIPSEC_NL_FIFO/in" "$KIPSEC_NL_FIFO/out"
		python3 "$KIPSEC_TOP/tests/lib/kipsec_nl.py" --serve \
			<"$KIPSEC_NL_FIFO/in" >"$KIPSEC_NL_FIFO/out" &
		exec 7>"$KIPSEC_NL_FIFO/in" 8<"$KIPSEC_NL_FIFO/out"
	fi
	printf '%q ' "$@" >&7
	echo >&7
	while IFS= read -r line <&8; do
		if [[ $line == $'\x04'rc=* ]]; then
			rc=${line#$'\x04'rc=}
			return "$rc"
		fi
		printf '%s\n' "$line"
	done
	echo "nl: kipsec_nl.py --serve went away" >&2
	return 255
}

# refuse NAME ERRNO REGEX ARGS...: `nl ARGS` must fail with ERRNO and an
# answer matching REGEX (extended grep: the attr= or msg= of the ext-ack).
refuse() {
	local name=$1 want_errno=$2 want=$3 out
	shift 3
	out=$(nl "$@" 2>&1)
	if [[ $out =~ errno=([0-9]+) ]] && [ "${BASH_REMATCH[1]}" = "$want_errno" ] &&
		printf '%s\n' "$out" | grep -Eq -- "$want"; then
		ok "$name"
	else
		fail "$name"
		echo "#   got: $out"
		echo "#   want: errno=$want_errno matching $want"
	fi
}

# The same client as a separate process, for runs under other credentials
# or in another namespace (setpriv, ip netns exec). -S: no site packages,
# a faster start.
NL="python3 -S $KIPSEC_TOP/tests/lib/kipsec_nl.py"

# wait_for SECONDS CMD...: runs CMD until it succeeds, WAIT_FOR_EVERY
# (default 0.2) seconds apart, SECONDS / WAIT_FOR_EVERY times at most. The
# bound counts tries, not the clock: a CMD slowed down by TCG or a loaded
# host stretches it instead of using it up.
wait_for() {
	local every=${WAIT_FOR_EVERY:-0.2} tries i
	tries=$(awk -v s="$1" -v e="$every" 'BEGIN { print int(s / e + 0.5) }')
	shift
	for ((i = 0; i < tries; i++)); do
		"$@" && return 0
		sleep "$every"
	done
	return 1
}
