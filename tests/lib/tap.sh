# SPDX-License-Identifier: GPL-2.0
#
# TAP helpers for shell tests (guest tests and host scripts). Source it, call
# ok/fail/check, and end with tap_done. tests/run.sh counts the lines.

TAP_N=0
TAP_FAILED=0

ok() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $*"
}

fail() {
	TAP_N=$((TAP_N + 1))
	TAP_FAILED=$((TAP_FAILED + 1))
	echo "not ok $TAP_N - $*"
}

# check NAME CMD...: runs CMD, passes when it exits 0; prints its output on
# failure.
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		ok "$name"
	else
		fail "$name"
		printf '%s\n' "$out" | sed 's/^/#   /' | head -n 40
	fi
}

# check_fails NAME CMD...: passes when CMD exits non-zero.
check_fails() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		fail "$name (unexpectedly succeeded)"
		printf '%s\n' "$out" | sed 's/^/#   /' | head -n 20
	else
		ok "$name"
	fi
}

# expect_eq NAME GOT WANT
expect_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		fail "$1"
		echo "#   got:  $2"
		echo "#   want: $3"
	fi
}

# expect_match NAME TEXT REGEX (extended grep)
expect_match() {
	if printf '%s\n' "$2" | grep -Eq -- "$3"; then
		ok "$1"
	else
		fail "$1"
		printf '%s\n' "$2" | sed 's/^/#   got: /' | head -n 20
		echo "#   want match: $3"
	fi
}

diag() {
	echo "# $*"
}

tap_done() {
	echo "1..$TAP_N"
	[ "$TAP_FAILED" -eq 0 ]
}
