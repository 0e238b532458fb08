# SPDX-License-Identifier: GPL-2.0
#
# The shmem shrinker kit's workbench. Two commands do everything:
#
#   make check   build the kit-enabled kernel, boot it, run every test
#   make demo    build the kit-enabled kernel, boot it, show it at work
#
# Every step installs or fetches what it needs itself; see README.md.

KIT_CACHE ?= $(HOME)/.cache/shmem-shrinker-kit
TREE      := $(KIT_CACHE)/linux
OUT       := $(CURDIR)/out
WORKBENCH := $(CURDIR)/target/release/workbench
# Two kit kernels: make check's, with every debug checker the log gate
# reads (KASAN, kmemleak, lockdep, list and object debugging, fault
# injection), and the one figures come from (make demo), without them.
FRAGMENT       := workbench/kit.config
DEBUG_FRAGMENT := workbench/debug.config
BENCH_FRAGMENT := workbench/bench.config
BUILD          := $(KIT_CACHE)/build
PERF_BUILD     := $(KIT_CACHE)/build-perf
NORUST_BUILD   := $(KIT_CACHE)/build-norust
KCSAN_BUILD    := $(KIT_CACHE)/build-kcsan
MODULAR_BUILD  := $(KIT_CACHE)/build-modular
BZIMAGE        := $(BUILD)/arch/x86/boot/bzImage
PERF_BZIMAGE   := $(PERF_BUILD)/arch/x86/boot/bzImage
INITRAMFS := $(OUT)/vm/initramfs.cpio.gz
VM_MEM    ?= 1G

export KIT_CACHE TREE BUILD PERF_BUILD NORUST_BUILD KCSAN_BUILD OUT FRAGMENT WORKBENCH BZIMAGE PERF_BZIMAGE INITRAMFS VM_MEM
export KIT_T0 := $(shell date +%s)

.PHONY: all check demo shell setup source tool tree tree-reset config kernel \
	config-perf kernel-perf norust modular arm64 lava virgl stress pressure buffers kcsan kunit-repeat bench \
	initramfs host-tests header header-check patches patches-test oot stock \
	clean distclean help

all: help

help:
	@echo "make check         build, boot and run every test (summary: out/check/summary.json)"
	@echo "make demo          kit vs stock 7.3.4 under memory pressure (out/demo/summary.json)"
	@echo "make stress        10 min (STRESS_SECONDS) of fault-injected stress (out/stress/)"
	@echo "make pressure      IGT's subtests beyond RAM (overcommit), kit and stock (out/pressure/)"
	@echo "make buffers       20000 (BUFFERS) buffers at once on the debug kernel, kmemleak on (out/buffers/)"
	@echo "make kcsan         the kit's KUnit suites and 5 min of stress on a KCSAN kernel (out/kcsan/)"
	@echo "make bench         the core's benchmarks on the kernel without debug options (out/bench/)"
	@echo "make kunit-repeat  one KUnit case (KUNIT_FILTER) in REPEAT (20) boots"
	@echo "make norust        the series without Rust: panfrost keeps its purge (out/norust/)"
	@echo "make shell         interactive shell in the same VM"
	@echo "make patches       export the kit as a git format-patch series (out/patches)"
	@echo "make patches-test  apply that series with git am to a clean v7.3.4"
	@echo "make header        regenerate the C ABI header from shmem_shrinker/c_api.rs"
	@echo "make oot           build the core out of tree: make -C <build> M=\$$PWD"
	@echo "make stock         build the stock v7.3.4 kernel that make demo compares with"
	@echo "make arm64         the kit kernel for arm64 + Panfrost boards' dtbs, KUnit in qemu (out/arm64/)"
	@echo "make virgl         virgl + a real Mesa client under memory pressure, kit vs stock (out/virgl/)"
	@echo "make lava          LAVA jobs for drm-ci's arm64 Panfrost boards, schema-checked (out/lava/)"
	@echo "steps: setup source tool tree config kernel config-perf kernel-perf norust modular initramfs"
	@echo "       host-tests header-check"
	@echo "kernels: make check boots \$$KIT_CACHE/build (debug checkers), make demo"
	@echo "         \$$KIT_CACHE/build-perf (none), both also stock 7.3.4 (build-stock)"

setup:
	@bash workbench/setup.sh

source: setup
	@bash workbench/fetch-source.sh

tool: setup
	@. workbench/lib.sh && step "building the workbench tool"
	@cargo build --release --quiet -p workbench

# v7.3.4 + the kit's series (branch kit: what make patches exports) + the
# test infrastructure's (the simulated Mali; branch kit-test, checked out).
tree: source tool
	@. workbench/lib.sh && step "preparing the tree: v7.3.4 + workbench/series + workbench/mali-sim/series"
	@$(WORKBENCH) prepare-tree $(CURDIR) $(TREE) workbench/series workbench/mali-sim/series

# Throw away edits made by hand in the prepared tree.
tree-reset:
	git -C $(TREE) reset -q --hard

config: tree
	@bash workbench/kernel.sh config $(BUILD) $(FRAGMENT) $(DEBUG_FRAGMENT)

kernel: config
	@CLIPPY=1 bash workbench/kernel.sh build $(BUILD)

config-perf: tree
	@bash workbench/kernel.sh config $(PERF_BUILD) $(FRAGMENT) $(BENCH_FRAGMENT)

kernel-perf: config-perf
	@bash workbench/kernel.sh build $(PERF_BUILD)

# The kit kernel for arm64 (LLVM), with the device trees of drm-ci's
# Panfrost boards, booted in qemu-system-aarch64 by kunit.py to run the
# kit's KUnit suites.
arm64: tree
	@SETUP_ARM64=1 bash workbench/setup.sh
	@bash workbench/arm64.sh

# LAVA jobs for drm-ci's arm64 Panfrost boards (out/lava/), checked with
# LAVA's own schema. LAVA_BASE_URL: where the board's lab finds make
# arm64's Image and device trees and an arm64 initramfs.
lava: tool
	@$(WORKBENCH) lava-jobs $(OUT)/lava $(or $(LAVA_BASE_URL),https://lava-artifacts.invalid/shmem-shrinker-kit)
	@/usr/bin/python3 workbench/lava-validate.py $(OUT)/lava/*.yaml

# The 3D path: virgl, a real Mesa client, kit vs stock (out/virgl/).
virgl: kernel-perf stock initramfs tool
	@SETUP_VIRGL=1 bash workbench/setup.sh
	@bash workbench/virgl.sh

# The kit's series in a kernel configured without Rust: it boots, and
# panfrost's KUnit suites (its own purge-only shrinker's among them) pass
# (out/norust/). A third full kernel build: not part of make check.
norust: tree tool initramfs
	@bash workbench/kernel.sh norust $(NORUST_BUILD) workbench/norust.config
	@bash workbench/norust.sh

# The kit's configuration with DRM, the shmem helper and both drivers as
# modules, as distributions build them: Kconfig keeps the core (=m).
modular: tree tool
	@bash workbench/kernel.sh modular $(MODULAR_BUILD) $(FRAGMENT)

initramfs: config
	@bash workbench/build-userspace.sh $(OUT)/vm/payload-bin $(OUT)/vm/root
	@. workbench/lib.sh && step "building the initramfs"
	@bash workbench/vm/mkinitramfs.sh $(INITRAMFS) $(OUT)/vm/root workbench/vm/payload \
		$(OUT)/vm/payload-bin

host-tests: setup
	@bash workbench/host-tests.sh

# The C ABI header, generated by cbindgen from shmem_shrinker/c_api.rs.
header: tool
	@bash workbench/header.sh generate

header-check: tool
	@bash workbench/header.sh check

check: kernel modular stock initramfs tool
	@bash workbench/check.sh

demo: kernel-perf stock initramfs
	@bash workbench/demo.sh

# The core's benchmarks and the swap-in rate, on the kernel without debug
# options: a table and out/bench/bench.json.
bench: kernel-perf initramfs tool
	@bash workbench/bench.sh

# One KUnit case (KUNIT_FILTER, the kit's race case), REPEAT (20) boots.
kunit-repeat: kernel initramfs tool
	@bash workbench/kunit-repeat.sh

# Ten minutes (STRESS_SECONDS) of concurrent use, forced scans, memory
# pressure and fault injection on make check's debug kernel.
stress: kernel initramfs tool
	@bash workbench/stress.sh

# IGT's subtests that drive a guest beyond its RAM, kit and stock, on the
# debug kernels (make check leaves them out: they take minutes).
pressure: kernel stock initramfs tool
	@bash workbench/pressure.sh

# Many buffers at once (BUFFERS, 20000) on make check's debug kernel:
# kmemleak must stay on and find nothing; its pool's use is reported.
buffers: kernel initramfs tool
	@bash workbench/buffers.sh

# The same on a kernel with the data-race detector (KCSAN) instead of KASAN.
kcsan: tree initramfs tool
	@bash workbench/kernel.sh config $(KCSAN_BUILD) $(FRAGMENT) $(DEBUG_FRAGMENT) workbench/kcsan.config
	@bash workbench/kernel.sh build $(KCSAN_BUILD)
	@bash workbench/kcsan.sh

shell: kernel initramfs
	@bash workbench/vm/run-vm.sh $(BZIMAGE) $(INITRAMFS) /dev/null \
		--mem $(VM_MEM) --append "kit.run=shell" --interactive

# The stock v7.3.4 kernel that make demo compares the kit with.
stock: tree tool
	@bash workbench/stock.sh

# Build the core out of tree as a module (top-level Kbuild), against a
# second build of the prepared tree without the core built in.
oot: tree tool
	@bash workbench/oot.sh

patches: tree
	@bash workbench/patches.sh export

patches-test: patches
	@bash workbench/patches.sh test

clean:
	rm -rf $(OUT)

distclean: clean
	rm -rf $(KIT_CACHE) target
