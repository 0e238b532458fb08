// SPDX-License-Identifier: GPL-2.0
/*
 * virtgpu-fuzz: make stress's ioctl fuzzer for virtio-gpu, run on the
 * debug kit kernel, where KASAN, kmemleak, lockdep and the object and list
 * checkers turn what bad input breaks into a report the log gate sees.
 *
 *   virtgpu-fuzz SECONDS
 *
 * Each round takes one of the driver's ioctls (and the core GEM ones it
 * serves), fills its argument as a valid call would (live handles, real
 * sizes, valid pointers), then mutates 0 to 3 of its 32-bit words to a
 * value that breaks assumptions: 0, 1, all ones, sign and size limits, a
 * closed or another file's handle, an unaligned size, a NULL, unmapped or
 * kernel pointer half. Every errno is counted per ioctl; one outside the
 * errnos that Documentation/gpu/drm-uapi.rst recommends ("Recommended
 * IOCTL Return Values"), plus -ENODATA for a purged buffer (the madvise
 * uAPI), -E2BIG / -EOVERFLOW for sizes that do not fit, and -ENOSYS, what
 * virtio-gpu answers to 3D-only ioctls (execbuffer, get_caps, transfer
 * from host) on a device without virgl, where drm-uapi.rst would have
 * -EOPNOTSUPP, is an error.
 *
 * Output: one "kit-fuzz: {json}" line.
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
#include <time.h>
#include <unistd.h>

#include "igt_gem_shrinker.h"
#include "igt_virtgpu.h"

#define NR_HANDLES 16

struct call {
	const char *name;
	unsigned long request;
	size_t size;
	unsigned long made, ok, documented, undocumented;
	int last_undocumented;
};

static struct call calls[] = {
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
	{ "gem_close", DRM_IOCTL_GEM_CLOSE, sizeof(struct drm_gem_close) },
	{ "prime_to_fd", DRM_IOCTL_PRIME_HANDLE_TO_FD, sizeof(struct drm_prime_handle) },
};

#define NR_CALLS (sizeof(calls) / sizeof(calls[0]))

static bool documented(int err)
{
	switch (err) {
	case EACCES: case EBUSY: case EDEADLK: case EFAULT: case EINTR: case EINVAL:
	case ENODEV: case ENOENT: case ENOMEM: case ENOSPC: case ENOTTY: case ENXIO:
	case EOPNOTSUPP: case EPERM: case ETIME:
	case ENODATA: case E2BIG: case EOVERFLOW: case ENOSYS:
		return true;
	default:
		return false;
	}
}

static int fd;
static uint32_t handle[NR_HANDLES];
static unsigned int rng;
static uint8_t scratch[4096];	/* valid memory for the pointers of valid calls */
static void *unmapped;		/* a page that faults */

static unsigned int rnd(unsigned int n)
{
	return rand_r(&rng) % n;
}

static uint32_t some_handle(void)
{
	return handle[rnd(NR_HANDLES)];
}

/* Keep NR_HANDLES live buffers, replacing the ones a call closed. */
static void refill(void)
{
	for (int i = 0; i < NR_HANDLES; i++) {
		struct drm_virtgpu_resource_info info = { .bo_handle = handle[i] };

		if (handle[i] && !ioctl(fd, DRM_IOCTL_VIRTGPU_RESOURCE_INFO, &info))
			continue;
		handle[i] = 0;
		__igt_virtgpu_create(fd, (1 + rnd(16)) * 4096, &handle[i]);
	}
}

static uint64_t ptr(void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* A valid argument for @c. */
static void valid(const struct call *c, void *arg)
{
	memset(arg, 0, c->size);
	switch (c->request) {
	case DRM_IOCTL_VIRTGPU_GETPARAM: {
		struct drm_virtgpu_getparam *a = arg;

		a->param = 1 + rnd(12);
		a->value = ptr(scratch);
		break;
	}
	case DRM_IOCTL_VIRTGPU_RESOURCE_CREATE: {
		struct drm_virtgpu_resource_create *a = arg;

		a->target = 2;
		a->format = 1;
		a->bind = 1 << 1;
		a->width = 64 * (1 + rnd(8));
		a->height = 1 + rnd(64);
		a->depth = 1;
		a->array_size = 1;
		a->size = a->width * a->height * 4;
		a->stride = a->width * 4;
		break;
	}
	case DRM_IOCTL_VIRTGPU_MAP:
		((struct drm_virtgpu_map *)arg)->handle = some_handle();
		break;
	case DRM_IOCTL_VIRTGPU_RESOURCE_INFO:
		((struct drm_virtgpu_resource_info *)arg)->bo_handle = some_handle();
		break;
	case DRM_IOCTL_VIRTGPU_TRANSFER_TO_HOST:
	case DRM_IOCTL_VIRTGPU_TRANSFER_FROM_HOST: {
		/* The two structs have the same layout. */
		struct drm_virtgpu_3d_transfer_to_host *a = arg;

		a->bo_handle = some_handle();
		a->box.w = 1 + rnd(64);
		a->box.h = 1 + rnd(16);
		a->box.d = 1;
		break;
	}
	case DRM_IOCTL_VIRTGPU_WAIT: {
		struct drm_virtgpu_3d_wait *a = arg;

		a->handle = some_handle();
		a->flags = rnd(2) ? VIRTGPU_WAIT_NOWAIT : 0;
		break;
	}
	case DRM_IOCTL_VIRTGPU_GET_CAPS: {
		struct drm_virtgpu_get_caps *a = arg;

		a->cap_set_id = 1 + rnd(4);
		a->addr = ptr(scratch);
		a->size = sizeof(scratch);
		break;
	}
	case DRM_IOCTL_VIRTGPU_RESOURCE_CREATE_BLOB: {
		struct drm_virtgpu_resource_create_blob *a = arg;

		a->blob_mem = VIRTGPU_BLOB_MEM_GUEST;
		a->blob_flags = VIRTGPU_BLOB_FLAG_USE_MAPPABLE;
		a->size = (1 + rnd(16)) * 4096;
		break;
	}
	case DRM_IOCTL_VIRTGPU_CONTEXT_INIT: {
		struct drm_virtgpu_context_init *a = arg;

		a->num_params = 0;
		a->ctx_set_params = ptr(scratch);
		break;
	}
	case DRM_IOCTL_VIRTGPU_EXECBUFFER: {
		struct drm_virtgpu_execbuffer *a = arg;

		a->size = 16;
		a->command = ptr(scratch);
		a->bo_handles = ptr(handle);
		a->num_bo_handles = 1 + rnd(NR_HANDLES);
		a->fence_fd = -1;
		break;
	}
	case DRM_IOCTL_VIRTGPU_MADVISE: {
		struct drm_virtgpu_madvise *a = arg;

		a->bo_handle = some_handle();
		a->madv = rnd(2) ? VIRTGPU_MADV_DONTNEED : VIRTGPU_MADV_WILLNEED;
		break;
	}
	case DRM_IOCTL_GEM_CLOSE:
		((struct drm_gem_close *)arg)->handle = some_handle();
		break;
	case DRM_IOCTL_PRIME_HANDLE_TO_FD: {
		struct drm_prime_handle *a = arg;

		a->handle = some_handle();
		a->flags = DRM_CLOEXEC | (rnd(2) ? DRM_RDWR : 0);
		break;
	}
	}
}

/* A value that breaks an assumption, for a 32-bit word. */
static uint32_t bad_word(uint32_t was)
{
	static const uint32_t values[] = {
		0, 1, 2, 3, 0xffffffff, 0x7fffffff, 0x80000000, 0xfffff000, 4095, 4097,
		0x10000, 1u << 20,
	};

	switch (rnd(6)) {
	case 0:
		return some_handle() + rnd(3); /* a live handle, or just past one */
	case 1:
		return was ^ (1u << rnd(32));
	case 2:
		return was + 1;
	case 3:
		return rand_r(&rng);
	default:
		return values[rnd(sizeof(values) / sizeof(values[0]))];
	}
}

/* A pointer that breaks an assumption, for a 64-bit word. */
static uint64_t bad_pointer(void)
{
	switch (rnd(4)) {
	case 0:
		return 0;
	case 1:
		return ptr(unmapped);
	case 2:
		return 0xffff888000000000ull; /* the kernel's direct map */
	default:
		return ptr(scratch) + sizeof(scratch) - rnd(8); /* runs off the end */
	}
}

static void mutate(const struct call *c, void *arg)
{
	uint32_t *w = arg;
	size_t words = c->size / 4;
	int n = rnd(4);

	for (int i = 0; i < n; i++) {
		size_t at = rnd(words);

		if (rnd(4) == 0 && at + 1 < words && at % 2 == 0) {
			uint64_t p = bad_pointer();

			memcpy(&w[at], &p, sizeof(p));
		} else {
			w[at] = bad_word(w[at]);
		}
	}
}

/* Undo what a successful call left behind that would grow without bound. */
static void clean_up(const struct call *c, void *arg)
{
	if (c->request == DRM_IOCTL_PRIME_HANDLE_TO_FD)
		close(((struct drm_prime_handle *)arg)->fd);
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

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	uint8_t arg[256];
	unsigned long total = 0, undocumented = 0;
	double deadline;

	if (argc != 2) {
		fprintf(stderr, "usage: virtgpu-fuzz SECONDS\n");
		return 2;
	}
	deadline = now() + strtod(argv[1], NULL);
	fd = open("/dev/dri/card0", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		perror("virtgpu-fuzz: /dev/dri/card0");
		return 2;
	}
	rng = getpid();
	unmapped = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	while (now() < deadline) {
		struct call *c = &calls[rnd(NR_CALLS)];

		if (total++ % 64 == 0)
			refill();
		valid(c, arg);
		mutate(c, arg);
		c->made++;
		if (!ioctl(fd, c->request, arg)) {
			c->ok++;
			clean_up(c, arg);
		} else if (documented(errno)) {
			c->documented++;
		} else {
			c->undocumented++;
			c->last_undocumented = errno;
			undocumented++;
		}
	}
	printf("kit-fuzz: {\"seconds\": %s, \"calls\": %lu, \"undocumented\": %lu, \"ioctls\": {",
	       argv[1], total, undocumented);
	for (size_t i = 0; i < NR_CALLS; i++)
		printf("%s\"%s\": [%lu, %lu, %lu, %lu, %d]", i ? ", " : "", calls[i].name,
		       calls[i].made, calls[i].ok, calls[i].documented, calls[i].undocumented,
		       calls[i].last_undocumented);
	printf("}}\n");
	return undocumented ? 1 : 0;
}
