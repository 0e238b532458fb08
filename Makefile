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
BUILD     := $(KIT_CACHE)/build
OUT       := $(CURDIR)/out
FRAGMENT  := workbench/kit.config
WORKBENCH := $(CURDIR)/target/release/workbench
BZIMAGE   := $(BUILD)/arch/x86/boot/bzImage
INITRAMFS := $(OUT)/vm/initramfs.cpio.gz
VM_MEM    ?= 1G

export KIT_CACHE TREE BUILD OUT FRAGMENT WORKBENCH BZIMAGE INITRAMFS VM_MEM
export KIT_T0 := $(shell date +%s)

.PHONY: all check demo shell setup source tool tree tree-reset config kernel \
	initramfs host-tests patches patches-test clean distclean help

all: help

help:
	@echo "make check         build, boot and run every test (summary: out/check/summary.json)"
	@echo "make demo          build, boot and show the kit at work"
	@echo "make shell         interactive shell in the same VM"
	@echo "make patches       export the kit as a git format-patch series (out/patches)"
	@echo "make patches-test  apply that series with git am to a clean v7.3.4"
	@echo "steps: setup source tool tree config kernel initramfs host-tests"

setup:
	@bash workbench/setup.sh

source: setup
	@bash workbench/fetch-source.sh

tool: setup
	@. workbench/lib.sh && step "building the workbench tool"
	@cargo build --release --quiet -p workbench

tree: source tool
	@. workbench/lib.sh && step "preparing the tree: v7.3.4 + workbench/series"
	@$(WORKBENCH) prepare-tree $(CURDIR) $(TREE) workbench/series

# Throw away edits made by hand in the prepared tree.
tree-reset:
	git -C $(TREE) reset -q --hard

config: tree
	@bash workbench/kernel.sh config

kernel: config
	@bash workbench/kernel.sh build

initramfs: setup
	@. workbench/lib.sh && step "building the initramfs"
	@bash workbench/vm/mkinitramfs.sh $(INITRAMFS) workbench/vm/payload

host-tests: setup
	@bash workbench/host-tests.sh

check: kernel initramfs tool
	@bash workbench/check.sh

demo: kernel initramfs
	@bash workbench/vm/run-vm.sh $(BZIMAGE) $(INITRAMFS) $(OUT)/demo/console.log \
		--mem $(VM_MEM) --timeout 300 --append "kit.run=demo"
	@grep 'kit-guest:' $(OUT)/demo/console.log | sed 's/^[^k]*kit-guest: /    /'
	@$(WORKBENCH) scan-log workbench/upstream-known-warnings $(OUT)/demo/console.log

shell: kernel initramfs
	@bash workbench/vm/run-vm.sh $(BZIMAGE) $(INITRAMFS) /dev/null \
		--mem $(VM_MEM) --append "kit.run=shell" --interactive

patches: tree
	@bash workbench/patches.sh export

patches-test: patches
	@bash workbench/patches.sh test

clean:
	rm -rf $(OUT)

distclean: clean
	rm -rf $(KIT_CACHE) target
