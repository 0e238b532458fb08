/* SPDX-License-Identifier: MIT */
/*
 * Declarations of IGT's Panfrost helpers (lib/igt_panfrost.c) as
 * libigt.so.0 1.27.1 exports them; see igt.h in this folder for where
 * they come from. The struct layouts match what the library allocates
 * and fills (32 and 56 bytes).
 */
#ifndef KIT_LIBIGT_IGT_PANFROST_H
#define KIT_LIBIGT_IGT_PANFROST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "panfrost_drm.h"

struct panfrost_bo {
	int handle;
	uint64_t offset;
	uint32_t size;
	void *map;
};

struct panfrost_submit {
	struct drm_panfrost_submit *args;
	struct panfrost_bo *submit_bo;
	struct panfrost_bo *fb_bo;
	struct panfrost_bo *scratchpad_bo;
	struct panfrost_bo *tiler_scratch_bo;
	struct panfrost_bo *tiler_heap_bo;
	struct panfrost_bo *fbo;
};

/*
 * A Mali job descriptor's header (IGT's lib/panfrost-job.h, Mesa's genxml
 * "Job Header"): what igt_panfrost_job_loop_get_job_header() points at,
 * and what the GPU writes back when a job ends (exception_status 1, DONE,
 * and fault_pointer 0).
 */
struct mali_job_descriptor_header {
	uint32_t exception_status;
	uint32_t first_incomplete_task;
	uint64_t fault_pointer;
	uint8_t job_descriptor_size : 1;
	uint8_t job_type : 7;
	uint8_t job_barrier : 1;
	uint8_t unknown_flags : 7;
	uint16_t job_index;
	uint16_t job_dependency_index_1;
	uint16_t job_dependency_index_2;
	uint64_t next_job;
} __attribute__((packed));

struct panfrost_bo *igt_panfrost_gem_new(int fd, size_t size);
void igt_panfrost_free_bo(int fd, struct panfrost_bo *bo);
uint32_t igt_panfrost_get_bo_offset(int fd, uint32_t handle);
uint32_t igt_panfrost_get_param(int fd, int param);
void *igt_panfrost_mmap_bo(int fd, uint32_t handle, uint32_t size, unsigned int prot);
void igt_panfrost_bo_mmap(int fd, struct panfrost_bo *bo);
struct panfrost_submit *igt_panfrost_null_job(int fd);
struct panfrost_submit *igt_panfrost_write_value_job(int fd, bool trigger_page_fault);
/* Two WRITE_VALUE jobs that run each other again: a chain that never ends. */
struct panfrost_submit *igt_panfrost_job_loop(int fd);
struct mali_job_descriptor_header *
igt_panfrost_job_loop_get_job_header(struct panfrost_submit *submit, unsigned int job_idx);
void igt_panfrost_free_job(int fd, struct panfrost_submit *submit);

#endif /* KIT_LIBIGT_IGT_PANFROST_H */
