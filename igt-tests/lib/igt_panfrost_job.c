// SPDX-License-Identifier: MIT
/*
 * Panfrost job chains built by hand: see igt_panfrost_job.h.
 */

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "igt.h"
#include "igt_gem_shrinker.h"
#include "igt_panfrost_job.h"

#define MALI_JOB_TYPE_NULL 1
#define MALI_JOB_TYPE_WRITE_VALUE 2
#define MALI_WRITE_VALUE_IMMEDIATE_64 7

struct mali_payload_write_value {
	uint64_t address;
	uint32_t type;
	uint32_t reserved;
	uint64_t immediate;
} __attribute__((packed));

struct mali_job_descriptor_header *pan_job_header(struct panfrost_bo *bo, unsigned int slot)
{
	igt_assert(bo->map);
	igt_assert((slot + 1) * PAN_JOB_STRIDE <= bo->size);
	return (struct mali_job_descriptor_header *)((char *)bo->map + slot * PAN_JOB_STRIDE);
}

static uint64_t pan_job(struct panfrost_bo *bo, unsigned int slot, unsigned int type, uint64_t next)
{
	struct mali_job_descriptor_header *h = pan_job_header(bo, slot);

	memset(h, 0, PAN_JOB_STRIDE);
	h->job_descriptor_size = 1;	/* 64-bit next_job */
	h->job_type = type;
	h->job_index = 1;
	h->next_job = next;
	return bo->offset + slot * PAN_JOB_STRIDE;
}

/**
 * pan_job_write_value() - a job that writes @value at GPU address @out
 * @bo: a mapped buffer of the file that will submit the job
 * @slot: where in @bo (in units of PAN_JOB_STRIDE)
 * @out: GPU virtual address to write the 64-bit value at
 * @value: the value
 * @next: the next job's GPU address, 0 to end the chain
 *
 * Returns the job's GPU address.
 */
uint64_t pan_job_write_value(struct panfrost_bo *bo, unsigned int slot, uint64_t out,
			     uint64_t value, uint64_t next)
{
	uint64_t jc = pan_job(bo, slot, MALI_JOB_TYPE_WRITE_VALUE, next);
	struct mali_payload_write_value *p = (void *)(pan_job_header(bo, slot) + 1);

	p->address = out;
	p->type = MALI_WRITE_VALUE_IMMEDIATE_64;
	p->immediate = value;
	return jc;
}

/* A job that does nothing but end (or lead to @next). */
uint64_t pan_job_null(struct panfrost_bo *bo, unsigned int slot, uint64_t next)
{
	return pan_job(bo, slot, MALI_JOB_TYPE_NULL, next);
}

uint32_t pan_syncobj_create(int fd)
{
	struct drm_syncobj_create c = {};

	do_ioctl(fd, DRM_IOCTL_SYNCOBJ_CREATE, &c);
	return c.handle;
}

void pan_syncobj_destroy(int fd, uint32_t syncobj)
{
	struct drm_syncobj_destroy d = { .handle = syncobj };

	do_ioctl(fd, DRM_IOCTL_SYNCOBJ_DESTROY, &d);
}

/*
 * DRM_IOCTL_SYNCOBJ_WAIT on @syncobj for at most @timeout_ns from now, with
 * @flags (DRM_SYNCOBJ_WAIT_FLAGS_*); returns 0 or -errno (-ETIME: not yet).
 */
int __pan_syncobj_wait(int fd, uint32_t syncobj, int64_t timeout_ns, uint32_t flags)
{
	struct drm_syncobj_wait w = {
		.handles = (uintptr_t)&syncobj,
		.count_handles = 1,
		.flags = flags,
	};
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	w.timeout_nsec = ts.tv_sec * 1000000000ll + ts.tv_nsec + timeout_ns;
	return igt_ioctl(fd, DRM_IOCTL_SYNCOBJ_WAIT, &w) ? -errno : 0;
}

/* Whether @syncobj signalled within @timeout_ns from now. */
bool pan_syncobj_wait(int fd, uint32_t syncobj, int64_t timeout_ns)
{
	int ret = __pan_syncobj_wait(fd, syncobj, timeout_ns,
				     DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT);

	if (!ret)
		return true;
	igt_assert_eq(ret, -ETIME);
	return false;
}

/* DRM_IOCTL_PANFROST_SUBMIT; returns 0 or -errno. */
int __pan_submit(int fd, uint64_t jc, const uint32_t *handles, unsigned int count,
		 uint32_t requirements, uint32_t out_sync)
{
	struct drm_panfrost_submit s = {
		.jc = jc,
		.bo_handles = (uintptr_t)handles,
		.bo_handle_count = count,
		.requirements = requirements,
		.out_sync = out_sync,
	};

	return igt_ioctl(fd, DRM_IOCTL_PANFROST_SUBMIT, &s) ? -errno : 0;
}

/*
 * DRM_IOCTL_PANFROST_SUBMIT with the arguments of a job IGT's library made.
 * libigt.so.0 1.27.1 allocates them as the struct was before jm_ctx_handle
 * and pad (40 bytes); the ioctl reads the size of the headers the tests are
 * built with, so they are copied into a whole, zeroed struct first.
 * Returns 0 or -errno.
 */
int __pan_submit_igt(int fd, struct panfrost_submit *submit)
{
	struct drm_panfrost_submit s = {};

	memcpy(&s, submit->args, offsetof(struct drm_panfrost_submit, jm_ctx_handle));
	return igt_ioctl(fd, DRM_IOCTL_PANFROST_SUBMIT, &s) ? -errno : 0;
}

void pan_submit_igt(int fd, struct panfrost_submit *submit)
{
	igt_assert_eq(__pan_submit_igt(fd, submit), 0);
}

/* Submit the chain at @jc and wait (10 s at most) for it to end. */
void pan_submit_and_wait(int fd, uint64_t jc, const uint32_t *handles, unsigned int count)
{
	uint32_t sync = pan_syncobj_create(fd);

	igt_assert_eq(__pan_submit(fd, jc, handles, count, 0, sync), 0);
	igt_assert_f(pan_syncobj_wait(fd, sync, 10000000000ll), "the job did not end in 10 s\n");
	pan_syncobj_destroy(fd, sync);
}

/* The guest's panfrost card, as an open file; -ENODEV if there is none. */
int __pan_open_panfrost(void)
{
	return igt_gem_shrinker_open_driver("panfrost");
}

/* A buffer of @size bytes with @flags (PANFROST_BO_*), not mapped. */
int __pan_bo_new(int fd, size_t size, uint32_t flags, struct panfrost_bo *bo)
{
	struct drm_panfrost_create_bo c = { .size = size, .flags = flags };

	if (igt_ioctl(fd, DRM_IOCTL_PANFROST_CREATE_BO, &c))
		return -errno;
	bo->handle = c.handle;
	bo->offset = c.offset;
	bo->size = size;
	bo->map = NULL;
	return 0;
}

/* Map @bo for the CPU, read and write. */
int __pan_bo_mmap(int fd, struct panfrost_bo *bo)
{
	struct drm_panfrost_mmap_bo m = { .handle = bo->handle };
	void *map;

	if (igt_ioctl(fd, DRM_IOCTL_PANFROST_MMAP_BO, &m))
		return -errno;
	map = mmap(NULL, bo->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, m.offset);
	if (map == MAP_FAILED)
		return -errno;
	bo->map = map;
	return 0;
}

void pan_bo_unmap(struct panfrost_bo *bo)
{
	if (bo->map)
		munmap(bo->map, bo->size);
	bo->map = NULL;
}

/* Unmap and close @bo (what freeing a buffer is, for userspace). */
void pan_bo_close(int fd, struct panfrost_bo *bo)
{
	struct drm_gem_close c = { .handle = bo->handle };

	pan_bo_unmap(bo);
	igt_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c);
	bo->handle = 0;
}

/* DRM_IOCTL_PANFROST_MADVISE; *@retained (if given) says whether the content is still there. */
int __pan_madvise(int fd, uint32_t handle, uint32_t madv, uint32_t *retained)
{
	struct drm_panfrost_madvise a = { .handle = handle, .madv = madv };

	if (igt_ioctl(fd, DRM_IOCTL_PANFROST_MADVISE, &a))
		return -errno;
	if (retained)
		*retained = a.retained;
	return 0;
}

/* DRM_IOCTL_PANFROST_WAIT_BO, for at most @timeout_ns from now. */
int __pan_wait_bo(int fd, uint32_t handle, int64_t timeout_ns)
{
	struct drm_panfrost_wait_bo w = { .handle = handle };
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	w.timeout_ns = ts.tv_sec * 1000000000ll + ts.tv_nsec + timeout_ns;
	return igt_ioctl(fd, DRM_IOCTL_PANFROST_WAIT_BO, &w) ? -errno : 0;
}
