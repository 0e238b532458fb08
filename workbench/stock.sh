#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The stock kernel that make demo compares the kit with: pristine v7.3.4
# plus the test infrastructure that the kit kernel has too (the simulated
# Mali, workbench/mali-sim/series; a worktree of the prepared tree's
# repository, branch stock-test), configured with the kit's fragment minus
# the kit's own options, built out of tree.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
: "${TREE:?}" "${FRAGMENT:?}" "${WORKBENCH:?}" "${KIT_CACHE:?}"
stock_tree=$KIT_CACHE/linux-stock
stock_build=$KIT_CACHE/build-stock
fragment=${OUT:-out}/stock/stock.config
log=${OUT:-out}/stock/kernel.log
mkdir -p "$(dirname "$fragment")"

if [ ! -d "$stock_tree" ]; then
	step "checking out pristine v7.3.4 in $stock_tree"
	git -C "$TREE" worktree prune
	git -C "$TREE" worktree add -q --detach "$stock_tree" v7.3.4
fi
"$WORKBENCH" prepare-stock "$PWD" "$stock_tree" workbench/mali-sim/series

# Without the options the series adds: the fragment's last section.
sed '/^# Options the series adds/,$d' "$FRAGMENT" >"$fragment"
mkdir -p "$stock_build"
step "configuring the stock kernel: the kit's fragment without the kit"
[ -f "$stock_build/.config" ] && cp -p "$stock_build/.config" "$stock_build/.config.prev"
make -s -C "$stock_tree" O="$stock_build" LLVM=-19 KCONFIG_ALLCONFIG="$(realpath "$fragment")" allnoconfig >/dev/null
if [ -f "$stock_build/.config.prev" ] && cmp -s "$stock_build/.config" "$stock_build/.config.prev"; then
	touch -r "$stock_build/.config.prev" "$stock_build/.config"
fi
rm -f "$stock_build/.config.prev"
"$WORKBENCH" check-config "$fragment" "$stock_build/.config"

step "building the stock kernel (full log: $log)"
set +e
make -C "$stock_tree" O="$stock_build" LLVM=-19 -j"$(nproc)" bzImage 2>&1 | tee "$log" |
	awk '/^  [A-Z]/ { n++; if (n % 200 == 0) { printf "    ... %d steps, now %s\n", n, $2; fflush() } }'
rc=${PIPESTATUS[0]}
set -e
[ "$rc" -eq 0 ] || { tail -n 30 "$log"; die "stock kernel build failed; see $log"; }
note "image $stock_build/arch/x86/boot/bzImage"
