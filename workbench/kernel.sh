#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Configure and build the prepared tree, out of tree, with LLVM 19.
#
#   kernel.sh config BUILD FRAGMENT...   allnoconfig + the fragments, verified
#   kernel.sh build BUILD                bzImage, incremental, with progress
#   kernel.sh norust BUILD FRAGMENT...   the series without Rust: panfrost keeps its own shrinker
#   kernel.sh modular BUILD FRAGMENT...  the fragment with DRM as modules keeps the kit
#
# make check's kernel is $KIT_CACHE/build (workbench/kit.config plus
# workbench/debug.config); the one performance figures come from is
# $KIT_CACHE/build-perf (workbench/kit.config alone). TREE comes from the
# environment (the top-level Makefile).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
: "${TREE:?}" "${WORKBENCH:?}"
[ $# -ge 2 ] || die "usage: kernel.sh config BUILD FRAGMENT... | kernel.sh build BUILD"
action=$1
BUILD=$2
shift 2

kmake() { make -C "$TREE" O="$BUILD" LLVM=-19 "$@"; }

# configure FRAGMENT...: allnoconfig + the fragments in $BUILD, checked
# against them. The fragment is rewritten, and .config's mtime kept, only
# when their content changes, so that a no-op run does not make kbuild
# resynchronise the whole configuration.
configure() {
	mkdir -p "$BUILD"
	local frag=$BUILD/kit-fragment.config
	cat "$@" >"$frag.new"
	if cmp -s "$frag.new" "$frag"; then rm "$frag.new"; else mv "$frag.new" "$frag"; fi
	[ -f "$BUILD/.config" ] && cp -p "$BUILD/.config" "$BUILD/.config.prev"
	kmake -s KCONFIG_ALLCONFIG="$frag" allnoconfig >/dev/null
	if [ -f "$BUILD/.config.prev" ] && cmp -s "$BUILD/.config" "$BUILD/.config.prev"; then
		touch -r "$BUILD/.config.prev" "$BUILD/.config"
		note ".config unchanged"
	fi
	rm -f "$BUILD/.config.prev"
	"$WORKBENCH" check-config "$frag" "$BUILD/.config"
}

case $action in
config)
	[ $# -ge 1 ] || die "kernel.sh config: no fragment"
	step "configuring $BUILD: allnoconfig + $*"
	configure "$@"
	kmake -s rustavailable >/dev/null || die "Rust is not available to the kernel build (run: make LLVM=-19 -C $TREE O=$BUILD rustavailable)"
	;;
build)
	jobs=$(nproc)
	log=${OUT:-out}/build/$(basename "$BUILD").log
	mkdir -p "$(dirname "$log")"
	# CLIPPY=1 (make check's kernel): clippy-driver compiles the Rust, with
	# the kernel's own lint set, and any compiler or clippy warning in the
	# kit's files fails the build below.
	clippy=()
	[ "${CLIPPY:-}" = 1 ] && clippy=(CLIPPY=1)
	step "building bzImage with LLVM=-19 ${clippy[*]} -j$jobs (full log: $log)"
	# kbuild prints one line per object: show every 200th, with the count.
	set +e
	kmake "${clippy[@]}" -j"$jobs" bzImage 2>&1 | tee "$log" |
		awk '/^  [A-Z]/ { n++; if (n % 200 == 0) { printf "    ... %d steps, now %s\n", n, $2; fflush() } }
		     /: error:|\*\*\* / { print "    " $0; fflush() }'
	rc=${PIPESTATUS[0]}
	set -e
	if [ "$rc" -ne 0 ]; then
		tail -n 40 "$log" | sed 's/^/    /'
		die "kernel build failed (exit $rc); full log in $log"
	fi
	# The files the series adds or changes: Rust diagnostics point at
	# "--> FILE:LINE:COL", C ones start with it.
	kit='drivers/gpu/drm/(shmem_shrinker|virtio|panfrost)/[^ :]*|drm_gem_shmem_helper\.c|drm_gem\.c'
	if grep -qE -- "--> [^ ]*($kit):[0-9]+:[0-9]+|($kit):[0-9]+:[0-9]+: warning:" "$log"; then
		grep -nE -B4 -A8 -- "--> [^ ]*($kit):|($kit):[0-9]+:[0-9]+: warning:" "$log" | sed 's/^/    /'
		# Compile them again next time, so that a warning keeps failing
		# the build until it is fixed.
		find "$BUILD/drivers/gpu/drm/shmem_shrinker" "$BUILD/drivers/gpu/drm/virtio" \
			"$BUILD/drivers/gpu/drm/panfrost" -name '*.o' -delete 2>/dev/null
		rm -f "$BUILD/drivers/gpu/drm/drm_gem_shmem_helper.o" "$BUILD/drivers/gpu/drm/drm_gem.o"
		die "warnings in the files the kit adds or changes; full log in $log"
	fi
	note "$(grep -c '^  [A-Z]' "$log") build steps; image $BUILD/arch/x86/boot/bzImage"
	;;
norust)
	# The kit's series in a kernel configured without Rust (make norust's
	# own fragment, workbench/norust.config): the core cannot be built, so
	# panfrost keeps its own shrinker. A bzImage, which make check boots to
	# run panfrost's KUnit suites; built as the others, with the same check
	# for warnings in the files the kit touches.
	[ $# -ge 1 ] || die "kernel.sh norust: no fragment"
	step "configuring $BUILD: allnoconfig + $* (no Rust)"
	configure "$@"
	! grep -qE '^CONFIG_(RUST|DRM_GEM_SHMEM_SHRINKER|DRM_PANFROST_GEM_SHMEM_SHRINKER)=' "$BUILD/.config" ||
		die "$BUILD/.config: Rust, the core or the panfrost adapter is still enabled"
	exec bash "$0" build "$BUILD"
	;;
modular)
	# Distributions build DRM, the shmem helper and the drivers as
	# modules: the kit's fragment turned modular must keep the core (=m)
	# and both adapters. Kconfig only; seconds. The simulated Mali is test
	# infrastructure built in beside a built-in panfrost: not here.
	[ $# -ge 1 ] || die "kernel.sh modular: no fragment"
	mkdir -p "$BUILD"
	step "the kit in a modular configuration: $BUILD"
	frag=$BUILD/kit-fragment.config
	sed -E -e 's/^CONFIG_(DRM|DRM_VIRTIO_GPU|DRM_PANFROST|DRM_LIMA|DRM_GEM_SHMEM_SHRINKER)=y$/CONFIG_\1=m/' \
		-e '/KUNIT/d' -e '/MALI_SIM/d' "$@" >"$frag"
	printf '%s\n' CONFIG_DRM_GEM_SHMEM_HELPER=m >>"$frag"
	kmake -s KCONFIG_ALLCONFIG="$frag" allnoconfig >/dev/null
	"$WORKBENCH" check-config "$frag" "$BUILD/.config"
	;;
*)
	die "usage: kernel.sh config BUILD FRAGMENT... | kernel.sh build BUILD | kernel.sh norust|modular BUILD FRAGMENT..."
	;;
esac
