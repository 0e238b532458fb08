#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make virgl's guest userspace: the 3D client (virgl-textures, EGL/GLES
# through Mesa) and the part of the host's Mesa it loads (glvnd's EGL,
# Mesa's EGL vendor library and its virtio-gpu (virgl) driver, and every
# library they need), in a read-only squashfs that the guest mounts from a
# virtio disk: 200 MiB of libraries stay in the page cache, where memory
# pressure can drop them, instead of in the initramfs.
#
#   build-virgl.sh IMAGE
set -euo pipefail
. "$(dirname "$0")/lib.sh"
image=$1
stage=$(dirname "$image")/virgl-root
multi=/usr/lib/x86_64-linux-gnu
rm -rf "$stage"
mkdir -p "$stage/bin" "$stage/lib" "$stage/dri" "$stage/egl_vendor.d"

step "building the 3D client (virgl-textures) against the host's Mesa"
gcc -O2 -Wall -Wextra -Werror -o "$stage/bin/virgl-textures" \
	adapters/virtio/userspace/virgl_textures.c -lEGL -lGLESv2 -lgbm

# Mesa's EGL vendor library, found through glvnd's vendor file, and the
# driver it loads for virtio-gpu; the guest points glvnd and Mesa here.
cp -L "$multi/libEGL_mesa.so.0" "$stage/lib/"
cp -L "$multi/dri/virtio_gpu_dri.so" "$stage/dri/"
sed 's|"libEGL_mesa.so.0"|"/mnt/virgl/lib/libEGL_mesa.so.0"|' \
	/usr/share/glvnd/egl_vendor.d/50_mesa.json >"$stage/egl_vendor.d/50_mesa.json"
for f in "$stage/bin/virgl-textures" "$stage/lib/libEGL_mesa.so.0" "$stage/dri/virtio_gpu_dri.so"; do
	ldd "$f"
done | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u | while read -r lib; do
	cp -L "$lib" "$stage/lib/"
done
note "$(find "$stage" -type f | wc -l) files, $(du -sh "$stage" | cut -f1)"

step "squashfs $image (uncompressed: TCG decompresses slowly, and it is read again under pressure)"
rm -f "$image"
mksquashfs "$stage" "$image" -noI -noD -noF -noX -no-xattrs -all-root -quiet >/dev/null
note "$(du -h "$image" | cut -f1) $image"
# The image holds it all; the staging copy only doubled the disk space.
rm -rf "$stage"
