/* SPDX-License-Identifier: MIT */
/*
 * Panfrost job chains built by hand, for tests that need more than IGT's
 * igt_panfrost_null_job() and igt_panfrost_write_value_job(): WRITE_VALUE
 * jobs that write chosen 64-bit values at chosen GPU addresses, chained in
 * any order and placed in any buffer, and submits with chosen bo_handles.
 * Layouts are Mali's job descriptors (Mesa's genxml; IGT's
 * lib/panfrost-job.h), which a board runs as the simulated Mali does.
 * Also the buffer calls of clients that must see errors rather than
 * assert on them (memory pressure, fuzzing): the __pan_ functions return
 * 0 or -errno.
 */
#ifndef IGT_PANFROST_JOB_H
#define IGT_PANFROST_JOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "igt_panfrost.h"

/* Each job takes this much of its buffer: header, payload, padding. */
#define PAN_JOB_STRIDE 64u

uint64_t pan_job_write_value(struct panfrost_bo *bo, unsigned int slot, uint64_t out,
			     uint64_t value, uint64_t next);
uint64_t pan_job_null(struct panfrost_bo *bo, unsigned int slot, uint64_t next);
struct mali_job_descriptor_header *pan_job_header(struct panfrost_bo *bo, unsigned int slot);

uint32_t pan_syncobj_create(int fd);
void pan_syncobj_destroy(int fd, uint32_t syncobj);
int __pan_syncobj_wait(int fd, uint32_t syncobj, int64_t timeout_ns, uint32_t flags);
bool pan_syncobj_wait(int fd, uint32_t syncobj, int64_t timeout_ns);

int __pan_submit(int fd, uint64_t jc, const uint32_t *handles, unsigned int count,
		 uint32_t requirements, uint32_t out_sync);
int __pan_submit_igt(int fd, struct panfrost_submit *submit);
void pan_submit_igt(int fd, struct panfrost_submit *submit);
void pan_submit_and_wait(int fd, uint64_t jc, const uint32_t *handles, unsigned int count);

int __pan_open_panfrost(void);
int __pan_bo_new(int fd, size_t size, uint32_t flags, struct panfrost_bo *bo);
int __pan_bo_mmap(int fd, struct panfrost_bo *bo);
void pan_bo_unmap(struct panfrost_bo *bo);
void pan_bo_close(int fd, struct panfrost_bo *bo);
int __pan_madvise(int fd, uint32_t handle, uint32_t madv, uint32_t *retained);
int __pan_wait_bo(int fd, uint32_t handle, int64_t timeout_ns);

#endif /* IGT_PANFROST_JOB_H */
