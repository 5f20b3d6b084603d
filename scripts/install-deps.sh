#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Installs every Debian package kipsec needs to build, test and demo itself.
# Idempotent and quick when everything is already there: apt is only called
# for packages that dpkg does not report as installed.
set -euo pipefail

PKGS=(
	# build
	build-essential make gcc pkg-config kmod
	libnl-3-dev libnl-genl-3-dev libsodium-dev libssl-dev
	# kernel and its headers (the guest boots the packaged kernel)
	linux-image-amd64 linux-headers-amd64
	# checkpatch.pl lives only in the kernel source tarball
	linux-source-6.1
	# test guest
	qemu-system-x86 busybox-static cpio
	# tools the guest uses from the host's root
	iproute2 iputils-ping iperf3 ethtool tcpdump util-linux nftables procps conntrack
	strongswan-charon strongswan-swanctl strongswan-libcharon
	libstrongswan-standard-plugins
	python3 jq
	# sanitizers and fuzzing
	clang libclang-rt-14-dev
)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: need root to install packages" >&2
	exit 1
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
