#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`, once the kernel and the initramfs are built: the C ABI
# header check, host tests,
# one guest boot that runs every KUnit suite, the KTAP parsed with the
# kernel's own parser, the guest-log gate, the patch series applied with
# git am to a clean v7.3.4, and the summary. Every part runs
# even when an earlier one failed; any failure fails the whole.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
: "${OUT:?}" "${TREE:?}" "${BZIMAGE:?}" "${INITRAMFS:?}" "${WORKBENCH:?}"

dir=$OUT/check
rm -rf "$dir"
mkdir -p "$dir"
failed=()

bash workbench/header.sh check || failed+=("stale C ABI header")

bash workbench/host-tests.sh "$dir/host-tests.log" || failed+=("host tests")

bash workbench/vm/run-vm.sh "$BZIMAGE" "$INITRAMFS" "$dir/console.log" \
	--mem "${VM_MEM:-1G}" --timeout 900 \
	--append "kunit.enable=1 kunit.autorun=1 kit.run=check" || failed+=("guest run")

step "parsing the KTAP with tools/testing/kunit/kunit.py parse"
kunit_py=$TREE/tools/testing/kunit/kunit.py
python3 "$kunit_py" parse --raw_output=kunit "$dir/console.log" >"$dir/kunit.ktap" 2>&1
if python3 "$kunit_py" parse --json="$dir/kunit.json" "$dir/console.log" >"$dir/kunit-parse.txt" 2>&1 ||
	[ -s "$dir/kunit.json" ]; then
	grep -E 'Testing complete|Ran [0-9]+ tests|FAILED|CRASHED' "$dir/kunit-parse.txt" | tail -n 20 | sed 's/^/    /'
else
	tail -n 20 "$dir/kunit-parse.txt" | sed 's/^/    /'
	failed+=("KTAP parse")
fi
note "raw KTAP: $dir/kunit.ktap, parsed: $dir/kunit.json"

step "parsing the userspace tests' KTAP with kunit.py parse"
sed -n 's/^kit-ktap: //p' "$dir/console.log" | tr -d '\r' >"$dir/userspace.ktap"
if python3 "$kunit_py" parse --json="$dir/userspace.json" "$dir/userspace.ktap" >"$dir/userspace-parse.txt" 2>&1 ||
	[ -s "$dir/userspace.json" ]; then
	grep -E 'Testing complete|FAILED|CRASHED|# ' "$dir/userspace-parse.txt" | tail -n 20 | sed 's/^/    /'
else
	tail -n 20 "$dir/userspace-parse.txt" | sed 's/^/    /'
	failed+=("userspace KTAP parse")
fi

step "scanning the guest log for warnings and splats"
"$WORKBENCH" scan-log workbench/upstream-known-warnings "$dir/console.log" || failed+=("guest log gate")

bash workbench/patches.sh export && bash workbench/patches.sh test || failed+=("patch series")

step "summary"
summary_args=("$dir/summary.json" --cargo "host=$dir/host-tests.log")
[ -s "$dir/kunit.json" ] && summary_args+=(--kunit "$dir/kunit.json")
[ -s "$dir/userspace.json" ] && summary_args+=(--kunit "$dir/userspace.json")
"$WORKBENCH" summary "${summary_args[@]}" || failed+=("test cases")

if [ ${#failed[@]} -gt 0 ]; then
	printf 'error: make check failed: %s\n' "$(IFS=,; echo "${failed[*]}" | sed 's/,/, /g')" >&2
	exit 1
fi
