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
	sed "s/^/kit-igt-list: $name: /" /tmp/igt.list
	(echo 0 >/proc/self/oom_score_adj; exec "$bin" --run-subtest "$select") >/tmp/igt.out 2>&1
	status=$?
	sed "s/^/kit-igt: $name: /" /tmp/igt.out
	echo "kit-igt-exit: $name: $status"
done
exit 0
