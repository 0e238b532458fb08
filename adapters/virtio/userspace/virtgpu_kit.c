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
 *
 * Each scenario prints one JSON object with its figures. They run the
 * same on a kernel without the kit: madvise is then skipped (the feature
 * parameter is absent), and the kernel's OOM killer or an allocation
 * failure ends them.
 */

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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

int main(int argc, char **argv)
{
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
	fprintf(stderr, "usage: virtgpu-kit churn TOTAL_MIB BUF_MIB | working-set TOTAL_MIB BUF_MIB\n");
	return 2;
}
