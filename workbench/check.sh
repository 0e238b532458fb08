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

kunit_py=$TREE/tools/testing/kunit/kunit.py

# parse_ktap NAME INPUT: parse KTAP with the kernel's kunit.py into
# $dir/NAME.json, showing its verdict lines.
parse_ktap() {
	if python3 "$kunit_py" parse --json="$dir/$1.json" "$2" >"$dir/$1-parse.txt" 2>&1 ||
		[ -s "$dir/$1.json" ]; then
		grep -E 'Testing complete|Ran [0-9]+ tests|FAILED|CRASHED' "$dir/$1-parse.txt" |
			tail -n 20 | sed 's/^/    /'
	else
		tail -n 20 "$dir/$1-parse.txt" | sed 's/^/    /'
		failed+=("$1 KTAP parse")
	fi
}

step "parsing the kernel's KTAP with tools/testing/kunit/kunit.py parse"
python3 "$kunit_py" parse --raw_output=kunit "$dir/console.log" >"$dir/kunit.ktap" 2>&1
parse_ktap kunit "$dir/console.log"
note "raw KTAP: $dir/kunit.ktap, parsed: $dir/kunit.json"

step "parsing the userspace tests' KTAP (kit-ktap: lines) with kunit.py parse"
sed -n 's/^kit-ktap: //p' "$dir/console.log" | tr -d '\r' >"$dir/userspace.ktap"
parse_ktap userspace "$dir/userspace.ktap"
note "raw KTAP: $dir/userspace.ktap, parsed: $dir/userspace.json"

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
