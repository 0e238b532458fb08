# SPDX-License-Identifier: GPL-2.0
# make bench's guest, on the kit kernel without debug options: the core's
# KUnit benchmark suite and panfrost's side-by-side one (run from here,
# once zram swap is set up), then the swap-in rate through virtio-gpu
# (order-0 pages, large folios, and the kit's own share) against a raw
# read of a zram device, and the hot-set figure (GPU use is use).
# Every figure goes to the console as "kit-bench: KEY VALUE" or
# "kit-bench-json: NAME {json}"; the host makes the table.

[ -d /sys/kernel/debug/drm_gem_shmem_shrinker ] || { echo "kit-guest: not a kit kernel"; exit 1; }
echo "kit-guest: bench on $(uname -r), $(grep MemTotal /proc/meminfo | tr -s ' '), $(nproc) CPUs"

. /payload/lib.sh
zram_swap 1G || { echo "kit-guest: no zram swap"; exit 1; }
echo -1000 >/proc/1/oom_score_adj
echo -1000 >/proc/self/oom_score_adj

# run_suite NAME: run a KUnit benchmark suite now and print its figures.
run_suite() {
	suite=/sys/kernel/debug/kunit/$1
	[ -d "$suite" ] || { echo "kit-guest: no $suite (kunit.enable=1?)"; exit 1; }
	echo 1 >"$suite/run"
	grep -E 'kit-bench:|^ *(not )?ok ' "$suite/results" | sed 's/^ *# [a-z_]*: //'
}
run_suite drm_gem_shmem_shrinker_bench
# Panfrost's former shrinker and the kit, side by side (no GPU needed).
run_suite panfrost_shrinker_bench

# The same lz4 zram device as the swap, for the baseline.
raw=$(zram_device 128M) || { echo "kit-guest: no second zram device"; exit 1; }
echo "kit-bench-json: raw-read $(/payload/virtgpu-kit raw-read "$raw" 64 | tail -1)"
# Swap-in through the kit: with the order-0 pages shmem uses by default;
# with the evicted pages still in the page cache (what is left is the
# kit's, the adapter's and the host's share); with large folios in the
# shmem files (as a driver's huge mount, drm_gem_huge_mnt_create(), or
# this system-wide setting gives them).
echo "kit-bench-json: swap-in $(/payload/virtgpu-kit swap-in 64 4 | tail -1)"
echo "kit-bench-json: swap-in-page-cache $(/payload/virtgpu-kit swap-in-from-page-cache 64 4 | tail -1)"
# GPU use is use: how often a scan evicts a buffer that the host uses
# every frame, while others are used in turn.
echo "kit-bench-json: hot-set $(/payload/virtgpu-kit hot-set 256 32 2 60 | tail -1)"
thp=/sys/kernel/mm/transparent_hugepage/shmem_enabled
if [ -w $thp ]; then
	echo within_size >$thp
	echo "kit-bench-json: swap-in-thp $(/payload/virtgpu-kit swap-in 64 4 | tail -1)"
	echo never >$thp
	grep -E '^(thp_file_alloc|thp_swpout) ' /proc/vmstat | sed 's/^/kit-bench: /'
fi
exit 0
