// SPDX-License-Identifier: MIT
/*
 * Panfrost behaves as on a board: the checks of upstream IGT's
 * panfrost_gem_new, panfrost_get_param, panfrost_prime and panfrost_submit
 * (buffers, parameters, PRIME, submits and their error paths, the job
 * timeout and GPU reset, an unhandled GPU page fault), written again for
 * the kit's tests. They need nothing of the shrinker: on a board they pass
 * with any kernel, and in the kit's QEMU guests they show that the
 * simulated Mali (mali_sim.enable=1) gives panfrost a device it cannot
 * tell from one, on the kit kernel and on stock 7.3.4 alike.
 */

/**
 * TEST: panfrost board
 * Category: Core
 * Mega feature: General Core features
 * Sub-category: CMD submission
 * Functionality: panfrost uAPI
 * Description: Panfrost's uAPI and job manager, as upstream's panfrost tests check them.
 *
 * SUBTEST: gem-new-4096
 * SUBTEST: gem-new-0
 * SUBTEST: gem-new-zeroed
 * SUBTEST: get-param-base
 * SUBTEST: get-bad-param
 * SUBTEST: get-bad-padding
 * SUBTEST: prime-import
 * SUBTEST: submit-null-job
 * SUBTEST: submit-write-value
 * SUBTEST: submit-chain
 * SUBTEST: submit-error-no-jc
 * SUBTEST: submit-error-bad-requirements
 * SUBTEST: submit-error-bad-out-sync
 * SUBTEST: submit-error-bad-bo-handle
 * SUBTEST: submit-error-bad-bo-handles-pointer
 * SUBTEST: unhandled-pagefault
 * SUBTEST: reset-on-job-loop
 * SUBTEST: submit-and-close
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "igt.h"
#include "igt_panfrost.h"
#include "igt_gem_shrinker.h"
#include "igt_panfrost_job.h"

IGT_TEST_DESCRIPTION("Panfrost's uAPI and job manager, as upstream's panfrost tests check them.");

#define MS 1000000ll
/* The value IGT's write-value job writes over (it zeroes a 64-bit word). */
#define WRITE_VALUE_OFFSET 0x30

static int fd = -1;

static int __get_param(uint32_t param, uint32_t pad, uint64_t *value)
{
	struct drm_panfrost_get_param p = { .param = param, .pad = pad };

	if (ioctl(fd, DRM_IOCTL_PANFROST_GET_PARAM, &p))
		return -errno;
	*value = p.value;
	return 0;
}

static void test_gem_new_4096(void)
{
	struct panfrost_bo *bo = igt_panfrost_gem_new(fd, 4096);

	igt_assert(bo->handle);
	igt_assert(bo->offset);
	igt_panfrost_free_bo(fd, bo);
}

static void test_gem_new_0(void)
{
	struct drm_panfrost_create_bo c = { .size = 0 };

	igt_assert_eq(ioctl(fd, DRM_IOCTL_PANFROST_CREATE_BO, &c), -1);
	igt_assert_eq(errno, EINVAL);
}

static void test_gem_new_zeroed(void)
{
	struct panfrost_bo *bo = igt_panfrost_gem_new(fd, 16 * 4096);
	uint32_t *map;
	size_t i;

	igt_panfrost_bo_mmap(fd, bo);
	map = bo->map;
	for (i = 0; i < bo->size / 4; i++)
		igt_assert_eq(map[i], 0);
	igt_panfrost_free_bo(fd, bo);
}

static void test_get_param_base(void)
{
	uint64_t id = 0, js = 0, as = 0, shaders = 0;

	igt_assert_eq(__get_param(DRM_PANFROST_PARAM_GPU_PROD_ID, 0, &id), 0);
	igt_assert_eq(__get_param(DRM_PANFROST_PARAM_JS_PRESENT, 0, &js), 0);
	igt_assert_eq(__get_param(DRM_PANFROST_PARAM_AS_PRESENT, 0, &as), 0);
	igt_assert_eq(__get_param(DRM_PANFROST_PARAM_SHADER_PRESENT, 0, &shaders), 0);
	igt_info("GPU 0x%llx, job slots 0x%llx, address spaces 0x%llx, shader cores 0x%llx\n",
		 (unsigned long long)id, (unsigned long long)js, (unsigned long long)as,
		 (unsigned long long)shaders);
	igt_assert(id && js && as && shaders);
}

static void test_get_bad_param(void)
{
	uint64_t v = 0;

	igt_assert_eq(__get_param(0xdeadbeef, 0, &v), -EINVAL);
}

static void test_get_bad_padding(void)
{
	uint64_t v = 0;

	igt_assert_eq(__get_param(DRM_PANFROST_PARAM_GPU_PROD_ID, 1, &v), -EINVAL);
}

static void test_prime_import(void)
{
	struct panfrost_bo *bo = igt_panfrost_gem_new(fd, 4 * 4096);
	struct drm_prime_handle exp = { .flags = DRM_CLOEXEC | DRM_RDWR };
	struct drm_prime_handle imp = {};
	struct drm_panfrost_mmap_bo m = {};
	int fd2 = igt_gem_shrinker_reopen(fd);
	uint32_t *map;

	igt_panfrost_bo_mmap(fd, bo);
	memset(bo->map, 0x5a, bo->size);
	exp.handle = bo->handle;
	do_ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &exp);
	imp.fd = exp.fd;
	do_ioctl(fd2, DRM_IOCTL_PRIME_FD_TO_HANDLE, &imp);
	m.handle = imp.handle;
	do_ioctl(fd2, DRM_IOCTL_PANFROST_MMAP_BO, &m);
	map = mmap(NULL, bo->size, PROT_READ, MAP_SHARED, fd2, m.offset);
	igt_assert(map != MAP_FAILED);
	igt_assert_eq(map[0], 0x5a5a5a5a);
	igt_assert_eq(map[bo->size / 4 - 1], 0x5a5a5a5a);
	munmap(map, bo->size);
	close(exp.fd);
	close(fd2);
	igt_panfrost_free_bo(fd, bo);
}

/* Run IGT's job on @fd and wait for its out_sync. */
static void run_igt_job(int f, struct panfrost_submit *submit)
{
	pan_submit_igt(f, submit);
	igt_assert_f(pan_syncobj_wait(f, submit->args->out_sync, 1000 * MS),
		     "the job did not end in 1 s\n");
}

static void test_submit_null_job(void)
{
	struct panfrost_submit *submit = igt_panfrost_null_job(fd);
	struct mali_job_descriptor_header *h = submit->submit_bo->map;

	run_igt_job(fd, submit);
	igt_assert_eq(h->exception_status, 1);
	igt_assert_eq_u64(h->fault_pointer, 0);
	igt_panfrost_free_job(fd, submit);
}

static void test_submit_write_value(void)
{
	struct panfrost_submit *submit = igt_panfrost_write_value_job(fd, false);
	struct mali_job_descriptor_header *h = submit->submit_bo->map;
	uint32_t *value = (uint32_t *)((char *)submit->submit_bo->map + WRITE_VALUE_OFFSET);

	igt_assert_eq_u64(*value, 0xffffffff);
	run_igt_job(fd, submit);
	igt_assert_eq(h->exception_status, 1);
	igt_assert_eq_u64(h->fault_pointer, 0);
	igt_assert_eq(*value, 0);
	igt_panfrost_free_job(fd, submit);
}

/* Eight jobs in a chain, each writing its own value into a second buffer. */
static void test_submit_chain(void)
{
	struct panfrost_bo *jobs = igt_panfrost_gem_new(fd, 4096);
	struct panfrost_bo *out = igt_panfrost_gem_new(fd, 4096);
	uint32_t handles[] = { jobs->handle, out->handle };
	uint64_t next = 0, *v;
	int i;

	igt_panfrost_bo_mmap(fd, jobs);
	igt_panfrost_bo_mmap(fd, out);
	for (i = 7; i >= 0; i--)
		next = pan_job_write_value(jobs, i, out->offset + 8 * i, 0x1000 + i, next);
	pan_submit_and_wait(fd, next, handles, 2);
	v = out->map;
	for (i = 0; i < 8; i++) {
		igt_assert_eq(pan_job_header(jobs, i)->exception_status, 1);
		igt_assert_eq_u64(v[i], 0x1000 + i);
	}
	igt_panfrost_free_bo(fd, jobs);
	igt_panfrost_free_bo(fd, out);
}

static void test_submit_error_no_jc(void)
{
	igt_assert_eq(__pan_submit(fd, 0, NULL, 0, 0, 0), -EINVAL);
}

static void test_submit_error_bad_requirements(void)
{
	struct panfrost_submit *submit = igt_panfrost_null_job(fd);

	submit->args->requirements = 0xdeadbeef;
	igt_assert_eq(__pan_submit_igt(fd, submit), -EINVAL);
	igt_panfrost_free_job(fd, submit);
}

static void test_submit_error_bad_out_sync(void)
{
	struct panfrost_submit *submit = igt_panfrost_null_job(fd);

	submit->args->out_sync = 0xdeadbeef;
	igt_assert_eq(__pan_submit_igt(fd, submit), -ENODEV);
	igt_panfrost_free_job(fd, submit);
}

static void test_submit_error_bad_bo_handle(void)
{
	struct panfrost_submit *submit = igt_panfrost_null_job(fd);
	uint64_t handles = submit->args->bo_handles;
	uint32_t bad = 0xdeadbeef;

	submit->args->bo_handles = (uintptr_t)&bad;
	igt_assert_eq(__pan_submit_igt(fd, submit), -ENOENT);
	/* The library frees the array it made. */
	submit->args->bo_handles = handles;
	igt_panfrost_free_job(fd, submit);
}

static void test_submit_error_bad_bo_handles_pointer(void)
{
	struct panfrost_submit *submit = igt_panfrost_null_job(fd);
	uint64_t handles = submit->args->bo_handles;

	submit->args->bo_handles = 8;
	igt_assert_eq(__pan_submit_igt(fd, submit), -EFAULT);
	submit->args->bo_handles = handles;
	igt_panfrost_free_job(fd, submit);
}

/*
 * A job that writes where nothing is mapped: the GPU faults, panfrost
 * cannot handle the fault, disables the address space and fails the job;
 * its header is not written back, and the file's next job runs.
 */
static void test_unhandled_pagefault(void)
{
	struct panfrost_submit *submit = igt_panfrost_write_value_job(fd, true);
	struct mali_job_descriptor_header *h = submit->submit_bo->map;
	struct panfrost_submit *next;

	run_igt_job(fd, submit);
	igt_assert_neq(h->exception_status, 1);
	igt_panfrost_free_job(fd, submit);

	next = igt_panfrost_write_value_job(fd, false);
	run_igt_job(fd, next);
	igt_assert_eq(((struct mali_job_descriptor_header *)next->submit_bo->map)->exception_status, 1);
	igt_panfrost_free_job(fd, next);
}

/* Whether the loop's two headers stay as they are for 50 ms. */
static bool loop_stopped(struct panfrost_submit *loop)
{
	volatile struct mali_job_descriptor_header *a, *b;
	uint64_t before, after;

	a = igt_panfrost_job_loop_get_job_header(loop, 0);
	b = igt_panfrost_job_loop_get_job_header(loop, 1);
	before = (uint64_t)a->exception_status << 32 | b->exception_status;
	usleep(50 * 1000);
	after = (uint64_t)a->exception_status << 32 | b->exception_status;
	return before == after;
}

/* Wait (1 s at most) until the loop's jobs have run: one header says DONE. */
static bool loop_running(struct panfrost_submit *loop)
{
	for (int i = 0; i < 1000; i++) {
		if (igt_panfrost_job_loop_get_job_header(loop, 0)->exception_status == 1 ||
		    igt_panfrost_job_loop_get_job_header(loop, 1)->exception_status == 1)
			return true;
		usleep(1000);
	}
	return false;
}

/*
 * A chain that never ends (IGT's job loop) times out (500 ms), panfrost
 * resets the GPU and fails it; a job of another file queued behind it on
 * the same slot runs after the reset.
 */
static void test_reset_on_job_loop(void)
{
	struct panfrost_submit *loop = igt_panfrost_job_loop(fd);
	int fd2 = igt_gem_shrinker_reopen(fd);
	struct panfrost_submit *null = igt_panfrost_null_job(fd2);

	pan_submit_igt(fd, loop);
	pan_submit_igt(fd2, null);
	igt_assert_f(!pan_syncobj_wait(fd, loop->args->out_sync, 100 * MS),
		     "a job that never ends ended within 100 ms\n");
	igt_assert_f(pan_syncobj_wait(fd, loop->args->out_sync, 5000 * MS),
		     "the job loop was not stopped by the timeout within 5 s\n");
	igt_assert_f(pan_syncobj_wait(fd2, null->args->out_sync, 1000 * MS),
		     "the job behind the loop did not run after the reset\n");
	igt_assert_eq(((struct mali_job_descriptor_header *)null->submit_bo->map)->exception_status, 1);
	/* The loop ran and stopped: its headers no longer change. */
	igt_assert(loop_stopped(loop));
	igt_panfrost_free_job(fd2, null);
	close(fd2);
	igt_panfrost_free_job(fd, loop);
}

/*
 * Closing a file with a job that never ends: panfrost hard-stops the
 * file's jobs at once (the job's fence signals well within panfrost's
 * 500 ms job timeout, which would otherwise stop it), and another file's
 * job then runs. Stock 7.3.4 does not stop it: panfrost_jm_ctx_destroy()
 * looks the jobs up by a scheduler entity that the scheduler has already
 * cleared (the series' fix "drm/panfrost: stop a closed context's jobs on
 * the GPU").
 */
static void test_submit_and_close(void)
{
	int fd2 = igt_gem_shrinker_reopen(fd);
	struct panfrost_submit *loop = igt_panfrost_job_loop(fd2);
	struct panfrost_submit *null = igt_panfrost_null_job(fd);
	struct drm_syncobj_handle export = {
		.flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE,
	};
	struct pollfd done = { .events = POLLIN };

	pan_submit_igt(fd2, loop);
	igt_assert_f(loop_running(loop), "the job loop did not start within 1 s\n");
	/* The loop's fence as a sync_file, which outlives the file. */
	export.handle = loop->args->out_sync;
	do_ioctl(fd2, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD, &export);
	done.fd = export.fd;
	/* A CPU mapping would keep the file open. */
	munmap(loop->submit_bo->map, loop->submit_bo->size);
	close(fd2);
	igt_assert_f(poll(&done, 1, 300) == 1,
		     "the closed file's job was not stopped within 300 ms\n");
	close(done.fd);
	run_igt_job(fd, null);
	igt_panfrost_free_job(fd, null);
}

static const struct {
	const char *name;
	const char *description;
	void (*func)(void);
} tests[] = {
	{ "gem-new-4096", "A 4 KiB buffer gets a handle and a GPU address.", test_gem_new_4096 },
	{ "gem-new-0", "A buffer of size 0 is refused with -EINVAL.", test_gem_new_0 },
	{ "gem-new-zeroed", "A new buffer reads as zeroes.", test_gem_new_zeroed },
	{ "get-param-base", "The GPU's ID, job slots, address spaces and cores are reported.",
	  test_get_param_base },
	{ "get-bad-param", "An unknown parameter is refused with -EINVAL.", test_get_bad_param },
	{ "get-bad-padding", "Non-zero padding is refused with -EINVAL.", test_get_bad_padding },
	{ "prime-import", "A buffer exported and imported into another file shows its content.",
	  test_prime_import },
	{ "submit-null-job", "A NULL job ends with DONE written back.", test_submit_null_job },
	{ "submit-write-value", "A WRITE_VALUE job writes its value and ends with DONE.",
	  test_submit_write_value },
	{ "submit-chain", "Eight chained jobs each write their value into another buffer.",
	  test_submit_chain },
	{ "submit-error-no-jc", "A submit without a job chain is refused with -EINVAL.",
	  test_submit_error_no_jc },
	{ "submit-error-bad-requirements", "Unknown requirements are refused with -EINVAL.",
	  test_submit_error_bad_requirements },
	{ "submit-error-bad-out-sync", "An out_sync that is not a syncobj is refused with -ENODEV.",
	  test_submit_error_bad_out_sync },
	{ "submit-error-bad-bo-handle", "A handle that does not exist is refused with -ENOENT.",
	  test_submit_error_bad_bo_handle },
	{ "submit-error-bad-bo-handles-pointer", "An unreadable bo_handles array is refused with -EFAULT.",
	  test_submit_error_bad_bo_handles_pointer },
	{ "unhandled-pagefault", "A job faulting outside every buffer fails; the file's next job runs.",
	  test_unhandled_pagefault },
	{ "reset-on-job-loop", "A job that never ends times out, the GPU resets, the next job runs.",
	  test_reset_on_job_loop },
	{ "submit-and-close", "Closing a file with a job that never ends: another file's job then runs.",
	  test_submit_and_close },
};

int igt_main()
{
	igt_fixture()
		fd = drm_open_driver(DRIVER_PANFROST);

	for (volatile size_t t = 0; t < ARRAY_SIZE(tests); t++) {
		igt_describe(tests[t].description);
		igt_subtest(tests[t].name)
			tests[t].func();
	}

	igt_fixture()
		close(fd);
}
