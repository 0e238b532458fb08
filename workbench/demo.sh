#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: the same memory-pressure scenarios in two guests with the same
# RAM and zram swap, one on the kit kernel and one on stock v7.3.4, then
# the side-by-side tables (virtio-gpu, and panfrost on the simulated
# Mali) and out/demo/summary.json.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
: "${OUT:?}" "${PERF_BZIMAGE:?}" "${INITRAMFS:?}" "${WORKBENCH:?}" "${KIT_CACHE:?}"
dir=$OUT/demo
mem_mib=${DEMO_MEM_MIB:-256}
mem=${mem_mib}M
stock_image=$KIT_CACHE/build-stock/arch/x86/boot/bzImage
rm -rf "$dir"
mkdir -p "$dir"

bash workbench/vm/run-vm.sh "$PERF_BZIMAGE" "$INITRAMFS" "$dir/kit.log" \
	--mem "$mem" --timeout 1200 --append "kit.run=demo kit.mem_mib=$mem_mib mali_sim.enable=1" || kit_failed=1
grep -h 'kit-guest:' "$dir/kit.log" | sed 's/^[^k]*kit-guest: /    kit: /'

# Stock 7.3.4 is expected to run out of memory: its failure is a result.
bash workbench/vm/run-vm.sh "$stock_image" "$INITRAMFS" "$dir/stock.log" \
	--mem "$mem" --timeout 1200 --append "kit.run=demo kit.mem_mib=$mem_mib mali_sim.enable=1" ||
	note "the stock guest did not finish cleanly (see $dir/stock.log)"
grep -h 'kit-guest:' "$dir/stock.log" | sed 's/^[^k]*kit-guest: /    stock: /'

step "kit vs stock 7.3.4, $mem of guest RAM, zram swap"
"$WORKBENCH" demo-report "$dir/summary.json" "$dir/kit.log" "$dir/stock.log" || exit 1
step "checking the kit guest's log"
"$WORKBENCH" scan-log workbench/upstream-known-warnings "$dir/kit.log" || exit 1
[ -z "${kit_failed:-}" ] || die "the kit guest did not finish cleanly; see $dir/kit.log"
