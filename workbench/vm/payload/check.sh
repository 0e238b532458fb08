# SPDX-License-Identifier: GPL-2.0
# make check's guest: KUnit ran during boot (kunit.autorun=1) and its KTAP
# is on the console. Then the userspace tests, whose KTAP goes out with a
# "kit-ktap: " prefix so the host can tell it from the kernel's.
echo "kit-guest: kunit suites registered: $(ls /sys/kernel/debug/kunit 2>/dev/null | wc -l)"
/payload/virtgpu-kit test >/tmp/userspace.ktap 2>&1
status=$?
sed 's/^/kit-ktap: /' /tmp/userspace.ktap
echo "kit-guest: userspace tests exit status $status"
exit 0
