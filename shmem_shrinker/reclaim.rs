// SPDX-License-Identifier: GPL-2.0

//! Where reclaim runs: the kernel shrinker's callbacks and the scan loop.
//!
//! `count_objects` reads the page counts of the device's `drm_gem_lru`s and
//! nothing else. The scan walks the lists cheapest first (purgeable, then
//! evicted-and-purgeable, then, when the context may block and swap has
//! room, evictable and evictable-mapped), in the way of
//! `drm_gem_lru_scan()`: under `gem_lru_mutex` it moves the least recently
//! used object to a private list and takes a reference (skipping objects
//! whose last reference is gone), drops the mutex, trylocks the
//! reservation and only then calls the driver. Objects it leaves alone
//! return to the tail of their list when the scan ends.
//!
//! Lock order: see `device.rs`. The scan never holds `gem_lru_mutex` while
//! it calls the driver or takes a reservation lock, and it never frees an
//! object: a last reference goes to the device's worker.

use crate::device::{lru_first, Device};
use crate::domain;
use crate::memcg::{self, MemcgLists};
use crate::object::Locked;
use crate::policy::{ScanContext, Skip, Verdict};
use crate::state::{Event, Lru};
use core::sync::atomic::Ordering;
use kernel::{bindings, prelude::*, sync::Arc, types::Opaque};

type Shmem = bindings::drm_gem_shmem_object;

/// Zap every userspace mapping of the object.
fn unmap_userspace(o: &Locked) {
    let obj = o.gem();
    // SAFETY: The object is live; a DRM device's anon inode exists for its
    // whole life.
    unsafe {
        let mapping = (*(*(*obj).dev).anon_inode).i_mapping;
        bindings::drm_vma_node_unmap(&raw mut (*obj).vma_node, mapping);
    }
}

/// Release the cached scatter/gather table and its page use.
pub(crate) fn release_sgt(o: &Locked) {
    let shmem = o.shmem();
    // SAFETY: Live object, lock held; the table holds one page use.
    unsafe {
        if !(*shmem).sgt.is_null() {
            bindings::__drm_gem_shmem_free_sgt_locked(shmem);
            bindings::drm_gem_shmem_put_pages_locked(shmem);
        }
    }
}

/// The core's part of eviction, after the driver's: userspace's mappings
/// go, then the pages lose their last use and become swappable; the
/// content stays in the shmem file.
///
/// The pages are marked dirty: the device and CPU mappings that insert
/// PFNs may write them without dirtying the struct pages, and reclaim would
/// otherwise drop them as clean instead of writing them to swap. They are
/// not marked accessed, so that reclaim takes them first (as msm and
/// panthor do).
///
/// # Safety
///
/// The shrinker holds its use of the pages (the object is resident).
unsafe fn evict_pages(o: &Locked) {
    let shmem = o.shmem();
    unmap_userspace(o);
    // SAFETY: Live object, lock held, and the shrinker's use is the last
    // one but the table's (checked by the caller).
    unsafe {
        (*shmem).set_pages_mark_dirty_on_put(true);
        (*shmem).set_pages_mark_accessed_on_put(false);
        release_sgt(o);
        bindings::drm_gem_shmem_put_pages_locked(shmem);
    }
}

/// The core's part of purging, after the driver's: the pages (if any) and
/// the content, in memory or in swap, are dropped for good, and CPU faults
/// get SIGBUS from now on.
///
/// Userspace's page-table entries go first: they map the pages without
/// holding a use, so a page released while still mapped could be reused
/// under a live mapping.
///
/// # Safety
///
/// If `resident`, the shrinker holds its use of the pages.
unsafe fn purge_pages(o: &Locked, resident: bool) {
    let shmem = o.shmem();
    let obj = o.gem();
    unmap_userspace(o);
    // SAFETY: Live object, lock held; see the function's requirement.
    unsafe {
        if resident {
            release_sgt(o);
            bindings::drm_gem_shmem_put_pages_locked(shmem);
        }
        (*shmem).madv = -1;
        bindings::drm_gem_free_mmap_offset(obj);
        // Drops every page and swap entry of the file; no invalidation of
        // the mapping is needed after it (it is empty).
        bindings::shmem_truncate_range((*(*obj).filp).f_inode, 0, !0);
    }
}

/// How long reclaim waits, per object, for its fences to signal: a few
/// jiffies, as msm does, so that a scan never waits without a short bound.
const FENCE_WAIT_JIFFIES: c_ulong = 10;

/// Wait up to [`FENCE_WAIT_JIFFIES`] for every fence of the object, jobs
/// and bookkeeping alike, to signal; whether they did.
///
/// # Safety
///
/// `obj` is live.
unsafe fn wait_idle(obj: *mut bindings::drm_gem_object) -> bool {
    // SAFETY: The object and its reservation are live.
    unsafe {
        bindings::dma_resv_wait_timeout(
            (*obj).resv,
            bindings::dma_resv_usage_DMA_RESV_USAGE_BOOKKEEP,
            false,
            FENCE_WAIT_JIFFIES,
        ) > 0
    }
}

/// Whether anyone but the shrinker uses the pages: pins, kernel mappings,
/// or page uses beyond the shrinker's own and that of a cached
/// scatter/gather table. Fewer uses than that means a driver dropped one
/// it did not own: reported, and the object is left alone.
fn pages_in_use(o: &Locked) -> bool {
    let shmem = o.shmem();
    // SAFETY: Live object, lock held.
    let (pin, vmap) = unsafe {
        (
            bindings::refcount_read(&(*shmem).pages_pin_count),
            bindings::refcount_read(&(*shmem).vmap_use_count),
        )
    };
    let (used, sgt) = o.page_uses();
    let own = 1 + u32::from(sgt);
    // A driver dropped a page use it did not own.
    kernel::warn_on!(used < own);
    pin != 0 || vmap != 0 || used != own
}

/// Try to reclaim one object taken from list `l` of `lists`, whose lock
/// the scan holds. Returns the pages of memory freed and the list the
/// object belongs on now (the scan moves it there), or why it was skipped.
///
/// The object was on one of `lists`; if it moved to other lists meanwhile
/// (its pages came back in another cgroup, or a driver untracked it and
/// tracked it again elsewhere), it is left to those.
fn reclaim_one(
    lists: &MemcgLists,
    o: &mut Locked,
    l: Lru,
    ctx: &mut ScanContext,
) -> Result<(usize, Option<Lru>), Skip> {
    let dev = &*lists.dev;
    let shmem = o.shmem();
    let obj = o.gem();
    let (owner, t) = o.tracked().map_err(|_| Skip::Dying)?;
    if !core::ptr::eq(owner, lists) {
        return Err(Skip::Busy);
    }
    // The state may have changed since the object was picked; an object in
    // use stays on its list until here (see `Locked::apply`).
    if t.lru() != Some(l) {
        if t.lru().is_none() {
            // SAFETY: A live object; takes the list lock, which nests
            // inside the reservation lock.
            unsafe { bindings::drm_gem_lru_remove(obj) };
        }
        return Err(Skip::Busy);
    }
    let referenced = t.take_referenced();
    let pages = t.pages();
    let resident = t.state().is_resident();
    // A job of one of its domains is a use of the object too (rule 4 of
    // `domain_rules.rs`): idle domains' objects go first. Both marks are
    // taken at once, so that the object is passed over once.
    let used_by_jobs = l.event() == Event::Evict && domain::take_used_by_jobs(o);
    if referenced || used_by_jobs {
        return Err(Skip::Referenced);
    }
    let ops = dev.ops;
    // SAFETY: Live object, lock held.
    let (shared, idle) = unsafe {
        (
            !(*obj).import_attach.is_null() || !(*obj).dma_buf.is_null(),
            bindings::dma_resv_test_signaled(
                (*obj).resv,
                bindings::dma_resv_usage_DMA_RESV_USAGE_BOOKKEEP,
            ),
        )
    };
    // Another device may use a dma-buf's pages at any time.
    if shared || (resident && pages_in_use(o)) {
        return Err(Skip::Busy);
    }
    // The device's use shows in the fences; with the reservation held, no
    // new one can be added, so once they signal, the driver's callback
    // finds the object idle.
    // SAFETY: Live object, lock held.
    let idle = idle || (ctx.can_block && unsafe { wait_idle(obj) });
    if !idle {
        return Err(Skip::Busy);
    }
    let event = l.event();
    if event == Event::Evict && !ctx.take_swap(pages) {
        return Err(Skip::NoSwap);
    }
    // Eviction first puts the object's domain mappings on their domains'
    // lists, which fails while a job of one of them is counted.
    if event == Event::Evict && !domain::mark_evicted(o) {
        return Err(Skip::Busy);
    }
    // SAFETY: The driver's callbacks, with the reservation lock held. An
    // object is DONTNEED, and so on a purge list, only with a purge
    // callback (`Locked::madvise`).
    let ret = unsafe {
        match (event, ops.evict, ops.purge) {
            (Event::Evict, Some(evict), _) => evict(shmem, ctx.can_block),
            (Event::Evict, None, _) => 0,
            (_, _, Some(purge)) => purge(shmem, ctx.can_block),
            (_, _, None) => return Err(Skip::Busy),
        }
    };
    if ret != 0 {
        if event == Event::Evict {
            domain::unmark_evicted(o);
        }
        return Err(if ret == EAGAIN.to_errno() {
            Skip::Locked
        } else {
            Skip::Busy
        });
    }
    match event {
        // The device stops using the pages through any domain mapping.
        Event::Evict => domain::unmap_all(o, &ops),
        // Purged from swap: its mappings leave the lists for good (the
        // driver's purge tore them down). A resident object's mappings are
        // on no list: nothing to take, and no domain lock on this path.
        _ if !resident => domain::unmark_evicted(o),
        _ => {}
    }
    // SAFETY: The driver tore its access down; a resident object holds
    // the shrinker's use of the pages.
    unsafe {
        match event {
            Event::Evict => evict_pages(o),
            _ => purge_pages(o, resident),
        }
    }
    // Cannot fail: the state was checked above under the same lock.
    let to = o.apply_reclaim(event).map_err(|_| Skip::Busy)?;
    match event {
        Event::Evict => dev.stats.evicted(pages),
        _ => dev.stats.purged(pages),
    }
    Ok((if l.frees_memory() { pages } else { 0 }, to))
}

/// What a scan did.
#[derive(Default)]
pub(crate) struct ScanResult {
    /// Pages of memory freed.
    pub(crate) freed: usize,
    /// Pages looked at.
    pub(crate) scanned: usize,
    /// Pages of objects skipped because their reservation was held.
    pub(crate) contended: usize,
}

/// Scan list `l` of `lists` for up to `nr_to_scan` pages.
fn scan_list(
    lists: &MemcgLists,
    l: Lru,
    nr_to_scan: usize,
    ctx: &mut ScanContext,
    res: &mut ScanResult,
) {
    let dev = &lists.dev;
    let lru = lists.lru(l);
    // Objects looked at and left alone, and those among them that were
    // passed over only for a recent use.
    let still = Opaque::<bindings::drm_gem_lru>::uninit();
    let second = Opaque::<bindings::drm_gem_lru>::uninit();
    // SAFETY: Scans run only while the device is registered, so `drm` is
    // live (invariant of `Device`).
    let lock = unsafe { &raw mut (*dev.drm).gem_lru_mutex };
    // SAFETY: Private lists, protected by the same lock as the others.
    unsafe {
        bindings::drm_gem_lru_init(still.get());
        bindings::drm_gem_lru_init(second.get());
        bindings::mutex_lock(lock);
    }
    // Pass 0 takes the list. Pass 1, if pass 0 did not free enough, takes
    // only the objects pass 0 passed over for a recent use, whose
    // referenced flags are clear now (the clock algorithm); the others are
    // not looked at twice.
    for pass in 0..2 {
        let src = if pass == 0 { lru } else { second.get() };
        while res.freed < nr_to_scan {
            // SAFETY: The lock is held.
            let Some(obj) = (unsafe { lru_first(src) }) else {
                break;
            };
            // SAFETY: The lock is held; the object is on one of the device's
            // lists, so it is tracked and its memory is live at least until its
            // release takes it off, which needs the lock.
            let got = unsafe {
                bindings::drm_gem_lru_move_tail_locked(still.get(), obj);
                bindings::kref_get_unless_zero(&raw mut (*obj).refcount) != 0
            };
            dev.stats.scanned();
            if !got {
                dev.stats.skipped(Skip::Dying);
                continue;
            }
            // SAFETY: The scan holds a reference now.
            let pages = unsafe { (*obj).size } >> bindings::PAGE_SHIFT;
            // SAFETY: Held above.
            unsafe { bindings::mutex_unlock(lock) };
            // SAFETY: The device's lists hold GEM shmem objects only.
            let shmem = unsafe { kernel::container_of!(obj, Shmem, base) };
            // SAFETY: The scan holds a reference. Trylock, because reclaim may
            // run on behalf of someone who holds this very lock.
            let result = match unsafe { Locked::trylock(shmem) } {
                Some(mut o) => {
                    let r = reclaim_one(lists, &mut o, l, ctx);
                    // SAFETY: The list lock nests inside the reservation
                    // lock. A reclaimed object leaves the scan's private
                    // list for the one its state names, under both locks.
                    unsafe {
                        bindings::mutex_lock(lock);
                        if let Ok((_, to)) = r {
                            match to {
                                Some(to) => {
                                    bindings::drm_gem_lru_move_tail_locked(lists.lru(to), obj)
                                }
                                None => bindings::drm_gem_lru_remove_locked(obj),
                            }
                        }
                    }
                    r.map(|(n, _)| n)
                }
                None => {
                    // SAFETY: As above; no reservation lock is held.
                    unsafe { bindings::mutex_lock(lock) };
                    Err(Skip::Locked)
                }
            };
            res.scanned += pages;
            match result {
                Ok(n) => res.freed += n,
                Err(why) => {
                    // Its reservation, or (the driver's -EAGAIN) a lock of
                    // the driver's, was held: the kernel should come back.
                    if why == Skip::Locked {
                        res.contended += pages;
                    }
                    if why == Skip::Referenced && pass == 0 {
                        // SAFETY: The lock is held; the object is on `still`.
                        unsafe { bindings::drm_gem_lru_move_tail_locked(second.get(), obj) };
                    }
                    dev.stats.skipped(why);
                }
            }
            // SAFETY: The list lock is held (taken above); the scan's
            // reference is dropped with it, the last one through the worker.
            unsafe { dev.put_reference_locked(obj) };
        }
    }
    // Objects left alone go back to the tail, in the order they were seen,
    // the recently used ones last.
    for list in [still.get(), second.get()] {
        // SAFETY: The lock is held.
        while let Some(obj) = unsafe { lru_first(list) } {
            // SAFETY: As above.
            unsafe { bindings::drm_gem_lru_move_tail_locked(lru, obj) };
        }
    }
    // SAFETY: Held since the top or the last iteration.
    unsafe { bindings::mutex_unlock(lock) };
}

/// Scan the lists of `set` that `ctx` allows, cheapest first across all
/// of them (every cgroup's purgeable objects before any is evicted), for
/// up to `nr_to_scan` pages.
pub(crate) fn scan(
    dev: &Device,
    set: &[Option<Arc<MemcgLists>>],
    nr_to_scan: usize,
    mut ctx: ScanContext,
) -> ScanResult {
    let mut res = ScanResult::default();
    if !dev.enter_scan() {
        return res;
    }
    'lists: for &l in ctx.lists() {
        for lists in set.iter().flatten() {
            // Eviction may have used up the room left in swap.
            if res.freed >= nr_to_scan || (l.event() == Event::Evict && !ctx.can_evict()) {
                break 'lists;
            }
            scan_list(lists, l, nr_to_scan, &mut ctx, &mut res);
        }
    }
    dev.exit_scan();
    res
}

/// Scan now, for a test or debugfs, as reclaim would: lockdep sees the scan
/// inside a reclaim context (`fs_reclaim`), as in direct reclaim without
/// `PF_MEMALLOC`, so an allocation that may enter reclaim or a lock also
/// held around such allocations, in the core or in a driver's callback, is
/// reported at once instead of when memory happens to run short.
///
/// Scans every cgroup's lists, as global reclaim would over its walk of
/// the cgroups.
pub(crate) fn scan_now(dev: &Arc<Device>, nr_to_scan: usize, ctx: ScanContext) -> ScanResult {
    let Ok(set) = memcg::all(dev) else {
        return ScanResult::default();
    };
    #[cfg(CONFIG_LOCKDEP)]
    // SAFETY: Balanced with the release below.
    unsafe {
        bindings::fs_reclaim_acquire(bindings::GFP_KERNEL)
    };
    let res = scan(dev, &set, nr_to_scan, ctx);
    #[cfg(CONFIG_LOCKDEP)]
    // SAFETY: Acquired above.
    unsafe {
        bindings::fs_reclaim_release(bindings::GFP_KERNEL)
    };
    res
}

/// Free swap space, in pages.
fn swap_pages() -> usize {
    // SAFETY: Reads a counter.
    unsafe { bindings::get_nr_swap_pages() }.max(0) as usize
}

/// The device of a kernel shrinker.
///
/// # Safety
///
/// `shrinker` is one that [`register`] set up and has not freed.
unsafe fn device_of<'a>(shrinker: *mut bindings::shrinker) -> &'a Arc<Device> {
    // SAFETY: `private_data` is the registration's `Arc<Device>`, which
    // outlives the shrinker (`unregister` frees the shrinker first).
    unsafe { &*(*shrinker).private_data.cast::<Arc<Device>>() }
}

/// `count_objects`: reads the page counts of the lists of `sc`'s cgroup
/// and node (and of its removed children's), never the objects; nothing
/// while reclaim is blocked. Never `SHRINK_EMPTY`, which would clear the
/// cgroup's shrinker bit: only a `list_lru_add()` of new lists sets it
/// again.
///
/// # Safety
///
/// Called by the kernel with the shrinker that `register` set up.
unsafe extern "C" fn count_objects(
    shrinker: *mut bindings::shrinker,
    sc: *mut bindings::shrink_control,
) -> c_ulong {
    // SAFETY: As the function's safety requirement says; `sc` is valid for
    // the call, and its cgroup (if any) is live for it.
    let (dev, sc) = unsafe { (device_of(shrinker), &*sc) };
    if dev.is_blocked() {
        return 0;
    }
    let pages = memcg::pages_of(dev, sc.memcg, sc.nid);
    crate::policy::count(&pages, swap_pages() > 0) as c_ulong
}

/// What `count_objects` would say for the whole device (every cgroup and
/// node), for tests and measurements.
pub(crate) fn count_now(dev: &Device) -> c_ulong {
    if dev.shrinker.load(Ordering::Acquire).is_null() || dev.is_blocked() {
        return 0;
    }
    crate::policy::count(&dev.lru_pages(), swap_pages() > 0) as c_ulong
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
    // SAFETY: As the function's safety requirement says; `sc` is valid for
    // the call.
    let (dev, sc) = unsafe { (device_of(shrinker), &mut *sc) };
    let ctx = ScanContext {
        // SAFETY: Pure function of the flags.
        can_block: unsafe { bindings::gfpflags_allow_blocking(sc.gfp_mask) },
        swap_pages: swap_pages(),
    };
    let mut set = [const { None }; memcg::MAX_SCANNED];
    memcg::scanned(dev, sc.memcg, sc.nid, &mut set);
    let res = scan(dev, &set, sc.nr_to_scan, ctx);
    sc.nr_scanned = res.scanned as c_ulong;
    let retries = dev.retries.load(Ordering::Relaxed);
    match crate::policy::verdict(res.freed, res.contended, retries) {
        Verdict::Freed(n) => {
            dev.retries.store(0, Ordering::Relaxed);
            n as c_ulong
        }
        Verdict::Retry => {
            dev.retries.store(retries + 1, Ordering::Relaxed);
            0
        }
        Verdict::Stop => {
            dev.retries.store(0, Ordering::Relaxed);
            bindings::SHRINK_STOP as c_ulong
        }
    }
}

/// Tell lockdep that reclaim takes `gem_lru_mutex`, so that allocating
/// memory under it is reported at once, not when reclaim happens to hit.
fn prime_lockdep(dev: &Device) {
    #[cfg(CONFIG_LOCKDEP)]
    // SAFETY: Balanced acquire and release of the reclaim annotation and
    // of the mutex of the live DRM device.
    unsafe {
        let lock = &raw mut (*dev.drm).gem_lru_mutex;
        bindings::fs_reclaim_acquire(bindings::GFP_KERNEL);
        bindings::mutex_lock(lock);
        bindings::mutex_unlock(lock);
        bindings::fs_reclaim_release(bindings::GFP_KERNEL);
    }
    #[cfg(not(CONFIG_LOCKDEP))]
    let _ = dev;
}

/// Create and register the kernel shrinker of `dev`, named after its DRM
/// device (`drm-shmem:<device>-<id>` under /sys/kernel/debug/shrinker/).
/// `dev` must stay where it is until [`unregister`].
pub(crate) fn register(dev: &Arc<Device>) -> Result {
    prime_lockdep(dev);
    // SAFETY: The DRM device and its parent are live; the name is copied.
    let shrinker = unsafe {
        let name = (*(*dev.drm).dev).kobj.name;
        bindings::shrinker_alloc(memcg::SHRINKER_FLAGS, c"drm-shmem:%s".as_char_ptr(), name)
    };
    if shrinker.is_null() {
        return Err(ENOMEM);
    }
    if let Err(e) = memcg::init(dev, shrinker) {
        // SAFETY: Allocated above, never registered.
        unsafe { bindings::shrinker_free(shrinker) };
        return Err(e);
    }
    // SAFETY: A new, not yet registered shrinker; `dev` (the registration's
    // field) outlives it because `unregister` frees it first.
    unsafe {
        (*shrinker).count_objects = Some(count_objects);
        (*shrinker).scan_objects = Some(scan_objects);
        (*shrinker).seeks = bindings::DEFAULT_SEEKS as i32;
        (*shrinker).private_data = core::ptr::from_ref(dev).cast_mut().cast();
        bindings::shrinker_register(shrinker);
    }
    dev.shrinker.store(shrinker, Ordering::Release);
    Ok(())
}

/// Unregister and free the kernel shrinker of `dev`; waits for running
/// scans.
pub(crate) fn unregister(dev: &Device) {
    let shrinker = dev.shrinker.swap(core::ptr::null_mut(), Ordering::AcqRel);
    if !shrinker.is_null() {
        // SAFETY: Registered by `register`, freed once.
        unsafe { bindings::shrinker_free(shrinker) };
    }
}
