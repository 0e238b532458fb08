// SPDX-License-Identifier: MIT
/*
 * Helpers for testing a GEM shrinker from userspace; see igt_gem_shrinker.h.
 */

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "igt.h"
#include "igt_gem_shrinker.h"

#define SHRINKER_PAGE 4096u
#define KIT_DEBUGFS "/sys/kernel/debug/drm_gem_shmem_shrinker"
#define SHRINKER_DEBUGFS "/sys/kernel/debug/shrinker"

/*
 * Word @word of a buffer filled with @seed: the first two words of every
 * page hold a tag with the seed and the page's index, the rest a value
 * derived from both.
 */
static uint32_t pattern(uint32_t seed, size_t word)
{
	size_t page = word / (SHRINKER_PAGE / 4), off = word % (SHRINKER_PAGE / 4);

	if (off == 0)
		return 0x4b495400u ^ seed;
	if (off == 1)
		return (uint32_t)page;
	return (seed * 31u + (uint32_t)page) * 0x9e3779b1u;
}

/**
 * igt_gem_shrinker_fill:
 * @map: a CPU mapping of the buffer
 * @size: the buffer's size in bytes, a multiple of the page size
 * @seed: what makes this buffer's content different from another's
 *
 * Fills the buffer so that every page is unique.
 */
void igt_gem_shrinker_fill(uint32_t *map, size_t size, uint32_t seed)
{
	igt_gem_shrinker_fill_at(map, 0, size / SHRINKER_PAGE, seed);
}

/**
 * igt_gem_shrinker_fill_at:
 * @map: a CPU mapping of part of the buffer
 * @first: the index in the buffer of the page that @map starts at
 * @pages: how many pages @map covers
 * @seed: what makes this buffer's content different from another's
 *
 * Writes pages @first to @first + @pages - 1 of the buffer as
 * igt_gem_shrinker_fill() would, through a mapping of only those pages (a
 * mapping at an offset, or what is left of one after munmap() or mremap()).
 */
void igt_gem_shrinker_fill_at(uint32_t *map, size_t first, size_t pages, uint32_t seed)
{
	size_t base = first * (SHRINKER_PAGE / 4);

	for (size_t i = 0; i < pages * (SHRINKER_PAGE / 4); i++)
		map[i] = pattern(seed, base + i);
}

/**
 * igt_gem_shrinker_bad_pages:
 * @map: a CPU mapping of the buffer
 * @size: the buffer's size in bytes
 * @seed: the seed igt_gem_shrinker_fill() was given
 *
 * Returns: how many pages no longer hold what igt_gem_shrinker_fill() wrote.
 */
size_t igt_gem_shrinker_bad_pages(const uint32_t *map, size_t size, uint32_t seed)
{
	return igt_gem_shrinker_bad_pages_at(map, 0, size / SHRINKER_PAGE, seed);
}

/**
 * igt_gem_shrinker_bad_pages_at:
 * @map: a CPU mapping of part of the buffer
 * @first: the index in the buffer of the page that @map starts at
 * @pages: how many pages @map covers
 * @seed: the seed the buffer was filled with
 *
 * Returns: how many of those pages do not hold what igt_gem_shrinker_fill()
 * wrote to pages @first to @first + @pages - 1: a page of the buffer seen
 * at the wrong place counts, since every page's content names its index.
 */
size_t igt_gem_shrinker_bad_pages_at(const uint32_t *map, size_t first, size_t pages,
				     uint32_t seed)
{
	size_t words = SHRINKER_PAGE / 4, bad = 0;

	for (size_t p = 0; p < pages; p++)
		for (size_t i = 0; i < words; i++)
			if (map[p * words + i] != pattern(seed, (first + p) * words + i)) {
				bad++;
				break;
			}
	return bad;
}

/* Per thread: a helper thread may touch mappings while the test does. */
static __thread sigjmp_buf sigbus_jmp;

static void on_sigbus(int sig)
{
	siglongjmp(sigbus_jmp, 1);
}

/* Reads *p, or writes @value there; returns whether that raised SIGBUS. */
static bool access_faults(volatile uint32_t *p, bool write, uint32_t value)
{
	struct sigaction sa = { .sa_handler = on_sigbus }, old;
	volatile bool faulted = false;

	sigaction(SIGBUS, &sa, &old);
	if (sigsetjmp(sigbus_jmp, 1))
		faulted = true;
	else if (write)
		*p = value;
	else
		(void)*p;
	sigaction(SIGBUS, &old, NULL);
	return faulted;
}

/**
 * igt_gem_shrinker_read_faults:
 * @p: a word of a CPU mapping
 *
 * Returns: whether reading @p raised SIGBUS.
 */
bool igt_gem_shrinker_read_faults(const volatile uint32_t *p)
{
	return access_faults((volatile uint32_t *)p, false, 0);
}

/**
 * igt_gem_shrinker_write_faults:
 * @p: a word of a CPU mapping
 * @value: what to write
 *
 * Returns: whether writing @value to @p raised SIGBUS. A DONTNEED buffer
 * may be purged at any moment, so only this is safe for touching one.
 */
bool igt_gem_shrinker_write_faults(volatile uint32_t *p, uint32_t value)
{
	return access_faults(p, true, value);
}

/* The first path matching @pattern, in @buf; false when none does. */
static bool first_match(const char *pattern, char *buf, size_t len)
{
	glob_t g;
	bool found;

	found = glob(pattern, 0, NULL, &g) == 0 && g.gl_pathc > 0;
	if (found)
		snprintf(buf, len, "%s", g.gl_pathv[0]);
	globfree(&g);
	return found;
}

/**
 * igt_gem_shrinker_device_name:
 * @fd: an open DRM device
 * @buf: where the name goes
 * @len: the size of @buf
 *
 * The name of the device the DRM device belongs to (its parent in sysfs,
 * such as "virtio0"): the name of its folder in the kit's debugfs, and
 * what follows "drm-shmem:" in the name of its kernel shrinker.
 *
 * Returns: whether the name was found.
 */
bool igt_gem_shrinker_device_name(int fd, char *buf, size_t len)
{
	char link[64], target[256];
	struct stat st;
	ssize_t n;

	if (fstat(fd, &st) || !S_ISCHR(st.st_mode))
		return false;
	snprintf(link, sizeof(link), "/sys/dev/char/%u:%u/device", major(st.st_rdev),
		 minor(st.st_rdev));
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return false;
	target[n] = '\0';
	snprintf(buf, len, "%s", strrchr(target, '/') ? strrchr(target, '/') + 1 : target);
	return true;
}

/* The kit's debugfs folder of @fd's device. */
static bool kit_dir(int fd, char *buf, size_t len)
{
	char name[128];
	struct stat st;

	if (!igt_gem_shrinker_device_name(fd, name, sizeof(name)))
		return false;
	snprintf(buf, len, KIT_DEBUGFS "/%s", name);
	return stat(buf, &st) == 0 && S_ISDIR(st.st_mode);
}

/**
 * igt_gem_shrinker_kit_present:
 * @fd: an open DRM device
 *
 * Returns: whether the shmem shrinker kit manages @fd's device.
 */
bool igt_gem_shrinker_kit_present(int fd)
{
	char dir[256];

	return kit_dir(fd, dir, sizeof(dir));
}

/**
 * igt_gem_shrinker_kit_stat:
 * @fd: an open DRM device the kit manages
 * @counter: a counter of the kit's debugfs state file ("purged", ...)
 *
 * Returns: the counter's value; fails the test when it cannot be read.
 */
long long igt_gem_shrinker_kit_stat(int fd, const char *counter)
{
	char dir[256], path[300], line[256], key[64], more;
	long long value, found = -1;
	FILE *f;

	igt_assert_f(kit_dir(fd, dir, sizeof(dir)), "the kit's debugfs has no folder for fd %d\n",
		     fd);
	snprintf(path, sizeof(path), "%s/state", dir);
	f = fopen(path, "r");
	igt_assert_f(f, "cannot open %s: %s\n", path, strerror(errno));
	/* "name value" lines; the per-state table's rows have three fields. */
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %lld %c", key, &value, &more) == 2 &&
		    !strcmp(key, counter))
			found = value;
	fclose(f);
	igt_assert_f(found >= 0, "%s has no counter \"%s\"\n", path, counter);
	return found;
}

/* Returns 0 or a negative errno. */
static int __write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	fputs(text, f);
	return fclose(f) ? -errno : 0;
}

/**
 * igt_gem_shrinker_write_file:
 * @path: a debugfs, sysfs or procfs file
 * @text: what to write
 *
 * Writes @text to @path, asserting that it worked.
 */
void igt_gem_shrinker_write_file(const char *path, const char *text)
{
	int ret = __write_file(path, text);

	igt_assert_f(ret == 0, "writing \"%s\" to %s failed: %s\n", text, path, strerror(-ret));
}

/**
 * igt_gem_shrinker_open_driver:
 * @driver: a DRM driver's name ("panfrost", "virtio_gpu")
 *
 * Returns: an open file of the first /dev/dri/cardN that @driver drives,
 * or -ENODEV. Guests of this kit have several GPUs.
 */
int igt_gem_shrinker_open_driver(const char *driver)
{
	for (int minor = 0; minor < 16; minor++) {
		char path[32], name[32] = "";
		struct drm_version v = { .name = name, .name_len = sizeof(name) - 1 };
		int fd;

		snprintf(path, sizeof(path), "/dev/dri/card%d", minor);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (!igt_ioctl(fd, DRM_IOCTL_VERSION, &v) && !strcmp(name, driver))
			return fd;
		close(fd);
	}
	return -ENODEV;
}

/**
 * igt_gem_shrinker_wait_for_kit_card:
 * @driver: a DRM driver's name
 * @seconds: how long to wait at most
 *
 * After a device was unbound or removed and bound again: an open file of
 * @driver's card once it is back and the kit manages it.
 *
 * Returns: the file, or -1 if none showed up in time.
 */
int igt_gem_shrinker_wait_for_kit_card(const char *driver, int seconds)
{
	for (int tries = 0; tries < seconds * 10; tries++) {
		int card = igt_gem_shrinker_open_driver(driver);

		if (card >= 0 && igt_gem_shrinker_kit_present(card))
			return card;
		if (card >= 0)
			close(card);
		usleep(100 * 1000);
	}
	return -1;
}

/**
 * __igt_gem_shrinker_kit_scan:
 * @fd: an open DRM device the kit manages
 * @pages: how many pages to reclaim at most
 *
 * Runs the kit's reclaim now through its debugfs scan file: DONTNEED
 * buffers are purged first, then idle buffers are evicted. Safe to call
 * from a thread other than the test's: it asserts nothing.
 *
 * Returns: 0 or a negative errno (-ENOENT without the kit).
 */
int __igt_gem_shrinker_kit_scan(int fd, unsigned long pages)
{
	char dir[256], path[300], text[32];

	if (!kit_dir(fd, dir, sizeof(dir)))
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/scan", dir);
	snprintf(text, sizeof(text), "%lu\n", pages);
	return __write_file(path, text);
}

/**
 * igt_gem_shrinker_kit_scan:
 * @fd: an open DRM device the kit manages
 * @pages: how many pages to reclaim at most
 *
 * Like __igt_gem_shrinker_kit_scan(), but fails the test on error.
 */
void igt_gem_shrinker_kit_scan(int fd, unsigned long pages)
{
	int ret = __igt_gem_shrinker_kit_scan(fd, pages);

	igt_assert_f(ret == 0, "the kit's debugfs scan failed: %s\n", strerror(-ret));
}

/**
 * igt_gem_shrinker_kit_scan_until:
 * @fd: an open DRM device the kit manages
 * @counter: a counter of the kit's debugfs state file ("evicted", ...)
 * @target: the value the test waits for @counter to reach
 *
 * Scans, as igt_gem_shrinker_kit_scan() does with no page limit, until
 * @counter reaches @target, for 2 s at most. Reclaim waits only a few
 * jiffies for a buffer's fences and for the driver (virtio-gpu's detach
 * from the host), and a job's end reaches the driver's bookkeeping after
 * its fence signals (panfrost counts a job until drm_sched's free_job
 * worker cleans it up), so on a loaded machine one scan may rightly skip
 * a buffer the device has not finished with; the kernel would come back to
 * it on its next reclaim pass, and so does this, 10 ms later.
 *
 * Returns: the counter's last value.
 */
long long igt_gem_shrinker_kit_scan_until(int fd, const char *counter, long long target)
{
	long long value = igt_gem_shrinker_kit_stat(fd, counter);

	for (int i = 0; i < 200 && value < target; i++) {
		if (i)
			usleep(10 * 1000);
		igt_gem_shrinker_kit_scan(fd, 1ul << 30);
		value = igt_gem_shrinker_kit_stat(fd, counter);
	}
	return value;
}

static bool shrinker_dir(const char *prefix, char *buf, size_t len)
{
	char pattern[256];

	snprintf(pattern, sizeof(pattern), SHRINKER_DEBUGFS "/%s*", prefix);
	return first_match(pattern, buf, len);
}

/**
 * igt_shrinker_debugfs_present:
 * @prefix: the start of the shrinker's name
 *
 * Returns: whether the kernel's shrinker debugfs lists such a shrinker.
 */
bool igt_shrinker_debugfs_present(const char *prefix)
{
	char dir[256];

	return shrinker_dir(prefix, dir, sizeof(dir));
}

/**
 * igt_shrinker_debugfs_count:
 * @prefix: the start of the shrinker's name
 *
 * Returns: what the shrinker's count_objects() reports, summed over nodes.
 */
unsigned long igt_shrinker_debugfs_count(const char *prefix)
{
	char dir[256], path[300], line[512];
	unsigned long count, total = 0;
	FILE *f;

	igt_assert_f(shrinker_dir(prefix, dir, sizeof(dir)), "no %s/%s*\n", SHRINKER_DEBUGFS,
		     prefix);
	snprintf(path, sizeof(path), "%s/count", dir);
	f = fopen(path, "r");
	igt_assert_f(f, "cannot open %s: %s\n", path, strerror(errno));
	/*
	 * One "<memcg inode> <count per node>..." line per memcg with
	 * anything to count (a single "0 ..." line for a shrinker that is
	 * not memcg-aware).
	 */
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *end;

		strtoul(p, &end, 10);
		for (p = end; (count = strtoul(p, &end, 10)), end != p; p = end)
			total += count;
	}
	fclose(f);
	return total;
}

/**
 * igt_shrinker_debugfs_scan:
 * @prefix: the start of the shrinker's name
 * @nr_to_scan: how many objects the kernel asks the shrinker to scan
 *
 * Calls the shrinker's scan_objects() through the kernel's debugfs, for
 * node 0 and no memcg, or the root cgroup (inode 1 of cgroup v2) for a
 * memcg-aware shrinker, which the kernel refuses "no memcg" (-ENOENT).
 */
void igt_shrinker_debugfs_scan(const char *prefix, unsigned long nr_to_scan)
{
	char dir[256], path[300], text[48];

	igt_assert_f(shrinker_dir(prefix, dir, sizeof(dir)), "no %s/%s*\n", SHRINKER_DEBUGFS,
		     prefix);
	snprintf(path, sizeof(path), "%s/scan", dir);
	snprintf(text, sizeof(text), "0 0 %lu\n", nr_to_scan);
	if (__write_file(path, text) == -ENOENT)
		snprintf(text, sizeof(text), "1 0 %lu\n", nr_to_scan);
	else
		return;
	igt_gem_shrinker_write_file(path, text);
}

/**
 * igt_gem_shrinker_drop_caches:
 *
 * Drops clean page cache and calls every shrinker (vm.drop_caches = 3).
 * Not igt_purge_vm_caches(): that also drives i915's own debugfs.
 * Pages that an eviction released without marking them dirty are lost
 * here instead of being written to swap, so content checks that follow
 * catch that bug.
 */
void igt_gem_shrinker_drop_caches(void)
{
	igt_gem_shrinker_write_file("/proc/sys/vm/drop_caches", "3\n");
}

/**
 * igt_gem_shrinker_memory_pressure:
 * @max_mib: how much anonymous memory the child touches at most
 * @done: called in the child every 16 MiB; the child stops when it
 *        returns true (may be NULL)
 * @data: passed to @done
 *
 * Forks a child that touches anonymous memory, one MiB at a time, until
 * @done says so or @max_mib is reached, and waits for it. The kernel
 * reclaims what it must to make room: page cache, swap, and whatever its
 * shrinkers give back. Stopping as soon as the effect under test is seen
 * keeps the pressure short of the OOM killer, which IGT points at forked
 * children first.
 */
void igt_gem_shrinker_memory_pressure(size_t max_mib, bool (*done)(void *data), void *data)
{
	igt_fork(child, 1) {
		for (size_t i = 0; i < max_mib; i++) {
			char *p;

			if (done && i % 16 == 0 && done(data))
				break;
			p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			igt_assert_f(p != MAP_FAILED, "no anonymous memory after %zu MiB\n", i);
			memset(p, (int)(i & 0x7f) | 1, 1 << 20);
		}
	}
	igt_waitchildren();
}

/**
 * igt_gem_shrinker_reopen:
 * @fd: an open DRM device
 *
 * Returns: a new file descriptor, with its own DRM file, of @fd's device.
 */
int igt_gem_shrinker_reopen(int fd)
{
	char path[64];
	int new_fd;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	new_fd = open(path, O_RDWR | O_CLOEXEC);
	igt_assert_f(new_fd >= 0, "reopening %s failed: %s\n", path, strerror(errno));
	return new_fd;
}

/* @key's value in the flat-keyed file @path ("KEY VALUE" lines), or -1. */
static long long flat_keyed_value(const char *path, const char *key)
{
	char k[64];
	long long value, found = -1;
	FILE *f = fopen(path, "r");

	igt_assert_f(f, "cannot open %s: %s\n", path, strerror(errno));
	while (fscanf(f, "%63s %lld", k, &value) == 2)
		if (!strcmp(k, key))
			found = value;
	fclose(f);
	return found;
}

/**
 * igt_gem_shrinker_oom_kills:
 *
 * Returns: how many processes the OOM killer has killed since boot.
 */
unsigned long igt_gem_shrinker_oom_kills(void)
{
	long long n = flat_keyed_value("/proc/vmstat", "oom_kill");

	return n < 0 ? 0 : n;
}

/* Where the guests and test machines mount cgroup v2. */
#define CGROUP2_ROOT "/sys/fs/cgroup"

/**
 * igt_gem_shrinker_memcg_try_write:
 * @cg: a group's path
 * @file: one of its files ("memory.max", "cgroup.procs", "cgroup.kill")
 * @text: what to write
 *
 * Returns: whether writing @text to @file of @cg worked.
 */
bool igt_gem_shrinker_memcg_try_write(const char *cg, const char *file, const char *text)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	return __write_file(path, text) == 0;
}

/**
 * igt_gem_shrinker_memcg_write:
 * @cg: a group's path
 * @file: one of its files
 * @text: what to write
 *
 * Writes @text to @file of @cg, asserting that it worked.
 */
void igt_gem_shrinker_memcg_write(const char *cg, const char *file, const char *text)
{
	igt_assert_f(igt_gem_shrinker_memcg_try_write(cg, file, text),
		     "writing \"%s\" to %s/%s failed\n", text, cg, file);
}

/**
 * igt_gem_shrinker_memcg_create:
 * @name: the group's name, under the cgroup v2 root
 * @path: where its path is written
 * @len: the size of @path
 *
 * Creates a cgroup v2 group with the memory controller enabled for it. A
 * group of that name left by an earlier run is emptied (cgroup.kill) and
 * made anew, so that no process or charge of that run remains.
 *
 * Returns: false when the system has no cgroup v2 memory controller, or
 * it cannot be enabled for the root's children.
 */
bool igt_gem_shrinker_memcg_create(const char *name, char *path, size_t len)
{
	char controllers[256] = "";
	FILE *f = fopen(CGROUP2_ROOT "/cgroup.controllers", "r");

	if (!f)
		return false;
	if (!fgets(controllers, sizeof(controllers), f))
		controllers[0] = '\0';
	fclose(f);
	if (!strstr(controllers, "memory") ||
	    !igt_gem_shrinker_memcg_try_write(CGROUP2_ROOT, "cgroup.subtree_control", "+memory"))
		return false;
	snprintf(path, len, CGROUP2_ROOT "/%s", name);
	if (mkdir(path, 0755) == 0)
		return true;
	igt_assert_f(errno == EEXIST, "mkdir %s: %s\n", path, strerror(errno));
	igt_gem_shrinker_memcg_try_write(path, "cgroup.kill", "1");
	for (int tries = 0; rmdir(path) && errno == EBUSY && tries < 100; tries++)
		usleep(10 * 1000);
	igt_assert_f(mkdir(path, 0755) == 0, "mkdir %s again: %s\n", path, strerror(errno));
	return true;
}

/**
 * igt_gem_shrinker_memcg_value:
 * @cg: a group's path
 * @file: a flat-keyed file ("memory.events", "memory.stat")
 * @key: one of its keys ("oom_kill", "shmem")
 *
 * Returns: @key's value in @file of @cg, or -1 when it has none.
 */
long long igt_gem_shrinker_memcg_value(const char *cg, const char *file, const char *key)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	return flat_keyed_value(path, key);
}

/**
 * igt_gem_shrinker_memcg_remove:
 * @cg: a group's path, whose processes have all exited
 *
 * Removes the group (a warning if it cannot). Its pages, and the GPU buffers charged to it that
 * are still open elsewhere, go to its parent.
 */
void igt_gem_shrinker_memcg_remove(const char *cg)
{
	if (rmdir(cg))
		igt_warn("rmdir %s: %s\n", cg, strerror(errno));
}
