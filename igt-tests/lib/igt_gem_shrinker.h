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

/* Whether reading or writing *p raises SIGBUS, as it must for a purged buffer. */
bool igt_gem_shrinker_read_faults(const volatile uint32_t *p);
bool igt_gem_shrinker_write_faults(volatile uint32_t *p, uint32_t value);

/*
 * The shmem shrinker kit's debugfs (/sys/kernel/debug/drm_gem_shmem_shrinker/):
 * whether it is there, one of its cumulative counters (purged, evicted,
 * swapped_in, and the same in pages), and a scan that purges and evicts
 * up to @pages pages now.
 */
bool igt_gem_shrinker_kit_present(void);
long long igt_gem_shrinker_kit_stat(const char *counter);
int __igt_gem_shrinker_kit_scan(unsigned long pages);
void igt_gem_shrinker_kit_scan(unsigned long pages);

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
 * Real memory pressure: a child process touches @mib MiB of anonymous
 * memory and exits. Reclaim, not debugfs, decides what the shrinkers do.
 */
void igt_gem_shrinker_memory_pressure(size_t mib);

/* /proc/meminfo's @field (MemTotal, SwapFree, ...) in MiB. */
size_t igt_gem_shrinker_meminfo_mib(const char *field);

/* /proc/vmstat's oom_kill counter. */
unsigned long igt_gem_shrinker_oom_kills(void);

#endif /* IGT_GEM_SHRINKER_H */
