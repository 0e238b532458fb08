// SPDX-License-Identifier: MIT
/*
 * The frame of make stress's clients: see igt_gem_stress.h.
 *
 *   CLIENT SECONDS WORKERS PRESSURE_MIB
 *
 * Fault injection (set up by the guest's payload) may make allocations in
 * the driver fail for the workers, which mark themselves in
 * /proc/self/make-it-fail while they step.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "igt_gem_shrinker.h"
#include "igt_gem_stress.h"

/* The documented errnos, counted one by one for the report. */
static const struct {
	int err;
	const char *name;
} counted[GEM_STRESS_NR_COUNTED] = {
	{ ENOMEM, "ENOMEM" }, { ENOSPC, "ENOSPC" }, { EINTR, "EINTR" }, { ENODATA, "ENODATA" },
	{ EBUSY, "EBUSY" }, { ETIMEDOUT, "ETIMEDOUT" }, { ENOENT, "ENOENT" }, { EINVAL, "EINVAL" },
	{ ETIME, "ETIME" },
};

/* A worker's record goes to the parent in one pipe write, which is atomic. */
_Static_assert(sizeof(struct gem_stress_counts) <= PIPE_BUF,
	       "a worker's record must fit PIPE_BUF");

#define PAGE_BYTES 4096u

void gem_stress_worker_init(struct gem_stress_worker *w, const struct gem_stress_driver *d,
			    int fd, int id, struct gem_stress_counts *c)
{
	w->driver = d;
	w->c = c;
	w->fd = fd;
	w->id = id;
	w->rng = getpid() * 2654435761u;
	w->next_seed = 0;
}

unsigned int gem_stress_rnd(struct gem_stress_worker *w, unsigned int n)
{
	return rand_r(&w->rng) % n;
}

/* A seed no other worker's content has. */
uint32_t gem_stress_next_seed(struct gem_stress_worker *w)
{
	return (uint32_t)w->id << 24 | (w->next_seed++ & 0xffffff);
}

/*
 * Whether @err is an errno the uAPI documents for @op (on an exported
 * buffer if @exported), under memory pressure and injected allocation
 * failures: for every driver (Documentation/gpu/drm-uapi.rst) ENOMEM for
 * any allocation, EINTR for an interrupted call, ENOSPC when mmap offsets
 * or the driver's ids or address space run out, ENODATA for a mapping of a
 * purged buffer (gem_stress_map_result()), and EINVAL from madvise of an
 * exported buffer, which is never reclaimed; and what @d adds for its own
 * operations.
 */
bool gem_stress_documented(const struct gem_stress_driver *d, int op, int err, bool exported)
{
	switch (err) {
	case ENOMEM:
	case EINTR:
		return true;
	case ENOSPC:
		if (op == GEM_STRESS_MAP || op == GEM_STRESS_CREATE)
			return true;
		break;
	case ENODATA:
		if (op == GEM_STRESS_MAP)
			return true;
		break;
	case EINVAL:
		if ((op == GEM_STRESS_DONTNEED || op == GEM_STRESS_WILLNEED) && exported)
			return true;
		break;
	}
	return d->documented && d->documented(op, err);
}

/* Count a call's result on @b (NULL: no buffer yet); returns it. */
int gem_stress_count(struct gem_stress_worker *w, int op, const struct gem_stress_buffer *b,
		     int ret)
{
	struct gem_stress_counts *c = w->c;

	c->calls[op]++;
	if (ret < 0) {
		bool ok = gem_stress_documented(w->driver, op, -ret, b && b->exported);

		c->errors[op][!ok]++;
		if (!ok)
			c->bad_errno[op] = -ret;
		for (size_t i = 0; ok && i < GEM_STRESS_NR_COUNTED; i++)
			if (counted[i].err == -ret)
				c->by_errno[op][i]++;
	}
	return ret;
}

/*
 * Count the result of mapping @b. A purge frees the mmap offset: mmap() of
 * a purged buffer is refused, with EINVAL, or with EACCES when a buffer of
 * another file got the same offset between the driver's map ioctl and
 * mmap() (drm_gem_mmap()); for a buffer that may be purged, that is
 * -ENODATA, which the uAPI documents.
 */
int gem_stress_map_result(struct gem_stress_worker *w, struct gem_stress_buffer *b, int ret)
{
	if ((ret == -EINVAL || ret == -EACCES) && (b->dontneed || b->lost))
		ret = -ENODATA;
	if (gem_stress_count(w, GEM_STRESS_MAP, b, ret))
		b->map = NULL;
	return ret;
}

/*
 * Write new content through @b's mapping. A DONTNEED buffer may be purged
 * under the writer, so it gets one SIGBUS-safe store that changes nothing
 * (word 1 of page 0 holds the page index, 0); SIGBUS then means purged.
 * Returns whether new content was written.
 */
bool gem_stress_write(struct gem_stress_worker *w, struct gem_stress_buffer *b)
{
	size_t size = b->pages * PAGE_BYTES;
	uint32_t seed = gem_stress_next_seed(w);
	uint32_t *tmp;

	w->c->calls[GEM_STRESS_WRITE]++;
	if (b->dontneed) {
		if (igt_gem_shrinker_write_faults(&b->map[1], 0))
			b->lost = true;
		return false;
	}
	tmp = malloc(size);
	if (!tmp)
		return false;
	igt_gem_shrinker_fill(tmp, size, seed);
	/* Every page SIGBUS-safe first: a WILLNEED buffer must never raise it. */
	for (size_t i = 0; i < size / 4; i += PAGE_BYTES / 4)
		if (igt_gem_shrinker_write_faults(&b->map[i], tmp[i])) {
			w->c->sigbus++;
			b->known = false;
			free(tmp);
			return false;
		}
	memcpy(b->map, tmp, size);
	free(tmp);
	b->seed = seed;
	b->known = true;
	return true;
}

/*
 * Count the pages of @b, mapped, that do not hold @want (NULL: the pattern
 * of @b's seed), after checking that no page raises SIGBUS.
 */
void gem_stress_verify(struct gem_stress_worker *w, struct gem_stress_buffer *b,
		       const uint32_t *want)
{
	w->c->calls[GEM_STRESS_VERIFY]++;
	for (size_t p = 0; p < b->pages; p++)
		if (igt_gem_shrinker_read_faults(&b->map[p * PAGE_BYTES / 4])) {
			w->c->sigbus++;
			return;
		}
	if (!want) {
		w->c->mismatches += igt_gem_shrinker_bad_pages(b->map, b->pages * PAGE_BYTES, b->seed);
		return;
	}
	for (size_t p = 0; p < b->pages; p++)
		if (memcmp(&b->map[p * PAGE_BYTES / 4], &want[p * PAGE_BYTES / 4], PAGE_BYTES))
			w->c->mismatches++;
}

/* After a madvise of @b that succeeded: what @retained says of its content. */
void gem_stress_advised(struct gem_stress_worker *w, struct gem_stress_buffer *b, bool dontneed,
			uint32_t retained)
{
	if (!retained && !b->lost) {
		if (!b->dontneed)
			w->c->mismatches++; /* purged without ever being DONTNEED */
		b->lost = true;
		b->known = false;
		w->c->purged_seen++;
	}
	b->dontneed = dontneed;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void report(const struct gem_stress_driver *d, const struct gem_stress_counts *c,
		   const char *who)
{
	printf("kit-stress: {\"driver\": \"%s\", \"who\": \"%s\", \"mismatches\": %lu, "
	       "\"sigbus\": %lu, \"purged_seen\": %lu, \"calls\": {",
	       d->name, who, c->mismatches, c->sigbus, c->purged_seen);
	for (int op = 0; op < d->nr_ops; op++)
		printf("%s\"%s\": [%lu, %lu, %lu, %d]", op ? ", " : "", d->op_name[op],
		       c->calls[op], c->errors[op][0], c->errors[op][1], c->bad_errno[op]);
	printf("}, \"errnos\": {");
	for (int op = 0; op < d->nr_ops; op++) {
		const char *sep = "";

		printf("%s\"%s\": {", op ? ", " : "", d->op_name[op]);
		for (size_t i = 0; i < GEM_STRESS_NR_COUNTED; i++)
			if (c->by_errno[op][i]) {
				printf("%s\"%s\": %u", sep, counted[i].name, c->by_errno[op][i]);
				sep = ", ";
			}
		printf("}");
	}
	printf("}}\n");
	fflush(stdout);
}

static void make_it_fail(const char *on)
{
	int f = open("/proc/self/make-it-fail", O_WRONLY);

	if (f >= 0) {
		if (write(f, on, 1) != 1)
			perror("make-it-fail");
		close(f);
	}
}

static int worker(const struct gem_stress_driver *d, int id, double deadline, int out)
{
	struct gem_stress_counts c = { .id = id };
	void *w;
	int fd = d->open();

	if (fd < 0)
		return 2;
	w = d->worker_new(fd, id, &c);
	if (!w)
		return 2;
	/* Injected failures hit this process only (the fault attrs' task-filter). */
	make_it_fail("1");
	while (now() < deadline)
		d->step(w);
	make_it_fail("0");
	d->finish(w);
	close(fd);
	return write(out, &c, sizeof(c)) == sizeof(c) ? 0 : 2;
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
		for (size_t i = 0; i < size; i += 4096)
			p[i] = (char)i;
		usleep(50000);
		munmap(p, size);
	}
}

/**
 * gem_stress_main() - run @d's workers, scanner and pressure, report
 * @d: the driver's operations
 * @argc: 4
 * @argv: CLIENT SECONDS WORKERS PRESSURE_MIB
 *
 * Returns the client's exit status: 1 on a mismatch, a SIGBUS or a worker
 * that failed, 2 on bad usage or a device without the kit.
 */
int gem_stress_main(const struct gem_stress_driver *d, int argc, char **argv)
{
	struct gem_stress_counts total = { 0 }, c;
	int nworkers, fds[2], fd, status, failed = 0;
	double deadline;
	size_t mib;

	if (argc != 4) {
		fprintf(stderr, "usage: %s SECONDS WORKERS PRESSURE_MIB\n", d->client);
		return 2;
	}
	deadline = now() + strtod(argv[1], NULL);
	nworkers = atoi(argv[2]);
	mib = strtoul(argv[3], NULL, 0);
	if (d->nr_ops > GEM_STRESS_MAX_OPS) {
		fprintf(stderr, "%s: %d operations, the frame counts %d\n", d->client, d->nr_ops,
			GEM_STRESS_MAX_OPS);
		return 2;
	}
	fd = d->open();
	if (fd < 0 || (d->usable && !d->usable(fd)) || !igt_gem_shrinker_kit_present(fd)) {
		fprintf(stderr, "%s: needs %s with the shrinker kit\n", d->client, d->name);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (pipe(fds))
		return 2;

	for (int i = 0; i < nworkers; i++)
		if (!fork())
			_exit(worker(d, i + 1, deadline, fds[1]));
	if (!fork()) {
		scanner(fd, deadline);
		_exit(0);
	}
	if (mib && !fork()) {
		pressure(mib, deadline);
		_exit(0);
	}
	close(fds[1]);
	while (read(fds[0], &c, sizeof(c)) == sizeof(c)) {
		char who[16];

		snprintf(who, sizeof(who), "worker%d", c.id);
		report(d, &c, who);
		total.mismatches += c.mismatches;
		total.sigbus += c.sigbus;
		total.purged_seen += c.purged_seen;
		for (int op = 0; op < d->nr_ops; op++) {
			total.calls[op] += c.calls[op];
			total.errors[op][0] += c.errors[op][0];
			total.errors[op][1] += c.errors[op][1];
			for (size_t i = 0; i < GEM_STRESS_NR_COUNTED; i++)
				total.by_errno[op][i] += c.by_errno[op][i];
			if (c.bad_errno[op])
				total.bad_errno[op] = c.bad_errno[op];
		}
	}
	while (wait(&status) > 0)
		failed |= !WIFEXITED(status) || WEXITSTATUS(status);
	report(d, &total, "all");
	return failed || total.mismatches || total.sigbus ? 1 : 0;
}
