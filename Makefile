# SPDX-License-Identifier: GPL-2.0
#
# kipsec top-level build. `make` builds kipsec.ko and the userland tools;
# `make check` installs what it needs and runs every test (unit tests on the
# host, kernel tests in a qemu guest); `make demo` runs the main job;
# `make bench` measures kipsec against XFRM and no IPsec in one guest;
# `make profile` counts the instructions each spends per kernel function.

# The guest boots /boot/vmlinuz-$(KVER), so build against the headers of a
# kernel that is installed there: the newest such pair unless told otherwise.
KVER ?= $(shell scripts/kernel-version.sh)
KDIR ?= /lib/modules/$(KVER)/build


.PHONY: all kmod userland check check-unit check-guest style demo bench profile deps clean

all: kmod userland

kmod:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod W=1 modules

userland:
	$(MAKE) -C userland

deps:
	scripts/install-deps.sh

check: deps
	tests/run.sh

check-unit: deps
	tests/run.sh --unit

check-guest: deps
	tests/run.sh --guest

style: deps
	scripts/checkpatch.sh

demo: deps all
	scripts/demo.sh

bench: deps all
	BENCH_NO_BUILD=1 scripts/bench.sh

profile: deps all
	BENCH_NO_BUILD=1 scripts/profile.sh

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod clean 2>/dev/null || true
	$(MAKE) -C userland clean
	rm -rf tests/out
