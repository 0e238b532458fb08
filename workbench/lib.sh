# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the workbench shell steps: announce steps with elapsed
# time and fail with a message that names the problem.

KIT_T0=${KIT_T0:-$(date +%s)}
export KIT_T0

_elapsed() {
	local s=$(( $(date +%s) - KIT_T0 ))
	printf '%d:%02d' $((s / 60)) $((s % 60))
}

# step MESSAGE: a new step begins.
step() { printf '\033[1m==> [%s] %s\033[0m\n' "$(_elapsed)" "$*"; }
# note MESSAGE: a detail of the current step.
note() { printf '    [%s] %s\n' "$(_elapsed)" "$*"; }
# die MESSAGE: fail the whole command, naming the problem.
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# raise_file_limit: the soft open-file limit as high as this user may (QEMU
# keeps a file open per virtio-gpu 2D resource); prints the limit it got.
raise_file_limit() {
	ulimit -n 1048576 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null
	ulimit -n
}
