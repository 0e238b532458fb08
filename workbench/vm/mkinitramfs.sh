#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the guest's initramfs: static busybox, the init script, the test
# payload (every file under the given payload folders lands in /payload)
# and the libraries the payload's programs load (ROOT_DIR's tree, copied to
# the initramfs' root).
#
#   mkinitramfs.sh OUTPUT.cpio.gz ROOT_DIR PAYLOAD_DIR...
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

out=$1 root=$2
shift 2
busybox=/bin/busybox
file "$busybox" 2>/dev/null | grep -q 'statically linked' ||
	[ -x "$busybox" ] || die "no static busybox at $busybox (install busybox-static: make setup)"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,sbin,dev,proc,sys,tmp,etc,payload,usr/bin,usr/sbin}
cp "$busybox" "$stage/bin/busybox"
install -m 0755 "$(dirname "$0")/init" "$stage/init"
[ -d "$root" ] || die "library root $root does not exist"
cp -a "$root"/. "$stage/"
for dir in "$@"; do
	[ -d "$dir" ] || die "payload folder $dir does not exist"
	cp -a "$dir"/. "$stage/payload/"
done
mkdir -p "$(dirname "$out")"
(cd "$stage" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc --owner=0:0 --quiet | gzip -6n) >"$out.tmp"
mv "$out.tmp" "$out"
note "initramfs $out ($(du -k "$out" | cut -f1) KiB)"
