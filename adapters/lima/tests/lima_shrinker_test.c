// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * KUnit tests of lima with the GEM shmem shrinker, on lima's real GPU
 * address space code (lima_vm: page directory and tables in DMA memory)
 * without a GPU: a lima device whose struct device has lima's 32-bit DMA
 * mask, BOs created as LIMA_GEM_CREATE does, mapped as a file's open does
 * (lima_vm_bo_add()), and the page table entries read back through the
 * address space's bts. A "task" is what lima_gem_submit() and free_job do
 * for the shrinker: drm_gem_shmem_shrinker_job_begin()/_job_end() on the
 * file's address space.
 */

#include <linux/dma-mapping.h>
#include <linux/iosys-map.h>

#include <drm/drm_drv.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_shrinker.h>
#include <drm/drm_kunit_helpers.h>
#include <kunit/device.h>
#include <kunit/test.h>

#include "../lima_device.h"
#include "../lima_gem.h"
#include "../lima_regs.h"
#include "../lima_shrinker.h"
#include "../lima_vm.h"

MODULE_IMPORT_NS("DRM_GEM_SHMEM_SHRINKER");
MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");

#define BO_SIZE		(4 * PAGE_SIZE)
#define BO_PAGES	(BO_SIZE >> PAGE_SHIFT)

/* dma-buf export takes its owner from the driver's file operations. */
DEFINE_DRM_GEM_FOPS(lima_kunit_fops);

static const struct drm_driver lima_kunit_driver = {
	.driver_features = DRIVER_GEM | DRIVER_RENDER,
	.fops = &lima_kunit_fops,
	.gem_create_object = lima_gem_create_object,
};

static void lima_kunit_shrinker_fini(void *ldev)
{
	lima_shrinker_fini(ldev);
}

/* A lima device without a GPU, registered with the shrinker as probe does. */
static int lima_kunit_init(struct kunit *test)
{
	struct lima_device *ldev;
	struct device *dev;

	ldev = kunit_kzalloc(test, sizeof(*ldev), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ldev);
	dev = kunit_device_register(test, "lima-kunit");
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dev);
	/* Mali-400/450 address 32 bits. */
	KUNIT_ASSERT_EQ(test, dma_coerce_mask_and_coherent(dev, DMA_BIT_MASK(32)), 0);
	ldev->dev = dev;
	ldev->ddev = __drm_kunit_helper_alloc_drm_device_with_driver(test, dev,
								     sizeof(*ldev->ddev), 0,
								     &lima_kunit_driver);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ldev->ddev);
	ldev->ddev->dev_private = ldev;
	ldev->va_start = 0;
	ldev->va_end = LIMA_VA_RESERVE_START;
	KUNIT_ASSERT_EQ(test, lima_shrinker_init(ldev), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, lima_kunit_shrinker_fini, ldev), 0);
	test->priv = ldev;
	return 0;
}

static void lima_kunit_vm_put(void *vm)
{
	lima_vm_put(vm);
}

/* A file's address space, gone at the end of the test. */
static struct lima_vm *new_vm(struct kunit *test)
{
	struct lima_vm *vm = lima_vm_create(test->priv);

	KUNIT_ASSERT_NOT_NULL(test, vm);
	KUNIT_ASSERT_NOT_NULL(test, vm->reclaim);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, lima_kunit_vm_put, vm), 0);
	return vm;
}

/* A BO as LIMA_GEM_CREATE makes it (without a handle), filled with @seed. */
static struct lima_bo *new_bo(struct kunit *test, u32 seed)
{
	struct lima_device *ldev = test->priv;
	struct drm_gem_shmem_object *shmem;
	struct iosys_map map;
	struct lima_bo *bo;
	u32 *p;
	size_t i;

	shmem = drm_gem_shmem_create(ldev->ddev, BO_SIZE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, shmem);
	bo = to_lima_bo(&shmem->base);
	KUNIT_ASSERT_EQ(test, lima_shrinker_create_pages(bo), 0);
	KUNIT_ASSERT_EQ(test, drm_gem_vmap(&shmem->base, &map), 0);
	p = map.vaddr;
	for (i = 0; i < BO_SIZE / sizeof(u32); i++)
		p[i] = seed ^ (u32)i;
	drm_gem_vunmap(&shmem->base, &map);
	return bo;
}

/* Words of the BO that do not hold what new_bo() wrote (through vmap). */
static size_t mismatches(struct kunit *test, struct lima_bo *bo, u32 seed)
{
	struct iosys_map map;
	size_t i, bad = 0;
	u32 *p;

	KUNIT_ASSERT_EQ(test, drm_gem_vmap(&bo->base.base, &map), 0);
	p = map.vaddr;
	for (i = 0; i < BO_SIZE / sizeof(u32); i++)
		bad += p[i] != (seed ^ (u32)i);
	drm_gem_vunmap(&bo->base.base, &map);
	return bad;
}

/* The page table entry of @va in @vm (0: not mapped). */
static u32 pte(struct lima_vm *vm, u32 va)
{
	u32 pbe = va >> (22 + LIMA_VM_NUM_PT_PER_BT_SHIFT);
	u32 bte = (va & ((1 << (22 + LIMA_VM_NUM_PT_PER_BT_SHIFT)) - 1)) >> 12;

	return vm->bts[pbe].cpu ? vm->bts[pbe].cpu[bte] : 0;
}

/* Pages of @bo that @vm maps at its address, each to the BO's own page. */
static unsigned int mapped_pages(struct kunit *test, struct lima_vm *vm, struct lima_bo *bo)
{
	u32 va = lima_vm_get_va(vm, bo);
	struct sg_dma_page_iter it;
	unsigned int n = 0, i = 0;

	if (!bo->base.sgt) {
		for (i = 0; i < BO_PAGES; i++)
			KUNIT_EXPECT_EQ(test, pte(vm, va + i * PAGE_SIZE), 0);
		return 0;
	}
	for_each_sgtable_dma_page(bo->base.sgt, &it, 0) {
		u32 e = pte(vm, va + i++ * PAGE_SIZE);

		if (e & LIMA_VM_FLAG_PRESENT)
			n += (e & ~LIMA_PAGE_MASK) == (u32)sg_page_iter_dma_address(&it);
	}
	return n;
}

static u32 state_of(struct kunit *test, struct lima_bo *bo)
{
	struct drm_gem_shmem_shrinker_object_info info;

	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_query(&bo->base, &info), 0);
	return info.state;
}

static long scan(struct kunit *test, unsigned long pages)
{
	struct lima_device *ldev = test->priv;

	return drm_gem_shmem_shrinker_scan(ldev->shrinker, pages, true);
}

/*
 * Eviction clears the BO's entries in every address space that maps it;
 * the next task of either maps it back at the same address, in both, with
 * its content intact. While a task of one of them is counted, nothing is
 * evicted.
 */
static void lima_test_evict_and_task_swap_in(struct kunit *test)
{
	struct lima_vm *vm1 = new_vm(test), *vm2 = new_vm(test);
	struct lima_bo *bo = new_bo(test, 0x1234);
	u32 va1, va2;

	KUNIT_ASSERT_EQ(test, lima_vm_bo_add(vm1, bo, true), 0);
	KUNIT_ASSERT_EQ(test, lima_vm_bo_add(vm2, bo, true), 0);
	va1 = lima_vm_get_va(vm1, bo);
	va2 = lima_vm_get_va(vm2, bo);
	KUNIT_EXPECT_EQ(test, mapped_pages(test, vm1, bo), BO_PAGES);
	KUNIT_EXPECT_EQ(test, mapped_pages(test, vm2, bo), BO_PAGES);

	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_job_begin(vm2->reclaim), 0);
	KUNIT_EXPECT_EQ(test, scan(test, BO_PAGES), 0);
	KUNIT_EXPECT_EQ(test, mapped_pages(test, vm1, bo), BO_PAGES);
	drm_gem_shmem_shrinker_job_end(vm2->reclaim);

	KUNIT_EXPECT_EQ(test, scan(test, BO_PAGES), BO_PAGES);
	KUNIT_EXPECT_EQ(test, state_of(test, bo), DRM_GEM_SHMEM_SHRINKER_STATE_EVICTED);
	KUNIT_EXPECT_EQ(test, mapped_pages(test, vm1, bo), 0);
	KUNIT_EXPECT_EQ(test, mapped_pages(test, vm2, bo), 0);

	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_job_begin(vm1->reclaim), 0);
	KUNIT_EXPECT_EQ(test, lima_vm_get_va(vm1, bo), va1);
	KUNIT_EXPECT_EQ(test, lima_vm_get_va(vm2, bo), va2);
	KUNIT_EXPECT_EQ(test, mapped_pages(test, vm1, bo), BO_PAGES);
	KUNIT_EXPECT_EQ(test, mapped_pages(test, vm2, bo), BO_PAGES);
	drm_gem_shmem_shrinker_job_end(vm1->reclaim);
	KUNIT_EXPECT_EQ(test, mismatches(test, bo, 0x1234), 0);

	lima_vm_bo_del(vm1, bo);
	lima_vm_bo_del(vm2, bo);
	drm_gem_object_put(&bo->base.base);
}

/*
 * The helpers swap an evicted BO in by themselves (vmap here, as the
 * mmap fault does) and it is mapped again; a second file opening an
 * evicted BO swaps it in and maps it in both address spaces.
 */
static void lima_test_helpers_and_second_file_map_back(struct kunit *test)
{
	struct lima_vm *vm1 = new_vm(test), *vm2 = new_vm(test);
	struct lima_bo *bo = new_bo(test, 0x5678);

	KUNIT_ASSERT_EQ(test, lima_vm_bo_add(vm1, bo, true), 0);
	KUNIT_ASSERT_EQ(test, scan(test, BO_PAGES), BO_PAGES);
	KUNIT_EXPECT_EQ(test, mismatches(test, bo, 0x5678), 0);
	KUNIT_EXPECT_EQ(test, mapped_pages(test, vm1, bo), BO_PAGES);

	KUNIT_ASSERT_EQ(test, scan(test, BO_PAGES), BO_PAGES);
	KUNIT_EXPECT_EQ(test, mapped_pages(test, vm1, bo), 0);
	KUNIT_ASSERT_EQ(test, lima_vm_bo_add(vm2, bo, true), 0);
	KUNIT_EXPECT_EQ(test, mapped_pages(test, vm1, bo), BO_PAGES);
	KUNIT_EXPECT_EQ(test, mapped_pages(test, vm2, bo), BO_PAGES);
	KUNIT_EXPECT_EQ(test, mismatches(test, bo, 0x5678), 0);

	lima_vm_bo_del(vm1, bo);
	lima_vm_bo_del(vm2, bo);
	drm_gem_object_put(&bo->base.base);
}

/*
 * Closing an evicted BO (the file's last reference on its mapping) takes
 * the mapping away from the shrinker: the next task swaps nothing in, and
 * the BO is freed evicted. A task's own reference keeps the mapping.
 */
static void lima_test_close_evicted(struct kunit *test)
{
	struct lima_vm *vm = new_vm(test);
	struct lima_bo *bo = new_bo(test, 0x9abc);

	KUNIT_ASSERT_EQ(test, lima_vm_bo_add(vm, bo, true), 0);
	KUNIT_ASSERT_EQ(test, scan(test, BO_PAGES), BO_PAGES);
	/* A task's reference, dropped at free_job. */
	KUNIT_ASSERT_EQ(test, lima_vm_bo_add(vm, bo, false), 0);
	lima_vm_bo_del(vm, bo);
	KUNIT_EXPECT_FALSE(test, list_empty(&bo->va));
	lima_vm_bo_del(vm, bo);
	KUNIT_EXPECT_TRUE(test, list_empty(&bo->va));
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_job_begin(vm->reclaim), 0);
	drm_gem_shmem_shrinker_job_end(vm->reclaim);
	KUNIT_EXPECT_EQ(test, state_of(test, bo), DRM_GEM_SHMEM_SHRINKER_STATE_EVICTED);
	drm_gem_object_put(&bo->base.base);
}

/*
 * Heap BOs (pages lima allocates as the GPU faults) are never tracked, and
 * stay mapped; a BO whose reservation is held counts as contended, and
 * the next scan takes it. (Exported and imported BOs are the core's check,
 * not lima's: the core's and panfrost's suites show them left alone.)
 */
static void lima_test_untouched_and_contended(struct kunit *test)
{
	struct lima_device *ldev = test->priv;
	struct drm_gem_shmem_shrinker_object_info info;
	struct drm_gem_shmem_shrinker_stats before, after;
	struct lima_vm *vm = new_vm(test);
	struct drm_gem_shmem_object *shmem;
	struct lima_bo *heap, *locked;

	shmem = drm_gem_shmem_create(ldev->ddev, BO_SIZE);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, shmem);
	heap = to_lima_bo(&shmem->base);
	KUNIT_ASSERT_EQ(test, lima_heap_alloc(heap, NULL), 0);
	KUNIT_ASSERT_EQ(test, lima_vm_bo_add(vm, heap, true), 0);
	KUNIT_EXPECT_EQ(test, drm_gem_shmem_shrinker_query(&heap->base, &info), -ENOENT);

	locked = new_bo(test, 0x2222);
	KUNIT_ASSERT_EQ(test, lima_vm_bo_add(vm, locked, true), 0);

	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_get_stats(ldev->shrinker, &before), 0);
	dma_resv_lock(lima_bo_resv(locked), NULL);
	/* Nothing freed, and a BO was contended: come back (-EAGAIN). */
	KUNIT_EXPECT_EQ(test, scan(test, 2 * BO_PAGES), -EAGAIN);
	dma_resv_unlock(lima_bo_resv(locked));
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_shrinker_get_stats(ldev->shrinker, &after), 0);
	KUNIT_EXPECT_GE(test, after.skipped_locked, before.skipped_locked + 1);
	KUNIT_EXPECT_EQ(test, mapped_pages(test, vm, locked), BO_PAGES);

	KUNIT_EXPECT_EQ(test, scan(test, 2 * BO_PAGES), BO_PAGES);
	KUNIT_EXPECT_EQ(test, state_of(test, locked), DRM_GEM_SHMEM_SHRINKER_STATE_EVICTED);
	KUNIT_EXPECT_EQ(test, mapped_pages(test, vm, locked), 0);
	KUNIT_EXPECT_NE(test, pte(vm, lima_vm_get_va(vm, heap)), 0);

	lima_vm_bo_del(vm, heap);
	lima_vm_bo_del(vm, locked);
	drm_gem_object_put(&heap->base.base);
	drm_gem_object_put(&locked->base.base);
}

static struct kunit_case lima_shrinker_cases[] = {
	KUNIT_CASE(lima_test_evict_and_task_swap_in),
	KUNIT_CASE(lima_test_helpers_and_second_file_map_back),
	KUNIT_CASE(lima_test_close_evicted),
	KUNIT_CASE(lima_test_untouched_and_contended),
	{}
};

static struct kunit_suite lima_shrinker_suite = {
	.name = "lima_shrinker",
	.init = lima_kunit_init,
	.test_cases = lima_shrinker_cases,
};

kunit_test_suite(lima_shrinker_suite);
