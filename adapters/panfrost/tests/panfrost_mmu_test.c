// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of panfrost's GEM mappings and MMU code on a device without a
 * GPU: a DRM device whose struct panfrost_device is set up by hand (no
 * probe: no clock, regulator, OPP nor GPU reset), whose register window is
 * plain memory (MMU commands complete at once: AS_STATUS reads 0, and each
 * register keeps the last value written), real GEM objects from
 * panfrost_gem_create(), real DRM files with their own MMU context
 * (panfrost_mmu_ctx_create(), one io-pgtable each) and the real
 * io-pgtable. What the GPU would see is read back with iova_to_phys() over
 * each mapping's GPU VA range.
 *
 * These are the ground the GEM shmem shrinker's Panfrost adapter is tested
 * on: mapping and unmapping in every address space that maps a BO, and the
 * madvise ioctl.
 */

#include <kunit/test.h>

#include <linux/dma-mapping.h>
#include <linux/file.h>
#include <linux/io-pgtable.h>
#include <linux/sizes.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_kunit_helpers.h>
#include <drm/drm_managed.h>
#include <drm/panfrost_drm.h>

#include "../panfrost_device.h"
#include "../panfrost_drv.h"
#include "../panfrost_gem.h"
#include "../panfrost_mmu.h"
#include "../panfrost_regs.h"

MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");

/* A Mali-T860's: 48-bit GPU virtual addresses, 40-bit physical ones. */
#define PFT_MMU_FEATURES	((40 << 8) | 48)
#define PFT_IOMEM_SIZE		SZ_16K

static const struct panfrost_compatible pft_comp = {};

/* panfrost_open() without the job manager, which needs a probed device. */
static int pft_open(struct drm_device *dev, struct drm_file *file)
{
	struct panfrost_file_priv *priv;

	priv = kzalloc_obj(*priv);
	if (!priv)
		return -ENOMEM;
	priv->pfdev = to_panfrost_device(dev);
	priv->mmu = panfrost_mmu_ctx_create(priv->pfdev);
	if (IS_ERR(priv->mmu)) {
		int ret = PTR_ERR(priv->mmu);

		kfree(priv);
		return ret;
	}
	file->driver_priv = priv;
	return 0;
}

static void pft_postclose(struct drm_device *dev, struct drm_file *file)
{
	struct panfrost_file_priv *priv = file->driver_priv;

	panfrost_mmu_ctx_put(priv->mmu);
	kfree(priv);
}

DEFINE_DRM_GEM_FOPS(pft_fops);

static const struct drm_driver pft_driver = {
	.driver_features	= DRIVER_GEM | DRIVER_RENDER,
	.open			= pft_open,
	.postclose		= pft_postclose,
	.gem_create_object	= panfrost_gem_create_object,
	.fops			= &pft_fops,
	.name			= "panfrost-kunit",
	.desc			= "panfrost without a GPU, for KUnit",
};

static int pft_init(struct kunit *test)
{
	struct panfrost_device *pfdev;
	struct device *dev;

	dev = drm_kunit_helper_alloc_device(test);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	/* KUnit devices default to 32-bit DMA; the GPU's MMU takes 40 bits. */
	KUNIT_ASSERT_EQ(test, dma_coerce_mask_and_coherent(dev, DMA_BIT_MASK(64)), 0);
	pfdev = drm_kunit_helper_alloc_drm_device_with_driver(test, dev, struct panfrost_device,
							      base, &pft_driver);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pfdev);

	pfdev->comp = &pft_comp;
	/* Coherent: no write-combined CPU mappings on x86. */
	pfdev->coherent = true;
	pfdev->features.mmu_features = PFT_MMU_FEATURES;
	pfdev->features.as_present = GENMASK(7, 0);
	pfdev->iomem = (void __iomem *)drmm_kzalloc(&pfdev->base, PFT_IOMEM_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, (void __force *)pfdev->iomem);
	spin_lock_init(&pfdev->as_lock);
	INIT_LIST_HEAD(&pfdev->as_lru_list);
	spin_lock_init(&pfdev->cycle_counter.lock);
	INIT_LIST_HEAD(&pfdev->shrinker_list);
	KUNIT_ASSERT_EQ(test, drmm_mutex_init(&pfdev->base, &pfdev->sched_lock), 0);
	KUNIT_ASSERT_EQ(test, drmm_mutex_init(&pfdev->base, &pfdev->shrinker_lock), 0);
#ifdef CONFIG_DEBUG_FS
	KUNIT_ASSERT_EQ(test, drmm_mutex_init(&pfdev->base, &pfdev->debugfs.gems_lock), 0);
	INIT_LIST_HEAD(&pfdev->debugfs.gems_list);
#endif
	test->priv = pfdev;
	return 0;
}

static void pft_fput(void *file)
{
	/* Now, not from a work item that could run after the device is gone. */
	__fput_sync(file);
}

/* A DRM file of the test's device, as open() on its render node gives. */
static struct drm_file *pft_file(struct kunit *test)
{
	struct panfrost_device *pfdev = test->priv;
	struct file *file = mock_drm_getfile(pfdev->base.render, O_RDWR);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, file);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, pft_fput, file), 0);
	return file->private_data;
}

/*
 * A BO of @size bytes with a handle in each of @files (each handle maps it
 * into that file's address space, as CREATE_BO and a PRIME import do).
 */
static struct panfrost_gem_object *pft_bo(struct kunit *test, size_t size, u32 flags,
					  struct drm_file **files, int nfiles)
{
	struct panfrost_device *pfdev = test->priv;
	struct panfrost_gem_object *bo;
	u32 handle;
	int i;

	bo = panfrost_gem_create(&pfdev->base, size, flags);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, bo);
	for (i = 0; i < nfiles; i++) {
		int ret = drm_gem_handle_create(files[i], &bo->base.base, &handle);

		if (ret)
			drm_gem_object_put(&bo->base.base);
		KUNIT_ASSERT_EQ(test, ret, 0);
	}
	/* The handles hold the BO now. */
	drm_gem_object_put(&bo->base.base);
	return bo;
}

static struct panfrost_gem_mapping *pft_mapping(struct kunit *test,
						struct panfrost_gem_object *bo,
						struct drm_file *file)
{
	struct panfrost_gem_mapping *m = panfrost_gem_mapping_get(bo, file->driver_priv);

	KUNIT_ASSERT_NOT_NULL(test, m);
	return m;
}

/* How many pages of @m's VA range translate to the BO's own page there. */
static unsigned int pft_pages_mapped_right(struct panfrost_gem_mapping *m)
{
	struct io_pgtable_ops *ops = m->mmu->pgtbl_ops;
	struct drm_gem_shmem_object *shmem = &m->obj->base;
	u64 iova = m->mmnode.start << PAGE_SHIFT;
	unsigned int i, n = shmem->base.size >> PAGE_SHIFT, right = 0;

	for (i = 0; i < n; i++)
		right += shmem->pages &&
			 ops->iova_to_phys(ops, iova + ((u64)i << PAGE_SHIFT)) ==
			 page_to_phys(shmem->pages[i]);
	return right;
}

/* How many pages of @m's VA range translate to anything at all. */
static unsigned int pft_pages_mapped(struct panfrost_gem_mapping *m)
{
	struct io_pgtable_ops *ops = m->mmu->pgtbl_ops;
	u64 iova = m->mmnode.start << PAGE_SHIFT;
	unsigned int i, n = m->obj->base.base.size >> PAGE_SHIFT, mapped = 0;

	for (i = 0; i < n; i++)
		mapped += ops->iova_to_phys(ops, iova + ((u64)i << PAGE_SHIFT)) != 0;
	return mapped;
}

/* A BO shared by two files is mapped, page by page, in both address spaces. */
static void pft_test_map_in_every_file(struct kunit *test)
{
	struct drm_file *files[2] = { pft_file(test), pft_file(test) };
	const size_t sizes[] = { 64 * PAGE_SIZE, SZ_2M + 3 * PAGE_SIZE };
	unsigned int s, f;

	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		struct panfrost_gem_object *bo = pft_bo(test, sizes[s], PANFROST_BO_NOEXEC,
							files, 2);

		for (f = 0; f < 2; f++) {
			struct panfrost_gem_mapping *m = pft_mapping(test, bo, files[f]);

			KUNIT_EXPECT_TRUE(test, m->active);
			KUNIT_EXPECT_EQ(test, pft_pages_mapped_right(m), sizes[s] >> PAGE_SHIFT);
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
	struct drm_file *files[2] = { pft_file(test), pft_file(test) };
	struct panfrost_gem_object *bo = pft_bo(test, 32 * PAGE_SIZE, PANFROST_BO_NOEXEC,
						files, 2);
	struct panfrost_gem_mapping *m0 = pft_mapping(test, bo, files[0]);
	struct panfrost_gem_mapping *m1 = pft_mapping(test, bo, files[1]);

	panfrost_mmu_unmap(m0);
	KUNIT_EXPECT_FALSE(test, m0->active);
	KUNIT_EXPECT_EQ(test, pft_pages_mapped(m0), 0);
	KUNIT_EXPECT_EQ(test, pft_pages_mapped_right(m1), 32);

	KUNIT_EXPECT_EQ(test, panfrost_mmu_map(m0), 0);
	KUNIT_EXPECT_EQ(test, pft_pages_mapped_right(m0), 32);
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
	struct drm_file *file = pft_file(test);
	struct panfrost_file_priv *priv = file->driver_priv;
	struct panfrost_gem_object *bo = pft_bo(test, 16 * PAGE_SIZE, PANFROST_BO_NOEXEC,
						&file, 1);
	struct panfrost_gem_mapping *m = pft_mapping(test, bo, file);
	int as = panfrost_mmu_as_get(pfdev, priv->mmu);

	KUNIT_ASSERT_GE(test, as, 0);
	writel(0, pfdev->iomem + AS_COMMAND(as));
	panfrost_mmu_unmap(m);
	KUNIT_EXPECT_EQ(test, readl(pfdev->iomem + AS_COMMAND(as)), AS_COMMAND_FLUSH_PT);
	KUNIT_EXPECT_EQ(test, pft_pages_mapped(m), 0);
	panfrost_mmu_as_put(pfdev, priv->mmu);
	panfrost_gem_mapping_put(m);
}

/* Heap BOs are mapped page by page on GPU faults, not at open. */
static void pft_test_heap_not_mapped_at_open(struct kunit *test)
{
	struct drm_file *file = pft_file(test);
	struct panfrost_gem_object *bo = pft_bo(test, SZ_2M,
						PANFROST_BO_HEAP | PANFROST_BO_NOEXEC,
						&file, 1);
	struct panfrost_gem_mapping *m = pft_mapping(test, bo, file);

	KUNIT_EXPECT_TRUE(test, bo->is_heap);
	KUNIT_EXPECT_FALSE(test, m->active);
	KUNIT_EXPECT_EQ(test, pft_pages_mapped(m), 0);
	panfrost_gem_mapping_put(m);
}

static int pft_madvise(struct drm_file *file, u32 handle, u32 madv, u32 *retained)
{
	struct drm_panfrost_madvise args = { .handle = handle, .madv = madv, .retained = 7 };
	int ret = panfrost_ioctl_madvise(file->minor->dev, &args, file);

	*retained = args.retained;
	return ret;
}

/*
 * DRM_IOCTL_PANFROST_MADVISE takes WILLNEED and DONTNEED only: anything
 * else is -EINVAL and changes nothing (upstream stored ~0u as madv = -1,
 * "purged"); an unknown handle is -ENOENT.
 */
static void pft_test_madvise_values(struct kunit *test)
{
	struct drm_file *file = pft_file(test);
	struct panfrost_gem_object *bo;
	u32 handle, retained;

	bo = panfrost_gem_create(file->minor->dev, 16 * PAGE_SIZE, PANFROST_BO_NOEXEC);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, bo);
	KUNIT_ASSERT_EQ(test, drm_gem_handle_create(file, &bo->base.base, &handle), 0);
	drm_gem_object_put(&bo->base.base);

	KUNIT_EXPECT_EQ(test, pft_madvise(file, handle, 2, &retained), -EINVAL);
	KUNIT_EXPECT_EQ(test, retained, 7);
	KUNIT_EXPECT_EQ(test, pft_madvise(file, handle, ~0u, &retained), -EINVAL);
	KUNIT_EXPECT_EQ(test, bo->base.madv, PANFROST_MADV_WILLNEED);
	KUNIT_EXPECT_EQ(test, pft_madvise(file, handle + 1, PANFROST_MADV_DONTNEED, &retained),
			-ENOENT);

	KUNIT_EXPECT_EQ(test, pft_madvise(file, handle, PANFROST_MADV_DONTNEED, &retained), 0);
	KUNIT_EXPECT_EQ(test, retained, 1);
	KUNIT_EXPECT_EQ(test, pft_madvise(file, handle, PANFROST_MADV_WILLNEED, &retained), 0);
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
	.init = pft_init,
	.test_cases = pft_cases,
};

kunit_test_suite(pft_suite);
