#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the shrinker core out of tree, as a module, from this repository
# (the top-level Kbuild): against a second build of the prepared tree whose
# config is the kit's fragment with the core left out.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
: "${TREE:?}" "${PERF_BUILD:?}" "${FRAGMENT:?}" "${WORKBENCH:?}" "${KIT_CACHE:?}"
oot_build=$KIT_CACHE/build-oot
fragment=${OUT:-out}/oot/kit-without-core.config
kmake() { make -C "$TREE" O="$oot_build" LLVM=-19 "$@"; }

mkdir -p "$(dirname "$fragment")"
grep -Ev '^CONFIG_DRM_(\w+_)?GEM_SHMEM_SHRINKER' "$FRAGMENT" >"$fragment"
echo '# CONFIG_DRM_GEM_SHMEM_SHRINKER is not set' >>"$fragment"
if [ ! -d "$oot_build" ] && [ -d "$PERF_BUILD" ]; then
	step "seeding $oot_build from $PERF_BUILD"
	cp -a "$PERF_BUILD" "$oot_build"
fi
mkdir -p "$oot_build"
step "configuring $oot_build: the kit's fragment without the core"
kmake -s KCONFIG_ALLCONFIG="$(realpath "$fragment")" allnoconfig >/dev/null
"$WORKBENCH" check-config "$fragment" "$oot_build/.config"
step "building that kernel (vmlinux and Module.symvers)"
kmake -s -j"$(nproc)" all >"${OUT:-out}/oot/kernel.log" 2>&1 ||
	{ tail -n 30 "${OUT:-out}/oot/kernel.log"; die "kernel build failed; see ${OUT:-out}/oot/kernel.log"; }
step "make -C $oot_build M=$PWD"
make -C "$oot_build" LLVM=-19 M="$PWD" -j"$(nproc)" modules
note "built $(ls "$PWD"/*.ko)"

step "booting that kernel and loading the module"
payload=$(mktemp -d)
trap 'rm -rf "$payload"' EXIT
mkdir "$payload/files" "$payload/no-libraries"
cp workbench/vm/payload/oot.sh "$PWD"/drm_gem_shmem_shrinker.ko "$payload/files/"
bash workbench/vm/mkinitramfs.sh "${OUT:-out}/oot/initramfs.cpio.gz" "$payload/no-libraries" \
	"$payload/files"
bash workbench/vm/run-vm.sh "$oot_build/arch/x86/boot/bzImage" "${OUT:-out}/oot/initramfs.cpio.gz" \
	"${OUT:-out}/oot/console.log" --timeout 300 --append "kit.run=oot"
grep 'kit-guest:' "${OUT:-out}/oot/console.log" | sed 's/^[^k]*kit-guest: /    /'
"$WORKBENCH" scan-log workbench/upstream-known-warnings "${OUT:-out}/oot/console.log"
