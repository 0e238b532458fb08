#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Download Debian's linux-source-7.3 (7.3.4) and unpack it into the cache as
# a git repository whose first commit, tagged v7.3.4, is the pristine source.
# The prepared tree (pristine + kit commits) grows on top of that commit.
# Idempotent: an existing pristine repository is left alone.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

: "${KIT_CACHE:?}"
SRC_PKG=linux-source-7.3
SRC_VERSION=7.3.4-1~bpo13+1
UPSTREAM_TAG=v7.3.4
TREE=$KIT_CACHE/linux

if git -C "$TREE" rev-parse -q --verify "refs/tags/$UPSTREAM_TAG" >/dev/null 2>&1; then
	note "pristine $UPSTREAM_TAG source: present in $TREE"
	exit 0
fi

mkdir -p "$KIT_CACHE/download"
deb=$KIT_CACHE/download/${SRC_PKG}_${SRC_VERSION//:/%3a}_all.deb
if [ ! -s "$deb" ]; then
	step "downloading $SRC_PKG=$SRC_VERSION (about 167 MB)"
	apt-cache show "$SRC_PKG=$SRC_VERSION" >/dev/null 2>&1 ||
		die "Debian package $SRC_PKG version $SRC_VERSION (Linux 7.3.4) is not in the apt archive any more (run workbench/setup.sh, then check 'apt-cache policy $SRC_PKG')"
	# The download lands in the cache, which apt's sandbox user cannot write.
	(cd "$KIT_CACHE/download" && apt-get -o APT::Sandbox::User=root download "$SRC_PKG=$SRC_VERSION")
fi

step "unpacking $(basename "$deb")"
rm -rf "$KIT_CACHE/unpack" "$TREE"
dpkg -x "$deb" "$KIT_CACHE/unpack"
tarball=$KIT_CACHE/unpack/usr/src/$SRC_PKG.tar.xz
[ -f "$tarball" ] || die "$deb holds no usr/src/$SRC_PKG.tar.xz"
mkdir -p "$TREE"
tar -xf "$tarball" -C "$TREE" --strip-components=1 \
	--checkpoint=20000 --checkpoint-action='ttyout=    ... %u files\r'
rm -rf "$KIT_CACHE/unpack"
version=$(make -s -C "$TREE" kernelversion)
[ "$version" = "${UPSTREAM_TAG#v}" ] ||
	die "$SRC_PKG $SRC_VERSION unpacked to kernel version $version, expected ${UPSTREAM_TAG#v}"

step "recording the pristine source as commit $UPSTREAM_TAG in $TREE"
kit_git() {
	GIT_AUTHOR_NAME="Linux $UPSTREAM_TAG" GIT_AUTHOR_EMAIL=pristine@kit.invalid \
	GIT_COMMITTER_NAME="Linux $UPSTREAM_TAG" GIT_COMMITTER_EMAIL=pristine@kit.invalid \
	GIT_AUTHOR_DATE='2026-01-01T00:00:00Z' GIT_COMMITTER_DATE='2026-01-01T00:00:00Z' \
		git -C "$TREE" "$@"
}
kit_git init -q -b kit
# The tarball has no .gitignore rules for build output under O=, and none
# are needed: the build directory lives outside the tree.
kit_git add -A -f .
kit_git commit -q -m "Linux $version (Debian $SRC_PKG $SRC_VERSION)"
kit_git tag "$UPSTREAM_TAG"
note "pristine commit $(git -C "$TREE" rev-parse --short HEAD)"
