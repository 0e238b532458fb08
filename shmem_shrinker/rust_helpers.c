// SPDX-License-Identifier: GPL-2.0

#include <linux/dma-resv.h>

#ifdef CONFIG_DRM_GEM_SHMEM_SHRINKER

__rust_helper bool rust_helper_dma_resv_trylock(struct dma_resv *obj)
{
	return dma_resv_trylock(obj);
}

#endif /* CONFIG_DRM_GEM_SHMEM_SHRINKER */
