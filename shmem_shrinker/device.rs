// SPDX-License-Identifier: GPL-2.0

//! A registered DRM device: its tracked objects, its reclaim lists and the
//! operations that move objects between states.
//!
//! # Lock order
//!
//! 1. the object's reservation lock (`dma_resv`), when an operation needs
//!    the pages to stay put (swap-in, madvise, and reclaim, which only ever
//!    trylocks it);
//! 2. [`Device::lists`], the mutex that serialises every state transition
//!    and the LRU lists;
//! 3. the spinlock inside [`Device::objects`].
//!
//! Nothing allocates memory or calls into the driver while holding
//! [`Device::lists`]: reclaim takes it, and lockdep is told so at
//! registration (see `reclaim.rs`). Reclaim takes neither [`DEVICES`] nor
//! a reservation lock blockingly: a scan that holds the last reference to
//! an object hands it to a worker ([`Entry::put_reference`]) instead of
//! freeing the object itself. [`DEVICES`] is held alone, apart from the
//! allocations of registration.

use crate::debugfs::DeviceFiles;
use crate::policy::Stats;
use crate::state::{self, Accounting, Class, Event, Madv, State, Tracked, Transition, Use};
use kernel::{
    bindings,
    debugfs::Dir,
    error::to_result,
    list::{AtomicTracker, List, ListArc, ListLinks, TryNewListArc},
    prelude::*,
    sync::{new_mutex, Arc, LockedBy, Mutex},
    workqueue::{impl_has_work, new_work, Work, WorkItem},
    xarray::{AllocKind, XArray},
};

/// The driver's callbacks, from its `struct drm_gem_shmem_shrinker_ops`.
#[derive(Clone, Copy)]
pub(crate) struct Ops {
    pub(crate) purge: unsafe extern "C" fn(*mut bindings::drm_gem_shmem_object, bool) -> c_int,
    pub(crate) evict: unsafe extern "C" fn(*mut bindings::drm_gem_shmem_object, bool) -> c_int,
    pub(crate) swap_in: unsafe extern "C" fn(*mut bindings::drm_gem_shmem_object) -> c_int,
}

/// The reclaim lists of a device, one per [`Class`], least recently used
/// first.
pub(crate) struct Lists {
    lru: [List<Entry>; 3],
}

fn class_index(c: Class) -> usize {
    match c {
        Class::Purgeable => 0,
        Class::Evictable => 1,
        Class::EvictableMapped => 2,
    }
}

impl Lists {
    /// Take the least recently used entry of `class` off its list.
    pub(crate) fn pop_lru(&mut self, class: Class) -> Option<ListArc<Entry>> {
        self.lru[class_index(class)].pop_front()
    }

    /// Put an entry that a scan took off its list back at the tail of the
    /// list of its current class, or drop it when it is no longer
    /// reclaimable (or no longer tracked).
    pub(crate) fn file(&mut self, entry: ListArc<Entry>) {
        let state = entry.tracked.access(self).as_ref().map(Tracked::state);
        if let Some(State::Reclaimable(c)) = state {
            self.lru[class_index(c)].push_back(entry);
        }
    }

    /// Take `entry`, whose state was `from`, off its list.
    fn unlist(&mut self, entry: &Arc<Entry>, from: State) {
        if let State::Reclaimable(c) = from {
            // SAFETY: By the invariant of `Entry`, an entry is only ever in
            // the list of its current class (or in no list, while a scan
            // holds it), and `from` is its current state.
            drop(unsafe { self.lru[class_index(c)].remove(entry) });
        }
    }

    /// Move `entry` from the list of state `from` to the tail of that of
    /// state `to`.
    fn relist(&mut self, entry: &Arc<Entry>, from: State, to: State) {
        self.unlist(entry, from);
        if let State::Reclaimable(c) = to {
            // When a scan holds the entry, the ListArc cannot be made; the
            // scan files the entry by its state when it is done.
            if let Ok(la) = ListArc::try_from_arc(entry.clone()) {
                self.lru[class_index(c)].push_back(la);
            }
        }
    }
}

/// One tracked GEM shmem object.
///
/// # Invariants
///
/// - `shmem` points to a live object for as long as the entry is tracked
///   (`tracked` is `Some`): the driver untracks it before freeing it.
/// - The entry is in the list of class `c` only while its state is
///   `Reclaimable(c)`; it may be in no list while a scan holds its
///   [`ListArc`].
#[pin_data]
pub(crate) struct Entry {
    pub(crate) shmem: *mut bindings::drm_gem_shmem_object,
    /// The object's size in pages; a GEM object's size never changes.
    pub(crate) pages: usize,
    /// The object's state; `None` once untracked. Protected by the device's
    /// [`Device::lists`].
    pub(crate) tracked: LockedBy<Option<Tracked>, Lists>,
    #[pin]
    links: ListLinks,
    #[pin]
    tracker: AtomicTracker,
    /// Drops a GEM reference that a scan found to be the last one.
    #[pin]
    put_work: Work<Entry>,
}

impl_has_work! {
    impl HasWork<Self> for Entry { self.put_work }
}

impl WorkItem for Entry {
    type Pointer = Arc<Entry>;

    fn run(this: Arc<Entry>) {
        // SAFETY: `Entry::put_later` handed over the last reference to the
        // object, so it is live; dropping it here may free it, in process
        // context, where its free path may take its reservation lock.
        unsafe { bindings::drm_gem_object_put(&raw mut (*this.shmem).base) };
    }
}

impl Entry {
    /// Drop a GEM reference that a scan took. Unless it is the last one,
    /// it is dropped at once; the last one is handed to a worker, because
    /// freeing an object takes locks that reclaim must not take (its
    /// reservation, in the helpers' and the drivers' free paths).
    pub(crate) fn put_reference(self: Arc<Self>) {
        // SAFETY: The caller holds a reference, so the object is live.
        let dropped = unsafe {
            bindings::refcount_dec_not_one(&raw mut (*self.shmem).base.refcount.refcount)
        };
        if !dropped {
            // Only the holder of the last reference gets here, once per
            // object, so the work item cannot be queued already.
            let _ = kernel::workqueue::system().enqueue(self);
        }
    }
}

kernel::list::impl_list_arc_safe! {
    impl ListArcSafe<0> for Entry { tracked_by tracker: AtomicTracker; }
}
kernel::list::impl_list_item! {
    impl ListItem<0> for Entry { using ListLinks { self.links }; }
}

// SAFETY: The object pointer is only dereferenced under the rules of the
// GEM object (a reference or its reservation lock held); the rest is
// protected by `Device::lists` or is atomic.
unsafe impl Send for Entry {}
// SAFETY: As above.
unsafe impl Sync for Entry {}

/// Errors of the object operations, before they become errnos.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OpError {
    /// The object is not tracked by this device.
    Untracked,
    /// A transition was refused.
    State(state::Error),
    /// A kernel call failed.
    Kernel(Error),
}

impl From<state::Error> for OpError {
    fn from(e: state::Error) -> Self {
        OpError::State(e)
    }
}

impl From<Error> for OpError {
    fn from(e: Error) -> Self {
        OpError::Kernel(e)
    }
}

impl From<OpError> for Error {
    fn from(e: OpError) -> Error {
        match e {
            OpError::Untracked => ENOENT,
            OpError::State(state::Error::Purged) => ENODATA,
            OpError::State(state::Error::NotResident) => EAGAIN,
            OpError::State(state::Error::AlreadyResident) => EEXIST,
            OpError::State(state::Error::NotHeld) => EINVAL,
            OpError::State(state::Error::Overflow) => EOVERFLOW,
            OpError::State(state::Error::NotReclaimable) => EBUSY,
            OpError::Kernel(e) => e,
        }
    }
}

/// A DRM device registered with the shrinker.
#[pin_data]
pub(crate) struct Device {
    pub(crate) drm: *mut bindings::drm_device,
    pub(crate) ops: Ops,
    /// Serialises every state transition; holds the reclaim lists.
    #[pin]
    pub(crate) lists: Mutex<Lists>,
    /// Tracked objects, by the address of their `drm_gem_shmem_object`.
    #[pin]
    objects: XArray<Arc<Entry>>,
    pub(crate) acct: Accounting,
    pub(crate) stats: Stats,
    /// The kernel shrinker, set once registration succeeded.
    pub(crate) shrinker: core::sync::atomic::AtomicPtr<bindings::shrinker>,
}

// SAFETY: `drm` outlives the registration (the driver unregisters before the
// device goes), and everything else is protected by locks or atomic.
unsafe impl Send for Device {}
// SAFETY: As above.
unsafe impl Sync for Device {}

/// A registered device and its debugfs files.
pub(crate) struct Registered {
    pub(crate) dev: Arc<Device>,
    pub(crate) _files: Option<DeviceFiles>,
}

/// Every registered device, and the debugfs root directory.
pub(crate) struct Registry {
    pub(crate) devices: KVec<Registered>,
    pub(crate) root: Option<Dir>,
}

kernel::sync::global_lock! {
    // SAFETY: Initialised in the module initialiser, before any use.
    pub(crate) unsafe(uninit) static DEVICES: Mutex<Registry> = Registry {
        devices: KVec::new(),
        root: None,
    };
}

/// The index of an object in [`Device::objects`].
fn key(shmem: *mut bindings::drm_gem_shmem_object) -> usize {
    shmem as usize
}

impl Device {
    /// A new device record, not yet registered.
    pub(crate) fn new(drm: *mut bindings::drm_device, ops: Ops) -> Result<Arc<Self>> {
        Arc::pin_init(
            pin_init!(Self {
                drm,
                ops,
                lists <- new_mutex!(Lists { lru: [List::new(), List::new(), List::new()] }),
                objects <- XArray::new(AllocKind::Alloc),
                acct: Accounting::new(),
                stats: Stats::default(),
                shrinker: core::sync::atomic::AtomicPtr::new(core::ptr::null_mut()),
            }),
            GFP_KERNEL,
        )
    }

    /// The registered device behind a C handle, or `ENODEV` when the
    /// handle is not (or no longer) registered.
    pub(crate) fn lookup(handle: *const Device) -> Result<Arc<Device>> {
        if handle.is_null() {
            return Err(EINVAL);
        }
        DEVICES
            .lock()
            .devices
            .iter()
            .find(|r| core::ptr::eq(Arc::as_ptr(&r.dev), handle))
            .map(|r| r.dev.clone())
            .ok_or(ENODEV)
    }

    /// The entry of a tracked object.
    pub(crate) fn entry(
        &self,
        shmem: *mut bindings::drm_gem_shmem_object,
    ) -> Result<Arc<Entry>, OpError> {
        let guard = self.objects.lock();
        guard
            .get(key(shmem))
            .map(Arc::from)
            .ok_or(OpError::Untracked)
    }

    /// Number of objects tracked.
    pub(crate) fn tracked(&self) -> usize {
        self.acct.tracked_objects()
    }

    /// Start tracking `shmem`.
    pub(crate) fn track(&self, shmem: *mut bindings::drm_gem_shmem_object) -> Result {
        // SAFETY: The caller passes a live object.
        let pages = unsafe { (*shmem).base.size } >> bindings::PAGE_SHIFT;
        let entry = Arc::pin_init(
            try_pin_init!(Entry {
                shmem,
                pages,
                tracked: LockedBy::new(&self.lists, None),
                links <- ListLinks::new(),
                tracker <- AtomicTracker::new(),
                put_work <- new_work!("Entry::put_work"),
            }),
            GFP_KERNEL,
        )?;
        {
            let mut guard = self.objects.lock();
            if guard.get(key(shmem)).is_some() {
                return Err(EEXIST);
            }
            guard
                .store(key(shmem), entry.clone(), GFP_KERNEL)
                .map_err(|e| e.error)?;
        }
        let mut lists = self.lists.lock();
        *entry.tracked.access_mut(&mut lists) = Some(Tracked::new(pages, &self.acct));
        Ok(())
    }

    /// Apply `event` to a tracked entry and move it to the list of its new
    /// state.
    pub(crate) fn apply(&self, entry: &Arc<Entry>, event: Event) -> Result<Transition, OpError> {
        let mut lists = self.lists.lock();
        self.apply_locked(&mut lists, entry, event)
    }

    /// As [`Device::apply`], with [`Device::lists`] held.
    pub(crate) fn apply_locked(
        &self,
        lists: &mut Lists,
        entry: &Arc<Entry>,
        event: Event,
    ) -> Result<Transition, OpError> {
        let t = entry
            .tracked
            .access_mut(lists)
            .as_mut()
            .ok_or(OpError::Untracked)?
            .apply(event, &self.acct)?;
        if t.from != t.to {
            lists.relist(entry, t.from, t.to);
        }
        Ok(t)
    }

    /// The state of a tracked entry.
    pub(crate) fn state_of(
        &self,
        entry: &Arc<Entry>,
    ) -> Result<(State, u32, u32, u32, u32), OpError> {
        let lists = self.lists.lock();
        let t = entry
            .tracked
            .access(&lists)
            .as_ref()
            .ok_or(OpError::Untracked)?;
        Ok((
            t.state(),
            t.uses(Use::Pin),
            t.uses(Use::Vmap),
            t.uses(Use::Busy),
            t.mmaps(),
        ))
    }

    /// Stop tracking `shmem`: refused with `EBUSY` while a use is held.
    /// Drops the core's reference on the pages.
    pub(crate) fn untrack(
        &self,
        shmem: *mut bindings::drm_gem_shmem_object,
    ) -> Result<(), OpError> {
        let entry = self.entry(shmem)?;
        // SAFETY: The object is live (the driver untracks before freeing).
        let resv = unsafe { (*shmem).base.resv };
        // SAFETY: `resv` is the object's valid reservation object.
        unsafe { bindings::dma_resv_lock(resv, core::ptr::null_mut()) };
        let result = (|| {
            let mut lists = self.lists.lock();
            let slot = entry.tracked.access_mut(&mut lists);
            let t = slot.as_ref().ok_or(OpError::Untracked)?;
            if t.uses(Use::Pin) + t.uses(Use::Vmap) + t.uses(Use::Busy) > 0 {
                return Err(OpError::Kernel(EBUSY));
            }
            let state = t.state();
            let t = slot.take().ok_or(OpError::Untracked)?;
            t.untrack(&self.acct);
            lists.unlist(&entry, state);
            Ok(state)
        })();
        if let Ok(state) = result {
            if state.is_resident() {
                // SAFETY: The core holds one page reference while resident;
                // the reservation lock is held.
                unsafe { bindings::drm_gem_shmem_put_pages_locked(shmem) };
            }
        }
        // SAFETY: Locked above.
        unsafe { bindings::dma_resv_unlock(resv) };
        result?;
        drop(self.objects.lock().remove(key(shmem)));
        Ok(())
    }

    /// Bring the pages of `entry` back if needed and begin the use `what`.
    /// The caller holds the object's reservation lock.
    pub(crate) fn get_locked(&self, entry: &Arc<Entry>, what: Use) -> Result<(), OpError> {
        match self.apply(entry, Event::Acquire(what)) {
            Err(OpError::State(state::Error::NotResident)) => {}
            other => return other.map(|_| ()),
        }
        let (state, ..) = self.state_of(entry)?;
        let shmem = entry.shmem;
        // SAFETY: The object is live and its reservation lock is held.
        to_result(unsafe { bindings::drm_gem_shmem_get_pages_locked(shmem) })?;
        if state == State::Evicted {
            // SAFETY: The pages are back; the driver restores its access.
            let ret = unsafe { (self.ops.swap_in)(shmem) };
            if let Err(e) = to_result(ret) {
                // SAFETY: Balances the get above, lock still held.
                unsafe { bindings::drm_gem_shmem_put_pages_locked(shmem) };
                return Err(e.into());
            }
            self.stats.swapped_in(entry.pages);
        }
        let mut lists = self.lists.lock();
        if let Err(e) = self.apply_locked(&mut lists, entry, Event::Populate) {
            drop(lists);
            // SAFETY: Balances the get above, lock still held.
            unsafe { bindings::drm_gem_shmem_put_pages_locked(shmem) };
            return Err(e);
        }
        self.apply_locked(&mut lists, entry, Event::Acquire(what))
            .map(|_| ())
    }

    /// Record userspace's advice; returns whether the content is retained.
    /// The caller holds the object's reservation lock.
    pub(crate) fn madvise_locked(&self, entry: &Arc<Entry>, madv: Madv) -> Result<bool, OpError> {
        let t = self.apply(entry, Event::Madvise(madv))?;
        Ok(t.retained)
    }
}

/// Take the reservation lock of `shmem`, interruptibly.
pub(crate) fn lock_resv(shmem: *mut bindings::drm_gem_shmem_object) -> Result {
    // SAFETY: The caller passes a live object.
    to_result(unsafe {
        bindings::dma_resv_lock_interruptible((*shmem).base.resv, core::ptr::null_mut())
    })
    .map_err(|e| if e == EDEADLK { EINTR } else { e })
}

/// Release the reservation lock of `shmem`.
pub(crate) fn unlock_resv(shmem: *mut bindings::drm_gem_shmem_object) {
    // SAFETY: The caller holds the lock of this live object.
    unsafe { bindings::dma_resv_unlock((*shmem).base.resv) };
}
