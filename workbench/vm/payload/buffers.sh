# SPDX-License-Identifier: GPL-2.0
# Many buffers at once (kit.buffers=COUNT, 20000 by default, of
# kit.buffer_kib KiB, 16 by default) on the debug kit kernel, with zram
# swap: virtgpu-kit buffers, then whether kmemleak is still on. The guest's
# end-of-run kmemleak scan and the log gate say the rest (docs/igt.md).

count=20000
kib=16
for arg in $(cat /proc/cmdline); do
	case $arg in
	kit.buffers=*) count=${arg#kit.buffers=} ;;
	kit.buffer_kib=*) kib=${arg#kit.buffer_kib=} ;;
	esac
done
. /payload/lib.sh
zram_swap 512M || { echo "kit-guest: no zram swap"; exit 1; }
echo -1000 >/proc/self/oom_score_adj
echo "kit-guest: $count buffers of $kib KiB on $(uname -r), $(grep MemTotal /proc/meminfo | tr -s ' ')"
e0=$(kit_stat evicted_pages) s0=$(kit_stat swapped_in_pages)
# Memory pressure must take the client, not this script.
out=$(echo 0 >/proc/self/oom_score_adj; exec /payload/virtgpu-kit buffers "$count" "$kib")
status=$?
echo "$out" | sed 's/^/kit-buffers: /'
evicted=$((($(kit_stat evicted_pages) - e0) / 256))
echo "kit-buffers: {\"evicted_mib\": $evicted, \"swapped_in_mib\": $((($(kit_stat swapped_in_pages) - s0) / 256))}"
# Trackers under reclaim are what this run is for: no eviction, no proof.
if [ "$evicted" -eq 0 ]; then
	echo "kit-guest: nothing was evicted; the buffers did not press on memory"
	status=1
fi
if dmesg | grep -q 'kmemleak: Kernel memory leak detector disabled'; then
	echo "kit-guest: kmemleak is off"
	status=1
fi
exit $status
