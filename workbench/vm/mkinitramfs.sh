#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the guest's initramfs: static busybox, the init script and the test
# payload (every file under the given payload folders lands in /payload).
#
#   mkinitramfs.sh OUTPUT.cpio.gz PAYLOAD_DIR...
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

out=$1
shift
busybox=/bin/busybox
file "$busybox" 2>/dev/null | grep -q 'statically linked' ||
	[ -x "$busybox" ] || die "no static busybox at $busybox (install busybox-static: make setup)"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,sbin,dev,proc,sys,tmp,etc,payload,usr/bin,usr/sbin}
cp "$busybox" "$stage/bin/busybox"
install -m 0755 "$(dirname "$0")/init" "$stage/init"
for dir in "$@"; do
	[ -d "$dir" ] || die "payload folder $dir does not exist"
	cp -a "$dir"/. "$stage/payload/"
done
mkdir -p "$(dirname "$out")"
(cd "$stage" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --owner=0:0 --quiet | gzip -9n) >"$out.tmp"
mv "$out.tmp" "$out"
note "initramfs $out ($(du -k "$out" | cut -f1) KiB)"
