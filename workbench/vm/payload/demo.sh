# SPDX-License-Identifier: GPL-2.0
# make demo's guest: the same scenarios on the kit kernel and on stock
# 7.3.4, with zram swap: two on virtio-gpu (virtgpu-kit), two on panfrost
# and the simulated Mali (panfrost-kit); one "kit-demo: {json}" line per
# scenario.

kernel=stock
[ -d /sys/kernel/debug/drm_gem_shmem_shrinker ] && kernel=kit
echo "kit-guest: kernel $(uname -r) ($kernel), $(grep MemTotal /proc/meminfo | tr -s ' ')"
[ -c /dev/dri/card0 ] || { echo "kit-guest: no /dev/dri/card0"; exit 1; }

# zram swap: compressed, in the guest's own RAM
. /payload/lib.sh
zram_swap 1G || { echo "kit-guest: no zram swap"; exit 1; }
echo "kit-guest: swap: $(grep SwapTotal /proc/meminfo | tr -s ' ')"

# The OOM killer must pick the client, never init or this script.
echo -1000 >/proc/1/oom_score_adj
echo -1000 >/proc/self/oom_score_adj

# The scenarios are sized from the RAM the VM was given (kit.mem_mib=),
# not from MemTotal, which is lower by what the kernel keeps for itself.
mem_mib=$(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo)
for arg in $(cat /proc/cmdline); do
	case $arg in kit.mem_mib=*) mem_mib=${arg#kit.mem_mib=} ;; esac
done
oom_kills() { awk '$1 == "oom_kill" { print $2 }' /proc/vmstat; }

run() { # scenario total_mib client client_scenario
	p0=$(kit_stat purged_pages) e0=$(kit_stat evicted_pages) s0=$(kit_stat swapped_in_pages) o0=$(oom_kills)
	(echo 1000 >/proc/self/oom_score_adj; exec "/payload/$3" "$4" "$2" 4) >/tmp/client.out 2>&1
	status=$?
	p1=$(kit_stat purged_pages) e1=$(kit_stat evicted_pages) s1=$(kit_stat swapped_in_pages) o1=$(oom_kills)
	last=$(grep '^{' /tmp/client.out | tail -1)
	[ -n "$last" ] || last='{}'
	echo "kit-demo: {\"scenario\": \"$1\", \"kernel\": \"$kernel\", \"target_mib\": $2, \"exit\": $status, \"oom_kills\": $((o1 - o0)), \"purged_mib\": $(((p1 - p0) / 256)), \"evicted_mib\": $(((e1 - e0) / 256)), \"swapped_in_mib\": $(((s1 - s0) / 256)), \"client\": $last}"
	grep -v '^{' /tmp/client.out | head -5 | sed 's/^/kit-guest: client: /'
}

# For the plot: resident shmem (the GEM buffers' pages, plus a constant
# rootfs share) and swap in use, every 200 ms while the scenarios run, as
# "SECONDS SHMEM_KIB SWAP_KIB" lines, and a "mark SECONDS NAME" line where
# each scenario starts. Printed after the scenarios, so that no sample
# line is split by kernel messages.
t0=$(cut -d' ' -f1 /proc/uptime)
elapsed() { awk -v t0="$t0" -v up="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { printf "%.2f", up - t0 }'; }
sampler() {
	while :; do
		awk -v t="$(elapsed)" '/^Shmem:/ { s = $2 } /^SwapTotal:/ { st = $2 } /^SwapFree:/ { sf = $2 }
			END { printf "%s %d %d\n", t, s, st - sf }' /proc/meminfo
		sleep 0.2
	done
}
# The sampler forks every 200 ms: it must stay killable (after the client),
# or an allocation of its while stock's pinned buffers fill RAM leaves the
# OOM killer nobody to pick ("System is deadlocked on memory").
(echo 500 >/proc/self/oom_score_adj; sampler) >>/tmp/samples &
sampler_pid=$!

# Until the previous client's buffers are freed (stock 7.3.4 frees them
# once the host has released them), at most 10 s.
settle() {
	for _ in $(seq 50); do
		awk '/^MemAvailable:/ { a = $2 } /^MemTotal:/ { t = $2 } END { exit !(a * 2 > t) }' \
			/proc/meminfo && return
		sleep 0.2
	done
}

echo "mark $(elapsed) churn" >>/tmp/samples
run churn $((mem_mib * 4)) virtgpu-kit churn
settle
echo "mark $(elapsed) working-set" >>/tmp/samples
run working-set $((mem_mib * 3 / 2)) virtgpu-kit working-set
settle
echo "mark $(elapsed) panfrost-cache" >>/tmp/samples
run panfrost-cache $((mem_mib * 4)) panfrost-kit cache
settle
echo "mark $(elapsed) panfrost-working-set" >>/tmp/samples
run panfrost-working-set $((mem_mib * 3 / 2)) panfrost-kit working-set
kill $sampler_pid
sed 's/^/kit-demo-sample: /' /tmp/samples
exit 0
