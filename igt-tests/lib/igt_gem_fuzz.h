/* SPDX-License-Identifier: MIT */
/*
 * The frame of make stress's ioctl fuzzers, whatever the driver, run on
 * the debug kit kernel, where KASAN, kmemleak, lockdep and the object and
 * list checkers turn what bad input breaks into a report the log gate
 * sees. Each round takes one of the driver's ioctls (and the core GEM ones
 * it serves), fills its argument as a valid call would (live handles, real
 * sizes, valid pointers), then mutates 0 to 3 of its 32-bit words to a
 * value that breaks assumptions: 0, 1, all ones, sign and size limits, a
 * closed or another file's handle, an unaligned size, a NULL, unmapped or
 * kernel pointer half. Every errno is counted per ioctl; one outside the
 * errnos that Documentation/gpu/drm-uapi.rst recommends ("Recommended
 * IOCTL Return Values"), plus -ENODATA for a purged buffer (the madvise
 * uAPI), -E2BIG / -EOVERFLOW for sizes that do not fit, and -ENOSYS (see
 * the drivers' fuzzers), is an error.
 *
 * Output: one "kit-fuzz: {json}" line: per ioctl, the calls made, those
 * that succeeded, failed with a documented errno, failed with another, the
 * last other errno; and how often each errno came back.
 */
#ifndef IGT_GEM_FUZZ_H
#define IGT_GEM_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#define GEM_FUZZ_HANDLES 16
#define GEM_FUZZ_ERRNOS 134

struct gem_fuzz_call {
	const char *name;
	unsigned long request;
	size_t size;
	unsigned long made, ok, documented, undocumented;
	int last_undocumented;
	/* Each errno's count (those below GEM_FUZZ_ERRNOS). */
	unsigned long by_errno[GEM_FUZZ_ERRNOS];
};

struct gem_fuzz_driver {
	const char *name, *client;
	/* The driver's ioctls; the frame adds the core GEM ones (close, export). */
	struct gem_fuzz_call *calls;
	size_t nr_calls;
	int (*open)(void);
	/* Whether @handle still names a live buffer, and a new one (or -errno). */
	int (*alive)(int fd, uint32_t handle);
	int (*create)(int fd, size_t size, uint32_t *handle);
	/* A valid argument for @c; what a successful call left behind, undone. */
	void (*valid)(const struct gem_fuzz_call *c, void *arg);
	void (*clean_up)(const struct gem_fuzz_call *c, void *arg);
	/* Optional: after the mutation, keep the guest's memory out of reach. */
	void (*bound)(const struct gem_fuzz_call *c, void *arg);
};

/* A count or size above this (and below 2^31) asks more than a guest has. */
#define GEM_FUZZ_MAX_COUNT (1u << 20)
uint32_t gem_fuzz_bound(uint32_t value);

/* For the drivers' valid(): random numbers, live handles, valid memory. */
unsigned int gem_fuzz_rnd(unsigned int n);
uint32_t gem_fuzz_handle(void);
const uint32_t *gem_fuzz_handles(void);
void *gem_fuzz_scratch(size_t *size);
uint64_t gem_fuzz_ptr(const void *p);
int gem_fuzz_fd(void);

int gem_fuzz_main(const struct gem_fuzz_driver *d, int argc, char **argv);

#endif /* IGT_GEM_FUZZ_H */
