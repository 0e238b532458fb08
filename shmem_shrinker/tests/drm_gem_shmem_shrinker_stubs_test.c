// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the stubs that <drm/drm_gem_shmem_shrinker.h> gives a
 * driver when the kit is not reachable (not built, or a module while the
 * driver is built in): they compile, and they answer as the kit does for a
 * NULL shrinker and objects it does not track, so that a driver runs
 * without reclaim and without an #ifdef of its own.
 *
 * This file sees the kernel as one without the kit: the configuration
 * symbols go before the header is included (kbuild includes autoconf.h
 * first), so the header takes its #else branch here while the rest of the
 * kernel has the kit.
 */

#undef CONFIG_DRM_GEM_SHMEM_SHRINKER
#undef CONFIG_DRM_GEM_SHMEM_SHRINKER_MODULE

#include <drm/drm_drv.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_gem_shmem_shrinker.h>
#include <drm/drm_kunit_helpers.h>
#include <kunit/test.h>

#if IS_REACHABLE(CONFIG_DRM_GEM_SHMEM_SHRINKER)
#error "the stubs' test must see a kernel without the kit"
#endif

static const struct drm_gem_shmem_shrinker_ops stub_ops = { };

static const struct drm_driver stub_drm_driver = {
	.driver_features = DRIVER_GEM,
};

static void test_stubs_answer_as_for_untracked_objects(struct kunit *test)
{
	struct drm_gem_shmem_shrinker_object_info info;
	struct drm_gem_shmem_shrinker_stats stats;
	struct drm_gem_shmem_shrinker_mapping mapping = {};
	struct drm_gem_shmem_shrinker_domain *d;
	struct drm_gem_shmem_shrinker *s;
	struct drm_gem_shmem_object *shmem;
	struct drm_device *drm;
	struct device *dev;
	struct sg_table *sgt;
	bool retained = false;

	dev = drm_kunit_helper_alloc_device(test);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	drm = __drm_kunit_helper_alloc_drm_device_with_driver(test, dev, sizeof(*drm), 0,
							      &stub_drm_driver);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, drm);
	shmem = drm_gem_shmem_create(drm, PAGE_SIZE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, shmem);

	s = drm_gem_shmem_shrinker_register(drm, &stub_ops);
	KUNIT_EXPECT_NULL(test, s);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_track(s, shmem), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_get(shmem, DRM_GEM_SHMEM_SHRINKER_USE_PIN),
			-ENOENT);
	drm_gem_shmem_shrinker_put(shmem, DRM_GEM_SHMEM_SHRINKER_USE_PIN);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_madvise(shmem,
							     DRM_GEM_SHMEM_SHRINKER_MADV_DONTNEED,
							     &retained), -ENOENT);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_query(shmem, &info), -ENOENT);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_get_stats(s, &stats), -EINVAL);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_scan(s, 1, true), -EINVAL);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_count(s), -EINVAL);

	d = drm_gem_shmem_shrinker_domain_create(s);
	KUNIT_EXPECT_NULL(test, d);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_job_begin(d), 0);
	drm_gem_shmem_shrinker_job_end(d);

	/* A submit path: swap in (nothing to do), then the helper's table. */
	dma_resv_lock(shmem->base.resv, NULL);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_mapping_add_locked(d, shmem, &mapping), 0);
	drm_gem_shmem_shrinker_mapping_remove_locked(&mapping);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_swap_in_locked(shmem), 0);
	sgt = drm_gem_shmem_shrinker_get_pages_sgt_locked(shmem);
	KUNIT_EXPECT_NOT_ERR_OR_NULL(test, sgt);
	KUNIT_EXPECT_PTR_EQ(test, sgt, shmem->sgt);
	dma_resv_unlock(shmem->base.resv);

	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_untrack(shmem), 0);
	drm_gem_shmem_shrinker_suspend(s);
	drm_gem_shmem_shrinker_resume(s);
	drm_gem_shmem_shrinker_mapping_remove(&mapping);
	drm_gem_shmem_shrinker_domain_destroy(d);
	drm_gem_shmem_shrinker_unregister(s);
	drm_gem_shmem_free(shmem);
}

static struct kunit_case shrinker_stubs_cases[] = {
	KUNIT_CASE(test_stubs_answer_as_for_untracked_objects),
	{}
};

static struct kunit_suite shrinker_stubs_suite = {
	.name = "drm_gem_shmem_shrinker_stubs",
	.test_cases = shrinker_stubs_cases,
};

kunit_test_suite(shrinker_stubs_suite);

MODULE_DESCRIPTION("KUnit tests of the GEM shmem shrinker header's stubs");
MODULE_LICENSE("GPL");
