// SPDX-License-Identifier: GPL-2.0

//! The shrinker of one DRM device: its reclaim lists, its counters, the
//! worker that drops the references scans cannot drop, and teardown.
//!
//! There is no registry: a tracked object points to its [`Device`]
//! (`drm_gem_shmem_object.reclaim.shrinker`, which holds a reference), and
//! the driver holds the [`Registration`] that `register` returned.
//!
//! # Lock order
//!
//! 1. the object's reservation lock (`dma_resv`): every state change
//!    happens under it (`object.rs`); reclaim only ever trylocks it;
//! 2. the DRM device's `gem_lru_mutex`, which protects the reclaim lists
//!    ([`Device::lrus`], `drm_gem_object.lru`) as for every `drm_gem_lru`.
//!
//! Nothing allocates memory, calls into the driver or takes a reservation
//! lock while holding `gem_lru_mutex`: reclaim takes it, and lockdep is
//! told so at registration (see `reclaim.rs`). A scan never drops the last
//! reference to an object either, because freeing takes the reservation
//! lock: it moves the object to [`Device::dying`] and the device's worker
//! drops the reference.

use crate::debugfs::DeviceFiles;
use crate::policy::Stats;
use crate::state::{Accounting, Lru, NR_LRUS};
use core::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, AtomicUsize, Ordering};
use kernel::{
    bindings, container_of,
    prelude::*,
    sync::{
        atomic::{Atomic, Relaxed},
        Arc,
    },
    types::Opaque,
    workqueue::{impl_has_work, new_work, Work, WorkItem},
};

/// The driver's callbacks, from its `struct drm_gem_shmem_shrinker_ops`.
///
/// # Invariants
///
/// `evict` and `swap_in` are both set or both unset, and so are `map` and
/// `unmap`; at least one pair is set (`drm_gem_shmem_shrinker_register()`).
#[derive(Clone, Copy)]
pub(crate) struct Ops {
    /// None for a driver without madvise: nothing of it is purged.
    pub(crate) purge:
        Option<unsafe extern "C" fn(*mut bindings::drm_gem_shmem_object, bool) -> c_int>,
    pub(crate) evict:
        Option<unsafe extern "C" fn(*mut bindings::drm_gem_shmem_object, bool) -> c_int>,
    pub(crate) swap_in: Option<
        unsafe extern "C" fn(*mut bindings::drm_gem_shmem_object, *mut bindings::sg_table) -> c_int,
    >,
    /// Domain mappings (`domain.rs`).
    pub(crate) map: Option<
        unsafe extern "C" fn(
            *mut crate::c_api::drm_gem_shmem_shrinker_mapping,
            *mut bindings::sg_table,
        ) -> c_int,
    >,
    pub(crate) unmap:
        Option<unsafe extern "C" fn(*mut crate::c_api::drm_gem_shmem_shrinker_mapping)>,
}

/// The shrinker of one DRM device.
///
/// # Invariants
///
/// - `drm` points to the DRM device until [`Registration`] is dropped;
///   only registration and scans use it, and no scan runs after that.
/// - The lists in `lrus` and `dying` are initialised `drm_gem_lru`s,
///   protected by `drm`'s `gem_lru_mutex`; an object is in `lrus[l]` only
///   while it is tracked by this device and its state says `l`
///   ([`crate::state::Tracked::lru`]), or on a scan's private list.
/// - An object in `dying` holds exactly one reference, which `put_work`
///   drops.
#[pin_data]
pub(crate) struct Device {
    pub(crate) drm: *mut bindings::drm_device,
    pub(crate) ops: Ops,
    pub(crate) lrus: [Opaque<bindings::drm_gem_lru>; NR_LRUS],
    pub(crate) dying: Opaque<bindings::drm_gem_lru>,
    pub(crate) acct: Accounting,
    pub(crate) stats: Stats,
    /// Scans in a row that found only contended objects.
    pub(crate) retries: AtomicU32,
    /// The kernel shrinker, set once registration succeeded.
    pub(crate) shrinker: AtomicPtr<bindings::shrinker>,
    /// Set across system sleep: scans stop at once.
    blocked: AtomicBool,
    /// Scans running now.
    active: AtomicUsize,
    /// Drops the references in `dying`.
    #[pin]
    put_work: Work<Device>,
}

// SAFETY: `drm` is only dereferenced under the rules of its invariant;
// the lists are protected by the DRM device's `gem_lru_mutex` and the rest
// is atomic.
unsafe impl Send for Device {}
// SAFETY: As above.
unsafe impl Sync for Device {}

impl_has_work! {
    impl HasWork<Self> for Device { self.put_work }
}

impl WorkItem for Device {
    type Pointer = Arc<Device>;

    fn run(this: Arc<Device>) {
        this.put_dying();
    }
}

/// The first object of a `drm_gem_lru`, if any.
///
/// # Safety
///
/// `lru` is an initialised `drm_gem_lru` whose lock is held.
pub(crate) unsafe fn lru_first(
    lru: *mut bindings::drm_gem_lru,
) -> Option<*mut bindings::drm_gem_object> {
    // SAFETY: As the function's safety requirement says.
    let head = unsafe { &raw mut (*lru).list };
    // SAFETY: The list is initialised and locked.
    let next = unsafe { (*head).next };
    if next == head {
        None
    } else {
        // SAFETY: Every entry of a `drm_gem_lru` is the `lru_node` of a GEM
        // object.
        Some(unsafe { container_of!(next, bindings::drm_gem_object, lru_node) })
    }
}

/// The workqueue that drops references for scans, allocated by the module.
pub(crate) static WORKQUEUE: AtomicPtr<bindings::workqueue_struct> =
    AtomicPtr::new(core::ptr::null_mut());

/// The CPU the caller runs on, which picks the set of counters it writes.
/// It may be stale by the time it is used (preemption); any set is
/// correct, the current one only keeps the cache lines local.
fn this_cpu() -> usize {
    kernel::cpu::CpuId::current().as_u32() as usize
}

impl Device {
    /// A new device record for `drm`, not yet registered.
    pub(crate) fn new(drm: *mut bindings::drm_device, ops: Ops) -> Result<Arc<Self>> {
        let dev = Arc::pin_init(
            pin_init!(Self {
                drm,
                ops,
                lrus: [const { Opaque::uninit() }; NR_LRUS],
                dying: Opaque::uninit(),
                acct: Accounting::new(this_cpu),
                stats: Stats::default(),
                retries: AtomicU32::new(0),
                shrinker: AtomicPtr::new(core::ptr::null_mut()),
                blocked: AtomicBool::new(false),
                active: AtomicUsize::new(0),
                put_work <- new_work!("drm_gem_shmem_shrinker::put_work"),
            }),
            GFP_KERNEL,
        )?;
        for l in Iterator::chain(dev.lrus.iter(), core::iter::once(&dev.dying)) {
            // SAFETY: Initialising a list nobody else can see yet.
            unsafe { bindings::drm_gem_lru_init(l.get()) };
        }
        Ok(dev)
    }

    /// The reclaim list `l`.
    pub(crate) fn lru(&self, l: Lru) -> *mut bindings::drm_gem_lru {
        self.lrus[l.index()].get()
    }

    /// Pages on each reclaim list, read without the lock (for
    /// `count_objects`, which may be off by a concurrent move).
    pub(crate) fn lru_pages(&self) -> [usize; NR_LRUS] {
        Lru::ALL.map(|l| {
            // SAFETY: An initialised, aligned counter that lives as long as
            // `self`. Its writers hold the list lock and write it with
            // WRITE_ONCE(); this read (READ_ONCE()) does not take the lock,
            // as drm_gem_lru documents for count_objects.
            let count = unsafe { Atomic::from_ptr(&raw mut (*self.lru(l)).count) };
            count.load(Relaxed).max(0) as usize
        })
    }

    /// Whether `obj` is on list `l` now, read without the list lock.
    ///
    /// # Safety
    ///
    /// `obj` is live and tracked by this device, and the caller holds its
    /// reservation lock.
    pub(crate) unsafe fn is_on(&self, obj: *mut bindings::drm_gem_object, l: Lru) -> bool {
        // SAFETY: The object is live, its `lru` field aligned. Only the
        // holders of the list lock write it, with WRITE_ONCE(); this read
        // (READ_ONCE()) does not take that lock. With the reservation lock held,
        // the only one who may move the object meanwhile is a scan, which
        // takes it to its private list and back to this one (or, if it
        // reclaims it or takes it off as in use, first needs the
        // reservation lock). A stale read can thus only cause a needless
        // move, never a missing one.
        let lru = unsafe { Atomic::from_ptr(&raw mut (*obj).lru) }.load(Relaxed);
        core::ptr::eq(lru, self.lru(l))
    }

    /// Move `obj` to the tail of list `l`, or off every list for `None`.
    ///
    /// # Safety
    ///
    /// `obj` is a live object tracked by this device, and the caller holds
    /// its reservation lock, under which its state says `l`.
    pub(crate) unsafe fn relist(&self, obj: *mut bindings::drm_gem_object, l: Option<Lru>) {
        match l {
            // SAFETY: The object's DRM device outlives it; its LRU mutex
            // protects the lists.
            Some(l) => unsafe {
                let lock = &raw mut (*(*obj).dev).gem_lru_mutex;
                bindings::mutex_lock(lock);
                bindings::drm_gem_lru_move_tail_locked(self.lru(l), obj);
                bindings::mutex_unlock(lock);
            },
            // SAFETY: As above; takes the lock itself.
            None => unsafe { bindings::drm_gem_lru_remove(obj) },
        }
    }

    /// Drop a reference that a scan took, with `gem_lru_mutex` held: at
    /// once unless it is the last one, which goes to the worker.
    ///
    /// # Safety
    ///
    /// The caller holds a reference to `obj` and its DRM device's
    /// `gem_lru_mutex`; `obj` is on no list but possibly a scan's.
    pub(crate) unsafe fn put_reference_locked(
        self: &Arc<Self>,
        obj: *mut bindings::drm_gem_object,
    ) {
        // SAFETY: The caller holds a reference.
        let dropped = unsafe { bindings::refcount_dec_not_one(&raw mut (*obj).refcount.refcount) };
        if dropped {
            return;
        }
        // INVARIANT: The object holds one reference (the last), dropped by
        // `put_work`; nobody else can reach it to move it.
        // SAFETY: The lock is held, as the function requires.
        unsafe { bindings::drm_gem_lru_move_tail_locked(self.dying.get(), obj) };
        let wq = WORKQUEUE.load(Ordering::Acquire);
        // SAFETY: The module allocated the workqueue before any device
        // could register, and destroys it after the last one is gone.
        let queue = unsafe { kernel::workqueue::Queue::from_raw(wq) };
        // Already queued is fine: the worker empties the whole list.
        let _ = queue.enqueue(self.clone());
    }

    /// Drop the last references of the objects in `dying`, in process
    /// context, where their free paths may take their reservation locks.
    fn put_dying(&self) {
        // SAFETY: Scans stop before the DRM device goes (invariant), and
        // every object in `dying` was put there by a scan.
        let lock = unsafe { &raw mut (*self.drm).gem_lru_mutex };
        loop {
            // SAFETY: The lock protects the list.
            let obj = unsafe {
                bindings::mutex_lock(lock);
                let obj = lru_first(self.dying.get());
                bindings::mutex_unlock(lock);
                obj
            };
            let Some(obj) = obj else { break };
            // SAFETY: The object holds the reference that the scan left
            // for this worker; nobody else moves it meanwhile. Removing it
            // takes the lock, putting it may free it.
            unsafe {
                bindings::drm_gem_lru_remove(obj);
                bindings::drm_gem_object_put(obj);
            }
        }
    }

    /// Begin a scan: false while reclaim is blocked (system sleep).
    pub(crate) fn enter_scan(&self) -> bool {
        self.active.fetch_add(1, Ordering::SeqCst);
        if self.blocked.load(Ordering::SeqCst) {
            self.exit_scan();
            return false;
        }
        true
    }

    /// End a scan that [`Device::enter_scan`] began.
    pub(crate) fn exit_scan(&self) {
        self.active.fetch_sub(1, Ordering::SeqCst);
    }

    /// Whether reclaim is blocked.
    pub(crate) fn is_blocked(&self) -> bool {
        self.blocked.load(Ordering::Relaxed)
    }

    /// Block reclaim and wait for running scans to finish, then for the
    /// worker to drop the references they left: afterwards the core calls
    /// nothing of the driver's (no callback, no last put reaching its free
    /// path) until [`Device::unblock`]. Each scan ends after a bounded
    /// number of objects, each with bounded waits.
    pub(crate) fn block(&self) {
        self.blocked.store(true, Ordering::SeqCst);
        while self.active.load(Ordering::SeqCst) != 0 {
            // SAFETY: Sleeping in process context.
            unsafe { bindings::msleep(1) };
        }
        self.flush_puts();
    }

    /// Let reclaim run again.
    pub(crate) fn unblock(&self) {
        self.blocked.store(false, Ordering::SeqCst);
    }

    /// Wait until the worker dropped every reference scans handed to it.
    /// Only meaningful once no scan can run.
    fn flush_puts(&self) {
        // SAFETY: The work item is initialised and lives as long as `self`.
        unsafe { bindings::flush_work(Work::raw_get(&self.put_work)) };
    }
}

/// What `drm_gem_shmem_shrinker_register()` returns to the driver: its
/// device's shrinker, until `drm_gem_shmem_shrinker_unregister()`.
pub(crate) struct Registration {
    pub(crate) dev: Arc<Device>,
    pub(crate) files: Option<DeviceFiles>,
}

impl Registration {
    /// Register a shrinker for `drm`.
    pub(crate) fn new(drm: *mut bindings::drm_device, ops: Ops) -> Result<KBox<Self>> {
        let dev = Device::new(drm, ops)?;
        // SAFETY: The DRM device and its parent are live; the name is a
        // valid C string.
        let name = unsafe { CStr::from_char_ptr((*(*drm).dev).kobj.name) };
        let files = DeviceFiles::new(name, &dev)?;
        let reg = KBox::new(Self { dev, files }, GFP_KERNEL)?;
        // On failure, dropping `reg` undoes the rest.
        crate::reclaim::register(&reg.dev)?;
        Ok(reg)
    }
}

impl Drop for Registration {
    /// Teardown, which cannot fail: the debugfs files go (no more manual
    /// scans), the kernel shrinker is freed (which waits for running
    /// scans), then the worker drops the references scans left. Objects
    /// still tracked keep the device record alive and untrack later.
    fn drop(&mut self) {
        drop(self.files.take());
        crate::reclaim::unregister(&self.dev);
        self.dev.flush_puts();
    }
}
