/* SPDX-License-Identifier: MIT */
/*
 * Helpers for testing a GEM shrinker from userspace, whatever the driver:
 * content that shows whether every page came back, CPU access to a purged
 * buffer, the kernel's shrinker debugfs, the shmem shrinker kit's debugfs,
 * and real memory pressure.
 *
 * In an upstream IGT checkout this file goes to lib/ (see docs/igt.md).
 */
#ifndef IGT_GEM_SHRINKER_H
#define IGT_GEM_SHRINKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Content: every page unique, and compressible as rendering data often is. */
void igt_gem_shrinker_fill(uint32_t *map, size_t size, uint32_t seed);
size_t igt_gem_shrinker_bad_pages(const uint32_t *map, size_t size, uint32_t seed);
/* The same for pages @first.. of the buffer, through a mapping of only those. */
void igt_gem_shrinker_fill_at(uint32_t *map, size_t first, size_t pages, uint32_t seed);
size_t igt_gem_shrinker_bad_pages_at(const uint32_t *map, size_t first, size_t pages,
				     uint32_t seed);

/* Whether reading or writing *p raises SIGBUS, as it must for a purged buffer. */
bool igt_gem_shrinker_read_faults(const volatile uint32_t *p);
bool igt_gem_shrinker_write_faults(volatile uint32_t *p, uint32_t value);

/*
 * The shmem shrinker kit's debugfs (/sys/kernel/debug/drm_gem_shmem_shrinker/
 * DEVICE/) for the device of @fd: whether it is there, one of its
 * cumulative counters (purged, evicted, swapped_in, and the same in pages),
 * a scan that purges and evicts up to @pages pages now, and scans repeated
 * until a counter reaches a value.
 */
bool igt_gem_shrinker_device_name(int fd, char *buf, size_t len);
bool igt_gem_shrinker_kit_present(int fd);
long long igt_gem_shrinker_kit_stat(int fd, const char *counter);
int __igt_gem_shrinker_kit_scan(int fd, unsigned long pages);
void igt_gem_shrinker_kit_scan(int fd, unsigned long pages);
long long igt_gem_shrinker_kit_scan_until(int fd, const char *counter, long long target);

/*
 * The kernel's own shrinker debugfs (CONFIG_SHRINKER_DEBUG), for a shrinker
 * whose name starts with @prefix ("drm-shmem:", "panfrost-shrinker").
 */
bool igt_shrinker_debugfs_present(const char *prefix);
unsigned long igt_shrinker_debugfs_count(const char *prefix);
void igt_shrinker_debugfs_scan(const char *prefix, unsigned long nr_to_scan);

/* Drop clean caches and slab (calls every shrinker), as reclaim would. */
void igt_gem_shrinker_drop_caches(void);

/*
 * Real memory pressure: a child process touches up to @max_mib MiB of
 * anonymous memory, stopping early once @done(@data) is true, and exits.
 * Reclaim, not debugfs, decides what the shrinkers do.
 */
void igt_gem_shrinker_memory_pressure(size_t max_mib, bool (*done)(void *data), void *data);

/*
 * A new DRM file on @fd's device: closing it frees every buffer a subtest
 * made through it, even when the subtest failed half-way.
 */
int igt_gem_shrinker_reopen(int fd);

/* Write a debugfs, sysfs or procfs file, asserting. */
void igt_gem_shrinker_write_file(const char *path, const char *text);

/*
 * The first card of a driver, by name (the guests have several GPUs), and
 * the same once the kit manages it again after an unbind or a removal.
 */
int igt_gem_shrinker_open_driver(const char *driver);
int igt_gem_shrinker_wait_for_kit_card(const char *driver, int seconds);

/* /proc/vmstat's oom_kill counter. */
unsigned long igt_gem_shrinker_oom_kills(void);

/* cgroup v2 groups with the memory controller (see the functions' docs). */
bool igt_gem_shrinker_memcg_create(const char *name, char *path, size_t len);
bool igt_gem_shrinker_memcg_try_write(const char *cg, const char *file, const char *text);
void igt_gem_shrinker_memcg_write(const char *cg, const char *file, const char *text);
long long igt_gem_shrinker_memcg_value(const char *cg, const char *file, const char *key);
void igt_gem_shrinker_memcg_remove(const char *cg);

#endif /* IGT_GEM_SHRINKER_H */
