#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make norust, once its kernel is built: the kit's series in a kernel
# configured without Rust (distributions without rustc build it so) boots,
# and panfrost's KUnit suites run on it, its own purge-only shrinker's
# (panfrost_gem_shrinker: a DONTNEED BO is purged by a forced scan) among
# them; the KTAP parsed with the kernel's kunit.py, the guest-log gate,
# the summary (out/norust/). Not part of make check: its kernel is a third
# full build, which would take make check from a fresh machine past its
# 45 minutes.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
: "${OUT:?}" "${TREE:?}" "${INITRAMFS:?}" "${WORKBENCH:?}" "${NORUST_BUILD:?}"
dir=$OUT/norust
rm -rf "$dir"
mkdir -p "$dir"
failed=()

bash workbench/vm/run-vm.sh "$NORUST_BUILD/arch/x86/boot/bzImage" "$INITRAMFS" "$dir/norust.log" \
	--mem 512M --timeout 300 \
	--append "kunit.enable=1 kunit.autorun=1 kunit.filter_glob=panfrost* kit.run=none" ||
	failed+=("KUnit guest, kernel without Rust")

step "parsing the kernel's KTAP with tools/testing/kunit/kunit.py parse"
python3 "$TREE/tools/testing/kunit/kunit.py" parse --json="$dir/norust.json" "$dir/norust.log" \
	>"$dir/norust-parse.txt" 2>&1 || [ -s "$dir/norust.json" ] || failed+=("KTAP parse")
grep -E 'Testing complete|Ran [0-9]+ tests|FAILED|CRASHED' "$dir/norust-parse.txt" |
	tail -n 20 | sed 's/^/    /'

step "scanning the guest log for warnings and splats"
"$WORKBENCH" scan-log workbench/upstream-known-warnings "$dir/norust.log" ||
	failed+=("guest log gate")

step "summary"
"$WORKBENCH" summary "$dir/summary.json" --kunit "norust=$dir/norust.json" \
	--require norust:panfrost_gem_shrinker --require norust:panfrost_gem_mmu ||
	failed+=("test cases")

if [ ${#failed[@]} -gt 0 ]; then
	printf 'error: make norust failed: %s\n' "$(IFS=,; echo "${failed[*]}" | sed 's/,/, /g')" >&2
	exit 1
fi
