/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Panfrost's own shrinker, as Linux v7.3.4 has it, for the side-by-side
 * benchmark (panfrost_shrinker_bench.c): see panfrost_stock_shrinker.c.
 */

#ifndef __PANFROST_STOCK_SHRINKER_H__
#define __PANFROST_STOCK_SHRINKER_H__

#include <linux/list.h>
#include <linux/mutex.h>

struct drm_device;
struct shrinker;

/*
 * The fields of struct panfrost_device that panfrost's own shrinker used,
 * which panfrost no longer has.
 */
struct panfrost_stock_shrinker {
	/* Protects shrinker_list. */
	struct mutex shrinker_lock;
	/* The DONTNEED BOs, on &drm_gem_shmem_object.madv_list. */
	struct list_head shrinker_list;
	struct shrinker *shrinker;
};

/* The instance panfrost_stock_shrinker_init() registers. */
extern struct panfrost_stock_shrinker *panfrost_stock_shrinker_current;

int panfrost_stock_shrinker_init(struct drm_device *dev);
void panfrost_stock_shrinker_cleanup(struct drm_device *dev);

#endif
