#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make buffers: BUFFERS (20000) buffers of BUFFER_KIB (16) KiB at once, in
# a BUFFERS_MEM (512M) guest on make check's debug kit kernel, with zram
# swap (workbench/vm/payload/buffers.sh): every buffer kept, filled and
# verified while reclaim evicts and swaps them in. kmemleak must stay on
# through it and its end-of-run scan find nothing; the run reports how
# much of kmemleak's emergency pool it used (debug.config sizes the pool;
# docs/igt.md).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
: "${OUT:?}" "${BZIMAGE:?}" "${INITRAMFS:?}" "${WORKBENCH:?}"
count=${BUFFERS:-20000} kib=${BUFFER_KIB:-16} mem=${BUFFERS_MEM:-512M}
dir=$OUT/buffers
rm -rf "$dir"
mkdir -p "$dir"
failed=()
# QEMU keeps a file open per virtio-gpu buffer, and run-vm.sh raises its
# open-file limit as far as this user may: without BUFFERS, as many as
# that limit allows, up to 20000, leaving 64 for QEMU's other files (it
# held about a dozen when a 20000-buffer run reached a limit of 20000).
files=$(raise_file_limit)
if [ "$files" != unlimited ] && [ "$files" -lt $((count + 64)) ]; then
	[ -z "${BUFFERS:-}" ] ||
		die "QEMU keeps a file open per virtio-gpu buffer, and this user may open $files: lower BUFFERS or raise the hard limit (ulimit -Hn)"
	count=$((files - 64))
	[ "$count" -gt 0 ] || die "this user may open $files files (ulimit -Hn): too few for QEMU to hold buffers"
	note "this user may open $files files (ulimit -Hn), so QEMU can hold $count buffers, not 20000"
fi
step "$count buffers of $kib KiB in a $mem guest on the debug kit kernel ($dir/buffers.log)"
bash workbench/vm/run-vm.sh "$BZIMAGE" "$INITRAMFS" "$dir/buffers.log" --mem "$mem" \
	--timeout 3600 --kmemleak-pool \
	--append "kit.run=buffers kit.buffers=$count kit.buffer_kib=$kib" || failed+=("buffers guest")
grep -h 'kit-guest:\|kit-buffers:' "$dir/buffers.log" | sed 's/^[^k]*kit-[a-z]*: /    /'
step "scanning the guest log for warnings, splats and leaks"
"$WORKBENCH" scan-log workbench/upstream-known-warnings "$dir/buffers.log" || failed+=("guest log gate")

if [ ${#failed[@]} -gt 0 ]; then
	printf 'error: make buffers failed: %s\n' "$(IFS=,; echo "${failed[*]}" | sed 's/,/, /g')" >&2
	exit 1
fi
