#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make kunit-repeat: boot make check's debug kit kernel N times (REPEAT,
# 20), each running only the KUnit cases that KUNIT_FILTER names (a
# kunit.filter_glob, by default the kit's race case), to show that a case
# passes every time, also with the host loaded (run a kernel build beside
# it). A run passes when every KTAP result of the filtered cases is "ok"
# and the log gate finds nothing.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
: "${OUT:?}" "${BZIMAGE:?}" "${INITRAMFS:?}" "${WORKBENCH:?}"
filter=${KUNIT_FILTER:-drm_gem_shmem_shrinker_abi.test_racing_users_and_scans}
repeat=${REPEAT:-20}
dir=$OUT/kunit-repeat
rm -rf "$dir"
mkdir -p "$dir"

step "$repeat boots running kunit.filter_glob=$filter"
pass=0
for i in $(seq 1 "$repeat"); do
	log=$dir/run$i.log
	bash workbench/vm/run-vm.sh "$BZIMAGE" "$INITRAMFS" "$log" --mem 512M --timeout 600 \
		--append "kunit.enable=1 kunit.autorun=1 kunit.filter_glob=$filter kit.run=check" \
		>/dev/null 2>&1
	if grep -aqE '^\[[ 0-9.]+\] +ok [0-9]+ ' "$log" &&
		! grep -aqE '^\[[ 0-9.]+\] +not ok ' "$log" &&
		"$WORKBENCH" scan-log workbench/upstream-known-warnings "$log" >/dev/null 2>&1; then
		pass=$((pass + 1))
		note "run $i: pass (host load $(cut -d' ' -f1 /proc/loadavg))"
	else
		note "run $i: FAILED, see $log (host load $(cut -d' ' -f1 /proc/loadavg))"
	fi
done
echo "$pass passed, $((repeat - pass)) failed"
[ "$pass" -eq "$repeat" ]
