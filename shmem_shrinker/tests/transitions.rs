// SPDX-License-Identifier: GPL-2.0

//! Each documented transition, legal and illegal, one by one.

use shmem_shrinker_logic::state::{
    Accounting, Class, Error, Event, Lru, Madv, State, Tracked, Use,
};

const EVICTABLE: State = State::Reclaimable(Class::Evictable);
const MAPPED: State = State::Reclaimable(Class::EvictableMapped);
const PURGEABLE: State = State::Reclaimable(Class::Purgeable);

fn resident(acct: &Accounting) -> Tracked {
    let mut t = Tracked::new(4, acct);
    t.apply(Event::Populate, acct).unwrap();
    t
}

#[test]
fn new_object_is_unpopulated_and_counted() {
    let acct = Accounting::new(|| 0);
    let t = Tracked::new(8, &acct);
    assert_eq!(t.state(), State::Unpopulated);
    assert_eq!(
        (
            acct.objects(State::Unpopulated),
            acct.pages(State::Unpopulated)
        ),
        (1, 8)
    );
    t.untrack(&acct);
    assert_eq!(acct.tracked_objects(), 0);
}

#[test]
fn populate_then_uses_nest() {
    let acct = Accounting::new(|| 0);
    let mut t = resident(&acct);
    assert_eq!(t.state(), EVICTABLE);
    for u in [Use::Pin, Use::Vmap] {
        assert_eq!(t.apply(Event::Acquire(u), &acct).unwrap().to, State::InUse);
        assert_eq!(t.apply(Event::Acquire(u), &acct).unwrap().to, State::InUse);
        assert_eq!(t.apply(Event::Release(u), &acct).unwrap().to, State::InUse);
        assert_eq!(t.apply(Event::Release(u), &acct).unwrap().to, EVICTABLE);
        assert_eq!(t.apply(Event::Release(u), &acct), Err(Error::NotHeld));
    }
    assert_eq!(acct.pages(EVICTABLE), 4);
    assert_eq!(acct.pages(State::InUse), 0);
}

#[test]
fn uses_need_resident_pages() {
    let acct = Accounting::new(|| 0);
    let mut t = Tracked::new(4, &acct);
    assert_eq!(
        t.apply(Event::Acquire(Use::Pin), &acct),
        Err(Error::NotResident)
    );
    t.apply(Event::Populate, &acct).unwrap();
    assert_eq!(t.apply(Event::Populate, &acct), Err(Error::AlreadyResident));
}

#[test]
fn madvise_moves_between_classes_and_reports_retained() {
    let acct = Accounting::new(|| 0);
    let mut t = resident(&acct);
    let tr = t.apply(Event::Madvise(Madv::DontNeed), &acct).unwrap();
    assert_eq!((tr.from, tr.to, tr.retained), (EVICTABLE, PURGEABLE, true));
    let tr = t.apply(Event::Madvise(Madv::WillNeed), &acct).unwrap();
    assert_eq!((tr.to, tr.retained), (EVICTABLE, true));
    t.apply(Event::Madvise(Madv::DontNeed), &acct).unwrap();
    assert_eq!(t.apply(Event::Purge, &acct).unwrap().to, State::Purged);
    let tr = t.apply(Event::Madvise(Madv::WillNeed), &acct).unwrap();
    assert_eq!((tr.to, tr.retained), (State::Purged, false));
    assert_eq!(
        t.madv(),
        Madv::DontNeed,
        "a purged object's advice no longer changes"
    );
}

#[test]
fn mappings_make_eviction_costlier() {
    let acct = Accounting::new(|| 0);
    let mut t = resident(&acct);
    assert_eq!(t.apply(Event::MmapOpen, &acct).unwrap().to, MAPPED);
    assert_eq!(t.apply(Event::Evict, &acct).unwrap().to, State::Evicted);
    assert_eq!(t.apply(Event::MmapClose, &acct).unwrap().to, State::Evicted);
    assert_eq!(t.apply(Event::MmapClose, &acct), Err(Error::NotHeld));
    assert_eq!(t.apply(Event::Populate, &acct).unwrap().to, EVICTABLE);
}

#[test]
fn reclaim_only_from_the_matching_class() {
    let acct = Accounting::new(|| 0);
    let mut t = resident(&acct);
    assert_eq!(t.apply(Event::Purge, &acct), Err(Error::NotReclaimable));
    t.apply(Event::Acquire(Use::Pin), &acct).unwrap();
    assert_eq!(t.apply(Event::Evict, &acct), Err(Error::NotReclaimable));
    t.apply(Event::Release(Use::Pin), &acct).unwrap();
    t.apply(Event::Madvise(Madv::DontNeed), &acct).unwrap();
    assert_eq!(t.apply(Event::Evict, &acct), Err(Error::NotReclaimable));
    assert_eq!(t.apply(Event::Purge, &acct).unwrap().to, State::Purged);
}

#[test]
fn purged_content_is_gone_for_good() {
    let acct = Accounting::new(|| 0);
    let mut t = resident(&acct);
    t.apply(Event::Madvise(Madv::DontNeed), &acct).unwrap();
    t.apply(Event::Purge, &acct).unwrap();
    assert_eq!(t.apply(Event::Populate, &acct), Err(Error::Purged));
    assert_eq!(
        t.apply(Event::Acquire(Use::Vmap), &acct),
        Err(Error::Purged)
    );
    assert_eq!(t.apply(Event::Purge, &acct), Err(Error::NotReclaimable));
    assert_eq!(t.apply(Event::MmapOpen, &acct).unwrap().to, State::Purged);
    assert_eq!(
        (acct.objects(State::Purged), acct.pages(State::Purged)),
        (1, 4)
    );
}

#[test]
fn evicted_content_comes_back_with_its_advice() {
    let acct = Accounting::new(|| 0);
    let mut t = resident(&acct);
    t.apply(Event::Evict, &acct).unwrap();
    assert_eq!(
        t.apply(Event::Acquire(Use::Pin), &acct),
        Err(Error::NotResident)
    );
    let tr = t.apply(Event::Madvise(Madv::DontNeed), &acct).unwrap();
    assert_eq!((tr.to, tr.retained), (State::Evicted, true));
    assert_eq!(t.apply(Event::Populate, &acct).unwrap().to, PURGEABLE);
    assert_eq!(t.lru(), Some(Lru::Purgeable));
    assert_eq!(acct.pages(PURGEABLE), 4);
}

#[test]
fn evicted_dontneed_objects_are_purgeable_from_swap() {
    let acct = Accounting::new(|| 0);
    let mut t = resident(&acct);
    assert_eq!(t.lru(), Some(Lru::Evictable));
    t.apply(Event::Evict, &acct).unwrap();
    assert_eq!(t.lru(), None);
    t.apply(Event::Madvise(Madv::DontNeed), &acct).unwrap();
    assert_eq!(t.state(), State::Evicted);
    assert_eq!(t.lru(), Some(Lru::PurgeableEvicted));
    t.apply(Event::Madvise(Madv::WillNeed), &acct).unwrap();
    assert_eq!(t.lru(), None);
    assert_eq!(t.apply(Event::Purge, &acct), Err(Error::NotReclaimable));
    t.apply(Event::Madvise(Madv::DontNeed), &acct).unwrap();
    let tr = t.apply(Event::Purge, &acct).unwrap();
    assert_eq!(
        (tr.from, tr.to, tr.retained),
        (State::Evicted, State::Purged, false)
    );
    assert_eq!(t.lru(), None);
    assert_eq!(acct.objects(State::Purged), 1);
}

#[test]
fn a_used_object_gets_a_second_chance_once() {
    let acct = Accounting::new(|| 0);
    let mut t = resident(&acct);
    assert!(!t.take_referenced(), "population alone is no use");
    t.apply(Event::Acquire(Use::Vmap), &acct).unwrap();
    t.apply(Event::Release(Use::Vmap), &acct).unwrap();
    assert!(t.take_referenced());
    assert!(!t.take_referenced(), "the chance is used up");
    t.apply(Event::Evict, &acct).unwrap();
    assert_eq!(
        t.apply(Event::Acquire(Use::Pin), &acct),
        Err(Error::NotResident)
    );
    assert!(!t.take_referenced(), "a refused use is no use");
}

#[test]
fn a_handed_out_table_is_one_use_until_released() {
    let acct = Accounting::new(|| 0);
    let mut t = resident(&acct);
    assert_eq!(
        t.apply(Event::Acquire(Use::Sgt), &acct).unwrap().to,
        State::InUse
    );
    // Handed out again: the same table, still one use.
    assert_eq!(
        t.apply(Event::Acquire(Use::Sgt), &acct).unwrap().to,
        State::InUse
    );
    assert_eq!(t.uses(Use::Sgt), 1);
    assert_eq!(t.apply(Event::Evict, &acct), Err(Error::NotReclaimable));
    t.apply(Event::Madvise(Madv::DontNeed), &acct).unwrap();
    assert_eq!(t.apply(Event::Purge, &acct), Err(Error::NotReclaimable));
    assert_eq!(t.lru(), None);
    assert_eq!(
        t.apply(Event::Release(Use::Sgt), &acct).unwrap().to,
        PURGEABLE
    );
    assert_eq!(
        t.apply(Event::Release(Use::Sgt), &acct),
        Err(Error::NotHeld)
    );
}

#[test]
fn device_use_counts_as_recent_use_and_changes_no_state() {
    let acct = Accounting::new(|| 0);
    let mut t = resident(&acct);
    let tr = t.apply(Event::Used, &acct).unwrap();
    assert_eq!((tr.from, tr.to), (EVICTABLE, EVICTABLE));
    assert!(t.take_referenced());
    assert!(!t.take_referenced());
    t.apply(Event::Evict, &acct).unwrap();
    assert_eq!(t.apply(Event::Used, &acct).unwrap().to, State::Evicted);
    assert_eq!(acct.pages(State::Evicted), 4);
}
