#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the guest's userspace programs against the uAPI headers of the
# prepared tree (installed into the build directory when they changed):
# the IGT tests, linked with Debian's libigt.so.0 through the kit's own
# declarations of IGT's API, and the demo client. Then stage the libraries
# they need (ldd's closure, with the dynamic loader) for the initramfs.
#
#   build-userspace.sh PAYLOAD_DIR ROOT_DIR
#
# PAYLOAD_DIR gets the programs (IGT tests under igt/), ROOT_DIR the
# libraries at the paths the loader looks for them.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
: "${TREE:?}" "${BUILD:?}"
out=$1 root=$2
hdr=$BUILD/usr-headers
stamp=$hdr/.installed
libigt=/usr/lib/x86_64-linux-gnu/libigt.so.0
[ -f "$libigt" ] || die "no $libigt (Debian's intel-gpu-tools; run: make setup)"
if [ ! -f "$stamp" ] || [ -n "$(find "$TREE/include/uapi" -newer "$stamp" -print -quit)" ]; then
	step "installing the uAPI headers of the prepared tree"
	make -s -C "$TREE" O="$BUILD" LLVM=-19 headers_install INSTALL_HDR_PATH="$hdr"
	touch "$stamp"
fi
rm -rf "$out" "$root"
mkdir -p "$out/igt" "$root"

step "building the IGT tests against $(basename "$libigt") (intel-gpu-tools $(dpkg-query -W -f '${Version}' intel-gpu-tools))"
cflags=(-D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
	-Iigt-tests/libigt-1.27.1 -Iigt-tests/lib -I"$hdr/include/drm" -I"$hdr/include")
igt_lib=(igt-tests/lib/igt_gem_shrinker.c igt-tests/lib/igt_virtgpu.c igt-tests/lib/igt_panfrost_job.c)
client_lib=("${igt_lib[@]}" igt-tests/lib/igt_gem_stress.c igt-tests/lib/igt_gem_fuzz.c)
for src in igt-tests/tests/*.c igt-tests/tests/*/*.c; do
	bin=$out/igt/$(basename "$src" .c)
	gcc "${cflags[@]}" -o "$bin" "$src" "${igt_lib[@]}" -pthread -l:libigt.so.0
	note "$bin"
done

step "building the demo, stress and fuzz clients"
for src in adapters/virtio/userspace/virtgpu_{kit,stress,fuzz}.c \
	adapters/panfrost/userspace/panfrost_{kit,stress,fuzz}.c; do
	client=$(basename "$src" .c)
	gcc "${cflags[@]}" -o "$out/${client/_/-}" "$src" "${client_lib[@]}" -l:libigt.so.0
	note "$out/${client/_/-}"
done

# drm-ci's IGT runner (setup.sh installs it), and drm-ci's expectations
# for virtio_gpu, which the IGT guests hand it.
cp "$(command -v igt-runner)" "$out/igt-runner"
note "$out/igt-runner ($(igt-runner --version | head -1))"
# drm-ci's expectations for the guests' two GPUs: virtio-gpu ("none":
# QEMU) and the simulated Mali, which is rk3399's. virtio_gpu-none skips
# every panfrost test (drm-ci's virtio guests have no Mali); ours do. The
# rk3399 skips are for panfrost's tests only (they skip every suspend
# test, for instance, which the virtio-gpu guest runs).
mkdir -p "$out/igt-ci"
xfails=$TREE/drivers/gpu/drm/ci/xfails
{
	echo "# drm-ci's skips of virtio_gpu-none (without ^panfrost.*) and, for panfrost, of panfrost-rk3399"
	grep -vx '\^panfrost\.\*' "$xfails/virtio_gpu-none-skips.txt"
	sed -E '/^(#|$)/d; s/.*/^panfrost.*(&)/' "$xfails/panfrost-rk3399-skips.txt"
} >"$out/igt-ci/skips.txt"
cat "$xfails"/{virtio_gpu-none,panfrost-rk3399}-fails.txt >"$out/igt-ci/fails.txt"

# Every library the programs load, and the loader, at their own paths.
libs=$(for bin in "$out"/igt/* "$out/virtgpu-kit" "$out/igt-runner"; do ldd "$bin"; done |
	awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | sort -u)
for lib in $libs; do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done
note "runtime for the guest: $(echo "$libs" | wc -l) libraries, $(du -sh "$root" | cut -f1) ($root)"
