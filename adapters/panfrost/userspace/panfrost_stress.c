// SPDX-License-Identifier: GPL-2.0
/*
 * panfrost-stress: make stress's client for panfrost (the simulated Mali
 * in the guest). Several processes use panfrost BOs the way careless
 * programs do, all at once, while another forces the kit's scans and
 * another presses on memory (the frame: igt-tests/lib/igt_gem_stress.c):
 *
 *   panfrost-stress SECONDS WORKERS PRESSURE_MIB
 *
 * Each worker owns up to MAX_BOS BOs of 1 to 16 pages and, until the
 * deadline, picks at random: create one (and fill it), close one, map one
 * and keep the mapping, unmap one, write new content, verify content,
 * madvise DONTNEED or WILLNEED, export one as a dma-buf (and close the
 * fd), and submit a job that writes a 64-bit value into one of its pages:
 * listed in bo_handles or not (Mesa's habit), waited for at once or left
 * running while the worker goes on (and may close or advise the BO
 * meanwhile, if the job lists it). Jobs only write into WILLNEED BOs, and
 * a BO that a running job uses without listing it is neither closed nor
 * advised DONTNEED, as a program that keeps its promises would. Every
 * page of a BO names its BO, its index and the generation of its content,
 * and the values jobs wrote are checked where they were written, so a
 * page that comes back from swap wrong, at the wrong place, or without
 * what the GPU wrote is counted, and so is a job that faulted or did not
 * end.
 *
 * Errnos outside what the uAPI documents for a call (panfrost's add
 * nothing to every driver's: gem_stress_documented()), a SIGBUS on a BO
 * that was never DONTNEED, and a mismatch are errors of the run.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "igt.h"
#include "igt_gem_shrinker.h"
#include "igt_gem_stress.h"
#include "igt_panfrost_job.h"

#define PAGE_BYTES 4096u
#define MAX_BOS 32
#define MAX_PAGES 16
/*
 * Where in a page a job writes its 64-bit value: words 2 and 3, clear of
 * word 1, which bo_write() stores to on a DONTNEED BO.
 */
#define GPU_VALUE_OFFSET 8u
/* How long a job may take on a loaded guest before it counts as hung. */
#define JOB_TIMEOUT_NS 30000000000ll

enum op {
	OP_SUBMIT = GEM_STRESS_COMMON_OPS, OP_EXPORT, NR_OPS,
};

static const char *const op_name[NR_OPS] = {
	GEM_STRESS_COMMON_OP_NAMES, "submit", "export",
};

struct bo {
	struct gem_stress_buffer b;
	struct panfrost_bo pan;		/* its map is b.map's */
	uint64_t gpu[MAX_PAGES];	/* what a job wrote into each page (0: none) */
	bool job_pending;		/* a job writes into it, nobody waited for it yet */
	int job_page;			/* where that job writes */
	uint64_t job_value;
	bool job_listed;		/* whether that job lists it in bo_handles */
};

struct worker {
	struct gem_stress_worker base;
	struct bo bo[MAX_BOS];
	/* Job descriptors, one slot per BO index; the job still using a slot. */
	struct panfrost_bo jobs;
	uint32_t slot_sync[MAX_BOS];
};

static const struct gem_stress_driver panfrost;

static int count(struct worker *w, int op, const struct bo *bo, int ret)
{
	return gem_stress_count(&w->base, op, bo ? &bo->b : NULL, ret);
}

static int slot_of(struct worker *w, struct bo *bo)
{
	return bo - w->bo;
}

/* Wait for the job still using @slot, if any; false if it did not end. */
static bool slot_wait(struct worker *w, int slot)
{
	bool ended;

	if (!w->slot_sync[slot])
		return true;
	ended = pan_syncobj_wait(w->base.fd, w->slot_sync[slot], JOB_TIMEOUT_NS);
	pan_syncobj_destroy(w->base.fd, w->slot_sync[slot]);
	w->slot_sync[slot] = 0;
	return ended;
}

/*
 * Before the CPU uses @bo, wait for the job writing into it, as a program
 * would; the job must have ended without a fault, and what it wrote
 * becomes part of the expected content.
 */
static void bo_sync(struct worker *w, struct bo *bo)
{
	int slot = slot_of(w, bo);

	if (!bo->job_pending)
		return;
	bo->job_pending = false;
	if (!slot_wait(w, slot) || pan_job_header(&w->jobs, slot)->exception_status != 1) {
		w->base.c->mismatches++;	/* a job that faulted or never ended */
		bo->b.known = false;
		return;
	}
	bo->gpu[bo->job_page] = bo->job_value;
}

/*
 * A job that does not list @bo in bo_handles holds neither the BO nor a
 * fence on it: closing it or advising it DONTNEED meanwhile would let the
 * GPU write into freed or purged memory, on any kernel (a broken promise,
 * not what a careless but correct program does). Wait for such a job
 * first; a listed one keeps the BO and its fence, and goes on running.
 */
static void bo_sync_unlisted(struct worker *w, struct bo *bo)
{
	if (bo->job_pending && !bo->job_listed)
		bo_sync(w, bo);
}

static int bo_map(struct worker *w, struct bo *bo)
{
	int ret;

	if (bo->b.map)
		return 0;
	ret = gem_stress_map_result(&w->base, &bo->b, __pan_bo_mmap(w->base.fd, &bo->pan));
	bo->b.map = ret ? NULL : bo->pan.map;
	return ret;
}

static void bo_unmap(struct worker *w, struct bo *bo)
{
	if (!bo->b.map)
		return;
	w->base.c->calls[GEM_STRESS_UNMAP]++;
	pan_bo_unmap(&bo->pan);
	bo->b.map = NULL;
}

/* The content @bo must hold: the CPU's pattern with the jobs' values over it. */
static uint32_t *expected(const struct bo *bo)
{
	size_t size = bo->b.pages * PAGE_BYTES;
	uint32_t *tmp = malloc(size);

	if (!tmp)
		return NULL;
	igt_gem_shrinker_fill(tmp, size, bo->b.seed);
	for (size_t p = 0; p < bo->b.pages; p++)
		if (bo->gpu[p])
			memcpy((char *)tmp + p * PAGE_BYTES + GPU_VALUE_OFFSET, &bo->gpu[p],
			       sizeof(bo->gpu[p]));
	return tmp;
}

static void bo_write(struct worker *w, struct bo *bo)
{
	bo_sync(w, bo);
	if (!bo->b.lost && !bo_map(w, bo) && gem_stress_write(&w->base, &bo->b))
		memset(bo->gpu, 0, sizeof(bo->gpu));
}

static void bo_verify(struct worker *w, struct bo *bo)
{
	uint32_t *want;

	bo_sync(w, bo);
	if (!bo->b.known || bo->b.dontneed || bo->b.lost || bo_map(w, bo))
		return;
	want = expected(bo);
	if (want)
		gem_stress_verify(&w->base, &bo->b, want);
	free(want);
}

static void bo_create(struct worker *w, struct bo *bo)
{
	size_t pages = 1 + gem_stress_rnd(&w->base, MAX_PAGES);

	memset(bo, 0, sizeof(*bo));
	if (count(w, GEM_STRESS_CREATE, NULL,
		  __pan_bo_new(w->base.fd, pages * PAGE_BYTES, PANFROST_BO_NOEXEC, &bo->pan))) {
		bo->pan.handle = 0;
		return;
	}
	bo->b.pages = pages;
	bo_write(w, bo);
}

/* Close @bo; a job still writing into it keeps it alive until it ends. */
static void bo_close(struct worker *w, struct bo *bo)
{
	struct drm_gem_close c = { .handle = bo->pan.handle };

	bo_sync_unlisted(w, bo);
	bo_unmap(w, bo);
	count(w, GEM_STRESS_CLOSE, bo, ioctl(w->base.fd, DRM_IOCTL_GEM_CLOSE, &c) ? -errno : 0);
	bo->pan.handle = 0;
	bo->job_pending = false;
}

static void bo_madvise(struct worker *w, struct bo *bo, bool dontneed)
{
	uint32_t retained = 1;

	if (dontneed)
		bo_sync_unlisted(w, bo);
	if (!count(w, dontneed ? GEM_STRESS_DONTNEED : GEM_STRESS_WILLNEED, bo,
		   __pan_madvise(w->base.fd, bo->pan.handle,
				 dontneed ? PANFROST_MADV_DONTNEED : PANFROST_MADV_WILLNEED,
				 &retained)))
		gem_stress_advised(&w->base, &bo->b, dontneed, retained);
}

/*
 * A job that writes a new value into one of @bo's pages, with
 * @bo in bo_handles or not; waited for now, or left running (bo_sync()
 * waits before the CPU next uses @bo).
 */
static void bo_submit(struct worker *w, struct bo *bo)
{
	int slot = slot_of(w, bo);
	uint32_t handles[2] = { w->jobs.handle, bo->pan.handle };
	uint64_t value, jc;
	uint32_t sync;
	int page, ret;
	bool listed;

	bo_sync(w, bo);
	if (!bo->b.known || bo->b.dontneed || bo->b.lost)
		return;
	if (!slot_wait(w, slot)) {
		w->base.c->mismatches++;
		return;
	}
	page = gem_stress_rnd(&w->base, bo->b.pages);
	value = (uint64_t)gem_stress_next_seed(&w->base) << 32 | 0x6a0b0000u | page;
	jc = pan_job_write_value(&w->jobs, slot,
				 bo->pan.offset + page * PAGE_BYTES + GPU_VALUE_OFFSET, value, 0);
	sync = pan_syncobj_create(w->base.fd);
	listed = gem_stress_rnd(&w->base, 2);
	ret = count(w, OP_SUBMIT, bo, __pan_submit(w->base.fd, jc, handles, 1 + listed, 0, sync));
	if (ret) {
		pan_syncobj_destroy(w->base.fd, sync);
		return;
	}
	w->slot_sync[slot] = sync;
	bo->job_pending = true;
	bo->job_page = page;
	bo->job_value = value;
	bo->job_listed = listed;
	if (gem_stress_rnd(&w->base, 2))
		bo_sync(w, bo);
}

static void bo_export(struct worker *w, struct bo *bo)
{
	struct drm_prime_handle prime = { .handle = bo->pan.handle, .flags = DRM_CLOEXEC };

	if (!count(w, OP_EXPORT, bo,
		   ioctl(w->base.fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &prime) ? -errno : 0)) {
		close(prime.fd);
		bo->b.exported = true;
	}
}

static void step(void *p)
{
	struct worker *w = p;
	struct bo *bo = &w->bo[gem_stress_rnd(&w->base, MAX_BOS)];
	unsigned int r = gem_stress_rnd(&w->base, 100);

	if (!bo->pan.handle) {
		bo_create(w, bo);
		return;
	}
	if (r < 4)
		bo_close(w, bo);
	else if (r < 18)
		bo_map(w, bo);
	else if (r < 28)
		bo_unmap(w, bo);
	else if (r < 40)
		bo_write(w, bo);
	else if (r < 58)
		bo_verify(w, bo);
	else if (r < 66)
		bo_madvise(w, bo, true);
	else if (r < 78)
		bo_madvise(w, bo, false);
	else if (r < 99)
		bo_submit(w, bo);
	else
		bo_export(w, bo);
}

static void *worker_new(int fd, int id, struct gem_stress_counts *c)
{
	struct worker *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	gem_stress_worker_init(&w->base, &panfrost, fd, id, c);
	if (__pan_bo_new(fd, MAX_BOS * PAN_JOB_STRIDE, 0, &w->jobs) ||
	    __pan_bo_mmap(fd, &w->jobs)) {
		free(w);
		return NULL;
	}
	return w;
}

/* The end: every job waited for, every BO back WILLNEED and verified whole. */
static void finish(void *p)
{
	struct worker *w = p;

	for (int i = 0; i < MAX_BOS; i++) {
		struct bo *bo = &w->bo[i];

		if (bo->pan.handle) {
			bo_madvise(w, bo, false);
			bo_verify(w, bo);
			bo_close(w, bo);
		}
		if (!slot_wait(w, i))
			w->base.c->mismatches++;
	}
	pan_bo_close(w->base.fd, &w->jobs);
	free(w);
}

static const struct gem_stress_driver panfrost = {
	.name = "panfrost",
	.client = "panfrost-stress",
	.nr_ops = NR_OPS,
	.op_name = op_name,
	.open = __pan_open_panfrost,
	.worker_new = worker_new,
	.step = step,
	.finish = finish,
};

int main(int argc, char **argv)
{
	return gem_stress_main(&panfrost, argc, argv);
}
