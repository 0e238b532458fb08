# SPDX-License-Identifier: GPL-2.0
# Shared by the guest payloads (sourced, not run).

# zram_swap SIZE: swap on zram0 (lz4, compressed in the guest's own RAM).
zram_swap() {
	echo lz4 >/sys/block/zram0/comp_algorithm &&
		echo "$1" >/sys/block/zram0/disksize &&
		mkswap /dev/zram0 >/dev/null && swapon /dev/zram0
}

# zram_device SIZE: one more zram device like the swap one; prints its path.
zram_device() {
	local dev
	dev=$(cat /sys/class/zram-control/hot_add) &&
		echo lz4 >/sys/block/zram$dev/comp_algorithm &&
		echo "$1" >/sys/block/zram$dev/disksize &&
		echo /dev/zram$dev
}
