// SPDX-License-Identifier: GPL-2.0

//! Generic memory shrinker for shmem-backed GEM objects.
//!
//! Drivers that use the GEM shmem helpers register one shrinker per DRM
//! device with this core. Under memory pressure it purges objects that
//! userspace marked as not needed and evicts idle ones to swap.

use kernel::prelude::*;

module! {
    type: ShmemShrinkerCore,
    name: "drm_gem_shmem_shrinker",
    authors: ["The shmem shrinker kit developers"],
    description: "Generic memory shrinker for shmem-backed GEM objects",
    license: "GPL",
}

struct ShmemShrinkerCore;

impl kernel::Module for ShmemShrinkerCore {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        pr_info!("core ready\n");
        Ok(ShmemShrinkerCore)
    }
}
