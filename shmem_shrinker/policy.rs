// SPDX-License-Identifier: GPL-2.0

//! Scan policy and reclaim statistics.
//!
//! Like `state.rs`, this file needs no kernel: `cargo test` checks it on the
//! host and the kernel compiles it unchanged.

use crate::atomic::{Atomic, Relaxed};
use crate::state::{Lru, NR_LRUS};

/// What the reclaim context allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScanContext {
    /// The allocation that triggered reclaim may sleep (its GFP flags allow
    /// direct reclaim), so writing pages to swap and waiting is allowed.
    pub can_block: bool,
    /// Free swap space, in pages, when the scan began: an object is only
    /// evicted if what is left of it holds the whole object. `usize::MAX`
    /// for callers that evict without swap (tests and debugfs: the pages
    /// then stay in the page cache, unreferenced, until swap-in).
    pub swap_pages: usize,
}

impl ScanContext {
    /// Eviction writes pages to swap: it needs swap space and a context
    /// that may block (msm's and panthor's `can_block` rule). Purging needs
    /// neither.
    pub const fn can_evict(self) -> bool {
        self.can_block && self.swap_pages > 0
    }

    /// The reclaim lists to scan, cheapest first.
    pub fn lists(self) -> &'static [Lru] {
        if self.can_evict() {
            &Lru::ALL
        } else {
            &Lru::ALL[..2]
        }
    }

    /// Take swap space for an object of `pages` pages about to be evicted;
    /// false, taking nothing, when it would not fit.
    pub fn take_swap(&mut self, pages: usize) -> bool {
        if self.swap_pages == usize::MAX {
            return true;
        }
        match self.swap_pages.checked_sub(pages) {
            Some(left) => {
                self.swap_pages = left;
                true
            }
            None => false,
        }
    }
}

/// The shrinker's `count_objects`, from the page counts of the reclaim
/// lists (indexed by [`Lru::index`]): the memory that a scan allowed to
/// evict could free. Evicted objects' swap is not memory.
pub fn count(lru_pages: &[usize; NR_LRUS], swap_available: bool) -> usize {
    let mut n = lru_pages[Lru::Purgeable.index()];
    if swap_available {
        n += lru_pages[Lru::Evictable.index()] + lru_pages[Lru::EvictableMapped.index()];
    }
    n
}

/// What `scan_objects` tells the kernel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Pages were freed.
    Freed(usize),
    /// Nothing freed, but objects were skipped because someone held their
    /// reservation: the kernel should call again (0).
    Retry,
    /// Nothing left to do now (SHRINK_STOP).
    Stop,
}

/// How many scans in a row may end with [`Verdict::Retry`] (panthor's
/// rule): contended objects get a second chance, not an endless loop.
pub const MAX_RETRIES: u32 = 2;

/// The verdict of a scan that freed `freed` pages and left `contended`
/// pages because their reservation was held, after `retries` scans in a
/// row that ended with [`Verdict::Retry`] (this one included when it
/// counts).
pub fn verdict(freed: usize, contended: usize, retries: u32) -> Verdict {
    if freed > 0 {
        Verdict::Freed(freed)
    } else if contended > 0 && retries < MAX_RETRIES {
        Verdict::Retry
    } else {
        Verdict::Stop
    }
}

/// Why a scanned object was left alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Skip {
    /// Its reservation lock was held by someone else.
    Locked,
    /// It was in use: pinned, mapped, fenced, or the driver said so.
    Busy,
    /// Swap had no room left for it.
    NoSwap,
    /// It was used since the last scan: a second chance.
    Referenced,
    /// Its last reference was already gone: it is being freed.
    Dying,
}

/// Declares the cumulative counters once: [`Stats`] (atomics, updated by
/// reclaim), [`StatsSnapshot`] (a copy), [`Stats::snapshot`] and
/// [`StatsSnapshot::fields`] (name and value, in this order, which is what
/// debugfs prints). The C ABI's struct mirrors it with one `From`.
macro_rules! counters {
    ($($(#[$doc:meta])* $name:ident,)*) => {
        /// Cumulative reclaim statistics of one device.
        pub struct Stats {
            $($(#[$doc])* $name: Atomic<u64>,)*
        }

        impl Default for Stats {
            fn default() -> Self {
                Self {
                    $($name: Atomic::<u64>::new(0),)*
                }
            }
        }

        /// A copy of [`Stats`] at one moment.
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        pub struct StatsSnapshot {
            $($(#[$doc])* pub $name: u64,)*
        }

        impl StatsSnapshot {
            /// Every counter with its name, in the order of the struct: what
            /// debugfs prints.
            pub fn fields(&self) -> [(&'static str, u64); [$(stringify!($name)),*].len()] {
                [$((stringify!($name), self.$name)),*]
            }
        }

        impl Stats {
            /// Read every counter.
            pub fn snapshot(&self) -> StatsSnapshot {
                StatsSnapshot {
                    $($name: self.$name.load(Relaxed),)*
                }
            }
        }
    };
}

counters! {
    /// Objects looked at by scans.
    scanned,
    /// Objects purged.
    purged,
    /// Objects evicted.
    evicted,
    /// Evicted objects brought back.
    swapped_in,
    /// Objects skipped because their reservation was held.
    skipped_locked,
    /// Objects skipped because they were in use.
    skipped_busy,
    /// Objects skipped because they were being freed.
    skipped_dying,
    /// Objects not evicted because swap had no room for them.
    skipped_no_swap,
    /// Objects used since the last scan, given a second chance.
    skipped_referenced,
    /// Pages of the objects purged.
    purged_pages,
    /// Pages of the objects evicted.
    evicted_pages,
    /// Pages of the objects brought back.
    swapped_in_pages,
}

impl Stats {
    /// An object was looked at by a scan.
    pub fn scanned(&self) {
        self.scanned.add(1, Relaxed);
    }

    /// An object of `pages` pages was purged.
    pub fn purged(&self, pages: usize) {
        self.purged.add(1, Relaxed);
        self.purged_pages.add(pages as u64, Relaxed);
    }

    /// An object of `pages` pages was evicted.
    pub fn evicted(&self, pages: usize) {
        self.evicted.add(1, Relaxed);
        self.evicted_pages.add(pages as u64, Relaxed);
    }

    /// An evicted object of `pages` pages was brought back.
    pub fn swapped_in(&self, pages: usize) {
        self.swapped_in.add(1, Relaxed);
        self.swapped_in_pages.add(pages as u64, Relaxed);
    }

    /// A scanned object was left alone.
    pub fn skipped(&self, why: Skip) {
        let c = match why {
            Skip::Locked => &self.skipped_locked,
            Skip::Busy => &self.skipped_busy,
            Skip::Dying => &self.skipped_dying,
            Skip::NoSwap => &self.skipped_no_swap,
            Skip::Referenced => &self.skipped_referenced,
        };
        c.add(1, Relaxed);
    }
}
