#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vm-initramfs.sh KVER: builds (once, cached) the guest's initramfs and
# prints its path. It holds only static busybox, the modules needed to mount
# the host's root over virtio-9p with an overlay, and an /init that does so
# and switch_root()s into it (see vm-run for why).
set -euo pipefail

kver=$1
cache=${KIPSEC_CACHE:-/var/cache/kipsec}
# Rebuilt when this script (which holds /init) or the kernel changes.
key=$(cat "$0" "/lib/modules/$kver/modules.dep" | sha256sum | cut -c1-16)
img=$cache/initramfs-$kver-$key.cpio.gz
if [ -s "$img" ]; then
	echo "$img"
	exit 0
fi

mods="virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci
      netfs fscache 9pnet 9pnet_virtio 9p overlay"
root=$(mktemp -d /tmp/initramfs.XXXXXX)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,dev,proc,sys,lower,rw,newroot,modules}
cp /bin/busybox "$root/bin/busybox"
for m in $mods; do
	f=$(modinfo -k "$kver" -n "$m")
	case $f in
	/*) cp "$f" "$root/modules/$m.ko" ;;
	*) echo "vm-initramfs: module $m is $f" >&2 ;; # built in: nothing to load
	esac
done
echo "$mods" >"$root/modules/order"

cat >"$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t devtmpfs dev /dev
for m in $(cat /modules/order); do
	[ -f /modules/$m.ko ] && insmod /modules/$m.ko
done
die() { echo "initramfs: $*"; echo o >/proc/sysrq-trigger; sleep 10; }
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose root /lower ||
	die "cannot mount the host root"
mount -t tmpfs -o mode=0755 rw /rw
mkdir -p /rw/upper /rw/work
mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay /newroot ||
	die "cannot mount the overlay"
init=$(sed -n 's/.*kipsec_init=\([^ ]*\).*/\1/p' /proc/cmdline)
umount /proc /dev
exec switch_root /newroot "$init"
INIT
chmod +x "$root/init"

mkdir -p "$cache"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$img.tmp"
mv "$img.tmp" "$img"
echo "$img"
