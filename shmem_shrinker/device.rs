// SPDX-License-Identifier: GPL-2.0

//! The shrinker of one DRM device: its reclaim lists (per cgroup and node,
//! in `memcg.rs`), its counters, the worker that drops the references scans
//! cannot drop, and teardown.
//!
//! There is no registry: a tracked object points to its lists
//! (`drm_gem_shmem_object.reclaim.shrinker`, which holds a reference), which
//! point to their [`Device`], and the driver holds the [`Registration`] that
//! `register` returned.
//!
//! # Lock order
//!
//! 1. the object's reservation lock (`dma_resv`): every state change
//!    happens under it (`object.rs`); reclaim only ever trylocks it;
//! 2. the DRM device's `gem_lru_mutex`, which protects the reclaim lists
//!    ([`crate::memcg::MemcgLists`], `drm_gem_object.lru`) as for every
//!    `drm_gem_lru`, and which objects are tracked with which lists;
//! 3. the spinlocks of [`Device::memcgs`] (a `list_lru`), inside the RCU
//!    read side when a cgroup is looked up (`memcg.rs`).
//!
//! Nothing allocates memory, calls into the driver or takes a reservation
//! lock while holding `gem_lru_mutex`: reclaim takes it, and lockdep is
//! told so at registration (see `reclaim.rs`). A scan never drops the last
//! reference to an object either, because freeing takes the reservation
//! lock: it moves the object to [`Device::dying`] and the device's worker
//! drops the reference.

use crate::debugfs::DeviceFiles;
use crate::memcg::MemcgLists;
use crate::policy::Stats;
use crate::state::{Accounting, NR_LRUS};
use core::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, AtomicUsize, Ordering};
use kernel::{
    bindings, container_of,
    prelude::*,
    sync::Arc,
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
///   only registration, scans and tracked objects (whose GEM objects hold
///   a reference to the DRM device) use it, and no scan runs after that.
/// - `dying` is an initialised `drm_gem_lru`, protected by `drm`'s
///   `gem_lru_mutex`; the reclaim lists are in `memcgs` (`memcg.rs`).
/// - `memcgs` is an initialised `list_lru` while `memcgs_ready` is set.
/// - An object in `dying` holds exactly one reference, which `put_work`
///   drops.
#[pin_data]
pub(crate) struct Device {
    pub(crate) drm: *mut bindings::drm_device,
    pub(crate) ops: Ops,
    pub(crate) dying: Opaque<bindings::drm_gem_lru>,
    /// The reclaim lists of each cgroup and node (`memcg.rs`).
    pub(crate) memcgs: Opaque<bindings::list_lru>,
    memcgs_ready: AtomicBool,
    memcgs_open: AtomicBool,
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
                dying: Opaque::uninit(),
                // Zeroed: `__list_lru_init()` leaves its lockdep key alone.
                memcgs: Opaque::zeroed(),
                memcgs_ready: AtomicBool::new(false),
                memcgs_open: AtomicBool::new(false),
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
        // SAFETY: Initialising a list nobody else can see yet.
        unsafe { bindings::drm_gem_lru_init(dev.dying.get()) };
        Ok(dev)
    }

    /// The DRM device's `gem_lru_mutex`, which protects the reclaim lists.
    pub(crate) fn lru_lock(&self) -> *mut bindings::mutex {
        // SAFETY: Only registration, scans and tracked objects use this,
        // all while the DRM device is live (invariant).
        unsafe { &raw mut (*self.drm).gem_lru_mutex }
    }

    /// Pages on each reclaim list, of every cgroup, read without the lock.
    pub(crate) fn lru_pages(&self) -> [usize; NR_LRUS] {
        crate::memcg::pages_all(self)
    }

    /// Whether `memcgs` is initialised.
    pub(crate) fn memcgs_ready(&self) -> bool {
        self.memcgs_ready.load(Ordering::Acquire)
    }

    pub(crate) fn set_memcgs_ready(&self) {
        self.memcgs_ready.store(true, Ordering::Release);
    }

    /// Whether `memcgs` was initialised; it is not any more.
    pub(crate) fn take_memcgs_ready(&self) -> bool {
        self.memcgs_ready.swap(false, Ordering::AcqRel)
    }

    /// Whether new lists may be added to `memcgs`; read and written under
    /// `gem_lru_mutex`.
    pub(crate) fn memcgs_open(&self) -> bool {
        self.memcgs_open.load(Ordering::Relaxed)
    }

    pub(crate) fn set_memcgs_open(&self, open: bool) {
        self.memcgs_open.store(open, Ordering::Relaxed);
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
    /// The root cgroup's lists, with which objects are tracked until their
    /// pages come in (`memcg.rs`).
    pub(crate) home: Option<Arc<MemcgLists>>,
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
        let mut reg = KBox::new(
            Self {
                dev,
                home: None,
                files,
            },
            GFP_KERNEL,
        )?;
        // On failure, dropping `reg` undoes the rest.
        crate::reclaim::register(&reg.dev)?;
        reg.home = Some(crate::memcg::open(&reg.dev)?);
        Ok(reg)
    }

    /// The lists that newly tracked objects start with.
    pub(crate) fn home(&self) -> Result<&Arc<MemcgLists>> {
        self.home.as_ref().ok_or(EINVAL)
    }
}

impl Drop for Registration {
    /// Teardown, which cannot fail: the debugfs files go (no more manual
    /// scans), the lists leave the `list_lru` (no cgroup's reclaim finds
    /// them), the kernel shrinker is freed (which waits for running
    /// scans), the `list_lru` goes, then the worker drops the references
    /// scans left. Objects still tracked keep their lists and the device
    /// record alive, and untrack later.
    fn drop(&mut self) {
        drop(self.files.take());
        crate::memcg::close(&self.dev);
        crate::reclaim::unregister(&self.dev);
        crate::memcg::destroy(&self.dev);
        self.dev.flush_puts();
    }
}
