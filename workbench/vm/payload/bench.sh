# SPDX-License-Identifier: GPL-2.0
# make bench's guest, on the kit kernel without debug options: the core's
# KUnit benchmark suite (run from here, once zram swap is set up), then the
# swap-in rate through virtio-gpu against a raw read of a zram device.
# Every figure goes to the console as "kit-bench: KEY VALUE" or
# "kit-bench-json: NAME {json}"; the host makes the table.

[ -d /sys/kernel/debug/drm_gem_shmem_shrinker ] || { echo "kit-guest: not a kit kernel"; exit 1; }
echo "kit-guest: bench on $(uname -r), $(grep MemTotal /proc/meminfo | tr -s ' '), $(nproc) CPUs"

echo lz4 >/sys/block/zram0/comp_algorithm
echo 1G >/sys/block/zram0/disksize
mkswap /dev/zram0 >/dev/null && swapon /dev/zram0 || { echo "kit-guest: no zram swap"; exit 1; }
echo -1000 >/proc/1/oom_score_adj
echo -1000 >/proc/self/oom_score_adj

suite=/sys/kernel/debug/kunit/drm_gem_shmem_shrinker_bench
[ -d $suite ] || { echo "kit-guest: no $suite (kunit.enable=1?)"; exit 1; }
echo 1 >$suite/run
grep -E 'kit-bench:|^ *(not )?ok ' $suite/results | sed 's/^ *# [a-z_]*: //'

# The same lz4 zram device as the swap, for the baseline.
dev=$(cat /sys/class/zram-control/hot_add)
echo lz4 >/sys/block/zram$dev/comp_algorithm
echo 128M >/sys/block/zram$dev/disksize
echo "kit-bench-json: raw-read $(/payload/virtgpu-kit raw-read /dev/zram$dev 64 | tail -1)"
echo "kit-bench-json: swap-in $(/payload/virtgpu-kit swap-in 64 4 | tail -1)"
exit 0
