# SPDX-License-Identifier: GPL-2.0
# Shared by the guest payloads (sourced, not run).

# zram_swap SIZE: swap on zram0 (lz4, compressed in the guest's own RAM).
zram_swap() {
	echo lz4 >/sys/block/zram0/comp_algorithm &&
		echo "$1" >/sys/block/zram0/disksize &&
		mkswap /dev/zram0 >/dev/null && swapon /dev/zram0
}

# kit_stat NAME: the kit's cumulative counter NAME (evicted_pages,
# swapped_in_pages, purged_pages, ...) from its debugfs state files, summed
# over the devices (virtio-gpu, and panfrost with the simulated Mali); 0 on
# stock 7.3.4.
kit_stat() {
	cat /sys/kernel/debug/drm_gem_shmem_shrinker/*/state 2>/dev/null |
		awk -v k="$1" '$1 == k && NF == 2 { n += $2 } END { print n + 0 }'
}

# zram_device SIZE: one more zram device like the swap one; prints its path.
zram_device() {
	local dev
	dev=$(cat /sys/class/zram-control/hot_add) &&
		echo lz4 >/sys/block/zram$dev/comp_algorithm &&
		echo "$1" >/sys/block/zram$dev/disksize &&
		echo /dev/zram$dev
}

# run_igt PASS CASELIST: igt-runner (deqp-runner's, as drm-ci runs it:
# --jobs 1, a per-case limit of IGT_TIMEOUT (600) s, drm-ci's skips of
# virtio_gpu-none and panfrost-rk3399 (the simulated Mali's board), which
# skip other drivers' tests without running them, and their fails as the
# baseline (build-userspace.sh makes both files);
# results.csv and failures.csv in its output directory), then
# what it ran and what it found on the console: "kit-igt-list: PASS: CASE",
# "kit-igt-result: PASS: CASE,STATUS,SECONDS", the output of each case that
# did not pass or skip, and "kit-igt-runner: PASS: EXIT". The host makes
# its results, failures and JUnit XML from them (workbench igt-results).
run_igt() {
	out=/tmp/igt-$1
	rm -rf "$out"
	sed "s/^/kit-igt-list: $1: /" "$2"
	# Memory pressure must take a test, not the runner (or init).
	(echo 0 >/proc/self/oom_score_adj
	 exec /payload/igt-runner run --igt-folder /payload/igt --caselist "$2" \
		--output "$out" --jobs 1 --timeout "${IGT_TIMEOUT:-600}" \
		--skips /payload/igt-ci/skips.txt \
		--baseline /payload/igt-ci/fails.txt) >/tmp/igt-runner.out 2>&1
	status=$?
	sed "s/^/kit-igt-result: $1: /" "$out/results.csv"
	grep -vE ',(Pass|Skip),' "$out/results.csv" | cut -d, -f1 | while read -r case; do
		sed "s/^/kit-igt-log: $1: $case: /" "$out/igt.$case.log" 2>/dev/null
	done
	[ "$status" -eq 0 ] || sed "s/^/kit-igt-log: $1: igt-runner: /" /tmp/igt-runner.out
	echo "kit-igt-runner: $1: $status"
}
