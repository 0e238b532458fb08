#include <linux/err.h>
#include <linux/errno.h>
#include <drm/drm_gem_shmem_helper.h>

/*
 * Without the kit (CONFIG_DRM_GEM_SHMEM_SHRINKER=n), or from a built-in
 * driver while the kit is a module: nothing is reclaimed, and every
 * function answers as the kit does for a NULL shrinker and for objects it
 * does not track. register and domain_create return NULL, which the other
 * functions take; track refuses (-EOPNOTSUPP), so the driver's objects stay
 * untracked and its paths for untracked objects (heap, imported) serve
 * them all; job_begin and mapping_add_locked succeed and do nothing. A driver
 * needs no #ifdef of its own.
 *
 * Appended by `make header` (workbench c-header) to the header that cbindgen
 * generates, between #else and #endif; the generator fails when a function
 * has no stub here or a stub no function.
 */
static inline struct drm_gem_shmem_shrinker *
drm_gem_shmem_shrinker_register(struct drm_device *dev,
				const struct drm_gem_shmem_shrinker_ops *ops)
{
	return NULL;
}

static inline void drm_gem_shmem_shrinker_unregister(struct drm_gem_shmem_shrinker *s) { }
static inline void drm_gem_shmem_shrinker_suspend(struct drm_gem_shmem_shrinker *s) { }
static inline void drm_gem_shmem_shrinker_resume(struct drm_gem_shmem_shrinker *s) { }

static inline int drm_gem_shmem_shrinker_track(struct drm_gem_shmem_shrinker *s,
					       struct drm_gem_shmem_object *shmem)
{
	return -EOPNOTSUPP;
}

static inline int drm_gem_shmem_shrinker_untrack(struct drm_gem_shmem_object *shmem)
{
	return 0;
}

static inline int drm_gem_shmem_shrinker_get_locked(struct drm_gem_shmem_object *shmem, u32 use)
{
	return -ENOENT;
}

static inline int drm_gem_shmem_shrinker_get(struct drm_gem_shmem_object *shmem, u32 use)
{
	return -ENOENT;
}

static inline void drm_gem_shmem_shrinker_put_locked(struct drm_gem_shmem_object *shmem,
						     u32 use) { }
static inline void drm_gem_shmem_shrinker_put(struct drm_gem_shmem_object *shmem, u32 use) { }

static inline int drm_gem_shmem_shrinker_swap_in_locked(struct drm_gem_shmem_object *shmem)
{
	return 0;
}

static inline struct sg_table *
drm_gem_shmem_shrinker_get_pages_sgt_locked(struct drm_gem_shmem_object *shmem)
{
	return drm_gem_shmem_get_pages_sgt_locked(shmem);
}

static inline int drm_gem_shmem_shrinker_madvise(struct drm_gem_shmem_object *shmem,
						 u32 madv, bool *retained)
{
	return -ENOENT;
}

static inline int drm_gem_shmem_shrinker_madvise_locked(struct drm_gem_shmem_object *shmem,
							u32 madv, bool *retained)
{
	return -ENOENT;
}

static inline int drm_gem_shmem_shrinker_query(struct drm_gem_shmem_object *shmem,
					       struct drm_gem_shmem_shrinker_object_info *info)
{
	return -ENOENT;
}

static inline int drm_gem_shmem_shrinker_get_stats(struct drm_gem_shmem_shrinker *s,
						   struct drm_gem_shmem_shrinker_stats *stats)
{
	return -EINVAL;
}

static inline long drm_gem_shmem_shrinker_scan(struct drm_gem_shmem_shrinker *s,
					       unsigned long nr_pages, bool may_evict)
{
	return -EINVAL;
}

static inline long drm_gem_shmem_shrinker_count(struct drm_gem_shmem_shrinker *s)
{
	return -EINVAL;
}

static inline struct drm_gem_shmem_shrinker_domain *
drm_gem_shmem_shrinker_domain_create(struct drm_gem_shmem_shrinker *s)
{
	return NULL;
}

static inline void
drm_gem_shmem_shrinker_domain_destroy(struct drm_gem_shmem_shrinker_domain *d) { }

static inline int drm_gem_shmem_shrinker_job_begin(struct drm_gem_shmem_shrinker_domain *d)
{
	return 0;
}

static inline void drm_gem_shmem_shrinker_job_end(struct drm_gem_shmem_shrinker_domain *d) { }

static inline int
drm_gem_shmem_shrinker_mapping_add_locked(struct drm_gem_shmem_shrinker_domain *d,
					  struct drm_gem_shmem_object *shmem,
					  struct drm_gem_shmem_shrinker_mapping *mapping)
{
	return 0;
}

static inline void
drm_gem_shmem_shrinker_mapping_remove_locked(struct drm_gem_shmem_shrinker_mapping *mapping) { }
static inline void
drm_gem_shmem_shrinker_mapping_remove(struct drm_gem_shmem_shrinker_mapping *mapping) { }
