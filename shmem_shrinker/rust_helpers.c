// SPDX-License-Identifier: GPL-2.0

/*
 * Rust helpers for the static inlines that the GEM shmem shrinker core
 * (drivers/gpu/drm/shmem_shrinker/) calls. Not conditional on the core's
 * option, so that the core can also be built out of tree as a module.
 */

#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/gfp.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/refcount.h>
#include <linux/swap.h>
#include <drm/drm_vma_manager.h>

__rust_helper void rust_helper_dma_resv_assert_held(struct dma_resv *obj)
{
	dma_resv_assert_held(obj);
}

__rust_helper bool rust_helper_dma_resv_trylock(struct dma_resv *obj)
{
	return dma_resv_trylock(obj);
}

__rust_helper int rust_helper_dma_resv_lock_interruptible(struct dma_resv *obj,
							  struct ww_acquire_ctx *ctx)
{
	return dma_resv_lock_interruptible(obj, ctx);
}

__rust_helper unsigned int rust_helper_refcount_read(const refcount_t *r)
{
	return refcount_read(r);
}

__rust_helper int rust_helper_kref_get_unless_zero(struct kref *kref)
{
	return kref_get_unless_zero(kref);
}

__rust_helper bool rust_helper_gfpflags_allow_blocking(const gfp_t gfp_flags)
{
	return gfpflags_allow_blocking(gfp_flags);
}

__rust_helper long rust_helper_get_nr_swap_pages(void)
{
	return get_nr_swap_pages();
}

__rust_helper void rust_helper_drm_vma_node_unmap(struct drm_vma_offset_node *node,
						  struct address_space *file_mapping)
{
	drm_vma_node_unmap(node, file_mapping);
}

__rust_helper void rust_helper_list_del_init(struct list_head *entry)
{
	list_del_init(entry);
}

__rust_helper struct folio *rust_helper_page_folio(struct page *page)
{
	return page_folio(page);
}

__rust_helper struct mem_cgroup *rust_helper_folio_memcg(struct folio *folio)
{
	return folio_memcg(folio);
}

__rust_helper bool rust_helper_mem_cgroup_online(struct mem_cgroup *memcg)
{
	return mem_cgroup_online(memcg);
}

__rust_helper struct mem_cgroup *rust_helper_parent_mem_cgroup(struct mem_cgroup *memcg)
{
	return parent_mem_cgroup(memcg);
}

__rust_helper bool rust_helper_mem_cgroup_is_root(struct mem_cgroup *memcg)
{
	return mem_cgroup_is_root(memcg);
}

__rust_helper u64 rust_helper_mem_cgroup_id(struct mem_cgroup *memcg)
{
	return mem_cgroup_id(memcg);
}
