#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make pressure: the IGT subtests that drive a guest beyond its RAM
# (vm/payload/igt-pressure-subtests: working sets of 1.25 and 2 times
# MemTotal through zram), on make check's debug kit kernel and, beside it
# on the second core, on stock 7.3.4, virtio-gpu and panfrost on the
# simulated Mali; then the guest-log gate and the summary. They are too
# slow for make check's no-op budget.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
: "${OUT:?}" "${BZIMAGE:?}" "${INITRAMFS:?}" "${WORKBENCH:?}" "${KIT_CACHE:?}"
stock_image=$KIT_CACHE/build-stock/arch/x86/boot/bzImage
mem=${IGT_MEM:-320M}
dir=$OUT/pressure
rm -rf "$dir"
mkdir -p "$dir"
failed=()

step "IGT under memory pressure: $mem guests, kit ($dir/igt.log) and stock ($dir/igt-stock.log)"
set -m
bash workbench/vm/run-vm.sh "$stock_image" "$INITRAMFS" "$dir/igt-stock.log" \
	--mem "$mem" --timeout 900 --append "kit.run=igt kit.igt=pressure mali_sim.enable=1" >"$dir/stock.out" 2>&1 &
stock=$!
set +m
trap 'kill -- -$stock 2>/dev/null' EXIT
trap 'exit 130' INT TERM
bash workbench/vm/run-vm.sh "$BZIMAGE" "$INITRAMFS" "$dir/igt.log" \
	--mem "$mem" --timeout 1800 --kmemleak-pool --append "kit.run=igt kit.igt=pressure mali_sim.enable=1" ||
	failed+=("IGT guest, kit kernel")
wait "$stock" || failed+=("IGT guest, stock kernel")
trap - EXIT INT TERM
cat "$dir/stock.out"

for run in igt igt-stock; do
	step "IGT results, $run"
	for d in $("$WORKBENCH" igt-results "$dir/$run.log" "$dir/igt/$run"); do
		awk -F, '{ printf "    %s: %s (%.2fs)\n", $1, $2, $3 }' "$d/results.csv"
	done
	tr -d '\r' <"$dir/$run.log" | sed -n 's/^.*kit-igt-log: /    /p'
done

step "scanning the guest log for warnings and splats"
"$WORKBENCH" scan-log workbench/upstream-known-warnings "$dir/igt.log" "$dir/igt-stock.log" ||
	failed+=("guest log gate")

step "summary"
"$WORKBENCH" summary "$dir/summary.json" --igt "igt=$dir/igt.log" --igt "igt-stock=$dir/igt-stock.log" \
	--igt-expect igt:drm_virtgpu_shrinker=pass --igt-expect igt-stock:drm_virtgpu_shrinker=skip \
	--igt-expect igt:panfrost_shrinker=pass --igt-expect igt-stock:panfrost_shrinker=skip ||
	failed+=("test cases")

if [ ${#failed[@]} -gt 0 ]; then
	printf 'error: make pressure failed: %s\n' "$(IFS=,; echo "${failed[*]}" | sed 's/,/, /g')" >&2
	exit 1
fi
