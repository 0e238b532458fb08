// SPDX-License-Identifier: MIT
/*
 * virtio-gpu buffer helpers for IGT tests; see igt_virtgpu.h.
 */

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "igt.h"
#include "igt_virtgpu.h"

/* virgl's names for a plain BGRA 2D texture that can be rendered to */
#define VIRTGPU_FORMAT_B8G8R8A8_UNORM 1
#define VIRTGPU_TARGET_TEXTURE_2D 2
#define VIRTGPU_BIND_RENDER_TARGET 2
/* Resources are created 64 rows high; a row is size / 64 bytes. */
#define VIRTGPU_ROWS 64

static int virtgpu_ioctl(int fd, unsigned long request, void *arg)
{
	return igt_ioctl(fd, request, arg) ? -errno : 0;
}

/**
 * is_virtio_gpu_device:
 * @fd: an open DRM device
 *
 * Returns: whether the virtio-gpu driver ("virtio_gpu") drives @fd.
 */
bool is_virtio_gpu_device(int fd)
{
	char name[16] = "";
	struct drm_version v = { .name_len = sizeof(name) - 1, .name = name };

	return virtgpu_ioctl(fd, DRM_IOCTL_VERSION, &v) == 0 && !strcmp(name, "virtio_gpu");
}

/**
 * __igt_virtgpu_getparam:
 * @fd: a virtio-gpu device
 * @param: a VIRTGPU_PARAM_* value
 * @value: where the value goes
 *
 * Returns: 0, or -EINVAL when the kernel does not know @param.
 */
int __igt_virtgpu_getparam(int fd, uint64_t param, int *value)
{
	struct drm_virtgpu_getparam g = { .param = param, .value = (uintptr_t)value };

	return virtgpu_ioctl(fd, DRM_IOCTL_VIRTGPU_GETPARAM, &g);
}

/**
 * igt_virtgpu_has_madvise:
 * @fd: a virtio-gpu device
 *
 * Returns: whether the kernel has DRM_IOCTL_VIRTGPU_MADVISE; a kernel
 * without the shmem shrinker kit rejects VIRTGPU_PARAM_MADVISE.
 */
bool igt_virtgpu_has_madvise(int fd)
{
	int value = 0;

	return __igt_virtgpu_getparam(fd, VIRTGPU_PARAM_MADVISE, &value) == 0 && value == 1;
}

/**
 * __igt_virtgpu_create:
 * @fd: a virtio-gpu device
 * @size: the size in bytes, a multiple of 64 pages' worth of rows
 * @handle: where the new buffer's handle goes
 *
 * Creates a classic (guest-backed, shmem) 2D resource, the kind the
 * shrinker manages.
 *
 * Returns: 0 or a negative errno.
 */
int __igt_virtgpu_create(int fd, size_t size, uint32_t *handle)
{
	struct drm_virtgpu_resource_create rc = {
		.target = VIRTGPU_TARGET_TEXTURE_2D,
		.format = VIRTGPU_FORMAT_B8G8R8A8_UNORM,
		.bind = VIRTGPU_BIND_RENDER_TARGET,
		.width = size / 4 / VIRTGPU_ROWS,
		.height = VIRTGPU_ROWS,
		.depth = 1,
		.array_size = 1,
		.size = size,
	};
	int ret = virtgpu_ioctl(fd, DRM_IOCTL_VIRTGPU_RESOURCE_CREATE, &rc);

	if (!ret)
		*handle = rc.bo_handle;
	return ret;
}

/**
 * igt_virtgpu_create:
 * @fd: a virtio-gpu device
 * @size: the size in bytes
 *
 * Returns: the handle of a new classic 2D resource of @size bytes.
 */
uint32_t igt_virtgpu_create(int fd, size_t size)
{
	uint32_t handle = 0;
	int ret = __igt_virtgpu_create(fd, size, &handle);

	igt_assert_f(ret == 0, "creating a %zu-byte resource failed: %s\n", size, strerror(-ret));
	return handle;
}

/**
 * __igt_virtgpu_mmap_offset:
 * @fd: a virtio-gpu device
 * @handle: the buffer
 * @offset: where the fake offset to pass to mmap() goes
 *
 * Returns: 0 or a negative errno.
 */
int __igt_virtgpu_mmap_offset(int fd, uint32_t handle, uint64_t *offset)
{
	struct drm_virtgpu_map m = { .handle = handle };
	int ret = virtgpu_ioctl(fd, DRM_IOCTL_VIRTGPU_MAP, &m);

	if (!ret)
		*offset = m.offset;
	return ret;
}

/**
 * __igt_virtgpu_mmap:
 * @fd: a virtio-gpu device
 * @handle: the buffer
 * @size: its size in bytes
 * @map: where the shared, read-write CPU mapping goes
 *
 * Returns: 0 or a negative errno.
 */
int __igt_virtgpu_mmap(int fd, uint32_t handle, size_t size, uint32_t **map)
{
	uint64_t offset = 0;
	void *p;
	int ret = __igt_virtgpu_mmap_offset(fd, handle, &offset);

	if (ret)
		return ret;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, offset);
	if (p == MAP_FAILED)
		return -errno;
	*map = p;
	return 0;
}

/**
 * igt_virtgpu_mmap:
 * @fd: a virtio-gpu device
 * @handle: the buffer
 * @size: its size in bytes
 *
 * Returns: a shared, read-write CPU mapping of the buffer.
 */
uint32_t *igt_virtgpu_mmap(int fd, uint32_t handle, size_t size)
{
	uint64_t offset = 0;
	int ret = __igt_virtgpu_mmap_offset(fd, handle, &offset);
	void *p;

	igt_assert_f(ret == 0, "DRM_IOCTL_VIRTGPU_MAP of buffer %u failed: %s\n", handle,
		     strerror(-ret));
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, offset);
	igt_assert_f(p != MAP_FAILED, "mmap() of buffer %u (%zu bytes at offset %#llx) failed: %s\n",
		     handle, size, (unsigned long long)offset, strerror(errno));
	return p;
}

/**
 * __igt_virtgpu_madvise:
 * @fd: a virtio-gpu device
 * @handle: the buffer
 * @madv: VIRTGPU_MADV_WILLNEED or VIRTGPU_MADV_DONTNEED
 * @pad: the struct's padding, which must be 0
 * @retained: where the kernel's answer goes (may be NULL): whether the
 *            buffer still has its content
 *
 * Returns: 0 or a negative errno.
 */
int __igt_virtgpu_madvise(int fd, uint32_t handle, uint32_t madv, uint32_t pad,
			  uint32_t *retained)
{
	struct drm_virtgpu_madvise a = { .bo_handle = handle, .madv = madv, .pad = pad };
	int ret = virtgpu_ioctl(fd, DRM_IOCTL_VIRTGPU_MADVISE, &a);

	if (!ret && retained)
		*retained = a.retained;
	return ret;
}

/**
 * igt_virtgpu_madvise:
 * @fd: a virtio-gpu device
 * @handle: the buffer
 * @madv: VIRTGPU_MADV_WILLNEED or VIRTGPU_MADV_DONTNEED
 *
 * Returns: whether the buffer still has its content (false once purged).
 */
bool igt_virtgpu_madvise(int fd, uint32_t handle, uint32_t madv)
{
	uint32_t retained = 0;
	int ret = __igt_virtgpu_madvise(fd, handle, madv, 0, &retained);

	igt_assert_f(ret == 0, "madvise(%u) of buffer %u failed: %s\n", madv, handle,
		     strerror(-ret));
	return retained;
}

/**
 * __igt_virtgpu_wait:
 * @fd: a virtio-gpu device
 * @handle: a buffer
 *
 * Waits until the host has processed every command queued on the buffer
 * (DRM_IOCTL_VIRTGPU_WAIT).
 *
 * Returns: 0 or a negative errno.
 */
int __igt_virtgpu_wait(int fd, uint32_t handle)
{
	struct drm_virtgpu_3d_wait w = { .handle = handle };

	return virtgpu_ioctl(fd, DRM_IOCTL_VIRTGPU_WAIT, &w);
}

/**
 * __igt_virtgpu_transfer_box_to_host:
 * @fd: a virtio-gpu device
 * @handle: a buffer made by __igt_virtgpu_create()
 * @w: the width of the box to transfer, from the top left, in pixels
 * @h: its height, in rows
 *
 * Transfers a box of the buffer to the host. The whole buffer must be
 * resident for that, whatever the box: a 1x1 box swaps a buffer in
 * without moving its content.
 *
 * Returns: 0 or a negative errno (-ENODATA for a purged buffer).
 */
int __igt_virtgpu_transfer_box_to_host(int fd, uint32_t handle, uint32_t w, uint32_t h)
{
	struct drm_virtgpu_3d_transfer_to_host t = {
		.bo_handle = handle,
		.box = { .w = w, .h = h, .d = 1 },
	};

	return virtgpu_ioctl(fd, DRM_IOCTL_VIRTGPU_TRANSFER_TO_HOST, &t);
}

/**
 * __igt_virtgpu_transfer_to_host:
 * @fd: a virtio-gpu device
 * @handle: a buffer made by __igt_virtgpu_create()
 * @size: its size in bytes
 *
 * Transfers the whole buffer to the host, which needs its pages.
 *
 * Returns: 0 or a negative errno (-ENODATA for a purged buffer).
 */
int __igt_virtgpu_transfer_to_host(int fd, uint32_t handle, size_t size)
{
	return __igt_virtgpu_transfer_box_to_host(fd, handle, size / 4 / VIRTGPU_ROWS,
						  VIRTGPU_ROWS);
}

/**
 * __igt_virtgpu_transfer_from_host:
 * @fd: a virtio-gpu device with virgl (3D)
 * @handle: a buffer made by __igt_virtgpu_create()
 * @size: its size in bytes
 *
 * Copies the host's copy of the whole buffer back into its pages, which
 * must be resident for that.
 *
 * Returns: 0 or a negative errno (-ENOSYS without virgl, -ENODATA for a
 * purged buffer).
 */
int __igt_virtgpu_transfer_from_host(int fd, uint32_t handle, size_t size)
{
	struct drm_virtgpu_3d_transfer_from_host t = {
		.bo_handle = handle,
		.box = { .w = size / 4 / VIRTGPU_ROWS, .h = VIRTGPU_ROWS, .d = 1 },
	};

	return virtgpu_ioctl(fd, DRM_IOCTL_VIRTGPU_TRANSFER_FROM_HOST, &t);
}

/**
 * __igt_virtgpu_execbuffer:
 * @fd: a virtio-gpu device with virgl (3D)
 * @handles: the buffers the submission references
 * @n: how many
 *
 * Submits an empty command stream to the file's 3D context that
 * references @handles, as a GL driver's submission does: the kernel
 * makes their pages resident for the host first.
 *
 * Returns: 0 or a negative errno (-ENOSYS without virgl, -ENODATA when a
 * buffer was purged).
 */
int __igt_virtgpu_execbuffer(int fd, const uint32_t *handles, uint32_t n)
{
	struct drm_virtgpu_execbuffer e = {
		.bo_handles = (uintptr_t)handles,
		.num_bo_handles = n,
		.fence_fd = -1,
	};

	return virtgpu_ioctl(fd, DRM_IOCTL_VIRTGPU_EXECBUFFER, &e);
}

/**
 * igt_virtgpu_has_virgl:
 * @fd: a virtio-gpu device
 *
 * Returns: whether the device does 3D (virgl).
 */
bool igt_virtgpu_has_virgl(int fd)
{
	int value = 0;

	return __igt_virtgpu_getparam(fd, VIRTGPU_PARAM_3D_FEATURES, &value) == 0 && value;
}

/**
 * igt_virtgpu_close:
 * @fd: a virtio-gpu device
 * @handle: the buffer
 *
 * Closes the buffer's handle.
 */
void igt_virtgpu_close(int fd, uint32_t handle)
{
	struct drm_gem_close c = { .handle = handle };

	igt_assert_f(virtgpu_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c) == 0, "closing buffer %u failed\n",
		     handle);
}
