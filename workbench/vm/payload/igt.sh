# SPDX-License-Identifier: GPL-2.0
# make check's IGT guest, on the kit kernel and on stock 7.3.4: every
# subtest of every IGT binary, run by igt-runner as drm-ci runs IGT, with
# the results on the console for the host (run_igt, in lib.sh).

kernel=stock
[ -d /sys/kernel/debug/drm_gem_shmem_shrinker ] && kernel=kit
echo "kit-guest: IGT on $(uname -r) ($kernel), $(grep MemTotal /proc/meminfo | tr -s ' ')"

# zram swap, for the subtests that evict more than RAM: no-oom-overcommit
# needs more than 1.25 times MemTotal free, so 1.5 times it in a guest
# bigger than make check's (1 GiB at least; zram only holds what is
# written to it, compressed)
. /payload/lib.sh
swap_kib=$(awk '$1 == "MemTotal:" { print int($2 * 3 / 2) }' /proc/meminfo)
[ "$swap_kib" -gt 1048576 ] || swap_kib=1048576
zram_swap "${swap_kib}K" || echo "kit-guest: no zram swap"
echo "kit-guest: swap: $(grep SwapTotal /proc/meminfo | tr -s ' ')"
# Memory pressure must never take init or this script.
echo -1000 >/proc/1/oom_score_adj
echo -1000 >/proc/self/oom_score_adj

# The subtests that need 1 GiB (igt-1g-subtests) run only in a guest booted
# with kit.igt=1g (make check's KUnit guest), and only there.
# kit.igt_timeout=SECS: igt-runner's per-case limit (600 s, drm-ci's),
# which a bigger guest needs raised (docs/igt.md: time per GiB).
big=
IGT_TIMEOUT=600
for arg in $(cat /proc/cmdline); do
	case $arg in
	kit.igt=1g) big=1 ;;
	kit.igt_timeout=*) IGT_TIMEOUT=${arg#kit.igt_timeout=} ;;
	esac
done
export IGT_TIMEOUT

# The caselist, as drm-ci's build-igt.sh makes its ci-testlist.txt: every
# subtest of every IGT binary as BINARY@SUBTEST.
for bin in /payload/igt/*; do
	"$bin" --list-subtests 2>/dev/null | sed "s/^/${bin##*/}@/"
done >/tmp/igt.all
sed -n 's/^\([a-z_]*\) \([a-z0-9-]*\)$/\1@\2/p' /payload/igt-1g-subtests >/tmp/igt.big

# The main pass: every subtest but the 1 GiB ones, and the virgl-* ones,
# which need the 3D device (make virgl runs them).
grep -vxF -f /tmp/igt.big /tmp/igt.all | grep -v '@virgl-' >/tmp/igt.list
if [ -z "$big" ]; then
	run_igt main /tmp/igt.list
	exit 0
fi

# The guest booted with kit.igt=1g (make check's KUnit guest, which runs
# beside the IGT guest and has the time to spare): the 1 GiB subtests,
# then the kit's subtests again with large folios in the shmem files
# behind GEM objects (shmem_enabled=within_size: each object gets the
# largest folios that fit it), as the pass "thp"; not the slow overcommit
# ones, nor those that reset or remove the device.
grep -xF -f /tmp/igt.big /tmp/igt.all >/tmp/igt.1g
[ -s /tmp/igt.1g ] && run_igt main /tmp/igt.1g
thp=/sys/kernel/mm/transparent_hugepage/shmem_enabled
if [ $kernel = kit ] && [ -w $thp ]; then
	grep '^drm_virtgpu_shrinker@' /tmp/igt.list |
		grep -vE '@(no-oom-overcommit|dontneed-overcommit|suspend-resume-under-reclaim|unbind-rebind-under-reclaim)$' \
		>/tmp/igt.thp
	echo within_size >$thp
	run_igt thp /tmp/igt.thp
	echo never >$thp
	# Every size, 8 KiB to 2 MiB: each object gets folios as large as fit it.
	echo "kit-guest: large folios allocated for shmem: $(cat \
		/sys/kernel/mm/transparent_hugepage/hugepages-*/stats/shmem_alloc | awk '{ n += $1 } END { print n }')"
fi
exit 0
