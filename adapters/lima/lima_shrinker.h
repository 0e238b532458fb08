/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef __LIMA_SHRINKER_H__
#define __LIMA_SHRINKER_H__

struct lima_bo;
struct lima_device;

int lima_shrinker_init(struct lima_device *ldev);
void lima_shrinker_fini(struct lima_device *ldev);
int lima_shrinker_create_pages(struct lima_bo *bo);

#endif
