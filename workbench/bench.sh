#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: one boot of the kit kernel without debug options
# ($PERF_BZIMAGE) running the core's benchmark suite and the swap-in
# benchmark (workbench/vm/payload/bench.sh), then the table and
# out/bench/bench.json. Figures, not a timed test: it fails only when a
# figure is missing.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
: "${OUT:?}" "${PERF_BZIMAGE:?}" "${INITRAMFS:?}" "${WORKBENCH:?}"
dir=$OUT/bench
rm -rf "$dir"
mkdir -p "$dir"

bash workbench/vm/run-vm.sh "$PERF_BZIMAGE" "$INITRAMFS" "$dir/bench.log" \
	--mem "${BENCH_MEM:-2G}" --timeout 1200 \
	--append "kunit.enable=1 kunit.autorun=0 kit.run=bench" || die "the bench guest failed; see $dir/bench.log"
step "benchmarks (kernel without debug options, 2 vCPUs, TCG)"
"$WORKBENCH" bench-report "$dir/bench.json" "$dir/bench.log" || exit 1
"$WORKBENCH" scan-log workbench/upstream-known-warnings "$dir/bench.log"
