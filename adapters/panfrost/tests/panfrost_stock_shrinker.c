// SPDX-License-Identifier: GPL-2.0
/*
 * Panfrost's own shrinker, which the GEM shmem shrinker replaces, built for
 * the side-by-side benchmark from its unchanged v7.3.4 source (the driver's
 * panfrost_gem_shrinker.c, which kernels without the kit build instead of
 * the adapter, and which make check keeps identical to the tag). It only
 * gets back the device fields it used, which panfrost has only without the
 * kit: the renames below apply to its code alone, because the headers it
 * includes were included first.
 */

#include "../panfrost_device.h"
#include "../panfrost_gem.h"
#include "../panfrost_mmu.h"
#include "panfrost_stock_shrinker.h"

struct panfrost_stock_shrinker *panfrost_stock_shrinker_current;

#define panfrost_device panfrost_stock_shrinker
#define to_panfrost_device(dev) ((void)(dev), panfrost_stock_shrinker_current)
#define panfrost_gem_shrinker_init panfrost_stock_shrinker_init
#define panfrost_gem_shrinker_cleanup panfrost_stock_shrinker_cleanup

#include "panfrost_gem_shrinker.c"
