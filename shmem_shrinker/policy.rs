// SPDX-License-Identifier: GPL-2.0

//! Scan policy and reclaim statistics.
//!
//! Like `state.rs`, this file needs no kernel: `cargo test` checks it on the
//! host and the kernel compiles it unchanged.

use crate::state::{Accounting, Class};
use core::sync::atomic::{AtomicU64, Ordering};

/// What the reclaim context allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScanContext {
    /// The allocation that triggered reclaim may sleep (its GFP flags allow
    /// direct reclaim), so writing pages to swap and waiting is allowed.
    pub can_block: bool,
    /// Swap space is left.
    pub swap_available: bool,
}

impl ScanContext {
    /// Eviction writes pages to swap: it needs swap space and a context
    /// that may block (msm's and panthor's `can_block` rule). Purging needs
    /// neither.
    pub const fn can_evict(self) -> bool {
        self.can_block && self.swap_available
    }

    /// The classes to scan, cheapest first.
    pub fn classes(self) -> &'static [Class] {
        if self.can_evict() {
            &Class::ALL
        } else {
            &Class::ALL[..1]
        }
    }
}

/// The shrinker's `count_objects`: pages that a scan in a context allowing
/// eviction could free. It reads counters only.
pub fn count(acct: &Accounting, swap_available: bool) -> usize {
    acct.reclaimable_pages(swap_available)
}

/// Why a scanned object was left alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Skip {
    /// Its reservation lock was held by someone else.
    Locked,
    /// It was in use: pinned, mapped, fenced, or the driver said so.
    Busy,
    /// Its last reference was already gone: it is being freed.
    Dying,
}

/// Cumulative reclaim statistics of one device.
#[derive(Default)]
pub struct Stats {
    scanned: AtomicU64,
    purged: AtomicU64,
    evicted: AtomicU64,
    swapped_in: AtomicU64,
    skipped_locked: AtomicU64,
    skipped_busy: AtomicU64,
    skipped_dying: AtomicU64,
    purged_pages: AtomicU64,
    evicted_pages: AtomicU64,
    swapped_in_pages: AtomicU64,
}

/// A copy of [`Stats`] at one moment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StatsSnapshot {
    pub scanned: u64,
    pub purged: u64,
    pub evicted: u64,
    pub swapped_in: u64,
    pub skipped_locked: u64,
    pub skipped_busy: u64,
    pub skipped_dying: u64,
    pub purged_pages: u64,
    pub evicted_pages: u64,
    pub swapped_in_pages: u64,
}

impl Stats {
    /// An object was looked at by a scan.
    pub fn scanned(&self) {
        self.scanned.fetch_add(1, Ordering::Relaxed);
    }

    /// An object of `pages` pages was purged.
    pub fn purged(&self, pages: usize) {
        self.purged.fetch_add(1, Ordering::Relaxed);
        self.purged_pages.fetch_add(pages as u64, Ordering::Relaxed);
    }

    /// An object of `pages` pages was evicted.
    pub fn evicted(&self, pages: usize) {
        self.evicted.fetch_add(1, Ordering::Relaxed);
        self.evicted_pages
            .fetch_add(pages as u64, Ordering::Relaxed);
    }

    /// An evicted object of `pages` pages was brought back.
    pub fn swapped_in(&self, pages: usize) {
        self.swapped_in.fetch_add(1, Ordering::Relaxed);
        self.swapped_in_pages
            .fetch_add(pages as u64, Ordering::Relaxed);
    }

    /// A scanned object was left alone.
    pub fn skipped(&self, why: Skip) {
        let c = match why {
            Skip::Locked => &self.skipped_locked,
            Skip::Busy => &self.skipped_busy,
            Skip::Dying => &self.skipped_dying,
        };
        c.fetch_add(1, Ordering::Relaxed);
    }

    /// Read every counter.
    pub fn snapshot(&self) -> StatsSnapshot {
        let r = |c: &AtomicU64| c.load(Ordering::Relaxed);
        StatsSnapshot {
            scanned: r(&self.scanned),
            purged: r(&self.purged),
            evicted: r(&self.evicted),
            swapped_in: r(&self.swapped_in),
            skipped_locked: r(&self.skipped_locked),
            skipped_busy: r(&self.skipped_busy),
            skipped_dying: r(&self.skipped_dying),
            purged_pages: r(&self.purged_pages),
            evicted_pages: r(&self.evicted_pages),
            swapped_in_pages: r(&self.swapped_in_pages),
        }
    }
}
