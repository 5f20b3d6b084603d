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
