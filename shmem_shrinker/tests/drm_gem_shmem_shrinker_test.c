// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the GEM shmem shrinker, through its C ABI only, on real
 * shmem objects of a KUnit DRM device: the test uses the kit exactly as a
 * C driver would, including no header of the kit but the generated
 * <drm/drm_gem_shmem_shrinker.h>.
 */

#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/dma-buf.h>
#include <linux/dma-fence.h>
#include <linux/dma-resv.h>
#include <linux/file.h>
#include <linux/iosys-map.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/mman.h>
#include <linux/random.h>
#include <linux/shmem_fs.h>
#include <linux/sizes.h>
#include <linux/uaccess.h>

#include <kunit/test.h>

#include <drm/drm_device.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_gem_shmem_shrinker.h>
#include <drm/drm_kunit_helpers.h>
#include <drm/drm_prime.h>
#include <drm/drm_vma_manager.h>

MODULE_IMPORT_NS("DRM_GEM_SHMEM_SHRINKER");
MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");

/* Short names for the values of the ABI. */
#define PIN		DRM_GEM_SHMEM_SHRINKER_USE_PIN
#define VMAP		DRM_GEM_SHMEM_SHRINKER_USE_VMAP
#define WILLNEED	DRM_GEM_SHMEM_SHRINKER_MADV_WILLNEED
#define DONTNEED	DRM_GEM_SHMEM_SHRINKER_MADV_DONTNEED
#define STATE(name)	DRM_GEM_SHMEM_SHRINKER_STATE_##name

#define OBJ_SIZE	(4 * PAGE_SIZE)
#define OBJ_PAGES	(OBJ_SIZE >> PAGE_SHIFT)

/* The driver side of a test: callback counts and ways to misbehave. */
struct fake_driver {
	struct drm_device *drm;
	struct drm_gem_shmem_shrinker *shrinker;
	atomic_t purged, evicted, swapped_in, freed;
	/* purge and evict return this instead of 0. */
	int refuse;
	/* swap_in fails with -ENOMEM (after the core built the table). */
	bool swap_in_fails;
	/* swap_ins that were not handed the object's own table. */
	atomic_t swap_in_bad_sgt;
	/* Domain mappings mapped again and unmapped (map, unmap callbacks). */
	atomic_t mapped, unmapped;
	/* map fails with -ENOMEM. */
	bool map_fails;
	/* evict drops this reference, as a user closing the object would. */
	struct drm_gem_object *put_in_evict;
	/* The free path sleeps this long first (a driver's slow teardown). */
	unsigned int free_delay_ms;
};

/* Tests run one at a time: the callbacks find their driver here. */
static struct fake_driver *current_driver;

static int fake_purge(struct drm_gem_shmem_object *shmem, bool can_block)
{
	if (current_driver->refuse)
		return current_driver->refuse;
	atomic_inc(&current_driver->purged);
	return 0;
}

static int fake_evict(struct drm_gem_shmem_object *shmem, bool can_block)
{
	struct drm_gem_object *put = current_driver->put_in_evict;

	if (current_driver->refuse)
		return current_driver->refuse;
	if (put) {
		current_driver->put_in_evict = NULL;
		drm_gem_object_put(put);
	}
	atomic_inc(&current_driver->evicted);
	return 0;
}

static int fake_swap_in(struct drm_gem_shmem_object *shmem, struct sg_table *sgt)
{
	atomic_inc(&current_driver->swapped_in);
	/* The core hands over the object's table, DMA-mapped, its own. */
	if (!sgt || sgt != shmem->sgt || !sgt->nents)
		atomic_inc(&current_driver->swap_in_bad_sgt);
	return current_driver->swap_in_fails ? -ENOMEM : 0;
}

/* A driver's record of an object's mapping in one GPU address space. */
struct fake_mapping {
	struct drm_gem_shmem_shrinker_mapping reclaim;
	bool active;
};

static int fake_map(struct drm_gem_shmem_shrinker_mapping *m, struct sg_table *sgt)
{
	struct fake_mapping *fm = container_of(m, struct fake_mapping, reclaim);

	if (current_driver->map_fails)
		return -ENOMEM;
	if (!sgt || fm->active)
		atomic_inc(&current_driver->swap_in_bad_sgt);
	fm->active = true;
	atomic_inc(&current_driver->mapped);
	return 0;
}

static void fake_unmap(struct drm_gem_shmem_shrinker_mapping *m)
{
	struct fake_mapping *fm = container_of(m, struct fake_mapping, reclaim);

	fm->active = false;
	atomic_inc(&current_driver->unmapped);
}

static const struct drm_gem_shmem_shrinker_ops fake_ops = {
	.purge = fake_purge,
	.evict = fake_evict,
	.swap_in = fake_swap_in,
	.map = fake_map,
	.unmap = fake_unmap,
};

/* A driver's free path: drm_gem_shmem_release() untracks the object. */
static void fake_free(struct drm_gem_object *obj)
{
	if (current_driver && current_driver->free_delay_ms)
		msleep(current_driver->free_delay_ms);
	drm_gem_shmem_free(to_drm_gem_shmem_obj(obj));
	if (current_driver)
		atomic_inc(&current_driver->freed);
}

static const struct drm_gem_object_funcs fake_funcs = {
	.free = fake_free,
	.mmap = drm_gem_shmem_object_mmap,
	.vm_ops = &drm_gem_shmem_vm_ops,
};

DEFINE_DRM_GEM_FOPS(fake_fops);

/* GEM and files, so that objects can have handles and be mapped. */
static const struct drm_driver fake_drm_driver = {
	.driver_features = DRIVER_GEM,
	.fops = &fake_fops,
	.name = "shmem-shrinker-kunit",
	.desc = "GEM shmem shrinker KUnit device",
};

static int shrinker_test_init(struct kunit *test)
{
	struct fake_driver *drv;
	struct device *dev;

	drv = kunit_kzalloc(test, sizeof(*drv), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, drv);
	dev = drm_kunit_helper_alloc_device(test);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	drv->drm = __drm_kunit_helper_alloc_drm_device_with_driver(test, dev, sizeof(*drv->drm), 0,
								   &fake_drm_driver);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, drv->drm);
	drv->shrinker = drm_gem_shmem_shrinker_register(drv->drm, &fake_ops);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, drv->shrinker);
	current_driver = drv;
	test->priv = drv;
	return 0;
}

static void shrinker_test_exit(struct kunit *test)
{
	struct fake_driver *drv = test->priv;

	/* Tests that unregister themselves clear drv->shrinker. */
	drm_gem_shmem_shrinker_unregister(drv->shrinker);
	current_driver = NULL;
}

static struct drm_gem_shmem_object *new_tracked(struct kunit *test, size_t size)
{
	struct fake_driver *drv = test->priv;
	struct drm_gem_shmem_object *shmem;

	shmem = drm_gem_shmem_create(drv->drm, size);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, shmem);
	shmem->base.funcs = &fake_funcs;
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_track(drv->shrinker, shmem), 0);
	return shmem;
}

static u32 state_of(struct kunit *test, struct drm_gem_shmem_object *shmem)
{
	struct drm_gem_shmem_shrinker_object_info info;

	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_query(shmem, &info), 0);
	return info.state;
}

static struct drm_gem_shmem_shrinker_stats stats_of(struct kunit *test)
{
	struct fake_driver *drv = test->priv;
	struct drm_gem_shmem_shrinker_stats st;

	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_get_stats(drv->shrinker, &st), 0);
	return st;
}

/* Fill every page with a pattern unique to the page and to @seed. */
static void write_pattern(struct kunit *test, struct drm_gem_shmem_object *shmem, u32 seed)
{
	struct iosys_map map;
	size_t i;
	u32 *p;

	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_get(shmem, VMAP), 0);
	dma_resv_lock(shmem->base.resv, NULL);
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_vmap_locked(shmem, &map), 0);
	p = map.vaddr;
	for (i = 0; i < shmem->base.size / sizeof(u32); i++)
		p[i] = seed ^ (u32)(i * 2654435761u);
	drm_gem_shmem_vunmap_locked(shmem, &map);
	dma_resv_unlock(shmem->base.resv);
	drm_gem_shmem_shrinker_put(shmem, VMAP);
}

/* Count the words that differ from the pattern; swaps the object in. */
static size_t count_mismatches(struct kunit *test, struct drm_gem_shmem_object *shmem, u32 seed)
{
	struct iosys_map map;
	size_t i, bad = 0;
	u32 *p;

	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_get(shmem, VMAP), 0);
	dma_resv_lock(shmem->base.resv, NULL);
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_vmap_locked(shmem, &map), 0);
	p = map.vaddr;
	for (i = 0; i < shmem->base.size / sizeof(u32); i++)
		bad += p[i] != (seed ^ (u32)(i * 2654435761u));
	drm_gem_shmem_vunmap_locked(shmem, &map);
	dma_resv_unlock(shmem->base.resv);
	drm_gem_shmem_shrinker_put(shmem, VMAP);
	return bad;
}

/* The pattern's word @i, as write_pattern() writes it. */
static u32 pattern_word(u32 seed, size_t i)
{
	return seed ^ (u32)(i * 2654435761u);
}

static void fake_fput(void *file)
{
	/* Now, not from a work item that could run after the device is gone. */
	__fput_sync(file);
}

/* A DRM file of the test's device, as open() gives it; closed at the end. */
static struct file *open_file(struct kunit *test)
{
	struct fake_driver *drv = test->priv;
	struct file *file = mock_drm_getfile(drv->drm->primary, O_RDWR);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, file);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, fake_fput, file), 0);
	return file;
}

/* Map the whole of @file (a DRM file or a dma-buf) at @offset, shared, read-write. */
static unsigned long map_file(struct kunit *test, struct file *file, size_t size,
			      unsigned long offset)
{
	unsigned long addr = kunit_vm_mmap(test, file, 0, size, PROT_READ | PROT_WRITE,
					   MAP_SHARED, offset);

	KUNIT_ASSERT_TRUE(test, addr && !IS_ERR_VALUE(addr));
	return addr;
}

/*
 * Map @shmem as userspace does: a handle in a DRM file of the device, then
 * mmap() of that file at the object's fake offset.
 */
static unsigned long map_object(struct kunit *test, struct drm_gem_shmem_object *shmem)
{
	struct file *file = open_file(test);
	u32 handle;

	KUNIT_ASSERT_EQ(test, drm_gem_handle_create(file->private_data, &shmem->base, &handle), 0);
	KUNIT_ASSERT_EQ(test, drm_gem_create_mmap_offset(&shmem->base), 0);
	return map_file(test, file, shmem->base.size, drm_vma_node_offset_addr(&shmem->base.vma_node));
}

/* munmap(), and the file references it dropped, now. */
static void unmap(struct kunit *test, unsigned long addr, size_t size)
{
	KUNIT_ASSERT_EQ(test, vm_munmap(addr, size), 0);
	flush_delayed_fput();
}

/* Read word @i of a mapping at @addr, faulting its page in. */
static u32 read_word(struct kunit *test, unsigned long addr, size_t i)
{
	u32 word;

	KUNIT_ASSERT_EQ(test, copy_from_user(&word, (u32 __user *)addr + i, sizeof(word)), 0);
	return word;
}

static void test_register_bad_input(struct kunit *test)
{
	struct fake_driver *drv = test->priv;
	struct drm_gem_shmem_shrinker_ops partial = fake_ops;

	KUNIT_EXPECT_EQ(test, PTR_ERR(drm_gem_shmem_shrinker_register(NULL, &fake_ops)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(drm_gem_shmem_shrinker_register(drv->drm, NULL)), -EINVAL);
	partial.swap_in = NULL;
	KUNIT_EXPECT_EQ(test, PTR_ERR(drm_gem_shmem_shrinker_register(drv->drm, &partial)),
			-EINVAL);
	partial = fake_ops;
	partial.evict = NULL;
	KUNIT_EXPECT_EQ(test, PTR_ERR(drm_gem_shmem_shrinker_register(drv->drm, &partial)),
			-EINVAL);
	partial = fake_ops;
	partial.unmap = NULL;
	KUNIT_EXPECT_EQ(test, PTR_ERR(drm_gem_shmem_shrinker_register(drv->drm, &partial)),
			-EINVAL);
	partial.map = NULL;
	partial.evict = NULL;
	partial.swap_in = NULL;
	KUNIT_EXPECT_EQ(test, PTR_ERR(drm_gem_shmem_shrinker_register(drv->drm, &partial)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(drm_gem_shmem_shrinker_domain_create(NULL)), -EINVAL);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_job_begin(NULL), 0);
	drm_gem_shmem_shrinker_job_end(NULL);
	drm_gem_shmem_shrinker_domain_destroy(NULL);
	drm_gem_shmem_shrinker_mapping_remove(NULL);
	/* Teardown cannot fail; NULL is a no-op, as kfree(NULL). */
	drm_gem_shmem_shrinker_unregister(NULL);
	drm_gem_shmem_shrinker_suspend(NULL);
	drm_gem_shmem_shrinker_resume(NULL);
	drm_gem_shmem_shrinker_untrack(NULL);
	drm_gem_shmem_shrinker_put(NULL, PIN);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_scan(NULL, 1, true), -EINVAL);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_count(NULL), -EINVAL);
}

/*
 * Unregister while objects are tracked, one of them evicted and one
 * resident: it cannot fail, the objects stay usable (swap-in included),
 * and releasing them later untracks them safely.
 */
static void test_objects_outlive_unregister(struct kunit *test)
{
	struct fake_driver *drv = test->priv;
	struct drm_gem_shmem_object *a = new_tracked(test, OBJ_SIZE);
	struct drm_gem_shmem_object *b = new_tracked(test, OBJ_SIZE);
	bool retained;

	write_pattern(test, a, 0xa);
	write_pattern(test, b, 0xb);
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_madvise(b, DONTNEED, NULL), 0);
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_scan(drv->shrinker, 2 * OBJ_PAGES, true),
			2 * OBJ_PAGES);
	KUNIT_ASSERT_EQ(test, state_of(test, a), STATE(EVICTED));
	KUNIT_ASSERT_EQ(test, state_of(test, b), STATE(PURGED));
	drm_gem_object_put(&b->base);
	b = new_tracked(test, OBJ_SIZE);
	write_pattern(test, b, 0xb);

	drm_gem_shmem_shrinker_unregister(drv->shrinker);
	drv->shrinker = NULL;

	KUNIT_EXPECT_EQ(test, count_mismatches(test, a, 0xa), 0);
	KUNIT_EXPECT_EQ(test, state_of(test, a), STATE(EVICTABLE));
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_madvise(b, DONTNEED, &retained), 0);
	KUNIT_EXPECT_TRUE(test, retained);
	drm_gem_object_put(&a->base);
	drm_gem_object_put(&b->base);
}

static void test_track_untrack(struct kunit *test)
{
	struct fake_driver *drv = test->priv;
	struct drm_gem_shmem_object *shmem = new_tracked(test, OBJ_SIZE);
	struct drm_gem_shmem_shrinker_object_info info;
	struct drm_gem_shmem_shrinker_stats st;

	KUNIT_EXPECT_EQ(test, state_of(test, shmem), STATE(UNPOPULATED));
	st = stats_of(test);
	KUNIT_EXPECT_EQ(test, st.objects[STATE(UNPOPULATED)], 1);
	KUNIT_EXPECT_EQ(test, st.pages[STATE(UNPOPULATED)], OBJ_PAGES);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_track(drv->shrinker, shmem), -EEXIST);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_track(drv->shrinker, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_track(NULL, shmem), -EINVAL);

	drm_gem_shmem_shrinker_untrack(shmem);
	drm_gem_shmem_shrinker_untrack(shmem);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_query(shmem, &info), -ENOENT);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_get(shmem, PIN), -ENOENT);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_madvise(shmem, DONTNEED, NULL), -ENOENT);
	/* A submit path swaps in every object it uses: untracked ones too. */
	dma_resv_lock(shmem->base.resv, NULL);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_swap_in_locked(shmem), 0);
	dma_resv_unlock(shmem->base.resv);
	st = stats_of(test);
	KUNIT_EXPECT_EQ(test, st.objects[STATE(UNPOPULATED)], 0);
	drm_gem_shmem_free(shmem);
}

/* Objects whose pages came in before tracking are reclaimable at once. */
static void test_track_resident_object(struct kunit *test)
{
	struct fake_driver *drv = test->priv;
	struct drm_gem_shmem_object *shmem;
	struct sg_table *sgt;

	shmem = drm_gem_shmem_create(drv->drm, OBJ_SIZE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, shmem);
	shmem->base.funcs = &fake_funcs;
	sgt = drm_gem_shmem_get_pages_sgt(shmem);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_track(drv->shrinker, shmem), 0);
	KUNIT_EXPECT_EQ(test, state_of(test, shmem), STATE(EVICTABLE));
	KUNIT_EXPECT_EQ(test, stats_of(test).pages[STATE(EVICTABLE)], OBJ_PAGES);
	write_pattern(test, shmem, 7);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_scan(drv->shrinker, OBJ_PAGES, true),
			OBJ_PAGES);
	KUNIT_EXPECT_NULL(test, shmem->sgt);
	KUNIT_EXPECT_EQ(test, count_mismatches(test, shmem, 7), 0);
	drm_gem_object_put(&shmem->base);
}

static void test_uses_nest(struct kunit *test)
{
	struct drm_gem_shmem_object *shmem = new_tracked(test, OBJ_SIZE);
	struct drm_gem_shmem_shrinker_object_info info;

	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_get(shmem, PIN), 0);
	KUNIT_EXPECT_NOT_NULL(test, shmem->pages);
	KUNIT_EXPECT_EQ(test, state_of(test, shmem), STATE(IN_USE));
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_get(shmem, VMAP), 0);
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_get(shmem, VMAP), 0);
	drm_gem_shmem_shrinker_put(shmem, PIN);
	drm_gem_shmem_shrinker_put(shmem, VMAP);
	KUNIT_EXPECT_EQ(test, state_of(test, shmem), STATE(IN_USE));
	drm_gem_shmem_shrinker_put(shmem, VMAP);
	KUNIT_EXPECT_EQ(test, state_of(test, shmem), STATE(EVICTABLE));
	/* A put of a use not held is reported (a warning) and changes nothing. */
	kunit_warning_suppress(test) {
		drm_gem_shmem_shrinker_put(shmem, VMAP);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 1);
	}
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_query(shmem, &info), 0);
	KUNIT_EXPECT_EQ(test, info.state, STATE(EVICTABLE));
	KUNIT_EXPECT_EQ(test, info.vmaps, 0);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_get(shmem, 7), -EINVAL);
	drm_gem_shmem_shrinker_put(shmem, 7);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_get(NULL, PIN), -EINVAL);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_query(NULL, &info), -EINVAL);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_query(shmem, NULL), -EINVAL);
	drm_gem_object_put(&shmem->base);
	KUNIT_EXPECT_EQ(test, stats_of(test).objects[STATE(EVICTABLE)], 0);
}

static void test_madvise(struct kunit *test)
{
	struct fake_driver *drv = test->priv;
	struct drm_gem_shmem_object *shmem = new_tracked(test, OBJ_SIZE);
	struct drm_gem_shmem_shrinker *s = drv->shrinker;
	bool retained = false;

	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_get(shmem, PIN), 0);
	drm_gem_shmem_shrinker_put(shmem, PIN);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_madvise(shmem, DONTNEED, &retained), 0);
	KUNIT_EXPECT_TRUE(test, retained);
	KUNIT_EXPECT_EQ(test, state_of(test, shmem), STATE(PURGEABLE));
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_count(s), OBJ_PAGES);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_madvise(shmem, WILLNEED, &retained), 0);
	KUNIT_EXPECT_TRUE(test, retained);
	KUNIT_EXPECT_EQ(test, state_of(test, shmem), STATE(EVICTABLE));
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_madvise(shmem, 5, &retained), -EINVAL);
	KUNIT_EXPECT_EQ(test, state_of(test, shmem), STATE(EVICTABLE));
	drm_gem_object_put(&shmem->base);
}

static void test_purge_frees(struct kunit *test)
{
	struct fake_driver *drv = test->priv;
	struct drm_gem_shmem_object *shmem = new_tracked(test, OBJ_SIZE);
	struct drm_gem_shmem_shrinker *s = drv->shrinker;
	struct drm_gem_shmem_shrinker_stats st;
	struct inode *inode = file_inode(shmem->base.filp);
	bool retained = true;

	write_pattern(test, shmem, 0x1234);
	KUNIT_EXPECT_GT(test, inode->i_mapping->nrpages, 0);
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_madvise(shmem, DONTNEED, &retained), 0);

	/* Without permission to evict, a scan still purges. */
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_scan(s, OBJ_PAGES, false), OBJ_PAGES);
	KUNIT_EXPECT_EQ(test, atomic_read(&drv->purged), 1);
	KUNIT_EXPECT_EQ(test, state_of(test, shmem), STATE(PURGED));
	KUNIT_EXPECT_NULL(test, shmem->pages);
	KUNIT_EXPECT_LT(test, shmem->madv, 0);
	KUNIT_EXPECT_EQ(test, inode->i_mapping->nrpages, 0);

	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_get(shmem, VMAP), -ENODATA);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_madvise(shmem, WILLNEED, &retained), 0);
	KUNIT_EXPECT_FALSE(test, retained);
	st = stats_of(test);
	KUNIT_EXPECT_EQ(test, st.purged, 1);
	KUNIT_EXPECT_EQ(test, st.objects[STATE(PURGED)], 1);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_count(s), 0);
	drm_gem_object_put(&shmem->base);
}

static void test_evict_swap_in_keeps_content(struct kunit *test)
{
	struct fake_driver *drv = test->priv;
	struct drm_gem_shmem_object *shmem = new_tracked(test, SZ_1M);
	struct drm_gem_shmem_shrinker *s = drv->shrinker;
	struct drm_gem_shmem_shrinker_stats st;

	write_pattern(test, shmem, 0xc0ffee);
	KUNIT_EXPECT_EQ(test, state_of(test, shmem), STATE(EVICTABLE));

	/* Eviction needs a context that may evict. */
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_scan(s, SZ_1M >> PAGE_SHIFT, false), 0);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_scan(s, SZ_1M >> PAGE_SHIFT, true),
			SZ_1M >> PAGE_SHIFT);
	KUNIT_EXPECT_EQ(test, atomic_read(&drv->evicted), 1);
	KUNIT_EXPECT_EQ(test, state_of(test, shmem), STATE(EVICTED));
	KUNIT_EXPECT_NULL(test, shmem->pages);

	KUNIT_EXPECT_EQ(test, count_mismatches(test, shmem, 0xc0ffee), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&drv->swapped_in), 1);
	KUNIT_EXPECT_EQ(test, state_of(test, shmem), STATE(EVICTABLE));
	st = stats_of(test);
	KUNIT_EXPECT_EQ(test, st.evicted, 1);
	KUNIT_EXPECT_EQ(test, st.swapped_in, 1);
	drm_gem_object_put(&shmem->base);
}

static void test_busy_and_locked_are_skipped(struct kunit *test)
{
	struct fake_driver *drv = test->priv;
	struct drm_gem_shmem_object *shmem = new_tracked(test, OBJ_SIZE);
	struct drm_gem_shmem_shrinker *s = drv->shrinker;
	struct drm_gem_shmem_shrinker_stats st;

	write_pattern(test, shmem, 1);

	/*
	 * Reservation held by someone else: skipped, counted, rotated, and
	 * reported as contended (the kernel shrinker would be called again).
	 */
	dma_resv_lock(shmem->base.resv, NULL);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_scan(s, OBJ_PAGES, true), -EAGAIN);
	dma_resv_unlock(shmem->base.resv);
	st = stats_of(test);
	KUNIT_EXPECT_EQ(test, st.skipped_locked, 1);

	/* A lock of the driver's was contended (-EAGAIN): the same. */
	drv->refuse = -EAGAIN;
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_scan(s, OBJ_PAGES, true), -EAGAIN);
	st = stats_of(test);
	KUNIT_EXPECT_EQ(test, st.skipped_locked, 2);

	/* The driver refuses: skipped as busy, and nothing to come back for. */
	drv->refuse = -EBUSY;
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_scan(s, OBJ_PAGES, true), 0);
	drv->refuse = 0;
	st = stats_of(test);
	KUNIT_EXPECT_EQ(test, st.skipped_busy, 1);

	/* Pinned behind the shrinker's back: skipped as busy. */
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_pin(shmem), 0);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_scan(s, OBJ_PAGES, true), 0);
	drm_gem_shmem_unpin(shmem);
	st = stats_of(test);
	KUNIT_EXPECT_EQ(test, st.skipped_busy, 2);

	/*
	 * In use through the shrinker: a use does not take the list lock, so
	 * the next scan meets the object, takes it off its list and leaves it;
	 * later scans do not see it until the use ends.
	 */
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_get(shmem, PIN), 0);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_scan(s, OBJ_PAGES, true), 0);
	KUNIT_EXPECT_EQ(test, stats_of(test).scanned, st.scanned + 1);
	st = stats_of(test);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_scan(s, OBJ_PAGES, true), 0);
	KUNIT_EXPECT_EQ(test, stats_of(test).scanned, st.scanned);
	drm_gem_shmem_shrinker_put(shmem, PIN);

	KUNIT_EXPECT_EQ(test, atomic_read(&drv->evicted), 0);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_scan(s, OBJ_PAGES, true), OBJ_PAGES);
	KUNIT_EXPECT_EQ(test, count_mismatches(test, shmem, 1), 0);
	drm_gem_object_put(&shmem->base);
}

static const char *fake_fence_name(struct dma_fence *f)
{
	return "shrinker-kunit";
}

static const struct dma_fence_ops fake_fence_ops = {
	.get_driver_name = fake_fence_name,
	.get_timeline_name = fake_fence_name,
};

static DEFINE_SPINLOCK(fake_fence_lock);

/*
 * An object whose fences have not signalled never reaches the driver: the
 * scan (whose context may block) waits a few jiffies for them, not more,
 * then skips it. Once they signal, it is reclaimed.
 */
static void test_unsignalled_fences_waited_for_briefly(struct kunit *test)
{
	struct fake_driver *drv = test->priv;
	struct drm_gem_shmem_object *shmem = new_tracked(test, OBJ_SIZE);
	struct dma_fence *fence;
	unsigned long start, waited;
	int ret;

	write_pattern(test, shmem, 6);
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_madvise(shmem, DONTNEED, NULL), 0);
	/* Freed by its last put: the reservation keeps a reference. */
	fence = kzalloc_obj(*fence);
	KUNIT_ASSERT_NOT_NULL(test, fence);
	dma_fence_init(fence, &fake_fence_ops, &fake_fence_lock, dma_fence_context_alloc(1), 1);
	dma_resv_lock(shmem->base.resv, NULL);
	ret = dma_resv_reserve_fences(shmem->base.resv, 1);
	if (!ret)
		dma_resv_add_fence(shmem->base.resv, fence, DMA_RESV_USAGE_BOOKKEEP);
	dma_resv_unlock(shmem->base.resv);
	if (ret)
		dma_fence_put(fence);
	KUNIT_ASSERT_EQ(test, ret, 0);

	start = jiffies;
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_scan(drv->shrinker, OBJ_PAGES, true), 0);
	waited = jiffies - start;
	KUNIT_EXPECT_GE(test, waited, 5);
	KUNIT_EXPECT_LT(test, waited, HZ);
	KUNIT_EXPECT_EQ(test, atomic_read(&drv->purged), 0);
	KUNIT_EXPECT_EQ(test, stats_of(test).skipped_busy, 1);
	KUNIT_EXPECT_EQ(test, state_of(test, shmem), STATE(PURGEABLE));

	dma_fence_signal(fence);
	dma_fence_put(fence);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_scan(drv->shrinker, OBJ_PAGES, true),
			OBJ_PAGES);
	KUNIT_EXPECT_EQ(test, atomic_read(&drv->purged), 1);
	drm_gem_object_put(&shmem->base);
}

static void test_scan_honours_nr_and_order(struct kunit *test)
{
	struct fake_driver *drv = test->priv;
	struct drm_gem_shmem_shrinker *s = drv->shrinker;
	struct drm_gem_shmem_object *obj[4];
	int i;

	for (i = 0; i < 4; i++) {
		obj[i] = new_tracked(test, OBJ_SIZE);
		write_pattern(test, obj[i], i);
	}
	/* obj[2] and obj[3] are DONTNEED: purged before anything is evicted. */
	for (i = 2; i < 4; i++)
		KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_madvise(obj[i], DONTNEED, NULL), 0);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_scan(s, OBJ_PAGES, true), OBJ_PAGES);
	KUNIT_EXPECT_EQ(test, state_of(test, obj[2]), STATE(PURGED));
	KUNIT_EXPECT_EQ(test, state_of(test, obj[3]), STATE(PURGEABLE));
	KUNIT_EXPECT_EQ(test, state_of(test, obj[0]), STATE(EVICTABLE));
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_scan(s, 2 * OBJ_PAGES, true), 2 * OBJ_PAGES);
	KUNIT_EXPECT_EQ(test, state_of(test, obj[3]), STATE(PURGED));
	/* Least recently used first: obj[0] goes before obj[1]. */
	KUNIT_EXPECT_EQ(test, state_of(test, obj[0]), STATE(EVICTED));
	KUNIT_EXPECT_EQ(test, state_of(test, obj[1]), STATE(EVICTABLE));
	for (i = 0; i < 4; i++)
		drm_gem_object_put(&obj[i]->base);
}

/*
 * A use marks the object referenced: a scan passes over it once if other
 * objects can go instead, and takes it on its second pass otherwise. A use
 * by the device (a job or a command queued under the reservation, which
 * swaps in first) counts as a CPU use does.
 */
static void test_used_objects_get_a_second_chance(struct kunit *test)
{
	struct fake_driver *drv = test->priv;
	struct drm_gem_shmem_object *old = new_tracked(test, OBJ_SIZE);
	struct drm_gem_shmem_object *used = new_tracked(test, OBJ_SIZE);

	write_pattern(test, old, 1);
	write_pattern(test, used, 2);
	/* A scan takes both referenced flags, frees one object's pages. */
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_scan(drv->shrinker, OBJ_PAGES, true),
			OBJ_PAGES);
	KUNIT_ASSERT_EQ(test, state_of(test, old), STATE(EVICTED));
	KUNIT_ASSERT_EQ(test, count_mismatches(test, old, 1), 0);
	/* old was just used again, used was not: used goes first. */
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_scan(drv->shrinker, OBJ_PAGES, true),
			OBJ_PAGES);
	KUNIT_EXPECT_EQ(test, state_of(test, used), STATE(EVICTED));
	KUNIT_EXPECT_EQ(test, state_of(test, old), STATE(EVICTABLE));
	KUNIT_EXPECT_GT(test, stats_of(test).skipped_referenced, 0);

	/*
	 * used back in through a helper, which is no use: both unreferenced,
	 * old heads the list. The device uses old: used goes first again.
	 */
	dma_resv_lock(used->base.resv, NULL);
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_get_pages_locked(used), 0);
	drm_gem_shmem_put_pages_locked(used);
	dma_resv_unlock(used->base.resv);
	dma_resv_lock(old->base.resv, NULL);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_swap_in_locked(old), 0);
	dma_resv_unlock(old->base.resv);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_scan(drv->shrinker, OBJ_PAGES, true),
			OBJ_PAGES);
	KUNIT_EXPECT_EQ(test, state_of(test, used), STATE(EVICTED));
	KUNIT_EXPECT_EQ(test, state_of(test, old), STATE(EVICTABLE));
	drm_gem_object_put(&old->base);
	drm_gem_object_put(&used->base);
}

/* Random operations on real objects; the counters must always add up. */
static void test_counters_after_random_sequences(struct kunit *test)
{
	struct fake_driver *drv = test->priv;
	struct drm_gem_shmem_shrinker *s = drv->shrinker;
	struct drm_gem_shmem_shrinker_stats st;
	struct drm_gem_shmem_object *obj[8];
	u32 held[8][2] = {};
	int i, step, j;
	u64 objects, pages;

	for (i = 0; i < 8; i++)
		obj[i] = new_tracked(test, (1 + i) * PAGE_SIZE);
	for (step = 0; step < 2000; step++) {
		u32 r = get_random_u32();
		u32 use = (r >> 8) % 2;

		i = r % 8;
		switch ((r >> 4) % 6) {
		case 0:
			if (!drm_gem_shmem_shrinker_get(obj[i], use))
				held[i][use]++;
			break;
		case 1:
			if (held[i][use]) {
				drm_gem_shmem_shrinker_put(obj[i], use);
				held[i][use]--;
			}
			break;
		case 2:
			drm_gem_shmem_shrinker_madvise(obj[i], (r >> 12) & 1, NULL);
			break;
		default:
			drm_gem_shmem_shrinker_scan(s, (r >> 16) % 16, (r >> 20) & 1);
			break;
		}
		st = stats_of(test);
		objects = 0;
		pages = 0;
		for (j = 0; j < DRM_GEM_SHMEM_SHRINKER_NR_STATES; j++) {
			objects += st.objects[j];
			pages += st.pages[j];
		}
		KUNIT_ASSERT_EQ(test, objects, 8);
		KUNIT_ASSERT_EQ(test, pages, 36);
	}
	for (i = 0; i < 8; i++) {
		for (j = 0; j < 2; j++)
			while (held[i][j]--)
				drm_gem_shmem_shrinker_put(obj[i], j);
		drm_gem_object_put(&obj[i]->base);
	}
	st = stats_of(test);
	for (j = 0; j < DRM_GEM_SHMEM_SHRINKER_NR_STATES; j++)
		KUNIT_EXPECT_EQ(test, st.objects[j], 0);
}

/*
 * A driver path that was never converted calls the shmem helpers on an
 * evicted object: the helpers swap it in through the shrinker, so the
 * driver's swap_in callback runs, the content is intact and the state
 * machine agrees. The table that drm_gem_shmem_get_pages_sgt() hands out
 * keeps the helper's promise to live as long as the object: the caller
 * may have built device mappings from it, so no scan takes the pages
 * until the driver ends that use.
 */
static void test_unconverted_helpers_swap_in(struct kunit *test)
{
	struct fake_driver *drv = test->priv;
	struct drm_gem_shmem_object *shmem = new_tracked(test, SZ_64K);
	struct iosys_map map;
	struct sg_table *sgt;
	size_t i, bad = 0;
	u32 *p;

	write_pattern(test, shmem, 0x5eed);
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_scan(drv->shrinker, SZ_64K >> PAGE_SHIFT,
							  true), SZ_64K >> PAGE_SHIFT);
	KUNIT_ASSERT_EQ(test, state_of(test, shmem), STATE(EVICTED));

	sgt = drm_gem_shmem_get_pages_sgt(shmem);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sgt);
	KUNIT_EXPECT_EQ(test, atomic_read(&drv->swapped_in), 1);
	KUNIT_EXPECT_EQ(test, state_of(test, shmem), STATE(IN_USE));
	/* Handed out again: the same table, the same one use. */
	KUNIT_EXPECT_PTR_EQ(test, drm_gem_shmem_get_pages_sgt(shmem), sgt);

	/* The caller may still use the table: no scan takes the pages. */
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_scan(drv->shrinker, SZ_64K >> PAGE_SHIFT,
							  true), 0);
	KUNIT_EXPECT_PTR_EQ(test, shmem->sgt, sgt);
	KUNIT_EXPECT_NOT_NULL(test, shmem->pages);

	/* The driver is done with the table (it tore down what it built). */
	drm_gem_shmem_shrinker_put(shmem, DRM_GEM_SHMEM_SHRINKER_USE_SGT);
	KUNIT_EXPECT_EQ(test, state_of(test, shmem), STATE(EVICTABLE));

	/* Evict again, then read it through the helper's own vmap. */
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_scan(drv->shrinker, SZ_64K >> PAGE_SHIFT,
							  true), SZ_64K >> PAGE_SHIFT);
	KUNIT_ASSERT_EQ(test, state_of(test, shmem), STATE(EVICTED));
	dma_resv_lock(shmem->base.resv, NULL);
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_vmap_locked(shmem, &map), 0);
	p = map.vaddr;
	for (i = 0; i < SZ_64K / sizeof(u32); i++)
		bad += p[i] != (0x5eed ^ (u32)(i * 2654435761u));
	/* Vmapped, and locked, behind the shrinker's back: contended. */
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_scan(drv->shrinker, SZ_64K >> PAGE_SHIFT,
							  true), -EAGAIN);
	drm_gem_shmem_vunmap_locked(shmem, &map);
	dma_resv_unlock(shmem->base.resv);
	KUNIT_EXPECT_EQ(test, bad, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&drv->swapped_in), 2);
	KUNIT_EXPECT_EQ(test, state_of(test, shmem), STATE(EVICTABLE));

	/* And through pin. */
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_scan(drv->shrinker, SZ_64K >> PAGE_SHIFT,
							  true), SZ_64K >> PAGE_SHIFT);
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_pin(shmem), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&drv->swapped_in), 3);
	KUNIT_EXPECT_NOT_NULL(test, shmem->pages);
	drm_gem_shmem_unpin(shmem);
	KUNIT_EXPECT_EQ(test, count_mismatches(test, shmem, 0x5eed), 0);
	drm_gem_object_put(&shmem->base);
}

/* Once purged, no helper brings back fresh pages in place of the content. */
static void test_helpers_refuse_purged_content(struct kunit *test)
{
	struct fake_driver *drv = test->priv;
	struct drm_gem_shmem_object *shmem = new_tracked(test, OBJ_SIZE);
	struct iosys_map map;

	write_pattern(test, shmem, 3);
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_madvise(shmem, DONTNEED, NULL), 0);
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_scan(drv->shrinker, OBJ_PAGES, false),
			OBJ_PAGES);
	KUNIT_EXPECT_EQ(test, PTR_ERR(drm_gem_shmem_get_pages_sgt(shmem)), -ENODATA);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_pin(shmem), -ENODATA);
	dma_resv_lock(shmem->base.resv, NULL);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_vmap_locked(shmem, &map), -ENODATA);
	dma_resv_unlock(shmem->base.resv);
	KUNIT_EXPECT_NULL(test, shmem->pages);
	KUNIT_EXPECT_EQ(test, state_of(test, shmem), STATE(PURGED));
	drm_gem_object_put(&shmem->base);
}

/*
 * Someone holds a page use of a purgeable object that the shrinker does
 * not know about: it is never purged (nor reported purged) while it lasts.
 */
static void test_extra_page_use_never_purged(struct kunit *test)
{
	struct fake_driver *drv = test->priv;
	struct drm_gem_shmem_object *shmem = new_tracked(test, OBJ_SIZE);
	struct drm_gem_shmem_shrinker_stats st;

	write_pattern(test, shmem, 4);
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_madvise(shmem, DONTNEED, NULL), 0);
	dma_resv_lock(shmem->base.resv, NULL);
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_get_pages_locked(shmem), 0);
	dma_resv_unlock(shmem->base.resv);

	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_scan(drv->shrinker, OBJ_PAGES, false), 0);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_scan(drv->shrinker, OBJ_PAGES, true), 0);
	st = stats_of(test);
	KUNIT_EXPECT_EQ(test, st.purged, 0);
	KUNIT_EXPECT_EQ(test, st.skipped_busy, 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&drv->purged), 0);
	KUNIT_EXPECT_EQ(test, state_of(test, shmem), STATE(PURGEABLE));
	KUNIT_EXPECT_NOT_NULL(test, shmem->pages);

	dma_resv_lock(shmem->base.resv, NULL);
	drm_gem_shmem_put_pages_locked(shmem);
	dma_resv_unlock(shmem->base.resv);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_scan(drv->shrinker, OBJ_PAGES, false),
			OBJ_PAGES);
	KUNIT_EXPECT_EQ(test, state_of(test, shmem), STATE(PURGED));
	drm_gem_object_put(&shmem->base);
}

/*
 * An evicted object that userspace then marks DONTNEED loses its
 * swapped-out copy at the next scan, which frees no memory.
 */
static void test_evicted_dontneed_purged_from_swap(struct kunit *test)
{
	struct fake_driver *drv = test->priv;
	struct drm_gem_shmem_object *shmem = new_tracked(test, OBJ_SIZE);
	struct inode *inode = file_inode(shmem->base.filp);
	bool retained = true;

	write_pattern(test, shmem, 5);
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_scan(drv->shrinker, OBJ_PAGES, true),
			OBJ_PAGES);
	KUNIT_ASSERT_EQ(test, state_of(test, shmem), STATE(EVICTED));
	KUNIT_EXPECT_GT(test, inode->i_mapping->nrpages, 0);
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_madvise(shmem, DONTNEED, &retained), 0);
	KUNIT_EXPECT_TRUE(test, retained);
	/* Purging needs no permission to evict; it frees swap, not memory. */
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_scan(drv->shrinker, OBJ_PAGES, false), 0);
	KUNIT_EXPECT_EQ(test, state_of(test, shmem), STATE(PURGED));
	KUNIT_EXPECT_EQ(test, inode->i_mapping->nrpages, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&drv->purged), 1);
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_madvise(shmem, WILLNEED, &retained), 0);
	KUNIT_EXPECT_FALSE(test, retained);
	drm_gem_object_put(&shmem->base);
}

/* Across system sleep, reclaim counts nothing and scans nothing. */
static void test_suspend_blocks_reclaim(struct kunit *test)
{
	struct fake_driver *drv = test->priv;
	struct drm_gem_shmem_object *shmem = new_tracked(test, OBJ_SIZE);

	write_pattern(test, shmem, 6);
	drm_gem_shmem_shrinker_suspend(drv->shrinker);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_count(drv->shrinker), 0);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_scan(drv->shrinker, OBJ_PAGES, true), 0);
	KUNIT_EXPECT_EQ(test, state_of(test, shmem), STATE(EVICTABLE));
	drm_gem_shmem_shrinker_resume(drv->shrinker);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_scan(drv->shrinker, OBJ_PAGES, true),
			OBJ_PAGES);
	KUNIT_EXPECT_EQ(test, count_mismatches(test, shmem, 6), 0);
	drm_gem_object_put(&shmem->base);
}

#define RACE_OBJECTS	16
#define RACE_SECONDS	2

/*
 * The racing threads run until the deadline and then report that they are
 * done; only then does the test stop them. kthread_stop() raises
 * TIF_NOTIFY_SIGNAL on a thread, which makes its next contended
 * interruptible wait fail with -EINTR, as a signal would in an ioctl: a
 * thread must never be stopped while it still works.
 */
struct race {
	struct kunit *test;
	struct drm_gem_shmem_shrinker *s;
	struct drm_device *drm;
	atomic_t errors;
	int last_error;
	unsigned long deadline;
	atomic_t running;
	struct completion done;
};

static void race_error(struct race *r, int err)
{
	atomic_inc(&r->errors);
	WRITE_ONCE(r->last_error, err);
}

static int race_finish(struct race *r)
{
	if (atomic_dec_and_test(&r->running))
		complete(&r->done);
	return 0;
}

/* Create, use, advise and free objects until the deadline. */
static int race_user(void *arg)
{
	struct race *r = arg;
	struct drm_gem_shmem_object *obj[RACE_OBJECTS] = {};
	int i, ret;

	while (time_before(jiffies, r->deadline)) {
		u32 x = get_random_u32();

		i = x % RACE_OBJECTS;
		if (!obj[i]) {
			obj[i] = drm_gem_shmem_create(r->drm, (1 + (x >> 8) % 4) * PAGE_SIZE);
			if (IS_ERR(obj[i])) {
				obj[i] = NULL;
				continue;
			}
			obj[i]->base.funcs = &fake_funcs;
			ret = drm_gem_shmem_shrinker_track(r->s, obj[i]);
			if (ret)
				race_error(r, ret);
			continue;
		}
		switch ((x >> 12) % 4) {
		case 0:
			ret = drm_gem_shmem_shrinker_get(obj[i], PIN);
			if (!ret)
				drm_gem_shmem_shrinker_put(obj[i], PIN);
			else if (ret != -ENODATA)
				race_error(r, ret);
			break;
		case 1:
			drm_gem_shmem_shrinker_madvise(obj[i], (x >> 16) & 1, NULL);
			break;
		case 2:
			drm_gem_object_put(&obj[i]->base);
			obj[i] = NULL;
			break;
		default:
			cond_resched();
		}
	}
	for (i = 0; i < RACE_OBJECTS; i++)
		if (obj[i])
			drm_gem_object_put(&obj[i]->base);
	return race_finish(r);
}

/* Scan, as reclaim would, until the deadline. */
static int race_scanner(void *arg)
{
	struct race *r = arg;

	while (time_before(jiffies, r->deadline)) {
		drm_gem_shmem_shrinker_scan(r->s, 8, true);
		cond_resched();
	}
	return race_finish(r);
}

static void test_racing_users_and_scans(struct kunit *test)
{
	struct fake_driver *drv = test->priv;
	struct task_struct *t[4];
	struct race r = {
		.test = test,
		.s = drv->shrinker,
		.drm = drv->drm,
		.deadline = jiffies + RACE_SECONDS * HZ,
		.running = ATOMIC_INIT(4),
	};
	int i, n;

	init_completion(&r.done);
	for (n = 0; n < 4; n++) {
		t[n] = kthread_run(n < 2 ? race_user : race_scanner, &r, "shmem-shrinker-race/%d",
				   n);
		if (IS_ERR(t[n]))
			break;
		get_task_struct(t[n]);
	}
	/* Threads that never started will not report. */
	if (n < 4 && atomic_sub_and_test(4 - n, &r.running))
		complete(&r.done);
	wait_for_completion(&r.done);
	for (i = 0; i < n; i++) {
		kthread_stop(t[i]);
		put_task_struct(t[i]);
	}
	KUNIT_ASSERT_EQ(test, n, 4);
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&r.errors), 0, "last error %d", r.last_error);
	KUNIT_EXPECT_EQ(test, stats_of(test).scanned > 0, true);
	/* Teardown right after the scans: the worker's puts are flushed. */
	drm_gem_shmem_shrinker_unregister(drv->shrinker);
	drv->shrinker = NULL;
}

/* Print the cost of count_objects with 10 and with 10 000 tracked objects. */
static void test_count_objects_cost(struct kunit *test)
{
	struct fake_driver *drv = test->priv;
	static const unsigned int sizes[] = { 10, 10000 };
	struct drm_gem_shmem_object **obj;
	unsigned int n, i, k;
	const int calls = 100000;
	u64 t0, ns;
	long sum = 0;

	obj = kunit_kcalloc(test, 10000, sizeof(*obj), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, obj);
	for (k = 0, n = 0; k < ARRAY_SIZE(sizes); k++) {
		for (; n < sizes[k]; n++) {
			obj[n] = new_tracked(test, PAGE_SIZE);
			if (n % 2)
				drm_gem_shmem_shrinker_madvise(obj[n], DONTNEED,
							       NULL);
		}
		t0 = ktime_get_ns();
		for (i = 0; i < calls; i++)
			sum += drm_gem_shmem_shrinker_count(drv->shrinker);
		ns = ktime_get_ns() - t0;
		kunit_info(test,
			   "count_objects with %u tracked objects: %llu ns per call (%d calls, via the C ABI)\n",
			   n, div_u64(ns, calls), calls);
	}
	KUNIT_EXPECT_GE(test, sum, 0);
	for (i = 0; i < n; i++)
		drm_gem_object_put(&obj[i]->base);
}

/*
 * An object exported as a dma-buf, which userspace maps through the
 * dma-buf (after the last GEM handle is gone, say: the dma-buf lives on,
 * obj->dma_buf does not). Such a mapping holds no use of the pages either:
 * DRM points the dma-buf's file at the device's address space and puts the
 * mapping at the object's mmap offset (drm_gem_shmem_create() gives every
 * object one), where eviction zaps it as it zaps the DRM file's. After
 * eviction, an access through it faults the pages back in, and what is
 * written through it is what the object holds.
 */
static void test_dmabuf_mmap_of_evicted_object(struct kunit *test)
{
	struct fake_driver *drv = test->priv;
	struct drm_gem_shmem_object *shmem = new_tracked(test, OBJ_SIZE);
	struct dma_buf *dmabuf;
	unsigned long addr;
	u32 word = 0x5a5a5a5a;

	write_pattern(test, shmem, 0xd0);
	/* An export that was never mapped through the DRM file. */
	dmabuf = drm_gem_prime_export(&shmem->base, O_RDWR);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dmabuf);
	addr = map_file(test, dmabuf->file, OBJ_SIZE, 0);
	KUNIT_EXPECT_EQ(test, read_word(test, addr, 1), pattern_word(0xd0, 1));

	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_scan(drv->shrinker, OBJ_PAGES, true),
			OBJ_PAGES);
	KUNIT_ASSERT_EQ(test, state_of(test, shmem), STATE(EVICTED));
	KUNIT_EXPECT_EQ(test, read_word(test, addr, 2), pattern_word(0xd0, 2));
	/* That read found no page: it faulted the object back in. */
	KUNIT_ASSERT_EQ(test, state_of(test, shmem), STATE(EVICTABLE_MAPPED));
	KUNIT_EXPECT_EQ(test, atomic_read(&drv->swapped_in), 1);
	KUNIT_ASSERT_EQ(test, copy_to_user((u32 __user *)addr, &word, sizeof(word)), 0);
	KUNIT_EXPECT_EQ(test, count_mismatches(test, shmem, 0xd0), 1);

	unmap(test, addr, OBJ_SIZE);
	dma_buf_put(dmabuf);
	flush_delayed_fput();
	drm_gem_object_put(&shmem->base);
}

/*
 * A swap_in callback that fails after building the object's table (for a
 * device mapping): the core frees that table, the object stays evicted,
 * and the next use swaps it in again, content intact.
 */
static void test_failed_swap_in_leaves_nothing(struct kunit *test)
{
	struct fake_driver *drv = test->priv;
	struct drm_gem_shmem_object *shmem = new_tracked(test, OBJ_SIZE);

	write_pattern(test, shmem, 0xf0);
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_scan(drv->shrinker, OBJ_PAGES, true),
			OBJ_PAGES);
	drv->swap_in_fails = true;
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_get(shmem, VMAP), -ENOMEM);
	drv->swap_in_fails = false;
	KUNIT_EXPECT_EQ(test, state_of(test, shmem), STATE(EVICTED));
	KUNIT_EXPECT_NULL(test, shmem->sgt);
	KUNIT_EXPECT_NULL(test, shmem->pages);
	KUNIT_EXPECT_EQ(test, refcount_read(&shmem->pages_use_count), 0);

	KUNIT_EXPECT_EQ(test, count_mismatches(test, shmem, 0xf0), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&drv->swapped_in), 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&drv->swap_in_bad_sgt), 0);
	KUNIT_EXPECT_NOT_NULL(test, shmem->sgt);
	KUNIT_EXPECT_EQ(test, state_of(test, shmem), STATE(EVICTABLE));
	/* The table is the core's: evicting again frees it with the pages. */
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_scan(drv->shrinker, OBJ_PAGES, true),
			OBJ_PAGES);
	KUNIT_EXPECT_NULL(test, shmem->sgt);
	KUNIT_EXPECT_EQ(test, refcount_read(&shmem->pages_use_count), 0);
	drm_gem_object_put(&shmem->base);
}

/*
 * A driver without madvise registers no purge callback: DONTNEED is
 * refused (-EOPNOTSUPP) and changes nothing, and its objects are evicted
 * and swapped in as any other.
 */
static void test_no_purge_callback(struct kunit *test)
{
	struct fake_driver *drv = test->priv;
	struct drm_gem_shmem_shrinker_ops no_purge = fake_ops;
	struct drm_gem_shmem_object *shmem;
	bool retained = false;

	drm_gem_shmem_shrinker_unregister(drv->shrinker);
	no_purge.purge = NULL;
	drv->shrinker = drm_gem_shmem_shrinker_register(drv->drm, &no_purge);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, drv->shrinker);
	shmem = new_tracked(test, OBJ_SIZE);
	write_pattern(test, shmem, 0x3c);

	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_madvise(shmem, DONTNEED, &retained),
			-EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, state_of(test, shmem), STATE(EVICTABLE));
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_madvise(shmem, WILLNEED, &retained), 0);
	KUNIT_EXPECT_TRUE(test, retained);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_scan(drv->shrinker, OBJ_PAGES, true),
			OBJ_PAGES);
	KUNIT_EXPECT_EQ(test, state_of(test, shmem), STATE(EVICTED));
	KUNIT_EXPECT_EQ(test, count_mismatches(test, shmem, 0x3c), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&drv->swap_in_bad_sgt), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&drv->purged), 0);
	drm_gem_object_put(&shmem->base);
}

/* A domain of the test's driver, destroyed at the test's end. */
static struct drm_gem_shmem_shrinker_domain *new_domain(struct kunit *test)
{
	struct fake_driver *drv = test->priv;
	struct drm_gem_shmem_shrinker_domain *d;

	d = drm_gem_shmem_shrinker_domain_create(drv->shrinker);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, d);
	return d;
}

/* Map @shmem in @d as a driver does: add, then map, under the reservation. */
static void map_in(struct kunit *test, struct drm_gem_shmem_shrinker_domain *d,
		   struct drm_gem_shmem_object *shmem, struct fake_mapping *fm)
{
	dma_resv_lock(shmem->base.resv, NULL);
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_mapping_add_locked(d, shmem, &fm->reclaim), 0);
	KUNIT_EXPECT_NOT_NULL(test, shmem->pages);
	fm->active = true;
	dma_resv_unlock(shmem->base.resv);
}

/*
 * An object mapped in a domain is not evicted while a job of the domain
 * is counted; once the job ends it is, its mapping unmapped (keeping its
 * place); the domain's next job swaps it in and maps it again, content
 * intact, before the job is counted in.
 */
static void test_domain_job_holds_off_eviction(struct kunit *test)
{
	struct fake_driver *drv = test->priv;
	struct drm_gem_shmem_shrinker_domain *d = new_domain(test);
	struct drm_gem_shmem_object *shmem = new_tracked(test, OBJ_SIZE);
	struct fake_mapping fm = {};

	write_pattern(test, shmem, 0x51);
	map_in(test, d, shmem, &fm);

	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_job_begin(d), 0);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_scan(drv->shrinker, OBJ_PAGES, true), 0);
	KUNIT_EXPECT_EQ(test, state_of(test, shmem), STATE(EVICTABLE));
	KUNIT_EXPECT_TRUE(test, fm.active);
	drm_gem_shmem_shrinker_job_end(d);

	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_scan(drv->shrinker, OBJ_PAGES, true),
			OBJ_PAGES);
	KUNIT_EXPECT_EQ(test, state_of(test, shmem), STATE(EVICTED));
	KUNIT_EXPECT_FALSE(test, fm.active);
	KUNIT_EXPECT_EQ(test, atomic_read(&drv->unmapped), 1);

	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_job_begin(d), 0);
	KUNIT_EXPECT_TRUE(test, fm.active);
	KUNIT_EXPECT_EQ(test, atomic_read(&drv->mapped), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&drv->swap_in_bad_sgt), 0);
	KUNIT_EXPECT_NE(test, state_of(test, shmem), STATE(EVICTED));
	/* Nothing left on the domain's list: the next job swaps nothing in. */
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_job_begin(d), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&drv->mapped), 1);
	drm_gem_shmem_shrinker_job_end(d);
	drm_gem_shmem_shrinker_job_end(d);
	KUNIT_EXPECT_EQ(test, count_mismatches(test, shmem, 0x51), 0);

	drm_gem_shmem_shrinker_mapping_remove(&fm.reclaim);
	drm_gem_shmem_shrinker_domain_destroy(d);
	drm_gem_object_put(&shmem->base);
}

/*
 * A job is a use of every object mapped in its domain, listed in it or
 * not: reclaim takes an idle domain's object first and the other only when
 * asked for more, or at the next scan (the mark is taken once).
 */
static void test_domain_idle_domain_first(struct kunit *test)
{
	struct fake_driver *drv = test->priv;
	struct drm_gem_shmem_shrinker_domain *busy = new_domain(test), *idle = new_domain(test);
	struct drm_gem_shmem_object *in_busy = new_tracked(test, OBJ_SIZE);
	struct drm_gem_shmem_object *in_idle = new_tracked(test, OBJ_SIZE);
	struct fake_mapping mb = {}, mi = {};

	/* The busy domain's object is the least recently used. */
	map_in(test, busy, in_busy, &mb);
	map_in(test, idle, in_idle, &mi);
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_job_begin(busy), 0);
	drm_gem_shmem_shrinker_job_end(busy);

	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_scan(drv->shrinker, OBJ_PAGES, true),
			OBJ_PAGES);
	KUNIT_EXPECT_EQ(test, state_of(test, in_idle), STATE(EVICTED));
	KUNIT_EXPECT_EQ(test, state_of(test, in_busy), STATE(EVICTABLE));
	KUNIT_EXPECT_TRUE(test, mb.active);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_scan(drv->shrinker, OBJ_PAGES, true),
			OBJ_PAGES);
	KUNIT_EXPECT_EQ(test, state_of(test, in_busy), STATE(EVICTED));

	/*
	 * Both back and both marked by jobs: asked for both, one scan takes
	 * both, in its second pass.
	 */
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_job_begin(busy), 0);
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_job_begin(idle), 0);
	drm_gem_shmem_shrinker_job_end(busy);
	drm_gem_shmem_shrinker_job_end(idle);
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_job_begin(busy), 0);
	drm_gem_shmem_shrinker_job_end(busy);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_scan(drv->shrinker, 2 * OBJ_PAGES, true),
			2 * OBJ_PAGES);
	KUNIT_EXPECT_FALSE(test, mb.active);
	KUNIT_EXPECT_FALSE(test, mi.active);

	drm_gem_shmem_shrinker_mapping_remove(&mb.reclaim);
	drm_gem_shmem_shrinker_mapping_remove(&mi.reclaim);
	drm_gem_shmem_shrinker_domain_destroy(busy);
	drm_gem_shmem_shrinker_domain_destroy(idle);
	drm_gem_object_put(&in_busy->base);
	drm_gem_object_put(&in_idle->base);
}

/*
 * An object shared by two domains: a job in either keeps it; a job in the
 * other domain after eviction maps it again in both; a CPU use swaps it in
 * and maps it too (the shmem helpers bring the pages back).
 */
static void test_domain_shared_object(struct kunit *test)
{
	struct fake_driver *drv = test->priv;
	struct drm_gem_shmem_shrinker_domain *d1 = new_domain(test), *d2 = new_domain(test);
	struct drm_gem_shmem_object *shmem = new_tracked(test, OBJ_SIZE);
	struct fake_mapping m1 = {}, m2 = {};

	write_pattern(test, shmem, 0x62);
	map_in(test, d1, shmem, &m1);
	map_in(test, d2, shmem, &m2);

	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_job_begin(d2), 0);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_scan(drv->shrinker, OBJ_PAGES, true), 0);
	drm_gem_shmem_shrinker_job_end(d2);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_scan(drv->shrinker, OBJ_PAGES, true),
			OBJ_PAGES);
	KUNIT_EXPECT_EQ(test, atomic_read(&drv->unmapped), 2);

	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_job_begin(d1), 0);
	KUNIT_EXPECT_TRUE(test, m1.active);
	KUNIT_EXPECT_TRUE(test, m2.active);
	drm_gem_shmem_shrinker_job_end(d1);

	/* Evicted again; this time the CPU brings it back. */
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_scan(drv->shrinker, OBJ_PAGES, true),
			OBJ_PAGES);
	KUNIT_EXPECT_EQ(test, count_mismatches(test, shmem, 0x62), 0);
	KUNIT_EXPECT_TRUE(test, m1.active);
	KUNIT_EXPECT_TRUE(test, m2.active);
	KUNIT_EXPECT_EQ(test, atomic_read(&drv->mapped), 4);
	/* ... and no job finds it on a list any more. */
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_job_begin(d2), 0);
	drm_gem_shmem_shrinker_job_end(d2);
	KUNIT_EXPECT_EQ(test, atomic_read(&drv->mapped), 4);

	drm_gem_shmem_shrinker_mapping_remove(&m1.reclaim);
	drm_gem_shmem_shrinker_mapping_remove(&m2.reclaim);
	drm_gem_shmem_shrinker_domain_destroy(d1);
	drm_gem_shmem_shrinker_domain_destroy(d2);
	drm_gem_object_put(&shmem->base);
}

/*
 * A mapping that fails to map again: job_begin fails (the job is counted
 * all the same), the object stays evicted with nothing mapped, and the
 * next job maps it. An evicted DONTNEED object purged from swap leaves
 * the domain's list: no job tries it again. Removing an evicted mapping
 * takes it off the list.
 */
static void test_domain_failures_and_purge(struct kunit *test)
{
	struct fake_driver *drv = test->priv;
	struct drm_gem_shmem_shrinker_domain *d = new_domain(test);
	struct drm_gem_shmem_object *a = new_tracked(test, OBJ_SIZE);
	struct drm_gem_shmem_object *b = new_tracked(test, OBJ_SIZE);
	struct drm_gem_shmem_object *c = new_tracked(test, OBJ_SIZE);
	struct fake_mapping ma = {}, mb = {}, mc = {};

	write_pattern(test, a, 0x73);
	write_pattern(test, b, 0x74);
	write_pattern(test, c, 0x75);
	map_in(test, d, a, &ma);
	map_in(test, d, b, &mb);
	map_in(test, d, c, &mc);
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_scan(drv->shrinker, 3 * OBJ_PAGES, true),
			3 * OBJ_PAGES);

	drv->map_fails = true;
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_job_begin(d), -ENOMEM);
	drv->map_fails = false;
	drm_gem_shmem_shrinker_job_end(d);
	KUNIT_EXPECT_EQ(test, state_of(test, a), STATE(EVICTED));
	KUNIT_EXPECT_FALSE(test, ma.active);

	/* b purged from swap, c's mapping removed while evicted. */
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_madvise(b, DONTNEED, NULL), 0);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_scan(drv->shrinker, OBJ_PAGES, false), 0);
	KUNIT_EXPECT_EQ(test, state_of(test, b), STATE(PURGED));
	drm_gem_shmem_shrinker_mapping_remove(&mc.reclaim);

	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_job_begin(d), 0);
	KUNIT_EXPECT_TRUE(test, ma.active);
	KUNIT_EXPECT_FALSE(test, mb.active);
	KUNIT_EXPECT_FALSE(test, mc.active);
	KUNIT_EXPECT_EQ(test, state_of(test, c), STATE(EVICTED));
	drm_gem_shmem_shrinker_job_end(d);
	KUNIT_EXPECT_EQ(test, count_mismatches(test, a, 0x73), 0);
	KUNIT_EXPECT_EQ(test, count_mismatches(test, c, 0x75), 0);

	drm_gem_shmem_shrinker_mapping_remove(&ma.reclaim);
	drm_gem_shmem_shrinker_mapping_remove(&mb.reclaim);
	drm_gem_shmem_shrinker_domain_destroy(d);
	drm_gem_object_put(&a->base);
	drm_gem_object_put(&b->base);
	drm_gem_object_put(&c->base);
}

/*
 * Misuse of the domain ABI is refused and changes nothing: a mapping added
 * twice (-EINVAL), untracking an object that has domain mappings (-EBUSY,
 * with a warning), a job ended without its begin (a warning). Adding a
 * mapping of a purged object fails (-ENODATA); of an untracked one does
 * nothing.
 */
static void test_domain_misuse_refused(struct kunit *test)
{
	struct fake_driver *drv = test->priv;
	struct drm_gem_shmem_shrinker_domain *d = new_domain(test);
	struct drm_gem_shmem_object *shmem = new_tracked(test, OBJ_SIZE);
	struct drm_gem_shmem_object *purged = new_tracked(test, OBJ_SIZE);
	struct drm_gem_shmem_object *untracked;
	struct fake_mapping fm = {}, fp = {}, fu = {};

	map_in(test, d, shmem, &fm);
	dma_resv_lock(shmem->base.resv, NULL);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_mapping_add_locked(d, shmem, &fm.reclaim),
			-EINVAL);
	dma_resv_unlock(shmem->base.resv);
	kunit_warning_suppress(test) {
		KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_untrack(shmem), -EBUSY);
		drm_gem_shmem_shrinker_job_end(d);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 2);
	}
	KUNIT_EXPECT_EQ(test, state_of(test, shmem), STATE(EVICTABLE));

	write_pattern(test, purged, 0x11);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_madvise(purged, DONTNEED, NULL), 0);
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_scan(drv->shrinker, OBJ_PAGES, false),
			OBJ_PAGES);
	dma_resv_lock(purged->base.resv, NULL);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_mapping_add_locked(d, purged, &fp.reclaim),
			-ENODATA);
	dma_resv_unlock(purged->base.resv);

	untracked = drm_gem_shmem_create(drv->drm, OBJ_SIZE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, untracked);
	dma_resv_lock(untracked->base.resv, NULL);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_mapping_add_locked(d, untracked, &fu.reclaim),
			0);
	KUNIT_EXPECT_NULL(test, fu.reclaim.shmem);
	dma_resv_unlock(untracked->base.resv);
	drm_gem_shmem_free(untracked);

	drm_gem_shmem_shrinker_mapping_remove(&fm.reclaim);
	drm_gem_shmem_shrinker_mapping_remove(&fp.reclaim);
	/* Destroyed before its objects go: their mappings are removed. */
	drm_gem_shmem_shrinker_domain_destroy(d);
	drm_gem_object_put(&shmem->base);
	drm_gem_object_put(&purged->base);
}

/*
 * Misuse of the ABI is refused with a warning and changes nothing:
 * untracking an object that userspace maps (its mappings hold no page
 * use: the pages could go under them) or that a use holds, and tracking
 * an object already mapped (its mappings' page uses would never be
 * dropped).
 */
static void test_misuse_refused(struct kunit *test)
{
	struct fake_driver *drv = test->priv;
	struct drm_gem_shmem_object *mapped = new_tracked(test, OBJ_SIZE);
	struct drm_gem_shmem_object *late;
	struct drm_gem_shmem_shrinker_object_info info;
	unsigned long addr, late_addr;

	write_pattern(test, mapped, 0xab);
	addr = map_object(test, mapped);
	KUNIT_EXPECT_EQ(test, read_word(test, addr, 0), pattern_word(0xab, 0));
	kunit_warning_suppress(test) {
		KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_untrack(mapped), -EBUSY);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 1);
	}
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_query(mapped, &info), 0);
	KUNIT_EXPECT_EQ(test, info.mmaps, 1);
	/* Still the shrinker's: eviction zaps the mapping, a fault brings it back. */
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_scan(drv->shrinker, OBJ_PAGES, true),
			OBJ_PAGES);
	KUNIT_EXPECT_EQ(test, read_word(test, addr, 2), pattern_word(0xab, 2));
	unmap(test, addr, OBJ_SIZE);

	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_get(mapped, PIN), 0);
	kunit_warning_suppress(test) {
		KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_untrack(mapped), -EBUSY);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 1);
	}
	drm_gem_shmem_shrinker_put(mapped, PIN);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_untrack(mapped), 0);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_query(mapped, &info), -ENOENT);

	late = drm_gem_shmem_create(drv->drm, OBJ_SIZE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, late);
	late->base.funcs = &fake_funcs;
	late_addr = map_object(test, late);
	KUNIT_EXPECT_EQ(test, read_word(test, late_addr, 0), 0);
	kunit_warning_suppress(test) {
		KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_track(drv->shrinker, late), -EBUSY);
		KUNIT_EXPECT_SUPPRESSED_WARNING_COUNT(test, 1);
	}
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_query(late, &info), -ENOENT);
	/* The mapping's page use goes with it, as without the shrinker. */
	unmap(test, late_addr, OBJ_SIZE);
	KUNIT_EXPECT_EQ(test, refcount_read(&late->pages_use_count), 0);
	drm_gem_object_put(&late->base);
	drm_gem_object_put(&mapped->base);
}

/*
 * Suspend waits for the references that scans handed to the core's
 * worker: once it returns, no last put reaches the driver's free path
 * (which may use queues that freeze tears down) until resume.
 */
static void test_suspend_flushes_last_puts(struct kunit *test)
{
	struct fake_driver *drv = test->priv;
	struct drm_gem_shmem_object *shmem = new_tracked(test, OBJ_SIZE);

	write_pattern(test, shmem, 8);
	/*
	 * The user's reference goes while the scan holds its own: the scan's
	 * put is the last one, which the worker drops, slowly.
	 */
	drv->put_in_evict = &shmem->base;
	drv->free_delay_ms = 100;
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_scan(drv->shrinker, OBJ_PAGES, true),
			OBJ_PAGES);
	drm_gem_shmem_shrinker_suspend(drv->shrinker);
	KUNIT_EXPECT_EQ(test, atomic_read(&drv->freed), 1);
	drm_gem_shmem_shrinker_resume(drv->shrinker);
	KUNIT_EXPECT_NULL(test, drv->put_in_evict);
}

static struct kunit_case shrinker_abi_cases[] = {
	KUNIT_CASE(test_register_bad_input),
	KUNIT_CASE(test_objects_outlive_unregister),
	KUNIT_CASE(test_track_untrack),
	KUNIT_CASE(test_track_resident_object),
	KUNIT_CASE(test_uses_nest),
	KUNIT_CASE(test_madvise),
	KUNIT_CASE(test_purge_frees),
	KUNIT_CASE(test_evict_swap_in_keeps_content),
	KUNIT_CASE(test_busy_and_locked_are_skipped),
	KUNIT_CASE(test_unsignalled_fences_waited_for_briefly),
	KUNIT_CASE(test_scan_honours_nr_and_order),
	KUNIT_CASE(test_used_objects_get_a_second_chance),
	KUNIT_CASE(test_counters_after_random_sequences),
	KUNIT_CASE(test_unconverted_helpers_swap_in),
	KUNIT_CASE(test_no_purge_callback),
	KUNIT_CASE(test_domain_job_holds_off_eviction),
	KUNIT_CASE(test_domain_shared_object),
	KUNIT_CASE(test_domain_idle_domain_first),
	KUNIT_CASE(test_domain_failures_and_purge),
	KUNIT_CASE(test_domain_misuse_refused),
	KUNIT_CASE(test_helpers_refuse_purged_content),
	KUNIT_CASE(test_extra_page_use_never_purged),
	KUNIT_CASE(test_evicted_dontneed_purged_from_swap),
	KUNIT_CASE(test_suspend_blocks_reclaim),
	KUNIT_CASE(test_dmabuf_mmap_of_evicted_object),
	KUNIT_CASE(test_failed_swap_in_leaves_nothing),
	KUNIT_CASE(test_misuse_refused),
	KUNIT_CASE(test_suspend_flushes_last_puts),
	KUNIT_CASE_SLOW(test_racing_users_and_scans),
	KUNIT_CASE_SLOW(test_count_objects_cost),
	{}
};

static struct kunit_suite shrinker_abi_suite = {
	.name = "drm_gem_shmem_shrinker_abi",
	.init = shrinker_test_init,
	.exit = shrinker_test_exit,
	.test_cases = shrinker_abi_cases,
};

#if IS_ENABLED(CONFIG_DRM_GEM_SHMEM_SHRINKER_KUNIT_BENCH)
/*
 * Benchmarks (make bench): not tests. Each case prints its figures as
 * "kit-bench: KEY VALUE" lines, which the host turns into a table and
 * JSON; it fails only when it cannot measure. Built only into make bench's
 * kernel, which has no debug options.
 */

/* Print one figure. */
#define bench_print(test, key, fmt, ...) \
	kunit_info(test, "kit-bench: " key " " fmt "\n", ##__VA_ARGS__)

/* Create @n tracked objects of @pages pages, resident and idle. */
static struct drm_gem_shmem_object **bench_objects(struct kunit *test, size_t n,
						   size_t pages, bool track)
{
	struct fake_driver *drv = test->priv;
	struct drm_gem_shmem_object **obj;
	size_t i;

	obj = kvcalloc(n, sizeof(*obj), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, obj);
	for (i = 0; i < n; i++) {
		obj[i] = drm_gem_shmem_create(drv->drm, pages * PAGE_SIZE);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, obj[i]);
		obj[i]->base.funcs = &fake_funcs;
		if (track) {
			/*
			 * Tracked before anything uses the pages, as a driver
			 * does; a use brings them in and leaves them resident.
			 */
			KUNIT_ASSERT_EQ(test,
					drm_gem_shmem_shrinker_track(drv->shrinker, obj[i]), 0);
			KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_get(obj[i], VMAP), 0);
			drm_gem_shmem_shrinker_put(obj[i], VMAP);
		} else {
			dma_resv_lock(obj[i]->base.resv, NULL);
			KUNIT_ASSERT_EQ(test, drm_gem_shmem_get_pages_locked(obj[i]), 0);
			dma_resv_unlock(obj[i]->base.resv);
		}
		cond_resched();
	}
	return obj;
}

static void bench_free(struct drm_gem_shmem_object **obj, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (obj[i])
			drm_gem_object_put(&obj[i]->base);
		cond_resched();
	}
	kvfree(obj);
}

/*
 * count_objects with 10, 1000 and 100 000 resident, purgeable objects: the
 * best of 5 rounds of 200 000 calls (TCG timing is noisy).
 */
static void bench_count_objects(struct kunit *test)
{
	static const size_t sizes[] = { 10, 1000, 100000 };
	struct fake_driver *drv = test->priv;
	const int calls = 200000;
	size_t k;

	for (k = 0; k < ARRAY_SIZE(sizes); k++) {
		struct drm_gem_shmem_object **obj = bench_objects(test, sizes[k], 1, true);
		u64 best = U64_MAX;
		long sum = 0;
		int i, round;

		/* Purgeable: counted with or without swap. */
		for (i = 0; i < sizes[k]; i++)
			KUNIT_ASSERT_EQ(test,
					drm_gem_shmem_shrinker_madvise(obj[i], DONTNEED, NULL), 0);
		for (round = 0; round < 5; round++) {
			u64 t0 = ktime_get_ns();

			for (i = 0; i < calls; i++)
				sum += drm_gem_shmem_shrinker_count(drv->shrinker);
			best = min(best, ktime_get_ns() - t0);
		}
		KUNIT_EXPECT_EQ(test, sum, 5L * calls * (long)sizes[k]);
		kunit_info(test, "kit-bench: count_objects_ps_%zu %llu\n", sizes[k],
			   div_u64(best * 1000, calls));
		bench_free(obj, sizes[k]);
	}
}

/* Bytes the shrinker adds to each object, and the object's size. */
static void bench_tracking_bytes(struct kunit *test)
{
	bench_print(test, "tracking_bytes_per_object", "%zu", sizeof(struct drm_gem_shmem_reclaim));
	bench_print(test, "shmem_object_bytes", "%zu", sizeof(struct drm_gem_shmem_object));
}

struct bench_thread {
	struct drm_gem_shmem_object *obj;
	u64 deadline;
	u64 pairs;
	struct completion done;
};

static int bench_get_put_thread(void *arg)
{
	struct bench_thread *t = arg;

	while (ktime_get_ns() < t->deadline) {
		int i;

		for (i = 0; i < 256; i++) {
			if (drm_gem_shmem_shrinker_get(t->obj, VMAP))
				break;
			drm_gem_shmem_shrinker_put(t->obj, VMAP);
		}
		t->pairs += i;
	}
	complete(&t->done);
	return 0;
}

/* get+put pairs in one second, by @threads threads on separate objects. */
static u64 bench_get_put_round(struct kunit *test, struct drm_gem_shmem_object **obj,
			       int threads)
{
	struct bench_thread t[2];
	u64 pairs = 0;
	int i;

	for (i = 0; i < threads; i++) {
		struct task_struct *task;

		t[i] = (struct bench_thread){ .obj = obj[i],
					      .deadline = ktime_get_ns() + NSEC_PER_SEC };
		init_completion(&t[i].done);
		task = kthread_create(bench_get_put_thread, &t[i], "shrinker-bench/%d", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(task));
		/*
		 * One thread per CPU: left to the scheduler, both may start
		 * on one CPU and share it for part of the second, which
		 * measures placement, not the absence of a shared lock.
		 */
		kthread_bind(task, i % num_online_cpus());
		wake_up_process(task);
	}
	for (i = 0; i < threads; i++) {
		wait_for_completion(&t[i].done);
		pairs += t[i].pairs;
	}
	return pairs;
}

/*
 * get+put pairs per second on separate objects, by 1 and 2 threads: the
 * best of 7 rounds each, interleaved, so that a stretch of host load does
 * not fall on one of the two only.
 */
static void bench_get_put(struct kunit *test)
{
	struct drm_gem_shmem_object **obj = bench_objects(test, 2, 1, true);
	u64 best[2] = { 0, 0 };
	int threads, round;

	for (round = 0; round < 7; round++)
		for (threads = 1; threads <= 2; threads++)
			best[threads - 1] = max(best[threads - 1],
						bench_get_put_round(test, obj, threads));
	for (threads = 1; threads <= 2; threads++)
		kunit_info(test, "kit-bench: get_put_pairs_per_s_%d_threads %llu\n", threads,
			   best[threads - 1]);
	bench_free(obj, 2);
}

#define BENCH_SCAN_OBJECTS	512
#define BENCH_SCAN_PAGES	16

/* What the bare loop and drm_gem_lru_scan() do to an object: put, truncate. */
static void bench_put_and_truncate(struct drm_gem_shmem_object *shmem)
{
	drm_gem_shmem_put_pages_locked(shmem);
	shmem_truncate_range(file_inode(shmem->base.filp), 0, (loff_t)-1);
}

static struct drm_gem_lru bench_done_lru;

static bool bench_lru_shrink(struct drm_gem_object *obj, struct ww_acquire_ctx *ticket)
{
	bench_put_and_truncate(to_drm_gem_shmem_obj(obj));
	drm_gem_lru_move_tail(&bench_done_lru, obj);
	return true;
}

/* Reclaim @n objects the way @method says; returns the nanoseconds taken. */
static u64 bench_reclaim(struct kunit *test, int method, size_t n)
{
	const size_t pages = n * BENCH_SCAN_PAGES;
	struct fake_driver *drv = test->priv;
	struct drm_gem_shmem_object **obj;
	unsigned long remaining = 0;
	struct drm_gem_lru lru;
	u64 t0, ns = 0;
	size_t i;

	obj = bench_objects(test, n, BENCH_SCAN_PAGES, method == 0);
	switch (method) {
	case 0: /* the kit purging DONTNEED objects */
		for (i = 0; i < n; i++)
			KUNIT_ASSERT_EQ(test,
					drm_gem_shmem_shrinker_madvise(obj[i], DONTNEED, NULL), 0);
		t0 = ktime_get_ns();
		KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_scan(drv->shrinker, pages, false),
				pages);
		ns = ktime_get_ns() - t0;
		break;
	case 1: /* a bare loop */
		t0 = ktime_get_ns();
		for (i = 0; i < n; i++) {
			dma_resv_lock(obj[i]->base.resv, NULL);
			bench_put_and_truncate(obj[i]);
			dma_resv_unlock(obj[i]->base.resv);
		}
		ns = ktime_get_ns() - t0;
		break;
	case 2: /* drm_gem_lru_scan() */
		drm_gem_lru_init(&lru);
		drm_gem_lru_init(&bench_done_lru);
		for (i = 0; i < n; i++)
			drm_gem_lru_move_tail(&lru, &obj[i]->base);
		t0 = ktime_get_ns();
		KUNIT_EXPECT_EQ(test, drm_gem_lru_scan(drv->drm, &lru, pages, &remaining,
						       bench_lru_shrink, NULL), pages);
		ns = ktime_get_ns() - t0;
		for (i = 0; i < n; i++)
			drm_gem_lru_remove(&obj[i]->base);
		break;
	}
	bench_free(obj, n);
	return ns;
}

/*
 * Nanoseconds per page reclaimed: the kit purging DONTNEED objects, a bare
 * put_pages + truncate loop over the same kind of objects, and
 * drm_gem_lru_scan() doing the same through a drm_gem_lru. Nine rounds,
 * the methods interleaved, the best round of each (a round takes about
 * 15 ms under TCG, in which the host may preempt the vCPU thread).
 */
static void bench_scan_cost(struct kunit *test)
{
	static const char *const names[] = { "kit", "bare", "drm_gem_lru" };
	const size_t n = BENCH_SCAN_OBJECTS;
	u64 best[3] = { U64_MAX, U64_MAX, U64_MAX };
	int round, m;

	for (round = 0; round < 9; round++)
		for (m = 0; m < 3; m++)
			best[m] = min(best[m], bench_reclaim(test, m, n));
	for (m = 0; m < 3; m++)
		kunit_info(test, "kit-bench: scan_%s_ns_per_page %llu\n", names[m],
			   div_u64(best[m], n * BENCH_SCAN_PAGES));
}

#define BENCH_DOMAIN_OBJECTS	64
#define BENCH_DOMAIN_ROUNDS	24

/* How many of @n objects are in @state. */
static size_t bench_count_state(struct kunit *test, struct drm_gem_shmem_object **obj,
				size_t n, u32 state)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += state_of(test, obj[i]) == state;
	return k;
}

/*
 * Reclaim order across domains (GPU address spaces). Domain A runs a job
 * every round; each job lists half of A's objects (a submit lists the BOs
 * its client tracks), the other half is mapped in A and not listed.
 * Domain B is idle. Objects are created A, B, A, B, ... so that neither is
 * older. After each job a scan is asked for an eighth of all pages.
 *
 * Evicting an object of A is undone at A's next job_begin(), which swaps
 * back in everything evicted from A, so every such eviction is wasted
 * work while B still has resident objects. Figures, over the rounds in
 * which B had resident objects left: the share of the evictions that hit
 * A, and A's objects the next job swapped back in.
 */
static void bench_domain_order(struct kunit *test)
{
	const size_t n = BENCH_DOMAIN_OBJECTS;
	struct fake_driver *drv = test->priv;
	struct drm_gem_shmem_shrinker_domain *a = new_domain(test), *b = new_domain(test);
	struct drm_gem_shmem_object **oa, **ob;
	struct fake_mapping *ma, *mb;
	size_t i, hits_a = 0, hits = 0, swapins = 0, jobs = 0;
	bool b_had_resident = false;
	int round;

	oa = kunit_kcalloc(test, n, sizeof(*oa), GFP_KERNEL);
	ob = kunit_kcalloc(test, n, sizeof(*ob), GFP_KERNEL);
	ma = kunit_kcalloc(test, n, sizeof(*ma), GFP_KERNEL);
	mb = kunit_kcalloc(test, n, sizeof(*mb), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, oa && ob && ma && mb);
	for (i = 0; i < n; i++) {
		oa[i] = new_tracked(test, OBJ_SIZE);
		map_in(test, a, oa[i], &ma[i]);
		ob[i] = new_tracked(test, OBJ_SIZE);
		map_in(test, b, ob[i], &mb[i]);
	}
	for (round = 0; round < BENCH_DOMAIN_ROUNDS; round++) {
		int mapped = atomic_read(&drv->mapped);
		size_t b_resident, b_evicted, a_evicted;

		KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_job_begin(a), 0);
		/* What the last scan evicted from A while B had objects left. */
		if (b_had_resident) {
			swapins += atomic_read(&drv->mapped) - mapped;
			jobs++;
		}
		for (i = 0; i < n / 2; i++) {
			dma_resv_lock(oa[i]->base.resv, NULL);
			KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_swap_in_locked(oa[i]), 0);
			dma_resv_unlock(oa[i]->base.resv);
		}
		drm_gem_shmem_shrinker_job_end(a);

		b_evicted = bench_count_state(test, ob, n, STATE(EVICTED));
		b_resident = n - b_evicted;
		b_had_resident = b_resident;
		drm_gem_shmem_shrinker_scan(drv->shrinker, 2 * n * OBJ_PAGES / 8, true);
		a_evicted = bench_count_state(test, oa, n, STATE(EVICTED));
		if (b_resident) {
			hits_a += a_evicted;
			hits += a_evicted + bench_count_state(test, ob, n, STATE(EVICTED)) -
				b_evicted;
		}
	}
	bench_print(test, "domain_active_evictions_pct", "%zu", hits ? 100 * hits_a / hits : 0);
	KUNIT_EXPECT_GT(test, jobs, 0);
	bench_print(test, "domain_active_swapins_per_job", "%zu.%02zu",
		    swapins / max(jobs, 1), 100 * swapins / max(jobs, 1) % 100);
	for (i = 0; i < n; i++) {
		drm_gem_shmem_shrinker_mapping_remove(&ma[i].reclaim);
		drm_gem_shmem_shrinker_mapping_remove(&mb[i].reclaim);
		drm_gem_object_put(&oa[i]->base);
		drm_gem_object_put(&ob[i]->base);
	}
	drm_gem_shmem_shrinker_domain_destroy(a);
	drm_gem_shmem_shrinker_domain_destroy(b);
}

static struct kunit_case shrinker_bench_cases[] = {
	KUNIT_CASE_SLOW(bench_tracking_bytes),
	KUNIT_CASE_SLOW(bench_get_put),
	KUNIT_CASE_SLOW(bench_scan_cost),
	KUNIT_CASE_SLOW(bench_count_objects),
	KUNIT_CASE_SLOW(bench_domain_order),
	{}
};

static struct kunit_suite shrinker_bench_suite = {
	.name = "drm_gem_shmem_shrinker_bench",
	.init = shrinker_test_init,
	.exit = shrinker_test_exit,
	.test_cases = shrinker_bench_cases,
};

kunit_test_suites(&shrinker_abi_suite, &shrinker_bench_suite);
#else
kunit_test_suite(shrinker_abi_suite);
#endif

MODULE_DESCRIPTION("KUnit tests of the GEM shmem shrinker's C ABI");
MODULE_LICENSE("GPL");
