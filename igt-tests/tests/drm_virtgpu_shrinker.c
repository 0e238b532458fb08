// SPDX-License-Identifier: MIT
/*
 * The GEM shmem shrinker on virtio-gpu: the madvise uAPI, purging DONTNEED
 * buffers, evicting idle buffers to swap and bringing them back when they
 * are used again.
 */

/**
 * TEST: drm virtgpu shrinker
 * Category: Core
 * Mega feature: General Core features
 * Sub-category: Memory management
 * Functionality: shrinker
 * Description: madvise, purge, eviction and swap-in of virtio-gpu buffers
 *		under the shmem shrinker kit.
 *
 * SUBTEST: param-reports-madvise
 * SUBTEST: madvise-basic
 * SUBTEST: madvise-bad-handle
 * SUBTEST: madvise-bad-value
 * SUBTEST: madvise-bad-padding
 * SUBTEST: madvise-dumb-never-reclaimed
 * SUBTEST: purge-dontneed
 * SUBTEST: purged-mmap-sigbus
 * SUBTEST: purged-while-mmapped-sigbus
 * SUBTEST: willneed-after-purge-not-retained
 * SUBTEST: evict-swapin-integrity
 * SUBTEST: evict-while-mmapped
 * SUBTEST: mmap-split-head-unmapped
 * SUBTEST: mmap-split-middle-hole
 * SUBTEST: mmap-split-mprotect-part
 * SUBTEST: mmap-split-mremap-tail
 * SUBTEST: dumb-mmap-split
 * SUBTEST: dmabuf-mmap-offset
 * SUBTEST: dumb-dmabuf-mmap-offset
 * SUBTEST: swapin-on-submit
 * SUBTEST: shrinker-debugfs-count-and-scan
 * SUBTEST: madvise-close-race-scans
 * SUBTEST: no-oom-overcommit
 * SUBTEST: dontneed-overcommit
 * SUBTEST: cgroup-limit-evicts-idle
 * SUBTEST: detach-timeout-then-transfer
 * SUBTEST: virgl-execbuffer-swaps-in
 * SUBTEST: virgl-transfer-from-host-swaps-in
 * SUBTEST: suspend-resume-under-reclaim
 * SUBTEST: unbind-rebind-under-reclaim
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "igt.h"
#include "igt_gem_shrinker.h"
#include "igt_virtgpu.h"

IGT_TEST_DESCRIPTION("The GEM shmem shrinker on virtio-gpu: madvise, purge, evict and swap-in.");

#define PAGE_BYTES 4096u
/* Far more than any test here has: a scan reclaims everything it can. */
#define SCAN_ALL (1ul << 20)

/* The device the fixture opened; each subtest works on its own file of it. */
static int device = -1;
static int fd = -1;

/*
 * A buffer of @pages pages filled with @seed, unmapped again, and idle: the
 * host has finished the commands that created it.
 */
static uint32_t filled_buffer(size_t pages, uint32_t seed)
{
	size_t size = pages * PAGE_BYTES;
	uint32_t handle = igt_virtgpu_create(fd, size);
	uint32_t *map = igt_virtgpu_mmap(fd, handle, size);

	igt_gem_shrinker_fill(map, size, seed);
	munmap(map, size);
	igt_assert_eq(__igt_virtgpu_wait(fd, handle), 0);
	return handle;
}

/* Whether @handle's content is gone: DONTNEED again reports it. */
static bool purged(uint32_t handle)
{
	return !igt_virtgpu_madvise(fd, handle, VIRTGPU_MADV_DONTNEED);
}

static void test_param_reports_madvise(void)
{
	int value = 0;

	igt_assert_eq(__igt_virtgpu_getparam(fd, VIRTGPU_PARAM_MADVISE, &value), 0);
	igt_assert_eq(value, 1);
}

static void test_madvise_basic(void)
{
	uint32_t handle = filled_buffer(64, 1);

	igt_assert(igt_virtgpu_madvise(fd, handle, VIRTGPU_MADV_DONTNEED));
	igt_assert(igt_virtgpu_madvise(fd, handle, VIRTGPU_MADV_DONTNEED));
	igt_assert(igt_virtgpu_madvise(fd, handle, VIRTGPU_MADV_WILLNEED));
	igt_assert(igt_virtgpu_madvise(fd, handle, VIRTGPU_MADV_WILLNEED));
	igt_virtgpu_close(fd, handle);
}

static void test_madvise_bad_handle(void)
{
	uint32_t retained = 7;

	igt_assert_eq(__igt_virtgpu_madvise(fd, 0xdead, VIRTGPU_MADV_DONTNEED, 0, &retained),
		      -ENOENT);
	igt_assert_eq(__igt_virtgpu_madvise(fd, 0, VIRTGPU_MADV_DONTNEED, 0, &retained), -ENOENT);
	igt_assert_eq(retained, 7);
}

static void test_madvise_bad_value(void)
{
	uint32_t handle = filled_buffer(16, 2), retained = 7;

	igt_assert_eq(__igt_virtgpu_madvise(fd, handle, 2, 0, &retained), -EINVAL);
	igt_assert_eq(__igt_virtgpu_madvise(fd, handle, ~0u, 0, &retained), -EINVAL);
	igt_assert_eq(retained, 7);
	/* The rejected advice changed nothing: the buffer is still WILLNEED. */
	igt_gem_shrinker_kit_scan(fd, SCAN_ALL);
	igt_assert(igt_virtgpu_madvise(fd, handle, VIRTGPU_MADV_WILLNEED));
	igt_virtgpu_close(fd, handle);
}

static void test_madvise_bad_padding(void)
{
	uint32_t handle = filled_buffer(16, 3), retained = 7;

	igt_assert_eq(__igt_virtgpu_madvise(fd, handle, VIRTGPU_MADV_DONTNEED, 1, &retained),
		      -EINVAL);
	igt_assert_eq(__igt_virtgpu_madvise(fd, handle, VIRTGPU_MADV_DONTNEED, 1u << 31,
					    &retained), -EINVAL);
	igt_assert_eq(retained, 7);
	igt_virtgpu_close(fd, handle);
}

static void test_madvise_dumb_never_reclaimed(void)
{
	struct drm_mode_create_dumb d = { .width = 64, .height = 64, .bpp = 32 };

	do_ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &d);
	igt_assert_eq(__igt_virtgpu_madvise(fd, d.handle, VIRTGPU_MADV_DONTNEED, 0, NULL),
		      -EINVAL);
	igt_virtgpu_close(fd, d.handle);
}

/* For igt_gem_shrinker_memory_pressure(), in its child. */
static bool pressure_purged(void *handle)
{
	return purged(*(uint32_t *)handle);
}

static void test_purge_dontneed(void)
{
	uint64_t ram = igt_get_total_ram_mb();
	long long before = igt_gem_shrinker_kit_stat(fd, "purged_pages");
	uint32_t handle;

	/* Forced: the kit's debugfs scan purges a DONTNEED buffer at once. */
	handle = filled_buffer(256, 4);
	igt_assert(igt_virtgpu_madvise(fd, handle, VIRTGPU_MADV_DONTNEED));
	igt_assert_lte_s64(before + 256,
			   igt_gem_shrinker_kit_scan_until(fd, "purged_pages", before + 256));
	igt_assert(purged(handle));
	igt_virtgpu_close(fd, handle);

	/*
	 * Real memory pressure: another process fills RAM until reclaim purges
	 * the buffer on its own (it stops there, so no swap is needed).
	 */
	handle = filled_buffer(1024, 5);
	igt_assert(igt_virtgpu_madvise(fd, handle, VIRTGPU_MADV_DONTNEED));
	igt_gem_shrinker_memory_pressure(2 * ram, pressure_purged, &handle);
	igt_assert_f(purged(handle),
		     "%" PRIu64 " MiB of memory pressure did not purge a 4 MiB DONTNEED buffer\n",
		     2 * ram);
	igt_virtgpu_close(fd, handle);
}

/* PRIME export; returns 0 (closing the dma-buf) or a negative errno. */
static int __prime_export(uint32_t handle)
{
	struct drm_prime_handle prime = { .handle = handle, .flags = DRM_CLOEXEC | DRM_RDWR };

	if (igt_ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &prime))
		return -errno;
	close(prime.fd);
	return 0;
}

static void test_purged_mmap_sigbus(void)
{
	long long before = igt_gem_shrinker_kit_stat(fd, "purged");
	uint32_t handle = filled_buffer(64, 6);
	uint32_t *map;

	igt_assert(igt_virtgpu_madvise(fd, handle, VIRTGPU_MADV_DONTNEED));
	igt_gem_shrinker_kit_scan_until(fd, "purged", before + 1);
	igt_assert(purged(handle));
	map = igt_virtgpu_mmap(fd, handle, 64 * PAGE_BYTES);
	igt_assert_f(igt_gem_shrinker_read_faults(map),
		     "CPU access to a purged buffer did not raise SIGBUS\n");
	igt_assert_f(igt_gem_shrinker_read_faults(map + 63 * PAGE_BYTES / 4),
		     "CPU access to a purged buffer's last page did not raise SIGBUS\n");
	munmap(map, 64 * PAGE_BYTES);
	igt_assert_eq(__igt_virtgpu_transfer_to_host(fd, handle, 64 * PAGE_BYTES), -ENODATA);
	igt_assert_f(__prime_export(handle) == -ENODATA,
		     "exporting a purged buffer did not fail with -ENODATA\n");
	igt_virtgpu_close(fd, handle);
}

/*
 * As i915's gem_madvise@dontneed-after-mmap: a mapping made while the
 * buffer still had its content raises SIGBUS once the buffer is purged
 * (the purge zaps it), on its first page and its last.
 */
static void test_purged_while_mmapped_sigbus(void)
{
	long long before = igt_gem_shrinker_kit_stat(fd, "purged");
	uint32_t handle = filled_buffer(64, 16);
	uint32_t *map = igt_virtgpu_mmap(fd, handle, 64 * PAGE_BYTES);

	igt_assert_eq(igt_gem_shrinker_bad_pages(map, 64 * PAGE_BYTES, 16), 0);
	igt_assert(igt_virtgpu_madvise(fd, handle, VIRTGPU_MADV_DONTNEED));
	igt_gem_shrinker_kit_scan_until(fd, "purged", before + 1);
	igt_assert(purged(handle));
	igt_assert_f(igt_gem_shrinker_read_faults(map),
		     "a mapping made before the purge still reads the first page\n");
	igt_assert_f(igt_gem_shrinker_read_faults(map + 63 * PAGE_BYTES / 4),
		     "a mapping made before the purge still reads the last page\n");
	munmap(map, 64 * PAGE_BYTES);
	igt_virtgpu_close(fd, handle);
}

static void test_willneed_after_purge_not_retained(void)
{
	long long before = igt_gem_shrinker_kit_stat(fd, "purged");
	uint32_t handle = filled_buffer(64, 7);

	igt_assert(igt_virtgpu_madvise(fd, handle, VIRTGPU_MADV_DONTNEED));
	igt_gem_shrinker_kit_scan_until(fd, "purged", before + 1);
	igt_assert_f(!igt_virtgpu_madvise(fd, handle, VIRTGPU_MADV_WILLNEED),
		     "WILLNEED after a purge reported the content as retained\n");
	/* Purged is for good: taking the advice back does not bring it back. */
	igt_assert(!igt_virtgpu_madvise(fd, handle, VIRTGPU_MADV_WILLNEED));
	igt_virtgpu_close(fd, handle);
}

static void test_evict_swapin_integrity(void)
{
	long long evicted = igt_gem_shrinker_kit_stat(fd, "evicted");
	long long swapped_in = igt_gem_shrinker_kit_stat(fd, "swapped_in");
	uint32_t handle[8];
	uint32_t *map;
	int i;

	for (i = 0; i < 8; i++)
		handle[i] = filled_buffer(128, 100 + i);
	igt_assert_lte_s64(evicted + 8, igt_gem_shrinker_kit_scan_until(fd, "evicted", evicted + 8));
	igt_gem_shrinker_drop_caches();
	for (i = 0; i < 8; i++) {
		map = igt_virtgpu_mmap(fd, handle[i], 128 * PAGE_BYTES);
		igt_assert_f(igt_gem_shrinker_bad_pages(map, 128 * PAGE_BYTES, 100 + i) == 0,
			     "buffer %d lost content across evict and swap-in\n", i);
		munmap(map, 128 * PAGE_BYTES);
		igt_virtgpu_close(fd, handle[i]);
	}
	igt_assert_lte_s64(swapped_in + 8, igt_gem_shrinker_kit_stat(fd, "swapped_in"));
}

static void test_evict_while_mmapped(void)
{
	long long evicted = igt_gem_shrinker_kit_stat(fd, "evicted");
	uint32_t handle = igt_virtgpu_create(fd, 128 * PAGE_BYTES);
	uint32_t *map = igt_virtgpu_mmap(fd, handle, 128 * PAGE_BYTES);

	igt_gem_shrinker_fill(map, 128 * PAGE_BYTES, 8);
	igt_assert_eq(__igt_virtgpu_wait(fd, handle), 0);
	igt_assert_f(igt_gem_shrinker_kit_scan_until(fd, "evicted", evicted + 1) > evicted,
		     "an idle buffer behind a live mapping was not evicted\n");
	igt_gem_shrinker_drop_caches();
	igt_assert_eq(igt_gem_shrinker_bad_pages(map, 128 * PAGE_BYTES, 8), 0);
	igt_gem_shrinker_fill(map, 128 * PAGE_BYTES, 9);
	igt_assert_eq(igt_gem_shrinker_bad_pages(map, 128 * PAGE_BYTES, 9), 0);
	munmap(map, 128 * PAGE_BYTES);
	igt_virtgpu_close(fd, handle);
}

/*
 * CPU mappings that userspace has split: munmap() of a part, mprotect() of
 * a part and mremap() of a part each leave VMAs that start inside the
 * buffer, and a fault in one must map the page of the buffer under the
 * faulting address, not the page at the same distance from the VMA's
 * start. Each shape is checked on pages first touched after the split and,
 * for a reclaimable buffer, again after eviction, when every page faults
 * back in; then written through the split mapping and read back through a
 * whole one.
 */
#define SPLIT_PAGES 16

enum split_shape { SPLIT_HEAD, SPLIT_HOLE, SPLIT_MPROTECT, SPLIT_MREMAP_TAIL };

/* What is left of a mapping of the whole buffer after the split. */
struct split_map {
	int parts;
	struct {
		uint32_t *map;
		size_t first, pages;
		bool writable;
	} part[3];
};

static void split_map(struct split_map *m, int map_fd, uint64_t offset, enum split_shape shape)
{
	uint8_t *map = mmap(NULL, SPLIT_PAGES * PAGE_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED,
			    map_fd, offset);
	void *dst;

	igt_assert(map != MAP_FAILED);
	memset(m, 0, sizeof(*m));
#define PART(i, start, n, w) \
	(m->part[i].map = (uint32_t *)(map + (start) * PAGE_BYTES), m->part[i].first = (start), \
	 m->part[i].pages = (n), m->part[i].writable = (w))
	switch (shape) {
	case SPLIT_HEAD:
		igt_assert_eq(munmap(map, 4 * PAGE_BYTES), 0);
		PART(0, 4, SPLIT_PAGES - 4, true);
		m->parts = 1;
		break;
	case SPLIT_HOLE:
		igt_assert_eq(munmap(map + 4 * PAGE_BYTES, 4 * PAGE_BYTES), 0);
		PART(0, 0, 4, true);
		PART(1, 8, SPLIT_PAGES - 8, true);
		m->parts = 2;
		break;
	case SPLIT_MPROTECT:
		igt_assert_eq(mprotect(map + 4 * PAGE_BYTES, 4 * PAGE_BYTES, PROT_READ), 0);
		PART(0, 0, 4, true);
		PART(1, 4, 4, false);
		PART(2, 8, SPLIT_PAGES - 8, true);
		m->parts = 3;
		break;
	case SPLIT_MREMAP_TAIL:
		/* A free place for the tail, away from the head. */
		dst = mmap(NULL, (SPLIT_PAGES + 8) * PAGE_BYTES, PROT_NONE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		igt_assert(dst != MAP_FAILED);
		dst = mremap(map + 8 * PAGE_BYTES, (SPLIT_PAGES - 8) * PAGE_BYTES,
			     (SPLIT_PAGES - 8) * PAGE_BYTES, MREMAP_MAYMOVE | MREMAP_FIXED,
			     (uint8_t *)dst + 8 * PAGE_BYTES);
		igt_assert(dst != MAP_FAILED);
		PART(0, 0, 8, true);
		m->parts = 2;
		m->part[1].map = dst;
		m->part[1].first = 8;
		m->part[1].pages = SPLIT_PAGES - 8;
		m->part[1].writable = true;
		break;
	}
#undef PART
}

/* Pages of the split mapping that do not show the buffer's pages at their place. */
static size_t split_bad_pages(const struct split_map *m, uint32_t seed)
{
	size_t bad = 0;

	for (int i = 0; i < m->parts; i++)
		bad += igt_gem_shrinker_bad_pages_at(m->part[i].map, m->part[i].first,
						     m->part[i].pages, seed);
	return bad;
}

static void split_fill(const struct split_map *m, uint32_t seed)
{
	for (int i = 0; i < m->parts; i++)
		if (m->part[i].writable)
			igt_gem_shrinker_fill_at(m->part[i].map, m->part[i].first,
						 m->part[i].pages, seed);
}

/* Whether the writable parts, read through a whole mapping at @offset, hold @seed. */
static size_t split_bad_written_pages(const struct split_map *m, int map_fd, uint64_t offset,
				      uint32_t seed)
{
	uint32_t *whole = mmap(NULL, SPLIT_PAGES * PAGE_BYTES, PROT_READ, MAP_SHARED, map_fd,
			       offset);
	size_t bad = 0;

	igt_assert(whole != MAP_FAILED);
	for (int i = 0; i < m->parts; i++)
		if (m->part[i].writable)
			bad += igt_gem_shrinker_bad_pages_at(whole + m->part[i].first * PAGE_BYTES / 4,
							     m->part[i].first, m->part[i].pages,
							     seed);
	munmap(whole, SPLIT_PAGES * PAGE_BYTES);
	return bad;
}

static void split_unmap(const struct split_map *m)
{
	for (int i = 0; i < m->parts; i++)
		munmap(m->part[i].map, m->part[i].pages * PAGE_BYTES);
}

static void test_mmap_split(enum split_shape shape)
{
	uint32_t handle = filled_buffer(SPLIT_PAGES, 0x5917);
	long long evicted;
	struct split_map m;
	uint64_t offset;

	igt_assert_eq(__igt_virtgpu_mmap_offset(fd, handle, &offset), 0);
	split_map(&m, fd, offset, shape);
	igt_assert_f(split_bad_pages(&m, 0x5917) == 0,
		     "pages first touched after the split show the wrong part of the buffer\n");

	evicted = igt_gem_shrinker_kit_stat(fd, "evicted");
	igt_assert_lt_s64(evicted, igt_gem_shrinker_kit_scan_until(fd, "evicted", evicted + 1));
	igt_gem_shrinker_drop_caches();
	igt_assert_f(split_bad_pages(&m, 0x5917) == 0,
		     "pages faulted back in after eviction show the wrong part of the buffer\n");

	split_fill(&m, 0x5918);
	igt_gem_shrinker_kit_scan(fd, SCAN_ALL);
	igt_assert_f(split_bad_written_pages(&m, fd, offset, 0x5918) == 0,
		     "writes through the split mapping landed in the wrong pages\n");
	split_unmap(&m);
	igt_virtgpu_close(fd, handle);
}

static void test_mmap_split_head(void) { test_mmap_split(SPLIT_HEAD); }
static void test_mmap_split_hole(void) { test_mmap_split(SPLIT_HOLE); }
static void test_mmap_split_mprotect(void) { test_mmap_split(SPLIT_MPROTECT); }
static void test_mmap_split_mremap(void) { test_mmap_split(SPLIT_MREMAP_TAIL); }

/*
 * The same on a dumb buffer, which the kit never reclaims: its mapping is
 * the shmem helpers' own (drm_gem_shmem_vm_ops), on any kernel.
 */
static void test_dumb_mmap_split(void)
{
	static const enum split_shape shapes[] = {
		SPLIT_HEAD, SPLIT_HOLE, SPLIT_MPROTECT, SPLIT_MREMAP_TAIL,
	};

	for (size_t i = 0; i < ARRAY_SIZE(shapes); i++) {
		struct drm_mode_create_dumb d = {
			.width = 1024, .height = SPLIT_PAGES, .bpp = 32,
		};
		struct drm_mode_map_dumb map = {};
		struct split_map m;
		uint32_t *whole;

		do_ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &d);
		igt_assert_eq_u64(d.size, SPLIT_PAGES * PAGE_BYTES);
		map.handle = d.handle;
		do_ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &map);
		whole = mmap(NULL, d.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, map.offset);
		igt_assert(whole != MAP_FAILED);
		igt_gem_shrinker_fill(whole, d.size, 0x5919 + i);
		munmap(whole, d.size);

		split_map(&m, fd, map.offset, shapes[i]);
		igt_assert_f(split_bad_pages(&m, 0x5919 + i) == 0,
			     "shape %zu: pages first touched after the split show the wrong part "
			     "of the buffer\n", i);
		split_fill(&m, 0x5929 + i);
		igt_assert_f(split_bad_written_pages(&m, fd, map.offset, 0x5929 + i) == 0,
			     "shape %zu: writes through the split mapping landed in the wrong "
			     "pages\n", i);
		split_unmap(&m);
		igt_virtgpu_close(fd, d.handle);
	}
}

/*
 * mmap() of an exported buffer's dma-buf at an offset shows the buffer from
 * that offset on, before and after a scan (exported buffers stay resident).
 */
static void check_dmabuf_mmap_offset(uint32_t handle, uint32_t seed)
{
	struct drm_prime_handle prime = { .handle = handle, .flags = DRM_CLOEXEC | DRM_RDWR };
	uint32_t *map;

	do_ioctl(fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &prime);
	map = mmap(NULL, (SPLIT_PAGES - 4) * PAGE_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED,
		   prime.fd, 4 * PAGE_BYTES);
	igt_assert(map != MAP_FAILED);
	igt_assert_f(igt_gem_shrinker_bad_pages_at(map, 4, SPLIT_PAGES - 4, seed) == 0,
		     "a dma-buf mapped 4 pages in does not start at the buffer's page 4\n");
	igt_gem_shrinker_kit_scan(fd, SCAN_ALL);
	igt_gem_shrinker_drop_caches();
	igt_assert_eq(igt_gem_shrinker_bad_pages_at(map, 4, SPLIT_PAGES - 4, seed), 0);
	munmap(map, (SPLIT_PAGES - 4) * PAGE_BYTES);
	close(prime.fd);
}

static void test_dmabuf_mmap_offset(void)
{
	uint32_t handle = filled_buffer(SPLIT_PAGES, 0x5939);

	check_dmabuf_mmap_offset(handle, 0x5939);
	igt_virtgpu_close(fd, handle);
}

static void test_dumb_dmabuf_mmap_offset(void)
{
	struct drm_mode_create_dumb d = { .width = 1024, .height = SPLIT_PAGES, .bpp = 32 };
	struct drm_mode_map_dumb map = {};
	uint32_t *whole;

	do_ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &d);
	map.handle = d.handle;
	do_ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &map);
	whole = mmap(NULL, d.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, map.offset);
	igt_assert(whole != MAP_FAILED);
	igt_gem_shrinker_fill(whole, d.size, 0x593a);
	munmap(whole, d.size);
	check_dmabuf_mmap_offset(d.handle, 0x593a);
	igt_virtgpu_close(fd, d.handle);
}

/*
 * Without virgl (QEMU's plain virtio-gpu) there is no execbuffer; the
 * submission that needs the pages is a transfer to the host.
 */
static void test_swapin_on_submit(void)
{
	uint32_t handle = filled_buffer(64, 10);
	long long evicted = igt_gem_shrinker_kit_stat(fd, "evicted");
	long long swapped_in;
	uint32_t *map;

	igt_assert_lt_s64(evicted, igt_gem_shrinker_kit_scan_until(fd, "evicted", evicted + 1));
	swapped_in = igt_gem_shrinker_kit_stat(fd, "swapped_in");
	igt_assert_eq(__igt_virtgpu_transfer_to_host(fd, handle, 64 * PAGE_BYTES), 0);
	igt_assert_f(igt_gem_shrinker_kit_stat(fd, "swapped_in") > swapped_in,
		     "the transfer did not swap the evicted buffer in\n");
	map = igt_virtgpu_mmap(fd, handle, 64 * PAGE_BYTES);
	igt_assert_eq(igt_gem_shrinker_bad_pages(map, 64 * PAGE_BYTES, 10), 0);
	munmap(map, 64 * PAGE_BYTES);
	igt_virtgpu_close(fd, handle);
}

static int virgl_execbuffer(uint32_t handle)
{
	return __igt_virtgpu_execbuffer(fd, &handle, 1);
}

static int virgl_transfer_from_host(uint32_t handle)
{
	return __igt_virtgpu_transfer_from_host(fd, handle, 64 * PAGE_BYTES);
}

/*
 * virgl (make virgl's guest; skipped on a 2D device): @use, a 3D ioctl on a
 * buffer whose content the host also has (@to_host), evicted just before,
 * swaps the buffer in first, and the content reads back intact.
 */
static void check_virgl_swap_in(int (*use)(uint32_t handle), bool to_host, uint32_t seed,
				const char *what)
{
	uint32_t handle, *map;
	long long evicted, swapped_in;

	igt_require_f(igt_virtgpu_has_virgl(fd), "the device has no virgl (3D)\n");
	handle = filled_buffer(64, seed);
	if (to_host) {
		igt_assert_eq(__igt_virtgpu_transfer_to_host(fd, handle, 64 * PAGE_BYTES), 0);
		igt_assert_eq(__igt_virtgpu_wait(fd, handle), 0);
	}
	evicted = igt_gem_shrinker_kit_stat(fd, "evicted");
	igt_assert_lt_s64(evicted, igt_gem_shrinker_kit_scan_until(fd, "evicted", evicted + 1));
	swapped_in = igt_gem_shrinker_kit_stat(fd, "swapped_in");
	igt_assert_eq(use(handle), 0);
	igt_assert_f(igt_gem_shrinker_kit_stat(fd, "swapped_in") > swapped_in,
		     "%s did not swap the evicted buffer in\n", what);
	igt_assert_eq(__igt_virtgpu_wait(fd, handle), 0);
	map = igt_virtgpu_mmap(fd, handle, 64 * PAGE_BYTES);
	igt_assert_eq(igt_gem_shrinker_bad_pages(map, 64 * PAGE_BYTES, seed), 0);
	munmap(map, 64 * PAGE_BYTES);
	igt_virtgpu_close(fd, handle);
}

/* A 3D submission that references an evicted buffer swaps it in first. */
static void test_virgl_execbuffer_swaps_in(void)
{
	check_virgl_swap_in(virgl_execbuffer, false, 17, "the submission");
}

/*
 * TRANSFER_FROM_HOST_3D into an evicted buffer swaps it in first, then
 * copies the host's copy, made by a transfer of the same content, into it.
 */
static void test_virgl_transfer_from_host_swaps_in(void)
{
	check_virgl_swap_in(virgl_transfer_from_host, true, 18, "the transfer from the host");
}

/* The kernel's own shrinker debugfs (CONFIG_SHRINKER_DEBUG) drives the kit. */
static void test_shrinker_debugfs_count_and_scan(void)
{
	long long before = igt_gem_shrinker_kit_stat(fd, "purged");
	char name[128], prefix[160];
	unsigned long count;
	uint32_t handle;

	igt_assert(igt_gem_shrinker_device_name(fd, name, sizeof(name)));
	snprintf(prefix, sizeof(prefix), "drm-shmem:%s-", name);
	igt_require_f(igt_shrinker_debugfs_present(prefix),
		      "no /sys/kernel/debug/shrinker/%s* (CONFIG_SHRINKER_DEBUG)\n", prefix);
	handle = filled_buffer(64, 11);
	igt_assert(igt_virtgpu_madvise(fd, handle, VIRTGPU_MADV_DONTNEED));
	count = igt_shrinker_debugfs_count(prefix);
	igt_assert_f(count >= 64, "count_objects() says %lu pages, want at least 64\n", count);
	/* As igt_gem_shrinker_kit_scan_until() does, for a short wait that ran out. */
	for (int i = 0; i < 10 && igt_gem_shrinker_kit_stat(fd, "purged") == before; i++)
		igt_shrinker_debugfs_scan(prefix, count);
	igt_assert_lt_s64(before, igt_gem_shrinker_kit_stat(fd, "purged"));
	igt_assert(purged(handle));
	igt_virtgpu_close(fd, handle);
}

static volatile bool race_stop;
static volatile int race_scan_error;

/* Scans until told to stop; records the first error instead of asserting. */
static void *race_scanner(void *arg)
{
	while (!race_stop) {
		int ret = __igt_gem_shrinker_kit_scan(fd, 64);

		if (ret && !race_scan_error)
			race_scan_error = ret;
	}
	return NULL;
}

static double seconds_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One round of the race on slot @handle; returns what went wrong, or NULL. */
static const char *race_round(uint32_t *handle, int round, int *err)
{
	uint64_t offset;
	uint32_t *map;

	if (*handle) {
		struct drm_gem_close c = { .handle = *handle };

		*err = igt_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c) ? -errno : 0;
		*handle = 0;
		if (*err)
			return "close";
	}
	*err = __igt_virtgpu_create(fd, 16 * PAGE_BYTES, handle);
	if (*err)
		return "create";
	*err = __igt_virtgpu_madvise(fd, *handle, round % 3 ? VIRTGPU_MADV_DONTNEED :
							      VIRTGPU_MADV_WILLNEED, 0, NULL);
	if (*err)
		return "madvise";
	if (round % 4 == 0) {
		*err = __igt_virtgpu_mmap_offset(fd, *handle, &offset);
		if (*err)
			return "DRM_IOCTL_VIRTGPU_MAP";
		map = mmap(NULL, 16 * PAGE_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, fd, offset);
		/*
		 * A purge drops the buffer's mmap offset with its content (as
		 * drm_gem_shmem_purge_locked() does), so a DONTNEED buffer
		 * purged between DRM_IOCTL_VIRTGPU_MAP and mmap() gives
		 * -EINVAL; anything else is a bug.
		 */
		if (map == MAP_FAILED) {
			uint32_t retained = 1;

			*err = -errno;
			if (*err != -EINVAL || round % 3 == 0 ||
			    __igt_virtgpu_madvise(fd, *handle, VIRTGPU_MADV_DONTNEED, 0, &retained) ||
			    retained)
				return "mmap()";
			return NULL;
		}
		/* Purged or not, touching it must not crash: at worst SIGBUS. */
		igt_gem_shrinker_write_faults(map, round);
		munmap(map, 16 * PAGE_BYTES);
	}
	*err = __igt_virtgpu_transfer_to_host(fd, *handle, 16 * PAGE_BYTES);
	if (*err && *err != -ENODATA)
		return "transfer";
	*err = 0;
	return NULL;
}

/*
 * Create, madvise, mmap, transfer and close racing the shrinker's scans
 * for 2 s: no error but those a purge explains (-ENODATA from a transfer,
 * -EINVAL from mmap() with the offset the purge dropped). The kernel log
 * is for the harness to check. Nothing asserts while the scanner runs.
 */
static void test_madvise_close_race_scans(void)
{
	uint32_t handle[16] = { 0 };
	double end = seconds_now() + 2.0;
	const char *failed = NULL;
	int i, rounds, err = 0;
	pthread_t scanner;

	race_stop = false;
	race_scan_error = 0;
	igt_assert_eq(pthread_create(&scanner, NULL, race_scanner, NULL), 0);
	for (rounds = 0; seconds_now() < end && !failed; rounds++)
		failed = race_round(&handle[rounds % 16], rounds, &err);
	race_stop = true;
	pthread_join(scanner, NULL);
	for (i = 0; i < 16; i++)
		if (handle[i])
			igt_virtgpu_close(fd, handle[i]);
	igt_info("%d rounds of create/madvise/map/transfer/close against scans\n", rounds);
	igt_assert_f(!failed, "round %d: %s failed: %s\n", rounds - 1, failed ?: "",
		     strerror(-err));
	igt_assert_f(!race_scan_error, "a debugfs scan failed: %s\n", strerror(-race_scan_error));
}

/*
 * An idle WILLNEED working set larger than RAM: the shrinker evicts it to
 * swap as it grows, no process is OOM-killed, and every page comes back.
 */
static void test_no_oom_overcommit(void)
{
	uint64_t ram = igt_get_total_ram_mb();
	size_t total = ram + ram / 4, n = total / 4, i;
	uint64_t oom_kills = igt_gem_shrinker_oom_kills();
	long long evicted = igt_gem_shrinker_kit_stat(fd, "evicted_pages");
	uint32_t *handle, *map;

	igt_require_f(ram <= 8192, "%" PRIu64 " MiB of RAM: writing 1.25x that to swap takes too "
		      "long; boot with mem=4G to run this\n", ram);
	igt_require_f(igt_get_total_swap_mb() > total, "needs more than %zu MiB of free swap\n",
		      total);
	igt_info("%zu MiB of 4 MiB buffers with %" PRIu64 " MiB of RAM\n", total, ram);
	handle = calloc(n, sizeof(*handle));
	igt_assert(handle);
	for (i = 0; i < n; i++)
		handle[i] = filled_buffer(1024, 0x10000 + i);
	for (i = 0; i < n; i++) {
		map = igt_virtgpu_mmap(fd, handle[i], 4 << 20);
		igt_assert_f(igt_gem_shrinker_bad_pages(map, 4 << 20, 0x10000 + i) == 0,
			     "buffer %zu of %zu lost content\n", i, n);
		munmap(map, 4 << 20);
	}
	for (i = 0; i < n; i++)
		igt_virtgpu_close(fd, handle[i]);
	free(handle);
	igt_info("evicted %lld MiB\n",
		 (igt_gem_shrinker_kit_stat(fd, "evicted_pages") - evicted) / 256);
	igt_assert_eq_u64(igt_gem_shrinker_oom_kills(), oom_kills);
	igt_assert_lt_s64(evicted, igt_gem_shrinker_kit_stat(fd, "evicted_pages"));
}

/*
 * The client of cgroup-limit-evicts-idle, in a child process of its own
 * cgroup: makes @n buffers of 1 MiB on its own file, each filled with its
 * own pattern through a mapping and left idle and WILLNEED, then reads
 * every one back. Returns the number of buffers that failed (creation,
 * mapping or content). No IGT assertion may run in the child, which
 * plain fork() made: a failed one would return into the subtest loop.
 */
static int cgroup_client(size_t n)
{
	const size_t size = 1 << 20;
	uint32_t *handle = calloc(n, sizeof(*handle)), *map;
	char path[64];
	int cfd, failed = 0;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", device);
	cfd = open(path, O_RDWR | O_CLOEXEC);
	if (cfd < 0 || !handle) {
		fprintf(stderr, "client: no file or no memory\n");
		return n;
	}
	for (size_t i = 0; i < n; i++) {
		int ret = __igt_virtgpu_create(cfd, size, &handle[i]);

		if (!ret) {
			ret = __igt_virtgpu_mmap(cfd, handle[i], size, &map);
			if (ret)
				handle[i] = 0;
		} else {
			handle[i] = 0;
		}
		if (ret) {
			if (!failed)
				fprintf(stderr, "buffer %zu of %zu: %s\n", i, n, strerror(-ret));
			failed++;
			continue;
		}
		igt_gem_shrinker_fill(map, size, 0x20000 + i);
		munmap(map, size);
	}
	for (size_t i = 0; i < n; i++) {
		if (!handle[i])
			continue;
		if (__igt_virtgpu_mmap(cfd, handle[i], size, &map)) {
			fprintf(stderr, "buffer %zu of %zu: mmap for reading failed\n", i, n);
			failed++;
			continue;
		}
		if (igt_gem_shrinker_bad_pages(map, size, 0x20000 + i)) {
			fprintf(stderr, "buffer %zu of %zu lost content\n", i, n);
			failed++;
		}
		munmap(map, size);
	}
	close(cfd);
	free(handle);
	if (failed)
		fprintf(stderr, "%d of %zu buffers failed\n", failed, n);
	return failed;
}

/* The client of the running cgroup subtest, and its group, for the exit handler. */
static pid_t cgroup_client_pid;
static char cgroup_path[PATH_MAX];

static void cgroup_cleanup(int sig)
{
	if (cgroup_client_pid > 0) {
		kill(cgroup_client_pid, SIGKILL);
		waitpid(cgroup_client_pid, NULL, 0);
		cgroup_client_pid = 0;
	}
	if (cgroup_path[0]) {
		igt_gem_shrinker_memcg_remove(cgroup_path);
		cgroup_path[0] = '\0';
	}
}

/*
 * A client in a cgroup whose memory.max is half of its idle WILLNEED
 * buffers, with swap allowed: the kit evicts its idle buffers when the
 * cgroup reaches its limit, so the client runs to the end with every byte
 * intact and the cgroup's OOM killer never fires. (The kernel calls only
 * memcg-aware shrinkers for a cgroup at its limit; without one, creating
 * buffers fails with -ENOMEM once the cgroup is full.)
 */
static void test_cgroup_limit_evicts_idle(void)
{
	const size_t n = 64;
	char text[32];
	int status, pipefd[2];
	long long oom_kills;
	bool moved;

	igt_require_f(igt_gem_shrinker_memcg_create("drm_virtgpu_shrinker-limit", cgroup_path,
						    sizeof(cgroup_path)),
		      "no cgroup v2 memory controller at /sys/fs/cgroup\n");
	igt_install_exit_handler(cgroup_cleanup);
	igt_require_f(igt_get_total_swap_mb() > 2 * n, "needs more than %zu MiB of free swap\n",
		      2 * n);
	snprintf(text, sizeof(text), "%zu", (n << 20) / 2);
	igt_gem_shrinker_memcg_write(cgroup_path, "memory.max", text);
	oom_kills = igt_gem_shrinker_memcg_value(cgroup_path, "memory.events", "oom_kill");

	/* The client waits until it is in the cgroup, so that all it makes is charged there. */
	igt_assert(pipe(pipefd) == 0);
	cgroup_client_pid = fork();
	igt_assert(cgroup_client_pid >= 0);
	if (cgroup_client_pid == 0) {
		char go;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(pipefd[1]);
		if (read(pipefd[0], &go, 1) != 1)
			_exit(127);
		_exit(cgroup_client(n) ? 1 : 0);
	}
	close(pipefd[0]);
	snprintf(text, sizeof(text), "%d", cgroup_client_pid);
	moved = igt_gem_shrinker_memcg_try_write(cgroup_path, "cgroup.procs", text);
	/* Without the go, the client exits at once (read() gets no byte). */
	if (moved)
		moved = write(pipefd[1], "g", 1) == 1;
	close(pipefd[1]);
	igt_assert_eq(waitpid(cgroup_client_pid, &status, 0), cgroup_client_pid);
	cgroup_client_pid = 0;
	igt_assert_f(moved, "could not move the client into %s\n", cgroup_path);

	oom_kills = igt_gem_shrinker_memcg_value(cgroup_path, "memory.events", "oom_kill") -
		    oom_kills;
	igt_info("memory.max %zu MiB for %zu MiB of buffers: memory.events max %lld oom %lld "
		 "oom_kill %lld, client %s %d\n", n / 2, n,
		 igt_gem_shrinker_memcg_value(cgroup_path, "memory.events", "max"),
		 igt_gem_shrinker_memcg_value(cgroup_path, "memory.events", "oom"), oom_kills,
		 WIFSIGNALED(status) ? "killed by signal" : "exited with",
		 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	cgroup_cleanup(0);
	igt_assert_f(oom_kills == 0, "the cgroup's OOM killer fired %lld time(s): its idle GPU "
		     "buffers were not reclaimed\n", oom_kills);
	igt_assert_f(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		     "the client failed (status 0x%x)\n", status);
}

/*
 * As i915's gem_shrink: each of several processes, on its own file, keeps
 * creating 1 MiB buffers, writes every page through a mapping, marks them
 * DONTNEED and never closes them, until together they made twice the RAM.
 * Only purging keeps that going: no OOM kill, every process finishes, and
 * the buffers a process made last are the ones still retained.
 */
static void test_dontneed_overcommit(void)
{
	uint64_t ram = igt_get_total_ram_mb();
	const int nchildren = 2 * sysconf(_SC_NPROCESSORS_ONLN);
	const size_t per_child = 2 * ram / nchildren;
	uint64_t oom_kills = igt_gem_shrinker_oom_kills();
	long long purged = igt_gem_shrinker_kit_stat(fd, "purged_pages");

	igt_info("%d processes, %zu MiB each, with %" PRIu64 " MiB of RAM\n", nchildren,
		 per_child, ram);
	igt_fork(child, nchildren) {
		int cfd = igt_gem_shrinker_reopen(device);

		for (size_t i = 0; i < per_child; i++) {
			uint32_t h = igt_virtgpu_create(cfd, 1 << 20);
			uint32_t *map = igt_virtgpu_mmap(cfd, h, 1 << 20);

			igt_gem_shrinker_fill(map, 1 << 20, 0x20000 + i);
			munmap(map, 1 << 20);
			igt_assert(igt_virtgpu_madvise(cfd, h, VIRTGPU_MADV_DONTNEED));
		}
		close(cfd);
	}
	igt_waitchildren();
	igt_info("purged %lld MiB\n",
		 (igt_gem_shrinker_kit_stat(fd, "purged_pages") - purged) / 256);
	igt_assert_eq_u64(igt_gem_shrinker_oom_kills(), oom_kills);
	igt_assert_lt_s64(purged, igt_gem_shrinker_kit_stat(fd, "purged_pages"));
}

/* Write @text to a debugfs or sysfs file; false when it cannot be done. */
static bool try_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	bool ok;

	if (!f)
		return false;
	ok = fputs(text, f) >= 0;
	return fclose(f) == 0 && ok;
}

/* Whether the file at @path contains @word. */
static bool file_has(const char *path, const char *word)
{
	char buf[256] = "";
	FILE *f = fopen(path, "r");
	bool found;

	if (!f)
		return false;
	found = fgets(buf, sizeof(buf), f) && strstr(buf, word);
	fclose(f);
	return found;
}

#define FAIL_FUNCTION "/sys/kernel/debug/fail_function"
#define DETACH_WAIT "virtio_gpu_shrinker_wait_detach"

/*
 * A detach that reclaim sent but gave up waiting for (made to time out
 * with fail_function) leaves the buffer resident and the host without its
 * pages. The next transfer must attach them again first: it succeeds, the
 * content is intact, and the next scan evicts the buffer normally. QEMU
 * logs a transfer to a resource without backing as a guest error, which
 * make check's gate reads (workbench/check.sh).
 */
static void test_detach_timeout_then_transfer(void)
{
	const size_t pages = 64;
	uint32_t handle, *map;
	long long evicted, busy;

	igt_require_f(access(FAIL_FUNCTION "/inject", W_OK) == 0,
		      "no " FAIL_FUNCTION " (CONFIG_FAIL_FUNCTION)\n");
	handle = filled_buffer(pages, 11);
	igt_require_f(try_write(FAIL_FUNCTION "/inject", DETACH_WAIT),
		      DETACH_WAIT " cannot be injected\n");
	/* -ETIMEDOUT, written as the unsigned long the file takes. */
	igt_assert(try_write(FAIL_FUNCTION "/" DETACH_WAIT "/retval", "0xffffffffffffff92"));
	igt_assert(try_write(FAIL_FUNCTION "/probability", "100"));
	igt_assert(try_write(FAIL_FUNCTION "/interval", "1"));
	igt_assert(try_write(FAIL_FUNCTION "/times", "-1"));
	igt_assert(try_write(FAIL_FUNCTION "/verbose", "0"));

	evicted = igt_gem_shrinker_kit_stat(fd, "evicted");
	busy = igt_gem_shrinker_kit_stat(fd, "skipped_busy");
	igt_gem_shrinker_kit_scan(fd, SCAN_ALL);
	igt_assert(try_write(FAIL_FUNCTION "/inject", "!" DETACH_WAIT));
	igt_assert_eq_s64(igt_gem_shrinker_kit_stat(fd, "evicted"), evicted);
	igt_assert_lt_s64(busy, igt_gem_shrinker_kit_stat(fd, "skipped_busy"));

	/* Resident, detached: the transfer attaches the pages first. */
	igt_assert_eq(__igt_virtgpu_transfer_to_host(fd, handle, pages * PAGE_BYTES), 0);
	map = igt_virtgpu_mmap(fd, handle, pages * PAGE_BYTES);
	igt_assert_eq(igt_gem_shrinker_bad_pages(map, pages * PAGE_BYTES, 11), 0);
	munmap(map, pages * PAGE_BYTES);

	/*
	 * The pending detach is waited for now; swap-in attaches again. The
	 * transfer is fenced: wait for the host, as a user would before it
	 * leaves the buffer idle, so that reclaim does not find it busy.
	 */
	igt_assert_eq(__igt_virtgpu_wait(fd, handle), 0);
	/* A detach may also time out for real on a loaded host: scan again. */
	igt_assert_lt_s64(evicted, igt_gem_shrinker_kit_scan_until(fd, "evicted", evicted + 1));
	igt_assert_eq(__igt_virtgpu_transfer_to_host(fd, handle, pages * PAGE_BYTES), 0);
	map = igt_virtgpu_mmap(fd, handle, pages * PAGE_BYTES);
	igt_assert_eq(igt_gem_shrinker_bad_pages(map, pages * PAGE_BYTES, 11), 0);
	munmap(map, pages * PAGE_BYTES);
	igt_virtgpu_close(fd, handle);
}

/*
 * @n buffers of @size bytes in every state: filled with patterns from
 * @seed on, every fourth from the second DONTNEED, every other one
 * unmapped (@map[i] NULL), then a scan that evicts or purges about half.
 */
static void buffers_in_every_state(uint32_t *handle, uint32_t **map, size_t n, size_t size,
				   uint32_t seed)
{
	for (size_t i = 0; i < n; i++) {
		handle[i] = igt_virtgpu_create(fd, size);
		map[i] = igt_virtgpu_mmap(fd, handle[i], size);
		igt_gem_shrinker_fill(map[i], size, seed + i);
		if (i % 4 == 1)
			igt_assert(igt_virtgpu_madvise(fd, handle[i], VIRTGPU_MADV_DONTNEED));
		if (i % 2) {
			munmap(map[i], size);
			map[i] = NULL;
		}
	}
	igt_gem_shrinker_kit_scan(fd, (n / 2 * size) >> 12);
}

/*
 * A hibernation test cycle (/sys/power/pm_test "devices", then "disk":
 * virtio-gpu's freeze, which resets the device, and its restore, which
 * creates the host resources again) while buffers are resident, evicted,
 * DONTNEED and mapped, and while another process forces scans: reclaim
 * stays away from the device across it, nothing warns, the device refuses
 * no command, every WILLNEED buffer comes back intact, and reclaim works
 * after. (Suspend-to-idle resets the device too, but virtio-gpu restores
 * its resources only after hibernation.)
 */
static void test_suspend_resume_under_reclaim(void)
{
	const size_t size = 256 << 10, n = 16;
	uint32_t handle[16], *map[16] = {};
	long long evicted;
	pid_t scanner;

	igt_require_f(access("/sys/power/pm_test", W_OK) == 0,
		      "no /sys/power/pm_test (CONFIG_PM_DEBUG)\n");
	igt_require_f(file_has("/sys/power/state", "disk"),
		      "no hibernation in /sys/power/state (CONFIG_HIBERNATION)\n");
	buffers_in_every_state(handle, map, n, size, 0x300);

	scanner = fork();
	igt_assert(scanner >= 0);
	if (scanner == 0) {
		for (;;)
			__igt_gem_shrinker_kit_scan(fd, 16);
	}
	try_write("/sys/module/suspend/parameters/pm_test_delay", "1");
	/* The smallest image: preallocation reclaims what it can, the kit too. */
	try_write("/sys/power/image_size", "0");
	igt_assert(try_write("/sys/power/pm_test", "devices"));
	igt_assert_f(try_write("/sys/power/state", "disk"), "the hibernation test failed: %s\n",
		     strerror(errno));
	igt_assert(try_write("/sys/power/pm_test", "none"));
	kill(scanner, SIGKILL);
	waitpid(scanner, NULL, 0);

	for (size_t i = 0; i < n; i++) {
		/* A DONTNEED buffer may have been purged: that is allowed. */
		if (i % 4 == 1 && !igt_virtgpu_madvise(fd, handle[i], VIRTGPU_MADV_WILLNEED))
			goto close;
		if (!map[i])
			map[i] = igt_virtgpu_mmap(fd, handle[i], size);
		igt_assert_f(igt_gem_shrinker_bad_pages(map[i], size, 0x300 + i) == 0,
			     "buffer %zu lost content across suspend\n", i);
		igt_assert_eq(__igt_virtgpu_transfer_to_host(fd, handle[i], size), 0);
close:
		if (map[i])
			munmap(map[i], size);
		igt_virtgpu_close(fd, handle[i]);
	}

	/* Reclaim runs again. */
	handle[0] = filled_buffer(64, 12);
	evicted = igt_gem_shrinker_kit_stat(fd, "evicted");
	igt_assert_lt_s64(evicted, igt_gem_shrinker_kit_scan_until(fd, "evicted", evicted + 1));
	map[0] = igt_virtgpu_mmap(fd, handle[0], 64 * PAGE_BYTES);
	igt_assert_eq(igt_gem_shrinker_bad_pages(map[0], 64 * PAGE_BYTES, 12), 0);
	munmap(map[0], 64 * PAGE_BYTES);
	igt_virtgpu_close(fd, handle[0]);
}

/*
 * The sysfs folder of the PCI device behind @fd's DRM device: the DRM
 * device's parent (virtio-gpu gives the PCI function), or the parent's
 * parent (a virtio device on a PCI transport).
 */
static bool pci_device_dir(int drm_fd, char *buf, size_t len)
{
	static const char *const up[] = { "device", "device/.." };
	char link[96], dir[PATH_MAX], remove[PATH_MAX + 8];
	struct stat st;

	if (fstat(drm_fd, &st) || !S_ISCHR(st.st_mode))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(up); i++) {
		snprintf(link, sizeof(link), "/sys/dev/char/%u:%u/%s", major(st.st_rdev),
			 minor(st.st_rdev), up[i]);
		if (!realpath(link, dir))
			continue;
		snprintf(remove, sizeof(remove), "%s/remove", dir);
		if (access(remove, W_OK) == 0) {
			snprintf(buf, len, "%s", dir);
			return true;
		}
	}
	return false;
}

/*
 * Remove the virtio-gpu PCI device while buffers are open (mapped, evicted,
 * DONTNEED) and scans run, then rescan the bus so that it probes again.
 * Removal cannot fail: the old shrinker leaves the kernel's shrinker
 * debugfs at once, the buffers are freed safely when their file closes
 * afterwards, and the new device's shrinker registers and works. The log
 * gate checks that nothing warned. Runs last: it replaces the device.
 */
static void test_unbind_rebind_under_reclaim(void)
{
	const size_t size = 256 << 10, n = 16;
	char name[64], prefix[96], pci[PATH_MAX], path[PATH_MAX + 16];
	uint32_t handle[16], *map[16] = {}, *m;
	pid_t scanner;
	int card, status;
	uint32_t h;

	igt_require(igt_gem_shrinker_device_name(fd, name, sizeof(name)));
	snprintf(prefix, sizeof(prefix), "drm-shmem:%s-", name);
	igt_require_f(igt_shrinker_debugfs_present(prefix), "no %s* in the shrinker debugfs\n",
		      prefix);
	igt_require_f(pci_device_dir(fd, pci, sizeof(pci)), "no removable PCI device\n");

	buffers_in_every_state(handle, map, n, size, 0);

	scanner = fork();
	igt_assert(scanner >= 0);
	if (scanner == 0) {
		/* Until the device and its debugfs folder are gone. */
		while (__igt_gem_shrinker_kit_scan(fd, 16) == 0)
			;
		_exit(0);
	}
	usleep(200 * 1000);
	snprintf(path, sizeof(path), "%s/remove", pci);
	igt_info("removing %s (%s) under reclaim\n", pci, name);
	igt_gem_shrinker_write_file(path, "1");
	kill(scanner, SIGKILL);
	igt_assert_eq(waitpid(scanner, &status, 0), scanner);
	igt_assert_f(!igt_shrinker_debugfs_present(prefix), "%s* still registered\n", prefix);

	/* The buffers outlive the device; closing the file frees them. */
	for (size_t i = 0; i < n; i++)
		if (map[i])
			munmap(map[i], size);
	close(fd);
	fd = -1;
	close(device);
	device = -1;

	igt_gem_shrinker_write_file("/sys/bus/pci/rescan", "1");
	card = igt_gem_shrinker_wait_for_kit_card("virtio_gpu", 20);
	igt_assert_f(card >= 0, "no virtio-gpu card with the kit after the rescan\n");
	igt_assert(igt_gem_shrinker_device_name(card, name, sizeof(name)));
	snprintf(prefix, sizeof(prefix), "drm-shmem:%s-", name);
	igt_assert_f(igt_shrinker_debugfs_present(prefix), "the new device has no %s*\n", prefix);

	/* The new device's shrinker evicts and swaps in. */
	h = igt_virtgpu_create(card, size);
	m = igt_virtgpu_mmap(card, h, size);
	igt_gem_shrinker_fill(m, size, 0x5a);
	munmap(m, size);
	/* Reclaim waits 10 jiffies at most for the creation's commands: retry. */
	igt_assert_eq(__igt_virtgpu_wait(card, h), 0);
	igt_assert_lt_s64(0, igt_gem_shrinker_kit_scan_until(card, "evicted", 1));
	m = igt_virtgpu_mmap(card, h, size);
	igt_assert_eq(igt_gem_shrinker_bad_pages(m, size, 0x5a), 0);
	munmap(m, size);
	igt_virtgpu_close(card, h);
	close(card);
}

static const struct {
	const char *name;
	const char *description;
	void (*func)(void);
} tests[] = {
	{ "param-reports-madvise",
	  "VIRTGPU_PARAM_MADVISE reports 1 on a kernel with the madvise uAPI.",
	  test_param_reports_madvise },
	{ "madvise-basic",
	  "DONTNEED and WILLNEED on a live buffer both report its content retained.",
	  test_madvise_basic },
	{ "madvise-bad-handle",
	  "madvise of a handle that does not exist fails with -ENOENT and writes nothing.",
	  test_madvise_bad_handle },
	{ "madvise-bad-value",
	  "An unknown advice fails with -EINVAL and leaves the buffer as it was.",
	  test_madvise_bad_value },
	{ "madvise-bad-padding",
	  "A non-zero pad field fails with -EINVAL.",
	  test_madvise_bad_padding },
	{ "madvise-dumb-never-reclaimed",
	  "Dumb buffers (scanout) are never reclaimed: madvise fails with -EINVAL.",
	  test_madvise_dumb_never_reclaimed },
	{ "purge-dontneed",
	  "A DONTNEED buffer is purged by the kit's debugfs scan, and another by real "
	  "memory pressure from another process.",
	  test_purge_dontneed },
	{ "purged-mmap-sigbus",
	  "CPU access to a purged buffer raises SIGBUS; a transfer and a PRIME export fail "
	  "with -ENODATA.",
	  test_purged_mmap_sigbus },
	{ "purged-while-mmapped-sigbus",
	  "A mapping made before the purge raises SIGBUS after it (gem_madvise's "
	  "dontneed-after-mmap).",
	  test_purged_while_mmapped_sigbus },
	{ "willneed-after-purge-not-retained",
	  "WILLNEED after a purge reports the content lost, and keeps doing so.",
	  test_willneed_after_purge_not_retained },
	{ "evict-swapin-integrity",
	  "Idle buffers are evicted, clean caches dropped, and every page read back "
	  "through mmap is intact.",
	  test_evict_swapin_integrity },
	{ "evict-while-mmapped",
	  "An idle buffer behind a live CPU mapping is evicted and faults back in intact.",
	  test_evict_while_mmapped },
	{ "mmap-split-head-unmapped",
	  "munmap() of a mapping's first pages: the rest shows the right pages, before and "
	  "after eviction, and writes land in them.",
	  test_mmap_split_head },
	{ "mmap-split-middle-hole",
	  "munmap() of a mapping's middle pages: both parts show the right pages, before and "
	  "after eviction.",
	  test_mmap_split_hole },
	{ "mmap-split-mprotect-part",
	  "mprotect() of part of a mapping: all three VMAs show the right pages, before and "
	  "after eviction.",
	  test_mmap_split_mprotect },
	{ "mmap-split-mremap-tail",
	  "mremap() of a mapping's tail elsewhere: it shows the right pages, before and "
	  "after eviction.",
	  test_mmap_split_mremap },
	{ "dumb-mmap-split",
	  "Every split shape on a dumb buffer, mapped by the shmem helpers themselves.",
	  test_dumb_mmap_split },
	{ "dmabuf-mmap-offset",
	  "mmap() of an exported buffer's dma-buf at an offset shows the buffer from there.",
	  test_dmabuf_mmap_offset },
	{ "dumb-dmabuf-mmap-offset",
	  "The same for a dumb buffer, mapped by the shmem helpers themselves.",
	  test_dumb_dmabuf_mmap_offset },
	{ "swapin-on-submit",
	  "A transfer to the host that references an evicted buffer swaps it in first.",
	  test_swapin_on_submit },
	{ "shrinker-debugfs-count-and-scan",
	  "The kernel's shrinker debugfs counts DONTNEED pages and its scan purges them.",
	  test_shrinker_debugfs_count_and_scan },
	{ "madvise-close-race-scans",
	  "Create, madvise, mmap, transfer and close race the shrinker's scans for 2 s.",
	  test_madvise_close_race_scans },
	{ "no-oom-overcommit",
	  "An idle working set of 1.25x RAM is evicted to swap, nothing is OOM-killed "
	  "and every page comes back.",
	  test_no_oom_overcommit },
	{ "dontneed-overcommit",
	  "As gem_shrink: processes make twice the RAM of DONTNEED buffers without closing "
	  "them; purging keeps up, no OOM kill.",
	  test_dontneed_overcommit },
	{ "cgroup-limit-evicts-idle",
	  "A client in a cgroup with memory.max at half of its idle WILLNEED buffers "
	  "(swap allowed) runs to the end, every byte intact; the cgroup's OOM killer "
	  "never fires.",
	  test_cgroup_limit_evicts_idle },
	{ "detach-timeout-then-transfer",
	  "A detach that reclaim gave up waiting for (fail_function) leaves the buffer "
	  "resident; the next transfer attaches it again and nothing is lost.",
	  test_detach_timeout_then_transfer },
	{ "virgl-execbuffer-swaps-in",
	  "virgl: a 3D submission referencing an evicted buffer swaps it in; content intact.",
	  test_virgl_execbuffer_swaps_in },
	{ "virgl-transfer-from-host-swaps-in",
	  "virgl: TRANSFER_FROM_HOST_3D into an evicted buffer swaps it in; content intact.",
	  test_virgl_transfer_from_host_swaps_in },
	{ "suspend-resume-under-reclaim",
	  "A hibernation test cycle (pm_test devices) with buffers in every state and scans "
	  "running: no warning, every WILLNEED buffer intact, reclaim works after.",
	  test_suspend_resume_under_reclaim },
	{ "unbind-rebind-under-reclaim",
	  "Remove the PCI device while buffers are open and scans run, then rescan: no "
	  "warning, the old shrinker is gone, the new device's shrinker works. Runs last.",
	  test_unbind_rebind_under_reclaim },
};

int igt_main()
{
	igt_fixture() {
		device = drm_open_driver(DRIVER_VIRTIO);
		igt_require_f(is_virtio_gpu_device(device), "not a virtio-gpu device\n");
		igt_require_f(igt_virtgpu_has_madvise(device),
			      "no VIRTGPU_PARAM_MADVISE: the kernel lacks the shmem shrinker kit\n");
		igt_require_f(igt_gem_shrinker_kit_present(device),
			      "no /sys/kernel/debug/drm_gem_shmem_shrinker folder for this device "
			      "(debugfs mounted?)\n");
	}

	for (volatile size_t t = 0; t < ARRAY_SIZE(tests); t++) {
		igt_describe(tests[t].description);
		igt_subtest(tests[t].name) {
			/* Closing the last subtest's file frees what it left behind. */
			if (fd >= 0)
				close(fd);
			igt_require_f(device >= 0, "the device was removed by an earlier subtest\n");
			fd = igt_gem_shrinker_reopen(device);
			tests[t].func();
		}
	}

	igt_fixture() {
		if (fd >= 0)
			close(fd);
		if (device >= 0)
			close(device);
	}
}
