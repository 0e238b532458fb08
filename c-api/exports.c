// SPDX-License-Identifier: GPL-2.0
/*
 * Export the C ABI of the GEM shmem shrinker, which is implemented in
 * Rust (c_api.rs), to modules, in the DRM_GEM_SHMEM_SHRINKER namespace.
 */

#include <linux/export.h>
#include <kunit/visibility.h>
#include <drm/drm_gem_shmem_shrinker.h>

/*
 * The functions are defined in Rust, so no export can follow its function:
 * one macro per kind of export, as rust/exports.c does for the kernel
 * crate's symbols. For drivers, in the DRM_GEM_SHMEM_SHRINKER namespace:
 */
#define DRM_GEM_SHMEM_SHRINKER_EXPORT(sym) EXPORT_SYMBOL_NS_GPL(sym, "DRM_GEM_SHMEM_SHRINKER")
/* For the KUnit suite only: */
#define DRM_GEM_SHMEM_SHRINKER_EXPORT_IF_KUNIT(sym) EXPORT_SYMBOL_IF_KUNIT(sym)

DRM_GEM_SHMEM_SHRINKER_EXPORT(drm_gem_shmem_shrinker_register);
DRM_GEM_SHMEM_SHRINKER_EXPORT(drm_gem_shmem_shrinker_unregister);
DRM_GEM_SHMEM_SHRINKER_EXPORT(drm_gem_shmem_shrinker_suspend);
DRM_GEM_SHMEM_SHRINKER_EXPORT(drm_gem_shmem_shrinker_resume);
DRM_GEM_SHMEM_SHRINKER_EXPORT(drm_gem_shmem_shrinker_track);
DRM_GEM_SHMEM_SHRINKER_EXPORT(drm_gem_shmem_shrinker_untrack);
DRM_GEM_SHMEM_SHRINKER_EXPORT(drm_gem_shmem_shrinker_get_locked);
DRM_GEM_SHMEM_SHRINKER_EXPORT(drm_gem_shmem_shrinker_get);
DRM_GEM_SHMEM_SHRINKER_EXPORT(drm_gem_shmem_shrinker_put_locked);
DRM_GEM_SHMEM_SHRINKER_EXPORT(drm_gem_shmem_shrinker_put);
DRM_GEM_SHMEM_SHRINKER_EXPORT(drm_gem_shmem_shrinker_swap_in_locked);
DRM_GEM_SHMEM_SHRINKER_EXPORT(drm_gem_shmem_shrinker_get_pages_sgt_locked);
DRM_GEM_SHMEM_SHRINKER_EXPORT(drm_gem_shmem_shrinker_madvise);
DRM_GEM_SHMEM_SHRINKER_EXPORT(drm_gem_shmem_shrinker_madvise_locked);
DRM_GEM_SHMEM_SHRINKER_EXPORT(drm_gem_shmem_shrinker_domain_create);
DRM_GEM_SHMEM_SHRINKER_EXPORT(drm_gem_shmem_shrinker_domain_destroy);
DRM_GEM_SHMEM_SHRINKER_EXPORT(drm_gem_shmem_shrinker_job_begin);
DRM_GEM_SHMEM_SHRINKER_EXPORT(drm_gem_shmem_shrinker_job_end);
DRM_GEM_SHMEM_SHRINKER_EXPORT(drm_gem_shmem_shrinker_mapping_add_locked);
DRM_GEM_SHMEM_SHRINKER_EXPORT(drm_gem_shmem_shrinker_mapping_remove_locked);
DRM_GEM_SHMEM_SHRINKER_EXPORT(drm_gem_shmem_shrinker_mapping_remove);
DRM_GEM_SHMEM_SHRINKER_EXPORT(drm_gem_shmem_shrinker_get_stats);

/* For the KUnit suite only: an object's state, a scan and count_objects now. */
DRM_GEM_SHMEM_SHRINKER_EXPORT_IF_KUNIT(drm_gem_shmem_shrinker_query);
DRM_GEM_SHMEM_SHRINKER_EXPORT_IF_KUNIT(drm_gem_shmem_shrinker_scan);
DRM_GEM_SHMEM_SHRINKER_EXPORT_IF_KUNIT(drm_gem_shmem_shrinker_count);
