#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make kcsan: the kit's KUnit suites, then make stress's run for
# KCSAN_SECONDS (300) and its fuzzer for KCSAN_FUZZ_SECONDS (60), on the
# debug kit kernel with KCSAN instead of KASAN ($KIT_CACHE/build-kcsan,
# workbench/kcsan.config). Any KCSAN report fails the run (the log gate),
# as any other kernel report does.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
: "${OUT:?}" "${KCSAN_BUILD:?}" "${INITRAMFS:?}" "${WORKBENCH:?}"
image=$KCSAN_BUILD/arch/x86/boot/bzImage
dir=$OUT/kcsan
rm -rf "$dir"
mkdir -p "$dir"
failed=()

# One boot per glob: kunit.filter_glob takes one.
for suite in drm_gem_shmem_shrinker_abi 'panfrost*'; do
	log=$dir/kunit-${suite%\*}.log
	bash workbench/vm/run-vm.sh "$image" "$INITRAMFS" "$log" --mem 1G --timeout 900 \
		--append "kunit.enable=1 kunit.autorun=1 kunit.filter_glob=$suite kit.run=none" ||
		failed+=("KUnit guest ($suite)")
	grep -hE '^\[[^]]*\] (not )?ok [0-9]+ ' "$log" | sed 's/^\[[^]]*\] /    /'
	grep -q '^\[[^]]*\] not ok ' "$log" && failed+=("KUnit ($suite)")
	"$WORKBENCH" scan-log workbench/upstream-known-warnings "$log" || failed+=("log gate ($suite)")
done

BZIMAGE=$image OUT=$dir STRESS_SECONDS=${KCSAN_SECONDS:-300} FUZZ_SECONDS=${KCSAN_FUZZ_SECONDS:-60} \
	STRESS_MIN_CYCLES=${KCSAN_MIN_CYCLES:-1000} STRESS_PANFROST_MIN_CYCLES=${KCSAN_PANFROST_MIN_CYCLES:-100} \
	bash workbench/stress.sh || failed+=("stress")

step "KCSAN reports: $(cat "$dir"/kunit-*.log "$dir/stress/stress.log" 2>/dev/null | grep -c 'BUG: KCSAN:')"
if [ ${#failed[@]} -gt 0 ]; then
	printf 'error: make kcsan failed: %s\n' "$(IFS=,; echo "${failed[*]}" | sed 's/,/, /g')" >&2
	exit 1
fi
