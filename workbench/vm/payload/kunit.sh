# SPDX-License-Identifier: GPL-2.0
# KUnit ran during boot (kunit.autorun=1); its KTAP is on the console.
# Report how many suites the kernel registered.
echo "kit-guest: kunit suites registered: $(ls /sys/kernel/debug/kunit 2>/dev/null | wc -l)"
