#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Host tests: every crate of the workspace under `cargo test` (the
# workbench's own tests, and the shrinker logic that compiles on the host
# from the same files as in the kernel). The output is kept for the summary.
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
exit $rc
