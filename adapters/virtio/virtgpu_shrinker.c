// SPDX-License-Identifier: GPL-2.0
/*
 * VirtIO-GPU adapter of the GEM shmem shrinker: lets memory pressure purge
 * buffers that userspace marked DONTNEED and evict idle ones to swap.
 *
 * Reclaimable are the classic (non-blob) resources that userspace creates
 * with VIRTGPU_RESOURCE_CREATE. Never reclaimed: dumb buffers (scanout),
 * blob and VRAM resources, imported objects, and objects once exported.
 *
 * Before the shrinker releases the pages of an object, the host's view of
 * them goes: RESOURCE_DETACH_BACKING, fenced, waited for. Commands queued
 * earlier that read the backing (transfers) complete first, because the
 * host processes the control queue in order. On swap-in the pages come back
 * and RESOURCE_ATTACH_BACKING restores the host's view; the host resource
 * itself stays valid throughout, also after a purge.
 *
 * Every path that touches the pages swaps in first. The shmem helpers do it
 * by themselves for tracked objects (CPU faults, whose mappings hold no page
 * use so that mapped objects stay evictable; vmap; pin; get_pages_sgt),
 * calling virtio_gpu_shrinker_attach() when the pages come back; transfers
 * and submits swap in under the reservation lock
 * (virtio_gpu_shrinker_swap_in_locked()).
 */

#include <linux/dma-resv.h>
#include <linux/error-injection.h>
#include <linux/mm.h>

#include <drm/drm_drv.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_gem_shmem_shrinker.h>
#include <drm/drm_print.h>

#include "virtgpu_drv.h"

MODULE_IMPORT_NS("DRM_GEM_SHMEM_SHRINKER");

static struct virtio_gpu_device *to_vgdev(struct drm_gem_shmem_object *shmem)
{
	return shmem->base.dev->dev_private;
}

/*
 * How long reclaim waits, per object, for the host to let go of the pages:
 * a few jiffies, as msm does. The core has already waited, as long at
 * most, for the buffer's fences.
 */
#define VIRTIO_GPU_SHRINKER_WAIT 10

/*
 * Wait, a few jiffies at most, for the host to let go of the pages of a
 * detach. A function of its own so that tests can make it time out
 * (/sys/kernel/debug/fail_function, CONFIG_FAIL_FUNCTION): the buffer then
 * stays resident with its detach pending, and its next use must attach it
 * again (the IGT subtest detach-timeout-then-transfer).
 */
static noinline int virtio_gpu_shrinker_wait_detach(struct dma_fence *fence)
{
	return dma_fence_wait_timeout(fence, false, VIRTIO_GPU_SHRINKER_WAIT) > 0 ? 0 : -ETIMEDOUT;
}
ALLOW_ERROR_INJECTION(virtio_gpu_shrinker_wait_detach, ERRNO);

/*
 * Detach the host from the pages and wait until it has let go of them.
 * Nothing here allocates with __GFP_NOFAIL or waits without a short
 * bound: the fence and the command buffer are allocated without entering
 * reclaim, a full ring fails the object with -EBUSY, and a detach that does not complete
 * in time is kept in @bo->detach_fence while the object is skipped (its
 * pages stay). The next attempt waits for that detach instead of sending
 * another; a use before it re-attaches the pages
 * (virtio_gpu_shrinker_swap_in_locked()).
 */
static int virtio_gpu_shrinker_detach(struct drm_gem_shmem_object *shmem, bool can_block)
{
	struct virtio_gpu_object *bo = gem_to_virtio_gpu_obj(&shmem->base);
	struct virtio_gpu_device *vgdev = to_vgdev(shmem);
	struct virtio_gpu_fence *fence;
	int ret = -EBUSY, idx;

	if (!can_block)
		return -EBUSY;
	/* Once the device is gone, the host cannot be told to let go. */
	if (!drm_dev_enter(vgdev->ddev, &idx))
		return -EBUSY;
	if (!bo->detach_fence && bo->attached) {
		fence = virtio_gpu_fence_alloc_gfp(vgdev, vgdev->fence_drv.context, 0,
						   GFP_NOWAIT | __GFP_NOWARN);
		if (!fence)
			goto out;
		if (virtio_gpu_object_detach_nowait(vgdev, bo, fence)) {
			dma_fence_put(&fence->f);
			goto out;
		}
		virtio_gpu_notify(vgdev);
		bo->detach_fence = &fence->f;
	}
	if (bo->detach_fence) {
		if (virtio_gpu_shrinker_wait_detach(bo->detach_fence))
			goto out;
		dma_fence_put(bo->detach_fence);
		bo->detach_fence = NULL;
	}
	ret = 0;
out:
	drm_dev_exit(idx);
	return ret;
}

static int virtio_gpu_shrinker_purge(struct drm_gem_shmem_object *shmem, bool can_block)
{
	return virtio_gpu_shrinker_detach(shmem, can_block);
}

static int virtio_gpu_shrinker_evict(struct drm_gem_shmem_object *shmem, bool can_block)
{
	return virtio_gpu_shrinker_detach(shmem, can_block);
}

/*
 * Give the host the pages again: after a swap-in, or after a detach that
 * reclaim sent but gave up waiting for, which left the pages resident and
 * the host without them. Reservation held, pages resident, @sgt the
 * core's table of them (which detach and swap-out release).
 */
static int virtio_gpu_shrinker_attach(struct drm_gem_shmem_object *shmem,
				      struct sg_table *sgt)
{
	struct virtio_gpu_object *bo = gem_to_virtio_gpu_obj(&shmem->base);
	struct virtio_gpu_device *vgdev = to_vgdev(shmem);
	struct virtio_gpu_mem_entry *ents;
	unsigned int nents;
	int ret = -ENODEV, idx;

	if (!drm_dev_enter(vgdev->ddev, &idx))
		return -ENODEV;
	/* An old detach still pending is queued before the attach below. */
	if (bo->detach_fence) {
		dma_fence_put(bo->detach_fence);
		bo->detach_fence = NULL;
	}
	ret = virtio_gpu_object_shmem_ents(vgdev, sgt, &ents, &nents);
	if (ret)
		goto out;
	virtio_gpu_object_attach(vgdev, bo, ents, nents);
	virtio_gpu_notify(vgdev);
out:
	drm_dev_exit(idx);
	return ret;
}

static const struct drm_gem_shmem_shrinker_ops virtio_gpu_shrinker_ops = {
	.purge = virtio_gpu_shrinker_purge,
	.evict = virtio_gpu_shrinker_evict,
	.swap_in = virtio_gpu_shrinker_attach,
};

/**
 * virtio_gpu_shrinker_init - Register the device with the GEM shmem shrinker
 * @vgdev: The device.
 *
 * Returns: 0 or a negative errno.
 */
int virtio_gpu_shrinker_init(struct virtio_gpu_device *vgdev)
{
	struct drm_gem_shmem_shrinker *s;

	s = drm_gem_shmem_shrinker_register(vgdev->ddev, &virtio_gpu_shrinker_ops);
	if (IS_ERR(s))
		return PTR_ERR(s);
	vgdev->shrinker = s;
	return 0;
}

/**
 * virtio_gpu_shrinker_fini - Unregister the device from the shrinker
 * @vgdev: The device, being removed (or its probe failing), its virtqueues
 *         still there.
 *
 * Waits for running scans and drops the object references they left; the
 * objects that userspace still holds stay usable and untrack themselves
 * when they are freed.
 */
void virtio_gpu_shrinker_fini(struct virtio_gpu_device *vgdev)
{
	drm_gem_shmem_shrinker_unregister(vgdev->shrinker);
	vgdev->shrinker = NULL;
}

/**
 * virtio_gpu_shrinker_suspend - Keep reclaim away across system sleep
 * @vgdev: The device, about to stop taking commands (freeze).
 */
void virtio_gpu_shrinker_suspend(struct virtio_gpu_device *vgdev)
{
	drm_gem_shmem_shrinker_suspend(vgdev->shrinker);
}

/**
 * virtio_gpu_shrinker_resume - Let reclaim run again after system sleep
 * @vgdev: The device, taking commands again (restore, or a failed freeze).
 */
void virtio_gpu_shrinker_resume(struct virtio_gpu_device *vgdev)
{
	drm_gem_shmem_shrinker_resume(vgdev->shrinker);
}

/**
 * virtio_gpu_shrinker_track - Make a new classic resource reclaimable
 * @vgdev: The device.
 * @bo: The object, created and attached on the host, its pages resident,
 *      its reservation not held, not yet visible to userspace.
 *
 * From now on the shrinker may detach and evict it, and the shmem helpers
 * swap it in through virtio_gpu_shrinker_attach(). Tracking allocates
 * nothing and cannot fail for such an object.
 */
void virtio_gpu_shrinker_track(struct virtio_gpu_device *vgdev, struct virtio_gpu_object *bo)
{
	if (!vgdev->shrinker)
		return;
	if (drm_WARN_ON_ONCE(vgdev->ddev, drm_gem_shmem_shrinker_track(vgdev->shrinker, &bo->base)))
		return;
	bo->reclaimable = true;
}

/**
 * virtio_gpu_shrinker_export - Keep an object resident once it is exported
 * @bo: The object, about to be exported as a dma-buf.
 * @pinned: Set to whether this call pinned it (for
 *          virtio_gpu_shrinker_unexport(), should the export fail).
 *
 * Importers may use the pages at any time: swap them in and pin them for
 * the rest of the object's life.
 *
 * Returns: 0, -ENODATA when the content was purged, or another errno.
 */
int virtio_gpu_shrinker_export(struct virtio_gpu_object *bo, bool *pinned)
{
	int ret;

	*pinned = false;
	if (!bo->reclaimable || bo->export_pinned)
		return 0;
	ret = drm_gem_shmem_shrinker_get(&bo->base, DRM_GEM_SHMEM_SHRINKER_USE_PIN);
	if (!ret)
		bo->export_pinned = *pinned = true;
	return ret;
}

/**
 * virtio_gpu_shrinker_unexport - Undo virtio_gpu_shrinker_export()
 * @bo: The object, whose export failed after virtio_gpu_shrinker_export()
 *      pinned it.
 *
 * No dma-buf exists, so the object is reclaimable again (and madvise
 * accepts it) as if the export had never been tried.
 */
void virtio_gpu_shrinker_unexport(struct virtio_gpu_object *bo)
{
	if (!bo->export_pinned)
		return;
	bo->export_pinned = false;
	drm_gem_shmem_shrinker_put(&bo->base, DRM_GEM_SHMEM_SHRINKER_USE_PIN);
}

/**
 * virtio_gpu_shrinker_untrack - Stop reclaiming an object
 * @bo: The object, whose last reference is gone.
 */
void virtio_gpu_shrinker_untrack(struct virtio_gpu_object *bo)
{
	if (!bo->reclaimable)
		return;
	virtio_gpu_shrinker_unexport(bo);
	bo->reclaimable = false;
	drm_gem_shmem_shrinker_untrack(&bo->base);
	if (bo->detach_fence) {
		dma_fence_put(bo->detach_fence);
		bo->detach_fence = NULL;
	}
}

/**
 * virtio_gpu_shrinker_swap_in_locked - Bring the pages of locked objects back
 * @objs: Objects about to be used by a command, reservations held.
 *
 * The pages stay while the reservations are held; once they are dropped,
 * reclaim detaches with a fence, which the host signals after the commands
 * queued before it, so the command never sees the pages go.
 *
 * Returns: 0, -ENODATA when an object's content was purged, or another
 * negative errno.
 */
int virtio_gpu_shrinker_swap_in_locked(struct virtio_gpu_object_array *objs)
{
	u32 i;
	int ret;

	for (i = 0; i < objs->nents; i++) {
		struct virtio_gpu_object *bo = gem_to_virtio_gpu_obj(objs->objs[i]);

		if (!bo->reclaimable)
			continue;
		ret = drm_gem_shmem_shrinker_swap_in_locked(&bo->base);
		/* Resident, but reclaim detached it and gave up waiting. */
		if (!ret && !bo->attached) {
			struct sg_table *sgt;

			sgt = drm_gem_shmem_shrinker_get_pages_sgt_locked(&bo->base);
			ret = IS_ERR(sgt) ? PTR_ERR(sgt) :
			      virtio_gpu_shrinker_attach(&bo->base, sgt);
		}
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * virtio_gpu_shrinker_madvise - Userspace's advice about a buffer's content
 * @bo: The object.
 * @dontneed: Whether the content may be purged (DONTNEED) or not (WILLNEED).
 * @retained: Set to whether the content still exists.
 *
 * Returns: 0, or -EINVAL for objects that are never reclaimed (including
 * exported ones, which stay pinned).
 */
int virtio_gpu_shrinker_madvise(struct virtio_gpu_object *bo, bool dontneed, bool *retained)
{
	if (!bo->reclaimable || bo->export_pinned)
		return -EINVAL;
	return drm_gem_shmem_shrinker_madvise(&bo->base,
					      dontneed ? DRM_GEM_SHMEM_SHRINKER_MADV_DONTNEED :
					      DRM_GEM_SHMEM_SHRINKER_MADV_WILLNEED,
					      retained);
}

/**
 * virtio_gpu_shrinker_vmap - &drm_gem_object_funcs.vmap of shmem objects
 * @obj: The object, reservation held.
 * @map: Filled with the mapping.
 *
 * The helper would swap the object in by itself; the use also keeps reclaim
 * from looking at the object while it is mapped.
 *
 * Returns: 0 or a negative errno (-ENODATA when purged).
 */
int virtio_gpu_shrinker_vmap(struct drm_gem_object *obj, struct iosys_map *map)
{
	struct virtio_gpu_object *bo = gem_to_virtio_gpu_obj(obj);
	int ret;

	if (bo->reclaimable) {
		ret = drm_gem_shmem_shrinker_get_locked(&bo->base, DRM_GEM_SHMEM_SHRINKER_USE_VMAP);
		if (ret)
			return ret;
	}
	ret = drm_gem_shmem_object_vmap(obj, map);
	if (ret && bo->reclaimable)
		drm_gem_shmem_shrinker_put_locked(&bo->base, DRM_GEM_SHMEM_SHRINKER_USE_VMAP);
	return ret;
}

/**
 * virtio_gpu_shrinker_vunmap - &drm_gem_object_funcs.vunmap of shmem objects
 * @obj: The object, reservation held.
 * @map: The mapping.
 */
void virtio_gpu_shrinker_vunmap(struct drm_gem_object *obj, struct iosys_map *map)
{
	struct virtio_gpu_object *bo = gem_to_virtio_gpu_obj(obj);

	drm_gem_shmem_object_vunmap(obj, map);
	if (bo->reclaimable)
		drm_gem_shmem_shrinker_put_locked(&bo->base, DRM_GEM_SHMEM_SHRINKER_USE_VMAP);
}

/**
 * virtio_gpu_shrinker_pin - &drm_gem_object_funcs.pin of shmem objects
 * @obj: The object, reservation held.
 *
 * Returns: 0 or a negative errno (-ENODATA when purged).
 */
int virtio_gpu_shrinker_pin(struct drm_gem_object *obj)
{
	struct virtio_gpu_object *bo = gem_to_virtio_gpu_obj(obj);
	int ret;

	if (bo->reclaimable) {
		ret = drm_gem_shmem_shrinker_get_locked(&bo->base, DRM_GEM_SHMEM_SHRINKER_USE_PIN);
		if (ret)
			return ret;
	}
	ret = drm_gem_shmem_object_pin(obj);
	if (ret && bo->reclaimable)
		drm_gem_shmem_shrinker_put_locked(&bo->base, DRM_GEM_SHMEM_SHRINKER_USE_PIN);
	return ret;
}

/**
 * virtio_gpu_shrinker_unpin - &drm_gem_object_funcs.unpin of shmem objects
 * @obj: The object, reservation held.
 */
void virtio_gpu_shrinker_unpin(struct drm_gem_object *obj)
{
	struct virtio_gpu_object *bo = gem_to_virtio_gpu_obj(obj);

	drm_gem_shmem_object_unpin(obj);
	if (bo->reclaimable)
		drm_gem_shmem_shrinker_put_locked(&bo->base, DRM_GEM_SHMEM_SHRINKER_USE_PIN);
}
