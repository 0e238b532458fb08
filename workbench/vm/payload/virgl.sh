# SPDX-License-Identifier: GPL-2.0
# make virgl's guest, on the kit kernel and on stock 7.3.4, with QEMU's 3D
# virtio-gpu (virgl): a real Mesa client, virgl-textures, from the
# squashfs on the virtio disk (workbench/build-virgl.sh), renders and
# checks many textures, lets them sit idle while another process presses
# on memory, then renders and checks them again. kit.virgl=N,SIZE,MIB
# sets its textures, their size and the pressure. Prints one
# "kit-virgl: {json}" line: the client's own result, OOM kills, and what
# the kit evicted and swapped in meanwhile. Then IGT's virgl-* subtests
# (execbuffer and TRANSFER_FROM_HOST_3D on evicted buffers).

kernel=stock
[ -d /sys/kernel/debug/drm_gem_shmem_shrinker ] && kernel=kit
echo "kit-guest: virgl on $(uname -r) ($kernel), $(grep MemTotal /proc/meminfo | tr -s ' ')"
. /payload/lib.sh
zram_swap 1G || echo "kit-guest: no zram swap"
# zram keeps what it swaps in this guest's RAM, and the pressing process
# writes data that does not compress: without a cap, a kernel that cannot
# free anything else (stock, whose textures stay pinned) thrashes on zram
# without ever calling the OOM killer (seen once: 9 minutes, no progress).
# With the cap, swap fills and the OOM killer decides.
echo 128M >/sys/block/zram0/mem_limit
echo -1000 >/proc/1/oom_score_adj
echo -1000 >/proc/self/oom_score_adj

mkdir -p /mnt/virgl
mount -t squashfs -o ro /dev/vda /mnt/virgl || { echo "kit-guest: no virgl disk"; exit 1; }
export LD_LIBRARY_PATH=/mnt/virgl/lib LIBGL_DRIVERS_PATH=/mnt/virgl/dri \
	GBM_DRIVERS_PATH=/mnt/virgl/dri __EGL_VENDOR_LIBRARY_DIRS=/mnt/virgl/egl_vendor.d

args="48 1024 320"
for arg in $(cat /proc/cmdline); do
	case $arg in kit.virgl=*) args=$(echo "${arg#kit.virgl=}" | tr , ' ') ;; esac
done

stat() {
	awk -v k="$1" 'NF == 2 && $1 == k { print $2 }' /sys/kernel/debug/drm_gem_shmem_shrinker/*/state 2>/dev/null | head -1 | grep . || echo 0
}
oom_kills() { awk '$1 == "oom_kill" { print $2 }' /proc/vmstat; }
e0=$(stat evicted_pages) s0=$(stat swapped_in_pages) o0=$(oom_kills)
eo0=$(stat evicted) so0=$(stat swapped_in)
# shellcheck disable=SC2086 # three numbers
(echo 0 >/proc/self/oom_score_adj; exec /mnt/virgl/bin/virgl-textures $args) >/tmp/virgl.out 2>&1
status=$?
e1=$(stat evicted_pages) s1=$(stat swapped_in_pages) o1=$(oom_kills)
eo1=$(stat evicted) so1=$(stat swapped_in)
sed 's/^/kit-virgl-client: /' /tmp/virgl.out
last=$(grep '^{' /tmp/virgl.out | tail -1)
[ -n "$last" ] || last=null
# IGT's subtests of the 3D swap-in points, under igt-runner as in make check:
# the virgl-* ones, and swapin-on-submit, whose transfer to the host is a
# TRANSFER_TO_HOST_3D on this device.
/payload/igt/drm_virtgpu_shrinker --list-subtests 2>/dev/null | grep -E '^(virgl-|swapin-on-submit$)' |
	sed 's/^/drm_virtgpu_shrinker@/' >/tmp/igt.virgl
run_igt virgl /tmp/igt.virgl
echo "kit-virgl: {\"kernel\": \"$kernel\", \"exit\": $status, \"oom_kills\": $((o1 - o0)), \"evicted_mib\": $(((e1 - e0) / 256)), \"swapped_in_mib\": $(((s1 - s0) / 256)), \"evicted_objects\": $((eo1 - eo0)), \"swapped_in_objects\": $((so1 - so0)), \"client\": $last}"
exit 0
