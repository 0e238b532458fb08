# SPDX-License-Identifier: GPL-2.0
# Load the out-of-tree build of the core (make oot) and check that it runs.
if [ ! -f /payload/drm_gem_shmem_shrinker.ko ]; then
	echo "kit-guest: no out-of-tree module in this initramfs (only make oot puts it there)"
	exit 1
fi
insmod /payload/drm_gem_shmem_shrinker.ko || exit 1
dmesg | grep -q 'drm_gem_shmem_shrinker: core ready' || exit 1
echo "kit-guest: $(grep drm_gem_shmem_shrinker /proc/modules)"
rmmod drm_gem_shmem_shrinker || exit 1
[ ! -e /sys/kernel/debug/drm_gem_shmem_shrinker ] || { echo "kit-guest: debugfs left behind"; exit 1; }
insmod /payload/drm_gem_shmem_shrinker.ko && rmmod drm_gem_shmem_shrinker || exit 1
echo "kit-guest: module loaded, initialised, removed, and loaded and removed again"
