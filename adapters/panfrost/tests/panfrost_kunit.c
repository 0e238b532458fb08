// SPDX-License-Identifier: GPL-2.0
/*
 * A panfrost device without a GPU, for the KUnit suites of this directory:
 * see panfrost_kunit.h.
 */

#include <kunit/device.h>
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
#include "panfrost_kunit.h"

/* A Mali-T860's: 48-bit GPU virtual addresses, 40-bit physical ones. */
#define PANFROST_KUNIT_MMU_FEATURES	((40 << 8) | 48)
#define PANFROST_KUNIT_IOMEM_SIZE	SZ_16K

static const struct panfrost_compatible panfrost_kunit_comp = {};

/* panfrost_open() without the job manager, which needs a probed device. */
static int panfrost_kunit_open(struct drm_device *dev, struct drm_file *file)
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

static void panfrost_kunit_postclose(struct drm_device *dev, struct drm_file *file)
{
	struct panfrost_file_priv *priv = file->driver_priv;

	panfrost_mmu_ctx_put(priv->mmu);
	kfree(priv);
}

DEFINE_DRM_GEM_FOPS(panfrost_kunit_fops);

static const struct drm_driver panfrost_kunit_driver = {
	.driver_features	= DRIVER_GEM | DRIVER_RENDER,
	.open			= panfrost_kunit_open,
	.postclose		= panfrost_kunit_postclose,
	.gem_create_object	= panfrost_gem_create_object,
	.fops			= &panfrost_kunit_fops,
	.name			= "panfrost-kunit",
	.desc			= "panfrost without a GPU, for KUnit",
};

static void panfrost_kunit_shrinker_fini(void *pfdev)
{
	panfrost_shrinker_fini(pfdev);
}

/**
 * panfrost_kunit_device() - Set up a panfrost device without a GPU
 * @test: The test, which the device lives as long as.
 * @shrinker: Whether to register it with the GEM shmem shrinker, as probe
 *            does when panfrost is built with it.
 *
 * Return: The device (failures abort the test).
 */
struct panfrost_device *panfrost_kunit_device(struct kunit *test, bool shrinker)
{
	struct panfrost_device *pfdev;
	struct device *dev;

	/* A test may have one device of each kind: their drivers' names differ. */
	dev = kunit_device_register(test, shrinker ? "panfrost-kunit" :
				    "panfrost-kunit-no-shrinker");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	/* KUnit devices default to 32-bit DMA; the GPU's MMU takes 40 bits. */
	KUNIT_ASSERT_EQ(test, dma_coerce_mask_and_coherent(dev, DMA_BIT_MASK(64)), 0);
	pfdev = drm_kunit_helper_alloc_drm_device_with_driver(test, dev, struct panfrost_device,
							      base, &panfrost_kunit_driver);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, pfdev);

	pfdev->comp = &panfrost_kunit_comp;
	/* Coherent: no write-combined CPU mappings on x86. */
	pfdev->coherent = true;
	pfdev->features.mmu_features = PANFROST_KUNIT_MMU_FEATURES;
	pfdev->features.as_present = GENMASK(7, 0);
	pfdev->iomem = (void __iomem *)drmm_kzalloc(&pfdev->base, PANFROST_KUNIT_IOMEM_SIZE,
						    GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, (void __force *)pfdev->iomem);
	spin_lock_init(&pfdev->as_lock);
	INIT_LIST_HEAD(&pfdev->as_lru_list);
	spin_lock_init(&pfdev->cycle_counter.lock);
	KUNIT_ASSERT_EQ(test, drmm_mutex_init(&pfdev->base, &pfdev->sched_lock), 0);
#ifdef CONFIG_DEBUG_FS
	KUNIT_ASSERT_EQ(test, drmm_mutex_init(&pfdev->base, &pfdev->debugfs.gems_lock), 0);
	INIT_LIST_HEAD(&pfdev->debugfs.gems_list);
#endif
	if (shrinker) {
		/* As probe: registered before any BO exists, unregistered at removal. */
		KUNIT_ASSERT_EQ(test, panfrost_shrinker_init(pfdev), 0);
		KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, panfrost_kunit_shrinker_fini,
								pfdev), 0);
	}
	return pfdev;
}

/**
 * panfrost_kunit_init() - &kunit_suite.init: a device, in the test's priv
 * @test: The test.
 *
 * Return: 0 (failures abort the test).
 */
int panfrost_kunit_init(struct kunit *test)
{
	test->priv = panfrost_kunit_device(test, true);
	return 0;
}

static void panfrost_kunit_fput(void *file)
{
	/* Now, not from a work item that could run after the device is gone. */
	__fput_sync(file);
}

/**
 * panfrost_kunit_device_file() - Open a DRM file of a device
 * @test: The test.
 * @pfdev: The device.
 *
 * As open() on the render node gives: the file has its own MMU context.
 * It is closed when the test ends.
 *
 * Return: The file.
 */
struct drm_file *panfrost_kunit_device_file(struct kunit *test, struct panfrost_device *pfdev)
{
	struct file *file = mock_drm_getfile(pfdev->base.render, O_RDWR);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, file);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, panfrost_kunit_fput, file), 0);
	return file->private_data;
}

/**
 * panfrost_kunit_file() - Open a DRM file of the test's device
 * @test: The test, whose priv is the device (panfrost_kunit_init()).
 *
 * Return: The file.
 */
struct drm_file *panfrost_kunit_file(struct kunit *test)
{
	return panfrost_kunit_device_file(test, test->priv);
}

/**
 * panfrost_kunit_bo() - Create a BO with a handle in each of some files
 * @test: The test.
 * @size: Its size in bytes.
 * @flags: PANFROST_BO_* flags, as CREATE_BO takes them.
 * @files: The files, of one device; each handle maps the BO into that
 *         file's address space, as CREATE_BO and a PRIME import do.
 * @nfiles: How many (at least one).
 * @handles: NULL, or filled with the handle in each file.
 *
 * Return: The BO, which the handles hold.
 */
struct panfrost_gem_object *panfrost_kunit_bo(struct kunit *test, size_t size, u32 flags,
					      struct drm_file **files, int nfiles,
					      u32 *handles)
{
	struct panfrost_gem_object *bo;
	u32 handle;
	int i;

	KUNIT_ASSERT_GT(test, nfiles, 0);
	bo = panfrost_gem_create(files[0]->minor->dev, size, flags);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, bo);
	for (i = 0; i < nfiles; i++) {
		int ret = drm_gem_handle_create(files[i], &bo->base.base, &handle);

		if (ret)
			drm_gem_object_put(&bo->base.base);
		KUNIT_ASSERT_EQ(test, ret, 0);
		if (handles)
			handles[i] = handle;
	}
	/* The handles hold the BO now. */
	drm_gem_object_put(&bo->base.base);
	return bo;
}

/**
 * panfrost_kunit_mapping() - The mapping of a BO in a file's address space
 * @test: The test.
 * @bo: The BO.
 * @file: The file.
 *
 * Return: A reference to the mapping (panfrost_gem_mapping_put() drops it).
 */
struct panfrost_gem_mapping *panfrost_kunit_mapping(struct kunit *test,
						    struct panfrost_gem_object *bo,
						    struct drm_file *file)
{
	struct panfrost_gem_mapping *m = panfrost_gem_mapping_get(bo, file->driver_priv);

	KUNIT_ASSERT_NOT_NULL(test, m);
	return m;
}

/**
 * panfrost_kunit_pages_mapped_right() - What the GPU sees of a BO
 * @m: A mapping.
 *
 * Return: How many pages of @m's VA range translate to the BO's current
 * page there (0 when the BO has no pages).
 */
unsigned int panfrost_kunit_pages_mapped_right(struct panfrost_gem_mapping *m)
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

/**
 * panfrost_kunit_pages_mapped() - Whether the GPU sees anything of a BO
 * @m: A mapping.
 *
 * Return: How many pages of @m's VA range translate to anything at all.
 */
unsigned int panfrost_kunit_pages_mapped(struct panfrost_gem_mapping *m)
{
	struct io_pgtable_ops *ops = m->mmu->pgtbl_ops;
	u64 iova = m->mmnode.start << PAGE_SHIFT;
	unsigned int i, n = m->obj->base.base.size >> PAGE_SHIFT, mapped = 0;

	for (i = 0; i < n; i++)
		mapped += ops->iova_to_phys(ops, iova + ((u64)i << PAGE_SHIFT)) != 0;
	return mapped;
}

/**
 * panfrost_kunit_madvise() - DRM_IOCTL_PANFROST_MADVISE, as a file calls it
 * @file: The file.
 * @handle: The BO's handle in @file.
 * @madv: The advice.
 * @retained: Set to what the ioctl reports (7 if it does not).
 *
 * Return: The ioctl's return value.
 */
int panfrost_kunit_madvise(struct drm_file *file, u32 handle, u32 madv, u32 *retained)
{
	struct drm_panfrost_madvise args = { .handle = handle, .madv = madv, .retained = 7 };
	int ret = panfrost_ioctl_madvise(file->minor->dev, &args, file);

	*retained = args.retained;
	return ret;
}
