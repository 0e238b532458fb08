// SPDX-License-Identifier: GPL-2.0
/*
 * virtgpu-kit: the demo's client of /dev/dri/card0 (virtio-gpu), putting
 * the GEM shmem shrinker under real memory pressure. Its tests are IGT
 * tests (igt-tests/tests/drm_virtgpu_shrinker.c); it uses the same buffer
 * and content helpers, from igt-tests/lib/.
 *
 *   virtgpu-kit churn TOTAL_MIB BUF_MIB
 *                                      a DONTNEED buffer cache churning
 *                                      through TOTAL_MIB of buffers
 *   virtgpu-kit working-set TOTAL_MIB BUF_MIB
 *                                      an idle WILLNEED working set of
 *                                      TOTAL_MIB, every page with a unique
 *                                      pattern, read back and verified
 *   virtgpu-kit swap-in TOTAL_MIB BUF_MIB
 *                                      (make bench) evict TOTAL_MIB of idle
 *                                      buffers, push them out to swap, and
 *                                      time reading them back through mmap
 *   virtgpu-kit raw-read DEVICE TOTAL_MIB
 *                                      (make bench) the baseline: write
 *                                      TOTAL_MIB of the same patterns to a
 *                                      block device, time reading it back
 *   virtgpu-kit buffers COUNT KIB      COUNT buffers of KIB KiB each, all
 *                                      kept, filled and verified (a debug
 *                                      kernel's trackers under many objects)
 *   virtgpu-kit hot-set TOTAL_MIB HOT_MIB BUF_MIB FRAMES
 *                                      (make bench) TOTAL_MIB of buffers,
 *                                      of which HOT_MIB are used by the
 *                                      host every frame, under memory
 *                                      pressure: how often a hot buffer
 *                                      was evicted between two frames
 *
 * Each scenario prints one JSON object with its figures. They run the
 * same on a kernel without the kit: madvise is then skipped (the feature
 * parameter is absent), and the kernel's OOM killer or an allocation
 * failure ends them.
 */

#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "igt_gem_shrinker.h"
#include "igt_virtgpu.h"

static int fd;
static int has_madvise;

struct bo {
	uint32_t handle;
	size_t size;
	uint32_t *map;
};

static int bo_create(struct bo *bo, size_t size)
{
	bo->size = size;
	bo->map = NULL;
	return __igt_virtgpu_create(fd, size, &bo->handle);
}

static int bo_map(struct bo *bo)
{
	return __igt_virtgpu_mmap(fd, bo->handle, bo->size, &bo->map);
}

static void bo_unmap(struct bo *bo)
{
	if (bo->map)
		munmap(bo->map, bo->size);
	bo->map = NULL;
}

static void fill(struct bo *bo, uint32_t seed)
{
	igt_gem_shrinker_fill(bo->map, bo->size, seed);
}

static size_t mismatched_pages(struct bo *bo, uint32_t seed)
{
	return igt_gem_shrinker_bad_pages(bo->map, bo->size, seed);
}

static int madvise_bo(uint32_t handle, uint32_t madv, uint32_t pad, uint32_t *retained)
{
	return __igt_virtgpu_madvise(fd, handle, madv, pad, retained);
}

/* What a buffer holds: how to write it, and how to count the pages that lost it. */
struct content {
	void (*fill)(uint32_t *map, size_t size, uint32_t seed);
	size_t (*bad_pages)(const uint32_t *map, size_t size, uint32_t seed);
};

/* Every page unique, and very compressible (igt_gem_shrinker_fill()). */
static const struct content patterns = {
	.fill = igt_gem_shrinker_fill,
	.bad_pages = igt_gem_shrinker_bad_pages,
};

/*
 * Create buffers @bos[0..@n) of @size bytes, buffer i holding @c for
 * @seed + i. Returns how many were made; *@err is the error that stopped
 * it, if any.
 */
static size_t make_filled(struct bo *bos, size_t n, size_t size, const struct content *c,
			  uint32_t seed, int *err)
{
	size_t i;

	for (i = 0; i < n; i++) {
		*err = bo_create(&bos[i], size);
		if (*err)
			break;
		*err = bo_map(&bos[i]);
		if (*err)
			break;
		c->fill(bos[i].map, bos[i].size, seed + i);
		bo_unmap(&bos[i]);
	}
	return i;
}

/* Pages of @bos[0..@n) that lost @c for @seed + i; stops at an error. */
static size_t verify_filled(struct bo *bos, size_t n, const struct content *c, uint32_t seed,
			    int *err)
{
	size_t i, bad = 0;

	for (i = 0; i < n && !*err; i++) {
		*err = bo_map(&bos[i]);
		if (!*err) {
			bad += c->bad_pages(bos[i].map, bos[i].size, seed + i);
			bo_unmap(&bos[i]);
		}
	}
	return bad;
}

/* --- demo scenarios ----------------------------------------------------- */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * A buffer cache: allocate, fill and mark DONTNEED; every other round,
 * take one old buffer back (WILLNEED) as a cache would, and count whether
 * its content survived.
 */
static int churn(size_t total_mib, size_t buf_mib)
{
	size_t n = total_mib / buf_mib, i, allocated = 0, purged = 0, mismatches = 0;
	struct bo *bos = calloc(n, sizeof(*bos));
	double t0 = now();
	int err = 0;

	for (i = 0; i < n && !err; i++) {
		err = bo_create(&bos[i], buf_mib << 20);
		if (err || (err = bo_map(&bos[i])))
			break;
		fill(&bos[i], i);
		bo_unmap(&bos[i]);
		allocated += buf_mib;
		if (allocated % 64 == 0)
			printf("{\"progress_mib\": %zu}\n", allocated);
		if (has_madvise)
			madvise_bo(bos[i].handle, VIRTGPU_MADV_DONTNEED, 0, NULL);
		if (has_madvise && i % 2 && i >= 8) {
			size_t j = i - 8;
			uint32_t retained = 1;

			madvise_bo(bos[j].handle, VIRTGPU_MADV_WILLNEED, 0, &retained);
			if (!retained) {
				purged += buf_mib;
			} else if (!bo_map(&bos[j])) {
				mismatches += mismatched_pages(&bos[j], j);
				bo_unmap(&bos[j]);
			}
			madvise_bo(bos[j].handle, VIRTGPU_MADV_DONTNEED, 0, NULL);
		}
	}
	printf("{\"allocated_mib\": %zu, \"client_purged_mib\": %zu, \"mismatches\": %zu, "
	       "\"seconds\": %.1f, \"error\": %d}\n",
	       allocated, purged, mismatches, now() - t0, err);
	return err ? 1 : 0;
}

/* An idle working set, every page unique, then read back and verified. */
static int working_set(size_t total_mib, size_t buf_mib)
{
	size_t n = total_mib / buf_mib, i, allocated = 0, mismatches = 0;
	struct bo *bos = calloc(n, sizeof(*bos));
	double t0 = now();
	int err = 0;

	for (i = 0; i < n; i++) {
		err = bo_create(&bos[i], buf_mib << 20);
		if (err || (err = bo_map(&bos[i])))
			break;
		fill(&bos[i], 0x10000 + i);
		bo_unmap(&bos[i]);
		allocated += buf_mib;
		if (allocated % 64 == 0)
			printf("{\"progress_mib\": %zu}\n", allocated);
	}
	for (size_t j = 0; j < i && !err; j++) {
		err = bo_map(&bos[j]);
		if (err)
			break;
		mismatches += mismatched_pages(&bos[j], 0x10000 + j);
		bo_unmap(&bos[j]);
	}
	printf("{\"allocated_mib\": %zu, \"mismatches\": %zu, \"seconds\": %.1f, \"error\": %d}\n",
	       allocated, mismatches, now() - t0, err);
	return err ? 1 : 0;
}

/*
 * Many buffers at once: COUNT buffers of KIB KiB, each filled through a
 * mapping, all kept, then all verified. In a small guest, reclaim evicts
 * and swaps them in meanwhile; on the debug kernel, every allocation that
 * this makes is tracked by kmemleak, which must stay on (docs/igt.md).
 */
static int buffers(size_t count, size_t kib)
{
	struct bo *bos = calloc(count, sizeof(*bos));
	size_t made, mismatches = 0;
	double t0 = now();
	int err = 0;

	if (!bos) {
		fprintf(stderr, "buffers: no memory for %zu buffers\n", count);
		return 1;
	}
	made = make_filled(bos, count, kib << 10, &patterns, 0x40000, &err);
	if (!err)
		mismatches = verify_filled(bos, made, &patterns, 0x40000, &err);
	printf("{\"buffers\": %zu, \"mib\": %zu, \"mismatches\": %zu, \"seconds\": %.1f, "
	       "\"error\": %d}\n", made, made * kib >> 10, mismatches, now() - t0, err);
	free(bos);
	return err || mismatches ? 1 : 0;
}

/* --- make bench -------------------------------------------------------- */

#define SWAP_IN_ROUNDS 3

/* A /proc/meminfo field, in KiB (-1 if missing). */
static long meminfo_kib(const char *field)
{
	long v, found = -1;
	char key[64];
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld kB\n", key, &v) == 2)
		if (!strncmp(key, field, strlen(field)) && key[strlen(field)] == ':')
			found = v;
	fclose(f);
	return found;
}

/* Swap in use, in MiB. */
static long swap_used_mib(void)
{
	return (meminfo_kib("SwapTotal") - meminfo_kib("SwapFree")) >> 10;
}

/*
 * Touch anonymous memory in a child until @mib more MiB of swap are in
 * use (or @max_mib are touched), then let the child exit, which frees it.
 * The child is the one the OOM killer may take, never the caller.
 */
static void push_to_swap(long mib, size_t max_mib)
{
	long base = swap_used_mib();
	pid_t child = fork();

	if (child == 0) {
		FILE *adj = fopen("/proc/self/oom_score_adj", "w");

		if (adj) {
			fputs("1000\n", adj);
			fclose(adj);
		}
		for (size_t i = 0; i < max_mib; i++) {
			char *p;

			if (i % 16 == 0 && swap_used_mib() - base >= mib)
				break;
			p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				 -1, 0);
			if (p == MAP_FAILED)
				break;
			memset(p, (int)(i & 0x7f) | 1, 1 << 20);
		}
		_exit(0);
	}
	if (child > 0)
		waitpid(child, NULL, 0);
}

/*
 * The swap-in rate: TOTAL_MIB of idle buffers, each page with its own
 * pattern, evicted by the kit's scan and pushed out to zram swap by memory
 * pressure, then brought back by a transfer that needs them, through the
 * kit and the adapter, as any user of the buffers would; then verified.
 * With @to_swap false the evicted pages stay in the page cache: what is
 * left is the kit's, the adapter's and the host's share of the cost.
 * swapped_out_mib is how much swap memory pressure filled before the last
 * round (the buffers' pages and some of the pressing child's).
 */
static int swap_in(size_t total_mib, size_t buf_mib, bool to_swap)
{
	size_t n = total_mib / buf_mib, i, mismatches = 0;
	struct bo *bos = calloc(n, sizeof(*bos));
	double t0, seconds, best = 0;
	long before, swapped = 0;
	int err = 0, round;

	make_filled(bos, n, buf_mib << 20, &patterns, 0x20000, &err);
	/* TCG timings move by 10-30% from run to run: the best of a few. */
	for (round = 0; round < SWAP_IN_ROUNDS && !err; round++) {
		err = __igt_gem_shrinker_kit_scan(fd, total_mib << 8);
		before = swap_used_mib();
		if (!err && to_swap)
			push_to_swap(total_mib, 4096);
		swapped = swap_used_mib() - before;
		/*
		 * A 1x1 transfer needs the whole buffer resident: the ioctl
		 * swaps it in (pages from swap, then RESOURCE_ATTACH_BACKING)
		 * and copies one pixel. No page faults in the measurement.
		 */
		t0 = now();
		for (i = 0; i < n && !err; i++)
			err = __igt_virtgpu_transfer_box_to_host(fd, bos[i].handle, 1, 1);
		seconds = now() - t0;
		if (!err && (best == 0 || seconds < best))
			best = seconds;
		/* Idle again, so that the next round's scan evicts every buffer. */
		for (i = 0; i < n && !err; i++)
			err = __igt_virtgpu_wait(fd, bos[i].handle);
		mismatches += verify_filled(bos, n, &patterns, 0x20000, &err);
	}
	printf("{\"read_mib\": %zu, \"rounds\": %d, \"swapped_out_mib\": %ld, \"seconds\": %.3f, "
	       "\"mib_per_s\": %.1f, \"mismatches\": %zu, \"error\": %d}\n",
	       total_mib, round, swapped, best, best > 0 ? total_mib / best : 0.0, mismatches, err);
	return err || mismatches ? 1 : 0;
}

/*
 * The baseline for swap_in(): TOTAL_MIB of the same kind of patterns
 * written to a block device (a zram device like the swap one), then read
 * back with direct I/O, in 1 MiB and in 4 KiB reads; the best of as many
 * rounds as swap_in() takes.
 */
static int raw_read(const char *dev, size_t total_mib)
{
	int bfd = open(dev, O_RDWR | O_DIRECT | O_CLOEXEC);
	double t0, mib_s_1m = 0, mib_s_4k = 0;
	uint32_t *buf;
	int round;
	size_t i;

	if (bfd < 0 || posix_memalign((void **)&buf, 4096, 1 << 20)) {
		perror("virtgpu-kit: raw-read");
		return 1;
	}
	for (i = 0; i < total_mib; i++) {
		igt_gem_shrinker_fill(buf, 1 << 20, 0x20000 + i);
		if (pwrite(bfd, buf, 1 << 20, (off_t)i << 20) != 1 << 20) {
			perror("virtgpu-kit: raw-read: write");
			return 1;
		}
	}
	fsync(bfd);
	for (round = 0; round < SWAP_IN_ROUNDS; round++) {
		double t1m, t4k;

		t0 = now();
		for (i = 0; i < total_mib; i++)
			if (pread(bfd, buf, 1 << 20, (off_t)i << 20) != 1 << 20)
				return 1;
		t1m = now() - t0;
		t0 = now();
		for (i = 0; i < total_mib << 8; i++)
			if (pread(bfd, buf, 4096, (off_t)i << 12) != 4096)
				return 1;
		t4k = now() - t0;
		if (total_mib / t1m > mib_s_1m)
			mib_s_1m = total_mib / t1m;
		if (total_mib / t4k > mib_s_4k)
			mib_s_4k = total_mib / t4k;
	}
	printf("{\"read_mib\": %zu, \"mib_per_s_1m_reads\": %.1f, \"mib_per_s_4k_reads\": %.1f}\n",
	       total_mib, mib_s_1m, mib_s_4k);
	close(bfd);
	return 0;
}

/*
 * GPU use is use: TOTAL_MIB of buffers, of which the first HOT_MIB are
 * used by the host every frame (a 1x1 transfer each, as a renderer samples
 * its textures: the kernel swaps a buffer in for it, and the use is the
 * device's) and others picked at random, half as many per frame as there
 * are hot ones (textures streamed in now and then). Memory holds half of
 * the buffers: a first scan of the kit evicts the other half, and each
 * frame ends with a scan that evicts as much as the frame brought back, as
 * reclaim would to make room for it. A shrinker that counts the device's
 * use as use evicts the buffers used least recently; one that does not
 * takes the hot ones, which head its list because they never left memory.
 * Figures per frame, after two to settle: swap-ins during the hot
 * buffers' transfers (hot buffers evicted since the frame before), during
 * the others', and evictions.
 */
static int hot_set(size_t total_mib, size_t hot_mib, size_t buf_mib, int frames)
{
	size_t n = total_mib / buf_mib, hot = hot_mib / buf_mib, window = hot / 2;
	uint32_t pick = 0x30000;
	long long hot_in = 0, other_in = 0, evicted = 0, s0, s1, s2;
	struct bo *bos = calloc(n, sizeof(*bos));
	size_t i, mismatches = 0;
	double t0 = 0, seconds = 0;
	int err = 0, frame;

	if (!window || hot + window > n) {
		fprintf(stderr, "virtgpu-kit: hot-set: no room for a window of other buffers\n");
		return 2;
	}
	make_filled(bos, n, buf_mib << 20, &patterns, 0x30000, &err);
	if (!err)
		err = __igt_gem_shrinker_kit_scan(fd, ((n - n / 2) * buf_mib) << 8);
	for (frame = -2; frame < frames && !err; frame++) {
		if (frame == 0) {
			evicted = igt_gem_shrinker_kit_stat(fd, "evicted");
			t0 = now();
		}
		s0 = igt_gem_shrinker_kit_stat(fd, "swapped_in");
		for (i = 0; i < hot && !err; i++)
			err = __igt_virtgpu_transfer_box_to_host(fd, bos[i].handle, 1, 1);
		s1 = igt_gem_shrinker_kit_stat(fd, "swapped_in");
		for (i = 0; i < window && !err; i++) {
			/* The same picks on every kernel: a fixed LCG. */
			pick = pick * 1664525u + 1013904223u;
			err = __igt_virtgpu_transfer_box_to_host(fd, bos[hot + (pick >> 8) % (n - hot)].handle,
								 1, 1);
		}
		for (i = 0; i < n && !err; i++)
			err = __igt_virtgpu_wait(fd, bos[i].handle);
		s2 = igt_gem_shrinker_kit_stat(fd, "swapped_in");
		if (frame >= 0) {
			hot_in += s1 - s0;
			other_in += s2 - s1;
		}
		if (!err && s2 > s0)
			err = __igt_gem_shrinker_kit_scan(fd, ((s2 - s0) * buf_mib) << 8);
	}
	seconds = now() - t0;
	evicted = igt_gem_shrinker_kit_stat(fd, "evicted") - evicted;
	if (!err)
		mismatches = verify_filled(bos, n, &patterns, 0x30000, &err);
	printf("{\"total_mib\": %zu, \"hot_mib\": %zu, \"frames\": %d, "
	       "\"hot_swapins_per_frame\": %.2f, \"other_swapins_per_frame\": %.2f, "
	       "\"evictions_per_frame\": %.2f, \"ms_per_frame\": %.1f, \"mismatches\": %zu, "
	       "\"error\": %d}\n",
	       total_mib, hot * buf_mib, frames, (double)hot_in / frames,
	       (double)other_in / frames, (double)evicted / frames, seconds * 1000 / frames,
	       mismatches, err);
	return err || mismatches ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "raw-read"))
		return raw_read(argv[2], strtoul(argv[3], NULL, 0));
	fd = open("/dev/dri/card0", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		perror("virtgpu-kit: /dev/dri/card0");
		return 2;
	}
	has_madvise = igt_virtgpu_has_madvise(fd);
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (argc == 4 && !strcmp(argv[1], "churn"))
		return churn(strtoul(argv[2], NULL, 0), strtoul(argv[3], NULL, 0));
	if (argc == 4 && !strcmp(argv[1], "working-set"))
		return working_set(strtoul(argv[2], NULL, 0), strtoul(argv[3], NULL, 0));
	if (argc == 4 && !strcmp(argv[1], "swap-in"))
		return swap_in(strtoul(argv[2], NULL, 0), strtoul(argv[3], NULL, 0), true);
	if (argc == 4 && !strcmp(argv[1], "swap-in-from-page-cache"))
		return swap_in(strtoul(argv[2], NULL, 0), strtoul(argv[3], NULL, 0), false);
	if (argc == 4 && !strcmp(argv[1], "buffers"))
		return buffers(strtoul(argv[2], NULL, 0), strtoul(argv[3], NULL, 0));
	if (argc == 6 && !strcmp(argv[1], "hot-set"))
		return hot_set(strtoul(argv[2], NULL, 0), strtoul(argv[3], NULL, 0),
			       strtoul(argv[4], NULL, 0), atoi(argv[5]));
	fprintf(stderr, "usage: virtgpu-kit churn TOTAL_MIB BUF_MIB | working-set TOTAL_MIB BUF_MIB |\n"
		"       swap-in TOTAL_MIB BUF_MIB | swap-in-from-page-cache TOTAL_MIB BUF_MIB |\n"
		"       raw-read DEVICE TOTAL_MIB | buffers COUNT KIB |\n"
		"       hot-set TOTAL_MIB HOT_MIB BUF_MIB FRAMES\n");
	return 2;
}
