# SPDX-License-Identifier: GPL-2.0
# make check's KUnit guest: KUnit ran during boot (kunit.autorun=1) and its
# KTAP is on the console. The IGT tests run in their own guest (igt.sh),
# but for the few that need this guest's 1 GiB (igt-1g-subtests), which
# run here, after KUnit (the kernel command line says kit.igt=1g).
echo "kit-guest: kunit suites registered: $(ls /sys/kernel/debug/kunit 2>/dev/null | wc -l)"
# Only make check's own boot asks for them: make kunit-repeat boots this
# payload for a KUnit case alone.
case " $(cat /proc/cmdline) " in
*" kit.igt=1g "*) . /payload/igt.sh ;;
esac
exit 0
