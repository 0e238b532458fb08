/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A panfrost device without a GPU, for KUnit: its struct panfrost_device is
 * set up by hand instead of probed (no clock, regulator, OPP nor GPU reset),
 * its register window is plain memory (MMU commands complete at once:
 * AS_STATUS reads 0, and each register keeps the last value written), and
 * its GEM objects, DRM files (each with its own MMU context and io-pgtable)
 * and io-pgtable code are panfrost's own. What the GPU would see is read
 * back with iova_to_phys() over a mapping's GPU VA range.
 */

#ifndef __PANFROST_KUNIT_H__
#define __PANFROST_KUNIT_H__

#include <linux/types.h>

struct drm_file;
struct kunit;
struct panfrost_device;
struct panfrost_gem_mapping;
struct panfrost_gem_object;

struct panfrost_device *panfrost_kunit_device(struct kunit *test, bool shrinker);
int panfrost_kunit_init(struct kunit *test);
struct drm_file *panfrost_kunit_device_file(struct kunit *test, struct panfrost_device *pfdev);
struct drm_file *panfrost_kunit_file(struct kunit *test);
struct panfrost_gem_object *panfrost_kunit_bo(struct kunit *test, size_t size, u32 flags,
					      struct drm_file **files, int nfiles,
					      u32 *handles);
struct panfrost_gem_mapping *panfrost_kunit_mapping(struct kunit *test,
						    struct panfrost_gem_object *bo,
						    struct drm_file *file);
unsigned int panfrost_kunit_pages_mapped_right(struct panfrost_gem_mapping *m);
unsigned int panfrost_kunit_pages_mapped(struct panfrost_gem_mapping *m);
int panfrost_kunit_madvise(struct drm_file *file, u32 handle, u32 madv, u32 *retained);

#endif
