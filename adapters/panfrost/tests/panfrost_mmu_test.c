// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of panfrost's GEM mappings and MMU code, on a device without a
 * GPU (panfrost_kunit.h): real BOs from panfrost_gem_create(), real DRM files
 * with their own MMU context, and the real io-pgtable, read back with
 * iova_to_phys() over each mapping's GPU VA range.
 */

#include <kunit/test.h>

#include <linux/io.h>
#include <linux/sizes.h>

#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/panfrost_drm.h>

#include "../panfrost_device.h"
#include "../panfrost_gem.h"
#include "../panfrost_mmu.h"
#include "../panfrost_regs.h"
#include "panfrost_kunit.h"

/* A BO shared by two files is mapped, page by page, in both address spaces. */
static void pft_test_map_in_every_file(struct kunit *test)
{
	struct drm_file *files[2] = { panfrost_kunit_file(test), panfrost_kunit_file(test) };
	const size_t sizes[] = { 64 * PAGE_SIZE, SZ_2M + 3 * PAGE_SIZE };
	unsigned int s, f;

	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		struct panfrost_gem_object *bo;

		bo = panfrost_kunit_bo(test, sizes[s], PANFROST_BO_NOEXEC, files, 2, NULL);
		for (f = 0; f < 2; f++) {
			struct panfrost_gem_mapping *m = panfrost_kunit_mapping(test, bo, files[f]);

			KUNIT_EXPECT_TRUE(test, m->active);
			KUNIT_EXPECT_EQ(test, panfrost_kunit_pages_mapped_right(m),
					sizes[s] >> PAGE_SHIFT);
			panfrost_gem_mapping_put(m);
		}
	}
}

/*
 * Unmapping leaves nothing of the BO in the address space, and mapping
 * again translates every page to the BO's page, in each address space on
 * its own.
 */
static void pft_test_unmap_then_map_again(struct kunit *test)
{
	struct drm_file *files[2] = { panfrost_kunit_file(test), panfrost_kunit_file(test) };
	struct panfrost_gem_object *bo = panfrost_kunit_bo(test, 32 * PAGE_SIZE, PANFROST_BO_NOEXEC,
							   files, 2, NULL);
	struct panfrost_gem_mapping *m0 = panfrost_kunit_mapping(test, bo, files[0]);
	struct panfrost_gem_mapping *m1 = panfrost_kunit_mapping(test, bo, files[1]);

	panfrost_mmu_unmap(m0);
	KUNIT_EXPECT_FALSE(test, m0->active);
	KUNIT_EXPECT_EQ(test, panfrost_kunit_pages_mapped(m0), 0);
	KUNIT_EXPECT_EQ(test, panfrost_kunit_pages_mapped_right(m1), 32);

	KUNIT_EXPECT_EQ(test, panfrost_mmu_map(m0), 0);
	KUNIT_EXPECT_EQ(test, panfrost_kunit_pages_mapped_right(m0), 32);
	panfrost_gem_mapping_put(m1);
	panfrost_gem_mapping_put(m0);
}

/*
 * With an address space bound to the file (as while its jobs run), an
 * unmap flushes the GPU's page-table caches for the range.
 */
static void pft_test_unmap_flushes_bound_as(struct kunit *test)
{
	struct panfrost_device *pfdev = test->priv;
	struct drm_file *file = panfrost_kunit_file(test);
	struct panfrost_file_priv *priv = file->driver_priv;
	struct panfrost_gem_object *bo = panfrost_kunit_bo(test, 16 * PAGE_SIZE, PANFROST_BO_NOEXEC,
							   &file, 1, NULL);
	struct panfrost_gem_mapping *m = panfrost_kunit_mapping(test, bo, file);
	int as = panfrost_mmu_as_get(pfdev, priv->mmu);

	KUNIT_ASSERT_GE(test, as, 0);
	writel(0, pfdev->iomem + AS_COMMAND(as));
	panfrost_mmu_unmap(m);
	KUNIT_EXPECT_EQ(test, readl(pfdev->iomem + AS_COMMAND(as)), AS_COMMAND_FLUSH_PT);
	KUNIT_EXPECT_EQ(test, panfrost_kunit_pages_mapped(m), 0);
	panfrost_mmu_as_put(pfdev, priv->mmu);
	panfrost_gem_mapping_put(m);
}

/* Heap BOs are mapped page by page on GPU faults, not at open. */
static void pft_test_heap_not_mapped_at_open(struct kunit *test)
{
	struct drm_file *file = panfrost_kunit_file(test);
	struct panfrost_gem_object *bo = panfrost_kunit_bo(test, SZ_2M,
							   PANFROST_BO_HEAP | PANFROST_BO_NOEXEC,
							   &file, 1, NULL);
	struct panfrost_gem_mapping *m = panfrost_kunit_mapping(test, bo, file);

	KUNIT_EXPECT_TRUE(test, bo->is_heap);
	KUNIT_EXPECT_FALSE(test, m->active);
	KUNIT_EXPECT_EQ(test, panfrost_kunit_pages_mapped(m), 0);
	panfrost_gem_mapping_put(m);
}

/*
 * DRM_IOCTL_PANFROST_MADVISE takes WILLNEED and DONTNEED only: anything
 * else is -EINVAL and changes nothing (upstream stored ~0u as madv = -1,
 * "purged"); an unknown handle is -ENOENT.
 */
static void pft_test_madvise_values(struct kunit *test)
{
	struct drm_file *file = panfrost_kunit_file(test);
	struct panfrost_gem_object *bo;
	u32 handle, retained;

	bo = panfrost_gem_create(file->minor->dev, 16 * PAGE_SIZE, PANFROST_BO_NOEXEC);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, bo);
	KUNIT_ASSERT_EQ(test, drm_gem_handle_create(file, &bo->base.base, &handle), 0);
	drm_gem_object_put(&bo->base.base);

	KUNIT_EXPECT_EQ(test, panfrost_kunit_madvise(file, handle, 2, &retained), -EINVAL);
	KUNIT_EXPECT_EQ(test, retained, 7);
	KUNIT_EXPECT_EQ(test, panfrost_kunit_madvise(file, handle, ~0u, &retained), -EINVAL);
	KUNIT_EXPECT_EQ(test, bo->base.madv, PANFROST_MADV_WILLNEED);
	KUNIT_EXPECT_EQ(test, panfrost_kunit_madvise(file, handle + 1, PANFROST_MADV_DONTNEED,
						     &retained), -ENOENT);

	KUNIT_EXPECT_EQ(test, panfrost_kunit_madvise(file, handle, PANFROST_MADV_DONTNEED,
						     &retained), 0);
	KUNIT_EXPECT_EQ(test, retained, 1);
	KUNIT_EXPECT_EQ(test, panfrost_kunit_madvise(file, handle, PANFROST_MADV_WILLNEED,
						     &retained), 0);
	KUNIT_EXPECT_EQ(test, retained, 1);
	KUNIT_EXPECT_EQ(test, bo->base.madv, PANFROST_MADV_WILLNEED);
}

static struct kunit_case pft_cases[] = {
	KUNIT_CASE(pft_test_map_in_every_file),
	KUNIT_CASE(pft_test_unmap_then_map_again),
	KUNIT_CASE(pft_test_unmap_flushes_bound_as),
	KUNIT_CASE(pft_test_heap_not_mapped_at_open),
	KUNIT_CASE(pft_test_madvise_values),
	{}
};

static struct kunit_suite pft_suite = {
	.name = "panfrost_gem_mmu",
	.init = panfrost_kunit_init,
	.test_cases = pft_cases,
};

kunit_test_suite(pft_suite);
