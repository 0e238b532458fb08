# SPDX-License-Identifier: GPL-2.0
# Show that the kernel came up with virtio-gpu and the kit built in.
fail=0
echo "kit-guest: kernel $(uname -r)"
for node in /dev/dri/card0 /dev/dri/renderD128; do
	if [ -c "$node" ]; then
		echo "kit-guest: $node present"
	else
		echo "kit-guest: $node missing"; fail=1
	fi
done
drm=$(dmesg | grep -o '\[drm\] Initialized [a-z_]* [0-9.]* for [^ ]*' | head -1)
if [ -n "$drm" ]; then
	echo "kit-guest: $drm"
else
	echo "kit-guest: no DRM driver initialised"; fail=1
fi
if zcat /proc/config.gz | grep -qx 'CONFIG_DRM_GEM_SHMEM_SHRINKER=y'; then
	echo "kit-guest: CONFIG_DRM_GEM_SHMEM_SHRINKER=y"
else
	echo "kit-guest: the kit is not configured in"; fail=1
fi
if dmesg | grep -q 'drm_gem_shmem_shrinker: core ready'; then
	echo "kit-guest: $(dmesg | grep 'drm_gem_shmem_shrinker: core ready')"
else
	echo "kit-guest: the kit's core did not initialise"; fail=1
fi
echo "kit-guest: memory: $(grep MemTotal /proc/meminfo)"
exit $fail
