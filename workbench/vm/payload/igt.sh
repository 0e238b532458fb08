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
. /payload/lib.sh
zram_swap 1G || echo "kit-guest: no zram swap"
echo "kit-guest: swap: $(grep SwapTotal /proc/meminfo | tr -s ' ')"
# Memory pressure must never take init or this script.
echo -1000 >/proc/1/oom_score_adj
echo -1000 >/proc/self/oom_score_adj

# The subtests that need 1 GiB (igt-1g-subtests) run only in a guest booted
# with kit.igt=1g (make check's KUnit guest), and only there.
big=
for arg in $(cat /proc/cmdline); do
	case $arg in kit.igt=1g) big=1 ;; esac
done
big_subtests() { awk -v b="$1" '$1 == b { print $2 }' /payload/igt-1g-subtests; }

export IGT_PLAIN_OUTPUT=1
# run_igt NAME BINARY SELECTION: list, run, and print as NAME.
run_igt() {
	sed "s/^/kit-igt-list: $1: /" /tmp/igt.list
	(echo 0 >/proc/self/oom_score_adj; exec "$2" --run-subtest "$3") >/tmp/igt.out 2>&1
	status=$?
	sed "s/^/kit-igt: $1: /" /tmp/igt.out
	echo "kit-igt-exit: $1: $status"
}

for bin in /payload/igt/*; do
	name=${bin##*/}
	"$bin" --list-subtests >/tmp/igt.all 2>&1
	big_subtests "$name" >/tmp/igt.big
	# IGT's --run-subtest takes comma-separated wildcards, ! to exclude.
	if [ -n "$big" ]; then
		[ -s /tmp/igt.big ] || continue
		cp /tmp/igt.big /tmp/igt.list
		select=$(tr '\n' , </tmp/igt.big | sed 's/,$//')
	elif [ -s /tmp/igt.big ]; then
		grep -vxF -f /tmp/igt.big /tmp/igt.all >/tmp/igt.list
		select="*$(sed 's/^/,!/' /tmp/igt.big | tr -d '\n')"
	else
		cp /tmp/igt.all /tmp/igt.list
		select='*'
	fi
	run_igt "$name" "$bin" "$select"
done

# The kit's subtests again with large folios in the shmem files behind GEM
# objects (shmem_enabled=within_size: each object gets the largest folios
# that fit it), as "drm_virtgpu_shrinker@thp"; not the slow overcommit one,
# nor those that reset or remove the device.
thp=/sys/kernel/mm/transparent_hugepage/shmem_enabled
if [ $kernel = kit ] && [ -z "$big" ] && [ -w $thp ]; then
	bin=/payload/igt/drm_virtgpu_shrinker
	skip='no-oom-overcommit suspend-resume-under-reclaim unbind-rebind-under-reclaim'
	"$bin" --list-subtests 2>/dev/null | grep -vxF "$(echo $skip | tr ' ' '\n')" >/tmp/igt.list
	echo within_size >$thp
	run_igt drm_virtgpu_shrinker@thp "$bin" "*$(for t in $skip; do printf ',!%s' $t; done)"
	echo never >$thp
	# Every size, 8 KiB to 2 MiB: each object gets folios as large as fit it.
	echo "kit-guest: large folios allocated for shmem: $(cat \
		/sys/kernel/mm/transparent_hugepage/hugepages-*/stats/shmem_alloc | awk '{ n += $1 } END { print n }')"
fi
exit 0
