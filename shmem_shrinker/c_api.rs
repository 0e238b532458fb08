// SPDX-License-Identifier: GPL-2.0

//! The C ABI of the GEM shmem shrinker: what C drivers call.
//!
//! cbindgen reads this file (and only this file) to generate
//! `include/drm/drm_gem_shmem_shrinker.h`; the doc comments below become the
//! header's kernel-doc. Every function validates its arguments and returns
//! a negative errno instead of trusting them: NULL or untracked objects,
//! unknown values and handles used after unregistration are errors, never
//! warnings or crashes.

// The C names are the ABI, and cbindgen only exports `pub` items.
#![allow(non_camel_case_types, unreachable_pub)]

use crate::debugfs::DeviceFiles;
use crate::device::{self, Device, Ops, Registered, DEVICES};
use crate::policy::ScanContext;
use crate::reclaim;
use crate::state::{Class, Madv, State, Use};
use kernel::{bindings, prelude::*, sync::Arc};

// A DRM device's shrinker, opaque to C: returned by
// drm_gem_shmem_shrinker_register() and passed to every other function. (A
// plain comment: kernel-doc cannot document a bare forward declaration.)
#[allow(missing_docs)]
pub struct drm_gem_shmem_shrinker {
    _opaque: [u8; 0],
}

/// struct drm_gem_shmem_shrinker_ops - Driver callbacks of the shrinker
///
/// Each callback is called with the object's reservation lock held and may
/// not take it again. Reclaim calls @purge and @evict from a shrinker
/// context: allocations there are served from the reclaim reserves and may
/// fail (handle that with -EBUSY), and any wait must be bounded and must
/// not depend on memory reclaim making progress.
#[repr(C)]
pub struct drm_gem_shmem_shrinker_ops {
    /// @purge: The object's content is about to be destroyed for good.
    /// Stop every device access to its pages (unmap them from the GPU,
    /// detach them from the host); wait for the device only if @can_block.
    /// Return 0, or -EBUSY to have the object skipped. The core then drops
    /// the pages, truncates the shmem file and makes CPU faults on the
    /// object raise SIGBUS.
    pub purge: Option<
        unsafe extern "C" fn(shmem: *mut bindings::drm_gem_shmem_object, can_block: bool) -> c_int,
    >,
    /// @evict: The object's pages are about to be released to swap. Stop
    /// every device access to them, as for @purge (eviction only happens
    /// in contexts that may block, so @can_block is always true today).
    /// Return 0, or -EBUSY to have the object skipped. The core then
    /// releases the pages; their content is kept and comes back on
    /// swap-in.
    pub evict: Option<
        unsafe extern "C" fn(shmem: *mut bindings::drm_gem_shmem_object, can_block: bool) -> c_int,
    >,
    /// @swap_in: The pages of an evicted object are back
    /// (&drm_gem_shmem_object.pages is valid). Restore the device access
    /// that @evict tore down. Return 0 or a negative errno, which the
    /// swap-in returns.
    pub swap_in: Option<unsafe extern "C" fn(shmem: *mut bindings::drm_gem_shmem_object) -> c_int>,
}

/// DRM_GEM_SHMEM_SHRINKER_USE_PIN - the pages are pinned (scanout, dma-buf export).
pub const DRM_GEM_SHMEM_SHRINKER_USE_PIN: u32 = 0;
/// DRM_GEM_SHMEM_SHRINKER_USE_VMAP - the pages are mapped into the kernel (vmap).
pub const DRM_GEM_SHMEM_SHRINKER_USE_VMAP: u32 = 1;
/// DRM_GEM_SHMEM_SHRINKER_USE_BUSY - the device uses the object (a job in flight).
pub const DRM_GEM_SHMEM_SHRINKER_USE_BUSY: u32 = 2;

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
/// DRM_GEM_SHMEM_SHRINKER_STATE_EVICTABLE - resident, idle, not mapped to userspace: may be evicted.
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
    /// @busy: Busy uses held.
    pub busy: u32,
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
    /// @purged_pages: Pages of the objects purged.
    pub purged_pages: u64,
    /// @evicted_pages: Pages of the objects evicted.
    pub evicted_pages: u64,
    /// @swapped_in_pages: Pages of the objects brought back.
    pub swapped_in_pages: u64,
}

fn errno(e: Error) -> c_int {
    e.to_errno()
}

fn err_ptr<T>(e: Error) -> *mut T {
    e.to_errno() as isize as *mut T
}

fn use_from(value: u32) -> Result<Use> {
    match value {
        DRM_GEM_SHMEM_SHRINKER_USE_PIN => Ok(Use::Pin),
        DRM_GEM_SHMEM_SHRINKER_USE_VMAP => Ok(Use::Vmap),
        DRM_GEM_SHMEM_SHRINKER_USE_BUSY => Ok(Use::Busy),
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

/// The device, the tracked entry and the use named by a get's arguments.
fn resolve_use(
    s: *mut drm_gem_shmem_shrinker,
    shmem: *mut bindings::drm_gem_shmem_object,
    value: u32,
) -> Result<(Arc<Device>, Arc<crate::device::Entry>, Use)> {
    let what = use_from(value)?;
    let dev = device_and_object(s, shmem)?;
    let entry = dev.entry(shmem)?;
    Ok((dev, entry, what))
}

/// Apply an event that needs no reservation lock to a tracked object.
fn apply_event(
    s: *mut drm_gem_shmem_shrinker,
    shmem: *mut bindings::drm_gem_shmem_object,
    event: crate::state::Event,
) -> c_int {
    let result = (|| -> Result {
        let dev = device_and_object(s, shmem)?;
        let entry = dev.entry(shmem)?;
        dev.apply(&entry, event)?;
        Ok(())
    })();
    result.map_or_else(errno, |()| 0)
}

/// Look up the device of a handle and check an object pointer.
fn device_and_object(
    s: *mut drm_gem_shmem_shrinker,
    shmem: *mut bindings::drm_gem_shmem_object,
) -> Result<Arc<Device>> {
    if shmem.is_null() {
        return Err(EINVAL);
    }
    Device::lookup(s.cast::<Device>().cast_const())
}

/// drm_gem_shmem_shrinker_register - Create and register the shrinker of a DRM device
/// @dev: The DRM device. Its objects must use the GEM shmem helpers.
/// @ops: The driver's callbacks; all three are required. Copied.
///
/// Creates one kernel shrinker for @dev, named "drm-shmem:<device>", which
/// appears under /sys/kernel/debug/shrinker/ with CONFIG_SHRINKER_DEBUG.
///
/// Return: The shrinker, or an ERR_PTR(): -EINVAL when @dev or @ops is NULL
/// or a callback is missing, -EEXIST when @dev already has one, -ENOMEM.
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
        Some(drm_gem_shmem_shrinker_ops {
            purge: Some(purge),
            evict: Some(evict),
            swap_in: Some(swap_in),
        }) => Ops {
            purge: *purge,
            evict: *evict,
            swap_in: *swap_in,
        },
        _ => return err_ptr(EINVAL),
    };
    if dev.is_null() {
        return err_ptr(EINVAL);
    }
    let mut registry = DEVICES.lock();
    if registry.devices.iter().any(|r| r.dev.drm == dev) {
        return err_ptr(EEXIST);
    }
    let result = (|| {
        let d = Device::new(dev, ops)?;
        // SAFETY: The DRM device and its parent are live; the name is a
        // valid C string.
        let name = unsafe { CStr::from_char_ptr((*(*dev).dev).kobj.name) };
        let files = match &registry.root {
            Some(root) => Some(DeviceFiles::new(root, name, &d)?),
            None => None,
        };
        registry.devices.reserve(1, GFP_KERNEL)?;
        reclaim::register(&d)?;
        registry.devices.push(
            Registered {
                dev: d.clone(),
                _files: files,
            },
            GFP_KERNEL,
        )?;
        Ok(Arc::as_ptr(&d).cast_mut().cast::<drm_gem_shmem_shrinker>())
    })();
    result.unwrap_or_else(err_ptr)
}

/// drm_gem_shmem_shrinker_unregister - Unregister and free a device's shrinker
/// @s: The shrinker.
///
/// Waits for running scans to finish. Every object must have been
/// untracked first.
///
/// Return: 0, -EINVAL when @s is NULL, -ENODEV when @s is not registered
/// (or already unregistered), -EBUSY while objects are still tracked (the
/// shrinker then stays registered).
///
/// # Safety
///
/// @s is NULL or a value that drm_gem_shmem_shrinker_register() returned.
#[no_mangle]
pub unsafe extern "C" fn drm_gem_shmem_shrinker_unregister(
    s: *mut drm_gem_shmem_shrinker,
) -> c_int {
    if s.is_null() {
        return errno(EINVAL);
    }
    let mut registry = DEVICES.lock();
    let Some(i) = registry
        .devices
        .iter()
        .position(|r| core::ptr::eq(Arc::as_ptr(&r.dev), s.cast::<Device>().cast_const()))
    else {
        return errno(ENODEV);
    };
    if registry.devices[i].dev.tracked() != 0 {
        return errno(EBUSY);
    }
    let removed = registry.devices.remove(i);
    drop(registry);
    match removed {
        Ok(r) => {
            // The debugfs files go first: they hold device references.
            drop(r._files);
            reclaim::unregister(&r.dev);
            0
        }
        Err(_) => errno(ENODEV),
    }
}

/// drm_gem_shmem_shrinker_track - Let the shrinker manage an object
/// @s: The device's shrinker.
/// @shmem: A GEM shmem object of that device, not imported.
///
/// Call once, after creating the object and before userspace can see it.
/// The object starts unpopulated: its pages come in with the first
/// drm_gem_shmem_shrinker_get().
///
/// Return: 0, -EINVAL for NULL or imported objects, -ENODEV for an
/// unregistered @s, -EEXIST when already tracked, -ENOMEM.
///
/// # Safety
///
/// @s is NULL or a value that drm_gem_shmem_shrinker_register() returned;
/// @shmem is NULL or a live GEM shmem object.
#[no_mangle]
pub unsafe extern "C" fn drm_gem_shmem_shrinker_track(
    s: *mut drm_gem_shmem_shrinker,
    shmem: *mut bindings::drm_gem_shmem_object,
) -> c_int {
    let dev = match device_and_object(s, shmem) {
        Ok(d) => d,
        Err(e) => return errno(e),
    };
    // SAFETY: The caller passes a live object.
    let imported =
        unsafe { !(*shmem).base.import_attach.is_null() || !(*shmem).base.dma_buf.is_null() };
    if imported {
        return errno(EINVAL);
    }
    match dev.track(shmem) {
        Ok(()) => 0,
        Err(e) => errno(e),
    }
}

/// drm_gem_shmem_shrinker_untrack - Stop managing an object
/// @s: The device's shrinker.
/// @shmem: A tracked object.
///
/// Call from the object's free path, before drm_gem_shmem_free(). Drops
/// the page reference the shrinker held. Takes the reservation lock.
///
/// Return: 0, -EINVAL for NULL, -ENODEV for an unregistered @s, -ENOENT
/// when @shmem is not tracked, -EBUSY while a use is still held (nothing
/// changes then).
///
/// # Safety
///
/// @s is NULL or a value that drm_gem_shmem_shrinker_register() returned;
/// @shmem is NULL or a live GEM shmem object.
#[no_mangle]
pub unsafe extern "C" fn drm_gem_shmem_shrinker_untrack(
    s: *mut drm_gem_shmem_shrinker,
    shmem: *mut bindings::drm_gem_shmem_object,
) -> c_int {
    match device_and_object(s, shmem) {
        Ok(dev) => dev.untrack(shmem).map_or_else(|e| errno(e.into()), |()| 0),
        Err(e) => errno(e),
    }
}

/// drm_gem_shmem_shrinker_get_locked - Swap an object in and begin a use
/// @s: The device's shrinker.
/// @shmem: A tracked object, whose reservation lock the caller holds.
/// @use: DRM_GEM_SHMEM_SHRINKER_USE_PIN, _VMAP or _BUSY.
///
/// The entry point of every path that touches the pages (fault, vmap, pin,
/// submit): on success the pages are resident, the driver's swap_in
/// callback has run if they had been evicted, and the object cannot be
/// reclaimed until the matching drm_gem_shmem_shrinker_put(). Uses nest.
///
/// Return: 0, -EINVAL for NULL or an unknown @use, -ENODEV for an
/// unregistered @s, -ENOENT when @shmem is not tracked, -ENODATA when its
/// content was purged, -ENOMEM, or the swap_in callback's error.
///
/// # Safety
///
/// @s is NULL or a value that drm_gem_shmem_shrinker_register() returned;
/// @shmem is NULL or a live GEM shmem object.
#[no_mangle]
pub unsafe extern "C" fn drm_gem_shmem_shrinker_get_locked(
    s: *mut drm_gem_shmem_shrinker,
    shmem: *mut bindings::drm_gem_shmem_object,
    r#use: u32,
) -> c_int {
    let result = (|| -> Result {
        let (dev, entry, what) = resolve_use(s, shmem, r#use)?;
        Ok(dev.get_locked(&entry, what)?)
    })();
    result.map_or_else(errno, |()| 0)
}

/// drm_gem_shmem_shrinker_get - Swap an object in and begin a use
/// @s: The device's shrinker.
/// @shmem: A tracked object.
/// @use: DRM_GEM_SHMEM_SHRINKER_USE_PIN, _VMAP or _BUSY.
///
/// As drm_gem_shmem_shrinker_get_locked(), taking the reservation lock.
///
/// Return: As drm_gem_shmem_shrinker_get_locked(), and -EINTR when a
/// signal interrupted the wait for the lock.
///
/// # Safety
///
/// @s is NULL or a value that drm_gem_shmem_shrinker_register() returned;
/// @shmem is NULL or a live GEM shmem object.
#[no_mangle]
pub unsafe extern "C" fn drm_gem_shmem_shrinker_get(
    s: *mut drm_gem_shmem_shrinker,
    shmem: *mut bindings::drm_gem_shmem_object,
    r#use: u32,
) -> c_int {
    let result = (|| -> Result {
        let (dev, entry, what) = resolve_use(s, shmem, r#use)?;
        device::lock_resv(shmem)?;
        let r = dev.get_locked(&entry, what);
        device::unlock_resv(shmem);
        Ok(r?)
    })();
    result.map_or_else(errno, |()| 0)
}

/// drm_gem_shmem_shrinker_put - End a use
/// @s: The device's shrinker.
/// @shmem: A tracked object.
/// @use: The use that drm_gem_shmem_shrinker_get() began.
///
/// When the last use ends, the object becomes reclaimable and moves to the
/// tail of its reclaim list. Does not take the reservation lock: callable
/// from a job's completion worker. Process context only.
///
/// Return: 0, -EINVAL for NULL, an unknown @use or a use not held, -ENODEV
/// for an unregistered @s, -ENOENT when @shmem is not tracked.
///
/// # Safety
///
/// @s is NULL or a value that drm_gem_shmem_shrinker_register() returned;
/// @shmem is NULL or a live GEM shmem object.
#[no_mangle]
pub unsafe extern "C" fn drm_gem_shmem_shrinker_put(
    s: *mut drm_gem_shmem_shrinker,
    shmem: *mut bindings::drm_gem_shmem_object,
    r#use: u32,
) -> c_int {
    match use_from(r#use) {
        Ok(what) => apply_event(s, shmem, crate::state::Event::Release(what)),
        Err(e) => errno(e),
    }
}

/// drm_gem_shmem_shrinker_mmap_open - Count a userspace mapping of an object
/// @s: The device's shrinker.
/// @shmem: A tracked object.
///
/// For drivers whose mmap does not hold page references: call from the
/// object's mmap callback and its VMA's open callback. While mapped, an idle
/// object is still evictable, at a higher cost: eviction zaps the mappings,
/// and the driver's fault handler must swap the object in with
/// drm_gem_shmem_shrinker_get_locked() before inserting a page.
///
/// Return: 0, -EINVAL for NULL, -ENODEV for an unregistered @s, -ENOENT
/// when @shmem is not tracked.
///
/// # Safety
///
/// @s is NULL or a value that drm_gem_shmem_shrinker_register() returned;
/// @shmem is NULL or a live GEM shmem object.
#[no_mangle]
pub unsafe extern "C" fn drm_gem_shmem_shrinker_mmap_open(
    s: *mut drm_gem_shmem_shrinker,
    shmem: *mut bindings::drm_gem_shmem_object,
) -> c_int {
    apply_event(s, shmem, crate::state::Event::MmapOpen)
}

/// drm_gem_shmem_shrinker_mmap_close - Forget a userspace mapping of an object
/// @s: The device's shrinker.
/// @shmem: A tracked object.
///
/// Call from the VMA's close callback, once per drm_gem_shmem_shrinker_mmap_open().
///
/// Return: 0, -EINVAL for NULL or an unbalanced close, -ENODEV for an
/// unregistered @s, -ENOENT when @shmem is not tracked.
///
/// # Safety
///
/// @s is NULL or a value that drm_gem_shmem_shrinker_register() returned;
/// @shmem is NULL or a live GEM shmem object.
#[no_mangle]
pub unsafe extern "C" fn drm_gem_shmem_shrinker_mmap_close(
    s: *mut drm_gem_shmem_shrinker,
    shmem: *mut bindings::drm_gem_shmem_object,
) -> c_int {
    apply_event(s, shmem, crate::state::Event::MmapClose)
}

/// drm_gem_shmem_shrinker_madvise - Record userspace's advice about an object
/// @s: The device's shrinker.
/// @shmem: A tracked object.
/// @madv: DRM_GEM_SHMEM_SHRINKER_MADV_DONTNEED (the content may be purged)
///        or DRM_GEM_SHMEM_SHRINKER_MADV_WILLNEED (it may not, any more).
/// @retained: Set to whether the content still exists; may be NULL.
///
/// Takes the reservation lock. Advice on a purged object changes nothing.
///
/// Return: 0, -EINVAL for NULL or an unknown @madv, -ENODEV for an
/// unregistered @s, -ENOENT when @shmem is not tracked, -EINTR.
///
/// # Safety
///
/// @s is NULL or a value that drm_gem_shmem_shrinker_register() returned;
/// @shmem is NULL or a live object; @retained is NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn drm_gem_shmem_shrinker_madvise(
    s: *mut drm_gem_shmem_shrinker,
    shmem: *mut bindings::drm_gem_shmem_object,
    madv: u32,
    retained: *mut bool,
) -> c_int {
    let result = (|| -> Result<bool> {
        let madv = match madv {
            DRM_GEM_SHMEM_SHRINKER_MADV_WILLNEED => Madv::WillNeed,
            DRM_GEM_SHMEM_SHRINKER_MADV_DONTNEED => Madv::DontNeed,
            _ => return Err(EINVAL),
        };
        let dev = device_and_object(s, shmem)?;
        let entry = dev.entry(shmem)?;
        device::lock_resv(shmem)?;
        let r = dev.madvise_locked(&entry, madv);
        device::unlock_resv(shmem);
        Ok(r?)
    })();
    match result {
        Ok(kept) => {
            if !retained.is_null() {
                // SAFETY: The caller passes a valid pointer or NULL.
                unsafe { *retained = kept };
            }
            0
        }
        Err(e) => errno(e),
    }
}

/// drm_gem_shmem_shrinker_query - Read an object's state
/// @s: The device's shrinker.
/// @shmem: A tracked object.
/// @info: Filled in on success.
///
/// Return: 0, -EINVAL for NULL, -ENODEV for an unregistered @s, -ENOENT
/// when @shmem is not tracked.
///
/// # Safety
///
/// @s is NULL or a value that drm_gem_shmem_shrinker_register() returned;
/// @shmem is NULL or a live object; @info is NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn drm_gem_shmem_shrinker_query(
    s: *mut drm_gem_shmem_shrinker,
    shmem: *mut bindings::drm_gem_shmem_object,
    info: *mut drm_gem_shmem_shrinker_object_info,
) -> c_int {
    if info.is_null() {
        return errno(EINVAL);
    }
    let result = (|| -> Result<_> {
        let dev = device_and_object(s, shmem)?;
        let entry = dev.entry(shmem)?;
        Ok(dev.state_of(&entry)?)
    })();
    match result {
        Ok((state, pins, vmaps, busy, mmaps)) => {
            // SAFETY: Checked non-NULL; the caller passes a valid pointer.
            unsafe {
                *info = drm_gem_shmem_shrinker_object_info {
                    state: state_value(state),
                    pins,
                    vmaps,
                    busy,
                    mmaps,
                }
            };
            0
        }
        Err(e) => errno(e),
    }
}

/// drm_gem_shmem_shrinker_get_stats - Read a device's counters
/// @s: The device's shrinker.
/// @stats: Filled in on success.
///
/// Return: 0, -EINVAL for NULL, -ENODEV for an unregistered @s.
///
/// # Safety
///
/// @s is NULL or a value that drm_gem_shmem_shrinker_register() returned;
/// @stats is NULL or valid for writing.
#[no_mangle]
pub unsafe extern "C" fn drm_gem_shmem_shrinker_get_stats(
    s: *mut drm_gem_shmem_shrinker,
    stats: *mut drm_gem_shmem_shrinker_stats,
) -> c_int {
    if stats.is_null() {
        return errno(EINVAL);
    }
    let dev = match Device::lookup(s.cast::<Device>().cast_const()) {
        Ok(d) => d,
        Err(e) => return errno(e),
    };
    let snap = dev.stats.snapshot();
    let mut out = drm_gem_shmem_shrinker_stats {
        objects: [0; DRM_GEM_SHMEM_SHRINKER_NR_STATES],
        pages: [0; DRM_GEM_SHMEM_SHRINKER_NR_STATES],
        scanned: snap.scanned,
        purged: snap.purged,
        evicted: snap.evicted,
        swapped_in: snap.swapped_in,
        skipped_locked: snap.skipped_locked,
        skipped_busy: snap.skipped_busy,
        skipped_dying: snap.skipped_dying,
        purged_pages: snap.purged_pages,
        evicted_pages: snap.evicted_pages,
        swapped_in_pages: snap.swapped_in_pages,
    };
    for st in State::ALL {
        let i = state_value(st) as usize;
        out.objects[i] = dev.acct.objects(st) as u64;
        out.pages[i] = dev.acct.pages(st) as u64;
    }
    // SAFETY: Checked non-NULL; the caller passes a valid pointer.
    unsafe { *stats = out };
    0
}

/// drm_gem_shmem_shrinker_scan - Reclaim now, as the kernel shrinker would
/// @s: The device's shrinker.
/// @nr_pages: How many pages to try to free.
/// @may_evict: Also evict idle objects (not only purge DONTNEED ones).
///
/// For tests and debugfs. The context is taken to allow blocking; eviction
/// does not require swap space here: without swap, evicted pages stay in
/// the page cache, unreferenced, until swap-in takes them back.
///
/// Return: The number of pages freed, or -EINVAL, -ENODEV.
///
/// # Safety
///
/// @s is NULL or a value that drm_gem_shmem_shrinker_register() returned.
#[no_mangle]
pub unsafe extern "C" fn drm_gem_shmem_shrinker_scan(
    s: *mut drm_gem_shmem_shrinker,
    nr_pages: c_ulong,
    may_evict: bool,
) -> c_long {
    let dev = match Device::lookup(s.cast::<Device>().cast_const()) {
        Ok(d) => d,
        Err(e) => return e.to_errno() as c_long,
    };
    let ctx = ScanContext {
        can_block: true,
        swap_available: may_evict,
    };
    reclaim::scan(&dev, nr_pages, ctx).0 as c_long
}

/// drm_gem_shmem_shrinker_count - What the kernel shrinker's count_objects says now
/// @s: The device's shrinker.
///
/// Calls the registered shrinker's count_objects callback, which reads
/// counters only: the pages that reclaim could free (purgeable ones, and
/// evictable ones while swap space is left). For tests and measurements.
///
/// Return: The count, or -EINVAL, -ENODEV.
///
/// # Safety
///
/// @s is NULL or a value that drm_gem_shmem_shrinker_register() returned.
#[no_mangle]
pub unsafe extern "C" fn drm_gem_shmem_shrinker_count(s: *mut drm_gem_shmem_shrinker) -> c_long {
    match Device::lookup(s.cast::<Device>().cast_const()) {
        Ok(dev) => reclaim::count_now(&dev) as c_long,
        Err(e) => e.to_errno() as c_long,
    }
}
