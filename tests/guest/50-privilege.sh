#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every command needs CAP_NET_ADMIN over the namespace: refused with EPERM
# for an unprivileged user and for root without CAP_NET_ADMIN; allowed for a
# user who owns the network namespace through a user namespace.
. "$KIPSEC_TOP/tests/lib/tap.sh"
. "$KIPSEC_TOP/tests/lib/guest.sh"
sa="sa_spi=u32:0x5000 sa_dst=ip:192.0.2.2 sa_src=ip:192.0.2.1 sa_proto=u8:50 sa_mode=u8:2 sa_enc_alg=u16:3 sa_enc_key=hex:$(hexkey 20)"

load_kipsec
nobody="setpriv --reuid=65534 --regid=65534 --clear-groups"
nocap="setpriv --inh-caps=-net_admin --bounding-set=-net_admin"
for who in nobody nocap; do
	run=${!who}
	for cmd in "sa_new $sa" "sa_del sa_spi=u32:0x5000 sa_dst=ip:192.0.2.2 sa_proto=u8:50" \
		sa_flush "spi_alloc sa_dst=ip:192.0.2.2 sa_proto=u8:50"; do
		expect_match "$who: ${cmd%% *} refused with EPERM" "$($run $NL $cmd)" 'errno=1 '
	done
done
expect_eq "nothing was added" "$(cat /sys/kernel/kipsec/sa_count)" 0
out=$($nocap ipsecctl sa add spi 0x5000 src 192.0.2.1 dst 192.0.2.2 proto esp mode tunnel enc aes-gcm-16 "$(hexkey 20)" 2>&1)
rc=$?
if [ $rc -ne 0 ]; then ok "ipsecctl fails without CAP_NET_ADMIN (exit $rc)"; else fail "ipsecctl fails without CAP_NET_ADMIN"; fi
expect_match "ipsecctl says the operation is not permitted" "$out" '[Pp]ermi'

check "root with CAP_NET_ADMIN may add" $NL sa_new $sa
expect_match "user in its own user+network namespace may add" \
	"$($nobody unshare --user --map-root-user --net $NL sa_new $sa 2>&1; echo rc=$?)" 'rc=0'
tap_done
