// SPDX-License-Identifier: GPL-2.0
/*
 * Export the C ABI of the GEM shmem shrinker, which is implemented in
 * Rust (c_api.rs), to modules, in the DRM_GEM_SHMEM_SHRINKER namespace.
 */

#include <linux/export.h>
#include <kunit/visibility.h>
#include <drm/drm_gem_shmem_shrinker.h>

EXPORT_SYMBOL_NS_GPL(drm_gem_shmem_shrinker_register, "DRM_GEM_SHMEM_SHRINKER");
EXPORT_SYMBOL_NS_GPL(drm_gem_shmem_shrinker_unregister, "DRM_GEM_SHMEM_SHRINKER");
EXPORT_SYMBOL_NS_GPL(drm_gem_shmem_shrinker_suspend, "DRM_GEM_SHMEM_SHRINKER");
EXPORT_SYMBOL_NS_GPL(drm_gem_shmem_shrinker_resume, "DRM_GEM_SHMEM_SHRINKER");
EXPORT_SYMBOL_NS_GPL(drm_gem_shmem_shrinker_track, "DRM_GEM_SHMEM_SHRINKER");
EXPORT_SYMBOL_NS_GPL(drm_gem_shmem_shrinker_untrack, "DRM_GEM_SHMEM_SHRINKER");
EXPORT_SYMBOL_NS_GPL(drm_gem_shmem_shrinker_get_locked, "DRM_GEM_SHMEM_SHRINKER");
EXPORT_SYMBOL_NS_GPL(drm_gem_shmem_shrinker_get, "DRM_GEM_SHMEM_SHRINKER");
EXPORT_SYMBOL_NS_GPL(drm_gem_shmem_shrinker_put_locked, "DRM_GEM_SHMEM_SHRINKER");
EXPORT_SYMBOL_NS_GPL(drm_gem_shmem_shrinker_put, "DRM_GEM_SHMEM_SHRINKER");
EXPORT_SYMBOL_NS_GPL(drm_gem_shmem_shrinker_swap_in_locked, "DRM_GEM_SHMEM_SHRINKER");
EXPORT_SYMBOL_NS_GPL(drm_gem_shmem_shrinker_madvise, "DRM_GEM_SHMEM_SHRINKER");
EXPORT_SYMBOL_NS_GPL(drm_gem_shmem_shrinker_get_stats, "DRM_GEM_SHMEM_SHRINKER");

/* For the KUnit suite only: an object's state, a scan and count_objects now. */
EXPORT_SYMBOL_IF_KUNIT(drm_gem_shmem_shrinker_query);
EXPORT_SYMBOL_IF_KUNIT(drm_gem_shmem_shrinker_scan);
EXPORT_SYMBOL_IF_KUNIT(drm_gem_shmem_shrinker_count);
