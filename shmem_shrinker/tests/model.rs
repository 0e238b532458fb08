// SPDX-License-Identifier: GPL-2.0

//! Property test: random event sequences on several objects, applied both
//! to the real [`Tracked`] objects and to a deliberately naive reference
//! model; after every step the outcome, each object's state and every
//! counter must agree.

use core::sync::atomic::{AtomicUsize, Ordering};
use shmem_shrinker_logic::state::{
    Accounting, Class, Error, Event, Lru, Madv, State, Tracked, Use,
};

/// Each counter write goes to the next set of counters, as if every call
/// ran on another CPU: the sums must still be exact.
fn next_set() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// A small deterministic generator (xorshift64*), so failures reproduce
/// from the printed seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The reference model: plain flags, no states, rules written from the
/// documentation rather than from the implementation.
#[derive(Clone, Debug, Default)]
struct Model {
    pages: usize,
    resident: bool,
    evicted: bool,
    purged: bool,
    dontneed: bool,
    uses: [u32; 3],
    mmaps: u32,
}

fn use_slot(u: Use) -> usize {
    match u {
        Use::Pin => 0,
        Use::Vmap => 1,
        Use::Sgt => 2,
    }
}

impl Model {
    fn state(&self) -> State {
        if self.purged {
            State::Purged
        } else if !self.resident {
            if self.evicted {
                State::Evicted
            } else {
                State::Unpopulated
            }
        } else if self.uses.iter().any(|&n| n > 0) {
            State::InUse
        } else if self.dontneed {
            State::Reclaimable(Class::Purgeable)
        } else if self.mmaps > 0 {
            State::Reclaimable(Class::EvictableMapped)
        } else {
            State::Reclaimable(Class::Evictable)
        }
    }

    /// The reclaim list: resident idle objects by class, and evicted ones
    /// that userspace no longer needs.
    fn lru(&self) -> Option<Lru> {
        match self.state() {
            State::Reclaimable(Class::Purgeable) => Some(Lru::Purgeable),
            State::Reclaimable(Class::Evictable) => Some(Lru::Evictable),
            State::Reclaimable(Class::EvictableMapped) => Some(Lru::EvictableMapped),
            State::Evicted if self.dontneed => Some(Lru::PurgeableEvicted),
            _ => None,
        }
    }

    /// Apply an event; Err leaves the model unchanged.
    fn apply(&mut self, ev: Event) -> Result<bool, Error> {
        match ev {
            Event::Populate => {
                if self.purged {
                    return Err(Error::Purged);
                }
                if self.resident {
                    return Err(Error::AlreadyResident);
                }
                self.resident = true;
            }
            Event::Acquire(u) => {
                if self.purged {
                    return Err(Error::Purged);
                }
                if !self.resident {
                    return Err(Error::NotResident);
                }
                // The table is one per object: a flag, not a count.
                if u == Use::Sgt {
                    self.uses[use_slot(u)] = 1;
                } else {
                    self.uses[use_slot(u)] += 1;
                }
            }
            Event::Release(u) => {
                if self.uses[use_slot(u)] == 0 {
                    return Err(Error::NotHeld);
                }
                self.uses[use_slot(u)] -= 1;
            }
            Event::Used => {}
            Event::MmapOpen => self.mmaps += 1,
            Event::MmapClose => {
                if self.mmaps == 0 {
                    return Err(Error::NotHeld);
                }
                self.mmaps -= 1;
            }
            Event::Madvise(m) => {
                if !self.purged {
                    self.dontneed = m == Madv::DontNeed;
                }
            }
            Event::Evict => match self.state() {
                State::Reclaimable(Class::Evictable | Class::EvictableMapped) => {
                    self.resident = false;
                    self.evicted = true;
                }
                _ => return Err(Error::NotReclaimable),
            },
            Event::Purge => {
                let purgeable = self.state() == State::Reclaimable(Class::Purgeable)
                    || (self.state() == State::Evicted && self.dontneed);
                if !purgeable {
                    return Err(Error::NotReclaimable);
                }
                self.resident = false;
                self.purged = true;
            }
        }
        Ok(!self.purged)
    }
}

fn random_event(rng: &mut Rng) -> Event {
    let u = [Use::Pin, Use::Vmap, Use::Sgt][rng.below(3) as usize];
    match rng.below(12) {
        0 | 1 => Event::Populate,
        2 => Event::Acquire(u),
        3 | 4 => Event::Release(u),
        5 => Event::MmapOpen,
        6 => Event::MmapClose,
        7 => Event::Madvise(Madv::DontNeed),
        8 => Event::Madvise(Madv::WillNeed),
        9 => Event::Evict,
        10 => Event::Used,
        _ => Event::Purge,
    }
}

fn check_counters(acct: &Accounting, models: &[Model], seed: u64, step: usize) {
    for s in State::ALL {
        let objects = models.iter().filter(|m| m.state() == s).count();
        let pages: usize = models
            .iter()
            .filter(|m| m.state() == s)
            .map(|m| m.pages)
            .sum();
        assert_eq!(
            acct.objects(s),
            objects,
            "seed {seed} step {step}: objects in {s:?}"
        );
        assert_eq!(
            acct.pages(s),
            pages,
            "seed {seed} step {step}: pages in {s:?}"
        );
    }
}

fn run(seed: u64, steps: usize, max_objects: usize) {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let acct = Accounting::new(next_set);
    let mut objs: Vec<Tracked> = Vec::new();
    let mut models: Vec<Model> = Vec::new();
    for step in 0..steps {
        let roll = rng.below(100);
        if objs.is_empty() || (roll < 5 && objs.len() < max_objects) {
            let pages = 1 + rng.below(64) as usize;
            objs.push(Tracked::new(pages, &acct));
            models.push(Model {
                pages,
                ..Model::default()
            });
        } else if roll < 8 {
            let i = rng.below(objs.len() as u64) as usize;
            objs.swap_remove(i).untrack(&acct);
            models.swap_remove(i);
        } else {
            let i = rng.below(objs.len() as u64) as usize;
            let ev = random_event(&mut rng);
            let before = objs[i].state();
            let got = objs[i].apply(ev, &acct);
            let want = models[i].apply(ev);
            match (got, want) {
                (Ok(t), Ok(retained)) => {
                    assert_eq!(t.from, before, "seed {seed} step {step}: {ev:?}");
                    assert_eq!(t.to, models[i].state(), "seed {seed} step {step}: {ev:?}");
                    assert_eq!(t.retained, retained, "seed {seed} step {step}: {ev:?}");
                }
                (Err(e), Err(w)) => assert_eq!(e, w, "seed {seed} step {step}: {ev:?}"),
                (g, w) => panic!(
                    "seed {seed} step {step}: {ev:?} on {before:?}: got {g:?}, model says {w:?}"
                ),
            }
            assert_eq!(
                objs[i].state(),
                models[i].state(),
                "seed {seed} step {step}: {ev:?}"
            );
            assert_eq!(
                objs[i].lru(),
                models[i].lru(),
                "seed {seed} step {step}: {ev:?}"
            );
        }
        check_counters(&acct, &models, seed, step);
    }
    for o in objs.drain(..) {
        o.untrack(&acct);
    }
    assert_eq!(
        acct.tracked_objects(),
        0,
        "seed {seed}: counters must drain to zero"
    );
    for s in State::ALL {
        assert_eq!(acct.pages(s), 0, "seed {seed}: pages left in {s:?}");
    }
}

#[test]
fn random_sequences_match_the_model_few_objects() {
    for seed in 0..300 {
        run(seed, 2_000, 4);
    }
}

#[test]
fn random_sequences_match_the_model_many_objects() {
    for seed in 1_000..1_020 {
        run(seed, 5_000, 64);
    }
}
