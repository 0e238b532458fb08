#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make arm64: the kit kernel for arm64, cross-built with LLVM by the
# kernel's own KUnit tool, which then boots it in qemu-system-aarch64 (-M
# virt, TCG) and runs the kit's KUnit suites: the core's C ABI and
# panfrost's (GEM/MMU and the shrinker adapter). The config is
# workbench/kit.config without its x86-only and upstream-suite options,
# plus workbench/arm64.config; the build also gives the device trees of
# drm-ci's arm64 Panfrost boards. Results: out/arm64/ (kunit.log, the
# parsed kunit.json, artefacts.txt).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
: "${OUT:?}" "${TREE:?}" "${KIT_CACHE:?}"
build=$KIT_CACHE/build-arm64
dir=$OUT/arm64
mkdir -p "$build" "$dir"

# x86-only options (the simulated Mali among them), and the upstream DRM
# and Rust suites (long to build, and make check runs them on x86).
kunitconfig=$dir/kunitconfig
grep -vE '^CONFIG_(HYPERVISOR_GUEST|KVM_GUEST|PARAVIRT|ACPI|DEVPORT|COMPILE_TEST|SERIAL_8250[A-Z_]*|DRM_KUNIT_TEST|RUST_KUNIT_TESTS|DRM_MALI_SIM)=' \
	workbench/kit.config >"$kunitconfig"
cat workbench/arm64.config >>"$kunitconfig"

step "kunit.py run --arch=arm64 (LLVM=-19, build in $build; a fresh build takes 15-25 min here)"
start=$(date +%s)
set +e
python3 "$TREE/tools/testing/kunit/kunit.py" run --arch=arm64 \
	--build_dir="$build" --kunitconfig="$kunitconfig" \
	--make_options LLVM=-19 --jobs="$(nproc)" --timeout=900 \
	--qemu_args='-cpu max,pauth-impdef=on -smp 2' \
	--json="$dir/kunit.json" >"$dir/kunit.log" 2>&1
rc=$?
set -e
grep -E '^\[[0-9:]+\] (Configuring|Building|Starting|Elapsed|Testing complete)|(PASSED|FAILED|SKIPPED|CRASHED)|Ran [0-9]+ tests|error' \
	"$dir/kunit.log" | tail -n 30 | sed 's/^/    /'
[ "$rc" -eq 0 ] || die "kunit.py failed (exit $rc); see $dir/kunit.log"
note "kunit.py: $(( $(date +%s) - start )) s"

# The kernel and the device trees of drm-ci's arm64 Panfrost boards (its
# rk3288-veyron-jaq is 32-bit ARM: an arm64 kernel does not boot it).
dtbs=(rockchip/rk3399-gru-kevin.dtb mediatek/mt8183-kukui-jacuzzi-juniper-sku16.dtb
	amlogic/meson-g12b-a311d-khadas-vim3.dtb)
make -s -C "$TREE" O="$build" ARCH=arm64 LLVM=-19 "${dtbs[@]}"
step "artefacts"
for f in arch/arm64/boot/Image arch/arm64/boot/Image.gz "${dtbs[@]/#/arch/arm64/boot/dts/}"; do
	[ -f "$build/$f" ] || die "missing $build/$f"
	note "$(du -h "$build/$f" | cut -f1)	$build/$f"
done | tee "$dir/artefacts.txt"
