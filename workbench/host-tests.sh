#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Host tests: every crate of the workspace under `cargo test` (the
# workbench's own tests, and the shrinker logic that compiles on the host
# from the same files as in the kernel), then rustfmt and clippy. The
# output is kept for the summary.
#
#   host-tests.sh [LOG]
set -uo pipefail
. "$(dirname "$0")/lib.sh"
log=${1:-${OUT:-out}/host-tests.log}
mkdir -p "$(dirname "$log")"
step "host tests: cargo test --workspace (log: $log)"
cargo test --workspace -- --test-threads=2 >"$log" 2>&1
rc=$?
grep -E '^test result:|^test .* FAILED$|panicked at' "$log" | sed 's/^/    /'
[ $rc -eq 0 ] || note "host tests failed (exit $rc)"

# Style: rustfmt over the workspace and over the kernel-only Rust files
# (which cargo does not build), clippy over the workspace.
step "rustfmt --check, cargo clippy -D warnings"
if ! { cargo fmt --all --check && rustfmt --check --config-path rustfmt.toml shmem_shrinker/*.rs; } >>"$log" 2>&1; then
	note "rustfmt: the files above are not formatted (run: cargo fmt --all; rustfmt shmem_shrinker/*.rs)"
	rc=1
fi
if ! cargo clippy --workspace --all-targets -q -- -D warnings >>"$log" 2>&1; then
	tail -n 20 "$log" | sed 's/^/    /'
	note "clippy reported warnings"
	rc=1
fi
exit $rc
