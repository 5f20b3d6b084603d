#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Prints the newest kernel version that has both an installed image in /boot
# (so the test guest can boot it) and its Kbuild headers (so kipsec.ko can be
# built for it). Exits non-zero when there is no such pair.
for img in $(ls /boot/vmlinuz-* 2>/dev/null | sort -rV); do
	ver=${img#/boot/vmlinuz-}
	if [ -e "/lib/modules/$ver/build/Makefile" ]; then
		echo "$ver"
		exit 0
	fi
done
echo "kernel-version: no /boot/vmlinuz-VER with headers in /lib/modules/VER/build" >&2
exit 1
