#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
#   patches.sh export   the prepared tree's kit commits as a git
#                       format-patch series in out/patches
#   patches.sh test     apply that series with git am to a clean v7.3.4
#                       checkout and check that it gives the prepared tree
set -euo pipefail
. "$(dirname "$0")/lib.sh"
: "${TREE:?}" "${OUT:?}"
dir=$OUT/patches
base=v7.3.4

case ${1:-} in
export)
	step "exporting the kit as a patch series against $base"
	rm -rf "$dir"
	git -C "$TREE" format-patch -q --zero-commit -o "$dir" "$base..kit"
	ls "$dir" | sed 's/^/    /'
	;;
test)
	step "applying $dir with git am to a clean $base checkout"
	# The outcome depends only on the base, the series, the prepared tree
	# and this test: when all four are what last passed, say so instead of
	# checking out the kernel again (half a minute).
	ls "$dir"/*.patch >/dev/null 2>&1 || die "no series in $dir: run patches.sh export first"
	stamp=${KIT_CACHE:?}/patches-test.passed
	sum=$({ git -C "$TREE" rev-parse "$base^{tree}" 'kit^{tree}'; cat "$0" "$dir"/*.patch; } | sha256sum)
	if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then
		note "$(ls "$dir" | wc -l) patch(es): the same series applied to $base and gave the prepared tree before ($stamp)"
		exit 0
	fi
	rm -f "$stamp"
	scratch=$(mktemp -d)
	trap 'git -C "$TREE" worktree remove --force "$scratch/linux" 2>/dev/null; rm -rf "$scratch"' EXIT
	git -C "$TREE" worktree add -q --detach "$scratch/linux" "$base"
	git -C "$scratch/linux" -c user.name=patches-test -c user.email=test@kit.invalid \
		am -q "$dir"/*.patch || die "the series in $dir does not apply to $base with git am"
	got=$(git -C "$scratch/linux" rev-parse 'HEAD^{tree}')
	want=$(git -C "$TREE" rev-parse 'kit^{tree}')
	[ "$got" = "$want" ] || die "git am of $dir gives tree $got, the prepared tree is $want"
	note "$(ls "$dir" | wc -l) patch(es) apply to $base; the result equals the prepared tree ($got)"
	echo "$sum" >"$stamp.$$" && mv "$stamp.$$" "$stamp"
	;;
*)
	die "usage: patches.sh export|test"
	;;
esac
