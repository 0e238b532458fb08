# SPDX-License-Identifier: GPL-2.0
# make check's IGT guest, on the kit kernel and on stock 7.3.4: every IGT
# test binary, each first listed (--list-subtests) and then run whole.
# Their output goes to the console only after each binary ends, one
# "kit-igt: BINARY: LINE" per line, so that the kernel's messages while it
# runs cannot split IGT's lines; the list and the exit status go on
# "kit-igt-list:" and "kit-igt-exit:" lines. The host parses them
# (workbench summary --igt).

kernel=stock
[ -d /sys/kernel/debug/drm_gem_shmem_shrinker ] && kernel=kit
echo "kit-guest: IGT on $(uname -r) ($kernel), $(grep MemTotal /proc/meminfo | tr -s ' ')"

# zram swap, for the subtests that evict more than RAM
echo lz4 >/sys/block/zram0/comp_algorithm
echo 1G >/sys/block/zram0/disksize
mkswap /dev/zram0 >/dev/null && swapon /dev/zram0 || echo "kit-guest: no zram swap"
echo "kit-guest: swap: $(grep SwapTotal /proc/meminfo | tr -s ' ')"
# Memory pressure must never take init or this script.
echo -1000 >/proc/1/oom_score_adj
echo -1000 >/proc/self/oom_score_adj

export IGT_PLAIN_OUTPUT=1
for bin in /payload/igt/*; do
	name=${bin##*/}
	"$bin" --list-subtests >/tmp/igt.list 2>&1
	sed "s/^/kit-igt-list: $name: /" /tmp/igt.list
	(echo 0 >/proc/self/oom_score_adj; exec "$bin") >/tmp/igt.out 2>&1
	status=$?
	sed "s/^/kit-igt: $name: /" /tmp/igt.out
	echo "kit-igt-exit: $name: $status"
done
exit 0
