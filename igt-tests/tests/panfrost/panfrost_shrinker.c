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
 * SUBTEST: unlisted-bo-swapin
 * SUBTEST: unlisted-descriptor-swapin
 * SUBTEST: many-evicted-bos-one-submit
 * SUBTEST: gpu-writes-survive-eviction
 * SUBTEST: no-eviction-while-job-runs
 * SUBTEST: purge-after-job
 * SUBTEST: no-oom-overcommit
 * SUBTEST: unbind-rebind-under-reclaim
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <poll.h>
#include <unistd.h>
#include <sys/mman.h>

#include "igt.h"
#include "igt_gem_shrinker.h"
#include "igt_panfrost.h"
#include "igt_panfrost_job.h"

IGT_TEST_DESCRIPTION("The GEM shmem shrinker on Panfrost: madvise, purge, evict and swap-in.");

#define PAGE_BYTES 4096u
#define SCAN_ALL (1ul << 20)
/* Panfrost's own purge-only shrinker, as the kernel's shrinker debugfs names it. */
#define PANFROST_SHRINKER "drm-panfrost"

/* IGT's write-value job zeroes the 64-bit word at this offset of its buffer. */
#define WRITE_VALUE_OFFSET 0x30

/* The device the fixture opened; each subtest works on its own file of it. */
static int device = -1;
static int fd = -1;

/* Returns whether the buffer still has its content. */
static bool panfrost_madvise(uint32_t handle, uint32_t madv)
{
	uint32_t retained = 0;

	igt_assert_eq(__pan_madvise(fd, handle, madv, &retained), 0);
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
	igt_assert_eq(__pan_wait_bo(fd, bo->handle, 10000000000ll), 0);
}

/*
 * Runs IGT's write-value job and returns the word it wrote over (0 once the
 * job ran); the job's header must say DONE.
 */
static uint64_t run_write_value_job(struct panfrost_submit *submit)
{
	struct mali_job_descriptor_header *h = submit->submit_bo->map;

	pan_submit_igt(fd, submit);
	wait_idle(submit->submit_bo);
	igt_assert_eq(h->exception_status, 1);
	return *(volatile uint64_t *)((char *)submit->submit_bo->map + WRITE_VALUE_OFFSET);
}

/* Evict idle buffers until @n more than now were evicted. */
static void evict(long long n)
{
	long long evicted = igt_gem_shrinker_kit_stat(fd, "evicted");

	igt_assert_lte_s64(evicted + n, igt_gem_shrinker_kit_scan_until(fd, "evicted", evicted + n));
}

/* A buffer filled with @seed and not mapped: the kit may evict it. */
static struct panfrost_bo *idle_buffer(size_t pages, uint32_t seed)
{
	struct panfrost_bo *bo = filled_buffer(pages, seed);

	munmap(bo->map, bo->size);
	bo->map = NULL;
	return bo;
}

static uint64_t read_u64(struct panfrost_bo *bo, size_t offset)
{
	if (!bo->map)
		igt_panfrost_bo_mmap(fd, bo);
	return *(volatile uint64_t *)((char *)bo->map + offset);
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

	igt_assert_eq(__pan_madvise(fd, 0xdead, PANFROST_MADV_DONTNEED, &retained), -ENOENT);
	igt_assert_eq(retained, 7);
}

static void test_madvise_bad_value(void)
{
	struct panfrost_bo *bo = filled_buffer(16, 2);

	igt_assert_eq(__pan_madvise(fd, bo->handle, 2, NULL), -EINVAL);
	igt_assert_eq(__pan_madvise(fd, bo->handle, ~0u, NULL), -EINVAL);
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
 * A job whose buffer (descriptor and the word it writes) was evicted:
 * submission swaps it in and maps it for the GPU again, and the job
 * writes as a job that never saw an eviction does.
 */
static void test_swapin_on_submit(void)
{
	struct panfrost_submit *reference = igt_panfrost_write_value_job(fd, false);
	struct panfrost_submit *submit = igt_panfrost_write_value_job(fd, false);
	long long swapped_in = igt_gem_shrinker_kit_stat(fd, "swapped_in");

	igt_assert_eq_u64(run_write_value_job(reference), 0);
	igt_panfrost_free_job(fd, reference);

	evict(1);
	igt_assert_eq_u64(run_write_value_job(submit), 0);
	igt_assert_lt_s64(swapped_in, igt_gem_shrinker_kit_stat(fd, "swapped_in"));
	igt_panfrost_free_job(fd, submit);
}

/*
 * Mesa lists in bo_handles only some of the buffers a job touches, and
 * expects every buffer of its file to stay mapped for the GPU. A job
 * writes into an evicted buffer it does not list: the value lands where it
 * belongs, the rest of the buffer is intact, and no MMU fault happens.
 */
static void test_unlisted_bo_swapin(void)
{
	struct panfrost_bo *jobs = igt_panfrost_gem_new(fd, 4096);
	struct panfrost_bo *target = idle_buffer(64, 7);
	const size_t offset = 17 * PAGE_BYTES + 8;
	uint64_t jc;

	igt_panfrost_bo_mmap(fd, jobs);
	jc = pan_job_write_value(jobs, 0, target->offset + offset, 0x600dcafe0000ull, 0);
	/* Both buffers of the file: the target among them. */
	evict(2);
	pan_submit_and_wait(fd, jc, (uint32_t[]){ jobs->handle }, 1);
	igt_assert_eq(pan_job_header(jobs, 0)->exception_status, 1);
	igt_assert_eq_u64(read_u64(target, offset), 0x600dcafe0000ull);
	/* Put back what the job wrote over: the rest must be untouched. */
	igt_gem_shrinker_fill_at((uint32_t *)((char *)target->map + 17 * PAGE_BYTES), 17, 1, 7);
	igt_assert_eq(igt_gem_shrinker_bad_pages(target->map, target->size, 7), 0);
	igt_panfrost_free_bo(fd, target);
	igt_panfrost_free_bo(fd, jobs);
}

/*
 * The second job of a chain lives in an evicted buffer the submit does not
 * list: the GPU reads it from there and runs it.
 */
static void test_unlisted_descriptor_swapin(void)
{
	struct panfrost_bo *first = igt_panfrost_gem_new(fd, 4096);
	struct panfrost_bo *second = igt_panfrost_gem_new(fd, 4096);
	struct panfrost_bo *out = igt_panfrost_gem_new(fd, 4096);
	uint32_t handles[] = { first->handle, out->handle };
	uint64_t jc, next;

	igt_panfrost_bo_mmap(fd, first);
	igt_panfrost_bo_mmap(fd, second);
	next = pan_job_write_value(second, 3, out->offset + 8, 0x5ec0d, 0);
	munmap(second->map, second->size);
	second->map = NULL;
	jc = pan_job_write_value(first, 0, out->offset, 0xf125, next);
	/* Every buffer of the file (panfrost gives a BO its pages at open). */
	evict(3);
	pan_submit_and_wait(fd, jc, handles, 2);
	igt_assert_eq_u64(read_u64(out, 0), 0xf125);
	igt_assert_eq_u64(read_u64(out, 8), 0x5ec0d);
	igt_panfrost_bo_mmap(fd, second);
	igt_assert_eq(pan_job_header(second, 3)->exception_status, 1);
	igt_panfrost_free_bo(fd, first);
	igt_panfrost_free_bo(fd, second);
	igt_panfrost_free_bo(fd, out);
}

/* One submit, sixteen evicted unlisted buffers, a value into each. */
static void test_many_evicted_bos_one_submit(void)
{
	struct panfrost_bo *jobs = igt_panfrost_gem_new(fd, 4096);
	struct panfrost_bo *bo[16];
	uint64_t jc = 0;
	int i;

	igt_panfrost_bo_mmap(fd, jobs);
	for (i = 0; i < 16; i++)
		bo[i] = idle_buffer(16, 0x200 + i);
	for (i = 15; i >= 0; i--)
		jc = pan_job_write_value(jobs, i, bo[i]->offset + i * PAGE_BYTES, 0xb0 + i, jc);
	evict(17);
	pan_submit_and_wait(fd, jc, (uint32_t[]){ jobs->handle }, 1);
	for (i = 0; i < 16; i++) {
		igt_assert_eq_u64(read_u64(bo[i], i * PAGE_BYTES), 0xb0 + i);
		igt_gem_shrinker_fill_at((uint32_t *)((char *)bo[i]->map + i * PAGE_BYTES), i, 1,
					 0x200 + i);
		igt_assert_f(igt_gem_shrinker_bad_pages(bo[i]->map, bo[i]->size, 0x200 + i) == 0,
			     "buffer %d lost content\n", i);
		igt_panfrost_free_bo(fd, bo[i]);
	}
	igt_panfrost_free_bo(fd, jobs);
}

/* What the GPU wrote goes to swap and comes back with the buffer. */
static void test_gpu_writes_survive_eviction(void)
{
	struct panfrost_bo *jobs = igt_panfrost_gem_new(fd, 4096);
	struct panfrost_bo *out = igt_panfrost_gem_new(fd, 32 * PAGE_BYTES);
	uint32_t handles[] = { jobs->handle, out->handle };
	uint64_t jc = 0;
	int i;

	igt_panfrost_bo_mmap(fd, jobs);
	for (i = 31; i >= 0; i--)
		jc = pan_job_write_value(jobs, i, out->offset + i * PAGE_BYTES, 0xfeed0000ull + i, jc);
	pan_submit_and_wait(fd, jc, handles, 2);
	munmap(jobs->map, jobs->size);
	jobs->map = NULL;
	evict(2);
	igt_gem_shrinker_drop_caches();
	for (i = 0; i < 32; i++)
		igt_assert_eq_u64(read_u64(out, i * PAGE_BYTES), 0xfeed0000ull + i);
	igt_panfrost_free_bo(fd, jobs);
	igt_panfrost_free_bo(fd, out);
}

/*
 * While a job of the file runs (here one that never ends, until its
 * timeout), no buffer of the file is evicted: the job may touch any of
 * them. Once it has ended, they are evictable again.
 */
static void test_no_eviction_while_job_runs(void)
{
	struct panfrost_submit *loop = igt_panfrost_job_loop(fd);
	struct panfrost_bo *idle = idle_buffer(32, 9);
	long long evicted;

	pan_submit_igt(fd, loop);
	igt_assert(!pan_syncobj_wait(fd, loop->args->out_sync, 50000000ll));
	evicted = igt_gem_shrinker_kit_stat(fd, "evicted");
	igt_gem_shrinker_kit_scan(fd, SCAN_ALL);
	igt_assert_eq_s64(igt_gem_shrinker_kit_stat(fd, "evicted"), evicted);
	igt_assert_f(pan_syncobj_wait(fd, loop->args->out_sync, 5000000000ll),
		     "the job loop did not time out\n");
	igt_panfrost_free_job(fd, loop);
	evict(1);
	igt_panfrost_bo_mmap(fd, idle);
	igt_assert_eq(igt_gem_shrinker_bad_pages(idle->map, idle->size, 9), 0);
	igt_panfrost_free_bo(fd, idle);
}

/* A DONTNEED buffer that a finished job wrote into is purged. */
static void test_purge_after_job(void)
{
	struct panfrost_bo *jobs = igt_panfrost_gem_new(fd, 4096);
	struct panfrost_bo *out = idle_buffer(16, 11);
	uint32_t handles[] = { jobs->handle, out->handle };

	igt_panfrost_bo_mmap(fd, jobs);
	pan_submit_and_wait(fd, pan_job_write_value(jobs, 0, out->offset, 1, 0), handles, 2);
	igt_assert(panfrost_madvise(out->handle, PANFROST_MADV_DONTNEED));
	/* The job holds the BO until drm_sched's worker cleans it up. */
	for (int i = 0; i < 200; i++) {
		reclaim_now();
		if (purged(out))
			break;
		usleep(10 * 1000);
	}
	igt_assert(!panfrost_madvise(out->handle, PANFROST_MADV_WILLNEED));
	igt_panfrost_free_bo(fd, out);
	igt_panfrost_free_bo(fd, jobs);
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

#define PANFROST_DRIVER "/sys/bus/platform/drivers/panfrost"

/*
 * Unbind panfrost from its device while BOs are mapped, evicted, DONTNEED,
 * and in a job that never ends, close them after, and bind it again: no
 * warning (the log gate), nothing leaked (kmemleak at the end of the
 * guest), and the new device's jobs, eviction and swap-in work.
 */
static void test_unbind_rebind_under_reclaim(void)
{
	struct panfrost_bo *bo[8];
	struct panfrost_submit *loop, *job;
	struct drm_syncobj_handle export = { .flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE };
	struct pollfd done = { .events = POLLIN };
	char name[64];
	int i;

	igt_require(igt_gem_shrinker_device_name(fd, name, sizeof(name)));
	igt_require_f(access(PANFROST_DRIVER "/unbind", W_OK) == 0, "cannot unbind panfrost\n");
	for (i = 0; i < 8; i++)
		bo[i] = filled_buffer(64, 0x300 + i);
	for (i = 0; i < 4; i++) {
		munmap(bo[i]->map, bo[i]->size);
		bo[i]->map = NULL;
	}
	evict(4);
	igt_assert(panfrost_madvise(bo[7]->handle, PANFROST_MADV_DONTNEED));
	loop = igt_panfrost_job_loop(fd);
	export.handle = pan_syncobj_create(fd);
	loop->args->out_sync = export.handle;
	pan_submit_igt(fd, loop);
	/* Its fence as a sync_file: the DRM file's ioctls end with the device. */
	do_ioctl(fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &export);
	done.fd = export.fd;

	igt_info("unbinding panfrost from %s with buffers mapped, evicted and in a job\n", name);
	igt_gem_shrinker_write_file(PANFROST_DRIVER "/unbind", name);
	/* The job that never ends ends now; the file refuses further calls. */
	igt_assert_eq(poll(&done, 1, 10000), 1);
	close(done.fd);
	igt_assert_eq(__pan_madvise(fd, bo[0]->handle, PANFROST_MADV_WILLNEED, NULL), -ENODEV);
	/* The BOs, the job and the files outlive the device; closing frees them. */
	for (i = 0; i < 8; i++)
		if (bo[i]->map)
			munmap(bo[i]->map, bo[i]->size);
	munmap(loop->submit_bo->map, loop->submit_bo->size);
	close(fd);
	fd = -1;
	close(device);
	device = -1;

	igt_gem_shrinker_write_file(PANFROST_DRIVER "/bind", name);
	device = igt_gem_shrinker_wait_for_kit_card("panfrost", 20);
	igt_assert_f(device >= 0, "no Panfrost card with the kit after binding again\n");
	fd = igt_gem_shrinker_reopen(device);
	job = igt_panfrost_write_value_job(fd, false);
	evict(1);
	igt_assert_eq_u64(run_write_value_job(job), 0);
	igt_panfrost_free_job(fd, job);
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
	{ "unlisted-bo-swapin",
	  "A job writes into an evicted buffer it does not list: the value lands, nothing faults.",
	  test_unlisted_bo_swapin, true },
	{ "unlisted-descriptor-swapin",
	  "A chain continues into a job held by an evicted buffer the submit does not list.",
	  test_unlisted_descriptor_swapin, true },
	{ "many-evicted-bos-one-submit",
	  "One submit writes into sixteen evicted, unlisted buffers; all swap in intact.",
	  test_many_evicted_bos_one_submit, true },
	{ "gpu-writes-survive-eviction",
	  "Values a job wrote are evicted to swap with their buffer and read back intact.",
	  test_gpu_writes_survive_eviction, true },
	{ "no-eviction-while-job-runs",
	  "No buffer of a file is evicted while one of its jobs runs; after it, they are.",
	  test_no_eviction_while_job_runs, true },
	{ "purge-after-job",
	  "A DONTNEED buffer that a finished job wrote into is purged.",
	  test_purge_after_job },
	{ "no-oom-overcommit",
	  "An idle working set of 1.25x RAM is evicted to swap and comes back, without OOM kills.",
	  test_no_oom_overcommit, true },
	{ "unbind-rebind-under-reclaim",
	  "Unbinding with buffers mapped, evicted, DONTNEED and in a job, then binding again: "
	  "no splat, no leak, and the new device evicts and swaps in.",
	  test_unbind_rebind_under_reclaim, true },
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
		if (device >= 0)
			close(device);
	}
}
