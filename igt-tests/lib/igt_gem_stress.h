/* SPDX-License-Identifier: MIT */
/*
 * The frame of make stress's clients, whatever the driver: worker
 * processes that each call a driver's buffer operations at random until a
 * deadline, one that forces the shmem shrinker kit's scans, one that
 * presses on memory; each call's result counted per operation and errno,
 * against the errnos the driver's uAPI documents for it; the figures
 * printed as "kit-stress: {json}" lines, one per worker and one for all.
 *
 * A driver's client (adapters/<driver>/userspace/<driver>_stress.c) gives
 * its operations' names, what it documents, and a worker's steps.
 */
#ifndef IGT_GEM_STRESS_H
#define IGT_GEM_STRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GEM_STRESS_MAX_OPS 12
#define GEM_STRESS_NR_COUNTED 9

/* What one worker saw: sent whole to the parent in one pipe write. */
struct gem_stress_counts {
	int id;
	unsigned long calls[GEM_STRESS_MAX_OPS];
	unsigned long errors[GEM_STRESS_MAX_OPS][2];	/* [documented, not] */
	int bad_errno[GEM_STRESS_MAX_OPS];
	unsigned int by_errno[GEM_STRESS_MAX_OPS][GEM_STRESS_NR_COUNTED];
	/* Pages that came back wrong, SIGBUS on buffers never DONTNEED, purges seen. */
	unsigned long mismatches, sigbus, purged_seen;
};

struct gem_stress_driver {
	/* The "driver" of the report lines, the client's name for errors. */
	const char *name, *client;
	int nr_ops;
	const char *const *op_name;
	/*
	 * Optional: whether the uAPI documents errno @err for @op, beyond what
	 * it documents for every driver (gem_stress_documented()).
	 */
	bool (*documented)(int op, int err);
	/* The device's file, or -errno; whether it has madvise (NULL: always). */
	int (*open)(void);
	bool (*usable)(int fd);
	/* A worker: its state, its steps until the deadline, its end. */
	void *(*worker_new)(int fd, int id, struct gem_stress_counts *counts);
	void (*step)(void *worker);
	void (*finish)(void *worker);
};

/* The operations every driver's client has; each adds its own after them. */
enum gem_stress_op {
	GEM_STRESS_CREATE, GEM_STRESS_CLOSE, GEM_STRESS_MAP, GEM_STRESS_UNMAP, GEM_STRESS_WRITE,
	GEM_STRESS_VERIFY, GEM_STRESS_DONTNEED, GEM_STRESS_WILLNEED, GEM_STRESS_COMMON_OPS,
};

/* Their names in the report, first in each driver's op_name. */
#define GEM_STRESS_COMMON_OP_NAMES \
	"create", "close", "mmap", "munmap", "write", "verify", "dontneed", "willneed"

/* A worker's state that the frame's helpers use; drivers' workers embed it. */
struct gem_stress_worker {
	const struct gem_stress_driver *driver;
	struct gem_stress_counts *c;
	int fd, id;
	unsigned int rng;
	uint32_t next_seed;
};

/* What a worker knows of a buffer's content; drivers' buffers embed it. */
struct gem_stress_buffer {
	uint32_t *map;		/* the worker's CPU mapping, if any */
	size_t pages;
	uint32_t seed;		/* the content's generation */
	bool known;		/* the content is @seed's: written whole and not purged */
	bool exported;		/* a dma-buf was made of it: never reclaimed again */
	bool dontneed;		/* advised DONTNEED: may be purged at any time */
	bool lost;		/* purged: content gone for good */
};

void gem_stress_worker_init(struct gem_stress_worker *w, const struct gem_stress_driver *d,
			    int fd, int id, struct gem_stress_counts *c);
unsigned int gem_stress_rnd(struct gem_stress_worker *w, unsigned int n);
uint32_t gem_stress_next_seed(struct gem_stress_worker *w);
bool gem_stress_documented(const struct gem_stress_driver *d, int op, int err, bool exported);
int gem_stress_count(struct gem_stress_worker *w, int op, const struct gem_stress_buffer *b,
		     int ret);
int gem_stress_map_result(struct gem_stress_worker *w, struct gem_stress_buffer *b, int ret);
bool gem_stress_write(struct gem_stress_worker *w, struct gem_stress_buffer *b);
void gem_stress_verify(struct gem_stress_worker *w, struct gem_stress_buffer *b,
		       const uint32_t *want);
void gem_stress_advised(struct gem_stress_worker *w, struct gem_stress_buffer *b, bool dontneed,
			uint32_t retained);
int gem_stress_main(const struct gem_stress_driver *d, int argc, char **argv);

#endif /* IGT_GEM_STRESS_H */
