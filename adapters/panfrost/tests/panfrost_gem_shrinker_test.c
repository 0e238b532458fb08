// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of panfrost's own shrinker (panfrost_gem_shrinker.c), which a
 * kernel without the GEM shmem shrinker keeps (no Rust, or the kit built as
 * a module with panfrost built in): memory pressure still purges the BOs
 * that userspace marked DONTNEED, Mesa's BO cache. On a device without a
 * GPU (panfrost_kunit.h), through the shrinker's own count and scan, as
 * reclaim calls them.
 */

#include <kunit/test.h>

#include <linux/shrinker.h>
#include <linux/sizes.h>

#include <drm/drm_file.h>
#include <drm/panfrost_drm.h>

#include "../panfrost_device.h"
#include "../panfrost_gem.h"
#include "panfrost_kunit.h"

#define PGS_PAGES	64

/* What reclaim asks of the shrinker: how much it could free, then a scan. */
static unsigned long pgs_reclaim(struct kunit *test, unsigned long *counted)
{
	struct panfrost_device *pfdev = test->priv;
	struct shrinker *s = pfdev->shrinker;
	struct shrink_control sc = { .gfp_mask = GFP_KERNEL };

	KUNIT_ASSERT_NOT_NULL(test, s);
	*counted = s->count_objects(s, &sc);
	sc.nr_to_scan = *counted;
	return *counted ? s->scan_objects(s, &sc) : 0;
}

/*
 * A DONTNEED BO is purged: its pages, its GPU mapping and its VA go, and
 * WILLNEED reports the content gone. A WILLNEED BO is left alone.
 */
static void pgs_test_dontneed_bo_purged(struct kunit *test)
{
	struct drm_file *file = panfrost_kunit_file(test);
	struct panfrost_gem_object *bo, *kept;
	struct panfrost_gem_mapping *m;
	unsigned long counted;
	u32 handle, retained;

	bo = panfrost_kunit_bo(test, PGS_PAGES * PAGE_SIZE, PANFROST_BO_NOEXEC, &file, 1,
			       &handle);
	kept = panfrost_kunit_bo(test, PGS_PAGES * PAGE_SIZE, PANFROST_BO_NOEXEC, &file, 1,
				 NULL);
	m = panfrost_kunit_mapping(test, bo, file);
	KUNIT_EXPECT_EQ(test, panfrost_kunit_pages_mapped_right(m), PGS_PAGES);
	KUNIT_EXPECT_EQ(test, pgs_reclaim(test, &counted), 0);
	KUNIT_EXPECT_EQ(test, counted, 0);

	KUNIT_ASSERT_EQ(test, panfrost_kunit_madvise(file, handle, PANFROST_MADV_DONTNEED,
						     &retained), 0);
	KUNIT_EXPECT_EQ(test, retained, 1);
	KUNIT_EXPECT_EQ(test, pgs_reclaim(test, &counted), PGS_PAGES);
	KUNIT_EXPECT_EQ(test, counted, PGS_PAGES);
	KUNIT_EXPECT_LT(test, bo->base.madv, 0);
	KUNIT_EXPECT_NULL(test, bo->base.pages);
	KUNIT_EXPECT_FALSE(test, m->active);
	KUNIT_EXPECT_FALSE(test, drm_mm_node_allocated(&m->mmnode));
	panfrost_gem_mapping_put(m);
	KUNIT_EXPECT_NOT_NULL(test, kept->base.pages);
	KUNIT_EXPECT_EQ(test, kept->base.madv, PANFROST_MADV_WILLNEED);

	KUNIT_EXPECT_EQ(test, panfrost_kunit_madvise(file, handle, PANFROST_MADV_WILLNEED,
						     &retained), 0);
	KUNIT_EXPECT_EQ(test, retained, 0);
}

/* WILLNEED takes a BO off the shrinker's list again: it is not purged. */
static void pgs_test_willneed_again_not_purged(struct kunit *test)
{
	struct drm_file *file = panfrost_kunit_file(test);
	struct panfrost_gem_object *bo;
	unsigned long counted;
	u32 handle, retained;

	bo = panfrost_kunit_bo(test, PGS_PAGES * PAGE_SIZE, PANFROST_BO_NOEXEC, &file, 1,
			       &handle);
	KUNIT_ASSERT_EQ(test, panfrost_kunit_madvise(file, handle, PANFROST_MADV_DONTNEED,
						     &retained), 0);
	KUNIT_ASSERT_EQ(test, panfrost_kunit_madvise(file, handle, PANFROST_MADV_WILLNEED,
						     &retained), 0);
	KUNIT_EXPECT_EQ(test, retained, 1);
	KUNIT_EXPECT_EQ(test, pgs_reclaim(test, &counted), 0);
	KUNIT_EXPECT_NOT_NULL(test, bo->base.pages);
	KUNIT_EXPECT_EQ(test, bo->base.madv, PANFROST_MADV_WILLNEED);
}

static struct kunit_case pgs_cases[] = {
	KUNIT_CASE(pgs_test_dontneed_bo_purged),
	KUNIT_CASE(pgs_test_willneed_again_not_purged),
	{}
};

static struct kunit_suite pgs_suite = {
	.name = "panfrost_gem_shrinker",
	.init = panfrost_kunit_init,
	.test_cases = pgs_cases,
};

kunit_test_suite(pgs_suite);
