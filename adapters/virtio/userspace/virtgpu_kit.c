// SPDX-License-Identifier: GPL-2.0
/*
 * virtgpu-kit: a userspace client of /dev/dri/card0 (virtio-gpu) that
 * exercises the GEM shmem shrinker through the real ioctls.
 *
 *   virtgpu-kit test                   uAPI and swap-in tests, as KTAP
 *   virtgpu-kit churn TOTAL_MIB BUF_MIB
 *                                      a DONTNEED buffer cache churning
 *                                      through TOTAL_MIB of buffers
 *   virtgpu-kit working-set TOTAL_MIB BUF_MIB
 *                                      an idle WILLNEED working set of
 *                                      TOTAL_MIB, every page with a unique
 *                                      pattern, read back and verified
 *
 * The scenarios print one JSON object with their figures. They run the
 * same on a kernel without the kit: madvise is then skipped (the feature
 * parameter is absent), and the kernel's OOM killer or an allocation
 * failure ends them.
 */

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <drm/drm.h>
#include <drm/virtgpu_drm.h>

#define PAGE 4096u
#define FORMAT_B8G8R8A8 1 /* VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM */
#define PIPE_TEXTURE_2D 2
#define BIND_RENDER_TARGET 2

static int fd;
static int has_madvise;

struct bo {
	uint32_t handle;
	size_t size;
	uint32_t *map;
};

static int xioctl(unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret == -1 && (errno == EINTR || errno == EAGAIN));
	return ret == -1 ? -errno : 0;
}

/* A classic 2D resource of @size bytes: width = size / 4 pixels, height 1. */
static int bo_create(struct bo *bo, size_t size)
{
	struct drm_virtgpu_resource_create rc = {
		.target = PIPE_TEXTURE_2D,
		.format = FORMAT_B8G8R8A8,
		.bind = BIND_RENDER_TARGET,
		.width = size / 4 / 64,
		.height = 64,
		.depth = 1,
		.array_size = 1,
		.size = size,
	};
	int ret = xioctl(DRM_IOCTL_VIRTGPU_RESOURCE_CREATE, &rc);

	if (ret)
		return ret;
	bo->handle = rc.bo_handle;
	bo->size = size;
	bo->map = NULL;
	return 0;
}

static int bo_map(struct bo *bo)
{
	struct drm_virtgpu_map m = { .handle = bo->handle };
	void *p;
	int ret = xioctl(DRM_IOCTL_VIRTGPU_MAP, &m);

	if (ret)
		return ret;
	p = mmap(NULL, bo->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, m.offset);
	if (p == MAP_FAILED)
		return -errno;
	bo->map = p;
	return 0;
}

static void bo_unmap(struct bo *bo)
{
	if (bo->map)
		munmap(bo->map, bo->size);
	bo->map = NULL;
}

static void bo_close(struct bo *bo)
{
	struct drm_gem_close c = { .handle = bo->handle };

	bo_unmap(bo);
	xioctl(DRM_IOCTL_GEM_CLOSE, &c);
}

static int madvise_bo(uint32_t handle, uint32_t madv, uint32_t pad, uint32_t *retained)
{
	struct drm_virtgpu_madvise a = { .bo_handle = handle, .madv = madv, .pad = pad };
	int ret = xioctl(DRM_IOCTL_VIRTGPU_MADVISE, &a);

	if (!ret && retained)
		*retained = a.retained;
	return ret;
}

static int getparam(uint64_t param, int *value)
{
	struct drm_virtgpu_getparam g = { .param = param, .value = (uintptr_t)value };

	return xioctl(DRM_IOCTL_VIRTGPU_GETPARAM, &g);
}

/*
 * Word @word of a buffer filled with @seed. Every page is unique (its first
 * words hold the seed and the page's index, the rest a value derived from
 * both) yet compresses well, as rendering data often does, so that zram
 * swap can hold more than the guest's RAM.
 */
static uint32_t pattern(uint32_t seed, size_t word)
{
	size_t page = word / (PAGE / 4), off = word % (PAGE / 4);

	if (off == 0)
		return 0x4b495400u ^ seed;
	if (off == 1)
		return (uint32_t)page;
	return (seed * 31u + (uint32_t)page) * 0x9e3779b1u;
}

static void fill(struct bo *bo, uint32_t seed)
{
	for (size_t i = 0; i < bo->size / 4; i++)
		bo->map[i] = pattern(seed, i);
}

static size_t mismatched_pages(struct bo *bo, uint32_t seed)
{
	size_t bad = 0;

	for (size_t p = 0; p < bo->size / PAGE; p++)
		for (size_t i = p * PAGE / 4; i < (p + 1) * PAGE / 4; i++)
			if (bo->map[i] != pattern(seed, i)) {
				bad++;
				break;
			}
	return bad;
}

/* The kit's debugfs directory of this device, or NULL without the kit. */
static const char *kit_debugfs(void)
{
	static char dir[256];
	glob_t g;

	if (dir[0])
		return dir;
	if (glob("/sys/kernel/debug/drm_gem_shmem_shrinker/*/state", 0, NULL, &g) || !g.gl_pathc)
		return NULL;
	snprintf(dir, sizeof(dir), "%s", g.gl_pathv[0]);
	*strrchr(dir, '/') = 0;
	globfree(&g);
	return dir;
}

/* One cumulative counter ("name value" line) of the kit's debugfs state file. */
static long long kit_stat(const char *name)
{
	char path[300], line[256], key[64];
	long long v, found = -1;
	FILE *f;

	if (!kit_debugfs())
		return -1;
	snprintf(path, sizeof(path), "%s/state", kit_debugfs());
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %lld", key, &v) == 2 && !strcmp(key, name))
			found = v;
	fclose(f);
	return found;
}

/* Reclaim now through the kit's debugfs scan file (purge and evict). */
static int kit_scan(unsigned long pages)
{
	char path[300];
	FILE *f;

	if (!kit_debugfs())
		return -ENODEV;
	snprintf(path, sizeof(path), "%s/scan", kit_debugfs());
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fprintf(f, "%lu\n", pages);
	return fclose(f) ? -errno : 0;
}

/*
 * Drop clean page cache, as reclaim would: pages that eviction released
 * without marking them dirty would be lost here, not written to swap.
 */
static int drop_caches(void)
{
	FILE *f = fopen("/proc/sys/vm/drop_caches", "w");

	if (!f)
		return -errno;
	fputs("3\n", f);
	return fclose(f) ? -errno : 0;
}

static sigjmp_buf sigbus_jmp;

static void on_sigbus(int sig)
{
	siglongjmp(sigbus_jmp, 1);
}

/* Read one word; returns 1 when the read raised SIGBUS. */
static int read_faults(volatile uint32_t *p)
{
	struct sigaction sa = { .sa_handler = on_sigbus }, old;
	int faulted = 0;

	sigaction(SIGBUS, &sa, &old);
	if (sigsetjmp(sigbus_jmp, 1))
		faulted = 1;
	else
		(void)*p;
	sigaction(SIGBUS, &old, NULL);
	return faulted;
}

/* --- tests, as KTAP --------------------------------------------------- */

static int test_no;
static int failures;

#define CHECK(cond, ...) do { \
	if (!(cond)) { \
		printf("    # %s:%d: ", __func__, __LINE__); \
		printf(__VA_ARGS__); \
		printf("\n"); \
		return 1; \
	} \
} while (0)

static void report(const char *name, int failed)
{
	printf("    %s %d %s\n", failed ? "not ok" : "ok", ++test_no, name);
	failures += !!failed;
	fflush(stdout);
}

static int t_param_reports_madvise(void)
{
	int value = 0;

	CHECK(getparam(VIRTGPU_PARAM_MADVISE, &value) == 0, "GETPARAM failed");
	CHECK(value == 1, "VIRTGPU_PARAM_MADVISE is %d", value);
	return 0;
}

static int t_madvise_bad_handle(void)
{
	int ret = madvise_bo(0xdead, VIRTGPU_MADV_DONTNEED, 0, NULL);

	CHECK(ret == -ENOENT, "got %d, want -ENOENT", ret);
	return 0;
}

static int t_madvise_bad_value_and_padding(void)
{
	struct bo bo;
	uint32_t retained = 7;
	int ret;

	CHECK(bo_create(&bo, 64 * PAGE) == 0, "create failed");
	ret = madvise_bo(bo.handle, 2, 0, &retained);
	CHECK(ret == -EINVAL, "madv 2: got %d, want -EINVAL", ret);
	ret = madvise_bo(bo.handle, VIRTGPU_MADV_DONTNEED, 1, &retained);
	CHECK(ret == -EINVAL, "pad 1: got %d, want -EINVAL", ret);
	CHECK(retained == 7, "retained written on error");
	bo_close(&bo);
	return 0;
}

static int t_madvise_basic(void)
{
	struct bo bo;
	uint32_t retained = 0;

	CHECK(bo_create(&bo, 64 * PAGE) == 0, "create failed");
	CHECK(madvise_bo(bo.handle, VIRTGPU_MADV_DONTNEED, 0, &retained) == 0, "DONTNEED");
	CHECK(retained == 1, "retained %u after DONTNEED", retained);
	CHECK(madvise_bo(bo.handle, VIRTGPU_MADV_WILLNEED, 0, &retained) == 0, "WILLNEED");
	CHECK(retained == 1, "retained %u after WILLNEED", retained);
	bo_close(&bo);
	return 0;
}

static int t_madvise_dumb_is_never_reclaimed(void)
{
	struct drm_mode_create_dumb d = { .width = 64, .height = 64, .bpp = 32 };
	struct drm_gem_close c;
	int ret;

	CHECK(xioctl(DRM_IOCTL_MODE_CREATE_DUMB, &d) == 0, "create dumb failed");
	ret = madvise_bo(d.handle, VIRTGPU_MADV_DONTNEED, 0, NULL);
	CHECK(ret == -EINVAL, "got %d, want -EINVAL", ret);
	c.handle = d.handle;
	xioctl(DRM_IOCTL_GEM_CLOSE, &c);
	return 0;
}

static int t_purge_dontneed_and_sigbus(void)
{
	long long purged = kit_stat("purged");
	uint32_t retained = 1;
	struct drm_virtgpu_3d_transfer_to_host t = { 0 };
	struct bo bo;
	int ret;

	CHECK(bo_create(&bo, 256 * PAGE) == 0, "create failed");
	CHECK(bo_map(&bo) == 0, "map failed");
	fill(&bo, 1);
	bo_unmap(&bo);
	CHECK(madvise_bo(bo.handle, VIRTGPU_MADV_DONTNEED, 0, NULL) == 0, "DONTNEED");
	CHECK(kit_scan(1 << 20) == 0, "debugfs scan failed");
	CHECK(kit_stat("purged") > purged, "nothing purged");
	CHECK(madvise_bo(bo.handle, VIRTGPU_MADV_WILLNEED, 0, &retained) == 0, "WILLNEED");
	CHECK(retained == 0, "retained %u after a purge", retained);
	CHECK(bo_map(&bo) == 0, "map of a purged buffer failed");
	CHECK(read_faults(bo.map), "CPU access to a purged buffer did not raise SIGBUS");
	t.bo_handle = bo.handle;
	t.box.w = 64;
	t.box.h = 1;
	ret = xioctl(DRM_IOCTL_VIRTGPU_TRANSFER_TO_HOST, &t);
	CHECK(ret == -ENODATA, "transfer of a purged buffer: got %d, want -ENODATA", ret);
	bo_close(&bo);
	return 0;
}

static int t_evict_swapin_integrity(void)
{
	long long evicted = kit_stat("evicted"), swapped = kit_stat("swapped_in");
	struct bo bo[8];
	int i;

	for (i = 0; i < 8; i++) {
		CHECK(bo_create(&bo[i], 128 * PAGE) == 0, "create failed");
		CHECK(bo_map(&bo[i]) == 0, "map failed");
		fill(&bo[i], 100 + i);
		bo_unmap(&bo[i]);
	}
	CHECK(kit_scan(1 << 20) == 0, "debugfs scan failed");
	CHECK(kit_stat("evicted") >= evicted + 8, "evicted %lld, want %lld", kit_stat("evicted"),
	      evicted + 8);
	CHECK(drop_caches() == 0, "cannot drop caches");
	for (i = 0; i < 8; i++) {
		CHECK(bo_map(&bo[i]) == 0, "map failed");
		CHECK(mismatched_pages(&bo[i], 100 + i) == 0, "content lost in buffer %d", i);
		bo_close(&bo[i]);
	}
	CHECK(kit_stat("swapped_in") >= swapped + 8, "swapped in %lld", kit_stat("swapped_in"));
	return 0;
}

static int t_evict_while_mmapped(void)
{
	long long evicted = kit_stat("evicted");
	struct bo bo;

	CHECK(bo_create(&bo, 128 * PAGE) == 0, "create failed");
	CHECK(bo_map(&bo) == 0, "map failed");
	fill(&bo, 7);
	CHECK(kit_scan(1 << 20) == 0, "debugfs scan failed");
	CHECK(kit_stat("evicted") > evicted, "a mapped idle buffer was not evicted");
	CHECK(drop_caches() == 0, "cannot drop caches");
	CHECK(mismatched_pages(&bo, 7) == 0, "content lost behind a live mapping");
	fill(&bo, 8);
	CHECK(mismatched_pages(&bo, 8) == 0, "writes after swap-in lost");
	bo_close(&bo);
	return 0;
}

static int t_swapin_on_transfer(void)
{
	struct drm_virtgpu_3d_transfer_to_host t = { 0 };
	long long swapped;
	struct bo bo;

	CHECK(bo_create(&bo, 64 * PAGE) == 0, "create failed");
	CHECK(kit_scan(1 << 20) == 0, "debugfs scan failed");
	swapped = kit_stat("swapped_in");
	t.bo_handle = bo.handle;
	t.box.w = 64;
	t.box.h = 64;
	CHECK(xioctl(DRM_IOCTL_VIRTGPU_TRANSFER_TO_HOST, &t) == 0, "transfer failed");
	CHECK(kit_stat("swapped_in") > swapped, "the transfer did not swap the buffer in");
	bo_close(&bo);
	return 0;
}

/* The kernel's own shrinker debugfs (CONFIG_SHRINKER_DEBUG) drives the kit. */
static int t_shrinker_debugfs_count_and_scan(void)
{
	long long purged = kit_stat("purged");
	unsigned long count = 0;
	char path[300];
	glob_t g;
	struct bo bo;
	FILE *f;

	CHECK(glob("/sys/kernel/debug/shrinker/drm-shmem:*", 0, NULL, &g) == 0 && g.gl_pathc == 1,
	      "no /sys/kernel/debug/shrinker/drm-shmem:* directory");
	CHECK(bo_create(&bo, 64 * PAGE) == 0, "create failed");
	CHECK(madvise_bo(bo.handle, VIRTGPU_MADV_DONTNEED, 0, NULL) == 0, "DONTNEED");
	snprintf(path, sizeof(path), "%s/count", g.gl_pathv[0]);
	f = fopen(path, "r");
	CHECK(f && fscanf(f, "%*s %lu", &count) == 1, "cannot read %s", path);
	fclose(f);
	CHECK(count >= 64, "count says %lu pages, want at least 64", count);
	snprintf(path, sizeof(path), "%s/scan", g.gl_pathv[0]);
	f = fopen(path, "w");
	CHECK(f, "cannot open %s", path);
	fprintf(f, "0 0 %lu\n", count);
	CHECK(fclose(f) == 0, "writing %s failed", path);
	CHECK(kit_stat("purged") > purged, "the kernel's scan purged nothing");
	globfree(&g);
	bo_close(&bo);
	return 0;
}

static volatile int race_stop;

static void *race_scanner(void *arg)
{
	while (!race_stop)
		kit_scan(64);
	return NULL;
}

/* madvise, mapping, transfers and close racing scans: no error, no splat. */
static int t_madvise_close_race_scans(void)
{
	struct drm_virtgpu_3d_transfer_to_host t = { 0 };
	double end = 0;
	struct timespec ts;
	pthread_t thr;
	struct bo bo[16] = { 0 };
	int i, rounds = 0, bad = 0, ret;

	CHECK(pthread_create(&thr, NULL, race_scanner, NULL) == 0, "no scanner thread");
	clock_gettime(CLOCK_MONOTONIC, &ts);
	end = ts.tv_sec + 2.0;
	for (;; rounds++) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		if (ts.tv_sec >= end)
			break;
		i = rounds % 16;
		if (bo[i].handle) {
			bo_close(&bo[i]);
			bo[i].handle = 0;
		}
		if (bo_create(&bo[i], 16 * PAGE)) {
			bad++;
			continue;
		}
		madvise_bo(bo[i].handle, rounds % 3 ? VIRTGPU_MADV_DONTNEED : VIRTGPU_MADV_WILLNEED,
			   0, NULL);
		if (rounds % 4 == 0 && !bo_map(&bo[i])) {
			if (!read_faults(bo[i].map))
				bo[i].map[0] = rounds;
			bo_unmap(&bo[i]);
		}
		t.bo_handle = bo[i].handle;
		t.box.w = 16;
		t.box.h = 1;
		ret = xioctl(DRM_IOCTL_VIRTGPU_TRANSFER_TO_HOST, &t);
		if (ret && ret != -ENODATA)
			bad++;
	}
	race_stop = 1;
	pthread_join(thr, NULL);
	for (i = 0; i < 16; i++)
		if (bo[i].handle)
			bo_close(&bo[i]);
	CHECK(bad == 0, "%d unexpected errors in %d rounds", bad, rounds);
	printf("    # %d rounds of create/madvise/map/transfer/close against scans\n", rounds);
	return 0;
}

static int run_tests(void)
{
	static const struct {
		const char *name;
		int (*fn)(void);
	} tests[] = {
		{ "param-reports-madvise", t_param_reports_madvise },
		{ "madvise-bad-handle", t_madvise_bad_handle },
		{ "madvise-bad-value-and-padding", t_madvise_bad_value_and_padding },
		{ "madvise-basic", t_madvise_basic },
		{ "madvise-dumb-is-never-reclaimed", t_madvise_dumb_is_never_reclaimed },
		{ "purge-dontneed-and-sigbus", t_purge_dontneed_and_sigbus },
		{ "evict-swapin-integrity", t_evict_swapin_integrity },
		{ "evict-while-mmapped", t_evict_while_mmapped },
		{ "swapin-on-transfer", t_swapin_on_transfer },
		{ "shrinker-debugfs-count-and-scan", t_shrinker_debugfs_count_and_scan },
		{ "madvise-close-race-scans", t_madvise_close_race_scans },
	};
	size_t i;

	printf("KTAP version 1\n1..1\n    KTAP version 1\n    # Subtest: virtgpu_kit_uapi\n");
	printf("    1..%zu\n", sizeof(tests) / sizeof(tests[0]));
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		report(tests[i].name, tests[i].fn());
	printf("%s 1 virtgpu_kit_uapi\n", failures ? "not ok" : "ok");
	return failures ? 1 : 0;
}

/* --- demo scenarios ----------------------------------------------------- */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * A buffer cache: allocate, fill and mark DONTNEED; every other round,
 * take one old buffer back (WILLNEED) as a cache would, and count whether
 * its content survived.
 */
static int churn(size_t total_mib, size_t buf_mib)
{
	size_t n = total_mib / buf_mib, i, allocated = 0, purged = 0, mismatches = 0;
	struct bo *bos = calloc(n, sizeof(*bos));
	double t0 = now();
	int err = 0;

	for (i = 0; i < n && !err; i++) {
		err = bo_create(&bos[i], buf_mib << 20);
		if (err || (err = bo_map(&bos[i])))
			break;
		fill(&bos[i], i);
		bo_unmap(&bos[i]);
		allocated += buf_mib;
		if (allocated % 64 == 0)
			printf("{\"progress_mib\": %zu}\n", allocated);
		if (has_madvise)
			madvise_bo(bos[i].handle, VIRTGPU_MADV_DONTNEED, 0, NULL);
		if (has_madvise && i % 2 && i >= 8) {
			size_t j = i - 8;
			uint32_t retained = 1;

			madvise_bo(bos[j].handle, VIRTGPU_MADV_WILLNEED, 0, &retained);
			if (!retained) {
				purged += buf_mib;
			} else if (!bo_map(&bos[j])) {
				mismatches += mismatched_pages(&bos[j], j);
				bo_unmap(&bos[j]);
			}
			madvise_bo(bos[j].handle, VIRTGPU_MADV_DONTNEED, 0, NULL);
		}
	}
	printf("{\"allocated_mib\": %zu, \"client_purged_mib\": %zu, \"mismatches\": %zu, "
	       "\"seconds\": %.1f, \"error\": %d}\n",
	       allocated, purged, mismatches, now() - t0, err);
	return err ? 1 : 0;
}

/* An idle working set, every page unique, then read back and verified. */
static int working_set(size_t total_mib, size_t buf_mib)
{
	size_t n = total_mib / buf_mib, i, allocated = 0, mismatches = 0;
	struct bo *bos = calloc(n, sizeof(*bos));
	double t0 = now();
	int err = 0;

	for (i = 0; i < n; i++) {
		err = bo_create(&bos[i], buf_mib << 20);
		if (err || (err = bo_map(&bos[i])))
			break;
		fill(&bos[i], 0x10000 + i);
		bo_unmap(&bos[i]);
		allocated += buf_mib;
		if (allocated % 64 == 0)
			printf("{\"progress_mib\": %zu}\n", allocated);
	}
	for (size_t j = 0; j < i && !err; j++) {
		err = bo_map(&bos[j]);
		if (err)
			break;
		mismatches += mismatched_pages(&bos[j], 0x10000 + j);
		bo_unmap(&bos[j]);
	}
	printf("{\"allocated_mib\": %zu, \"mismatches\": %zu, \"seconds\": %.1f, \"error\": %d}\n",
	       allocated, mismatches, now() - t0, err);
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	int value = 0;

	fd = open("/dev/dri/card0", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		perror("virtgpu-kit: /dev/dri/card0");
		return 2;
	}
	has_madvise = getparam(VIRTGPU_PARAM_MADVISE, &value) == 0 && value == 1;
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (argc == 2 && !strcmp(argv[1], "test"))
		return run_tests();
	if (argc == 4 && !strcmp(argv[1], "churn"))
		return churn(strtoul(argv[2], NULL, 0), strtoul(argv[3], NULL, 0));
	if (argc == 4 && !strcmp(argv[1], "working-set"))
		return working_set(strtoul(argv[2], NULL, 0), strtoul(argv[3], NULL, 0));
	fprintf(stderr, "usage: virtgpu-kit test | churn TOTAL_MIB BUF_MIB | working-set TOTAL_MIB BUF_MIB\n");
	return 2;
}
