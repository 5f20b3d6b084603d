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

# nl_start: starts tests/lib/kipsec_nl.py as one long-lived process serving
# this shell's nl calls (Python starts in ~1-2 s under TCG, so a process per
# call would dominate the test time). Call it at the top level of the test:
# nl mostly runs inside $(...), and a server started there would not outlive
# that subshell. It ends when the test does (end of file on its input).
nl_start() {
	[ -z "${KIPSEC_NL_FIFO:-}" ] || return 0
	KIPSEC_NL_FIFO=$(mktemp -d /tmp/kipsec-nl.XXXXXX)
	mkfifo "$KIPSEC_NL_FIFO/in" "$KIPSEC_NL_FIFO/out"
	python3 -S "$KIPSEC_TOP/tests/lib/kipsec_nl.py" --serve \
		<"$KIPSEC_NL_FIFO/in" >"$KIPSEC_NL_FIFO/out" &
	exec 7>"$KIPSEC_NL_FIFO/in" 8<"$KIPSEC_NL_FIFO/out"
}

# nl CMD [ATTR=VALUE...]: kipsec_nl.py in this test's network namespace,
# through the nl_start process when there is one. Same output and exit
# status as running kipsec_nl.py directly.
nl() {
	local line rc
	if [ -z "${KIPSEC_NL_FIFO:-}" ]; then
		if [ "$BASHPID" != "$$" ]; then
			python3 -S "$KIPSEC_TOP/tests/lib/kipsec_nl.py" "$@"
			return
		fi
		nl_start
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

# listen_start FILE CMD...: runs CMD in the background with its output in
# FILE and waits until CMD has printed its first line ("ready": bound and
# listening). Sets LISTEN_PID. Not a coproc: bash closes a coproc's pipe
# as soon as it reaps the process, so a line the process printed just
# before exiting can be lost to the reader.
listen_start() {
	local out=$1
	shift
	: >"$out"
	"$@" >"$out" &
	LISTEN_PID=$!
	wait_for 20 grep -qx ready "$out"
}
