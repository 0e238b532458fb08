#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a kernel in QEMU (TCG) with a virtio-gpu device and hand the guest's
# exit status back to the host.
#
#   run-vm.sh KERNEL INITRD LOG [options]
#     --mem SIZE        guest RAM (default 1G)
#     --timeout SECS    hard limit on the whole run (default 600)
#     --append ARGS     extra kernel command line
#     --virgl           the 3D device (virtio-gpu-gl-pci), Mesa on the host
#     --disk FILE       FILE as a read-only virtio disk (/dev/vda)
#     --interactive     serial console on this terminal instead of LOG
#     --kmemleak-pool   on a kernel with kmemleak, how much of its emergency
#                       pool the run used at most (LOG.kmemleak-pool), read
#                       through QEMU's monitor (workbench kmemleak-pool)
#
# The guest's init writes its status to an isa-debug-exit port, which makes
# QEMU exit with (status << 1) | 1. Any other end (a panic, which reboots
# into -no-reboot and exits 0, a hang that hits the timeout, a QEMU error)
# fails the run: a marker line in the log is never taken as success.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"

[ $# -ge 3 ] || die "usage: run-vm.sh KERNEL INITRD LOG [--mem SIZE] [--timeout SECS] [--append ARGS] [--virgl] [--disk FILE] [--interactive] [--kmemleak-pool]"
kernel=$1 initrd=$2 log=$3
shift 3
mem=1G timeout=600 append= interactive= virgl= disk=() pool=
while [ $# -gt 0 ]; do
	case $1 in
	--mem) mem=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--append) append=$2; shift 2 ;;
	--interactive) interactive=1; shift ;;
	--kmemleak-pool) pool=1; shift ;;
	--virgl) virgl=1; shift ;;
	--disk) disk=(-drive "file=$2,if=virtio,format=raw,readonly=on"); shift 2 ;;
	*) die "run-vm.sh: unknown option $1" ;;
	esac
done
[ -f "$kernel" ] || die "no kernel image at $kernel"
[ -f "$initrd" ] || die "no initramfs at $initrd"
mkdir -p "$(dirname "$log")"

# --virgl: the 3D device (virgl), rendered on the host by Mesa (llvmpipe:
# this machine has no GPU) through a GL display. QEMU's egl-headless
# display needs a DRM render node and its SDL one aborts in epoxy here;
# its GTK display works under Xvfb.
gpu=virtio-gpu-pci,max_hostmem=4G display=none wrap=()
if [ -n "$virgl" ]; then
	gpu=virtio-gpu-gl-pci display=gtk,gl=on
	wrap=(xvfb-run -a -s "-screen 0 1024x768x24")
fi
# la57=off: 4-level paging, as on most x86 machines. With 5-level paging,
# identify_boot_cpu() clears boot_cpu_data's capabilities (LA57 among
# them, which pgtable_l5_enabled() reads until alternatives are patched)
# with interrupts on; a timer interrupt in that window makes KASAN take
# every direct-map address for a wild access (upstream, seen in 2 of 20
# boots of make kunit-repeat on a loaded host).
#
# tsc=nowatchdog: no clocksource watchdog on the TSC. 7.3's watchdog reads a
# remote CPU's clock through an IPI and waits for it with interrupts off,
# bounded by ktime_get_raw_fast_ns(); in early boot the timekeeper still
# runs on jiffies, which the waiting CPU itself would advance, so the bound
# never expires. When the remote CPU sits in stop_machine (interrupts off,
# waiting for the first CPU) both wait for good: two guests hung so right
# after "smpboot: Total of 2 processors activated" (hang-watch, LOG.vcpus:
# CPU0 in watchdog_check_skew() from clocksource_watchdog(), CPU1 in
# multi_cpu_stop()); upstream, not the kit's. TCG's TSC follows the host's
# clock: nothing for the watchdog to catch.
qemu=("${wrap[@]}" qemu-system-x86_64 -accel tcg -cpu max,la57=off -smp 2 -m "$mem"
	-kernel "$kernel" -initrd "$initrd"
	-append "console=ttyS0 panic=-1 tsc=nowatchdog $append"
	-device "$gpu" "${disk[@]}"
	-device isa-debug-exit,iobase=0xf4,iosize=0x04
	-d guest_errors -D "$log.qemu"
	-display "$display" -no-reboot)

# QEMU (10.0) keeps a file open for each virtio-gpu 2D resource (its
# shareable pixman image) and refuses to create a resource past the
# open-file limit: raise it as far as this user may (make buffers).
raise_file_limit >/dev/null

# The kernel's build directory holds its System.map and .config. The
# sampler reads kmemleak's pool at System.map's address, which is where
# the variable is only in a kernel that is not relocated at boot.
build=$(dirname "$kernel")/../../..
monitor=(-monitor none) sampler= mondir=
rm -f "$log.kmemleak-pool"
if [ -n "$pool" ] && [ -z "$interactive" ] &&
	grep -q ' mem_pool_free_count$' "$build/System.map" 2>/dev/null &&
	grep -qx '# CONFIG_RELOCATABLE is not set' "$build/.config"; then
	# A short path of our own: a socket's path has at most 107 bytes,
	# and QEMU splits its option at commas.
	mondir=$(mktemp -d /tmp/kit-monitor.XXXXXX)
	monitor=(-monitor "unix:$mondir/sock,server=on,wait=off")
	"${WORKBENCH:?}" kmemleak-pool "$mondir/sock" "$build/System.map" "$build/.config" \
		"$log.kmemleak-pool" &
	sampler=$!
fi
# Always a second monitor for hang-watch: if the guest still runs 15
# seconds before the limit, where its vCPUs are goes to LOG.vcpus.
[ -n "$mondir" ] || mondir=$(mktemp -d /tmp/kit-monitor.XXXXXX)
qemu+=("${monitor[@]}" -monitor "unix:$mondir/hang,server=on,wait=off")
rm -f "$log.vcpus"

if [ -n "$interactive" ]; then
	step "booting $(basename "$kernel") with $mem RAM, interactive (leave with 'exit' or Ctrl-A X)"
	"${qemu[@]}" -serial mon:stdio
	exit 0
fi

step "booting $(basename "$kernel") with $mem RAM, console log in $log (limit ${timeout}s)"
rm -f "$log.qemu"
start=$(date +%s)
"${WORKBENCH:?}" hang-watch "$mondir/hang" "$build/System.map" $((timeout > 30 ? timeout - 15 : timeout)) \
	"$log.vcpus" &
watcher=$!
timeout --foreground -k 5 "$timeout" "${qemu[@]}" -serial "file:$log" </dev/null
rc=$?
secs=$(( $(date +%s) - start ))
wait "$watcher"
if [ -n "$sampler" ]; then
	wait "$sampler"
	[ -s "$log.kmemleak-pool" ] && note "$(cat "$log.kmemleak-pool")"
fi
rm -rf "$mondir"
[ -s "$log.vcpus" ] && note "where the vCPUs were before the limit: $log.vcpus"
case $rc in
1) note "guest finished in ${secs}s with status 0"; exit 0 ;;
124|137) die "the guest did not finish within ${timeout}s (hang?); see $log" ;;
0) die "the guest ended without reporting a status (kernel panic or reboot) after ${secs}s; see $log" ;;
*)
	if [ $((rc & 1)) -eq 1 ]; then
		die "the guest reported status $((rc >> 1)) after ${secs}s; see $log"
	fi
	die "QEMU failed with exit code $rc; see $log"
	;;
esac
