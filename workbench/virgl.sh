#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make virgl: the 3D path for real. The kit kernel without debug options
# and stock 7.3.4, each booted with QEMU's 3D virtio-gpu (virgl, rendered
# by the host's Mesa under Xvfb), the same RAM (VIRGL_MEM, 512M) and zram
# swap, run the same real Mesa client (virgl-textures: EGL/GLES, knows
# nothing about the kit) from a read-only squashfs: many textures rendered
# and checked, left idle while another process presses on memory, then
# rendered and checked again. Prints the side-by-side table and
# out/virgl/virgl.json; fails unless the kit rendered every frame right
# with no OOM kill, evicting and swapping in on the way, and unless both
# guest logs are clean.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
: "${OUT:?}" "${PERF_BZIMAGE:?}" "${INITRAMFS:?}" "${WORKBENCH:?}" "${KIT_CACHE:?}"
dir=$OUT/virgl
rm -rf "$dir"
mkdir -p "$dir"
disk=$OUT/vm/virgl.squashfs
bash workbench/build-virgl.sh "$disk" || die "cannot build the virgl disk"
stock_image=$KIT_CACHE/build-stock/arch/x86/boot/bzImage
mem=${VIRGL_MEM:-512M}
args=${VIRGL_ARGS:-48,1024,320}

failed=()
for kernel in kit stock; do
	image=$PERF_BZIMAGE
	[ $kernel = stock ] && image=$stock_image
	bash workbench/vm/run-vm.sh "$image" "$INITRAMFS" "$dir/$kernel.log" --mem "$mem" \
		--timeout 1200 --virgl --disk "$disk" --append "kit.run=virgl kit.virgl=$args" ||
		failed+=("$kernel guest")
	tr -d '\r' <"$dir/$kernel.log" | sed -n 's/^.*kit-virgl-client: /    /p' | tail -n 5
done

step "virgl: kit vs stock 7.3.4 ($mem, textures,size,MiB pressed = $args)"
"$WORKBENCH" virgl-report "$dir/virgl.json" kit="$dir/kit.log" stock="$dir/stock.log" ||
	failed+=("kit run")
step "IGT's virgl subtests (kit: must pass; stock: must skip)"
"$WORKBENCH" igt-results "$dir/kit.log" "$dir/igt" >/dev/null
awk -F, '{ printf "    %s: %s (%.2fs)\n", $1, $2, $3 }' "$dir/igt/virgl/results.csv" 2>/dev/null
"$WORKBENCH" summary "$dir/igt.json" --igt "kit=$dir/kit.log" --igt "stock=$dir/stock.log" \
	--igt-expect kit:drm_virtgpu_shrinker@virgl=pass \
	--igt-expect stock:drm_virtgpu_shrinker@virgl=skip || failed+=("IGT virgl subtests")
"$WORKBENCH" scan-log workbench/upstream-known-warnings "$dir/kit.log" "$dir/stock.log" ||
	failed+=("guest log gate")
[ ${#failed[@]} -eq 0 ] || die "make virgl failed: ${failed[*]}"
