// SPDX-License-Identifier: GPL-2.0

//! The scan policy: what a reclaim context may do, and what is counted.

use shmem_shrinker_logic::policy::{count, verdict, ScanContext, Skip, Stats, Verdict};
use shmem_shrinker_logic::state::{Lru, NR_LRUS};

#[test]
fn purge_always_evict_only_when_blocking_with_swap() {
    let ctx = |can_block, swap_pages| ScanContext {
        can_block,
        swap_pages,
    };
    let purge = [Lru::Purgeable, Lru::PurgeableEvicted];
    assert_eq!(ctx(false, 0).lists(), &purge);
    assert_eq!(ctx(true, 0).lists(), &purge);
    assert_eq!(ctx(false, 100).lists(), &purge);
    assert_eq!(ctx(true, 1).lists(), &Lru::ALL);
}

#[test]
fn eviction_takes_swap_for_the_whole_object() {
    let mut c = ScanContext {
        can_block: true,
        swap_pages: 10,
    };
    assert!(c.take_swap(6));
    assert!(!c.take_swap(6), "4 pages left cannot hold 6");
    assert!(c.take_swap(4));
    assert!(!c.can_evict());
    let mut unlimited = ScanContext {
        can_block: true,
        swap_pages: usize::MAX,
    };
    assert!(unlimited.take_swap(1 << 40));
    assert!(unlimited.take_swap(1 << 40));
}

#[test]
fn count_includes_evictable_pages_only_with_swap() {
    let mut pages = [0; NR_LRUS];
    pages[Lru::Purgeable.index()] = 5;
    pages[Lru::PurgeableEvicted.index()] = 11;
    pages[Lru::Evictable.index()] = 3;
    pages[Lru::EvictableMapped.index()] = 2;
    assert_eq!(count(&pages, false), 5);
    assert_eq!(count(&pages, true), 10);
}

#[test]
fn contended_scans_are_retried_a_bounded_number_of_times() {
    assert_eq!(verdict(8, 4, 0), Verdict::Freed(8));
    assert_eq!(verdict(0, 4, 0), Verdict::Retry);
    assert_eq!(verdict(0, 4, 1), Verdict::Retry);
    assert_eq!(verdict(0, 4, 2), Verdict::Stop);
    assert_eq!(verdict(0, 0, 0), Verdict::Stop);
}

#[test]
fn stats_count_each_outcome() {
    let s = Stats::default();
    s.scanned();
    s.scanned();
    s.purged(3);
    s.evicted(4);
    s.swapped_in(4);
    s.skipped(Skip::Locked);
    s.skipped(Skip::Busy);
    s.skipped(Skip::Busy);
    s.skipped(Skip::Dying);
    s.skipped(Skip::NoSwap);
    s.skipped(Skip::Referenced);
    let snap = s.snapshot();
    assert_eq!(
        (snap.scanned, snap.purged, snap.evicted, snap.swapped_in),
        (2, 1, 1, 1)
    );
    assert_eq!(
        (
            snap.skipped_locked,
            snap.skipped_busy,
            snap.skipped_dying,
            snap.skipped_no_swap,
            snap.skipped_referenced
        ),
        (1, 2, 1, 1, 1)
    );
}
