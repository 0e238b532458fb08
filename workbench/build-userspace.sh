#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the guest's userspace programs, statically, against the uAPI
# headers of the prepared tree (installed into the build directory when
# they changed).
#
#   build-userspace.sh OUT_DIR
set -euo pipefail
. "$(dirname "$0")/lib.sh"
: "${TREE:?}" "${BUILD:?}"
out=$1
hdr=$BUILD/usr-headers
stamp=$hdr/.installed
if [ ! -f "$stamp" ] || [ -n "$(find "$TREE/include/uapi" -newer "$stamp" -print -quit)" ]; then
	step "installing the uAPI headers of the prepared tree"
	make -s -C "$TREE" O="$BUILD" LLVM=-19 headers_install INSTALL_HDR_PATH="$hdr"
	touch "$stamp"
fi
mkdir -p "$out"
step "building the guest's userspace programs"
gcc -static -O2 -Wall -Wextra -Wno-unused-parameter -I"$hdr/include" \
	-o "$out/virtgpu-kit" adapters/virtio/userspace/virtgpu_kit.c
note "$out/virtgpu-kit"
