// SPDX-License-Identifier: GPL-2.0
/*
 * virtgpu-stress: make stress's client. Several processes use virtio-gpu
 * buffers the way careless programs do, all at once, while another forces
 * the kit's scans and another presses on memory:
 *
 *   virtgpu-stress SECONDS WORKERS PRESSURE_MIB
 *
 * Each worker owns up to MAX_BOS buffers of 1 to 16 pages and, until the
 * deadline, picks at random: create one (and fill it), close one, map one
 * and keep the mapping, unmap one, write new content, verify content,
 * madvise DONTNEED or WILLNEED, transfer one to the host, export one as a
 * dma-buf (and close the fd). Every page of a buffer names its buffer, its
 * page index and the generation of its content, so a page that comes back
 * from swap wrong, or at the wrong place, is counted. At the deadline every
 * buffer is taken back WILLNEED and every retained one is verified whole.
 *
 * Fault injection (set up by the guest's payload) may make any allocation
 * in the driver fail for the workers, which mark themselves in
 * /proc/self/make-it-fail. Each call's errno is counted; an errno outside
 * what the uAPI documents for that call is an error of the run, as is a
 * SIGBUS on a buffer that was never DONTNEED, and a mismatch.
 *
 * Output: one "kit-stress: {json}" line per worker, and one for the whole
 * (the frame: igt-tests/lib/igt_gem_stress.c).
 */

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "igt_gem_shrinker.h"
#include "igt_gem_stress.h"
#include "igt_virtgpu.h"

#define PAGE_BYTES 4096u
#define MAX_BOS 32
#define MAX_PAGES 16

enum op {
	OP_TRANSFER = GEM_STRESS_COMMON_OPS, OP_EXPORT, NR_OPS,
};

static const char *const op_name[NR_OPS] = {
	GEM_STRESS_COMMON_OP_NAMES, "transfer", "export",
};

/*
 * What virtio-gpu's uAPI (virtgpu_drm.h) documents beyond every driver's
 * errnos (gem_stress_documented()): ENODATA for a transfer or an export of
 * a purged buffer, and from a transfer EBUSY/ETIMEDOUT for a host command
 * that did not complete and ENOENT (virtio-gpu reports a failed allocation
 * of its object array as an unknown handle).
 */
static bool errno_documented(int op, int err)
{
	switch (err) {
	case ENODATA:
		return op == OP_TRANSFER || op == OP_EXPORT;
	case EBUSY:
	case ETIMEDOUT:
	case ENOENT:
		return op == OP_TRANSFER;
	default:
		return false;
	}
}

struct bo {
	struct gem_stress_buffer b;
	uint32_t handle;
};

struct worker {
	struct gem_stress_worker base;
	struct bo bo[MAX_BOS];
};

static const struct gem_stress_driver virtio_gpu;

static int count(struct worker *w, int op, const struct bo *bo, int ret)
{
	return gem_stress_count(&w->base, op, bo ? &bo->b : NULL, ret);
}

static int bo_map(struct worker *w, struct bo *bo)
{
	if (bo->b.map)
		return 0;
	return gem_stress_map_result(&w->base, &bo->b,
				     __igt_virtgpu_mmap(w->base.fd, bo->handle,
							bo->b.pages * PAGE_BYTES, &bo->b.map));
}

static void bo_unmap(struct worker *w, struct bo *bo)
{
	if (!bo->b.map)
		return;
	count(w, GEM_STRESS_UNMAP, bo, munmap(bo->b.map, bo->b.pages * PAGE_BYTES) ? -errno : 0);
	bo->b.map = NULL;
}

static void bo_write(struct worker *w, struct bo *bo)
{
	if (!bo->b.lost && !bo_map(w, bo))
		gem_stress_write(&w->base, &bo->b);
}

static void bo_verify(struct worker *w, struct bo *bo)
{
	if (bo->b.known && !bo->b.dontneed && !bo->b.lost && !bo_map(w, bo))
		gem_stress_verify(&w->base, &bo->b, NULL);
}

static void bo_create(struct worker *w, struct bo *bo)
{
	size_t pages = 1 + gem_stress_rnd(&w->base, MAX_PAGES);

	memset(bo, 0, sizeof(*bo));
	if (count(w, GEM_STRESS_CREATE, NULL,
		  __igt_virtgpu_create(w->base.fd, pages * PAGE_BYTES, &bo->handle))) {
		bo->handle = 0;
		return;
	}
	bo->b.pages = pages;
	bo_write(w, bo);
}

static void bo_close(struct worker *w, struct bo *bo)
{
	struct drm_gem_close c = { .handle = bo->handle };

	bo_unmap(w, bo);
	count(w, GEM_STRESS_CLOSE, bo, ioctl(w->base.fd, DRM_IOCTL_GEM_CLOSE, &c) ? -errno : 0);
	bo->handle = 0;
}

static void bo_madvise(struct worker *w, struct bo *bo, bool dontneed)
{
	uint32_t retained = 1;

	if (!count(w, dontneed ? GEM_STRESS_DONTNEED : GEM_STRESS_WILLNEED, bo,
		   __igt_virtgpu_madvise(w->base.fd, bo->handle,
					 dontneed ? VIRTGPU_MADV_DONTNEED : VIRTGPU_MADV_WILLNEED,
					 0, &retained)))
		gem_stress_advised(&w->base, &bo->b, dontneed, retained);
}

static void bo_transfer(struct worker *w, struct bo *bo)
{
	int ret = __igt_virtgpu_transfer_to_host(w->base.fd, bo->handle,
						 bo->b.pages * PAGE_BYTES);

	/* -ENODATA is the documented answer only for a purged buffer. */
	if (ret == -ENODATA && !bo->b.dontneed && !bo->b.lost)
		ret = -EBADMSG;
	count(w, OP_TRANSFER, bo, ret);
}

static void bo_export(struct worker *w, struct bo *bo)
{
	struct drm_prime_handle prime = { .handle = bo->handle, .flags = DRM_CLOEXEC };

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

	if (!bo->handle) {
		bo_create(w, bo);
		return;
	}
	if (r < 4)
		bo_close(w, bo);
	else if (r < 20)
		bo_map(w, bo);
	else if (r < 30)
		bo_unmap(w, bo);
	else if (r < 45)
		bo_write(w, bo);
	else if (r < 65)
		bo_verify(w, bo);
	else if (r < 73)
		bo_madvise(w, bo, true);
	else if (r < 85)
		bo_madvise(w, bo, false);
	else if (r < 99)
		bo_transfer(w, bo);
	else
		bo_export(w, bo);
}

static int open_card(void)
{
	int fd = open("/dev/dri/card0", O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static void *worker_new(int fd, int id, struct gem_stress_counts *c)
{
	struct worker *w = calloc(1, sizeof(*w));

	if (w)
		gem_stress_worker_init(&w->base, &virtio_gpu, fd, id, c);
	return w;
}

/* The end: everything back WILLNEED, every retained buffer verified whole. */
static void finish(void *p)
{
	struct worker *w = p;

	for (int i = 0; i < MAX_BOS; i++) {
		struct bo *bo = &w->bo[i];

		if (!bo->handle)
			continue;
		bo_madvise(w, bo, false);
		bo_verify(w, bo);
		bo_close(w, bo);
	}
	free(w);
}

static const struct gem_stress_driver virtio_gpu = {
	.name = "virtio-gpu",
	.client = "virtgpu-stress",
	.nr_ops = NR_OPS,
	.op_name = op_name,
	.documented = errno_documented,
	.open = open_card,
	.usable = igt_virtgpu_has_madvise,
	.worker_new = worker_new,
	.step = step,
	.finish = finish,
};

int main(int argc, char **argv)
{
	return gem_stress_main(&virtio_gpu, argc, argv);
}
