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

# Which pass this guest runs (kit.igt=): by default the main pass and the
# large-folio pass; 1g: the subtests that need 1 GiB (igt-1g-subtests),
# in make check's KUnit guest; pressure: the subtests that drive the guest
# beyond its RAM (igt-pressure-subtests), make pressure's.
# kit.igt_timeout=SECS: igt-runner's per-case limit (600 s, drm-ci's),
# which a bigger guest needs raised (docs/igt.md: time per GiB).
# kit.igt_filter=ERE: only the cases that match, by hand (make shell's
# users, or run-vm.sh --append while working on one test).
pass=main
IGT_TIMEOUT=600
filter=
for arg in $(cat /proc/cmdline); do
	case $arg in
	kit.igt=1g) pass=1g ;;
	kit.igt=pressure) pass=pressure ;;
	kit.igt_timeout=*) IGT_TIMEOUT=${arg#kit.igt_timeout=} ;;
	kit.igt_filter=*) filter=${arg#kit.igt_filter=} ;;
	esac
done
export IGT_TIMEOUT

# The caselist, as drm-ci's build-igt.sh makes its ci-testlist.txt: every
# subtest of every IGT binary as BINARY@SUBTEST.
for bin in /payload/igt/*; do
	"$bin" --list-subtests 2>/dev/null | sed "s/^/${bin##*/}@/"
done | grep -E -- "${filter:-.}" >/tmp/igt.all
# Lines of the file $2 that are (in) or are not (out) lines of $3; awk, as
# busybox's grep -f takes an empty pattern file to match every line.
lines() {
	awk -v want="$1" 'FILENAME == ARGV[1] { set[$0]; next }
		(want == "in") == ($0 in set)' "$2" "$3"
}
caselist() {
	sed -n 's/^\([a-z_]*\) \([a-z0-9-]*\)$/\1@\2/p' "/payload/igt-$1-subtests" >/tmp/igt.$1.all
	lines in /tmp/igt.$1.all /tmp/igt.all
}
caselist 1g >/tmp/igt.1g
caselist pressure >/tmp/igt.pressure

case $pass in
1g | pressure)
	[ -s /tmp/igt.$pass ] && run_igt main /tmp/igt.$pass
	exit 0
	;;
esac

# The main pass: every other subtest but the virgl-* ones, which need the
# 3D device (make virgl runs them).
cat /tmp/igt.1g /tmp/igt.pressure >/tmp/igt.elsewhere
lines out /tmp/igt.elsewhere /tmp/igt.all | grep -v '@virgl-' >/tmp/igt.list
run_igt main /tmp/igt.list

# Then the kit's subtests again with large folios in the shmem files behind
# GEM objects (shmem_enabled=within_size: each object gets the largest
# folios that fit it), as the pass "thp"; not those that reset or remove
# the device.
thp=/sys/kernel/mm/transparent_hugepage/shmem_enabled
grep '^drm_virtgpu_shrinker@' /tmp/igt.list |
	grep -vE '@(suspend-resume-under-reclaim|unbind-rebind-under-reclaim)$' >/tmp/igt.thp
if [ $kernel = kit ] && [ -w $thp ] && [ -s /tmp/igt.thp ]; then
	echo within_size >$thp
	run_igt thp /tmp/igt.thp
	echo never >$thp
	# Every size, 8 KiB to 2 MiB: each object gets folios as large as fit it.
	echo "kit-guest: large folios allocated for shmem: $(cat \
		/sys/kernel/mm/transparent_hugepage/hugepages-*/stats/shmem_alloc | awk '{ n += $1 } END { print n }')"
fi
exit 0
