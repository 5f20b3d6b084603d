#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the demo guest (see demo.sh). Every command is echoed as an
# admin would type it.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH=$PWD/userland/build:$PATH

run() {
	echo
	echo "# $*"
	"$@"
}

key() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }

run insmod kmod/kipsec.ko
run dmesg --notime --level=info | grep kipsec
run ipsecctl sa add spi 0x1000 src 192.0.2.1 dst 192.0.2.2 proto esp \
	mode tunnel enc aes-gcm-16 "$(key 20)" reqid 1 \
	soft-bytes 90M hard-bytes 100M soft-seconds 3300 hard-seconds 3600
run ipsecctl sa add spi 0x1001 src 192.0.2.2 dst 192.0.2.1 proto esp \
	mode tunnel enc aes-cbc "$(key 32)" auth hmac-sha256 "$(key 32)" \
	reqid 1 replay-window 128 esn
run ipsecctl sa add spi 0x2000 src 2001:db8::1 dst 2001:db8::2 proto ah \
	mode transport auth hmac-sha1 "$(key 20)"
run ipsecctl spi alloc dst 192.0.2.1 proto esp
echo
echo "# ipsecctl sa list   (on a terminal: a table)"
script -qc "ipsecctl sa list" /dev/null | tr -d '\r'
run ipsecctl sa get spi 0x1000 dst 192.0.2.2 proto esp
run ipsecctl -j sa get spi 0x2000 dst 2001:db8::2 proto ah
run ipsecctl stats
run grep -r . /sys/kernel/kipsec/
echo
echo "# ipsecctl sa add ... enc aes-gcm-16 <16-byte key>   (no salt: refused)"
ipsecctl sa add spi 0x3000 src 192.0.2.1 dst 192.0.2.2 proto esp mode tunnel \
	enc aes-gcm-16 "$(key 16)" || echo "(exit status $?)"
run ipsecctl sa flush
run rmmod kipsec
run dmesg --notime --level=info | grep kipsec
