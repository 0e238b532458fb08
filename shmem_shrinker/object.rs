// SPDX-License-Identifier: GPL-2.0

//! Tracked objects: the shrinker's state inside each GEM shmem object, and
//! every operation that changes it.
//!
//! The state is a [`Tracked`] stored in `drm_gem_shmem_object.reclaim`,
//! protected by the object's reservation lock: a [`Locked`] object is the
//! proof that the lock is held, and it is the only way to reach the state.
//! `reclaim.funcs` points to [`RECLAIM_FUNCS`] exactly while the object is
//! tracked, so that the shmem helpers call back here when the pages come in
//! (swap-in), when userspace maps the object, and when it is released.
//!
//! Every change goes through [`Locked::apply`], which applies one event
//! with `state.rs`'s transition function and moves the object to the
//! reclaim list its new state belongs on. Lock order: see `device.rs`.

use crate::device::Device;
use crate::memcg::MemcgLists;
use crate::state::{self, Event, Lru, Madv, State, Tracked, Transition, Use};
use core::mem::{align_of, size_of};
use kernel::{
    bindings,
    error::{from_err_ptr, from_result, to_result},
    prelude::*,
    sync::Arc,
};

type Shmem = bindings::drm_gem_shmem_object;

/// Report a driver's misuse of the ABI, which the operation refused or
/// undid: what it was, then a warning with a backtrace to find the caller,
/// once per place in the core that detects a kind of misuse (later
/// occurrences print only the line). KUnit cases that misuse the ABI on purpose suppress
/// the warning (`kunit_warning_suppress()`) and count it.
macro_rules! misuse {
    ($what:expr, $e:expr) => {{
        let e: $crate::object::OpError = $e;
        pr_err!("{} ({})\n", $what, Error::from(e).to_errno());
        kernel::warn_flags!(
            file!(),
            bindings::BUGFLAG_ONCE | kernel::bug::bugflag_taint(bindings::TAINT_WARN)
        );
    }};
}

// The state must fit in the room the helper's header gives it.
const _: () = assert!(size_of::<Tracked>() <= size_of::<[c_ulong; 3]>());
const _: () = assert!(align_of::<Tracked>() <= align_of::<c_ulong>());

/// The hooks the shmem helpers call for tracked objects.
pub(crate) static RECLAIM_FUNCS: bindings::drm_gem_shmem_reclaim_funcs =
    bindings::drm_gem_shmem_reclaim_funcs {
        populated: Some(populated),
        sgt_handed_out: Some(sgt_handed_out),
        mmap_open: Some(mmap_open),
        mmap_close: Some(mmap_close),
        release: Some(release),
    };

/// Errors of the object operations, before they become errnos.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OpError {
    /// The object is not tracked.
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

/// A live GEM shmem object whose reservation lock is held.
///
/// # Invariants
///
/// `shmem` is live and its reservation lock is held for as long as the
/// value exists; if `owned`, the value took the lock and releases it when
/// dropped.
pub(crate) struct Locked {
    shmem: *mut Shmem,
    owned: bool,
}

impl Drop for Locked {
    fn drop(&mut self) {
        if self.owned {
            // SAFETY: By the type invariant, this value holds the lock.
            unsafe { bindings::dma_resv_unlock((*self.shmem).base.resv) };
        }
    }
}

impl Locked {
    /// An object whose lock the caller holds.
    ///
    /// # Safety
    ///
    /// `shmem` is live and its reservation lock is held for the returned
    /// value's whole life.
    pub(crate) unsafe fn assume(shmem: *mut Shmem) -> Self {
        // SAFETY: As the function's safety requirement says.
        unsafe { bindings::dma_resv_assert_held((*shmem).base.resv) };
        // INVARIANT: As the caller guarantees.
        Self {
            shmem,
            owned: false,
        }
    }

    /// Take the lock, uninterruptibly.
    ///
    /// # Safety
    ///
    /// `shmem` is live for the returned value's whole life.
    pub(crate) unsafe fn lock(shmem: *mut Shmem) -> Self {
        // SAFETY: The object is live; no acquire context.
        unsafe { bindings::dma_resv_lock((*shmem).base.resv, core::ptr::null_mut()) };
        // INVARIANT: Locked just above.
        Self { shmem, owned: true }
    }

    /// Take the lock, interruptibly: `EINTR` when a signal arrives first.
    ///
    /// # Safety
    ///
    /// As for [`Locked::lock`].
    pub(crate) unsafe fn lock_interruptible(shmem: *mut Shmem) -> Result<Self> {
        // SAFETY: The object is live; no acquire context.
        to_result(unsafe {
            bindings::dma_resv_lock_interruptible((*shmem).base.resv, core::ptr::null_mut())
        })
        .map_err(|e| if e == EDEADLK { EINTR } else { e })?;
        // INVARIANT: Locked just above.
        Ok(Self { shmem, owned: true })
    }

    /// Try to take the lock without waiting.
    ///
    /// # Safety
    ///
    /// As for [`Locked::lock`].
    pub(crate) unsafe fn trylock(shmem: *mut Shmem) -> Option<Self> {
        // SAFETY: The object is live.
        if unsafe { bindings::dma_resv_trylock((*shmem).base.resv) } {
            // INVARIANT: Locked just above.
            Some(Self { shmem, owned: true })
        } else {
            None
        }
    }

    /// The object.
    pub(crate) fn shmem(&self) -> *mut Shmem {
        self.shmem
    }

    /// The GEM object.
    pub(crate) fn gem(&self) -> *mut bindings::drm_gem_object {
        // SAFETY: The object is live (type invariant).
        unsafe { &raw mut (*self.shmem).base }
    }

    /// Whether the object is tracked (by any device).
    pub(crate) fn is_tracked(&self) -> bool {
        // SAFETY: Live object, lock held.
        core::ptr::eq(unsafe { (*self.shmem).reclaim.funcs }, &RECLAIM_FUNCS)
    }

    /// The reclaim lists the object is tracked with (`memcg.rs`).
    pub(crate) fn lists(&self) -> Result<&MemcgLists, OpError> {
        if !self.is_tracked() {
            return Err(OpError::Untracked);
        }
        // SAFETY: While tracked, `reclaim.shrinker` holds a reference to
        // the object's lists (`track`, `memcg::attribute`), which the
        // reservation lock keeps from changing.
        Ok(unsafe { &*(*self.shmem).reclaim.shrinker.cast::<MemcgLists>() })
    }

    /// The device that tracks the object.
    pub(crate) fn device(&self) -> Result<&Device, OpError> {
        Ok(&self.lists()?.dev)
    }

    /// The lists the object is tracked with, and its state. The state may
    /// not stay borrowed across a call into the driver, which may call back
    /// into the core for the same object.
    pub(crate) fn tracked(&mut self) -> Result<(&MemcgLists, &mut Tracked), OpError> {
        if !self.is_tracked() {
            return Err(OpError::Untracked);
        }
        // SAFETY: While tracked, `reclaim.shrinker` holds a reference to
        // the object's lists (see `lists`), and `reclaim.state` holds a
        // `Tracked`, protected by the reservation lock, which `self`
        // holds; `&mut self` makes the borrow unique.
        unsafe {
            let r = &raw mut (*self.shmem).reclaim;
            let lists = &*(*r).shrinker.cast::<MemcgLists>();
            let t = &mut *(&raw mut (*r).state).cast::<Tracked>();
            Ok((lists, t))
        }
    }

    /// Apply `event` and move the object to the list its new state
    /// belongs on.
    ///
    /// Uses do not take the list lock, which all objects of the device
    /// share: an object that becomes in use stays where it is, and when
    /// the use ends it is already on its list (the scan takes in-use
    /// objects off their lists when it meets them, and then the end of the
    /// use puts them back at the tail). So a get and a put on an idle
    /// resident object take the object's reservation lock only. Recency
    /// comes from the referenced flag that uses set ([`Tracked::take_referenced`]).
    pub(crate) fn apply(&mut self, event: Event) -> Result<Transition, OpError> {
        let obj = self.gem();
        let (lists, t) = self.tracked()?;
        let before = t.lru();
        let tr = t.apply(event, &lists.dev.acct)?;
        let after = t.lru();
        let stays = match (before, after) {
            (b, a) if b == a => true,
            (Some(_), None) => matches!(event, Event::Acquire(_)),
            // SAFETY: A live object, whose reservation lock is held.
            (_, Some(l)) => unsafe { lists.is_on(obj, l) },
            (None, None) => true,
        };
        if !stays {
            // SAFETY: Tracked with `lists`, lock held, state says `after`.
            unsafe { lists.relist(obj, after) };
        }
        Ok(tr)
    }

    /// As [`Locked::apply`], for a reclaim event (evict, purge) applied by
    /// a scan, which holds the object on its private list: the object is
    /// left there, and the list it belongs on now is returned for the scan
    /// to move it to, with the list lock and this reservation lock held.
    pub(crate) fn apply_reclaim(&mut self, event: Event) -> Result<Option<Lru>, OpError> {
        let (lists, t) = self.tracked()?;
        t.apply(event, &lists.dev.acct)?;
        Ok(t.lru())
    }

    /// The state and the uses of the object.
    pub(crate) fn query(&mut self) -> Result<(State, u32, u32, u32), OpError> {
        let (_, t) = self.tracked()?;
        Ok((t.state(), t.uses(Use::Pin), t.uses(Use::Vmap), t.mmaps()))
    }

    /// The object's pages use count, and whether a scatter/gather table
    /// (which holds one of them) exists.
    pub(crate) fn page_uses(&self) -> (u32, bool) {
        // SAFETY: Live object, lock held.
        unsafe {
            (
                bindings::refcount_read(&(*self.shmem).pages_use_count),
                !(*self.shmem).sgt.is_null(),
            )
        }
    }

    /// Make the pages resident, swapping them in through the helpers (and
    /// so through [`populated`]) if needed. The shrinker keeps them
    /// resident until it reclaims them.
    pub(crate) fn make_resident(&mut self) -> Result<(), OpError> {
        let (_, t) = self.tracked()?;
        if t.state().is_resident() {
            return Ok(());
        }
        if t.state() == State::Purged {
            return Err(state::Error::Purged.into());
        }
        // SAFETY: Live object, lock held; the helper calls `populated`,
        // which takes the shrinker's own use of the pages.
        to_result(unsafe { bindings::drm_gem_shmem_get_pages_locked(self.shmem) })?;
        // SAFETY: Balances the get just above; the shrinker's use remains.
        unsafe { bindings::drm_gem_shmem_put_pages_locked(self.shmem) };
        Ok(())
    }

    /// Make the pages resident for the device, which is about to use them:
    /// a use by the device counts as recent use for reclaim.
    pub(crate) fn swap_in(&mut self) -> Result<(), OpError> {
        self.make_resident()?;
        self.apply(Event::Used).map(|_| ())
    }

    /// The object's scatter/gather table, for a driver path that tears
    /// down what it builds from it when the driver's `evict` or `purge`
    /// callback runs: swapped in, and used by the device (as
    /// [`Locked::swap_in`]). The table lives until the pages are reclaimed.
    pub(crate) fn pages_sgt(&mut self) -> Result<*mut bindings::sg_table, OpError> {
        // SAFETY: Live object, lock held; the helper swaps in through
        // `populated`, and hands out the table without `sgt_handed_out`.
        let sgt =
            from_err_ptr(unsafe { bindings::__drm_gem_shmem_get_pages_sgt_locked(self.shmem) })?;
        self.apply(Event::Used)?;
        Ok(sgt)
    }

    /// Make the pages resident and begin the use `what`.
    pub(crate) fn get(&mut self, what: Use) -> Result<(), OpError> {
        self.make_resident()?;
        self.apply(Event::Acquire(what)).map(|_| ())
    }

    /// End the use `what`; misuse is reported and changes nothing.
    pub(crate) fn put(&mut self, what: Use) {
        if let Err(e) = self.apply(Event::Release(what)) {
            misuse!("put of a use that is not held", e);
        }
    }

    /// Record userspace's advice; returns whether the content is retained.
    /// While it is, the helpers' `madv` mirrors the advice, as
    /// `drm_gem_shmem_madvise_locked()` would set it, for drivers that
    /// report it (fdinfo's purgeable memory, debugfs); a purge sets -1.
    /// A driver without a purge callback has no madvise: DONTNEED is
    /// refused (-EOPNOTSUPP) and changes nothing.
    pub(crate) fn madvise(&mut self, madv: Madv) -> Result<bool, OpError> {
        if madv == Madv::DontNeed && self.device()?.ops.purge.is_none() {
            return Err(OpError::Kernel(EOPNOTSUPP));
        }
        let retained = self.apply(Event::Madvise(madv))?.retained;
        if retained {
            // SAFETY: Live object, lock held.
            unsafe { (*self.shmem).madv = i32::from(madv == Madv::DontNeed) };
        }
        Ok(retained)
    }

    /// Start tracking the object for `dev`. Its pages may already be
    /// resident: the shrinker then takes its use of them at once.
    ///
    /// Refused (the object stays untracked) when the pages have uses that
    /// the shrinker cannot see end: a userspace mapping made before (it
    /// holds a page use that only its own close would drop, and tracked
    /// mappings hold none), or a driver's own `get_pages`. Pins, vmaps
    /// (which pin) and the table hold one use each, and only one.
    ///
    /// The object starts on `home`, the device's root lists, and moves to
    /// its cgroup's when its pages come in (`memcg::attribute`).
    pub(crate) fn track(&mut self, home: &Arc<MemcgLists>) -> Result<(), OpError> {
        let dev = &home.dev;
        let shmem = self.shmem;
        if self.is_tracked() {
            return Err(OpError::Kernel(EEXIST));
        }
        // SAFETY: Live object, lock held.
        let (imported, size, has_pages) = unsafe {
            let obj = &(*shmem).base;
            (
                !obj.import_attach.is_null() || !obj.dma_buf.is_null(),
                obj.size,
                !(*shmem).pages.is_null(),
            )
        };
        if imported {
            return Err(OpError::Kernel(EINVAL));
        }
        if has_pages {
            // SAFETY: Live object, lock held.
            let pinned = unsafe { bindings::refcount_read(&(*shmem).pages_pin_count) } != 0;
            let (used, sgt) = self.page_uses();
            if used > u32::from(pinned) + u32::from(sgt) {
                misuse!(
                    "track of an object with page uses of its own (mapped?)",
                    EBUSY.into()
                );
                return Err(OpError::Kernel(EBUSY));
            }
        }
        let t = Tracked::new(size >> bindings::PAGE_SHIFT, &dev.acct);
        // SAFETY: Untracked, so the helper does not call back yet; the
        // storage fits a `Tracked` (checked at build time); the reference
        // to the lists taken here is dropped by `untrack`. The root lists
        // stay on the device's `list_lru` while it is registered.
        unsafe {
            let r = &raw mut (*shmem).reclaim;
            (&raw mut (*r).state).cast::<Tracked>().write(t);
            home.object_added();
            (*r).shrinker = Arc::into_raw(home.clone()).cast_mut().cast();
            (*r).mappings = core::ptr::null_mut();
            (*r).funcs = &RECLAIM_FUNCS;
        }
        if has_pages {
            // SAFETY: Resident pages: the shrinker's own use of them.
            unsafe { bindings::refcount_inc(&raw mut (*shmem).pages_use_count) };
            crate::memcg::attribute(self);
            // Cannot fail: the object was unpopulated.
            let _ = self.apply(Event::Populate);
        }
        Ok(())
    }

    /// Stop tracking the object for its driver, which may do so only while
    /// the object is idle and not mapped to userspace: tracked mappings
    /// hold no page use, so the pages could go under them, and a use
    /// would outlive the shrinker's bookkeeping. Otherwise refused
    /// (-EBUSY), and the object stays tracked. A handed-out table may stay:
    /// it holds a page use of its own. Untracked objects: nothing to do.
    pub(crate) fn untrack_idle(&mut self) -> Result<(), OpError> {
        let Ok((_, t)) = self.tracked() else {
            return Ok(());
        };
        if t.mmaps() > 0 || t.uses(Use::Pin) + t.uses(Use::Vmap) > 0 {
            misuse!("untrack of an object in use or mapped", EBUSY.into());
            return Err(OpError::Kernel(EBUSY));
        }
        if crate::domain::has_mappings(self) {
            misuse!("untrack of an object with domain mappings", EBUSY.into());
            return Err(OpError::Kernel(EBUSY));
        }
        self.untrack();
        Ok(())
    }

    /// Stop tracking the object: it leaves its list and the counters, and
    /// the shrinker's use of the pages is dropped. For the object's
    /// release, when nothing can use or map it any more.
    pub(crate) fn untrack(&mut self) {
        let obj = self.gem();
        let shmem = self.shmem;
        let Ok((lists, t)) = self.tracked() else {
            return;
        };
        let resident = t.state().is_resident();
        // SAFETY: `t` is the object's state; it is not used again.
        let t = unsafe { core::ptr::read(t) };
        t.untrack(&lists.dev.acct);
        // SAFETY: Lock held; the object leaves the lists, then the helpers
        // stop calling back, then the reference to the lists goes.
        unsafe {
            lists.relist(obj, None);
            lists.object_removed();
            if resident {
                bindings::drm_gem_shmem_put_pages_locked(shmem);
            }
            let r = &raw mut (*shmem).reclaim;
            (*r).funcs = core::ptr::null();
            let lists = (*r).shrinker.cast::<MemcgLists>().cast_const();
            (*r).shrinker = core::ptr::null_mut();
            drop(Arc::from_raw(lists));
        }
    }
}

/// `reclaim.funcs->populated`: the pages just came in.
///
/// # Safety
///
/// Called by the shmem helpers with a live, tracked object whose lock is
/// held.
unsafe extern "C" fn populated(shmem: *mut Shmem) -> c_int {
    // SAFETY: As the function's safety requirement says.
    let mut o = unsafe { Locked::assume(shmem) };
    from_result(|| {
        let (_, t) = o.tracked()?;
        let (from, pages) = (t.state(), t.pages());
        match from {
            State::Purged => return Err(ENODATA),
            State::Evicted => {
                let dev = o.device()?;
                // SAFETY: The pages are back and hold a use, so the helper
                // builds the table from them without calling back here;
                // the table holds a page use of its own.
                let sgt =
                    from_err_ptr(unsafe { bindings::__drm_gem_shmem_get_pages_sgt_locked(shmem) })?;
                // The domain mappings first (they can be undone), then the
                // driver's own access; on failure the object stays evicted,
                // and the helper drops the pages, so the table goes first.
                crate::domain::map_all(&o, &dev.ops, sgt).inspect_err(|_| {
                    crate::reclaim::release_sgt(&o);
                })?;
                if let Some(swap_in) = dev.ops.swap_in {
                    // SAFETY: The driver restores its access from the
                    // table, which the core owns (the driver may not free it).
                    if let Err(e) = to_result(unsafe { swap_in(shmem, sgt) }) {
                        crate::domain::unmap_all(&o, &dev.ops);
                        crate::reclaim::release_sgt(&o);
                        return Err(e);
                    }
                }
                crate::domain::unmark_evicted(&o);
                dev.stats.swapped_in(pages);
            }
            _ => {}
        }
        crate::memcg::attribute(&mut o);
        o.apply(Event::Populate)?;
        // SAFETY: Live object with resident pages: the shrinker's use.
        unsafe { bindings::refcount_inc(&raw mut (*shmem).pages_use_count) };
        Ok(0)
    })
}

/// `reclaim.funcs->sgt_handed_out`: the table went to a caller that may keep
/// it as long as the object lives; the pages stay until the driver ends
/// the use ([`Use::Sgt`]).
///
/// # Safety
///
/// As for [`populated`].
unsafe extern "C" fn sgt_handed_out(shmem: *mut Shmem) {
    // SAFETY: As the function's safety requirement says.
    let mut o = unsafe { Locked::assume(shmem) };
    if let Err(e) = o.apply(Event::Acquire(Use::Sgt)) {
        misuse!(
            "the table was handed out while the object was not resident",
            e
        );
    }
}

/// `reclaim.funcs->mmap_open`.
///
/// # Safety
///
/// As for [`populated`].
unsafe extern "C" fn mmap_open(shmem: *mut Shmem) {
    // SAFETY: As the function's safety requirement says.
    let mut o = unsafe { Locked::assume(shmem) };
    if let Err(e) = o.apply(Event::MmapOpen) {
        misuse!("mmap_open", e);
    }
}

/// `reclaim.funcs->mmap_close`.
///
/// # Safety
///
/// As for [`populated`].
unsafe extern "C" fn mmap_close(shmem: *mut Shmem) {
    // SAFETY: As the function's safety requirement says.
    let mut o = unsafe { Locked::assume(shmem) };
    if let Err(e) = o.apply(Event::MmapClose) {
        misuse!("mmap_close without a mapping", e);
    }
}

/// `reclaim.funcs->release`: the object is being freed.
///
/// # Safety
///
/// As for [`populated`].
unsafe extern "C" fn release(shmem: *mut Shmem) {
    // SAFETY: As the function's safety requirement says.
    unsafe { Locked::assume(shmem) }.untrack();
}
