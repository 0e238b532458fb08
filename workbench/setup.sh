#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install everything the workbench needs on a fresh Debian 12 machine:
# LLVM 19, QEMU, busybox, kernel build dependencies, rust-src, and pinned
# bindgen-cli and cbindgen. Idempotent: anything already present is skipped.
#
# The trixie-backports suite (for linux-source-7.3) is derived from the
# machine's own Debian source entry, so no archive host is named here.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

APT_PACKAGES=(
	clang-19 lld-19 llvm-19 libclang-19-dev
	bc flex bison libelf-dev libssl-dev cpio kmod
	busybox-static
	python3 git rsync xz-utils zstd
	intel-gpu-tools
	lava-common
)
BINDGEN_VERSION=0.73.2
CBINDGEN_VERSION=0.29.4
# igt-runner and deqp-runner junit, at the version drm-ci pins
# (DEQP_RUNNER_GIT_TAG in drivers/gpu/drm/ci/gitlab-ci.yml). 0.24.0's
# igt-runner panics (lib.rs:1163, an unwrap on the list of multi-threaded
# test groups) whenever every test is single-threaded, which every IGT
# test is.
DEQP_RUNNER_VERSION=0.20.0
# linux-source-7.3 comes from trixie-backports. QEMU comes from
# bookworm-backports because the machine image already carries
# qemu-utils from there, which breaks bookworm's qemu-system-common 7.2.
SOURCE_SUITE=trixie-backports
QEMU_SUITE=bookworm-backports

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo

apt_updated=
apt_update() {
	[ -n "$apt_updated" ] && return
	step "apt-get update"
	$SUDO apt-get update -q
	apt_updated=1
}

# add_suite SUITE: add a Debian suite derived from the machine's own entry,
# pinned at 100 so that nothing is upgraded from it unless asked for.
add_suite() {
	local suite=$1
	local sources=/etc/apt/sources.list.d/kit-$suite.sources
	local pin=/etc/apt/preferences.d/kit-$suite
	[ -f "$sources" ] && return
	local base=/etc/apt/sources.list.d/debian.sources
	[ -f "$base" ] || die "$base not found: cannot derive the $suite entry"
	step "adding $suite, derived from $base, pinned at 100"
	# Copy URIs and Signed-By of the first stanza that carries the main
	# archive (not -security), and point it at the backports suite.
	awk -v suite="$suite" '
		BEGIN { RS = ""; FS = "\n" }
		$0 ~ /Suites:[^\n]*bookworm( |$|\n)/ && $0 !~ /-security/ {
			for (i = 1; i <= NF; i++) {
				if ($i ~ /^URIs:/) uris = $i
				if ($i ~ /^Signed-By:/) key = $i
			}
			printf "Types: deb\n%s\nSuites: %s\nComponents: main\n%s\n", uris, suite, key
			exit
		}' "$base" | $SUDO tee "$sources.tmp" >/dev/null
	grep -q '^URIs:' "$sources.tmp" ||
		die "no bookworm main-archive stanza found in $base"
	$SUDO mv "$sources.tmp" "$sources"
	printf 'Package: *\nPin: release n=%s\nPin-Priority: 100\n' "$suite" |
		$SUDO tee "$pin" >/dev/null
	apt_updated=
}

install_apt_packages() {
	local missing=() p
	for p in "${APT_PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing+=("$p")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		note "apt packages: all present"
		return
	fi
	apt_update
	step "apt-get install ${missing[*]}"
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# install_qemu BINARY PACKAGE: PACKAGE from $QEMU_SUITE unless BINARY is
# there. qemu-system-arm (qemu-system-aarch64) is for make arm64 only
# (SETUP_ARM64=1).
install_qemu() {
	if [ -e "$1" ] || command -v "$1" >/dev/null; then
		note "$2: present"
		return
	fi
	apt_update
	step "apt-get install -t $QEMU_SUITE $2"
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		-t "$QEMU_SUITE" "$2"
}

install_rust_parts() {
	if rustup component list --installed 2>/dev/null | grep -q '^rust-src'; then
		note "rust-src: present"
	else
		step "rustup component add rust-src"
		rustup component add rust-src
	fi
	cargo_tool bindgen-cli bindgen "$BINDGEN_VERSION"
	cargo_tool cbindgen cbindgen "$CBINDGEN_VERSION"
	cargo_tool deqp-runner igt-runner "$DEQP_RUNNER_VERSION"
}

cargo_tool() {
	local crate=$1 bin=$2 version=$3
	if command -v "$bin" >/dev/null && "$bin" --version 2>/dev/null | grep -q "$version"; then
		note "$bin $version: present"
		return
	fi
	step "cargo install --locked $crate@$version"
	cargo install --locked "$crate" --version "$version"
}

add_suite "$SOURCE_SUITE"
add_suite "$QEMU_SUITE"
install_apt_packages
install_qemu qemu-system-x86_64 qemu-system-x86
[ "${SETUP_ARM64:-}" = 1 ] && install_qemu qemu-system-aarch64 qemu-system-arm
# make virgl: QEMU's GTK display with OpenGL (its suite), Xvfb for it, the
# host's Mesa (llvmpipe renders virgl on the host; the guest's client uses
# the same libraries), and squashfs-tools for the guest's disk.
if [ "${SETUP_VIRGL:-}" = 1 ]; then
	install_qemu /usr/lib/x86_64-linux-gnu/qemu/ui-opengl.so qemu-system-modules-opengl
	install_qemu /usr/lib/x86_64-linux-gnu/qemu/ui-gtk.so qemu-system-gui
	APT_PACKAGES=(xvfb xauth squashfs-tools libegl1 libgles2 libgbm1 libgl1-mesa-dri
		libegl-mesa0 libegl-dev libgles-dev libgbm-dev)
	install_apt_packages
fi
install_rust_parts
# The source package lives in the backports suite: make sure its list is in.
if ! apt-cache show linux-source-7.3 >/dev/null 2>&1; then
	apt_updated=
	apt_update
fi
note "setup complete"
