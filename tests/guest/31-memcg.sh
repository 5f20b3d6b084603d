#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# SAs and policies are charged to the memory cgroup
# of whoever adds them, so a container with CAP_NET_ADMIN in its own
# namespace cannot pin kernel memory outside its limit.
. "$KIPSEC_TOP/tests/lib/tap.sh"
. "$KIPSEC_TOP/tests/lib/guest.sh"
N=2000
CG=/sys/fs/cgroup/kipsec-test

load_kipsec
grep -q '^cgroup2 /sys/fs/cgroup ' /proc/mounts ||
	mount -t cgroup2 cgroup2 /sys/fs/cgroup
echo +memory >/sys/fs/cgroup/cgroup.subtree_control
rmdir $CG 2>/dev/null
check "a memory cgroup" mkdir $CG
# cg_kernel: the kernel memory charged to $CG (slab, per-CPU, vmalloc).
# The kernel flushes a cgroup's statistics every 2 s: wait that out first.
cg_kernel() {
	sleep 2.5
	awk '$1 ~ /^(slab|percpu|vmalloc)$/ { n += $2 } END { print n }' $CG/memory.stat
}
base=$(cg_kernel)

# charged CMD...: runs CMD as a process of $CG, and sets $charged to the
# kernel memory charged to $CG meanwhile (after it ended: what it held
# as a process is given back by then).
charged() {
	local before
	before=$(cg_kernel)
	sh -c 'echo $$ >'$CG'/cgroup.procs && exec "$@"' sh "$@"
	charged=$(($(cg_kernel) - before))
}

out=$(charged python3 -S "$KIPSEC_TOP/tests/lib/kipsec_nl.py" bulk_add $N; echo "charged=$charged")
expect_match "$N SAs added from the cgroup" "$out" "^added=$N\$"
sa_bytes=${out##*charged=}
diag "$N SAs charged $sa_bytes bytes"
if [ "${sa_bytes:-0}" -ge $((N * 512)) ]; then ok "the SAs are charged to it (at least 512 bytes each)"; else fail "the SAs are charged to it (at least 512 bytes each; got ${sa_bytes:-none} for $N)"; fi

out=$(charged python3 -S "$KIPSEC_TOP/tests/lib/kipsec_nl.py" bulk_policy_add $N; echo "charged=$charged")
expect_match "$N policies added from the cgroup" "$out" "^added=$N\$"
pol_bytes=${out##*charged=}
diag "$N policies charged $pol_bytes bytes"
if [ "${pol_bytes:-0}" -ge $((N * 128)) ]; then ok "the policies are charged to it (at least 128 bytes each)"; else fail "the policies are charged to it (at least 128 bytes each; got ${pol_bytes:-none} for $N)"; fi

# And given back when they go: SAs and replaced policy tables are freed
# after RCU grace periods.
held=$(($(cg_kernel) - base))
check "SAs flushed" ipsecctl sa flush
check "policies flushed" ipsecctl policy flush
for i in $(seq 6); do
	left=$(($(cg_kernel) - base))
	[ $left -le $((held / 4)) ] && break
done
diag "$held bytes charged before the flushes, $left after"
if [ $left -le $((held / 4)) ]; then ok "the flushes give most of it back"; else fail "the flushes give most of it back ($left of $held left)"; fi
rmdir $CG
tap_done
