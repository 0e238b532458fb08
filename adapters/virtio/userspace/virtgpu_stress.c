// SPDX-License-Identifier: GPL-2.0
/*
 * virtgpu-stress: make stress's client. Several processes use virtio-gpu
 * buffers the way careless programs do, all at once, while another forces
 * the kit's scans and another presses on memory:
 *
 *   virtgpu-stress SECONDS WORKERS PRESSURE_MIB
 *
 * Each worker owns up to MAX_BOS buffers of 1 to 16 pages and, until the
 * deadline, picks at random: create one (and fill it), close one, map one
 * and keep the mapping, unmap one, write new content, verify content,
 * madvise DONTNEED or WILLNEED, transfer one to the host, export one as a
 * dma-buf (and close the fd). Every page of a buffer names its buffer, its
 * page index and the generation of its content, so a page that comes back
 * from swap wrong, or at the wrong place, is counted. At the deadline every
 * buffer is taken back WILLNEED and every retained one is verified whole.
 *
 * Fault injection (set up by the guest's payload) may make any allocation
 * in the driver fail for the workers, which mark themselves in
 * /proc/self/make-it-fail. Each call's errno is counted; an errno outside
 * what the uAPI documents for that call is an error of the run, as is a
 * SIGBUS on a buffer that was never DONTNEED, and a mismatch.
 *
 * Output: one "kit-stress: {json}" line per worker, and one for the whole.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "igt_gem_shrinker.h"
#include "igt_virtgpu.h"

#define PAGE_BYTES 4096u
#define MAX_BOS 32
#define MAX_PAGES 16

enum op {
	OP_CREATE, OP_CLOSE, OP_MAP, OP_UNMAP, OP_WRITE, OP_VERIFY, OP_DONTNEED,
	OP_WILLNEED, OP_TRANSFER, OP_EXPORT, NR_OPS,
};

static const char *const op_name[NR_OPS] = {
	"create", "close", "mmap", "munmap", "write", "verify", "dontneed", "willneed",
	"transfer", "export",
};

/*
 * The errnos each call may return under memory pressure and injected
 * allocation failures, as the DRM uAPI (Documentation/gpu/drm-uapi.rst)
 * and virtio-gpu's (virtgpu_drm.h) document them: ENOMEM for any
 * allocation, ENOSPC for a resource (ids, mmap offsets) running out, EINTR
 * for an interrupted wait, ENODATA for a purged buffer, EBUSY/ETIMEDOUT for
 * a host command that did not complete, ENOENT from a transfer (virtio-gpu
 * reports a failed allocation of its object array as an unknown handle),
 * and EINVAL from madvise of an exported buffer, which is never reclaimed.
 */
static bool errno_documented(enum op op, int err, bool exported)
{
	switch (err) {
	case ENOMEM:
	case EINTR:
		return true;
	case ENOSPC:
		return op == OP_MAP || op == OP_CREATE;
	case ENODATA:
		return op == OP_TRANSFER || op == OP_EXPORT || op == OP_MAP;
	case EBUSY:
	case ETIMEDOUT:
	case ENOENT:
		return op == OP_TRANSFER;
	case EINVAL:
		return (op == OP_DONTNEED || op == OP_WILLNEED) && exported;
	default:
		return false;
	}
}

/* The documented errnos, counted one by one for the report. */
static const struct {
	int err;
	const char *name;
} counted[] = {
	{ ENOMEM, "ENOMEM" }, { ENOSPC, "ENOSPC" }, { EINTR, "EINTR" }, { ENODATA, "ENODATA" },
	{ EBUSY, "EBUSY" }, { ETIMEDOUT, "ETIMEDOUT" }, { ENOENT, "ENOENT" }, { EINVAL, "EINVAL" },
};

#define NR_COUNTED (sizeof(counted) / sizeof(counted[0]))

struct bo {
	uint32_t handle;
	size_t pages;
	uint32_t seed;		/* the content's generation */
	uint32_t *map;
	bool known;		/* the content is @seed's: written whole and not purged */
	bool exported;		/* a dma-buf was made of it: never reclaimed again */
	bool dontneed;		/* advised DONTNEED: may be purged at any time */
	bool lost;		/* purged: content gone for good */
};

struct worker {
	int fd, id;
	struct bo bo[MAX_BOS];
	unsigned int rng;
	uint32_t next_seed;
	unsigned long calls[NR_OPS], errors[NR_OPS][2]; /* [documented, not] */
	int bad_errno[NR_OPS];
	unsigned int by_errno[NR_OPS][NR_COUNTED];
	unsigned long mismatches, sigbus, purged_seen;
};

static uint32_t next_seed(struct worker *w)
{
	return (uint32_t)w->id << 24 | (w->next_seed++ & 0xffffff);
}

static unsigned int rnd(struct worker *w, unsigned int n)
{
	return rand_r(&w->rng) % n;
}

/* Count a call's result on @bo (NULL: none yet); returns it. */
static int count_bo(struct worker *w, enum op op, const struct bo *bo, int ret)
{
	w->calls[op]++;
	if (ret < 0) {
		bool ok = errno_documented(op, -ret, bo && bo->exported);

		w->errors[op][!ok]++;
		if (!ok)
			w->bad_errno[op] = -ret;
		for (size_t i = 0; ok && i < NR_COUNTED; i++)
			if (counted[i].err == -ret)
				w->by_errno[op][i]++;
	}
	return ret;
}

static int count(struct worker *w, enum op op, int ret)
{
	return count_bo(w, op, NULL, ret);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int bo_map(struct worker *w, struct bo *bo)
{
	int ret;

	if (bo->map)
		return 0;
	ret = __igt_virtgpu_mmap(w->fd, bo->handle, bo->pages * PAGE_BYTES, &bo->map);
	/*
	 * A purge frees the mmap offset: mmap() of a purged buffer is refused,
	 * with EINVAL, or with EACCES when a buffer of another file got the
	 * same offset between the MAP ioctl and mmap() (drm_gem_mmap()).
	 */
	if ((ret == -EINVAL || ret == -EACCES) && (bo->dontneed || bo->lost))
		ret = -ENODATA;
	if (count(w, OP_MAP, ret))
		bo->map = NULL;
	return ret;
}

static void bo_unmap(struct worker *w, struct bo *bo)
{
	if (!bo->map)
		return;
	count(w, OP_UNMAP, munmap(bo->map, bo->pages * PAGE_BYTES) ? -errno : 0);
	bo->map = NULL;
}

/*
 * Write new content through the mapping. A DONTNEED buffer may be purged
 * under the writer, so it gets one SIGBUS-safe store that changes nothing
 * (word 1 of page 0 holds the page index, 0); SIGBUS then means purged.
 */
static void bo_write(struct worker *w, struct bo *bo)
{
	size_t size = bo->pages * PAGE_BYTES;
	uint32_t seed = next_seed(w);
	uint32_t *tmp;

	if (bo->lost || bo_map(w, bo))
		return;
	w->calls[OP_WRITE]++;
	if (bo->dontneed) {
		if (igt_gem_shrinker_write_faults(&bo->map[1], 0))
			bo->lost = true;
		return;
	}
	tmp = malloc(size);
	if (!tmp)
		return;
	igt_gem_shrinker_fill(tmp, size, seed);
	/* Every page SIGBUS-safe first: a WILLNEED buffer must never raise it. */
	for (size_t i = 0; i < size / 4; i += PAGE_BYTES / 4)
		if (igt_gem_shrinker_write_faults(&bo->map[i], tmp[i])) {
			w->sigbus++;
			bo->known = false;
			free(tmp);
			return;
		}
	memcpy(bo->map, tmp, size);
	free(tmp);
	bo->seed = seed;
	bo->known = true;
}

static void bo_verify(struct worker *w, struct bo *bo)
{
	size_t pages = bo->pages;

	if (!bo->known || bo->dontneed || bo->lost || bo_map(w, bo))
		return;
	w->calls[OP_VERIFY]++;
	for (size_t p = 0; p < pages; p++)
		if (igt_gem_shrinker_read_faults(&bo->map[p * PAGE_BYTES / 4])) {
			w->sigbus++;
			return;
		}
	w->mismatches += igt_gem_shrinker_bad_pages(bo->map, pages * PAGE_BYTES, bo->seed);
}

static void bo_create(struct worker *w, struct bo *bo)
{
	size_t pages = 1 + rnd(w, MAX_PAGES);

	memset(bo, 0, sizeof(*bo));
	if (count(w, OP_CREATE, __igt_virtgpu_create(w->fd, pages * PAGE_BYTES, &bo->handle))) {
		bo->handle = 0;
		return;
	}
	bo->pages = pages;
	bo_write(w, bo);
}

static void bo_close(struct worker *w, struct bo *bo)
{
	struct drm_gem_close c = { .handle = bo->handle };

	bo_unmap(w, bo);
	count(w, OP_CLOSE, ioctl(w->fd, DRM_IOCTL_GEM_CLOSE, &c) ? -errno : 0);
	bo->handle = 0;
}

static void bo_madvise(struct worker *w, struct bo *bo, bool dontneed)
{
	uint32_t retained = 1;
	enum op op = dontneed ? OP_DONTNEED : OP_WILLNEED;

	if (count_bo(w, op, bo, __igt_virtgpu_madvise(w->fd, bo->handle,
						      dontneed ? VIRTGPU_MADV_DONTNEED :
								 VIRTGPU_MADV_WILLNEED, 0,
						      &retained)))
		return;
	if (!retained && !bo->lost) {
		if (!bo->dontneed)
			w->mismatches++; /* purged without ever being DONTNEED */
		bo->lost = true;
		bo->known = false;
		w->purged_seen++;
	}
	bo->dontneed = dontneed;
}

static void bo_transfer(struct worker *w, struct bo *bo)
{
	int ret = __igt_virtgpu_transfer_to_host(w->fd, bo->handle, bo->pages * PAGE_BYTES);

	/* -ENODATA is the documented answer only for a purged buffer. */
	if (ret == -ENODATA && !bo->dontneed && !bo->lost)
		ret = -EBADMSG;
	count(w, OP_TRANSFER, ret);
}

static void bo_export(struct worker *w, struct bo *bo)
{
	struct drm_prime_handle prime = { .handle = bo->handle, .flags = DRM_CLOEXEC };

	if (!count(w, OP_EXPORT, ioctl(w->fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &prime) ? -errno : 0)) {
		close(prime.fd);
		bo->exported = true;
	}
}

static void step(struct worker *w)
{
	struct bo *bo = &w->bo[rnd(w, MAX_BOS)];
	unsigned int r = rnd(w, 100);

	if (!bo->handle) {
		bo_create(w, bo);
		return;
	}
	if (r < 4)
		bo_close(w, bo);
	else if (r < 20)
		bo_map(w, bo);
	else if (r < 30)
		bo_unmap(w, bo);
	else if (r < 45)
		bo_write(w, bo);
	else if (r < 65)
		bo_verify(w, bo);
	else if (r < 73)
		bo_madvise(w, bo, true);
	else if (r < 85)
		bo_madvise(w, bo, false);
	else if (r < 99)
		bo_transfer(w, bo);
	else
		bo_export(w, bo);
}

static void report(const struct worker *w, const char *who)
{
	printf("kit-stress: {\"who\": \"%s\", \"mismatches\": %lu, \"sigbus\": %lu, "
	       "\"purged_seen\": %lu, \"calls\": {", who, w->mismatches, w->sigbus, w->purged_seen);
	for (int op = 0; op < NR_OPS; op++)
		printf("%s\"%s\": [%lu, %lu, %lu, %d]", op ? ", " : "", op_name[op], w->calls[op],
		       w->errors[op][0], w->errors[op][1], w->bad_errno[op]);
	printf("}, \"errnos\": {");
	for (int op = 0; op < NR_OPS; op++) {
		const char *sep = "";

		printf("%s\"%s\": {", op ? ", " : "", op_name[op]);
		for (size_t i = 0; i < NR_COUNTED; i++)
			if (w->by_errno[op][i]) {
				printf("%s\"%s\": %u", sep, counted[i].name, w->by_errno[op][i]);
				sep = ", ";
			}
		printf("}");
	}
	printf("}}\n");
	fflush(stdout);
}

/* A worker's record goes to the parent in one pipe write, which is atomic. */
_Static_assert(sizeof(struct worker) <= PIPE_BUF, "a worker's record must fit PIPE_BUF");

static int worker(int id, double deadline, int out)
{
	struct worker *w = calloc(1, sizeof(*w));
	int f;

	w->id = id;
	w->rng = getpid() * 2654435761u;
	w->fd = open("/dev/dri/card0", O_RDWR | O_CLOEXEC);
	if (w->fd < 0)
		return 2;
	/* Injected failures hit this process only (the fault attrs' task-filter). */
	f = open("/proc/self/make-it-fail", O_WRONLY);
	if (f >= 0) {
		if (write(f, "1", 1) != 1)
			perror("make-it-fail");
		close(f);
	}
	while (now() < deadline)
		step(w);
	f = open("/proc/self/make-it-fail", O_WRONLY);
	if (f >= 0) {
		if (write(f, "0", 1) != 1)
			perror("make-it-fail");
		close(f);
	}
	/* The end: everything back WILLNEED, every retained buffer verified whole. */
	for (int i = 0; i < MAX_BOS; i++) {
		struct bo *bo = &w->bo[i];

		if (!bo->handle)
			continue;
		bo_madvise(w, bo, false);
		bo_verify(w, bo);
		bo_close(w, bo);
	}
	if (write(out, w, sizeof(*w)) != sizeof(*w))
		return 2;
	return 0;
}

/* Force the kit's scans, as reclaim would, until the deadline. */
static void scanner(int fd, double deadline)
{
	unsigned int rng = getpid();

	while (now() < deadline) {
		__igt_gem_shrinker_kit_scan(fd, 1 + rand_r(&rng) % 256);
		usleep(2000 + rand_r(&rng) % 20000);
	}
}

/* Real memory pressure: touch up to @mib MiB of anonymous memory, free it, again. */
static void pressure(size_t mib, double deadline)
{
	while (now() < deadline) {
		size_t size = (1 + rand() % mib) << 20;
		char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			       -1, 0);

		if (p == MAP_FAILED) {
			usleep(100000);
			continue;
		}
		for (size_t i = 0; i < size; i += PAGE_BYTES)
			p[i] = (char)i;
		usleep(50000);
		munmap(p, size);
	}
}

int main(int argc, char **argv)
{
	struct worker total = { 0 }, w;
	int nworkers, fds[2], fd, status, failed = 0;
	double deadline;
	size_t mib;

	if (argc != 4) {
		fprintf(stderr, "usage: virtgpu-stress SECONDS WORKERS PRESSURE_MIB\n");
		return 2;
	}
	deadline = now() + strtod(argv[1], NULL);
	nworkers = atoi(argv[2]);
	mib = strtoul(argv[3], NULL, 0);
	fd = open("/dev/dri/card0", O_RDWR | O_CLOEXEC);
	if (fd < 0 || !igt_virtgpu_has_madvise(fd) || !igt_gem_shrinker_kit_present(fd)) {
		fprintf(stderr, "virtgpu-stress: needs virtio-gpu with the shrinker kit\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (pipe(fds))
		return 2;

	for (int i = 0; i < nworkers; i++)
		if (!fork())
			_exit(worker(i + 1, deadline, fds[1]));
	if (!fork()) {
		scanner(fd, deadline);
		_exit(0);
	}
	if (mib && !fork()) {
		pressure(mib, deadline);
		_exit(0);
	}
	close(fds[1]);
	while (read(fds[0], &w, sizeof(w)) == sizeof(w)) {
		char who[16];

		snprintf(who, sizeof(who), "worker%d", w.id);
		report(&w, who);
		total.mismatches += w.mismatches;
		total.sigbus += w.sigbus;
		total.purged_seen += w.purged_seen;
		for (int op = 0; op < NR_OPS; op++) {
			total.calls[op] += w.calls[op];
			total.errors[op][0] += w.errors[op][0];
			total.errors[op][1] += w.errors[op][1];
			for (size_t i = 0; i < NR_COUNTED; i++)
				total.by_errno[op][i] += w.by_errno[op][i];
			if (w.bad_errno[op])
				total.bad_errno[op] = w.bad_errno[op];
		}
	}
	while (wait(&status) > 0)
		failed |= !WIFEXITED(status) || WEXITSTATUS(status);
	report(&total, "all");
	return failed || total.mismatches || total.sigbus ? 1 : 0;
}
