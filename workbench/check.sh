#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`, once the kernels and the initramfs are built: the C ABI
# header check, host tests, one guest boot that runs every KUnit suite
# (KTAP parsed with the kernel's own parser), the IGT tests in a guest on
# the kit kernel and again on stock 7.3.4, the guest-log gate, the patch
# series applied with git am to a clean v7.3.4, and the summary. Every
# part runs even when an earlier one failed; any failure fails the whole.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
: "${OUT:?}" "${TREE:?}" "${BZIMAGE:?}" "${INITRAMFS:?}" "${WORKBENCH:?}" "${KIT_CACHE:?}"
stock_image=$KIT_CACHE/build-stock/arch/x86/boot/bzImage
# The IGT guests are small, as Panfrost boards are; the subtests that drive
# a guest beyond its RAM are make pressure's (igt-pressure-subtests). Both
# kernels' IGT guests have the simulated Mali (mali_sim.enable=1), so that
# panfrost's IGT tests run on its real driver.
igt_mem=${IGT_MEM:-320M}

dir=$OUT/check
rm -rf "$dir"
mkdir -p "$dir"
failed=()

bash workbench/header.sh check || failed+=("stale C ABI header")

# panfrost's own shrinker stays v7.3.4's file: it is panfrost's reclaim in
# kernels without the kit, and the baseline of make bench's side-by-side.
git -C "$TREE" diff --quiet v7.3.4 HEAD -- drivers/gpu/drm/panfrost/panfrost_gem_shrinker.c ||
	failed+=("the series changes drivers/gpu/drm/panfrost/panfrost_gem_shrinker.c")

bash workbench/host-tests.sh "$dir/host-tests.log" || failed+=("host tests")

# Two host cores, two chains of guests side by side, about as long as each
# other: the kit kernel's IGT guest (the main and the large-folio passes)
# on one; on the other the KUnit guest (and the 1 GiB subtests), then the
# stock kernel's IGT guest. The second chain's lines and verdicts follow
# when both have ended. (The kernel without Rust is make norust's.)
second_chain() {
	bash workbench/vm/run-vm.sh "$BZIMAGE" "$INITRAMFS" "$dir/console.log" \
		--mem "${VM_MEM:-1G}" --timeout 900 --kmemleak-pool \
		--append "kunit.enable=1 kunit.autorun=1 kit.run=check kit.igt=1g" ||
		echo "KUnit guest" >>"$dir/second-chain.failed"
	bash workbench/vm/run-vm.sh "$stock_image" "$INITRAMFS" "$dir/igt-stock.log" \
		--mem "$igt_mem" --timeout 600 --append "kit.run=igt mali_sim.enable=1" ||
		echo "IGT guest, stock kernel" >>"$dir/second-chain.failed"
}
# In its own process group, so that an interrupted make check takes the
# chain's guests with it instead of leaving them to boot one after the
# other unattended.
set -m
second_chain >"$dir/second-chain.out" 2>&1 &
second=$!
set +m
trap 'kill -- -$second 2>/dev/null' EXIT
trap 'exit 130' INT TERM
bash workbench/vm/run-vm.sh "$BZIMAGE" "$INITRAMFS" "$dir/igt.log" \
	--mem "$igt_mem" --timeout 900 --kmemleak-pool --append "kit.run=igt mali_sim.enable=1" ||
	failed+=("IGT guest, kit kernel")
wait "$second" || failed+=("the second core's guests (KUnit, stock IGT) did not all run")
trap - EXIT INT TERM
cat "$dir/second-chain.out"
if [ -f "$dir/second-chain.failed" ]; then
	while IFS= read -r what; do failed+=("$what"); done <"$dir/second-chain.failed"
fi

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

# igt-runner's results.csv and failures.csv of each pass, as it wrote them
# in the guest, and JUnit XML made from them by deqp-runner, as drm-ci does:
# out/check/igt/RUN/PASS/. The output of every case that did not pass or
# skip follows its result.
for run in igt-1g igt igt-stock; do
	log=$dir/$run.log
	[ "$run" = igt-1g ] && log=$dir/console.log
	step "IGT results, $run ($log)"
	for d in $("$WORKBENCH" igt-results "$log" "$dir/igt/$run"); do
		pass=${d##*/}
		awk -F, -v p="$pass" '{ printf "    %s%s: %s (%.2fs)\n", $1, (p == "main" ? "" : " [" p "]"), $2, $3 }' \
			"$d/results.csv"
		deqp-runner junit --testsuite "IGT $run $pass" --results "$d/results.csv" --output "$d/junit.xml"
	done
	tr -d '\r' <"$log" | sed -n 's/^.*kit-igt-log: /    /p'
done

step "scanning the guest log for warnings and splats"
"$WORKBENCH" scan-log workbench/upstream-known-warnings "$dir/console.log" "$dir/igt.log" \
	"$dir/igt-stock.log" || failed+=("guest log gate")

bash workbench/patches.sh export && bash workbench/patches.sh test || failed+=("patch series")

step "LAVA jobs for drm-ci's arm64 Panfrost boards, checked with LAVA's schema"
"$WORKBENCH" lava-jobs "$OUT/lava" "${LAVA_BASE_URL:-https://lava-artifacts.invalid/shmem-shrinker-kit}" >/dev/null &&
	/usr/bin/python3 workbench/lava-validate.py "$OUT"/lava/*.yaml || failed+=("LAVA jobs")

step "summary"
summary_args=("$dir/summary.json" --cargo "host=$dir/host-tests.log")
[ -s "$dir/kunit.json" ] && summary_args+=(--kunit "$dir/kunit.json")
summary_args+=(--igt "igt-1g=$dir/console.log" --igt-expect igt-1g:drm_virtgpu_shrinker=pass
	--igt "igt=$dir/igt.log" --igt "igt-stock=$dir/igt-stock.log"
	--igt-expect igt:drm_virtgpu_shrinker=pass
	--igt-expect igt:drm_virtgpu_shrinker@thp=pass
	--igt-expect igt-stock:drm_virtgpu_shrinker=skip)
# Panfrost, on the simulated Mali: the board checks pass on both kernels,
# the shrinker's on the kit. Stock 7.3.4 purges but does not evict, it
# stores unknown madvise values, and closing a file leaves its jobs running
# until the job timeout (the series' panfrost fixes): drm-ci would list
# those two in its fails file.
summary_args+=(--igt-expect igt:panfrost_board=pass --igt-expect igt-stock:panfrost_board=pass
	--igt-expect igt-stock:panfrost_board.submit-and-close=fail
	--igt-expect igt:panfrost_shrinker=pass --igt-expect igt-stock:panfrost_shrinker=pass
	--igt-expect igt-stock:panfrost_shrinker.madvise-bad-value=fail)
for t in evict-swapin-integrity evict-while-mmapped swapin-on-submit unlisted-bo-swapin \
	unlisted-descriptor-swapin many-evicted-bos-one-submit gpu-writes-survive-eviction \
	no-eviction-while-job-runs unbind-rebind-under-reclaim; do
	summary_args+=(--igt-expect "igt-stock:panfrost_shrinker.$t=skip")
done
"$WORKBENCH" summary "${summary_args[@]}" || failed+=("test cases")

if [ ${#failed[@]} -gt 0 ]; then
	printf 'error: make check failed: %s\n' "$(IFS=,; echo "${failed[*]}" | sed 's/,/, /g')" >&2
	exit 1
fi
