# SPDX-License-Identifier: GPL-2.0
# make stress's guest (the debug kit kernel): virtgpu-stress and, beside
# it, panfrost-stress on the simulated Mali, for kit.stress_seconds with
# real memory pressure, forced scans and fault injection aimed at
# virtio-gpu's and the kit's allocations in virtio-gpu's stressing
# processes, then each device's kit counters and what was injected, as
# "kit-stress:" lines; then virtgpu-fuzz and panfrost-fuzz for
# kit.fuzz_seconds each, their "kit-fuzz:" lines. The host reads them all
# (workbench stress-report).

seconds=600
workers=4
panfrost_workers=2
fuzz_seconds=120
for arg in $(cat /proc/cmdline); do
	case $arg in
	kit.stress_seconds=*) seconds=${arg#kit.stress_seconds=} ;;
	kit.stress_workers=*) workers=${arg#kit.stress_workers=} ;;
	kit.stress_panfrost_workers=*) panfrost_workers=${arg#kit.stress_panfrost_workers=} ;;
	kit.fuzz_seconds=*) fuzz_seconds=${arg#kit.fuzz_seconds=} ;;
	esac
done
# The kit's debugfs directory of each device, named after the device:
# mali-sim for panfrost's, virtio-gpu's PCI address for the other.
virtio= panfrost=
for d in /sys/kernel/debug/drm_gem_shmem_shrinker/*/; do
	case $d in
	*/mali-sim/) panfrost=$d ;;
	*/) virtio=$d ;;
	esac
done
[ -n "$virtio" ] && [ -n "$panfrost" ] ||
	{ echo "kit-guest: no kit debugfs for virtio_gpu and panfrost: make stress needs the kit kernel and mali_sim.enable=1"; exit 1; }
echo "kit-guest: stress on $(uname -r), $(grep MemTotal /proc/meminfo | tr -s ' '), $seconds s, $workers virtio-gpu and $panfrost_workers panfrost workers"

. /payload/lib.sh
zram_swap 512M || { echo "kit-guest: no zram swap"; exit 1; }
echo -1000 >/proc/1/oom_score_adj
echo -1000 >/proc/self/oom_score_adj

# Fault injection: only for processes that set /proc/self/make-it-fail
# (the workers and the scanner), and only for allocations with
# virtio-gpu's code on the stack: its ioctls, its fault handler and the
# kit's callbacks into it (the kit's own allocations happen below those).
# The address range is virtio-gpu's text, from the first to the end of the
# last virtio_gpu_ function in address order, below _etext (its init
# functions are elsewhere, and gone).
range=$(grep -i ' t ' /proc/kallsyms | sort | awk '
	$3 == "_etext" { exit }
	$3 ~ /^virtio_gpu_/ { if (!start) start = $1; last = NR }
	{ addr[NR] = $1 }
	END { if (start && addr[last + 1]) print start, addr[last + 1] }')
[ -n "$range" ] || { echo "kit-guest: virtio-gpu's text not found in /proc/kallsyms"; exit 1; }
set -- $range
budget=100000000
for attr in failslab fail_page_alloc; do
	d=/sys/kernel/debug/$attr
	echo 1 >$d/task-filter
	echo 0x$1 >$d/require-start
	echo 0x$2 >$d/require-end
	echo 2 >$d/probability
	echo 1 >$d/interval
	echo $budget >$d/times
	echo 0 >$d/verbose
	[ -e $d/ignore-gfp-wait ] && echo N >$d/ignore-gfp-wait
done
echo N >/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem
echo 0 >/sys/kernel/debug/fail_page_alloc/min-order
echo "kit-guest: injecting into failslab and fail_page_alloc at 2%, stacks through 0x$1-0x$2"

# A cumulative counter of a device's kit state file (its table rows have 3 fields).
stat() { awk -v k="$2" '$1 == k && NF == 2 { print $2 }' "$1/state"; }
ve0=$(stat "$virtio" evicted) vs0=$(stat "$virtio" swapped_in) vp0=$(stat "$virtio" purged)
pe0=$(stat "$panfrost" evicted) ps0=$(stat "$panfrost" swapped_in) pp0=$(stat "$panfrost" purged)
pressure=$(awk '/MemAvailable/ { print int($2 / 1024 / 2) }' /proc/meminfo)
# panfrost's workers press on memory through virtgpu-stress's presser.
(echo 0 >/proc/self/oom_score_adj; exec /payload/panfrost-stress "$seconds" "$panfrost_workers" 0) &
panfrost_pid=$!
(echo 0 >/proc/self/oom_score_adj; exec /payload/virtgpu-stress "$seconds" "$workers" "$pressure")
virtio_status=$?
wait $panfrost_pid
panfrost_status=$?
for attr in failslab fail_page_alloc; do
	echo 0 >/sys/kernel/debug/$attr/probability
	eval "injected_${attr}=$((budget - $(cat /sys/kernel/debug/$attr/times)))"
done
oom=$(awk '$1 == "oom_kill" { print $2 }' /proc/vmstat)
echo "kit-stress: {\"driver\": \"virtio-gpu\", \"who\": \"kernel\", \"seconds\": $seconds, \"exit\": $virtio_status, \"evicted\": $(($(stat "$virtio" evicted) - ve0)), \"swapped_in\": $(($(stat "$virtio" swapped_in) - vs0)), \"purged\": $(($(stat "$virtio" purged) - vp0)), \"oom_kills\": $oom, \"injected\": {\"failslab\": $injected_failslab, \"fail_page_alloc\": $injected_fail_page_alloc}}"
echo "kit-stress: {\"driver\": \"panfrost\", \"who\": \"kernel\", \"seconds\": $seconds, \"exit\": $panfrost_status, \"evicted\": $(($(stat "$panfrost" evicted) - pe0)), \"swapped_in\": $(($(stat "$panfrost" swapped_in) - ps0)), \"purged\": $(($(stat "$panfrost" purged) - pp0)), \"oom_kills\": $oom, \"injected\": {}}"

# Bad input, with nothing injected: a documented errno for every error.
echo "kit-guest: fuzzing virtio-gpu's ioctls for $fuzz_seconds s"
(echo 0 >/proc/self/oom_score_adj; exec /payload/virtgpu-fuzz "$fuzz_seconds")
echo "kit-guest: fuzzing panfrost's ioctls for $fuzz_seconds s"
(echo 0 >/proc/self/oom_score_adj; exec /payload/panfrost-fuzz "$fuzz_seconds")
exit 0
