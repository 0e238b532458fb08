// SPDX-License-Identifier: GPL-2.0

//! The C ABI of the GEM shmem shrinker: what C drivers call.
//!
//! cbindgen reads this file (and only this file) to generate
//! `include/drm/drm_gem_shmem_shrinker.h`; the doc comments below become the
//! header's kernel-doc. Every function that can fail validates its
//! arguments and returns a negative errno instead of trusting them: NULL or
//! untracked objects and unknown values are errors, never warnings or
//! crashes. What only a driver bug does (a put without its get, tracking an
//! object whose pages are in use, untracking one that is mapped or used, a
//! table handed out while the object was not resident) is refused or
//! undone, state unchanged, and also reported with a warning, once per kind
//! of misuse, to find the caller. Teardown (unregister, put, suspend,
//! resume) cannot fail and returns nothing; untrack returns 0 or -EBUSY.
//!
//! There is no lookup: a handle is a pointer to the registration, and a
//! tracked object points to its device's shrinker.

// The C names are the ABI, and cbindgen only exports `pub` items.
#![allow(non_camel_case_types, unreachable_pub)]

use crate::device::{Ops, Registration};
use crate::domain::{self, Domain};
use crate::object::{Locked, OpError};
use crate::policy::{ScanContext, StatsSnapshot};
use crate::reclaim;
use crate::state::{Class, Madv, State, Use};
use kernel::{bindings, error::from_result, prelude::*, sync::Arc};

// A DRM device's shrinker, opaque to C: returned by
// drm_gem_shmem_shrinker_register() and passed to the device-wide
// functions. (A plain comment: kernel-doc cannot document a bare forward
// declaration.)
#[allow(missing_docs)]
pub struct drm_gem_shmem_shrinker {
    _opaque: [u8; 0],
}

// A GPU address space (VM) of a device, opaque to C: returned by
// drm_gem_shmem_shrinker_domain_create() and passed to the job and mapping
// functions.
#[allow(missing_docs)]
pub struct drm_gem_shmem_shrinker_domain {
    _opaque: [u8; 0],
}

/// struct drm_gem_shmem_shrinker_mapping - A tracked object's mapping in a domain
///
/// Embedded in the driver's own record of one object's mapping in one GPU
/// address space, zeroed before drm_gem_shmem_shrinker_mapping_add_locked()
/// (kzalloc()). The core's callbacks @map and @unmap get it back, and the
/// driver finds its record with container_of(). Every member is private to
/// the core.
#[repr(C)]
pub struct drm_gem_shmem_shrinker_mapping {
    /// @next: The object's next mapping (under its reservation lock).
    pub next: *mut drm_gem_shmem_shrinker_mapping,
    /// @evicted_link: On the domain's list of evicted mappings, while the
    /// object is evicted (under the domain's lock).
    pub evicted_link: bindings::list_head,
    /// @domain: The domain, while the mapping is added.
    pub domain: *mut drm_gem_shmem_shrinker_domain,
    /// @shmem: The object, while the mapping is added.
    pub shmem: *mut bindings::drm_gem_shmem_object,
    /// @jobs_seen: The domain's count of begun jobs when reclaim last
    /// looked at the object (under the domain's lock).
    pub jobs_seen: u64,
}

/// struct drm_gem_shmem_shrinker_ops - Driver callbacks of the shrinker
///
/// Each callback is called with the object's reservation lock held and may
/// not take it again. The core skips objects that are imported or exported
/// as dma-bufs, pinned, vmapped, whose pages have uses beyond its own, or
/// whose fences do not signal in time (see @purge).
/// Reclaim calls @purge and @evict from a shrinker
/// context: allocate there only without entering reclaim (GFP_NOWAIT, and
/// never __GFP_NOFAIL) and handle a failure with -EBUSY; any wait must be
/// bounded and must not depend on memory reclaim making progress. Scans
/// started by hand (debugfs, drm_gem_shmem_shrinker_scan()) run inside
/// lockdep's reclaim context, so lockdep reports an allocation or a lock
/// that breaks this at once. Locks the driver needs there are trylocked:
/// -EAGAIN says one was contended, which the scan counts as a contended
/// object, so that the kernel comes back.
///
/// Call-context rules for the driver's other paths:
///
/// - @swap_in runs inside drm_gem_shmem_get_pages_locked() (and so inside
///   every helper that takes pages: pin, vmap, get_pages_sgt, the fault
///   handler) and inside drm_gem_shmem_shrinker_get(), _swap_in_locked()
///   and _get_pages_sgt_locked(). A lock that @swap_in takes must never be
///   held while one of those is called on a tracked object of the device.
/// - A new device mapping of a tracked object (a GPU VA map, an attach) is
///   made with the reservation held, after drm_gem_shmem_shrinker_swap_in_locked()
///   or _get_pages_sgt_locked() returned, and before the reservation is
///   dropped it must be where @evict and @purge find it. Otherwise a scan
///   between the two would evict the object without tearing it down.
#[repr(C)]
pub struct drm_gem_shmem_shrinker_ops {
    /// @purge: The object's content is about to be destroyed for good.
    /// The core calls it only once every fence of the object's reservation
    /// has signalled: it waits up to 10 jiffies for them if @can_block and
    /// skips the object if they have not; no new fence comes while the
    /// reservation is held. Stop every device access to its pages (unmap
    /// them from the GPU, detach them from the host); wait for the device
    /// only if @can_block.
    /// Return 0, -EBUSY to have the object skipped, or -EAGAIN (contended).
    /// The core then drops the pages, truncates the shmem file and makes CPU faults on the
    /// object raise SIGBUS. Optional: a driver without one has no
    /// madvise, and drm_gem_shmem_shrinker_madvise() refuses DONTNEED
    /// (-EOPNOTSUPP), so nothing of it is ever purged.
    pub purge: Option<
        unsafe extern "C" fn(shmem: *mut bindings::drm_gem_shmem_object, can_block: bool) -> c_int,
    >,
    /// @evict: The object's pages are about to be released to swap. Stop
    /// every device access to them, as for @purge (eviction only happens
    /// in contexts that may block, so @can_block is always true today).
    /// Return 0, -EBUSY to have the object skipped, or -EAGAIN (contended).
    /// The core then releases the pages and the table that @swap_in was
    /// given; their content is kept and comes back on swap-in. Called
    /// after the object's mappings went on their domains' lists and before
    /// @unmap. Required, unless all of the driver's device access goes
    /// through domain mappings (@map and @unmap).
    pub evict: Option<
        unsafe extern "C" fn(shmem: *mut bindings::drm_gem_shmem_object, can_block: bool) -> c_int,
    >,
    /// @swap_in: The pages of an evicted object are back
    /// (&drm_gem_shmem_object.pages is valid) and @sgt, the object's
    /// scatter/gather table, DMA-mapped for the device, was built by the
    /// core for it: restore the device access that @evict tore down from
    /// @sgt. The core owns the table: it lives until the pages are
    /// reclaimed again, and the driver neither frees it nor counts it as a
    /// use. Called from whichever shmem helper brought the pages back
    /// (get_pages, pin, vmap, get_pages_sgt, the fault handler) or from
    /// drm_gem_shmem_shrinker_get(), _swap_in_locked() or
    /// _get_pages_sgt_locked(). Return 0 or a negative errno, which that
    /// function returns; the object then stays evicted, and the core frees
    /// the table and the pages. Called after @map restored the object's
    /// domain mappings. Required, unless all of the driver's device access
    /// goes through domain mappings.
    pub swap_in: Option<
        unsafe extern "C" fn(
            shmem: *mut bindings::drm_gem_shmem_object,
            sgt: *mut bindings::sg_table,
        ) -> c_int,
    >,
    /// @map: Map one of an evicted object's domain mappings (see
    /// drm_gem_shmem_shrinker_mapping_add_locked()) again, at the device
    /// address it had, from @sgt (as for @swap_in): the pages are back.
    /// Called for each mapping of the object, from wherever the pages came
    /// back (also drm_gem_shmem_shrinker_job_begin()). Return 0 or a
    /// negative errno; the core then unmaps those it mapped (@unmap) and
    /// the object stays evicted. Optional, with @unmap.
    pub map: Option<
        unsafe extern "C" fn(
            mapping: *mut drm_gem_shmem_shrinker_mapping,
            sgt: *mut bindings::sg_table,
        ) -> c_int,
    >,
    /// @unmap: Unmap one of an object's domain mappings from the device
    /// (with the flush that makes the device stop using the pages), keeping
    /// its device address for @map. Called for each mapping when the object
    /// is evicted, which happens only while none of its domains has a job
    /// counted. Cannot fail. Optional, with @map.
    pub unmap: Option<unsafe extern "C" fn(mapping: *mut drm_gem_shmem_shrinker_mapping)>,
}

/// DRM_GEM_SHMEM_SHRINKER_USE_PIN - the pages are pinned (scanout, dma-buf export).
pub const DRM_GEM_SHMEM_SHRINKER_USE_PIN: u32 = 0;
/// DRM_GEM_SHMEM_SHRINKER_USE_VMAP - the pages are mapped into the kernel (vmap).
pub const DRM_GEM_SHMEM_SHRINKER_USE_VMAP: u32 = 1;
/// DRM_GEM_SHMEM_SHRINKER_USE_SGT - the scatter/gather table that
/// drm_gem_shmem_get_pages_sgt() or _locked() handed out is in use. Those
/// helpers begin it themselves: a path that was not converted may keep the
/// table for the object's whole life, so the object is not reclaimed until
/// the driver ends the use with drm_gem_shmem_shrinker_put_locked() (for
/// instance where it tears down what it built from the table). Not a
/// count: one table per object, and one put ends the use.
pub const DRM_GEM_SHMEM_SHRINKER_USE_SGT: u32 = 2;

/// DRM_GEM_SHMEM_SHRINKER_MADV_WILLNEED - the content is needed.
pub const DRM_GEM_SHMEM_SHRINKER_MADV_WILLNEED: u32 = 0;
/// DRM_GEM_SHMEM_SHRINKER_MADV_DONTNEED - the content may be purged under memory pressure.
pub const DRM_GEM_SHMEM_SHRINKER_MADV_DONTNEED: u32 = 1;

/// DRM_GEM_SHMEM_SHRINKER_STATE_UNPOPULATED - tracked, pages never brought in.
pub const DRM_GEM_SHMEM_SHRINKER_STATE_UNPOPULATED: u32 = 0;
/// DRM_GEM_SHMEM_SHRINKER_STATE_IN_USE - pages resident and in use; not reclaimable.
pub const DRM_GEM_SHMEM_SHRINKER_STATE_IN_USE: u32 = 1;
/// DRM_GEM_SHMEM_SHRINKER_STATE_PURGEABLE - resident, idle, DONTNEED: will be purged first.
pub const DRM_GEM_SHMEM_SHRINKER_STATE_PURGEABLE: u32 = 2;
/// DRM_GEM_SHMEM_SHRINKER_STATE_EVICTABLE - resident, idle, not mapped to
/// userspace: may be evicted.
pub const DRM_GEM_SHMEM_SHRINKER_STATE_EVICTABLE: u32 = 3;
/// DRM_GEM_SHMEM_SHRINKER_STATE_EVICTABLE_MAPPED - resident, idle, mapped to
/// userspace: may be evicted, at a higher cost.
pub const DRM_GEM_SHMEM_SHRINKER_STATE_EVICTABLE_MAPPED: u32 = 4;
/// DRM_GEM_SHMEM_SHRINKER_STATE_EVICTED - pages released to swap; content kept.
pub const DRM_GEM_SHMEM_SHRINKER_STATE_EVICTED: u32 = 5;
/// DRM_GEM_SHMEM_SHRINKER_STATE_PURGED - content destroyed.
pub const DRM_GEM_SHMEM_SHRINKER_STATE_PURGED: u32 = 6;
/// DRM_GEM_SHMEM_SHRINKER_NR_STATES - the number of states.
pub const DRM_GEM_SHMEM_SHRINKER_NR_STATES: usize = 7;

/// struct drm_gem_shmem_shrinker_object_info - One object, as the core sees it
#[repr(C)]
pub struct drm_gem_shmem_shrinker_object_info {
    /// @state: One of DRM_GEM_SHMEM_SHRINKER_STATE_*.
    pub state: u32,
    /// @pins: Pin uses held.
    pub pins: u32,
    /// @vmaps: Vmap uses held.
    pub vmaps: u32,
    /// @mmaps: Userspace mappings.
    pub mmaps: u32,
}

/// struct drm_gem_shmem_shrinker_stats - Counters of one device
#[repr(C)]
pub struct drm_gem_shmem_shrinker_stats {
    /// @objects: Objects per state, indexed by DRM_GEM_SHMEM_SHRINKER_STATE_*.
    pub objects: [u64; DRM_GEM_SHMEM_SHRINKER_NR_STATES],
    /// @pages: Pages of those objects.
    pub pages: [u64; DRM_GEM_SHMEM_SHRINKER_NR_STATES],
    /// @scanned: Objects looked at by scans.
    pub scanned: u64,
    /// @purged: Objects purged.
    pub purged: u64,
    /// @evicted: Objects evicted.
    pub evicted: u64,
    /// @swapped_in: Evicted objects brought back.
    pub swapped_in: u64,
    /// @skipped_locked: Objects skipped because their reservation was held.
    pub skipped_locked: u64,
    /// @skipped_busy: Objects skipped because they were in use.
    pub skipped_busy: u64,
    /// @skipped_dying: Objects skipped because they were being freed.
    pub skipped_dying: u64,
    /// @skipped_no_swap: Objects not evicted because swap had no room for them.
    pub skipped_no_swap: u64,
    /// @skipped_referenced: Objects used since the last scan, given a second chance.
    pub skipped_referenced: u64,
    /// @purged_pages: Pages of the objects purged.
    pub purged_pages: u64,
    /// @evicted_pages: Pages of the objects evicted.
    pub evicted_pages: u64,
    /// @swapped_in_pages: Pages of the objects brought back.
    pub swapped_in_pages: u64,
}

fn err_ptr<T>(e: Error) -> *mut T {
    e.to_errno() as isize as *mut T
}

fn use_from(value: u32) -> Result<Use> {
    match value {
        DRM_GEM_SHMEM_SHRINKER_USE_PIN => Ok(Use::Pin),
        DRM_GEM_SHMEM_SHRINKER_USE_VMAP => Ok(Use::Vmap),
        DRM_GEM_SHMEM_SHRINKER_USE_SGT => Ok(Use::Sgt),
        _ => Err(EINVAL),
    }
}

fn madv_from(value: u32) -> Result<Madv> {
    match value {
        DRM_GEM_SHMEM_SHRINKER_MADV_WILLNEED => Ok(Madv::WillNeed),
        DRM_GEM_SHMEM_SHRINKER_MADV_DONTNEED => Ok(Madv::DontNeed),
        _ => Err(EINVAL),
    }
}

fn state_value(s: State) -> u32 {
    match s {
        State::Unpopulated => DRM_GEM_SHMEM_SHRINKER_STATE_UNPOPULATED,
        State::InUse => DRM_GEM_SHMEM_SHRINKER_STATE_IN_USE,
        State::Reclaimable(Class::Purgeable) => DRM_GEM_SHMEM_SHRINKER_STATE_PURGEABLE,
        State::Reclaimable(Class::Evictable) => DRM_GEM_SHMEM_SHRINKER_STATE_EVICTABLE,
        State::Reclaimable(Class::EvictableMapped) => DRM_GEM_SHMEM_SHRINKER_STATE_EVICTABLE_MAPPED,
        State::Evicted => DRM_GEM_SHMEM_SHRINKER_STATE_EVICTED,
        State::Purged => DRM_GEM_SHMEM_SHRINKER_STATE_PURGED,
    }
}

impl From<StatsSnapshot> for drm_gem_shmem_shrinker_stats {
    /// The cumulative counters; the per-state arrays are left zero.
    fn from(s: StatsSnapshot) -> Self {
        Self {
            objects: [0; DRM_GEM_SHMEM_SHRINKER_NR_STATES],
            pages: [0; DRM_GEM_SHMEM_SHRINKER_NR_STATES],
            scanned: s.scanned,
            purged: s.purged,
            evicted: s.evicted,
            swapped_in: s.swapped_in,
            skipped_locked: s.skipped_locked,
            skipped_busy: s.skipped_busy,
            skipped_dying: s.skipped_dying,
            skipped_no_swap: s.skipped_no_swap,
            skipped_referenced: s.skipped_referenced,
            purged_pages: s.purged_pages,
            evicted_pages: s.evicted_pages,
            swapped_in_pages: s.swapped_in_pages,
        }
    }
}

/// The registration behind a handle.
///
/// # Safety
///
/// `s` is NULL or a live handle from drm_gem_shmem_shrinker_register().
unsafe fn registration<'a>(s: *mut drm_gem_shmem_shrinker) -> Result<&'a Registration> {
    // SAFETY: As the function's safety requirement says.
    unsafe { s.cast::<Registration>().as_ref() }.ok_or(EINVAL)
}

/// Run `f` on `shmem`, whose reservation lock the caller holds.
///
/// # Safety
///
/// `shmem` is NULL or a live object whose reservation lock is held.
unsafe fn with_locked<T>(
    shmem: *mut bindings::drm_gem_shmem_object,
    f: impl FnOnce(&mut Locked) -> Result<T, OpError>,
) -> Result<T> {
    if shmem.is_null() {
        return Err(EINVAL);
    }
    // SAFETY: As the function's safety requirement says.
    let mut o = unsafe { Locked::assume(shmem) };
    Ok(f(&mut o)?)
}

/// Run `f` on `shmem` with its reservation lock taken interruptibly.
///
/// # Safety
///
/// `shmem` is NULL or a live object.
unsafe fn with_lock<T>(
    shmem: *mut bindings::drm_gem_shmem_object,
    f: impl FnOnce(&mut Locked) -> Result<T, OpError>,
) -> Result<T> {
    if shmem.is_null() {
        return Err(EINVAL);
    }
    // SAFETY: As the function's safety requirement says.
    let mut o = unsafe { Locked::lock_interruptible(shmem) }?;
    Ok(f(&mut o)?)
}

/// drm_gem_shmem_shrinker_register - Create and register the shrinker of a DRM device
/// @dev: The DRM device. Its objects must use the GEM shmem helpers, and
///       the driver must not use &drm_gem_object.lru itself.
/// @ops: The driver's callbacks: @evict and @swap_in, or @map and @unmap,
///       or all four; @purge for a driver with madvise. Copied.
///
/// Creates one kernel shrinker for @dev, named "drm-shmem:<device>", which
/// appears under /sys/kernel/debug/shrinker/ with CONFIG_SHRINKER_DEBUG.
/// Its reclaim lists are &drm_gem_lru lists under @dev's gem_lru_mutex.
/// Call once per device, from probe.
///
/// Return: The shrinker, or an ERR_PTR(): -EINVAL when @dev or @ops is NULL
/// or neither @evict and @swap_in nor @map and @unmap are given (or one
/// of a pair is missing), -ENOMEM.
///
/// # Safety
///
/// @dev is NULL or a live DRM device; @ops is NULL or points to a valid ops
/// table.
#[no_mangle]
pub unsafe extern "C" fn drm_gem_shmem_shrinker_register(
    dev: *mut bindings::drm_device,
    ops: *const drm_gem_shmem_shrinker_ops,
) -> *mut drm_gem_shmem_shrinker {
    // SAFETY: The caller passes a valid ops table, or NULL.
    let ops = match unsafe { ops.as_ref() } {
        Some(o) => Ops {
            purge: o.purge,
            evict: o.evict,
            swap_in: o.swap_in,
            map: o.map,
            unmap: o.unmap,
        },
        None => return err_ptr(EINVAL),
    };
    let object_pair = ops.evict.is_some() && ops.swap_in.is_some();
    let domain_pair = ops.map.is_some() && ops.unmap.is_some();
    if ops.evict.is_some() != ops.swap_in.is_some()
        || ops.map.is_some() != ops.unmap.is_some()
        || !(object_pair || domain_pair)
    {
        return err_ptr(EINVAL);
    }
    if dev.is_null() {
        return err_ptr(EINVAL);
    }
    match Registration::new(dev, ops) {
        Ok(reg) => KBox::into_raw(reg).cast(),
        Err(e) => err_ptr(e),
    }
}

/// drm_gem_shmem_shrinker_unregister - Unregister and free a device's shrinker
/// @s: The shrinker, or NULL (then nothing happens).
///
/// Call from the driver's remove or unplug path, before the device's
/// resources go. Cannot fail: the debugfs files go, the kernel shrinker is
/// freed (which waits for running scans), and the references that scans
/// handed to the core's worker are dropped (their objects may be freed
/// here). Objects still tracked stay usable and are untracked when they
/// are released; @s may not be used again.
///
/// # Safety
///
/// @s is NULL or a value that drm_gem_shmem_shrinker_register() returned
/// and that was not unregistered.
#[no_mangle]
pub unsafe extern "C" fn drm_gem_shmem_shrinker_unregister(s: *mut drm_gem_shmem_shrinker) {
    if !s.is_null() {
        // SAFETY: `register` made `s` with `KBox::into_raw`; freed once.
        drop(unsafe { KBox::from_raw(s.cast::<Registration>()) });
    }
}

/// drm_gem_shmem_shrinker_suspend - Block reclaim across system sleep
/// @s: The device's shrinker.
///
/// Call from the driver's freeze/suspend callback, before the device stops
/// taking commands: waits for running scans, and reclaim leaves the
/// device's objects alone until drm_gem_shmem_shrinker_resume(). Nested
/// calls are not counted.
///
/// # Safety
///
/// @s is NULL or a live value that drm_gem_shmem_shrinker_register() returned.
#[no_mangle]
pub unsafe extern "C" fn drm_gem_shmem_shrinker_suspend(s: *mut drm_gem_shmem_shrinker) {
    // SAFETY: As the function's safety requirement says.
    if let Ok(reg) = unsafe { registration(s) } {
        reg.dev.block();
    }
}

/// drm_gem_shmem_shrinker_resume - Let reclaim run again after system sleep
/// @s: The device's shrinker.
///
/// Call from the driver's thaw/restore/resume callback, once the device
/// takes commands again.
///
/// # Safety
///
/// @s is NULL or a live value that drm_gem_shmem_shrinker_register() returned.
#[no_mangle]
pub unsafe extern "C" fn drm_gem_shmem_shrinker_resume(s: *mut drm_gem_shmem_shrinker) {
    // SAFETY: As the function's safety requirement says.
    if let Ok(reg) = unsafe { registration(s) } {
        reg.dev.unblock();
    }
}

/// drm_gem_shmem_shrinker_track - Let the shrinker manage an object
/// @s: The device's shrinker.
/// @shmem: A GEM shmem object of that device, not imported, not exported,
///         not yet mapped to userspace.
///
/// Call once, after creating the object and before userspace can see it.
/// From then on the shmem helpers call back into the shrinker: whichever
/// helper brings the pages in swaps an evicted object in, and userspace
/// mappings (drm_gem_shmem_mmap() and &drm_gem_shmem_vm_ops) hold no
/// use of the pages, so that mapped objects stay evictable. If the pages
/// are resident already, the object becomes reclaimable at once; otherwise
/// when they first come in. Takes the reservation lock.
///
/// Return: 0, -EINVAL for NULL or imported/exported objects, -EEXIST when
/// already tracked, -EBUSY (with a warning: a driver bug) when its pages
/// have uses besides pins, vmaps and the table: a userspace mapping made
/// before, whose page use the shrinker could never drop, or a driver's own
/// drm_gem_shmem_get_pages_locked().
///
/// # Safety
///
/// @s is NULL or a live value that drm_gem_shmem_shrinker_register()
/// returned; @shmem is NULL or a live GEM shmem object.
#[no_mangle]
pub unsafe extern "C" fn drm_gem_shmem_shrinker_track(
    s: *mut drm_gem_shmem_shrinker,
    shmem: *mut bindings::drm_gem_shmem_object,
) -> c_int {
    from_result(|| {
        // SAFETY: As the function's safety requirement says.
        let reg = unsafe { registration(s) }?;
        if shmem.is_null() {
            return Err(EINVAL);
        }
        // SAFETY: A live object; nobody else can hold its lock for long.
        let mut o = unsafe { Locked::lock(shmem) };
        o.track(reg.home()?)?;
        Ok(0)
    })
}

/// drm_gem_shmem_shrinker_untrack - Stop managing an object
/// @shmem: A GEM shmem object, tracked or not (then nothing happens), or NULL.
///
/// Optional: drm_gem_shmem_release() untracks the object itself. Drops the
/// page use the shrinker held. Only for an object that is idle and not
/// mapped to userspace: tracked mappings hold no page use, so the pages
/// could go while they still map them. A table handed out
/// (DRM_GEM_SHMEM_SHRINKER_USE_SGT) may stay; it holds its own page use.
/// Takes the reservation lock.
///
/// Return: 0 (also for NULL or an untracked object), or -EBUSY (with a
/// warning: a driver bug) when a use is held or userspace maps the object;
/// it then stays tracked.
///
/// # Safety
///
/// @shmem is NULL or a live GEM shmem object.
#[no_mangle]
pub unsafe extern "C" fn drm_gem_shmem_shrinker_untrack(
    shmem: *mut bindings::drm_gem_shmem_object,
) -> c_int {
    if shmem.is_null() {
        return 0;
    }
    from_result(|| {
        // SAFETY: A live object.
        unsafe { Locked::lock(shmem) }.untrack_idle()?;
        Ok(0)
    })
}

/// drm_gem_shmem_shrinker_get_locked - Swap an object in and begin a use
/// @shmem: A tracked object, whose reservation lock the caller holds.
/// @use: DRM_GEM_SHMEM_SHRINKER_USE_PIN or _VMAP.
///
/// On success the pages are resident, the driver's swap_in callback has
/// run if they had been evicted, and the object cannot be reclaimed until
/// the matching drm_gem_shmem_shrinker_put(). Uses nest. (The shmem
/// helpers swap in by themselves; a use tells the shrinker not to look at
/// the object while it lasts.)
///
/// Return: 0, -EINVAL for NULL or an unknown @use, -ENOENT when @shmem is
/// not tracked, -ENODATA when its content was purged, -ENOMEM, or the
/// swap_in callback's error.
///
/// # Safety
///
/// @shmem is NULL or a live GEM shmem object whose reservation lock the
/// caller holds.
#[no_mangle]
pub unsafe extern "C" fn drm_gem_shmem_shrinker_get_locked(
    shmem: *mut bindings::drm_gem_shmem_object,
    r#use: u32,
) -> c_int {
    from_result(|| {
        let what = use_from(r#use)?;
        // SAFETY: As the function's safety requirement says.
        unsafe { with_locked(shmem, |o| o.get(what)) }?;
        Ok(0)
    })
}

/// drm_gem_shmem_shrinker_get - Swap an object in and begin a use
/// @shmem: A tracked object.
/// @use: DRM_GEM_SHMEM_SHRINKER_USE_PIN or _VMAP.
///
/// As drm_gem_shmem_shrinker_get_locked(), taking the reservation lock.
///
/// Return: As drm_gem_shmem_shrinker_get_locked(), and -EINTR when a
/// signal interrupted the wait for the lock.
///
/// # Safety
///
/// @shmem is NULL or a live GEM shmem object.
#[no_mangle]
pub unsafe extern "C" fn drm_gem_shmem_shrinker_get(
    shmem: *mut bindings::drm_gem_shmem_object,
    r#use: u32,
) -> c_int {
    from_result(|| {
        let what = use_from(r#use)?;
        // SAFETY: As the function's safety requirement says.
        unsafe { with_lock(shmem, |o| o.get(what)) }?;
        Ok(0)
    })
}

/// drm_gem_shmem_shrinker_put_locked - End a use
/// @shmem: A tracked object, whose reservation lock the caller holds.
/// @use: The use that drm_gem_shmem_shrinker_get() began.
///
/// When the last use ends, the object becomes reclaimable and moves to the
/// tail of its reclaim list. Cannot fail: a use that was not held is a
/// driver bug, reported in the log, and changes nothing.
///
/// # Safety
///
/// @shmem is NULL or a live GEM shmem object whose reservation lock the
/// caller holds.
#[no_mangle]
pub unsafe extern "C" fn drm_gem_shmem_shrinker_put_locked(
    shmem: *mut bindings::drm_gem_shmem_object,
    r#use: u32,
) {
    if let Ok(what) = use_from(r#use) {
        // SAFETY: As the function's safety requirement says.
        let _ = unsafe {
            with_locked(shmem, |o| {
                o.put(what);
                Ok(())
            })
        };
    }
}

/// drm_gem_shmem_shrinker_put - End a use
/// @shmem: A tracked object.
/// @use: The use that drm_gem_shmem_shrinker_get() began.
///
/// As drm_gem_shmem_shrinker_put_locked(), taking the reservation lock
/// (uninterruptibly: a put must not fail).
///
/// # Safety
///
/// @shmem is NULL or a live GEM shmem object.
#[no_mangle]
pub unsafe extern "C" fn drm_gem_shmem_shrinker_put(
    shmem: *mut bindings::drm_gem_shmem_object,
    r#use: u32,
) {
    if shmem.is_null() {
        return;
    }
    if let Ok(what) = use_from(r#use) {
        // SAFETY: A live object.
        unsafe { Locked::lock(shmem) }.put(what);
    }
}

/// drm_gem_shmem_shrinker_swap_in_locked - Make an object's pages resident for the device
/// @shmem: A GEM shmem object, tracked or not, whose reservation lock the
///         caller holds.
///
/// For paths that hand the pages to the device while they hold the lock
/// (a job or a command queued under it): after this, the pages stay until
/// the lock is dropped and a scan evicts them, which calls the evict
/// callback first. The use by the device counts as recent use: reclaim
/// passes over the object once before it takes it (as for a CPU use).
/// Call it for every object a job uses, also resident ones, and also
/// untracked ones (heap, imported or exported objects): for those it does
/// nothing and succeeds, so a submit path needs no second case.
///
/// Return: 0 (also for an untracked object), -EINVAL for NULL, -ENODATA
/// when its content was purged, -ENOMEM, or the swap_in callback's error.
///
/// # Safety
///
/// @shmem is NULL or a live GEM shmem object whose reservation lock the
/// caller holds.
#[no_mangle]
pub unsafe extern "C" fn drm_gem_shmem_shrinker_swap_in_locked(
    shmem: *mut bindings::drm_gem_shmem_object,
) -> c_int {
    from_result(|| {
        // SAFETY: As the function's safety requirement says.
        unsafe {
            with_locked(shmem, |o| match o.swap_in() {
                Err(OpError::Untracked) => Ok(()),
                r => r,
            })
        }?;
        Ok(0)
    })
}

/// drm_gem_shmem_shrinker_get_pages_sgt_locked - The scatter/gather table, for the device
/// @shmem: A GEM shmem object, tracked or not, whose reservation lock the
///         caller holds.
///
/// For a tracked object: as drm_gem_shmem_shrinker_swap_in_locked(), then
/// the object's table, which lives until reclaim releases the pages. It is
/// for the paths whose device mappings the driver's @evict and @purge
/// callbacks tear down (@swap_in is handed the same table); build nothing
/// from it that those callbacks do not know about. (drm_gem_shmem_get_pages_sgt() keeps its
/// promise that the table lives as long as the object instead, by keeping
/// the object resident: DRM_GEM_SHMEM_SHRINKER_USE_SGT.) For an object
/// that is not tracked: drm_gem_shmem_get_pages_sgt_locked().
///
/// Return: The table, or an ERR_PTR(): -EINVAL for NULL, -ENODATA when the
/// content was purged, -ENOMEM, or the swap_in callback's error.
///
/// # Safety
///
/// @shmem is NULL or a live GEM shmem object whose reservation lock the
/// caller holds.
#[no_mangle]
pub unsafe extern "C" fn drm_gem_shmem_shrinker_get_pages_sgt_locked(
    shmem: *mut bindings::drm_gem_shmem_object,
) -> *mut bindings::sg_table {
    let table = |o: &mut Locked| {
        if o.is_tracked() {
            return o.pages_sgt();
        }
        // SAFETY: A live object whose lock is held (the function's safety
        // requirement); not tracked, so the helper's own rules apply.
        Ok(unsafe { bindings::drm_gem_shmem_get_pages_sgt_locked(o.shmem()) })
    };
    // SAFETY: As the function's safety requirement says.
    unsafe { with_locked(shmem, table) }.unwrap_or_else(err_ptr)
}

/// drm_gem_shmem_shrinker_madvise - Record userspace's advice about an object
/// @shmem: A tracked object.
/// @madv: DRM_GEM_SHMEM_SHRINKER_MADV_DONTNEED (the content may be purged)
///        or DRM_GEM_SHMEM_SHRINKER_MADV_WILLNEED (it may not, any more).
/// @retained: Set to whether the content still exists; may be NULL.
///
/// Takes the reservation lock. Advice on a purged object changes nothing.
/// An evicted DONTNEED object may be purged from swap.
///
/// Return: 0, -EINVAL for NULL or an unknown @madv, -ENOENT when @shmem is
/// not tracked, -EOPNOTSUPP for DONTNEED when the driver registered no
/// purge callback, -EINTR.
///
/// # Safety
///
/// @shmem is NULL or a live object; @retained is NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn drm_gem_shmem_shrinker_madvise(
    shmem: *mut bindings::drm_gem_shmem_object,
    madv: u32,
    retained: *mut bool,
) -> c_int {
    from_result(|| {
        madv_from(madv)?;
        if shmem.is_null() {
            return Err(EINVAL);
        }
        // SAFETY: As the function's safety requirement says.
        let _locked = unsafe { Locked::lock_interruptible(shmem) }?;
        // SAFETY: `shmem` is live and `_locked` holds its lock until the
        // call returned; `retained` is as the caller passed it.
        Ok(unsafe { drm_gem_shmem_shrinker_madvise_locked(shmem, madv, retained) })
    })
}

/// drm_gem_shmem_shrinker_madvise_locked - Record userspace's advice, lock held
/// @shmem: A tracked object, whose reservation lock the caller holds.
/// @madv: As for drm_gem_shmem_shrinker_madvise().
/// @retained: As for drm_gem_shmem_shrinker_madvise().
///
/// As drm_gem_shmem_shrinker_madvise(), for a driver that checks what the
/// advice depends on (for instance that no other file maps the object)
/// under the reservation lock too, so that nothing changes between the
/// check and the advice.
///
/// Return: 0, -EINVAL for NULL or an unknown @madv, -ENOENT when @shmem is
/// not tracked, -EOPNOTSUPP for DONTNEED when the driver registered no
/// purge callback.
///
/// # Safety
///
/// @shmem is NULL or a live object whose reservation lock the caller holds;
/// @retained is NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn drm_gem_shmem_shrinker_madvise_locked(
    shmem: *mut bindings::drm_gem_shmem_object,
    madv: u32,
    retained: *mut bool,
) -> c_int {
    from_result(|| {
        let madv = madv_from(madv)?;
        // SAFETY: As the function's safety requirement says.
        let kept = unsafe { with_locked(shmem, |o| o.madvise(madv)) }?;
        if !retained.is_null() {
            // SAFETY: The caller passes a valid pointer or NULL.
            unsafe { *retained = kept };
        }
        Ok(0)
    })
}

/// drm_gem_shmem_shrinker_domain_create - Record a GPU address space of a device
/// @s: The device's shrinker, which has @map and @unmap callbacks.
///
/// For a GPU whose jobs may use every object mapped in their address space
/// (VM), listed or not: the core evicts an object only while none of the
/// domains that map it has a job counted (drm_gem_shmem_shrinker_job_begin()
/// to _job_end()), and before a job of a domain is counted in, swaps back
/// in every object evicted from it. Create one per address space, when it
/// is created.
///
/// Return: The domain, or an ERR_PTR(): -EINVAL when @s is NULL or has no
/// @map callback, -ENOMEM.
///
/// # Safety
///
/// @s is NULL or a live value that drm_gem_shmem_shrinker_register() returned.
#[no_mangle]
pub unsafe extern "C" fn drm_gem_shmem_shrinker_domain_create(
    s: *mut drm_gem_shmem_shrinker,
) -> *mut drm_gem_shmem_shrinker_domain {
    // SAFETY: As the function's safety requirement says.
    let reg = match unsafe { registration(s) } {
        Ok(reg) => reg,
        Err(e) => return err_ptr(e),
    };
    if reg.dev.ops.map.is_none() {
        return err_ptr(EINVAL);
    }
    match Domain::new() {
        Ok(d) => Arc::into_raw(d).cast_mut().cast(),
        Err(e) => err_ptr(e),
    }
}

/// drm_gem_shmem_shrinker_domain_destroy - Forget a GPU address space
/// @d: The domain, or NULL (then nothing happens).
///
/// Call when the address space goes, after its last job ended and its last
/// mapping was removed (a mapping keeps the core's record alive, so an
/// early call does no harm). Cannot fail; a job still counted is a driver
/// bug, reported in the log.
///
/// # Safety
///
/// @d is NULL or a value that drm_gem_shmem_shrinker_domain_create()
/// returned and that was not destroyed.
#[no_mangle]
pub unsafe extern "C" fn drm_gem_shmem_shrinker_domain_destroy(
    d: *mut drm_gem_shmem_shrinker_domain,
) {
    if d.is_null() {
        return;
    }
    // SAFETY: The reference that domain_create() gave the driver.
    let d = unsafe { Arc::from_raw(d.cast::<Domain>().cast_const()) };
    if d.jobs() > 0 {
        misuse!("domain destroyed with jobs counted", EBUSY.into());
    }
}

/// drm_gem_shmem_shrinker_job_begin - Count a job of a domain and swap in what it may use
/// @d: The job's domain, or NULL (a driver without the kit: nothing to do).
///
/// Call before the job is queued, holding no reservation lock. From now
/// until drm_gem_shmem_shrinker_job_end(), no object mapped in @d is
/// evicted; every object evicted from @d before is swapped in here, which
/// maps all its mappings again (@map), whether the job lists it or not.
/// An object purged meanwhile stays purged (its mappings were torn down
/// by @purge).
///
/// Return: 0, -EINTR when a signal interrupted a wait for a reservation,
/// -ENOMEM, or @map's or @swap_in's error. The job is counted either way:
/// drm_gem_shmem_shrinker_job_end() ends it.
///
/// # Safety
///
/// @d is NULL or a live domain.
#[no_mangle]
pub unsafe extern "C" fn drm_gem_shmem_shrinker_job_begin(
    d: *mut drm_gem_shmem_shrinker_domain,
) -> c_int {
    // SAFETY: A live domain, or NULL.
    let Some(d) = (unsafe { d.cast::<Domain>().as_ref() }) else {
        return 0;
    };
    from_result(|| {
        d.job_begin()?;
        Ok(0)
    })
}

/// drm_gem_shmem_shrinker_job_end - A job counted by drm_gem_shmem_shrinker_job_begin() is gone
/// @d: The job's domain, or NULL.
///
/// Call when the job was cleaned up (completed, failed or never queued).
/// Cannot fail: an end without its begin is a driver bug, reported in the
/// log, and changes nothing.
///
/// # Safety
///
/// @d is NULL or a live domain.
#[no_mangle]
pub unsafe extern "C" fn drm_gem_shmem_shrinker_job_end(d: *mut drm_gem_shmem_shrinker_domain) {
    // SAFETY: A live domain, or NULL.
    if let Some(d) = unsafe { d.cast::<Domain>().as_ref() } {
        d.job_end();
    }
}

/// drm_gem_shmem_shrinker_mapping_add_locked - An object is about to be mapped in a domain
/// @d: The domain, or NULL (then nothing happens).
/// @shmem: The object, tracked or not, whose reservation lock the caller
///         holds.
/// @mapping: The mapping, zeroed, embedded in the driver's record of it.
///
/// Swaps the object in, then adds @mapping to its mappings, which eviction
/// unmaps (@unmap) and swap-in maps again (@map). The driver maps it
/// itself right after, before it drops the reservation, so that eviction
/// always finds what is mapped; if that fails, it removes the mapping
/// again. For an object the core does not track (heap, imported) nothing
/// happens and the driver maps it as before.
///
/// Return: 0, -EINVAL for a NULL @shmem or @mapping or a mapping already
/// added, -ENODATA when the object's content was purged, -ENOMEM, or the
/// error of the swap-in.
///
/// # Safety
///
/// @d is NULL or a live domain; @shmem is NULL or a live object whose
/// reservation lock the caller holds; @mapping is NULL or valid until it is
/// removed.
#[no_mangle]
pub unsafe extern "C" fn drm_gem_shmem_shrinker_mapping_add_locked(
    d: *mut drm_gem_shmem_shrinker_domain,
    shmem: *mut bindings::drm_gem_shmem_object,
    mapping: *mut drm_gem_shmem_shrinker_mapping,
) -> c_int {
    if d.is_null() {
        return 0;
    }
    // SAFETY: NULL or valid, as the caller guarantees.
    if mapping.is_null() || !unsafe { (*mapping).shmem }.is_null() {
        return EINVAL.to_errno();
    }
    // SAFETY: A live domain: the driver's reference is held until destroy;
    // the clone below is the mapping's own.
    let d = core::mem::ManuallyDrop::new(unsafe { Arc::from_raw(d.cast::<Domain>().cast_const()) });
    from_result(|| {
        // SAFETY: As the function's safety requirement says.
        unsafe { with_locked(shmem, |o| domain::add(o, &d, mapping)) }?;
        Ok(0)
    })
}

/// drm_gem_shmem_shrinker_mapping_remove_locked - A domain mapping is gone for good
/// @mapping: The mapping, added or not (then nothing happens), or NULL.
///
/// Call with the object's reservation lock held, once the driver unmapped
/// it from the device for the last time (when its record is freed): the
/// core no longer maps or unmaps it, and it leaves its domain's list.
///
/// # Safety
///
/// @mapping is NULL or valid; if added, its object's reservation lock is
/// held.
#[no_mangle]
pub unsafe extern "C" fn drm_gem_shmem_shrinker_mapping_remove_locked(
    mapping: *mut drm_gem_shmem_shrinker_mapping,
) {
    // SAFETY: NULL or valid.
    let Some(m) = (unsafe { mapping.as_ref() }) else {
        return;
    };
    if m.shmem.is_null() {
        return;
    }
    // SAFETY: An added mapping's object is live (the driver's record holds
    // a reference), and its lock is held.
    let o = unsafe { Locked::assume(m.shmem) };
    // SAFETY: Added, and `o` is its object.
    unsafe { domain::remove(&o, mapping) };
}

/// drm_gem_shmem_shrinker_mapping_remove - A domain mapping is gone for good
/// @mapping: The mapping, added or not (then nothing happens), or NULL.
///
/// As drm_gem_shmem_shrinker_mapping_remove_locked(), taking the
/// reservation lock (uninterruptibly: teardown does not fail).
///
/// # Safety
///
/// @mapping is NULL or valid, and not added or removed concurrently.
#[no_mangle]
pub unsafe extern "C" fn drm_gem_shmem_shrinker_mapping_remove(
    mapping: *mut drm_gem_shmem_shrinker_mapping,
) {
    // SAFETY: NULL or valid.
    let Some(m) = (unsafe { mapping.as_ref() }) else {
        return;
    };
    if m.shmem.is_null() {
        return;
    }
    // SAFETY: An added mapping's object is live (the driver's record holds
    // a reference).
    let o = unsafe { Locked::lock(m.shmem) };
    // SAFETY: Added, and `o` is its object, locked.
    unsafe { domain::remove(&o, mapping) };
}

/// drm_gem_shmem_shrinker_query - Read an object's state
/// @shmem: A tracked object.
/// @info: Filled in on success.
///
/// Takes the reservation lock.
///
/// Return: 0, -EINVAL for NULL, -ENOENT when @shmem is not tracked, -EINTR.
///
/// # Safety
///
/// @shmem is NULL or a live object; @info is NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn drm_gem_shmem_shrinker_query(
    shmem: *mut bindings::drm_gem_shmem_object,
    info: *mut drm_gem_shmem_shrinker_object_info,
) -> c_int {
    from_result(|| {
        if info.is_null() {
            return Err(EINVAL);
        }
        // SAFETY: As the function's safety requirement says.
        let (state, pins, vmaps, mmaps) = unsafe { with_lock(shmem, |o| o.query()) }?;
        // SAFETY: Checked non-NULL; the caller passes a valid pointer.
        unsafe {
            *info = drm_gem_shmem_shrinker_object_info {
                state: state_value(state),
                pins,
                vmaps,
                mmaps,
            }
        };
        Ok(0)
    })
}

/// drm_gem_shmem_shrinker_get_stats - Read a device's counters
/// @s: The device's shrinker.
/// @stats: Filled in on success.
///
/// Return: 0, -EINVAL for NULL.
///
/// # Safety
///
/// @s is NULL or a live value that drm_gem_shmem_shrinker_register()
/// returned; @stats is NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn drm_gem_shmem_shrinker_get_stats(
    s: *mut drm_gem_shmem_shrinker,
    stats: *mut drm_gem_shmem_shrinker_stats,
) -> c_int {
    from_result(|| {
        // SAFETY: As the function's safety requirement says.
        let dev = &unsafe { registration(s) }?.dev;
        if stats.is_null() {
            return Err(EINVAL);
        }
        let mut out = drm_gem_shmem_shrinker_stats::from(dev.stats.snapshot());
        for st in State::ALL {
            let i = state_value(st) as usize;
            out.objects[i] = dev.acct.objects(st) as u64;
            out.pages[i] = dev.acct.pages(st) as u64;
        }
        // SAFETY: Checked non-NULL; the caller passes a valid pointer.
        unsafe { *stats = out };
        Ok(0)
    })
}

/// drm_gem_shmem_shrinker_scan - Reclaim now, as the kernel shrinker would
/// @s: The device's shrinker.
/// @nr_pages: How many pages to try to free.
/// @may_evict: Also evict idle objects (not only purge DONTNEED ones).
///
/// For tests and debugfs. The context is taken to allow blocking; eviction
/// does not require swap space here: without swap, evicted pages stay in
/// the page cache, unreferenced, until swap-in takes them back. The scan
/// runs inside lockdep's reclaim context (see &drm_gem_shmem_shrinker_ops).
///
/// Return: The number of pages of memory freed; -EAGAIN when none were
/// freed but objects were contended (a reservation, or a lock of the
/// driver's: the kernel shrinker would be called again); -EINVAL.
///
/// # Safety
///
/// @s is NULL or a live value that drm_gem_shmem_shrinker_register() returned.
#[no_mangle]
pub unsafe extern "C" fn drm_gem_shmem_shrinker_scan(
    s: *mut drm_gem_shmem_shrinker,
    nr_pages: c_ulong,
    may_evict: bool,
) -> c_long {
    // SAFETY: As the function's safety requirement says.
    let reg = match unsafe { registration(s) } {
        Ok(r) => r,
        Err(e) => return e.to_errno() as c_long,
    };
    let ctx = ScanContext {
        can_block: true,
        swap_pages: if may_evict { usize::MAX } else { 0 },
    };
    let res = reclaim::scan_now(&reg.dev, nr_pages, ctx);
    if res.freed == 0 && res.contended > 0 {
        return EAGAIN.to_errno() as c_long;
    }
    res.freed as c_long
}

/// drm_gem_shmem_shrinker_count - What the kernel shrinker's count_objects says now
/// @s: The device's shrinker.
///
/// Calls the registered shrinker's count_objects callback, which reads the
/// page counts of the reclaim lists only: the pages that reclaim could free
/// (purgeable ones, and evictable ones while swap space is left). For tests
/// and measurements.
///
/// Return: The count, or -EINVAL.
///
/// # Safety
///
/// @s is NULL or a live value that drm_gem_shmem_shrinker_register() returned.
#[no_mangle]
pub unsafe extern "C" fn drm_gem_shmem_shrinker_count(s: *mut drm_gem_shmem_shrinker) -> c_long {
    // SAFETY: As the function's safety requirement says.
    match unsafe { registration(s) } {
        Ok(reg) => reclaim::count_now(&reg.dev) as c_long,
        Err(e) => e.to_errno() as c_long,
    }
}
