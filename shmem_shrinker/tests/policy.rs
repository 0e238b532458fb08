// SPDX-License-Identifier: GPL-2.0

//! The scan policy: what a reclaim context may do, and what is counted.

use shmem_shrinker_logic::policy::{count, ScanContext, Skip, Stats};
use shmem_shrinker_logic::state::{Accounting, Class, Event, Madv, Tracked};

#[test]
fn purge_always_evict_only_when_blocking_with_swap() {
    let ctx = |can_block, swap_available| ScanContext {
        can_block,
        swap_available,
    };
    assert_eq!(ctx(false, false).classes(), &[Class::Purgeable]);
    assert_eq!(ctx(true, false).classes(), &[Class::Purgeable]);
    assert_eq!(ctx(false, true).classes(), &[Class::Purgeable]);
    assert_eq!(
        ctx(true, true).classes(),
        &[Class::Purgeable, Class::Evictable, Class::EvictableMapped]
    );
}

#[test]
fn count_includes_evictable_pages_only_with_swap() {
    let acct = Accounting::new();
    let mut a = Tracked::new(3, &acct);
    a.apply(Event::Populate, &acct).unwrap();
    let mut b = Tracked::new(5, &acct);
    b.apply(Event::Populate, &acct).unwrap();
    b.apply(Event::Madvise(Madv::DontNeed), &acct).unwrap();
    let _unpopulated = Tracked::new(7, &acct);
    assert_eq!(count(&acct, false), 5);
    assert_eq!(count(&acct, true), 8);
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
    let snap = s.snapshot();
    assert_eq!(
        (snap.scanned, snap.purged, snap.evicted, snap.swapped_in),
        (2, 1, 1, 1)
    );
    assert_eq!(
        (snap.skipped_locked, snap.skipped_busy, snap.skipped_dying),
        (1, 2, 1)
    );
}
