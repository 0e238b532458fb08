// SPDX-License-Identifier: GPL-2.0
/*
 * Panfrost adapter of the GEM shmem shrinker: lets memory pressure purge BOs
 * that userspace marked DONTNEED and evict idle BOs to swap, mapping them on
 * the GPU again before they are used. It replaces panfrost's own shrinker,
 * which could only purge.
 *
 * Reclaimable are the BOs that userspace creates with CREATE_BO, except heap
 * BOs, which the GPU's fault handler grows page by page. Never reclaimed:
 * heap BOs, the perfcnt BO, and imported or exported BOs (the core skips
 * those by itself).
 *
 * Userspace (Mesa) lists in a job's bo_handles only the BOs that the job
 * tracked, and expects every BO of a file to stay mapped in the file's GPU
 * address space from creation to close (see Documentation in the kit,
 * docs/panfrost.md). So:
 *
 * - purge, of DONTNEED BOs, tears down the BO's mappings in every address
 *   space once no job references it, as panfrost's own shrinker did;
 * - eviction goes by file: each file's GPU address space is a domain of the
 *   shrinker core, and each mapping of a BO in one is the core's too
 *   (&panfrost_gem_mapping.reclaim). The core evicts a WILLNEED BO only
 *   while no job of any file that maps it is queued or running; it unmaps
 *   the BO's mappings through panfrost_shrinker_unmap(), which keeps their
 *   GPU VA, and before a file's next job is queued it swaps back in every
 *   BO evicted from the file's address space (panfrost_shrinker_job_begin()),
 *   mapping it again at the same GPU VA in every address space
 *   (panfrost_shrinker_map()): the job sees all of the file's BOs, listed
 *   or not. Until the job is cleaned up, no BO of the file is evicted.
 *
 * CPU access goes through the shmem helpers, which swap an evicted BO in by
 * themselves, and so map it again too.
 *
 * The MMU's flushes through its registers happen only inside
 * drm_dev_enter() (panfrost_mmu_flush_range()): once panfrost_remove()
 * unplugged the device, a swap-in (a CPU fault on a BO that userspace
 * still maps) updates the page tables and nothing else.
 *
 * Locking: the core calls purge, map and unmap with the BO's reservation
 * held. Lock order: reservation, then &panfrost_gem_object.mappings.lock
 * (which purge only trylocks: when it is contended, the object is reported
 * as such, -EAGAIN, not as busy).
 */

#include <linux/dma-resv.h>

#include <drm/drm_drv.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_gem_shmem_shrinker.h>
#include <drm/drm_print.h>

#include "panfrost_device.h"
#include "panfrost_gem.h"
#include "panfrost_job.h"
#include "panfrost_mmu.h"

MODULE_IMPORT_NS("DRM_GEM_SHMEM_SHRINKER");

/*
 * Take @bo's mappings lock for a purge (reservation held), if the GPU is
 * done with the BO. Its fences have signalled (the core waited for them);
 * what remains is a job that references it (from submit to cleanup), or a
 * mapping closed while a job or an ioctl still held it (only its last put
 * unmaps it, and the BO's list, which purge tears down, no longer leads to
 * it). Returns 0 with the lock held, -EAGAIN when the lock was contended,
 * or -EBUSY.
 */
static int panfrost_shrinker_lock_idle(struct panfrost_gem_object *bo)
{
	dma_resv_assert_held(bo->base.base.resv);
	if (!mutex_trylock(&bo->mappings.lock))
		return -EAGAIN;
	if (atomic_read(&bo->gpu_usecount) || bo->mappings.closed) {
		mutex_unlock(&bo->mappings.lock);
		return -EBUSY;
	}
	return 0;
}

/*
 * The content goes for good: tear the BO's mappings down in every address
 * space (the GPU VA too: a job that still uses the BO faults on an address
 * no BO owns, as with panfrost's own shrinker), with the MMU flush. An
 * evicted BO's mappings are already unmapped; the core takes them off the
 * lists of evicted mappings.
 */
static int panfrost_shrinker_purge(struct drm_gem_shmem_object *shmem, bool can_block)
{
	struct panfrost_gem_object *bo = to_panfrost_bo(&shmem->base);
	int ret;

	ret = panfrost_shrinker_lock_idle(bo);
	if (ret)
		return ret;
	panfrost_gem_teardown_mappings_locked(bo);
	mutex_unlock(&bo->mappings.lock);
	return 0;
}

/*
 * The BO is evicted (reservation held, no job of the mapping's address
 * space counted): unmap it there, with the MMU flush, keeping its GPU VA.
 */
static void panfrost_shrinker_unmap(struct drm_gem_shmem_shrinker_mapping *r)
{
	struct panfrost_gem_mapping *m = container_of(r, struct panfrost_gem_mapping, reclaim);

	if (m->active)
		panfrost_mmu_unmap(m);
}

/*
 * The pages of an evicted BO are back (reservation held): map it again at
 * its GPU VA in the mapping's address space, from the BO's table (@sgt,
 * which panfrost_mmu_map_locked() gets again).
 */
static int panfrost_shrinker_map(struct drm_gem_shmem_shrinker_mapping *r, struct sg_table *sgt)
{
	struct panfrost_gem_mapping *m = container_of(r, struct panfrost_gem_mapping, reclaim);

	return m->active ? 0 : panfrost_mmu_map_locked(m);
}

static const struct drm_gem_shmem_shrinker_ops panfrost_shrinker_ops = {
	.purge = panfrost_shrinker_purge,
	.map = panfrost_shrinker_map,
	.unmap = panfrost_shrinker_unmap,
};

/**
 * panfrost_shrinker_init - Register the device with the GEM shmem shrinker
 * @pfdev: The device, before userspace can create BOs.
 *
 * Returns: 0 or a negative errno.
 */
int panfrost_shrinker_init(struct panfrost_device *pfdev)
{
	struct drm_gem_shmem_shrinker *s;

	s = drm_gem_shmem_shrinker_register(&pfdev->base, &panfrost_shrinker_ops);
	if (IS_ERR(s))
		return PTR_ERR(s);
	pfdev->shrinker = s;
	return 0;
}

/**
 * panfrost_shrinker_fini - Unregister the device from the shrinker
 * @pfdev: The device, being removed, its registers still mapped.
 *
 * Waits for running scans, which unmap BOs through the MMU registers. BOs
 * that userspace still holds stay usable and untrack themselves when they
 * are freed.
 */
void panfrost_shrinker_fini(struct panfrost_device *pfdev)
{
	drm_gem_shmem_shrinker_unregister(pfdev->shrinker);
	pfdev->shrinker = NULL;
}

/**
 * panfrost_shrinker_suspend - Keep reclaim away across system sleep
 * @pfdev: The device, about to be powered down.
 */
void panfrost_shrinker_suspend(struct panfrost_device *pfdev)
{
	drm_gem_shmem_shrinker_suspend(pfdev->shrinker);
}

/**
 * panfrost_shrinker_resume - Let reclaim run again after system sleep
 * @pfdev: The device, powered up again (or failing to).
 */
void panfrost_shrinker_resume(struct panfrost_device *pfdev)
{
	drm_gem_shmem_shrinker_resume(pfdev->shrinker);
}

/**
 * panfrost_shrinker_mmu_init - Give a new GPU address space to the shrinker
 * @mmu: The address space, before any BO is mapped in it.
 *
 * Returns: 0 or a negative errno.
 */
int panfrost_shrinker_mmu_init(struct panfrost_mmu *mmu)
{
	struct drm_gem_shmem_shrinker_domain *d;

	/* Not registered (a KUnit device): nothing is tracked. */
	if (!mmu->pfdev->shrinker)
		return 0;
	d = drm_gem_shmem_shrinker_domain_create(mmu->pfdev->shrinker);
	if (IS_ERR(d))
		return PTR_ERR(d);
	mmu->reclaim = d;
	return 0;
}

/**
 * panfrost_shrinker_mmu_fini - A GPU address space goes
 * @mmu: The address space, its last job and mapping gone.
 */
void panfrost_shrinker_mmu_fini(struct panfrost_mmu *mmu)
{
	drm_gem_shmem_shrinker_domain_destroy(mmu->reclaim);
	mmu->reclaim = NULL;
}

/**
 * panfrost_shrinker_track - Make a new BO reclaimable
 * @bo: A BO that CREATE_BO just created, not visible to userspace yet.
 *
 * Heap BOs stay untracked. Tracking allocates nothing and cannot fail for
 * such a BO.
 */
void panfrost_shrinker_track(struct panfrost_gem_object *bo)
{
	struct panfrost_device *pfdev = to_panfrost_device(bo->base.base.dev);

	if (!pfdev->shrinker || bo->is_heap)
		return;
	if (drm_WARN_ON_ONCE(&pfdev->base,
			     drm_gem_shmem_shrinker_track(pfdev->shrinker, &bo->base)))
		return;
	bo->reclaimable = true;
}

/**
 * panfrost_shrinker_madvise_locked - Userspace's advice about a BO
 * @bo: The BO, its reservation and its mappings lock held (so that what the
 *      advice depends on, which files map it, cannot change meanwhile).
 * @dontneed: Whether the content may be purged (DONTNEED) or not (WILLNEED).
 * @retained: Set to whether the content still exists.
 *
 * BOs that the shrinker does not track (heap BOs) keep the advice in the
 * shmem helper's madv, as before, and are never purged.
 *
 * Returns: 0 or a negative errno.
 */
int panfrost_shrinker_madvise_locked(struct panfrost_gem_object *bo, bool dontneed,
				     bool *retained)
{
	u32 madv;

	lockdep_assert_held(&bo->mappings.lock);
	if (!bo->reclaimable) {
		*retained = drm_gem_shmem_madvise_locked(&bo->base, dontneed ?
							 PANFROST_MADV_DONTNEED :
							 PANFROST_MADV_WILLNEED);
		return 0;
	}
	madv = dontneed ? DRM_GEM_SHMEM_SHRINKER_MADV_DONTNEED :
			  DRM_GEM_SHMEM_SHRINKER_MADV_WILLNEED;
	return drm_gem_shmem_shrinker_madvise_locked(&bo->base, madv, retained);
}

/**
 * panfrost_shrinker_get_pages_sgt_locked - A BO's table, for a GPU mapping
 * @bo: The BO, its reservation held.
 *
 * For the mappings that eviction tears down (every mapping on the BO's
 * list) and for uses of the table under the reservation: the shrinker may
 * free the table once the reservation is dropped, after unmapping the BO.
 *
 * Returns: The table, or an ERR_PTR() (-ENODATA when the BO was purged).
 */
struct sg_table *panfrost_shrinker_get_pages_sgt_locked(struct panfrost_gem_object *bo)
{
	return drm_gem_shmem_shrinker_get_pages_sgt_locked(&bo->base);
}

/**
 * panfrost_shrinker_job_begin - Count a job and swap in its file's BOs
 * @job: A job about to be pushed, its BOs looked up.
 *
 * From now until panfrost_shrinker_job_end(), no BO mapped in the job's
 * address space is evicted; every BO evicted before is swapped in and
 * mapped again here, whether the job lists it or not.
 *
 * Returns: 0 or a negative errno (-EINTR, -ENOMEM). The job is counted
 * either way: panfrost_shrinker_job_end() ends it.
 */
int panfrost_shrinker_job_begin(struct panfrost_job *job)
{
	job->reclaim_mmu = panfrost_mmu_ctx_get(job->mmu);
	return drm_gem_shmem_shrinker_job_begin(job->mmu->reclaim);
}

/**
 * panfrost_shrinker_job_push - The GPU is about to use a job's BOs
 * @job: The job, the reservations of its BOs held.
 *
 * A job's use of its BOs counts as recent use for reclaim, as a CPU use
 * does: a BO that jobs use every frame is passed over while idle ones are
 * reclaimed first. Its BOs are resident (panfrost_shrinker_job_begin()
 * swapped in every evicted BO of the file, and none is evicted until the
 * job ends); a purged one (DONTNEED) stays purged, as before.
 */
void panfrost_shrinker_job_push(struct panfrost_job *job)
{
	unsigned int i;

	for (i = 0; i < job->bo_count; i++) {
		struct panfrost_gem_object *bo = to_panfrost_bo(job->bos[i]);

		if (bo->reclaimable)
			drm_gem_shmem_shrinker_swap_in_locked(&bo->base);
	}
}

/**
 * panfrost_shrinker_job_end - A job counted by panfrost_shrinker_job_begin() is gone
 * @job: The job, being cleaned up after it completed or failed to be pushed.
 */
void panfrost_shrinker_job_end(struct panfrost_job *job)
{
	struct panfrost_mmu *mmu = job->reclaim_mmu;

	if (!mmu)
		return;
	drm_gem_shmem_shrinker_job_end(mmu->reclaim);
	job->reclaim_mmu = NULL;
	panfrost_mmu_ctx_put(mmu);
}

/**
 * panfrost_shrinker_mapping_close - A file closed its mapping of a BO
 * @m: The mapping, just taken off its BO's list (mappings lock held).
 *
 * A job or an ioctl may still hold it: until its last put unmaps it, the
 * BO is not purged (the BO's list, which purge tears down, no longer leads
 * to it). The shrinker core keeps it until then: eviction unmaps it and
 * the next job of its address space maps it again.
 */
void panfrost_shrinker_mapping_close(struct panfrost_gem_mapping *m)
{
	lockdep_assert_held(&m->obj->mappings.lock);
	m->closed = true;
	m->obj->mappings.closed++;
}

/**
 * panfrost_shrinker_mapping_release - A mapping's last reference is gone
 * @m: The mapping, about to be torn down (unmapped, its GPU VA freed): the
 *     shrinker core lets go of it first.
 */
void panfrost_shrinker_mapping_release(struct panfrost_gem_mapping *m)
{
	struct panfrost_gem_object *bo = m->obj;

	drm_gem_shmem_shrinker_mapping_remove(&m->reclaim);
	if (m->closed) {
		mutex_lock(&bo->mappings.lock);
		bo->mappings.closed--;
		mutex_unlock(&bo->mappings.lock);
	}
}

/**
 * panfrost_shrinker_bo_evicted - Whether a BO's pages are in swap, for debugfs
 * @bo: The BO.
 *
 * Read without the reservation: a tracked BO is mapped, and so resident,
 * from its first handle on, and only eviction takes its pages away while
 * its content exists.
 */
bool panfrost_shrinker_bo_evicted(struct panfrost_gem_object *bo)
{
	return bo->reclaimable && !READ_ONCE(bo->base.pages) && bo->base.madv >= 0;
}
