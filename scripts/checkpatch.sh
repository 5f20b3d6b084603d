#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs the kernel's checkpatch.pl --strict over the module and the uAPI
# header. Debian ships checkpatch only inside the kernel source tarball, so
# the three files it needs are extracted once into a cache.
set -euo pipefail
cd "$(dirname "$0")/.."

cache=${KIPSEC_CACHE:-/var/cache/kipsec}
tree=$cache/linux-source-6.1
if [ ! -x "$tree/scripts/checkpatch.pl" ]; then
	tarball=$(ls /usr/src/linux-source-*.tar.xz | sort -V | tail -1)
	mkdir -p "$cache"
	tar -C "$cache" -xJf "$tarball" --wildcards \
		'linux-source-*/scripts/checkpatch.pl' \
		'linux-source-*/scripts/spelling.txt' \
		'linux-source-*/scripts/const_structs.checkpatch'
	tree=$(ls -d "$cache"/linux-source-* | sort -V | tail -1)
fi

"$tree/scripts/checkpatch.pl" --strict --no-tree --terse --show-types \
	--ignore FILE_PATH_CHANGES \
	-f $(ls kmod/*.c kmod/*.h | grep -v "\.mod\.c$") include/*.h
