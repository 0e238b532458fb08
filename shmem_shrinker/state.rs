// SPDX-License-Identifier: GPL-2.0

//! Object states, reclaim classes and the one transition function.
//!
//! This file needs no kernel: the kernel build and `cargo test` compile the
//! same source, so the rules below are tested on the host against a
//! reference model (`shmem_shrinker/tests/model.rs`) and used unchanged by
//! the shrinker.
//!
//! Every tracked object is in exactly one [`State`]. [`Tracked::apply`] is
//! the only code that changes it, and it moves the object's pages from the
//! counters of the old state to those of the new one in the same step. A
//! page is therefore counted in exactly one state at any time; no flag is
//! needed to avoid counting it twice.
//!
//! ```text
//!                    Populate                     all uses released
//!   Unpopulated ─────────────────┐      ┌──────────────────────────────┐
//!                                ▼      │                              ▼
//!                          ┌─────────┐  │   Acquire(use)     ┌──────────────────┐
//!   Evicted ──Populate───▶ │  InUse  │──┘ ◀─────────────────│ Reclaimable(cls) │
//!     ▲                    └─────────┘                       └──────────────────┘
//!     │                                                         │           │
//!     └────────────────────── Evict (Evictable, EvictableMapped)┘           │
//!   Purged ◀──────────────────────────────────────────────── Purge (Purgeable)
//!     ▲
//!     └───────── Purge (Evicted and DONTNEED: the swapped-out copy goes)
//! ```
//!
//! Madvise, MmapOpen and MmapClose move a reclaimable object between
//! classes; the class is always derived from madvise and the mapping count.
//! [`Tracked::lru`] says which reclaim list an object belongs on, so the
//! lists follow the states without a second copy of the rules.

use crate::atomic::{Atomic, Relaxed};

/// Why an idle resident object can be reclaimed, ordered by the cost of
/// reclaiming it: the shrinker scans classes in this order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    /// Userspace marked it DONTNEED: the pages are dropped for good and
    /// nothing is written to swap.
    Purgeable,
    /// Idle, not mapped to userspace: the driver tears down its device
    /// access, then the pages can go to swap.
    Evictable,
    /// Idle but mapped to userspace: the CPU mappings must be zapped as well,
    /// and the next CPU access faults the pages back in.
    EvictableMapped,
}

impl Class {
    /// A short name for debugfs and messages.
    pub const fn name(self) -> &'static str {
        match self {
            Class::Purgeable => "purgeable",
            Class::Evictable => "evictable",
            Class::EvictableMapped => "evictable_mapped",
        }
    }
}

/// Where an object's backing pages are, and whether it may be reclaimed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum State {
    /// Tracked, but its pages were never brought in.
    Unpopulated,
    /// Pages resident and in use (pinned, vmapped or busy): not reclaimable.
    InUse,
    /// Pages resident and idle: on the LRU of its class.
    Reclaimable(Class),
    /// Pages released to swap; the content is kept and comes back on swap-in.
    Evicted,
    /// Pages destroyed after DONTNEED; the content is gone for good.
    Purged,
}

/// Number of distinct [`State`] values, counting each reclaim class.
pub const NR_STATES: usize = 7;

impl State {
    /// Every state, in the order of their counter slots.
    pub const ALL: [State; NR_STATES] = [
        State::Unpopulated,
        State::InUse,
        State::Reclaimable(Class::Purgeable),
        State::Reclaimable(Class::Evictable),
        State::Reclaimable(Class::EvictableMapped),
        State::Evicted,
        State::Purged,
    ];

    /// The state's counter slot.
    pub const fn index(self) -> usize {
        match self {
            State::Unpopulated => 0,
            State::InUse => 1,
            State::Reclaimable(Class::Purgeable) => 2,
            State::Reclaimable(Class::Evictable) => 3,
            State::Reclaimable(Class::EvictableMapped) => 4,
            State::Evicted => 5,
            State::Purged => 6,
        }
    }

    /// A short name for debugfs and messages.
    pub const fn name(self) -> &'static str {
        match self {
            State::Unpopulated => "unpopulated",
            State::InUse => "in_use",
            State::Reclaimable(c) => c.name(),
            State::Evicted => "evicted",
            State::Purged => "purged",
        }
    }

    /// Whether the object's pages are in memory.
    pub const fn is_resident(self) -> bool {
        matches!(self, State::InUse | State::Reclaimable(_))
    }
}

/// Userspace's advice about an object's content (madvise).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Madv {
    /// The content is needed: evict to swap, never purge.
    WillNeed,
    /// The content is not needed: it may be purged under memory pressure.
    DontNeed,
}

/// The uses that make an object unreclaimable while they last. Pins and
/// vmaps nest: they end after as many releases as they had acquires.
///
/// Jobs in flight are no use of their own: the device's use of an object
/// shows in its reservation's fences, which reclaim tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Use {
    /// Pages pinned (for scanout, dma-buf export, ...).
    Pin,
    /// Pages mapped into the kernel's address space.
    Vmap,
    /// The object's scatter/gather table was handed out to a caller that
    /// may keep it for the object's whole life (a driver path that was not
    /// converted). One table per object: not a count, handing it out again
    /// changes nothing, and one release ends the use.
    Sgt,
}

/// The reclaim lists, in the order the shrinker scans them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lru {
    /// Resident, idle and DONTNEED: purging frees memory.
    Purgeable,
    /// Evicted and DONTNEED: purging frees the swapped-out copy, no memory.
    PurgeableEvicted,
    /// Resident, idle, not mapped to userspace.
    Evictable,
    /// Resident, idle, mapped to userspace.
    EvictableMapped,
}

/// Number of reclaim lists.
pub const NR_LRUS: usize = 4;

impl Lru {
    /// Every list, in scan order.
    pub const ALL: [Lru; NR_LRUS] = [
        Lru::Purgeable,
        Lru::PurgeableEvicted,
        Lru::Evictable,
        Lru::EvictableMapped,
    ];

    /// The list's slot.
    pub const fn index(self) -> usize {
        match self {
            Lru::Purgeable => 0,
            Lru::PurgeableEvicted => 1,
            Lru::Evictable => 2,
            Lru::EvictableMapped => 3,
        }
    }

    /// The event that reclaims an object of this list.
    pub const fn event(self) -> Event {
        match self {
            Lru::Purgeable | Lru::PurgeableEvicted => Event::Purge,
            Lru::Evictable | Lru::EvictableMapped => Event::Evict,
        }
    }

    /// Whether reclaiming an object of this list frees memory (rather than
    /// swap space).
    pub const fn frees_memory(self) -> bool {
        !matches!(self, Lru::PurgeableEvicted)
    }
}

/// What happens to a tracked object.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Event {
    /// Its pages were brought in: first population, or swap-in.
    Populate,
    /// A use begins; the object must be resident.
    Acquire(Use),
    /// A use ends.
    Release(Use),
    /// Userspace mapped it (a VMA was opened).
    MmapOpen,
    /// A userspace mapping went away.
    MmapClose,
    /// Userspace gave advice about its content.
    Madvise(Madv),
    /// The device is about to use the object (a job or a command queued
    /// under its reservation): it counts as recently used, as a CPU use
    /// does, and changes no state.
    Used,
    /// The shrinker evicted it to swap.
    Evict,
    /// The shrinker purged it.
    Purge,
}

/// Why an event is refused. The kernel side maps each to an errno.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Error {
    /// The content was purged: it can never be used again (-ENODATA).
    Purged,
    /// The event needs resident pages: swap in first (handled inside the
    /// core; -EAGAIN if it ever escaped).
    NotResident,
    /// Populate on an object whose pages are already resident (-EEXIST).
    AlreadyResident,
    /// Release of a use that was not acquired, or MmapClose without a
    /// mapping (-EINVAL).
    NotHeld,
    /// A use or mapping count would overflow (-EOVERFLOW).
    Overflow,
    /// Evict or purge of an object whose state does not allow it (-EBUSY).
    NotReclaimable,
}

/// The outcome of an accepted event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transition {
    /// State before the event.
    pub from: State,
    /// State after the event.
    pub to: State,
    /// Whether the content still exists (madvise's `retained`).
    pub retained: bool,
}

/// How many sets of counters an [`Accounting`] spreads its writes over.
pub const NR_COUNTER_SETS: usize = 8;

/// One set of per-state counters, on cache lines of its own.
#[repr(align(64))]
struct Counters {
    objects: [Atomic<usize>; NR_STATES],
    pages: [Atomic<usize>; NR_STATES],
}

impl Counters {
    const fn new() -> Self {
        // An array of non-Copy atomics needs a const item to repeat.
        #[allow(clippy::declare_interior_mutable_const)]
        const ZERO: Atomic<usize> = Atomic::<usize>::new(0);
        Self {
            objects: [ZERO; NR_STATES],
            pages: [ZERO; NR_STATES],
        }
    }

    fn add(&self, state: State, pages: usize) {
        self.objects[state.index()].add(1, Relaxed);
        self.pages[state.index()].add(pages, Relaxed);
    }

    fn sub(&self, state: State, pages: usize) {
        self.objects[state.index()].fetch_sub(1, Relaxed);
        self.pages[state.index()].fetch_sub(pages, Relaxed);
    }
}

/// Objects and pages per state, for one device.
///
/// Every transition of every object writes these counters, and objects in
/// use change state on each get and put. So that CPUs working on separate
/// objects do not write the same cache lines, the counts are spread over
/// [`NR_COUNTER_SETS`] sets: a write goes to the set that `set_of_cpu`
/// names (the kernel passes the current CPU, the host tests anything), and
/// a read sums the sets. A set's own count may wrap below zero (an object
/// counted in on one CPU and out on another); the sums may not.
///
/// # Invariants
///
/// For each state, the sums over the sets of `objects` and `pages` (modulo
/// 2^usize::BITS) are the number of tracked objects in it and the sum of
/// their sizes in pages, once every [`Tracked`] method that writes them has
/// returned. The methods are called with the object's lock held, for many
/// objects at once; reads need no lock and may see a transition half-done.
pub struct Accounting {
    sets: [Counters; NR_COUNTER_SETS],
    set_of_cpu: fn() -> usize,
}

impl Accounting {
    /// Empty counters; `set_of_cpu` says which set the caller writes (any
    /// number: it is taken modulo [`NR_COUNTER_SETS`]).
    pub const fn new(set_of_cpu: fn() -> usize) -> Self {
        #[allow(clippy::declare_interior_mutable_const)]
        const EMPTY: Counters = Counters::new();
        Self {
            sets: [EMPTY; NR_COUNTER_SETS],
            set_of_cpu,
        }
    }

    fn sum(&self, counter: impl Fn(&Counters) -> &Atomic<usize>) -> usize {
        self.sets
            .iter()
            .fold(0, |n, set| n.wrapping_add(counter(set).load(Relaxed)))
    }

    /// Objects in `state`.
    pub fn objects(&self, state: State) -> usize {
        self.sum(|set| &set.objects[state.index()])
    }

    /// Pages of the objects in `state`.
    pub fn pages(&self, state: State) -> usize {
        self.sum(|set| &set.pages[state.index()])
    }

    /// Objects tracked, in any state.
    #[allow(dead_code)] // Read by the host tests.
    pub fn tracked_objects(&self) -> usize {
        State::ALL.iter().map(|s| self.objects(*s)).sum()
    }

    /// The set the caller writes.
    fn local(&self) -> &Counters {
        &self.sets[(self.set_of_cpu)() % NR_COUNTER_SETS]
    }
}

/// The shrinker's view of one tracked object.
///
/// # Invariants
///
/// - `state` is counted in the [`Accounting`] passed to [`Tracked::new`],
///   with `pages` pages, until [`Tracked::untrack`].
/// - A resident object is [`State::InUse`] exactly when one of its use
///   counts is non-zero; otherwise it is `Reclaimable(self.class())`.
/// - A non-resident object has no uses.
#[derive(Debug)]
pub struct Tracked {
    state: State,
    pages: usize,
    madv: Madv,
    pins: u32,
    vmaps: u32,
    mmaps: u32,
    /// The scatter/gather table is in use ([`Use::Sgt`]).
    sgt: bool,
    /// Used since reclaim last looked at it: the scan's second chance.
    referenced: bool,
}

impl Tracked {
    /// Start tracking an object of `pages` pages, unpopulated and WILLNEED.
    pub fn new(pages: usize, acct: &Accounting) -> Self {
        acct.local().add(State::Unpopulated, pages);
        Self {
            state: State::Unpopulated,
            pages,
            madv: Madv::WillNeed,
            pins: 0,
            vmaps: 0,
            mmaps: 0,
            sgt: false,
            referenced: false,
        }
    }

    /// Stop tracking: the object leaves the counters.
    pub fn untrack(self, acct: &Accounting) {
        acct.local().sub(self.state, self.pages);
    }

    /// The current state.
    pub fn state(&self) -> State {
        self.state
    }

    /// The current advice.
    #[allow(dead_code)] // Read by the host tests.
    pub fn madv(&self) -> Madv {
        self.madv
    }

    /// How many times `what` is held.
    pub fn uses(&self, what: Use) -> u32 {
        match what {
            Use::Pin => self.pins,
            Use::Vmap => self.vmaps,
            Use::Sgt => u32::from(self.sgt),
        }
    }

    /// Number of userspace mappings.
    pub fn mmaps(&self) -> u32 {
        self.mmaps
    }

    /// The object's size in pages.
    pub fn pages(&self) -> usize {
        self.pages
    }

    /// Whether the object was used since the last call, which forgets it:
    /// reclaim gives a used object a second chance instead of moving it to
    /// the tail of its list on every use (which would take the list lock on
    /// every use), as the kernel's page LRU does with referenced bits.
    pub fn take_referenced(&mut self) -> bool {
        core::mem::replace(&mut self.referenced, false)
    }

    /// The reclaim list the object belongs on, if any.
    pub fn lru(&self) -> Option<Lru> {
        match (self.state, self.madv) {
            (State::Reclaimable(Class::Purgeable), _) => Some(Lru::Purgeable),
            (State::Reclaimable(Class::Evictable), _) => Some(Lru::Evictable),
            (State::Reclaimable(Class::EvictableMapped), _) => Some(Lru::EvictableMapped),
            (State::Evicted, Madv::DontNeed) => Some(Lru::PurgeableEvicted),
            _ => None,
        }
    }

    /// The class a resident idle object belongs to.
    fn class(&self) -> Class {
        match (self.madv, self.mmaps) {
            (Madv::DontNeed, _) => Class::Purgeable,
            (Madv::WillNeed, 0) => Class::Evictable,
            (Madv::WillNeed, _) => Class::EvictableMapped,
        }
    }

    /// The state a resident object must be in, given its uses.
    fn resident_state(&self) -> State {
        if self.pins > 0 || self.vmaps > 0 || self.sgt {
            State::InUse
        } else {
            State::Reclaimable(self.class())
        }
    }

    /// Begin the use `what`; on error nothing changed.
    fn acquire(&mut self, what: Use) -> Result<(), Error> {
        match what {
            Use::Pin => self.pins = self.pins.checked_add(1).ok_or(Error::Overflow)?,
            Use::Vmap => self.vmaps = self.vmaps.checked_add(1).ok_or(Error::Overflow)?,
            Use::Sgt => self.sgt = true,
        }
        Ok(())
    }

    /// End the use `what`; on error nothing changed.
    fn release(&mut self, what: Use) -> Result<(), Error> {
        match what {
            Use::Pin => self.pins = self.pins.checked_sub(1).ok_or(Error::NotHeld)?,
            Use::Vmap => self.vmaps = self.vmaps.checked_sub(1).ok_or(Error::NotHeld)?,
            Use::Sgt if self.sgt => self.sgt = false,
            Use::Sgt => return Err(Error::NotHeld),
        }
        Ok(())
    }

    /// Apply `event`: the only way an object's state changes. On success the
    /// object's pages have moved from the old state's counters to the new
    /// state's; on error nothing changed.
    pub fn apply(&mut self, event: Event, acct: &Accounting) -> Result<Transition, Error> {
        let from = self.state;
        if from == State::Purged && matches!(event, Event::Populate | Event::Acquire(_)) {
            return Err(Error::Purged);
        }
        let to = match event {
            Event::Populate => {
                if from.is_resident() {
                    return Err(Error::AlreadyResident);
                }
                self.resident_state()
            }
            Event::Acquire(what) => {
                if !from.is_resident() {
                    return Err(Error::NotResident);
                }
                self.acquire(what)?;
                self.referenced = true;
                State::InUse
            }
            Event::Release(what) => {
                self.release(what)?;
                self.resident_state()
            }
            Event::Used => {
                self.referenced = true;
                from
            }
            Event::MmapOpen => {
                self.mmaps = self.mmaps.checked_add(1).ok_or(Error::Overflow)?;
                self.settle(from)
            }
            Event::MmapClose => {
                self.mmaps = self.mmaps.checked_sub(1).ok_or(Error::NotHeld)?;
                self.settle(from)
            }
            Event::Madvise(madv) => {
                if from != State::Purged {
                    self.madv = madv;
                }
                self.settle(from)
            }
            Event::Evict => match from {
                State::Reclaimable(Class::Evictable | Class::EvictableMapped) => State::Evicted,
                _ => return Err(Error::NotReclaimable),
            },
            Event::Purge => match (from, self.madv) {
                (State::Reclaimable(Class::Purgeable), _) => State::Purged,
                (State::Evicted, Madv::DontNeed) => State::Purged,
                _ => return Err(Error::NotReclaimable),
            },
        };
        if to != from {
            // One set for both halves: one look at the CPU number.
            let set = acct.local();
            set.sub(from, self.pages);
            set.add(to, self.pages);
            self.state = to;
        }
        Ok(Transition {
            from,
            to,
            retained: to != State::Purged,
        })
    }

    /// The state after a change that does not move pages in or out.
    fn settle(&self, from: State) -> State {
        if from.is_resident() {
            self.resident_state()
        } else {
            from
        }
    }
}
