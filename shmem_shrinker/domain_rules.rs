// SPDX-License-Identifier: GPL-2.0

//! The rules of GPU address spaces (domains), without the kernel's locks
//! and lists: a domain's job count, the all-or-nothing marking of an
//! object's mappings for eviction, and the swap-in of a domain's evicted
//! objects before a job. `domain.rs` applies them under each domain's
//! spinlock; the host build tests them against a model
//! (`tests/domains.rs`), with the state machine of `state.rs`.
//!
//! The rules:
//!
//! 1. An object mapped in domains is evicted only while none of them has a
//!    job counted ([`Jobs::allows_eviction`], [`mark_all`]); its mappings
//!    are then all on their domains' lists of evicted mappings, or, when
//!    one domain has a job, none is.
//! 2. A job is counted first, then every object on its domain's list is
//!    swapped in ([`begin_job`]); a swap-in takes all of the object's
//!    mappings off every list. A failed swap-in ends the loop with the job
//!    still counted (the driver ends it as any other).
//! 3. A job ended without being begun, or begun beyond the count's limit,
//!    is refused and changes nothing.
//! 4. A job is a use of every object mapped in its domain, listed in the
//!    job or not: eviction passes over an object one of whose domains
//!    began a job since eviction last looked at it
//!    ([`Jobs::take_begun_since`]), the second chance a used object gets
//!    (each look takes the mark). So, within each eviction list, objects
//!    of idle domains are evicted before those of domains that run jobs,
//!    whose evicted objects the next job would swap back in at once
//!    (rule 2).

use crate::state::Error;

/// The jobs of one domain, counted from submit to cleanup.
///
/// # Invariants
///
/// `count` counts each [`Jobs::begin`] that succeeded and was not yet
/// ended; `begun` counts (wrapping) every one that succeeded.
#[derive(Debug, Default)]
pub struct Jobs {
    count: usize,
    begun: u64,
}

impl Jobs {
    /// No job counted.
    pub const fn new() -> Self {
        Self { count: 0, begun: 0 }
    }

    /// Jobs counted now.
    pub fn count(&self) -> usize {
        self.count
    }

    /// Count a job in. At the count's limit: [`Error::Overflow`], nothing
    /// counted.
    pub fn begin(&mut self) -> Result<(), Error> {
        // INVARIANT: one more begun job.
        self.count = self.count.checked_add(1).ok_or(Error::Overflow)?;
        self.begun = self.begun.wrapping_add(1);
        Ok(())
    }

    /// Count a job out. Without one counted: [`Error::NotHeld`], nothing
    /// changes.
    pub fn end(&mut self) -> Result<(), Error> {
        // INVARIANT: one begun job ended.
        self.count = self.count.checked_sub(1).ok_or(Error::NotHeld)?;
        Ok(())
    }

    /// Whether an object mapped in this domain may be unmapped for
    /// eviction now.
    pub fn allows_eviction(&self) -> bool {
        self.count == 0
    }

    /// The mark a new mapping starts from: no job began since.
    pub fn seen(&self) -> u64 {
        self.begun
    }

    /// Whether a job began since a mapping's mark `seen` (rule 4), which
    /// is brought up to date. (2^64 jobs would have to begin between two
    /// looks for one to go unseen.)
    pub fn take_begun_since(&self, seen: &mut u64) -> bool {
        let began = *seen != self.begun;
        *seen = self.begun;
        began
    }
}

/// Mark every mapping of one object evicted, one domain at a time: `mark`
/// puts a mapping on its domain's list, under that domain's lock, when
/// the domain allows eviction and returns whether it did. When one does
/// not, `unmark_all` takes the object's mappings off every list again.
/// Returns whether all are marked (rule 1).
pub fn mark_all<M>(
    mappings: impl IntoIterator<Item = M>,
    mut mark: impl FnMut(M) -> bool,
    unmark_all: impl FnOnce(),
) -> bool {
    for m in mappings {
        if !mark(m) {
            unmark_all();
            return false;
        }
    }
    true
}

/// Begin a job of a domain (rule 2): `count_in` counts it (under the
/// domain's lock), then, as long as `next_evicted` (which takes the
/// domain's lock and lets go of it) finds an object on the domain's list,
/// `swap_in` brings it back, which takes its mappings off every list, or
/// fails. An object that can no longer come back (purged, untracked) must
/// leave the lists too, or this would not end.
///
/// Eviction checks the count and puts mappings on the list under the same
/// lock, so either `next_evicted` finds the mapping, or eviction saw the
/// job and left the object alone.
pub fn begin_job<O, E>(
    count_in: impl FnOnce() -> Result<(), E>,
    mut next_evicted: impl FnMut() -> Option<O>,
    mut swap_in: impl FnMut(O) -> Result<(), E>,
) -> Result<(), E> {
    count_in()?;
    while let Some(o) = next_evicted() {
        swap_in(o)?;
    }
    Ok(())
}
