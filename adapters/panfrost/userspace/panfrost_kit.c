// SPDX-License-Identifier: GPL-2.0
/*
 * panfrost-kit: the demo's client of panfrost (the simulated Mali in the
 * guests), putting the GEM shmem shrinker under real memory pressure as
 * Mesa's panfrost driver would. Its tests are IGT tests
 * (igt-tests/tests/panfrost/panfrost_shrinker.c); it uses the same buffer,
 * content and job helpers, from igt-tests/lib/.
 *
 *   panfrost-kit cache TOTAL_MIB BUF_MIB
 *                    a BO cache as Mesa's (panfrost_bo_cache_put/fetch):
 *                    every buffer is written by the CPU and by a job, then
 *                    freed into the cache (DONTNEED) as TOTAL_MIB go by;
 *                    every other round one cached buffer is taken back
 *                    (WILLNEED): a purged one is closed, a retained one
 *                    is verified and put back; at the end every cached
 *                    buffer is taken back, and client_purged_mib says how
 *                    much the kernel had purged (stock panfrost has no
 *                    counter of its own)
 *   panfrost-kit working-set TOTAL_MIB BUF_MIB
 *                    idle WILLNEED working sets of TOTAL_MIB in all, of
 *                    CLIENTS programs (DRM files) one after the other:
 *                    the CPU fills every page, a job writes a value into
 *                    each buffer; then, program by program, a second job
 *                    writes into each buffer again, and the CPU reads
 *                    every page and value back
 *
 * Each buffer's first page holds what jobs write (64-bit values at known
 * offsets); the other pages hold a pattern unique to the page. Jobs are
 * WRITE_VALUE chains in a small buffer of their own, and list in
 * bo_handles the buffers they write. A job may use any buffer of its file
 * (Mesa's habit), so the kit brings all of a file's evicted buffers back
 * before it runs: one program's working set must fit in memory, while
 * several programs' together need not. Each scenario prints one JSON
 * object with its figures. Both run the same on stock panfrost: its shrinker
 * purges DONTNEED buffers only, and the kernel's OOM killer or an
 * allocation failure ends a working set larger than memory.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "igt.h"
#include "igt_gem_shrinker.h"
#include "igt_panfrost_job.h"

#define PAGE 4096u
/* One chain writes into this many buffers, one WRITE_VALUE job each. */
#define CHAIN 16u
/* Where in a buffer's first page the jobs write. */
#define FIRST_VALUE 0
#define SECOND_VALUE 8
/* The working set's programs. */
#define CLIENTS 4

/* A program using the GPU: its DRM file, and the buffer of its jobs. */
struct client {
	int fd;
	struct panfrost_bo jobs;
};

/* Say which call failed (the demo shows it beside the figures); returns @err. */
static int failed(const char *what, int err)
{
	if (err)
		fprintf(stderr, "panfrost-kit: %s: %s\n", what, strerror(-err));
	return err;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The value the job of round @round writes into buffer @seed. */
static uint64_t value(uint32_t seed, unsigned int round)
{
	return 0x9a4f000000000000ull | (uint64_t)round << 32 | seed;
}

/*
 * One job per buffer of @bos[0..@n) (n <= CHAIN), each writing
 * value(@seeds[i], @round) at @offset of its buffer's first page, in one
 * chain, one submit listing them; then wait for it. Returns 0 or -errno.
 */
static int write_values(struct client *c, struct panfrost_bo **bos, const uint32_t *seeds,
			unsigned int n, size_t offset, unsigned int round)
{
	struct panfrost_bo *jobs = &c->jobs;
	int fd = c->fd;
	uint32_t handles[CHAIN + 1];
	uint32_t sync;
	uint64_t jc = 0;
	int err = 0;

	if (!jobs->map)
		err = failed("mmap of the job buffer", __pan_bo_mmap(fd, jobs));
	if (err)
		return err;
	for (unsigned int i = n; i-- > 0;) {
		jc = pan_job_write_value(jobs, i, bos[i]->offset + offset, value(seeds[i], round),
					 jc);
		handles[i] = bos[i]->handle;
	}
	handles[n] = jobs->handle;
	sync = pan_syncobj_create(fd);
	err = failed("submit", __pan_submit(fd, jc, handles, n + 1, 0, sync));
	if (!err && !pan_syncobj_wait(fd, sync, 30000000000ll))
		err = failed("the job did not end in 30 s", -ETIME);
	pan_syncobj_destroy(fd, sync);
	for (unsigned int i = 0; i < n && !err; i++)
		if (pan_job_header(jobs, i)->exception_status != 1)
			err = failed("the job faulted", -EIO);
	return err;
}

/* A new buffer of @size bytes, its pages 1.. filled by the CPU for @seed. */
static int make_buffer(struct client *c, struct panfrost_bo *bo, size_t size, uint32_t seed)
{
	int err = failed("create", __pan_bo_new(c->fd, size, PANFROST_BO_NOEXEC, bo));

	if (err)
		return err;
	err = failed("mmap", __pan_bo_mmap(c->fd, bo));
	if (err)
		return err;
	igt_gem_shrinker_fill_at((uint32_t *)((char *)bo->map + PAGE), 1, size / PAGE - 1, seed);
	pan_bo_unmap(bo);
	return 0;
}

/*
 * Pages of @bo that lost their content: the pattern of pages 1.., and
 * page 0 if a job's value (rounds 0 to @rounds - 1) is not where it was
 * written.
 */
static size_t bad_pages(struct client *c, struct panfrost_bo *bo, uint32_t seed,
			unsigned int rounds, int *err)
{
	static const size_t offsets[] = { FIRST_VALUE, SECOND_VALUE };
	size_t bad;

	*err = failed("mmap for reading", __pan_bo_mmap(c->fd, bo));
	if (*err)
		return 0;
	bad = igt_gem_shrinker_bad_pages_at((uint32_t *)((char *)bo->map + PAGE), 1,
					    bo->size / PAGE - 1, seed);
	for (unsigned int r = 0; r < rounds; r++)
		if (*(volatile uint64_t *)((char *)bo->map + offsets[r]) != value(seed, r)) {
			bad++;
			break;
		}
	pan_bo_unmap(bo);
	return bad;
}

/* The first line of a JSON report; the caller adds its own fields. */
static void report(const char *extra, size_t allocated, size_t mismatches, double t0, int err)
{
	printf("{\"allocated_mib\": %zu, %s\"mismatches\": %zu, \"seconds\": %.1f, \"error\": %d}\n",
	       allocated, extra, mismatches, now() - t0, err);
}

/*
 * Mesa's BO cache under pressure. Buffer i is made, filled by the CPU,
 * written by a job (value round 0) and put in the cache (DONTNEED); every
 * other round from the ninth on, buffer i - 8 is fetched back (WILLNEED):
 * purged, it is closed, as Mesa frees a purged BO; retained, its content
 * and value are verified and it goes back to the cache.
 */
static int cache(struct client *c, size_t total_mib, size_t buf_mib)
{
	int fd = c->fd;
	size_t n = total_mib / buf_mib, i, allocated = 0, purged = 0, mismatches = 0;
	struct panfrost_bo *bos = calloc(n, sizeof(*bos));
	uint32_t seed;
	double t0 = now();
	int err = 0;
	char extra[64];

	for (i = 0; i < n && !err; i++) {
		struct panfrost_bo *bo = &bos[i];

		seed = 0x50000 + i;
		err = make_buffer(c, bo, buf_mib << 20, seed);
		if (!err)
			err = write_values(c, &bo, &seed, 1, FIRST_VALUE, 0);
		if (err)
			break;
		allocated += buf_mib;
		if (allocated % 64 == 0)
			printf("{\"progress_mib\": %zu}\n", allocated);
		err = failed("madvise", __pan_madvise(fd, bo->handle, PANFROST_MADV_DONTNEED, NULL));
		if (!err && i % 2 && i >= 8 && bos[i - 8].handle) {
			struct panfrost_bo *old = &bos[i - 8];
			uint32_t retained = 0;

			err = failed("madvise", __pan_madvise(fd, old->handle, PANFROST_MADV_WILLNEED,
							  &retained));
			if (err)
				break;
			if (!retained) {
				purged += buf_mib;
				pan_bo_close(fd, old);
				continue;
			}
			mismatches += bad_pages(c, old, 0x50000 + i - 8, 1, &err);
			if (!err)
				err = failed("madvise", __pan_madvise(fd, old->handle,
								      PANFROST_MADV_DONTNEED, NULL));
		}
	}
	/* The end: every buffer still cached taken back, as the cache would. */
	for (size_t j = 0; j < i && !err; j++) {
		uint32_t retained = 1;

		if (!bos[j].handle)
			continue;
		err = failed("madvise", __pan_madvise(fd, bos[j].handle, PANFROST_MADV_WILLNEED,
						      &retained));
		purged += retained ? 0 : buf_mib;
	}
	snprintf(extra, sizeof(extra), "\"client_purged_mib\": %zu, ", purged);
	report(extra, allocated, mismatches, t0, err);
	return err ? 1 : 0;
}

/*
 * Idle working sets: CLIENTS programs, each with its share of TOTAL_MIB in
 * buffers, every buffer filled by the CPU and written by a job (round 0);
 * then each program in turn writes into each of its buffers by a job again
 * (round 1: its buffers evicted meanwhile come back for its jobs); then
 * all are read back by the CPU.
 */
static int working_set(struct client *clients, size_t total_mib, size_t buf_mib)
{
	size_t per = total_mib / buf_mib / CLIENTS, made[CLIENTS] = { 0 };
	size_t allocated = 0, mismatches = 0;
	struct panfrost_bo *bos = calloc(per * CLIENTS, sizeof(*bos));
	struct panfrost_bo *chain[CHAIN];
	uint32_t seeds[CHAIN];
	double t0 = now();
	int err = 0;

	for (unsigned int round = 0; round < 2 && !err; round++) {
		for (unsigned int c = 0; c < CLIENTS && !err; c++) {
			for (size_t i = 0; i < per && !err; i += CHAIN) {
				unsigned int k;

				for (k = 0; k < CHAIN && i + k < per && !err; k++) {
					seeds[k] = 0x60000 + c * per + i + k;
					chain[k] = &bos[c * per + i + k];
					if (round == 0) {
						err = make_buffer(&clients[c], chain[k], buf_mib << 20,
								  seeds[k]);
						made[c] += !err;
					}
				}
				if (!err)
					err = write_values(&clients[c], chain, seeds, k,
							   round ? SECOND_VALUE : FIRST_VALUE, round);
				if (round == 0 && !err) {
					allocated += k * buf_mib;
					printf("{\"progress_mib\": %zu}\n", allocated);
				}
			}
		}
	}
	for (unsigned int c = 0; c < CLIENTS; c++)
		for (size_t i = 0; i < made[c] && !err; i++)
			mismatches += bad_pages(&clients[c], &bos[c * per + i], 0x60000 + c * per + i,
						2, &err);
	report("", allocated, mismatches, t0, err);
	return err ? 1 : 0;
}

/* A program: its own DRM file of the panfrost device, and a job buffer. */
static int client_open(struct client *c)
{
	int err;

	c->fd = __pan_open_panfrost();
	if (c->fd < 0) {
		fprintf(stderr, "panfrost-kit: no panfrost device (mali_sim.enable=1?)\n");
		return c->fd;
	}
	err = __pan_bo_new(c->fd, CHAIN * PAN_JOB_STRIDE > PAGE ? CHAIN * PAN_JOB_STRIDE : PAGE,
			   0, &c->jobs);
	return failed("the job buffer", err);
}

int main(int argc, char **argv)
{
	struct client clients[CLIENTS];

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int c = 0; c < CLIENTS; c++)
		if (client_open(&clients[c]))
			return 2;
	if (argc == 4 && !strcmp(argv[1], "cache"))
		return cache(&clients[0], strtoul(argv[2], NULL, 0), strtoul(argv[3], NULL, 0));
	if (argc == 4 && !strcmp(argv[1], "working-set"))
		return working_set(clients, strtoul(argv[2], NULL, 0), strtoul(argv[3], NULL, 0));
	fprintf(stderr, "usage: panfrost-kit cache TOTAL_MIB BUF_MIB | working-set TOTAL_MIB BUF_MIB\n");
	return 2;
}
