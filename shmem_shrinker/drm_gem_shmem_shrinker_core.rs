// SPDX-License-Identifier: GPL-2.0

//! Generic memory shrinker for shmem-backed GEM objects.
//!
//! This is the crate root of the core; with `drm_gem_shmem_shrinker_exports.c`
//! (the C exports) it forms the object or module `drm_gem_shmem_shrinker`.
//!
//! Drivers that use the GEM shmem helpers register one shrinker per DRM
//! device (`c_api.rs`: what C drivers call). Under memory pressure it
//! purges objects that userspace marked as not needed and evicts idle ones
//! to swap, bringing their pages back when they are used again.
//!
//! - `state.rs`: the object states and the one transition function, with
//!   the per-state page and object counters, and the reclaim list each
//!   state belongs on (no kernel needed: also built and tested on the host);
//! - `policy.rs`: scan order, swap budget, verdicts and statistics (also
//!   host-tested);
//! - `object.rs`: the state inside each GEM shmem object, under its
//!   reservation lock, and every operation on it, including the hooks the
//!   shmem helpers call (swap-in, mmap, release);
//! - `domain.rs`: GPU address spaces: job counts, evicted mappings, the
//!   driver's map/unmap; its rules are in `domain_rules.rs` (also
//!   host-tested);
//! - `device.rs`: one device's shrinker: counters, deferred puts,
//!   teardown; the lock order is written down there;
//! - `memcg.rs`: the reclaim lists (`drm_gem_lru`) of each memory cgroup
//!   and node, on a `list_lru`, and which cgroup an object belongs to;
//! - `reclaim.rs`: the kernel shrinker's callbacks and the scan loop;
//! - `debugfs.rs`: per-device `state` and `scan` files;
//! - `c_api.rs`: the `extern "C"` functions behind
//!   `<drm/drm_gem_shmem_shrinker.h>`.

use kernel::prelude::*;

/// The atomics of `state.rs` and `policy.rs`: the kernel's (LKMM) ones.
/// Their host build (`host.rs`) has a stand-in with the same API.
mod atomic {
    pub(crate) use kernel::sync::atomic::{Atomic, Relaxed};
}
// First: its `misuse!` serves the modules below.
#[macro_use]
mod object;

mod c_api;
mod debugfs;
mod device;
mod domain;
mod memcg;
// `domain_rules`, `state` and `policy` are also the host crate's API
// (shmem_shrinker/host.rs), hence `pub` items that are crate-private here.
#[allow(unreachable_pub)]
mod domain_rules;
#[allow(unreachable_pub)]
mod policy;
mod reclaim;
#[allow(unreachable_pub)]
mod state;

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
        // Scans hand last references to this queue; it may be needed to
        // make progress under memory pressure, hence WQ_MEM_RECLAIM.
        // SAFETY: A valid name and flags.
        let wq = unsafe {
            kernel::bindings::alloc_workqueue_noprof(
                c"drm_gem_shmem_shrinker".as_char_ptr(),
                kernel::bindings::wq_flags_WQ_MEM_RECLAIM | kernel::bindings::wq_flags_WQ_UNBOUND,
                0,
            )
        };
        if wq.is_null() {
            return Err(ENOMEM);
        }
        device::WORKQUEUE.store(wq, core::sync::atomic::Ordering::Release);
        // SAFETY: Called once, before any C ABI function can run.
        unsafe { debugfs::ROOT.init() };
        *debugfs::ROOT.lock() = Some(kernel::debugfs::Dir::new(c"drm_gem_shmem_shrinker"));
        pr_info!("core ready\n");
        Ok(ShmemShrinkerCore)
    }
}

impl Drop for ShmemShrinkerCore {
    fn drop(&mut self) {
        // Drivers using the core depend on this module, so none is still
        // registered and every device's worker was flushed.
        drop(debugfs::ROOT.lock().take());
        let wq =
            device::WORKQUEUE.swap(core::ptr::null_mut(), core::sync::atomic::Ordering::AcqRel);
        // SAFETY: Allocated in `init`, no longer used.
        unsafe { kernel::bindings::destroy_workqueue(wq) };
    }
}
