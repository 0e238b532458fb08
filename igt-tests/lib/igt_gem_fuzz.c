// SPDX-License-Identifier: MIT
/*
 * The frame of make stress's ioctl fuzzers: see igt_gem_fuzz.h.
 *
 *   CLIENT SECONDS
 */

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "drm.h"
#include "igt_gem_fuzz.h"

static int fd;
static uint32_t handle[GEM_FUZZ_HANDLES];
static unsigned int rng;
/*
 * Valid memory for the pointers of valid calls (large enough for what the
 * kernel writes back, such as a performance counter dump), followed by a
 * page that faults: a pointer that runs off its end makes the kernel
 * fault (-EFAULT), never write over the fuzzer's own data.
 */
#define SCRATCH_SIZE (64u << 10)
static uint8_t *scratch;
static void *unmapped;		/* a page that faults */

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

unsigned int gem_fuzz_rnd(unsigned int n)
{
	return rand_r(&rng) % n;
}

uint32_t gem_fuzz_handle(void)
{
	return handle[gem_fuzz_rnd(GEM_FUZZ_HANDLES)];
}

const uint32_t *gem_fuzz_handles(void)
{
	return handle;
}

void *gem_fuzz_scratch(size_t *size)
{
	*size = SCRATCH_SIZE;
	return scratch;
}

uint64_t gem_fuzz_ptr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

int gem_fuzz_fd(void)
{
	return fd;
}

/* The core GEM ioctls every driver serves, fuzzed beside the driver's own. */
static struct gem_fuzz_call core_calls[] = {
	{ "gem_close", DRM_IOCTL_GEM_CLOSE, sizeof(struct drm_gem_close) },
	{ "prime_to_fd", DRM_IOCTL_PRIME_HANDLE_TO_FD, sizeof(struct drm_prime_handle) },
};

#define NR_CORE_CALLS (sizeof(core_calls) / sizeof(core_calls[0]))

/* Call @i of @d's, then of the core ones. */
static struct gem_fuzz_call *call_at(const struct gem_fuzz_driver *d, size_t i)
{
	return i < d->nr_calls ? &d->calls[i] : &core_calls[i - d->nr_calls];
}

static bool is_core(const struct gem_fuzz_call *c)
{
	return c >= core_calls && c < core_calls + NR_CORE_CALLS;
}

/* A valid argument for core call @c. */
static void core_valid(const struct gem_fuzz_call *c, void *arg)
{
	if (c->request == DRM_IOCTL_GEM_CLOSE) {
		((struct drm_gem_close *)arg)->handle = gem_fuzz_handle();
	} else {
		struct drm_prime_handle *a = arg;

		a->handle = gem_fuzz_handle();
		a->flags = DRM_CLOEXEC | (gem_fuzz_rnd(2) ? DRM_RDWR : 0);
	}
}

/* The dma-buf a successful export made: closed, not left to pile up. */
static void core_clean_up(const struct gem_fuzz_call *c, void *arg)
{
	if (c->request == DRM_IOCTL_PRIME_HANDLE_TO_FD)
		close(((struct drm_prime_handle *)arg)->fd);
}

/* Keep GEM_FUZZ_HANDLES live buffers, replacing the ones a call closed. */
static void refill(const struct gem_fuzz_driver *d)
{
	for (int i = 0; i < GEM_FUZZ_HANDLES; i++) {
		if (handle[i] && d->alive(fd, handle[i]))
			continue;
		handle[i] = 0;
		d->create(fd, (1 + gem_fuzz_rnd(16)) * 4096, &handle[i]);
	}
}

/*
 * A count or size that userspace passes, kept within what the guest can
 * hold: values from GEM_FUZZ_MAX_COUNT to 2^31 - 1 come back reduced below
 * it; larger ones (negative as an int: the overflow checks) and smaller
 * ones stay. A request for more memory than the guest has is resource
 * exhaustion, not a bug: on the KASAN kernel a 1 GiB vmalloc() alone needs
 * 128 MiB of shadow, and make stress's 256 MiB guest then OOM-kills the
 * fuzzer.
 */
uint32_t gem_fuzz_bound(uint32_t value)
{
	if (value >= GEM_FUZZ_MAX_COUNT && value < 0x80000000u)
		return value % GEM_FUZZ_MAX_COUNT;
	return value;
}

/* A value that breaks an assumption, for a 32-bit word. */
static uint32_t bad_word(uint32_t was)
{
	static const uint32_t values[] = {
		0, 1, 2, 3, 0xffffffff, 0x7fffffff, 0x80000000, 0xfffff000, 4095, 4097,
		0x10000, 1u << 20,
	};

	switch (gem_fuzz_rnd(6)) {
	case 0:
		return gem_fuzz_handle() + gem_fuzz_rnd(3); /* a live handle, or just past one */
	case 1:
		return was ^ (1u << gem_fuzz_rnd(32));
	case 2:
		return was + 1;
	case 3:
		return rand_r(&rng);
	default:
		return values[gem_fuzz_rnd(sizeof(values) / sizeof(values[0]))];
	}
}

/* A pointer that breaks an assumption, for a 64-bit word. */
static uint64_t bad_pointer(void)
{
	switch (gem_fuzz_rnd(4)) {
	case 0:
		return 0;
	case 1:
		return gem_fuzz_ptr(unmapped);
	case 2:
		return 0xffff888000000000ull; /* the kernel's direct map */
	default:
		return gem_fuzz_ptr(scratch) + SCRATCH_SIZE - gem_fuzz_rnd(8); /* runs off the end */
	}
}

static void mutate(const struct gem_fuzz_call *c, void *arg)
{
	uint32_t *w = arg;
	size_t words = c->size / 4;
	int n = gem_fuzz_rnd(4);

	for (int i = 0; i < n && words; i++) {
		size_t at = gem_fuzz_rnd(words);

		if (gem_fuzz_rnd(4) == 0 && at + 1 < words && at % 2 == 0) {
			uint64_t p = bad_pointer();

			memcpy(&w[at], &p, sizeof(p));
		} else {
			w[at] = bad_word(w[at]);
		}
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/**
 * gem_fuzz_main() - fuzz @d's ioctls for SECONDS, then report
 * @d: the driver's ioctls
 * @argc: 2
 * @argv: CLIENT SECONDS
 *
 * Returns 1 if an ioctl failed with an errno outside the documented ones.
 */
int gem_fuzz_main(const struct gem_fuzz_driver *d, int argc, char **argv)
{
	size_t nr_calls = d->nr_calls + NR_CORE_CALLS;
	uint64_t arg[32];
	unsigned long total = 0, undocumented = 0;
	double deadline;

	if (argc != 2) {
		fprintf(stderr, "usage: %s SECONDS\n", d->client);
		return 2;
	}
	deadline = now() + strtod(argv[1], NULL);
	fd = d->open();
	if (fd < 0) {
		fprintf(stderr, "%s: no %s device: %s\n", d->client, d->name, strerror(-fd));
		return 2;
	}
	rng = getpid();
	scratch = mmap(NULL, SCRATCH_SIZE + 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (scratch == MAP_FAILED || mprotect(scratch + SCRATCH_SIZE, 4096, PROT_NONE))
		return 2;
	unmapped = scratch + SCRATCH_SIZE;
	while (now() < deadline) {
		struct gem_fuzz_call *c = call_at(d, gem_fuzz_rnd(nr_calls));

		if (c->size > sizeof(arg))
			return 2;
		if (total++ % 64 == 0)
			refill(d);
		memset(arg, 0, c->size);
		(is_core(c) ? core_valid : d->valid)(c, arg);
		mutate(c, arg);
		if (d->bound && !is_core(c))
			d->bound(c, arg);
		c->made++;
		if (!ioctl(fd, c->request, arg)) {
			c->ok++;
			(is_core(c) ? core_clean_up : d->clean_up)(c, arg);
			continue;
		}
		if (errno > 0 && errno < GEM_FUZZ_ERRNOS)
			c->by_errno[errno]++;
		if (documented(errno)) {
			c->documented++;
		} else {
			c->undocumented++;
			c->last_undocumented = errno;
			undocumented++;
		}
	}
	printf("kit-fuzz: {\"driver\": \"%s\", \"seconds\": %s, \"calls\": %lu, "
	       "\"undocumented\": %lu, \"ioctls\": {", d->name, argv[1], total, undocumented);
	for (size_t i = 0; i < nr_calls; i++) {
		const struct gem_fuzz_call *c = call_at(d, i);

		printf("%s\"%s\": [%lu, %lu, %lu, %lu, %d]", i ? ", " : "", c->name, c->made,
		       c->ok, c->documented, c->undocumented, c->last_undocumented);
	}
	printf("}, \"errnos\": {");
	for (size_t i = 0; i < nr_calls; i++) {
		const struct gem_fuzz_call *c = call_at(d, i);
		const char *sep = "";

		printf("%s\"%s\": {", i ? ", " : "", c->name);
		for (int e = 1; e < GEM_FUZZ_ERRNOS; e++)
			if (c->by_errno[e]) {
				printf("%s\"%s\": %lu", sep, strerrorname_np(e) ?: "?", c->by_errno[e]);
				sep = ", ";
			}
		printf("}");
	}
	printf("}}\n");
	return undocumented ? 1 : 0;
}
