// SPDX-License-Identifier: GPL-2.0

//! Where reclaim runs: the kernel shrinker's callbacks and the scan loop.
//!
//! `count_objects` reads the device's counters and nothing else. The scan
//! walks the reclaim classes cheapest first (purgeable, then, when swap is
//! left and the context may block, evictable and evictable-mapped), takes
//! each least recently used object off its list under [`Device::lists`],
//! takes a GEM reference (skipping objects whose last reference is gone),
//! drops the list lock, trylocks the reservation, and only then calls the
//! driver. Objects it leaves alone go back to the tail of their list.
//!
//! Lock order: see `device.rs`. The scan never holds [`Device::lists`]
//! while it calls the driver, takes the reservation lock or drops a GEM
//! reference, and it never frees an object: the last reference goes to a
//! worker.

use crate::device::{Device, Entry};
use crate::policy::{ScanContext, Skip};
use crate::state::{Class, Event, State};
use kernel::{bindings, prelude::*, sync::Arc};

/// Whether the pages of `shmem` are held by anyone but the core: pins,
/// kernel mappings, or page references beyond the core's own and that of a
/// cached scatter/gather table.
///
/// # Safety
///
/// `shmem` is live and its reservation lock is held.
unsafe fn pages_in_use(shmem: *mut bindings::drm_gem_shmem_object, for_evict: bool) -> bool {
    // SAFETY: As the function's safety requirement says.
    let s = unsafe { &*shmem };
    // SAFETY: Reading the counters of live refcounts.
    let (pin, vmap, used) = unsafe {
        (
            bindings::refcount_read(&s.pages_pin_count),
            bindings::refcount_read(&s.vmap_use_count),
            bindings::refcount_read(&s.pages_use_count),
        )
    };
    let own = 1 + u32::from(!s.sgt.is_null());
    pin != 0 || vmap != 0 || (for_evict && used != own)
}

/// Release the cached scatter/gather table and its page reference.
///
/// # Safety
///
/// `shmem` is live and its reservation lock is held.
unsafe fn release_sgt(shmem: *mut bindings::drm_gem_shmem_object) {
    // SAFETY: As the function's safety requirement says.
    if unsafe { !(*shmem).sgt.is_null() } {
        // SAFETY: The table exists and holds one page reference.
        unsafe {
            bindings::__drm_gem_shmem_free_sgt_locked(shmem);
            bindings::drm_gem_shmem_put_pages_locked(shmem);
        }
    }
}

/// Zap every userspace mapping of the object.
///
/// # Safety
///
/// `shmem` is live.
unsafe fn unmap_userspace(shmem: *mut bindings::drm_gem_shmem_object) {
    // SAFETY: As the function's safety requirement says; a DRM device's
    // anon inode exists for its whole life.
    unsafe {
        let obj = &raw mut (*shmem).base;
        let mapping = (*(*(*obj).dev).anon_inode).i_mapping;
        bindings::drm_vma_node_unmap(&raw mut (*obj).vma_node, mapping);
    }
}

/// The core's part of eviction, after the driver's: the pages lose their
/// last reference and become swappable; their content stays in the shmem
/// file.
///
/// The pages are marked dirty when they go: the device and CPU mappings
/// that insert PFNs write them without dirtying the struct pages, and reclaim
/// would otherwise drop them as clean instead of writing them to swap.
///
/// # Safety
///
/// `shmem` is live, its reservation lock is held, and the core holds its
/// page reference.
unsafe fn evict_pages(shmem: *mut bindings::drm_gem_shmem_object) {
    // SAFETY: As the function's safety requirement says.
    unsafe {
        unmap_userspace(shmem);
        (*shmem).set_pages_mark_dirty_on_put(true);
        (*shmem).set_pages_mark_accessed_on_put(true);
        release_sgt(shmem);
        bindings::drm_gem_shmem_put_pages_locked(shmem);
    }
}

/// The core's part of purging, after the driver's: the pages and the
/// content are dropped for good, and CPU faults get SIGBUS from now on.
///
/// Userspace's page-table entries go first: they map the pages without
/// holding a reference, so a page released while still mapped could be
/// reused under a live mapping.
///
/// # Safety
///
/// As for [`evict_pages`].
unsafe fn purge_pages(shmem: *mut bindings::drm_gem_shmem_object) {
    // SAFETY: As the function's safety requirement says.
    unsafe {
        unmap_userspace(shmem);
        release_sgt(shmem);
        bindings::drm_gem_shmem_put_pages_locked(shmem);
        (*shmem).madv = -1;
        let obj = &raw mut (*shmem).base;
        bindings::drm_gem_free_mmap_offset(obj);
        let inode = (*(*obj).filp).f_inode;
        bindings::shmem_truncate_range(inode, 0, !0);
        bindings::invalidate_mapping_pages((*inode).i_mapping, 0, !0);
    }
}

/// Try to reclaim one object of `class` that the scan holds a GEM
/// reference on and whose reservation lock it holds. Returns the pages
/// freed, or why it was skipped.
fn reclaim_one(
    dev: &Device,
    entry: &Arc<Entry>,
    class: Class,
    ctx: ScanContext,
) -> Result<usize, Skip> {
    let shmem = entry.shmem;
    let purge = class == Class::Purgeable;
    // SAFETY: The scan holds a reference and the reservation lock.
    if unsafe { pages_in_use(shmem, !purge) } {
        return Err(Skip::Busy);
    }
    // SAFETY: As above; a fence still running means the device uses it.
    let idle = unsafe {
        bindings::dma_resv_test_signaled(
            (*shmem).base.resv,
            bindings::dma_resv_usage_DMA_RESV_USAGE_BOOKKEEP,
        )
    };
    if !idle && !ctx.can_block {
        return Err(Skip::Busy);
    }
    // The state may have changed since the object was picked.
    let (state, ..) = dev.state_of(entry).map_err(|_| Skip::Dying)?;
    if state != State::Reclaimable(class) {
        return Err(Skip::Busy);
    }
    let (ret, event) = if purge {
        // SAFETY: The driver's callback, with the reservation lock held.
        (
            unsafe { (dev.ops.purge)(shmem, ctx.can_block) },
            Event::Purge,
        )
    } else {
        // SAFETY: As above.
        (
            unsafe { (dev.ops.evict)(shmem, ctx.can_block) },
            Event::Evict,
        )
    };
    if ret != 0 {
        return Err(Skip::Busy);
    }
    // SAFETY: The driver tore its access down; the core holds its page
    // reference because the object was resident.
    unsafe {
        if purge {
            purge_pages(shmem)
        } else {
            evict_pages(shmem)
        }
    };
    match dev.apply(entry, event) {
        Ok(_) => {
            if purge {
                dev.stats.purged(entry.pages);
            } else {
                dev.stats.evicted(entry.pages);
            }
            Ok(entry.pages)
        }
        // Cannot happen: uses need the reservation lock, which is held.
        Err(_) => Err(Skip::Busy),
    }
}

/// Scan for up to `nr_to_scan` pages. Returns the pages freed and the
/// pages looked at.
pub(crate) fn scan(dev: &Device, nr_to_scan: usize, ctx: ScanContext) -> (usize, usize) {
    let (mut freed, mut scanned) = (0, 0);
    for &class in ctx.classes() {
        // Each object is looked at once per scan: skipped objects go to the
        // tail, so stop after as many as the list held.
        let mut budget = dev.acct.objects(State::Reclaimable(class));
        while freed < nr_to_scan && budget > 0 {
            budget -= 1;
            let mut lists = dev.lists.lock();
            let Some(la) = lists.pop_lru(class) else {
                break;
            };
            let entry: Arc<Entry> = la.clone_arc();
            let shmem = entry.shmem;
            dev.stats.scanned();
            // SAFETY: The entry is tracked (it was on a list) so the object
            // is live, at least until its free path untracks it, which
            // needs `lists`, held here.
            if unsafe { bindings::kref_get_unless_zero(&raw mut (*shmem).base.refcount) } == 0 {
                dev.stats.skipped(Skip::Dying);
                lists.file(la);
                continue;
            }
            drop(lists);
            // SAFETY: The scan holds a reference. Trylock, because reclaim
            // may run on behalf of someone who holds this very lock.
            let result = if unsafe { bindings::dma_resv_trylock((*shmem).base.resv) } {
                let r = reclaim_one(dev, &entry, class, ctx);
                // SAFETY: Locked just above.
                unsafe { bindings::dma_resv_unlock((*shmem).base.resv) };
                r
            } else {
                Err(Skip::Locked)
            };
            scanned += entry.pages;
            match result {
                Ok(n) => freed += n,
                Err(why) => dev.stats.skipped(why),
            }
            dev.lists.lock().file(la);
            // Drops the reference taken above, with no lock held; the last
            // one goes to a worker, never freeing the object in reclaim.
            entry.put_reference();
        }
    }
    (freed, scanned)
}

/// Whether evicted pages have somewhere to go.
fn swap_available() -> bool {
    // SAFETY: Reads a counter.
    unsafe { bindings::get_nr_swap_pages() > 0 }
}

/// The reclaim context of a shrinker call.
fn context(sc: &bindings::shrink_control) -> ScanContext {
    ScanContext {
        // SAFETY: Pure function of the flags.
        can_block: unsafe { bindings::gfpflags_allow_blocking(sc.gfp_mask) },
        swap_available: swap_available(),
    }
}

/// `count_objects`: O(1), lock-free.
///
/// # Safety
///
/// Called by the kernel with the shrinker that `register` set up.
unsafe extern "C" fn count_objects(
    shrinker: *mut bindings::shrinker,
    _sc: *mut bindings::shrink_control,
) -> c_ulong {
    // SAFETY: `private_data` is the device, which outlives its shrinker.
    let dev = unsafe { &*(*shrinker).private_data.cast::<Device>() };
    crate::policy::count(&dev.acct, swap_available()) as c_ulong
}

/// Call the registered shrinker's `count_objects`, as reclaim would.
pub(crate) fn count_now(dev: &Device) -> c_ulong {
    let shrinker = dev.shrinker.load(core::sync::atomic::Ordering::Acquire);
    if shrinker.is_null() {
        return 0;
    }
    // SAFETY: A zeroed shrink_control is a valid argument; count_objects
    // reads none of it.
    let mut sc: bindings::shrink_control = unsafe { core::mem::zeroed() };
    // SAFETY: The shrinker is registered and its private data is `dev`.
    unsafe { count_objects(shrinker, &mut sc) }
}

/// `scan_objects`.
///
/// # Safety
///
/// Called by the kernel with the shrinker that `register` set up.
unsafe extern "C" fn scan_objects(
    shrinker: *mut bindings::shrinker,
    sc: *mut bindings::shrink_control,
) -> c_ulong {
    // SAFETY: `private_data` is the device, which outlives its shrinker;
    // `sc` is valid for the call.
    let (dev, sc) = unsafe { (&*(*shrinker).private_data.cast::<Device>(), &mut *sc) };
    let (freed, scanned) = scan(dev, sc.nr_to_scan, context(sc));
    sc.nr_scanned = scanned as c_ulong;
    if freed == 0 {
        bindings::SHRINK_STOP as c_ulong
    } else {
        freed as c_ulong
    }
}

/// Tell lockdep that reclaim takes [`Device::lists`], so that allocating
/// memory under it is reported at once, not when reclaim happens to hit.
fn prime_lockdep(dev: &Device) {
    #[cfg(CONFIG_LOCKDEP)]
    // SAFETY: Balanced acquire and release of the reclaim annotation.
    unsafe {
        bindings::fs_reclaim_acquire(bindings::GFP_KERNEL);
        drop(dev.lists.lock());
        bindings::fs_reclaim_release(bindings::GFP_KERNEL);
    }
    #[cfg(not(CONFIG_LOCKDEP))]
    let _ = dev;
}

/// Create and register the kernel shrinker of `dev`, named after its DRM
/// device (`drm-shmem:<device>-<id>` under /sys/kernel/debug/shrinker/).
pub(crate) fn register(dev: &Arc<Device>) -> Result {
    prime_lockdep(dev);
    // SAFETY: The DRM device and its parent are live; the name is copied.
    let shrinker = unsafe {
        let parent = (*dev.drm).dev;
        let name = (*parent).kobj.name;
        bindings::shrinker_alloc(0, c"drm-shmem:%s".as_char_ptr(), name)
    };
    if shrinker.is_null() {
        return Err(ENOMEM);
    }
    // SAFETY: A new, not yet registered shrinker; the device outlives it
    // because `unregister` frees it before the last device reference goes.
    unsafe {
        (*shrinker).count_objects = Some(count_objects);
        (*shrinker).scan_objects = Some(scan_objects);
        (*shrinker).seeks = bindings::DEFAULT_SEEKS as i32;
        (*shrinker).private_data = Arc::as_ptr(dev).cast_mut().cast();
        bindings::shrinker_register(shrinker);
    }
    dev.shrinker
        .store(shrinker, core::sync::atomic::Ordering::Release);
    Ok(())
}

/// Unregister and free the kernel shrinker of `dev`; waits for running
/// scans.
pub(crate) fn unregister(dev: &Device) {
    let shrinker = dev
        .shrinker
        .swap(core::ptr::null_mut(), core::sync::atomic::Ordering::AcqRel);
    if !shrinker.is_null() {
        // SAFETY: Registered by `register`, freed once.
        unsafe { bindings::shrinker_free(shrinker) };
    }
}
