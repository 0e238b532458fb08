// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * lima adapter of the GEM shmem shrinker: memory pressure evicts idle BOs
 * to swap, and they come back, mapped at the same GPU address, before the
 * next task of a file that maps them runs.
 *
 * Each file's GPU address space (struct lima_vm) is a domain of the core,
 * and each BO's mapping in one (struct lima_bo_va) is the core's mapping
 * too (lima_vm.c): the core evicts a BO only while no task of any file
 * that maps it is queued or running (lima_gem_submit() to free_job), and
 * the next task of a file swaps back in every BO evicted from its address
 * space first, whether the task lists it or not. Unmapping writes the page
 * tables only: every task switches the MMU to its address space, which
 * flushes the TLB.
 *
 * Tracked: the BOs of LIMA_GEM_CREATE without LIMA_BO_FLAG_HEAP. Heap BOs
 * grow on GPU faults with pages lima allocates itself, and stay pinned.
 * lima has no madvise uAPI, so nothing is purged (docs/lima.md in the kit).
 * Without the kit (or lima built in and the kit a module) the header's
 * stubs answer: nothing is tracked, and BOs keep their pages until freed,
 * as before.
 */

#include <linux/dma-resv.h>

#include <drm/drm_gem_shmem_shrinker.h>

#include "lima_device.h"
#include "lima_gem.h"
#include "lima_shrinker.h"
#include "lima_vm.h"

MODULE_IMPORT_NS("DRM_GEM_SHMEM_SHRINKER");

static int lima_shrinker_map(struct drm_gem_shmem_shrinker_mapping *m, struct sg_table *sgt)
{
	return lima_vm_bo_va_map(container_of(m, struct lima_bo_va, reclaim), sgt);
}

static void lima_shrinker_unmap(struct drm_gem_shmem_shrinker_mapping *m)
{
	lima_vm_bo_va_unmap(container_of(m, struct lima_bo_va, reclaim));
}

static const struct drm_gem_shmem_shrinker_ops lima_shrinker_ops = {
	.map = lima_shrinker_map,
	.unmap = lima_shrinker_unmap,
};

/**
 * lima_shrinker_init - Register the device with the GEM shmem shrinker
 * @ldev: The device, before userspace can create BOs.
 *
 * Returns: 0 or a negative errno.
 */
int lima_shrinker_init(struct lima_device *ldev)
{
	struct drm_gem_shmem_shrinker *s;

	s = drm_gem_shmem_shrinker_register(ldev->ddev, &lima_shrinker_ops);
	if (IS_ERR(s))
		return PTR_ERR(s);
	ldev->shrinker = s;
	return 0;
}

/**
 * lima_shrinker_fini - Unregister the device from the shrinker
 * @ldev: The device, being removed.
 */
void lima_shrinker_fini(struct lima_device *ldev)
{
	drm_gem_shmem_shrinker_unregister(ldev->shrinker);
	ldev->shrinker = NULL;
}

/**
 * lima_shrinker_create_pages - Give a new BO its pages and its table
 * @bo: A BO that LIMA_GEM_CREATE just created, not a heap BO, not visible
 *      to userspace yet.
 *
 * A tracked BO takes the core's table, which eviction releases; an
 * untracked one (no shrinker) the helpers' table, for good, as before.
 *
 * Returns: 0 or a negative errno.
 */
int lima_shrinker_create_pages(struct lima_bo *bo)
{
	struct lima_device *ldev = to_lima_dev(bo->base.base.dev);
	struct sg_table *sgt;

	if (drm_gem_shmem_shrinker_track(ldev->shrinker, &bo->base))
		return PTR_ERR_OR_ZERO(drm_gem_shmem_get_pages_sgt(&bo->base));
	dma_resv_lock(lima_bo_resv(bo), NULL);
	sgt = drm_gem_shmem_shrinker_get_pages_sgt_locked(&bo->base);
	dma_resv_unlock(lima_bo_resv(bo));
	return PTR_ERR_OR_ZERO(sgt);
}
