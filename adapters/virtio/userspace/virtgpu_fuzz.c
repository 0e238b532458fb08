// SPDX-License-Identifier: GPL-2.0
/*
 * virtgpu-fuzz: make stress's ioctl fuzzer for virtio-gpu (the frame:
 * igt-tests/lib/igt_gem_fuzz.c).
 *
 *   virtgpu-fuzz SECONDS
 *
 * virtio-gpu answers -ENOSYS to 3D-only ioctls (execbuffer, get_caps,
 * transfer from host) on a device without virgl, where drm-uapi.rst would
 * have -EOPNOTSUPP; the frame counts it as documented.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "igt_gem_fuzz.h"
#include "igt_virtgpu.h"

static struct gem_fuzz_call calls[] = {
	{ "getparam", DRM_IOCTL_VIRTGPU_GETPARAM, sizeof(struct drm_virtgpu_getparam) },
	{ "resource_create", DRM_IOCTL_VIRTGPU_RESOURCE_CREATE,
	  sizeof(struct drm_virtgpu_resource_create) },
	{ "map", DRM_IOCTL_VIRTGPU_MAP, sizeof(struct drm_virtgpu_map) },
	{ "resource_info", DRM_IOCTL_VIRTGPU_RESOURCE_INFO,
	  sizeof(struct drm_virtgpu_resource_info) },
	{ "transfer_to_host", DRM_IOCTL_VIRTGPU_TRANSFER_TO_HOST,
	  sizeof(struct drm_virtgpu_3d_transfer_to_host) },
	{ "transfer_from_host", DRM_IOCTL_VIRTGPU_TRANSFER_FROM_HOST,
	  sizeof(struct drm_virtgpu_3d_transfer_from_host) },
	{ "wait", DRM_IOCTL_VIRTGPU_WAIT, sizeof(struct drm_virtgpu_3d_wait) },
	{ "get_caps", DRM_IOCTL_VIRTGPU_GET_CAPS, sizeof(struct drm_virtgpu_get_caps) },
	{ "create_blob", DRM_IOCTL_VIRTGPU_RESOURCE_CREATE_BLOB,
	  sizeof(struct drm_virtgpu_resource_create_blob) },
	{ "context_init", DRM_IOCTL_VIRTGPU_CONTEXT_INIT,
	  sizeof(struct drm_virtgpu_context_init) },
	{ "execbuffer", DRM_IOCTL_VIRTGPU_EXECBUFFER, sizeof(struct drm_virtgpu_execbuffer) },
	{ "madvise", DRM_IOCTL_VIRTGPU_MADVISE, sizeof(struct drm_virtgpu_madvise) },
};

static int alive(int fd, uint32_t handle)
{
	struct drm_virtgpu_resource_info info = { .bo_handle = handle };

	return !ioctl(fd, DRM_IOCTL_VIRTGPU_RESOURCE_INFO, &info);
}

/* A valid argument for @c. */
static void valid(const struct gem_fuzz_call *c, void *arg)
{
	size_t scratch_size;
	void *scratch = gem_fuzz_scratch(&scratch_size);

	switch (c->request) {
	case DRM_IOCTL_VIRTGPU_GETPARAM: {
		struct drm_virtgpu_getparam *a = arg;

		a->param = 1 + gem_fuzz_rnd(12);
		a->value = gem_fuzz_ptr(scratch);
		break;
	}
	case DRM_IOCTL_VIRTGPU_RESOURCE_CREATE: {
		struct drm_virtgpu_resource_create *a = arg;

		a->target = 2;
		a->format = 1;
		a->bind = 1 << 1;
		a->width = 64 * (1 + gem_fuzz_rnd(8));
		a->height = 1 + gem_fuzz_rnd(64);
		a->depth = 1;
		a->array_size = 1;
		a->size = a->width * a->height * 4;
		a->stride = a->width * 4;
		break;
	}
	case DRM_IOCTL_VIRTGPU_MAP:
		((struct drm_virtgpu_map *)arg)->handle = gem_fuzz_handle();
		break;
	case DRM_IOCTL_VIRTGPU_RESOURCE_INFO:
		((struct drm_virtgpu_resource_info *)arg)->bo_handle = gem_fuzz_handle();
		break;
	case DRM_IOCTL_VIRTGPU_TRANSFER_TO_HOST:
	case DRM_IOCTL_VIRTGPU_TRANSFER_FROM_HOST: {
		/* The two structs have the same layout. */
		struct drm_virtgpu_3d_transfer_to_host *a = arg;

		a->bo_handle = gem_fuzz_handle();
		a->box.w = 1 + gem_fuzz_rnd(64);
		a->box.h = 1 + gem_fuzz_rnd(16);
		a->box.d = 1;
		break;
	}
	case DRM_IOCTL_VIRTGPU_WAIT: {
		struct drm_virtgpu_3d_wait *a = arg;

		a->handle = gem_fuzz_handle();
		a->flags = gem_fuzz_rnd(2) ? VIRTGPU_WAIT_NOWAIT : 0;
		break;
	}
	case DRM_IOCTL_VIRTGPU_GET_CAPS: {
		struct drm_virtgpu_get_caps *a = arg;

		a->cap_set_id = 1 + gem_fuzz_rnd(4);
		a->addr = gem_fuzz_ptr(scratch);
		a->size = scratch_size;
		break;
	}
	case DRM_IOCTL_VIRTGPU_RESOURCE_CREATE_BLOB: {
		struct drm_virtgpu_resource_create_blob *a = arg;

		a->blob_mem = VIRTGPU_BLOB_MEM_GUEST;
		a->blob_flags = VIRTGPU_BLOB_FLAG_USE_MAPPABLE;
		a->size = (1 + gem_fuzz_rnd(16)) * 4096;
		break;
	}
	case DRM_IOCTL_VIRTGPU_CONTEXT_INIT: {
		struct drm_virtgpu_context_init *a = arg;

		a->num_params = 0;
		a->ctx_set_params = gem_fuzz_ptr(scratch);
		break;
	}
	case DRM_IOCTL_VIRTGPU_EXECBUFFER: {
		struct drm_virtgpu_execbuffer *a = arg;

		a->size = 16;
		a->command = gem_fuzz_ptr(scratch);
		a->bo_handles = gem_fuzz_ptr(gem_fuzz_handles());
		a->num_bo_handles = 1 + gem_fuzz_rnd(GEM_FUZZ_HANDLES);
		a->fence_fd = -1;
		break;
	}
	case DRM_IOCTL_VIRTGPU_MADVISE: {
		struct drm_virtgpu_madvise *a = arg;

		a->bo_handle = gem_fuzz_handle();
		a->madv = gem_fuzz_rnd(2) ? VIRTGPU_MADV_DONTNEED : VIRTGPU_MADV_WILLNEED;
		break;
	}
	}
}

/* Undo what a successful call left behind that would grow without bound. */
static void clean_up(const struct gem_fuzz_call *c, void *arg)
{
	int fd = gem_fuzz_fd();

	if (c->request == DRM_IOCTL_VIRTGPU_EXECBUFFER &&
	    ((struct drm_virtgpu_execbuffer *)arg)->fence_fd >= 0 &&
	    (((struct drm_virtgpu_execbuffer *)arg)->flags & VIRTGPU_EXECBUF_FENCE_FD_OUT))
		close(((struct drm_virtgpu_execbuffer *)arg)->fence_fd);
	if (c->request == DRM_IOCTL_VIRTGPU_RESOURCE_CREATE) {
		struct drm_gem_close g = {
			.handle = ((struct drm_virtgpu_resource_create *)arg)->bo_handle,
		};

		ioctl(fd, DRM_IOCTL_GEM_CLOSE, &g);
	}
	if (c->request == DRM_IOCTL_VIRTGPU_RESOURCE_CREATE_BLOB) {
		struct drm_gem_close g = {
			.handle = ((struct drm_virtgpu_resource_create_blob *)arg)->bo_handle,
		};

		ioctl(fd, DRM_IOCTL_GEM_CLOSE, &g);
	}
}

static int open_card(void)
{
	int fd = open("/dev/dri/card0", O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static const struct gem_fuzz_driver virtio_gpu = {
	.name = "virtio-gpu",
	.client = "virtgpu-fuzz",
	.calls = calls,
	.nr_calls = sizeof(calls) / sizeof(calls[0]),
	.open = open_card,
	.alive = alive,
	.create = __igt_virtgpu_create,
	.valid = valid,
	.clean_up = clean_up,
};

int main(int argc, char **argv)
{
	return gem_fuzz_main(&virtio_gpu, argc, argv);
}
