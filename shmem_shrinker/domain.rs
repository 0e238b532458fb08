// SPDX-License-Identifier: GPL-2.0

//! GPU address spaces (domains): where a tracked object is mapped for the
//! device, and the jobs that may use it.
//!
//! A GPU with an address space per file (panfrost, lima, panthor's VMs)
//! runs jobs that touch objects they do not list: every object mapped in
//! the job's address space must be there while the job runs. So the core
//! counts each domain's jobs (from submit to cleanup), and:
//!
//! - evicts an object only while none of the domains that map it has a job
//!   counted; its mappings are unmapped through the driver's `unmap`
//!   callback, keep their device address, and go on their domain's list
//!   of evicted mappings ([`mark_evicted`]);
//! - when a job of a domain is counted in ([`Domain::job_begin`]), swaps
//!   back in every object on that list before it returns, which maps each
//!   of its mappings again through the driver's `map` callback
//!   ([`map_all`]).
//!
//! A submit counts its job and then looks at the list under the domain's
//! lock; eviction checks the count and puts the mapping on the list under
//! the same lock. So either the submit finds the mapping there (and swaps
//! its object in, waiting for the reservation that eviction holds), or
//! eviction sees the job and leaves the object alone.
//!
//! The object's mappings form a list of their own, headed in
//! `drm_gem_shmem_object.reclaim.mappings` and linked through
//! `drm_gem_shmem_shrinker_mapping.next`, under the object's reservation
//! lock: a driver adds a mapping before it maps it and removes it after it
//! unmapped it for good, both with the reservation held.
//!
//! The rules themselves (the job count, all-or-nothing marking, the
//! swap-in loop of a job's begin) are kernel-free, in `domain_rules.rs`,
//! and tested on the host against a model; this file gives them the
//! kernel's locks, lists and objects.
//!
//! Lock order: the reservation lock, then a domain's lock (a spinlock,
//! never held across anything that sleeps). [`Domain::job_begin`] drops
//! the domain's lock before it takes a reservation.

use crate::c_api::drm_gem_shmem_shrinker_mapping as Mapping;
use crate::device::Ops;
use crate::domain_rules::{self, Jobs};
use crate::object::{Locked, OpError};
use crate::state;
use kernel::{
    bindings,
    error::to_result,
    new_spinlock,
    prelude::*,
    sync::{Arc, SpinLock},
    types::Opaque,
};

type Shmem = bindings::drm_gem_shmem_object;

/// One GPU address space of a device.
///
/// # Invariants
///
/// - `evicted` is an initialised list, protected by `jobs`' lock, of the
///   `evicted_link`s of linked mappings in this domain whose object is
///   evicted.
/// - Every linked mapping of this domain holds a reference to it.
#[pin_data]
pub(crate) struct Domain {
    /// Jobs counted by [`Domain::job_begin`] and not yet ended.
    #[pin]
    jobs: SpinLock<Jobs>,
    /// Mappings of evicted objects, under `jobs`' lock.
    #[pin]
    evicted: Opaque<bindings::list_head>,
}

// SAFETY: The list is only reached under the spinlock.
unsafe impl Send for Domain {}
// SAFETY: As above.
unsafe impl Sync for Domain {}

impl Domain {
    /// A new domain, without jobs or evicted mappings.
    pub(crate) fn new() -> Result<Arc<Self>> {
        Arc::pin_init(
            pin_init!(Self {
                jobs <- new_spinlock!(Jobs::new(), "drm_gem_shmem_shrinker_domain"),
                // SAFETY: `INIT_LIST_HEAD` initialises the list in place.
                evicted <- Opaque::ffi_init(|p| unsafe { bindings::INIT_LIST_HEAD(p) }),
            }),
            GFP_KERNEL,
        )
    }

    /// Jobs counted now.
    pub(crate) fn jobs(&self) -> usize {
        self.jobs.lock().count()
    }

    /// Count a job in, then swap in every object that has a mapping on the
    /// domain's list of evicted mappings. The job is counted even when a
    /// swap-in fails; [`Domain::job_end`] ends it either way.
    pub(crate) fn job_begin(&self) -> Result {
        domain_rules::begin_job(
            || self.jobs.lock().begin().map_err(|_| EOVERFLOW),
            || self.first_evicted(),
            |shmem| {
                let ret = swap_in_for_job(shmem);
                // SAFETY: The reference `first_evicted` took; nothing is
                // locked here, so the driver's free path may run.
                unsafe { bindings::drm_gem_object_put(&raw mut (*shmem).base) };
                ret
            },
        )
    }

    /// The object of the first mapping on the domain's list of evicted
    /// mappings, with a reference taken, or `None` when the list is empty.
    fn first_evicted(&self) -> Option<*mut Shmem> {
        let _jobs = self.jobs.lock();
        // SAFETY: The list is initialised and `jobs` is locked.
        let first = unsafe { (*self.evicted.get()).next };
        if core::ptr::eq(first, self.evicted.get()) {
            return None;
        }
        // SAFETY: A linked entry is the `evicted_link` of a linked mapping,
        // whose object the driver's mapping holds a reference to until it
        // removes the mapping (under this lock too).
        Some(unsafe {
            let m = kernel::container_of!(first, Mapping, evicted_link);
            let shmem = (*m).shmem;
            bindings::drm_gem_object_get(&raw mut (*shmem).base);
            shmem
        })
    }

    /// A job counted by [`Domain::job_begin`] ended. An end without its
    /// begin is a driver bug: reported, and nothing changes.
    pub(crate) fn job_end(&self) {
        let ended = self.jobs.lock().end();
        if let Err(e) = ended {
            misuse!("job_end without job_begin", OpError::State(e));
        }
    }
}

/// Swap in an evicted object for a job of one of its domains.
fn swap_in_for_job(shmem: *mut Shmem) -> Result {
    // SAFETY: The caller holds a reference to the object.
    let mut o = unsafe { Locked::lock_interruptible(shmem) }?;
    match o.make_resident() {
        // Purged meanwhile (its mappings left the lists), or no longer
        // tracked (a driver untracks only objects without mappings).
        Ok(()) | Err(OpError::State(state::Error::Purged)) | Err(OpError::Untracked) => {}
        Err(e) => return Err(e.into()),
    }
    // Resident or gone: none of its mappings may stay on a list, or the
    // next job would look at it again.
    unmark_evicted(&o);
    Ok(())
}

/// The first mapping of a locked object's list.
fn first_mapping(o: &Locked) -> *mut Mapping {
    // SAFETY: Live object, lock held.
    unsafe { (*o.shmem()).reclaim.mappings.cast() }
}

/// Every mapping of a locked object, in list order. (The successor of a
/// mapping is read when the mapping is handed out.)
fn mappings(o: &Locked) -> impl Iterator<Item = *mut Mapping> + '_ {
    let first = first_mapping(o);
    core::iter::successors((!first.is_null()).then_some(first), |&m| {
        // SAFETY: Linked mappings stay valid while the object's lock is
        // held (the driver removes them under it).
        let next = unsafe { (*m).next };
        (!next.is_null()).then_some(next)
    })
}

/// Whether the object has mappings in any domain.
pub(crate) fn has_mappings(o: &Locked) -> bool {
    !first_mapping(o).is_null()
}

/// The domain of a linked mapping.
///
/// # Safety
///
/// `m` is linked (its domain reference is held).
unsafe fn domain_of<'a>(m: *mut Mapping) -> &'a Domain {
    // SAFETY: A linked mapping holds a reference to its domain.
    unsafe { &*(*m).domain.cast::<Domain>() }
}

/// Put every mapping of `o` on its domain's list of evicted mappings, if
/// none of those domains has a job counted; otherwise change nothing.
/// Returns whether it did.
pub(crate) fn mark_evicted(o: &Locked) -> bool {
    domain_rules::mark_all(
        mappings(o),
        |m| {
            // SAFETY: Linked mapping, object locked.
            let d = unsafe { domain_of(m) };
            let jobs = d.jobs.lock();
            if jobs.allows_eviction() {
                // SAFETY: The list is `d`'s, locked; the link is
                // initialised and on no list (an object's mappings are
                // marked all at once).
                unsafe { bindings::list_add_tail(&raw mut (*m).evicted_link, d.evicted.get()) };
            }
            jobs.allows_eviction()
        },
        || unmark_evicted(o),
    )
}

/// Whether a job began in one of `o`'s domains since reclaim last looked
/// (rule 4 of `domain_rules.rs`: a job is a use of every object mapped in
/// its domain); every mapping's mark is brought up to date.
pub(crate) fn take_used_by_jobs(o: &Locked) -> bool {
    let mut used = false;
    for m in mappings(o) {
        // SAFETY: Linked mapping, object locked.
        let d = unsafe { domain_of(m) };
        let jobs = d.jobs.lock();
        // SAFETY: `m` is a linked mapping of the locked object, so valid;
        // its mark is written only here and in `add`, both holding the
        // object's reservation and the domain's lock, as here.
        used |= jobs.take_begun_since(unsafe { &mut (*m).jobs_seen });
    }
    used
}

/// Take every mapping of `o` off its domain's list of evicted mappings
/// (those that are on one).
pub(crate) fn unmark_evicted(o: &Locked) {
    for m in mappings(o) {
        // SAFETY: Linked mapping, object locked.
        let d = unsafe { domain_of(m) };
        let _jobs = d.jobs.lock();
        // SAFETY: The link is initialised; on `d`'s list or alone.
        unsafe { bindings::list_del_init(&raw mut (*m).evicted_link) };
    }
}

/// Unmap every mapping of `o` from the device through the driver's
/// `unmap` callback, which keeps their device addresses.
pub(crate) fn unmap_all(o: &Locked, ops: &Ops) {
    let Some(unmap) = ops.unmap else { return };
    for m in mappings(o) {
        // SAFETY: A linked mapping of a locked object.
        unsafe { unmap(m) };
    }
}

/// Map every mapping of `o` again from `sgt` through the driver's `map`
/// callback. On failure, those mapped here are unmapped again.
pub(crate) fn map_all(o: &Locked, ops: &Ops, sgt: *mut bindings::sg_table) -> Result {
    let (Some(map), Some(unmap)) = (ops.map, ops.unmap) else {
        return Ok(());
    };
    for m in mappings(o) {
        // SAFETY: A linked mapping of a locked object, its pages resident.
        if let Err(e) = to_result(unsafe { map(m, sgt) }) {
            for done in mappings(o).take_while(|&d| !core::ptr::eq(d, m)) {
                // SAFETY: As above; mapped just before.
                unsafe { unmap(done) };
            }
            return Err(e);
        }
    }
    Ok(())
}

/// Add `m` to `o`'s mappings in `d`, swapping the object in first, so that
/// the driver maps it (with the reservation still held) where eviction
/// finds it. An untracked object: nothing to do.
///
/// # Safety
///
/// `m` points to a mapping that is not linked and stays valid until
/// [`remove`].
pub(crate) unsafe fn add(o: &mut Locked, d: &Arc<Domain>, m: *mut Mapping) -> Result<(), OpError> {
    if !o.is_tracked() {
        return Ok(());
    }
    o.make_resident()?;
    // The mark eviction starts from, under the domain's lock (see
    // `take_used_by_jobs`).
    let jobs = d.jobs.lock();
    // SAFETY: The mapping is the caller's and not linked; the object is
    // locked, so its list is ours to change. INVARIANT: the mapping takes
    // a reference to its domain, which `remove` drops.
    unsafe {
        let head = &raw mut (*o.shmem()).reclaim.mappings;
        bindings::INIT_LIST_HEAD(&raw mut (*m).evicted_link);
        (*m).domain = Arc::into_raw(d.clone()).cast_mut().cast();
        (*m).shmem = o.shmem();
        (*m).jobs_seen = jobs.seen();
        (*m).next = (*head).cast();
        *head = m.cast();
    }
    drop(jobs);
    Ok(())
}

/// Take `m` off its object's mappings and its domain's list. A mapping
/// that was never added (or is removed already): nothing to do.
///
/// # Safety
///
/// `m` is a valid mapping; if linked, `o` is its object.
pub(crate) unsafe fn remove(o: &Locked, m: *mut Mapping) {
    // SAFETY: A valid mapping.
    if unsafe { (*m).shmem }.is_null() {
        return;
    }
    // SAFETY: Linked: on `o`'s list, which the lock protects.
    unsafe {
        let d = domain_of(m);
        {
            let _jobs = d.jobs.lock();
            bindings::list_del_init(&raw mut (*m).evicted_link);
        }
        let mut link = &raw mut (*o.shmem()).reclaim.mappings;
        while !(*link).is_null() {
            let cur: *mut Mapping = (*link).cast();
            if core::ptr::eq(cur, m) {
                *link = (*m).next.cast();
                break;
            }
            link = (&raw mut (*cur).next).cast();
        }
        let domain = (*m).domain.cast::<Domain>().cast_const();
        (*m).next = core::ptr::null_mut();
        (*m).shmem = core::ptr::null_mut();
        (*m).domain = core::ptr::null_mut();
        drop(Arc::from_raw(domain));
    }
}
