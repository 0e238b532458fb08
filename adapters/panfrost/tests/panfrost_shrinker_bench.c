// SPDX-License-Identifier: GPL-2.0
/*
 * A benchmark (make bench), not a test: panfrost's own shrinker as v7.3.4
 * has it (panfrost_stock_shrinker.c) and the GEM shmem shrinker with
 * panfrost's adapter, side by side in one boot, on the same number N of
 * one-page DONTNEED BOs (10, 1000, 100 000), each on a panfrost device
 * without a GPU (panfrost_kunit.h): the time of count_objects, and the
 * time per page of a scan that purges every BO. Each figure is the best of
 * a few rounds, printed as a "kit-bench: KEY VALUE" line for the host's
 * table; the case fails only when it cannot measure.
 */

#include <kunit/test.h>

#include <linux/dma-resv.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/shrinker.h>
#include <linux/slab.h>

#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_gem_shmem_shrinker.h>
#include <drm/panfrost_drm.h>

#include "../panfrost_device.h"
#include "../panfrost_gem.h"
#include "panfrost_kunit.h"
#include "panfrost_stock_shrinker.h"

MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");

#define PFB_ROUNDS	5
/* count_objects calls per round: the kit's cost does not depend on N. */
#define PFB_KIT_CALLS	100000
#define PFB_STOCK_WORK	2000000

/* N one-page DONTNEED BOs in one file of a device. */
struct pfb_set {
	struct panfrost_device *pfdev;
	struct panfrost_stock_shrinker *stock;
	struct drm_file *file;
	u32 *handles;
	size_t n;
};

static void pfb_stock_cleanup(void *drm)
{
	panfrost_stock_shrinker_cleanup(drm);
}

/*
 * A device for one side: with the GEM shmem shrinker registered, or with
 * panfrost's own shrinker (and BOs the kit does not track).
 */
static void pfb_device(struct kunit *test, struct pfb_set *set, bool kit)
{
	set->pfdev = panfrost_kunit_device(test, kit);
	set->file = panfrost_kunit_device_file(test, set->pfdev);
	if (kit)
		return;
	set->stock = kunit_kzalloc(test, sizeof(*set->stock), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, set->stock);
	mutex_init(&set->stock->shrinker_lock);
	INIT_LIST_HEAD(&set->stock->shrinker_list);
	panfrost_stock_shrinker_current = set->stock;
	KUNIT_ASSERT_EQ(test, panfrost_stock_shrinker_init(&set->pfdev->base), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, pfb_stock_cleanup,
							&set->pfdev->base), 0);
}

/*
 * Create @n BOs, mapped in the file, and mark them DONTNEED: through the
 * ioctl for the kit, as v7.3.4's madvise ioctl did for panfrost's own
 * shrinker (the advice, then the BO on the shrinker's list).
 */
static void pfb_fill(struct kunit *test, struct pfb_set *set, size_t n)
{
	size_t i;

	set->n = n;
	set->handles = kvcalloc(n, sizeof(*set->handles), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, set->handles);
	for (i = 0; i < n; i++) {
		struct panfrost_gem_object *bo;
		u32 retained;

		bo = panfrost_kunit_bo(test, PAGE_SIZE, PANFROST_BO_NOEXEC, &set->file, 1,
				       &set->handles[i]);
		if (!set->stock) {
			KUNIT_ASSERT_EQ(test, panfrost_kunit_madvise(set->file, set->handles[i],
								     PANFROST_MADV_DONTNEED,
								     &retained), 0);
			continue;
		}
		dma_resv_lock(bo->base.base.resv, NULL);
		drm_gem_shmem_madvise_locked(&bo->base, PANFROST_MADV_DONTNEED);
		dma_resv_unlock(bo->base.base.resv);
		mutex_lock(&set->stock->shrinker_lock);
		list_move_tail(&bo->base.madv_list, &set->stock->shrinker_list);
		mutex_unlock(&set->stock->shrinker_lock);
	}
}

/* Free the BOs (v7.3.4 took them off its shrinker's list when freeing them). */
static void pfb_empty(struct pfb_set *set)
{
	struct drm_gem_shmem_object *shmem, *tmp;
	size_t i;

	if (set->stock) {
		mutex_lock(&set->stock->shrinker_lock);
		list_for_each_entry_safe(shmem, tmp, &set->stock->shrinker_list, madv_list)
			list_del_init(&shmem->madv_list);
		mutex_unlock(&set->stock->shrinker_lock);
	}
	for (i = 0; i < set->n; i++)
		drm_gem_handle_delete(set->file, set->handles[i]);
	kvfree(set->handles);
	set->handles = NULL;
	set->n = 0;
}

static unsigned long pfb_count(struct pfb_set *set)
{
	struct shrink_control sc = { .gfp_mask = GFP_KERNEL };

	if (set->stock)
		return set->stock->shrinker->count_objects(set->stock->shrinker, &sc);
	return drm_gem_shmem_shrinker_count(set->pfdev->shrinker);
}

static unsigned long pfb_scan(struct pfb_set *set, unsigned long pages)
{
	struct shrink_control sc = { .gfp_mask = GFP_KERNEL, .nr_to_scan = pages };

	if (set->stock)
		return set->stock->shrinker->scan_objects(set->stock->shrinker, &sc);
	return drm_gem_shmem_shrinker_scan(set->pfdev->shrinker, pages, false);
}

/* Picoseconds per count_objects call, over @calls calls. */
static u64 pfb_time_count(struct kunit *test, struct pfb_set *set, unsigned long calls)
{
	unsigned long i, sum = 0;
	u64 t0 = ktime_get_ns(), ns;

	for (i = 0; i < calls; i++)
		sum += pfb_count(set);
	ns = ktime_get_ns() - t0;
	KUNIT_EXPECT_EQ(test, sum, calls * set->n);
	return div_u64(ns * 1000, calls);
}

/* Nanoseconds per page of a scan that purges every BO. */
static u64 pfb_time_scan(struct kunit *test, struct pfb_set *set)
{
	u64 t0 = ktime_get_ns(), ns;

	KUNIT_EXPECT_EQ(test, pfb_scan(set, set->n), set->n);
	ns = ktime_get_ns() - t0;
	KUNIT_EXPECT_EQ(test, pfb_count(set), 0);
	return div_u64(ns, set->n);
}

static void pfb_side_by_side(struct kunit *test)
{
	static const size_t sizes[] = { 10, 1000, 100000 };
	static const char *const names[] = { "stock", "kit" };
	struct pfb_set sets[2] = {};
	size_t k;
	int s, round;

	for (s = 0; s < 2; s++)
		pfb_device(test, &sets[s], s == 1);
	for (k = 0; k < ARRAY_SIZE(sizes); k++) {
		u64 count[2] = { U64_MAX, U64_MAX }, scan[2] = { U64_MAX, U64_MAX };

		/* One side after the other (memory), interleaved by round. */
		for (round = 0; round < PFB_ROUNDS; round++) {
			for (s = 0; s < 2; s++) {
				unsigned long calls = s ? PFB_KIT_CALLS :
						      max(20UL, PFB_STOCK_WORK / sizes[k]);

				pfb_fill(test, &sets[s], sizes[k]);
				count[s] = min(count[s], pfb_time_count(test, &sets[s], calls));
				scan[s] = min(scan[s], pfb_time_scan(test, &sets[s]));
				pfb_empty(&sets[s]);
			}
		}
		for (s = 0; s < 2; s++) {
			kunit_info(test, "kit-bench: panfrost_count_ps_%s_%zu %llu\n", names[s],
				   sizes[k], count[s]);
			kunit_info(test, "kit-bench: panfrost_scan_ns_per_page_%s_%zu %llu\n",
				   names[s], sizes[k], scan[s]);
		}
	}
}

static struct kunit_case pfb_cases[] = {
	KUNIT_CASE_SLOW(pfb_side_by_side),
	{}
};

static struct kunit_suite pfb_suite = {
	.name = "panfrost_shrinker_bench",
	.test_cases = pfb_cases,
};

kunit_test_suite(pfb_suite);
