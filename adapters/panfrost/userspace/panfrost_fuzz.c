// SPDX-License-Identifier: GPL-2.0
/*
 * panfrost-fuzz: make stress's ioctl fuzzer for panfrost on the simulated
 * Mali (the frame: igt-tests/lib/igt_gem_fuzz.c).
 *
 *   panfrost-fuzz SECONDS
 *
 * Every panfrost ioctl and the core ones it serves: BOs created, mapped,
 * advised, labelled, synced, queried, waited for, closed and exported,
 * job contexts, performance counters (-ENOSYS unless the guest has
 * panfrost.unstable_ioctls=1, which make stress leaves off: see
 * workbench/stress.sh), and submits of real job chains (WRITE_VALUE
 * jobs into live BOs) with random bo_handles, jc, in/out syncobjs and
 * requirements. A chain whose jc the fuzzer broke makes the simulated GPU
 * fault or stop, and panfrost reset it, as a board would: the guest log's
 * gate expects what panfrost prints for that (workbench/stress.sh).
 */

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "igt.h"
#include "igt_gem_fuzz.h"
#include "igt_panfrost_job.h"

static struct gem_fuzz_call calls[] = {
	{ "submit", DRM_IOCTL_PANFROST_SUBMIT, sizeof(struct drm_panfrost_submit) },
	{ "wait_bo", DRM_IOCTL_PANFROST_WAIT_BO, sizeof(struct drm_panfrost_wait_bo) },
	{ "create_bo", DRM_IOCTL_PANFROST_CREATE_BO, sizeof(struct drm_panfrost_create_bo) },
	{ "mmap_bo", DRM_IOCTL_PANFROST_MMAP_BO, sizeof(struct drm_panfrost_mmap_bo) },
	{ "get_param", DRM_IOCTL_PANFROST_GET_PARAM, sizeof(struct drm_panfrost_get_param) },
	{ "get_bo_offset", DRM_IOCTL_PANFROST_GET_BO_OFFSET,
	  sizeof(struct drm_panfrost_get_bo_offset) },
	{ "perfcnt_enable", DRM_IOCTL_PANFROST_PERFCNT_ENABLE,
	  sizeof(struct drm_panfrost_perfcnt_enable) },
	{ "perfcnt_dump", DRM_IOCTL_PANFROST_PERFCNT_DUMP,
	  sizeof(struct drm_panfrost_perfcnt_dump) },
	{ "madvise", DRM_IOCTL_PANFROST_MADVISE, sizeof(struct drm_panfrost_madvise) },
	{ "set_label_bo", DRM_IOCTL_PANFROST_SET_LABEL_BO,
	  sizeof(struct drm_panfrost_set_label_bo) },
	{ "jm_ctx_create", DRM_IOCTL_PANFROST_JM_CTX_CREATE,
	  sizeof(struct drm_panfrost_jm_ctx_create) },
	{ "jm_ctx_destroy", DRM_IOCTL_PANFROST_JM_CTX_DESTROY,
	  sizeof(struct drm_panfrost_jm_ctx_destroy) },
	{ "sync_bo", DRM_IOCTL_PANFROST_SYNC_BO, sizeof(struct drm_panfrost_sync_bo) },
	{ "query_bo_info", DRM_IOCTL_PANFROST_QUERY_BO_INFO,
	  sizeof(struct drm_panfrost_query_bo_info) },
};

/* The chains' own BO, mapped, and two syncobjs for in/out syncs. */
static struct panfrost_bo jobs;
static uint32_t syncobj[2];
static struct drm_panfrost_bo_sync_op sync_ops[4];

static int alive(int fd, uint32_t handle)
{
	struct drm_panfrost_get_bo_offset o = { .handle = handle };

	return !ioctl(fd, DRM_IOCTL_PANFROST_GET_BO_OFFSET, &o);
}

static int create(int fd, size_t size, uint32_t *handle)
{
	struct panfrost_bo bo;
	int err = __pan_bo_new(fd, size, gem_fuzz_rnd(2) ? PANFROST_BO_NOEXEC : 0, &bo);

	if (!err)
		*handle = bo.handle;
	return err;
}

/* A chain of 1 to 4 WRITE_VALUE jobs into live BOs, for a valid submit. */
static uint64_t chain(int fd)
{
	uint64_t jc = 0;

	for (unsigned int n = 1 + gem_fuzz_rnd(4), i = n; i-- > 0;) {
		struct drm_panfrost_get_bo_offset o = { .handle = gem_fuzz_handle() };
		uint64_t out;

		/* Into a live BO's first page, or the job BO's last slots. */
		if (!ioctl(fd, DRM_IOCTL_PANFROST_GET_BO_OFFSET, &o))
			out = o.offset + 8 * gem_fuzz_rnd(512);
		else
			out = jobs.offset + 60 * PAN_JOB_STRIDE + 8 * gem_fuzz_rnd(32);
		jc = pan_job_write_value(&jobs, i, out, 0x5eed0000u + i, jc);
	}
	return jc;
}

static void valid(const struct gem_fuzz_call *c, void *arg)
{
	int fd = gem_fuzz_fd();
	size_t scratch_size;
	void *scratch = gem_fuzz_scratch(&scratch_size);

	switch (c->request) {
	case DRM_IOCTL_PANFROST_SUBMIT: {
		struct drm_panfrost_submit *a = arg;

		/*
		 * The last chain must have ended before it is rewritten: wait
		 * (5 s at most) through its out syncobj, whatever the answer (a
		 * mutated submit may have left it without a fence).
		 */
		__pan_syncobj_wait(fd, syncobj[1], 5000000000ll, 0);
		a->jc = chain(fd);
		a->bo_handles = gem_fuzz_ptr(gem_fuzz_handles());
		a->bo_handle_count = gem_fuzz_rnd(GEM_FUZZ_HANDLES + 1);
		a->in_syncs = gem_fuzz_ptr(&syncobj[0]);
		a->in_sync_count = gem_fuzz_rnd(2);
		a->out_sync = syncobj[1];
		a->requirements = gem_fuzz_rnd(2) ? PANFROST_JD_REQ_FS : 0;
		break;
	}
	case DRM_IOCTL_PANFROST_WAIT_BO: {
		struct drm_panfrost_wait_bo *a = arg;

		a->handle = gem_fuzz_handle();
		a->timeout_ns = gem_fuzz_rnd(2) ? 0 : 1000000;	/* absolute: long past */
		break;
	}
	case DRM_IOCTL_PANFROST_CREATE_BO: {
		struct drm_panfrost_create_bo *a = arg;

		a->size = (1 + gem_fuzz_rnd(64)) * 4096;
		a->flags = gem_fuzz_rnd(8) & (PANFROST_BO_NOEXEC | PANFROST_BO_HEAP |
					      PANFROST_BO_WB_MMAP);
		if (a->flags & PANFROST_BO_HEAP)
			a->flags |= PANFROST_BO_NOEXEC;
		break;
	}
	case DRM_IOCTL_PANFROST_MMAP_BO:
		((struct drm_panfrost_mmap_bo *)arg)->handle = gem_fuzz_handle();
		break;
	case DRM_IOCTL_PANFROST_GET_PARAM: {
		struct drm_panfrost_get_param *a = arg;

		a->param = gem_fuzz_rnd(DRM_PANFROST_PARAM_ALLOWED_JM_CTX_PRIORITIES + 2);
		break;
	}
	case DRM_IOCTL_PANFROST_GET_BO_OFFSET:
		((struct drm_panfrost_get_bo_offset *)arg)->handle = gem_fuzz_handle();
		break;
	case DRM_IOCTL_PANFROST_PERFCNT_ENABLE: {
		struct drm_panfrost_perfcnt_enable *a = arg;

		a->enable = gem_fuzz_rnd(2);
		a->counterset = gem_fuzz_rnd(2);
		break;
	}
	case DRM_IOCTL_PANFROST_PERFCNT_DUMP:
		((struct drm_panfrost_perfcnt_dump *)arg)->buf_ptr = gem_fuzz_ptr(scratch);
		break;
	case DRM_IOCTL_PANFROST_MADVISE: {
		struct drm_panfrost_madvise *a = arg;

		a->handle = gem_fuzz_handle();
		a->madv = gem_fuzz_rnd(2) ? PANFROST_MADV_DONTNEED : PANFROST_MADV_WILLNEED;
		break;
	}
	case DRM_IOCTL_PANFROST_SET_LABEL_BO: {
		struct drm_panfrost_set_label_bo *a = arg;

		strcpy(scratch, "fuzzed");
		a->handle = gem_fuzz_handle();
		a->label = gem_fuzz_rnd(4) ? gem_fuzz_ptr(scratch) : 0;
		break;
	}
	case DRM_IOCTL_PANFROST_JM_CTX_CREATE: {
		struct drm_panfrost_jm_ctx_create *a = arg;

		a->priority = gem_fuzz_rnd(3);
		break;
	}
	case DRM_IOCTL_PANFROST_JM_CTX_DESTROY:
		((struct drm_panfrost_jm_ctx_destroy *)arg)->handle = 1 + gem_fuzz_rnd(4);
		break;
	case DRM_IOCTL_PANFROST_SYNC_BO: {
		struct drm_panfrost_sync_bo *a = arg;

		for (unsigned int i = 0; i < 4; i++) {
			sync_ops[i].handle = gem_fuzz_handle();
			sync_ops[i].type = gem_fuzz_rnd(2);
			sync_ops[i].offset = 4096 * gem_fuzz_rnd(2);
			sync_ops[i].size = 4096;
		}
		a->ops = gem_fuzz_ptr(sync_ops);
		a->op_count = 1 + gem_fuzz_rnd(4);
		break;
	}
	case DRM_IOCTL_PANFROST_QUERY_BO_INFO:
		((struct drm_panfrost_query_bo_info *)arg)->handle = gem_fuzz_handle();
		break;
	}
}

static void clean_up(const struct gem_fuzz_call *c, void *arg)
{
	int fd = gem_fuzz_fd();

	if (c->request == DRM_IOCTL_PANFROST_CREATE_BO) {
		struct drm_gem_close g = { .handle = ((struct drm_panfrost_create_bo *)arg)->handle };

		ioctl(fd, DRM_IOCTL_GEM_CLOSE, &g);
	}
}

/* Counts and sizes within the guest's memory (gem_fuzz_bound()). */
static void bound(const struct gem_fuzz_call *c, void *arg)
{
	switch (c->request) {
	case DRM_IOCTL_PANFROST_SUBMIT: {
		struct drm_panfrost_submit *a = arg;

		a->bo_handle_count = gem_fuzz_bound(a->bo_handle_count);
		a->in_sync_count = gem_fuzz_bound(a->in_sync_count);
		break;
	}
	case DRM_IOCTL_PANFROST_CREATE_BO: {
		struct drm_panfrost_create_bo *a = arg;

		/*
		 * In bytes, and a BO's pages are all taken when it is mapped
		 * at creation: any size beyond 1 MiB (2^31 and more too) is
		 * memory the guest has not got.
		 */
		a->size %= GEM_FUZZ_MAX_COUNT;
		break;
	}
	case DRM_IOCTL_PANFROST_SYNC_BO: {
		struct drm_panfrost_sync_bo *a = arg;

		a->op_count = gem_fuzz_bound(a->op_count);
		break;
	}
	}
}

static int open_panfrost(void)
{
	int fd = __pan_open_panfrost();

	if (fd < 0)
		return fd;
	if (__pan_bo_new(fd, 64 * PAN_JOB_STRIDE, 0, &jobs) || __pan_bo_mmap(fd, &jobs))
		return -ENOMEM;
	syncobj[0] = pan_syncobj_create(fd);
	syncobj[1] = pan_syncobj_create(fd);
	return fd;
}

static const struct gem_fuzz_driver panfrost = {
	.name = "panfrost",
	.client = "panfrost-fuzz",
	.calls = calls,
	.nr_calls = sizeof(calls) / sizeof(calls[0]),
	.open = open_panfrost,
	.alive = alive,
	.create = create,
	.valid = valid,
	.clean_up = clean_up,
	.bound = bound,
};

int main(int argc, char **argv)
{
	return gem_fuzz_main(&panfrost, argc, argv);
}
