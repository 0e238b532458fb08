/* SPDX-License-Identifier: MIT */
/*
 * virtio-gpu buffer helpers for IGT tests: classic 2D resources, CPU
 * mappings, transfers and the madvise uAPI that the shmem shrinker kit
 * adds. Functions named __igt_virtgpu_*() return 0 or a negative errno;
 * the igt_virtgpu_*() ones fail the test instead.
 *
 * In an upstream IGT checkout this file goes to lib/ (see docs/igt.md).
 */
#ifndef IGT_VIRTGPU_H
#define IGT_VIRTGPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "virtgpu_drm.h"

/*
 * The madvise uAPI of the shmem shrinker kit's virtio-gpu patch. Headers
 * from a kernel with the patch define it; IGT's own copy of virtgpu_drm.h
 * does not yet.
 */
#ifndef DRM_VIRTGPU_MADVISE
#define DRM_VIRTGPU_MADVISE 0x0c
#define VIRTGPU_PARAM_MADVISE 10
#define VIRTGPU_MADV_WILLNEED 0
#define VIRTGPU_MADV_DONTNEED 1
struct drm_virtgpu_madvise {
	__u32 bo_handle;
	__u32 madv;
	__u32 retained;
	__u32 pad;
};
#define DRM_IOCTL_VIRTGPU_MADVISE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_VIRTGPU_MADVISE, struct drm_virtgpu_madvise)
#endif

bool is_virtio_gpu_device(int fd);

int __igt_virtgpu_getparam(int fd, uint64_t param, int *value);
bool igt_virtgpu_has_madvise(int fd);

int __igt_virtgpu_create(int fd, size_t size, uint32_t *handle);
uint32_t igt_virtgpu_create(int fd, size_t size);

int __igt_virtgpu_mmap_offset(int fd, uint32_t handle, uint64_t *offset);
int __igt_virtgpu_mmap(int fd, uint32_t handle, size_t size, uint32_t **map);
uint32_t *igt_virtgpu_mmap(int fd, uint32_t handle, size_t size);

int __igt_virtgpu_madvise(int fd, uint32_t handle, uint32_t madv, uint32_t pad,
			  uint32_t *retained);
bool igt_virtgpu_madvise(int fd, uint32_t handle, uint32_t madv);

int __igt_virtgpu_wait(int fd, uint32_t handle);
int __igt_virtgpu_transfer_box_to_host(int fd, uint32_t handle, uint32_t w, uint32_t h);
int __igt_virtgpu_transfer_to_host(int fd, uint32_t handle, size_t size);
int __igt_virtgpu_transfer_from_host(int fd, uint32_t handle, size_t size);
int __igt_virtgpu_execbuffer(int fd, const uint32_t *handles, uint32_t n);
bool igt_virtgpu_has_virgl(int fd);

void igt_virtgpu_close(int fd, uint32_t handle);

#endif /* IGT_VIRTGPU_H */
