// SPDX-License-Identifier: MIT
/*
 * The GEM shmem shrinker on Panfrost: DRM_IOCTL_PANFROST_MADVISE, purging
 * DONTNEED buffers and, with the shmem shrinker kit, evicting idle buffers
 * to swap and bringing them back for the CPU and for GPU jobs.
 *
 * Purge subtests run with Panfrost's own shrinker too; eviction subtests
 * need the kit and skip without it. The kit evicts a buffer only while no
 * job of any file that maps it is queued or running, and a file's next
 * submit swaps in every evicted buffer of the file, listed in bo_handles or
 * not (drivers/gpu/drm/panfrost/panfrost_shrinker.c).
 */

/**
 * TEST: panfrost shrinker
 * Category: Core
 * Mega feature: General Core features
 * Sub-category: Memory management
 * Functionality: shrinker
 * Description: madvise, purge, eviction and swap-in of Panfrost buffers.
 *
 * SUBTEST: madvise-basic
 * SUBTEST: madvise-bad-handle
 * SUBTEST: madvise-bad-value
 * SUBTEST: purge-dontneed
 * SUBTEST: purged-mmap-sigbus
 * SUBTEST: willneed-after-purge-not-retained
 * SUBTEST: evict-swapin-integrity
 * SUBTEST: evict-while-mmapped
 * SUBTEST: swapin-on-submit
 * SUBTEST: no-oom-overcommit
 */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>

#include "igt.h"
#include "igt_gem_shrinker.h"
#include "igt_panfrost.h"

IGT_TEST_DESCRIPTION("The GEM shmem shrinker on Panfrost: madvise, purge, evict and swap-in.");

#define PAGE_BYTES 4096u
#define SCAN_ALL (1ul << 20)
/* Panfrost's own purge-only shrinker, as the kernel's shrinker debugfs names it. */
#define PANFROST_SHRINKER "drm-panfrost"

/* The device the fixture opened; each subtest works on its own file of it. */
static int device = -1;
static int fd = -1;

static int __panfrost_madvise(uint32_t handle, uint32_t madv, uint32_t *retained)
{
	struct drm_panfrost_madvise a = { .handle = handle, .madv = madv };

	if (igt_ioctl(fd, DRM_IOCTL_PANFROST_MADVISE, &a))
		return -errno;
	if (retained)
		*retained = a.retained;
	return 0;
}

/* Returns whether the buffer still has its content. */
static bool panfrost_madvise(uint32_t handle, uint32_t madv)
{
	uint32_t retained = 0;

	igt_assert_eq(__panfrost_madvise(handle, madv, &retained), 0);
	return retained;
}

static bool purged(struct panfrost_bo *bo)
{
	return !panfrost_madvise(bo->handle, PANFROST_MADV_DONTNEED);
}

/* A CPU-mapped buffer of @pages pages filled with @seed. */
static struct panfrost_bo *filled_buffer(size_t pages, uint32_t seed)
{
	struct panfrost_bo *bo = igt_panfrost_gem_new(fd, pages * PAGE_BYTES);

	igt_panfrost_bo_mmap(fd, bo);
	igt_gem_shrinker_fill(bo->map, bo->size, seed);
	return bo;
}

/* Reclaim now: the kit's scan, or Panfrost's own shrinker through debugfs. */
static void reclaim_now(void)
{
	if (igt_gem_shrinker_kit_present(fd)) {
		igt_gem_shrinker_kit_scan(fd, SCAN_ALL);
		return;
	}
	igt_require_f(igt_shrinker_debugfs_present(PANFROST_SHRINKER),
		      "no /sys/kernel/debug/shrinker/" PANFROST_SHRINKER "* (CONFIG_SHRINKER_DEBUG)\n");
	igt_shrinker_debugfs_scan(PANFROST_SHRINKER, SCAN_ALL);
}

static void require_eviction(void)
{
	igt_require_f(igt_gem_shrinker_kit_present(fd),
		      "eviction needs the shmem shrinker kit; Panfrost's own shrinker only purges\n");
}

static void wait_idle(struct panfrost_bo *bo)
{
	struct timespec ts;
	struct drm_panfrost_wait_bo w = { .handle = bo->handle };

	clock_gettime(CLOCK_MONOTONIC, &ts);
	w.timeout_ns = (ts.tv_sec + 10) * 1000000000ll + ts.tv_nsec;
	do_ioctl(fd, DRM_IOCTL_PANFROST_WAIT_BO, &w);
}

/* Runs @submit and returns the first word of its scratchpad afterwards. */
static uint32_t run_write_value_job(struct panfrost_submit *submit)
{
	do_ioctl(fd, DRM_IOCTL_PANFROST_SUBMIT, submit->args);
	wait_idle(submit->scratchpad_bo);
	return *(volatile uint32_t *)submit->scratchpad_bo->map;
}

static void test_madvise_basic(void)
{
	struct panfrost_bo *bo = filled_buffer(64, 1);

	igt_assert(panfrost_madvise(bo->handle, PANFROST_MADV_DONTNEED));
	igt_assert(panfrost_madvise(bo->handle, PANFROST_MADV_WILLNEED));
	igt_assert_eq(igt_gem_shrinker_bad_pages(bo->map, bo->size, 1), 0);
	igt_panfrost_free_bo(fd, bo);
}

static void test_madvise_bad_handle(void)
{
	uint32_t retained = 7;

	igt_assert_eq(__panfrost_madvise(0xdead, PANFROST_MADV_DONTNEED, &retained), -ENOENT);
	igt_assert_eq(retained, 7);
}

static void test_madvise_bad_value(void)
{
	struct panfrost_bo *bo = filled_buffer(16, 2);

	igt_assert_eq(__panfrost_madvise(bo->handle, 2, NULL), -EINVAL);
	igt_assert_eq(__panfrost_madvise(bo->handle, ~0u, NULL), -EINVAL);
	reclaim_now();
	igt_assert(panfrost_madvise(bo->handle, PANFROST_MADV_WILLNEED));
	igt_panfrost_free_bo(fd, bo);
}

/* For igt_gem_shrinker_memory_pressure(), in its child. */
static bool pressure_purged(void *bo)
{
	return purged(bo);
}

static void test_purge_dontneed(void)
{
	uint64_t ram = igt_get_total_ram_mb();
	struct panfrost_bo *bo;

	bo = filled_buffer(256, 3);
	igt_assert(panfrost_madvise(bo->handle, PANFROST_MADV_DONTNEED));
	reclaim_now();
	igt_assert(purged(bo));
	igt_panfrost_free_bo(fd, bo);

	bo = filled_buffer(1024, 4);
	igt_assert(panfrost_madvise(bo->handle, PANFROST_MADV_DONTNEED));
	igt_gem_shrinker_memory_pressure(2 * ram, pressure_purged, bo);
	igt_assert_f(purged(bo),
		     "%" PRIu64 " MiB of memory pressure did not purge a 4 MiB DONTNEED buffer\n",
		     2 * ram);
	igt_panfrost_free_bo(fd, bo);
}

static void test_purged_mmap_sigbus(void)
{
	struct panfrost_bo *bo = igt_panfrost_gem_new(fd, 64 * PAGE_BYTES);
	uint32_t *map;

	igt_assert(panfrost_madvise(bo->handle, PANFROST_MADV_DONTNEED));
	reclaim_now();
	igt_assert(purged(bo));
	map = igt_panfrost_mmap_bo(fd, bo->handle, bo->size, PROT_READ | PROT_WRITE);
	igt_assert(map);
	igt_assert_f(igt_gem_shrinker_read_faults(map),
		     "CPU access to a purged buffer did not raise SIGBUS\n");
	munmap(map, bo->size);
	igt_panfrost_free_bo(fd, bo);
}

static void test_willneed_after_purge_not_retained(void)
{
	struct panfrost_bo *bo = filled_buffer(64, 5);

	munmap(bo->map, bo->size);
	bo->map = NULL;
	igt_assert(panfrost_madvise(bo->handle, PANFROST_MADV_DONTNEED));
	reclaim_now();
	igt_assert(!panfrost_madvise(bo->handle, PANFROST_MADV_WILLNEED));
	igt_assert(!panfrost_madvise(bo->handle, PANFROST_MADV_WILLNEED));
	igt_panfrost_free_bo(fd, bo);
}

static void test_evict_swapin_integrity(void)
{
	long long evicted = igt_gem_shrinker_kit_stat(fd, "evicted");
	struct panfrost_bo *bo[8];
	int i;

	for (i = 0; i < 8; i++) {
		bo[i] = filled_buffer(128, 100 + i);
		munmap(bo[i]->map, bo[i]->size);
		bo[i]->map = NULL;
	}
	igt_assert_lte_s64(evicted + 8, igt_gem_shrinker_kit_scan_until(fd, "evicted", evicted + 8));
	igt_gem_shrinker_drop_caches();
	for (i = 0; i < 8; i++) {
		igt_panfrost_bo_mmap(fd, bo[i]);
		igt_assert_f(igt_gem_shrinker_bad_pages(bo[i]->map, bo[i]->size, 100 + i) == 0,
			     "buffer %d lost content across evict and swap-in\n", i);
		igt_panfrost_free_bo(fd, bo[i]);
	}
}

static void test_evict_while_mmapped(void)
{
	long long evicted = igt_gem_shrinker_kit_stat(fd, "evicted");
	struct panfrost_bo *bo = filled_buffer(128, 6);

	igt_assert_lt_s64(evicted, igt_gem_shrinker_kit_scan_until(fd, "evicted", evicted + 1));
	igt_gem_shrinker_drop_caches();
	igt_assert_eq(igt_gem_shrinker_bad_pages(bo->map, bo->size, 6), 0);
	igt_panfrost_free_bo(fd, bo);
}

/*
 * A job whose buffers (descriptors, scratchpad) were evicted: submission
 * swaps them in and maps them for the GPU again, and the job writes the
 * same value as a job that never saw an eviction.
 */
static void test_swapin_on_submit(void)
{
	struct panfrost_submit *reference = igt_panfrost_write_value_job(fd, false);
	struct panfrost_submit *submit = igt_panfrost_write_value_job(fd, false);
	long long swapped_in = igt_gem_shrinker_kit_stat(fd, "swapped_in");
	long long evicted = igt_gem_shrinker_kit_stat(fd, "evicted");
	uint32_t expected;

	expected = run_write_value_job(reference);
	igt_assert_neq(expected, 0);
	igt_panfrost_free_job(fd, reference);

	igt_assert_lt_s64(evicted, igt_gem_shrinker_kit_scan_until(fd, "evicted", evicted + 1));
	igt_assert_eq(run_write_value_job(submit), expected);
	igt_assert_lt_s64(swapped_in, igt_gem_shrinker_kit_stat(fd, "swapped_in"));
	igt_panfrost_free_job(fd, submit);
}

static void test_no_oom_overcommit(void)
{
	uint64_t ram = igt_get_total_ram_mb();
	size_t total = ram + ram / 4, n = total / 4, i;
	uint64_t oom_kills = igt_gem_shrinker_oom_kills();
	struct panfrost_bo **bo;

	igt_require_f(ram <= 8192, "%" PRIu64 " MiB of RAM: writing 1.25x that to swap takes too "
		      "long; boot with mem=4G to run this\n", ram);
	igt_require_f(igt_get_total_swap_mb() > total, "needs more than %zu MiB of free swap\n",
		      total);
	bo = calloc(n, sizeof(*bo));
	igt_assert(bo);
	for (i = 0; i < n; i++) {
		bo[i] = filled_buffer(1024, 0x10000 + i);
		munmap(bo[i]->map, bo[i]->size);
		bo[i]->map = NULL;
	}
	for (i = 0; i < n; i++) {
		igt_panfrost_bo_mmap(fd, bo[i]);
		igt_assert_f(igt_gem_shrinker_bad_pages(bo[i]->map, bo[i]->size, 0x10000 + i) == 0,
			     "buffer %zu of %zu lost content\n", i, n);
		igt_panfrost_free_bo(fd, bo[i]);
	}
	free(bo);
	igt_assert_eq_u64(igt_gem_shrinker_oom_kills(), oom_kills);
}

static const struct {
	const char *name;
	const char *description;
	void (*func)(void);
	bool evicts;
} tests[] = {
	{ "madvise-basic",
	  "DONTNEED then WILLNEED on a live buffer keeps its content.",
	  test_madvise_basic },
	{ "madvise-bad-handle",
	  "madvise of a handle that does not exist fails with -ENOENT.",
	  test_madvise_bad_handle },
	{ "madvise-bad-value",
	  "An unknown advice fails with -EINVAL and leaves the buffer as it was.",
	  test_madvise_bad_value },
	{ "purge-dontneed",
	  "A DONTNEED buffer is purged by a forced scan, and again by real memory pressure.",
	  test_purge_dontneed },
	{ "purged-mmap-sigbus",
	  "CPU access to a purged buffer raises SIGBUS.",
	  test_purged_mmap_sigbus },
	{ "willneed-after-purge-not-retained",
	  "WILLNEED after a purge reports the content lost, and keeps doing so.",
	  test_willneed_after_purge_not_retained },
	{ "evict-swapin-integrity",
	  "Idle buffers are evicted and every page read back through mmap is intact.",
	  test_evict_swapin_integrity, true },
	{ "evict-while-mmapped",
	  "An idle buffer behind a live CPU mapping is evicted and faults back in intact.",
	  test_evict_while_mmapped, true },
	{ "swapin-on-submit",
	  "A job whose buffers were evicted runs after they are swapped in and GPU-mapped again.",
	  test_swapin_on_submit, true },
	{ "no-oom-overcommit",
	  "An idle working set of 1.25x RAM is evicted to swap and comes back, without OOM kills.",
	  test_no_oom_overcommit, true },
};

int igt_main()
{
	igt_fixture()
		device = drm_open_driver(DRIVER_PANFROST);

	for (volatile size_t t = 0; t < ARRAY_SIZE(tests); t++) {
		igt_describe(tests[t].description);
		igt_subtest(tests[t].name) {
			/* Closing the last subtest's file frees what it left behind. */
			if (fd >= 0)
				close(fd);
			fd = igt_gem_shrinker_reopen(device);
			if (tests[t].evicts)
				require_eviction();
			tests[t].func();
		}
	}

	igt_fixture() {
		if (fd >= 0)
			close(fd);
		close(device);
	}
}
