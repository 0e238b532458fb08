// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of panfrost's adapter of the GEM shmem shrinker
 * (panfrost_shrinker.c), on a device without a GPU (panfrost_kunit.h): real
 * BOs, real DRM files with their own MMU context, the real io-pgtable, and
 * the shrinker's own scan. Each case reads what the GPU would see with
 * iova_to_phys() over the BO's GPU VA range in every file that maps it, and
 * checks the content the CPU wrote before.
 */

#include <kunit/test.h>

#include <linux/dma-buf.h>
#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/file.h>
#include <linux/highmem.h>
#include <linux/io.h>
#include <linux/kprobes.h>
#include <linux/sizes.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_shrinker.h>
#include <drm/drm_prime.h>
#include <drm/panfrost_drm.h>

#include "../panfrost_device.h"
#include "../panfrost_gem.h"
#include "../panfrost_job.h"
#include "../panfrost_mmu.h"
#include "../panfrost_regs.h"
#include "panfrost_kunit.h"

MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");

#define PST_PAGES	64

/* The BO's state, as the shrinker's core sees it. */
static u32 pst_state(struct kunit *test, struct panfrost_gem_object *bo)
{
	struct drm_gem_shmem_shrinker_object_info info;

	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_query(&bo->base, &info), 0);
	return info.state;
}

static bool pst_resident(struct kunit *test, struct panfrost_gem_object *bo)
{
	u32 state = pst_state(test, bo);

	return state != DRM_GEM_SHMEM_SHRINKER_STATE_EVICTED &&
	       state != DRM_GEM_SHMEM_SHRINKER_STATE_PURGED &&
	       state != DRM_GEM_SHMEM_SHRINKER_STATE_UNPOPULATED;
}

/*
 * Reclaim everything it can, evicting too if @may_evict, as memory pressure
 * would. Contended BOs (-EAGAIN when nothing else was freed) are left.
 */
static void pst_scan(struct kunit *test, bool may_evict)
{
	struct panfrost_device *pfdev = test->priv;
	long ret = drm_gem_shmem_shrinker_scan(pfdev->shrinker, SZ_1M, may_evict);

	KUNIT_EXPECT_TRUE_MSG(test, ret >= 0 || ret == -EAGAIN, "scan: %ld", ret);
}

/* Write (@write) or check a pattern of @seed in every page; returns the bad pages. */
static unsigned int pst_pattern(struct panfrost_gem_object *bo, u32 seed, bool write)
{
	struct drm_gem_shmem_object *shmem = &bo->base;
	unsigned int i, n = shmem->base.size >> PAGE_SHIFT, bad = 0;

	dma_resv_lock(shmem->base.resv, NULL);
	for (i = 0; i < n; i++) {
		u32 *p = kmap_local_page(shmem->pages[i]);

		if (write) {
			p[0] = seed ^ i;
			p[PAGE_SIZE / 4 - 1] = seed ^ i;
		} else {
			bad += p[0] != (seed ^ i) || p[PAGE_SIZE / 4 - 1] != (seed ^ i);
		}
		kunmap_local(p);
	}
	dma_resv_unlock(shmem->base.resv);
	return bad;
}

/* How many of the BO's mappings in @files translate every page to its page. */
static unsigned int pst_files_mapped_right(struct kunit *test, struct panfrost_gem_object *bo,
					   struct drm_file **files, int nfiles)
{
	unsigned int n = bo->base.base.size >> PAGE_SHIFT, right = 0;
	int f;

	for (f = 0; f < nfiles; f++) {
		struct panfrost_gem_mapping *m = panfrost_kunit_mapping(test, bo, files[f]);

		right += m->active && panfrost_kunit_pages_mapped_right(m) == n;
		panfrost_gem_mapping_put(m);
	}
	return right;
}

/* How many of the BO's mappings in @files translate nothing at all. */
static unsigned int pst_files_unmapped(struct kunit *test, struct panfrost_gem_object *bo,
				       struct drm_file **files, int nfiles)
{
	unsigned int unmapped = 0;
	int f;

	for (f = 0; f < nfiles; f++) {
		struct panfrost_gem_mapping *m = panfrost_kunit_mapping(test, bo, files[f]);

		unmapped += !m->active && !panfrost_kunit_pages_mapped(m);
		panfrost_gem_mapping_put(m);
	}
	return unmapped;
}

static void pst_job_end(void *job)
{
	panfrost_shrinker_job_end(job);
}

/*
 * What a submit of @file does before it pushes the job: count it, and swap
 * in every evicted BO of the file. The job ends when the test does, or at
 * panfrost_shrinker_job_end().
 */
static struct panfrost_job *pst_job_begin(struct kunit *test, struct drm_file *file)
{
	struct panfrost_file_priv *priv = file->driver_priv;
	struct panfrost_job *job = kunit_kzalloc(test, sizeof(*job), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, job);
	job->mmu = priv->mmu;
	KUNIT_EXPECT_EQ(test, panfrost_shrinker_job_begin(job), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, pst_job_end, job), 0);
	return job;
}

static void pst_job_end_now(struct kunit *test, struct panfrost_job *job)
{
	kunit_release_action(test, pst_job_end, job);
}

/*
 * Evict: a BO shared by two files is unmapped from both address spaces and
 * its pages go. The next job of either file maps it again, in both, at the
 * same GPU VA, to its new pages, with the content written before.
 */
static void pst_test_evict_then_job_swaps_in(struct kunit *test)
{
	struct drm_file *files[2] = { panfrost_kunit_file(test), panfrost_kunit_file(test) };
	struct panfrost_gem_object *bo = panfrost_kunit_bo(test, PST_PAGES * PAGE_SIZE,
							   PANFROST_BO_NOEXEC, files, 2, NULL);
	struct panfrost_gem_mapping *m = panfrost_kunit_mapping(test, bo, files[1]);
	u64 va = m->mmnode.start;

	panfrost_gem_mapping_put(m);
	KUNIT_ASSERT_EQ(test, pst_files_mapped_right(test, bo, files, 2), 2);
	KUNIT_EXPECT_EQ(test, pst_pattern(bo, 0x5eed, true), 0);

	pst_scan(test, true);
	KUNIT_EXPECT_EQ(test, pst_state(test, bo), DRM_GEM_SHMEM_SHRINKER_STATE_EVICTED);
	KUNIT_EXPECT_NULL(test, bo->base.pages);
	KUNIT_EXPECT_EQ(test, pst_files_unmapped(test, bo, files, 2), 2);

	pst_job_begin(test, files[0]);
	KUNIT_EXPECT_TRUE(test, pst_resident(test, bo));
	KUNIT_EXPECT_EQ(test, pst_files_mapped_right(test, bo, files, 2), 2);
	KUNIT_EXPECT_EQ(test, pst_pattern(bo, 0x5eed, false), 0);
	m = panfrost_kunit_mapping(test, bo, files[1]);
	KUNIT_EXPECT_EQ(test, m->mmnode.start, va);
	panfrost_gem_mapping_put(m);
}

/*
 * While a job of a file is counted (submit to cleanup), no BO that the file
 * maps is evicted, also one the job does not list; once it is gone, they are.
 */
static void pst_test_no_eviction_while_file_has_jobs(struct kunit *test)
{
	struct drm_file *files[2] = { panfrost_kunit_file(test), panfrost_kunit_file(test) };
	struct panfrost_gem_object *shared = panfrost_kunit_bo(test, PST_PAGES * PAGE_SIZE,
							       PANFROST_BO_NOEXEC, files, 2, NULL);
	struct panfrost_gem_object *own = panfrost_kunit_bo(test, PST_PAGES * PAGE_SIZE,
							    PANFROST_BO_NOEXEC, files, 1, NULL);
	struct panfrost_gem_object *other = panfrost_kunit_bo(test, PST_PAGES * PAGE_SIZE,
							      PANFROST_BO_NOEXEC, &files[1], 1,
							      NULL);
	struct panfrost_job *job = pst_job_begin(test, files[0]);

	pst_scan(test, true);
	KUNIT_EXPECT_TRUE(test, pst_resident(test, shared));
	KUNIT_EXPECT_TRUE(test, pst_resident(test, own));
	KUNIT_EXPECT_EQ(test, pst_files_mapped_right(test, shared, files, 2), 2);
	KUNIT_EXPECT_EQ(test, pst_files_mapped_right(test, own, files, 1), 1);
	/* The other file has no job. */
	KUNIT_EXPECT_EQ(test, pst_state(test, other), DRM_GEM_SHMEM_SHRINKER_STATE_EVICTED);

	pst_job_end_now(test, job);
	pst_scan(test, true);
	KUNIT_EXPECT_EQ(test, pst_state(test, shared), DRM_GEM_SHMEM_SHRINKER_STATE_EVICTED);
	KUNIT_EXPECT_EQ(test, pst_state(test, own), DRM_GEM_SHMEM_SHRINKER_STATE_EVICTED);
	KUNIT_EXPECT_EQ(test, pst_files_unmapped(test, shared, files, 2), 2);
}

/*
 * A job's submit swaps in every evicted BO of its file, listed or not
 * (Mesa does not list every BO a job reads), and leaves other files' BOs
 * in swap.
 */
static void pst_test_job_swaps_in_every_bo_of_its_file(struct kunit *test)
{
	struct drm_file *files[2] = { panfrost_kunit_file(test), panfrost_kunit_file(test) };
	struct panfrost_gem_object *bos[3];
	int i;

	for (i = 0; i < 3; i++) {
		bos[i] = panfrost_kunit_bo(test, (i + 1) * PST_PAGES * PAGE_SIZE,
					   PANFROST_BO_NOEXEC, &files[i == 2], 1, NULL);
		KUNIT_EXPECT_EQ(test, pst_pattern(bos[i], i, true), 0);
	}
	pst_scan(test, true);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, pst_state(test, bos[i]),
				DRM_GEM_SHMEM_SHRINKER_STATE_EVICTED);

	pst_job_begin(test, files[0]);
	for (i = 0; i < 2; i++) {
		KUNIT_EXPECT_EQ(test, pst_files_mapped_right(test, bos[i], files, 1), 1);
		KUNIT_EXPECT_EQ(test, pst_pattern(bos[i], i, false), 0);
	}
	KUNIT_EXPECT_EQ(test, pst_state(test, bos[2]), DRM_GEM_SHMEM_SHRINKER_STATE_EVICTED);
	KUNIT_EXPECT_EQ(test, pst_files_unmapped(test, bos[2], &files[1], 1), 1);
}

/*
 * A driver path that takes the pages itself (here the scatter/gather table,
 * as panfrost_gem_sync() does) swaps the BO in through the shmem helpers,
 * which map it again on the GPU too.
 */
static void pst_test_helper_swaps_in_and_maps(struct kunit *test)
{
	struct drm_file *files[2] = { panfrost_kunit_file(test), panfrost_kunit_file(test) };
	struct panfrost_gem_object *bo = panfrost_kunit_bo(test, SZ_2M + 3 * PAGE_SIZE,
							   PANFROST_BO_NOEXEC, files, 2, NULL);

	KUNIT_EXPECT_EQ(test, pst_pattern(bo, 0xb0, true), 0);
	pst_scan(test, true);
	KUNIT_ASSERT_EQ(test, pst_state(test, bo), DRM_GEM_SHMEM_SHRINKER_STATE_EVICTED);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, drm_gem_shmem_get_pages_sgt(&bo->base));
	KUNIT_EXPECT_TRUE(test, pst_resident(test, bo));
	KUNIT_EXPECT_EQ(test, pst_files_mapped_right(test, bo, files, 2), 2);
	KUNIT_EXPECT_EQ(test, pst_pattern(bo, 0xb0, false), 0);
}

/*
 * Purge: a DONTNEED BO loses its mappings (and GPU VA) and its pages; the
 * next madvise reports it gone; a submit of its file still succeeds.
 */
static void pst_test_purge(struct kunit *test)
{
	struct drm_file *file = panfrost_kunit_file(test);
	struct panfrost_gem_object *bo;
	struct panfrost_gem_mapping *m;
	u32 handle, retained;

	bo = panfrost_kunit_bo(test, PST_PAGES * PAGE_SIZE, PANFROST_BO_NOEXEC, &file, 1, &handle);
	m = panfrost_kunit_mapping(test, bo, file);
	KUNIT_EXPECT_EQ(test, panfrost_kunit_madvise(file, handle, PANFROST_MADV_DONTNEED,
						     &retained), 0);
	KUNIT_EXPECT_EQ(test, retained, 1);
	KUNIT_EXPECT_EQ(test, bo->base.madv, PANFROST_MADV_DONTNEED);
	KUNIT_EXPECT_EQ(test, pst_state(test, bo), DRM_GEM_SHMEM_SHRINKER_STATE_PURGEABLE);

	/* Purging needs no eviction. */
	pst_scan(test, false);
	KUNIT_EXPECT_EQ(test, pst_state(test, bo), DRM_GEM_SHMEM_SHRINKER_STATE_PURGED);
	KUNIT_EXPECT_NULL(test, bo->base.pages);
	KUNIT_EXPECT_LT(test, bo->base.madv, 0);
	KUNIT_EXPECT_FALSE(test, m->active);
	KUNIT_EXPECT_FALSE(test, drm_mm_node_allocated(&m->mmnode));
	panfrost_gem_mapping_put(m);

	KUNIT_EXPECT_EQ(test, panfrost_kunit_madvise(file, handle, PANFROST_MADV_WILLNEED,
						     &retained), 0);
	KUNIT_EXPECT_EQ(test, retained, 0);
	pst_job_begin(test, file);
}

/*
 * madvise goes through the shrinker with panfrost's uAPI: DONTNEED only for
 * a BO that no other file maps (-EINVAL otherwise, nothing changes), and an
 * evicted BO marked DONTNEED is purged from swap.
 */
static void pst_test_madvise(struct kunit *test)
{
	struct drm_file *files[2] = { panfrost_kunit_file(test), panfrost_kunit_file(test) };
	struct panfrost_gem_object *shared, *own;
	u32 handles[2], handle, retained;

	shared = panfrost_kunit_bo(test, PST_PAGES * PAGE_SIZE, PANFROST_BO_NOEXEC, files, 2,
				   handles);
	KUNIT_EXPECT_EQ(test, panfrost_kunit_madvise(files[0], handles[0],
						     PANFROST_MADV_DONTNEED, &retained), -EINVAL);
	KUNIT_EXPECT_EQ(test, pst_state(test, shared), DRM_GEM_SHMEM_SHRINKER_STATE_EVICTABLE);

	own = panfrost_kunit_bo(test, PST_PAGES * PAGE_SIZE, PANFROST_BO_NOEXEC, files, 1, &handle);
	pst_scan(test, true);
	KUNIT_ASSERT_EQ(test, pst_state(test, own), DRM_GEM_SHMEM_SHRINKER_STATE_EVICTED);
	KUNIT_EXPECT_EQ(test, panfrost_kunit_madvise(files[0], handle, PANFROST_MADV_DONTNEED,
						     &retained), 0);
	KUNIT_EXPECT_EQ(test, retained, 1);
	pst_scan(test, false);
	KUNIT_EXPECT_EQ(test, pst_state(test, own), DRM_GEM_SHMEM_SHRINKER_STATE_PURGED);
	/* Its mapping left the evicted list: the next submit has nothing to do. */
	pst_job_begin(test, files[0]);
	KUNIT_EXPECT_EQ(test, pst_state(test, own), DRM_GEM_SHMEM_SHRINKER_STATE_PURGED);
	KUNIT_EXPECT_EQ(test, pst_files_mapped_right(test, shared, files, 2), 2);
}

static const char *pst_fence_name(struct dma_fence *f)
{
	return "panfrost-kunit";
}

static const struct dma_fence_ops pst_fence_ops = {
	.get_driver_name = pst_fence_name,
	.get_timeline_name = pst_fence_name,
};

static DEFINE_SPINLOCK(pst_fence_lock);

static void pst_add_fence(struct kunit *test, struct panfrost_gem_object *bo,
			  struct dma_fence *fence, enum dma_resv_usage usage)
{
	struct dma_resv *resv = bo->base.base.resv;
	int ret;

	dma_resv_lock(resv, NULL);
	ret = dma_resv_reserve_fences(resv, 1);
	if (!ret)
		dma_resv_add_fence(resv, fence, usage);
	dma_resv_unlock(resv);
	KUNIT_ASSERT_EQ(test, ret, 0);
}

/*
 * A BO with an unsignalled fence (a job of another device, or one the GPU
 * still runs) is neither evicted nor purged: reclaim waits a few jiffies,
 * then leaves it. Once the fence signals, it is reclaimed.
 */
static void pst_test_busy_bo_not_reclaimed(struct kunit *test)
{
	struct drm_file *file = panfrost_kunit_file(test);
	struct panfrost_gem_object *bo, *dontneed;
	struct dma_fence *fence;
	u32 handle, retained;

	bo = panfrost_kunit_bo(test, PST_PAGES * PAGE_SIZE, PANFROST_BO_NOEXEC, &file, 1, NULL);
	dontneed = panfrost_kunit_bo(test, PST_PAGES * PAGE_SIZE, PANFROST_BO_NOEXEC, &file, 1,
				     &handle);
	KUNIT_ASSERT_EQ(test, panfrost_kunit_madvise(file, handle, PANFROST_MADV_DONTNEED,
						     &retained), 0);

	/* Freed by its last put, when both BOs are gone. */
	fence = kzalloc_obj(*fence);
	KUNIT_ASSERT_NOT_NULL(test, fence);
	dma_fence_init(fence, &pst_fence_ops, &pst_fence_lock, dma_fence_context_alloc(1), 1);
	pst_add_fence(test, bo, fence, DMA_RESV_USAGE_WRITE);
	pst_add_fence(test, dontneed, fence, DMA_RESV_USAGE_READ);

	pst_scan(test, true);
	KUNIT_EXPECT_TRUE(test, pst_resident(test, bo));
	KUNIT_EXPECT_EQ(test, pst_files_mapped_right(test, bo, &file, 1), 1);
	KUNIT_EXPECT_EQ(test, pst_state(test, dontneed), DRM_GEM_SHMEM_SHRINKER_STATE_PURGEABLE);
	KUNIT_EXPECT_EQ(test, pst_files_mapped_right(test, dontneed, &file, 1), 1);

	dma_fence_signal(fence);
	dma_fence_put(fence);
	pst_scan(test, true);
	KUNIT_EXPECT_EQ(test, pst_state(test, bo), DRM_GEM_SHMEM_SHRINKER_STATE_EVICTED);
	KUNIT_EXPECT_EQ(test, pst_state(test, dontneed), DRM_GEM_SHMEM_SHRINKER_STATE_PURGED);
}

/*
 * A mapping that a file closed while a job or an ioctl still holds it stays
 * the shrinker core's until its last put: while a job of its address space
 * is counted the BO stays; otherwise eviction unmaps it with the others,
 * and the next job there maps it again. After its last put the BO is
 * evicted from the other file only.
 */
static void pst_test_closed_mapping_still_held(struct kunit *test)
{
	struct drm_file *files[2] = { panfrost_kunit_file(test), panfrost_kunit_file(test) };
	struct panfrost_gem_object *bo;
	struct panfrost_gem_mapping *held;
	struct panfrost_job *job;
	u32 handles[2];

	bo = panfrost_kunit_bo(test, PST_PAGES * PAGE_SIZE, PANFROST_BO_NOEXEC, files, 2, handles);
	held = panfrost_kunit_mapping(test, bo, files[1]);
	KUNIT_ASSERT_EQ(test, drm_gem_handle_delete(files[1], handles[1]), 0);

	job = pst_job_begin(test, files[1]);
	pst_scan(test, true);
	KUNIT_EXPECT_TRUE(test, pst_resident(test, bo));
	KUNIT_EXPECT_EQ(test, panfrost_kunit_pages_mapped_right(held), PST_PAGES);
	pst_job_end_now(test, job);

	pst_scan(test, true);
	KUNIT_EXPECT_EQ(test, pst_state(test, bo), DRM_GEM_SHMEM_SHRINKER_STATE_EVICTED);
	KUNIT_EXPECT_FALSE(test, held->active);
	pst_job_begin(test, files[1]);
	KUNIT_EXPECT_EQ(test, panfrost_kunit_pages_mapped_right(held), PST_PAGES);

	panfrost_gem_mapping_put(held);
	pst_scan(test, true);
	KUNIT_EXPECT_EQ(test, pst_state(test, bo), DRM_GEM_SHMEM_SHRINKER_STATE_EVICTED);
	KUNIT_EXPECT_EQ(test, pst_files_unmapped(test, bo, files, 1), 1);
}

/*
 * Never reclaimed: heap BOs, which the GPU's fault handler grows page by
 * page (not tracked at all), and exported BOs, which other devices may use
 * at any time.
 */
static void pst_test_heap_and_exported_untouched(struct kunit *test)
{
	struct panfrost_device *pfdev = test->priv;
	struct drm_file *file = panfrost_kunit_file(test);
	struct drm_gem_shmem_shrinker_object_info info;
	struct panfrost_gem_object *heap, *exported;
	struct dma_buf *dmabuf;
	u32 handle;

	heap = panfrost_kunit_bo(test, SZ_2M, PANFROST_BO_HEAP | PANFROST_BO_NOEXEC, &file, 1,
				 NULL);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_query(&heap->base, &info), -ENOENT);
	KUNIT_EXPECT_FALSE(test, heap->reclaimable);

	exported = panfrost_kunit_bo(test, PST_PAGES * PAGE_SIZE, PANFROST_BO_NOEXEC, &file, 1,
				     &handle);
	dmabuf = drm_gem_prime_handle_to_dmabuf(&pfdev->base, file, handle, O_RDWR);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dmabuf);

	pst_scan(test, true);
	KUNIT_EXPECT_TRUE(test, pst_resident(test, exported));
	KUNIT_EXPECT_EQ(test, pst_files_mapped_right(test, exported, &file, 1), 1);

	/*
	 * Drop the file's PRIME reference with the handle, then release the
	 * dma-buf now, not from a work item that could run after the device
	 * is gone.
	 */
	KUNIT_EXPECT_EQ(test, drm_gem_handle_delete(file, handle), 0);
	__fput_sync(dmabuf->file);
}

/*
 * A purge trylocks the BO's mappings lock: when another thread holds it,
 * the BO is counted as contended (the kernel comes back), not as busy.
 * (Eviction does not take it: the core walks the mappings it was given.)
 */
static void pst_test_contended_not_busy(struct kunit *test)
{
	struct panfrost_device *pfdev = test->priv;
	struct drm_file *file = panfrost_kunit_file(test);
	struct panfrost_gem_object *bo;
	struct drm_gem_shmem_shrinker_stats before, after;
	u32 retained, handle;

	bo = panfrost_kunit_bo(test, PST_PAGES * PAGE_SIZE, PANFROST_BO_NOEXEC, &file, 1, &handle);
	KUNIT_ASSERT_EQ(test, panfrost_kunit_madvise(file, handle, PANFROST_MADV_DONTNEED,
						     &retained), 0);
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_get_stats(pfdev->shrinker, &before), 0);
	mutex_lock(&bo->mappings.lock);
	pst_scan(test, false);
	mutex_unlock(&bo->mappings.lock);
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_get_stats(pfdev->shrinker, &after), 0);
	KUNIT_EXPECT_TRUE(test, pst_resident(test, bo));
	KUNIT_EXPECT_GT(test, after.skipped_locked, before.skipped_locked);
	KUNIT_EXPECT_EQ(test, after.skipped_busy, before.skipped_busy);
}

/*
 * A file closes its handle of an evicted BO while a job (from its submit's
 * BO lookup to its cleanup) or an ioctl still holds the file's mapping:
 * the mapping is off the BO's list, but still the shrinker core's.
 * Whatever brings the BO back first, that file's next job or a CPU fault
 * through another file, the job that holds the mapping finds the BO mapped
 * there, and nothing warns (a warning here is one that userspace can
 * trigger).
 */
static void pst_test_closed_mapping_of_evicted_bo(struct kunit *test)
{
	struct drm_file *files[2] = { panfrost_kunit_file(test), panfrost_kunit_file(test) };
	struct panfrost_gem_object *bos[2];
	struct panfrost_gem_mapping *held[2];
	u32 handles[2];
	int i;

	for (i = 0; i < 2; i++) {
		bos[i] = panfrost_kunit_bo(test, PST_PAGES * PAGE_SIZE, PANFROST_BO_NOEXEC, files,
					   2, handles);
		KUNIT_EXPECT_EQ(test, pst_pattern(bos[i], 0xc0 + i, true), 0);
	}
	pst_scan(test, true);
	for (i = 0; i < 2; i++) {
		KUNIT_ASSERT_EQ(test, pst_state(test, bos[i]),
				DRM_GEM_SHMEM_SHRINKER_STATE_EVICTED);
		/* A submit of files[1] looks the BO up, then files[1] closes it. */
		held[i] = panfrost_kunit_mapping(test, bos[i], files[1]);
		KUNIT_ASSERT_EQ(test, drm_gem_handle_delete(files[1], i + 1), 0);
	}
	/* bos[1] comes back first through a CPU fault (files[0]'s mapping). */
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_get(&bos[1]->base,
							 DRM_GEM_SHMEM_SHRINKER_USE_VMAP), 0);
	drm_gem_shmem_shrinker_put(&bos[1]->base, DRM_GEM_SHMEM_SHRINKER_USE_VMAP);
	KUNIT_EXPECT_EQ(test, pst_files_mapped_right(test, bos[1], files, 1), 1);
	KUNIT_EXPECT_TRUE(test, held[1]->active);

	kunit_warning_suppress(test) {
		pst_job_begin(test, files[1]);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 0);
	}
	for (i = 0; i < 2; i++) {
		KUNIT_EXPECT_TRUE(test, held[i]->active);
		KUNIT_EXPECT_EQ(test, panfrost_kunit_pages_mapped_right(held[i]), PST_PAGES);
		KUNIT_EXPECT_EQ(test, pst_pattern(bos[i], 0xc0 + i, false), 0);
		/* The job's cleanup: the last put unmaps the closed mapping. */
		panfrost_gem_mapping_put(held[i]);
	}
}

/*
 * After panfrost_remove() unplugged the device, a CPU fault on an evicted
 * BO that userspace still maps brings the pages back, maps them in the
 * page tables (memory) and touches no register (the MMU's would be
 * flushed for a bound address space): the GPU and its register window
 * are gone.
 */
static void pst_test_unplugged_swap_in_leaves_gpu_alone(struct kunit *test)
{
	struct panfrost_device *pfdev = test->priv;
	struct drm_file *file = panfrost_kunit_file(test);
	struct panfrost_file_priv *priv = file->driver_priv;
	const u32 canary = 0xdeadbeef;
	struct panfrost_gem_object *bo;
	struct panfrost_gem_mapping *m;
	int as;

	bo = panfrost_kunit_bo(test, PST_PAGES * PAGE_SIZE, PANFROST_BO_NOEXEC, &file, 1, NULL);
	m = panfrost_kunit_mapping(test, bo, file);
	KUNIT_EXPECT_EQ(test, pst_pattern(bo, 0xe4, true), 0);
	/* Bound, as while a job of the file runs: map and unmap flush it. */
	as = panfrost_mmu_as_get(pfdev, priv->mmu);
	KUNIT_ASSERT_GE(test, as, 0);
	pst_scan(test, true);
	KUNIT_ASSERT_EQ(test, pst_state(test, bo), DRM_GEM_SHMEM_SHRINKER_STATE_EVICTED);

	/* What panfrost_remove() does before the device's resources go. */
	drm_dev_unplug(&pfdev->base);
	panfrost_shrinker_fini(pfdev);
	writel(canary, pfdev->iomem + AS_LOCKADDR_LO(as));
	writel(canary, pfdev->iomem + AS_COMMAND(as));

	/* A CPU fault, as through a mapping that outlives the device. */
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_get(&bo->base,
							 DRM_GEM_SHMEM_SHRINKER_USE_VMAP), 0);
	drm_gem_shmem_shrinker_put(&bo->base, DRM_GEM_SHMEM_SHRINKER_USE_VMAP);
	KUNIT_EXPECT_EQ(test, readl(pfdev->iomem + AS_LOCKADDR_LO(as)), canary);
	KUNIT_EXPECT_EQ(test, readl(pfdev->iomem + AS_COMMAND(as)), canary);
	KUNIT_EXPECT_EQ(test, panfrost_kunit_pages_mapped_right(m), PST_PAGES);
	KUNIT_EXPECT_EQ(test, pst_pattern(bo, 0xe4, false), 0);
	panfrost_gem_mapping_put(m);
	panfrost_mmu_as_put(pfdev, priv->mmu);
}

/*
 * A system resume that fails early (here the OPP lookup of a GPU whose
 * regulator goes off in suspend: this device has no OPP table) still lets
 * reclaim run again: blocked, it would leave every BO resident for good.
 */
static void pst_test_failed_resume_resumes_reclaim(struct kunit *test)
{
	static const struct panfrost_compatible vreg_off = {
		.pm_features = BIT(GPU_PM_VREG_OFF),
	};
	struct panfrost_device *pfdev = test->priv;
	struct drm_file *file = panfrost_kunit_file(test);
	struct panfrost_gem_object *bo;

	if (!IS_ENABLED(CONFIG_PM_SLEEP))
		kunit_skip(test, "no system sleep (CONFIG_PM_SLEEP)");
	bo = panfrost_kunit_bo(test, PST_PAGES * PAGE_SIZE, PANFROST_BO_NOEXEC, &file, 1, NULL);
	pfdev->comp = &vreg_off;
	dev_set_drvdata(pfdev->base.dev, pfdev);
	/* What panfrost_device_suspend() does first. */
	panfrost_shrinker_suspend(pfdev);
#ifdef CONFIG_PM_SLEEP
	KUNIT_EXPECT_LT(test, panfrost_pm_ops.resume(pfdev->base.dev), 0);
#endif
	pst_scan(test, true);
	KUNIT_EXPECT_EQ(test, pst_state(test, bo), DRM_GEM_SHMEM_SHRINKER_STATE_EVICTED);
}

#if IS_ENABLED(CONFIG_KPROBES)
/* What a kprobe saw where the madvise ioctl records the advice. */
struct pst_advice {
	struct kprobe probes[2];
	struct task_struct *task;
	struct panfrost_gem_object *bo;
	atomic_t hits, held;
};

static struct pst_advice *pst_advice;

/*
 * Runs (in the kprobe's exception context: reads only) where the madvise
 * ioctl hands the advice to the shrinker's core: whether the BO's
 * reservation and mappings lock are held there, as when the ioctl checked
 * which files map the BO.
 */
static int pst_at_advice(struct kprobe *p, struct pt_regs *regs)
{
	struct pst_advice *a = READ_ONCE(pst_advice);

	if (!a || current != a->task)
		return 0;
	atomic_inc(&a->hits);
	if (dma_resv_is_locked(a->bo->base.base.resv) && mutex_is_locked(&a->bo->mappings.lock))
		atomic_inc(&a->held);
	return 0;
}

static void pst_advice_end(void *arg)
{
	struct pst_advice *a = arg;
	int i;

	for (i = 0; i < ARRAY_SIZE(a->probes); i++)
		unregister_kprobe(&a->probes[i]);
	WRITE_ONCE(pst_advice, NULL);
}

/*
 * madvise(DONTNEED) is refused for a BO that another file maps. The check
 * and the advice must be one step: GEM_OPEN (or a PRIME import) publishes
 * a file's mapping under the BO's reservation and mappings lock, so the
 * ioctl must still hold both where it records the advice. Otherwise a file
 * can open the BO between the check and the advice, and lose its mapping
 * to a purge it was told could not happen. A kprobe where the advice is
 * recorded (with the kit, and where it was before) reads the locks.
 */
static void pst_test_madvise_check_and_advice_are_one_step(struct kunit *test)
{
	struct drm_file *file = panfrost_kunit_file(test);
	/* Where the ioctl records the advice, with the kit and before it. */
	static const char *const advice_fns[] = {
		"drm_gem_shmem_shrinker_madvise_locked",
		"drm_gem_shmem_shrinker_madvise",
	};
	struct pst_advice *a;
	u32 handle, retained;
	int i, probes = 0;

	a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	a->bo = panfrost_kunit_bo(test, PST_PAGES * PAGE_SIZE, PANFROST_BO_NOEXEC, &file, 1,
				  &handle);
	a->task = current;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, pst_advice_end, a), 0);
	WRITE_ONCE(pst_advice, a);
	for (i = 0; i < ARRAY_SIZE(advice_fns); i++) {
		a->probes[i].symbol_name = advice_fns[i];
		a->probes[i].pre_handler = pst_at_advice;
		probes += !register_kprobe(&a->probes[i]);
	}
	KUNIT_ASSERT_GT(test, probes, 0);

	KUNIT_EXPECT_EQ(test, panfrost_kunit_madvise(file, handle, PANFROST_MADV_DONTNEED,
						     &retained), 0);
	KUNIT_EXPECT_EQ(test, retained, 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&a->hits), 1);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&a->held), 1,
			    "the advice was recorded without the locks of the check");
	KUNIT_EXPECT_EQ(test, pst_state(test, a->bo), DRM_GEM_SHMEM_SHRINKER_STATE_PURGEABLE);
}
#endif

static struct kunit_case pst_cases[] = {
	KUNIT_CASE(pst_test_evict_then_job_swaps_in),
	KUNIT_CASE(pst_test_no_eviction_while_file_has_jobs),
	KUNIT_CASE(pst_test_job_swaps_in_every_bo_of_its_file),
	KUNIT_CASE(pst_test_helper_swaps_in_and_maps),
	KUNIT_CASE(pst_test_purge),
	KUNIT_CASE(pst_test_madvise),
	KUNIT_CASE(pst_test_busy_bo_not_reclaimed),
	KUNIT_CASE(pst_test_closed_mapping_still_held),
	KUNIT_CASE(pst_test_heap_and_exported_untouched),
	KUNIT_CASE(pst_test_contended_not_busy),
	KUNIT_CASE(pst_test_closed_mapping_of_evicted_bo),
	KUNIT_CASE(pst_test_unplugged_swap_in_leaves_gpu_alone),
	KUNIT_CASE(pst_test_failed_resume_resumes_reclaim),
#if IS_ENABLED(CONFIG_KPROBES)
	KUNIT_CASE(pst_test_madvise_check_and_advice_are_one_step),
#endif
	{}
};

static struct kunit_suite pst_suite = {
	.name = "panfrost_shrinker",
	.init = panfrost_kunit_init,
	.test_cases = pst_cases,
};

kunit_test_suite(pst_suite);
