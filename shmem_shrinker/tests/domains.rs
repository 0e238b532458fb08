// SPDX-License-Identifier: GPL-2.0

//! Property test of the domain rules (`domain_rules.rs`) with the state
//! machine (`state.rs`): random sequences of jobs beginning and ending,
//! evictions, purges, CPU uses, mappings added and removed, and swap-ins
//! that fail, on several objects mapped in several domains. The
//! operations are built from the rules' own functions, as `domain.rs`
//! and `reclaim.rs` build them, with plain vectors for the kernel's lists;
//! a deliberately naive reference model (plain counts and sets) predicts
//! each outcome, and after every step the rules' promises are checked:
//!
//! - an object is evicted only while none of its domains has a job;
//! - an evicted object's mappings are all on their domains' lists, any
//!   other object's on none, and every list entry is a live mapping;
//! - after a job's begin succeeded, nothing mapped in its domain is
//!   evicted; after it failed, the job is counted all the same;
//! - an end without a begin is refused and changes nothing;
//! - reclaim passes over, once, an object of a domain that began a job
//!   since reclaim last looked at it.

use shmem_shrinker_logic::domain_rules::{begin_job, mark_all, Jobs};
use shmem_shrinker_logic::state::{Accounting, Error, Event, Lru, Madv, State, Tracked, Use};
use std::cell::RefCell;
use std::collections::BTreeSet;

const DOMAINS: usize = 3;

/// The counters are not what this test checks (`model.rs` does).
fn one_set() -> usize {
    0
}

/// xorshift64*, so failures reproduce from the printed seed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n
    }
}

/// One of an object's mappings: its domain and its mark of that domain's
/// jobs (`drm_gem_shmem_shrinker_mapping.jobs_seen`).
#[derive(Clone, Copy)]
struct Mapping {
    d: usize,
    seen: u64,
}

/// A tracked object, as `object.rs` keeps it: its state, and its mappings
/// (one per domain, as a file's VM maps a BO once).
struct Object {
    t: Tracked,
    mappings: Vec<Mapping>,
    /// Its next swap-ins fail (no memory, or the driver's `map` failed).
    swap_in_fails: bool,
}

/// The kernel side: objects and domains, each domain with its job count
/// and its list of evicted mappings (object numbers, in list order).
struct Kernel<'a> {
    acct: &'a Accounting,
    objects: Vec<Option<Object>>,
    jobs: Vec<Jobs>,
    evicted: Vec<Vec<usize>>,
}

/// What the kernel side's operations return, for comparison.
#[derive(Debug, PartialEq)]
enum Outcome {
    Done,
    /// Eviction refused: a domain of the object has a job.
    Busy,
    /// Passed over once: a job of one of its domains began since the
    /// last look.
    Referenced,
    /// The state machine refused.
    State(Error),
    /// A swap-in failed.
    NoMemory,
}

impl Kernel<'_> {
    fn object(&mut self, o: usize) -> &mut Object {
        self.objects[o].as_mut().unwrap()
    }

    fn mapped_in(&self, o: usize) -> Vec<usize> {
        let obj = self.objects[o].as_ref().unwrap();
        obj.mappings.iter().map(|m| m.d).collect()
    }

    /// `domain::unmark_evicted`.
    fn unmark(&mut self, o: usize) {
        for list in &mut self.evicted {
            list.retain(|&x| x != o);
        }
    }

    /// `Locked::make_resident` through `populated()`: a swap-in maps the
    /// object's mappings and takes them off the lists.
    fn make_resident(&mut self, o: usize) -> Outcome {
        let acct = self.acct;
        let obj = self.object(o);
        match obj.t.state() {
            s if s.is_resident() => return Outcome::Done,
            State::Purged => return Outcome::State(Error::Purged),
            _ if obj.swap_in_fails => return Outcome::NoMemory,
            _ => {}
        }
        obj.t.apply(Event::Populate, acct).unwrap();
        self.unmark(o);
        Outcome::Done
    }

    /// `reclaim_one()` for an object on the evictable list.
    fn evict(&mut self, o: usize) -> Outcome {
        let obj = self.objects[o].as_mut().unwrap();
        if !matches!(obj.t.lru(), Some(Lru::Evictable | Lru::EvictableMapped)) {
            return Outcome::State(Error::NotReclaimable);
        }
        // `reclaim_one()`: the CPU's mark and, through
        // `domain::take_used_by_jobs`, every job mark are taken in one look.
        let mut used = obj.t.take_referenced();
        for m in &mut obj.mappings {
            used |= self.jobs[m.d].take_begun_since(&mut m.seen);
        }
        if used {
            return Outcome::Referenced;
        }
        let domains = self.mapped_in(o);
        let cell = RefCell::new(self);
        let marked = mark_all(
            domains,
            |d| {
                let mut k = cell.borrow_mut();
                let allows = k.jobs[d].allows_eviction();
                if allows {
                    k.evicted[d].push(o);
                }
                allows
            },
            || cell.borrow_mut().unmark(o),
        );
        let k = cell.into_inner();
        if !marked {
            return Outcome::Busy;
        }
        let acct = k.acct;
        k.object(o).t.apply(Event::Evict, acct).unwrap();
        Outcome::Done
    }

    /// `reclaim_one()` for an object on a purge list.
    fn purge(&mut self, o: usize) -> Outcome {
        let acct = self.acct;
        let obj = self.object(o);
        let resident = obj.t.state().is_resident();
        if let Err(e) = obj.t.apply(Event::Purge, acct) {
            return Outcome::State(e);
        }
        if !resident {
            self.unmark(o);
        }
        Outcome::Done
    }

    /// `Domain::job_begin`.
    fn job_begin(&mut self, d: usize) -> Outcome {
        let cell = RefCell::new(self);
        let ret = begin_job(
            || cell.borrow_mut().jobs[d].begin().map_err(Outcome::State),
            || cell.borrow().evicted[d].first().copied(),
            |o| {
                let mut k = cell.borrow_mut();
                // `swap_in_for_job`: purged or untracked objects leave
                // the lists as swapped-in ones do.
                match k.make_resident(o) {
                    Outcome::Done | Outcome::State(Error::Purged) => {
                        k.unmark(o);
                        Ok(())
                    }
                    e => Err(e),
                }
            },
        );
        ret.err().unwrap_or(Outcome::Done)
    }

    /// `Domain::job_end`.
    fn job_end(&mut self, d: usize) -> Outcome {
        match self.jobs[d].end() {
            Ok(()) => Outcome::Done,
            Err(e) => Outcome::State(e),
        }
    }

    /// `domain::add`: swapped in first, so that the driver maps resident
    /// pages.
    fn add_mapping(&mut self, o: usize, d: usize) -> Outcome {
        let ret = self.make_resident(o);
        if ret == Outcome::Done {
            let seen = self.jobs[d].seen();
            self.object(o).mappings.push(Mapping { d, seen });
        }
        ret
    }

    /// `domain::remove`.
    fn remove_mapping(&mut self, o: usize, d: usize) {
        self.object(o).mappings.retain(|m| m.d != d);
        self.evicted[d].retain(|&x| x != o);
    }
}

/// The reference model: what the rules promise, from plain counts.
#[derive(Default)]
struct Model {
    jobs: [usize; DOMAINS],
    /// A begin of the domain failed since its count was last zero.
    failed_begin: [bool; DOMAINS],
    /// (object, domain): a job of the domain began since reclaim last
    /// looked at the object mapped there.
    used_by_job: BTreeSet<(usize, usize)>,
    /// Objects used (acquired, or marked used) since reclaim last looked.
    used_by_cpu: BTreeSet<usize>,
}

fn check(k: &Kernel<'_>, m: &Model, seed: u64, step: usize) {
    for d in 0..DOMAINS {
        assert_eq!(
            k.jobs[d].count(),
            m.jobs[d],
            "seed {seed} step {step}: jobs of {d}"
        );
        let mut seen = k.evicted[d].clone();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(
            seen.len(),
            k.evicted[d].len(),
            "seed {seed} step {step}: twice on {d}'s list"
        );
    }
    for (i, obj) in k.objects.iter().enumerate() {
        let Some(obj) = obj else {
            assert!(
                k.evicted.iter().all(|l| !l.contains(&i)),
                "seed {seed} step {step}: {i} freed, listed"
            );
            continue;
        };
        let evicted = obj.t.state() == State::Evicted;
        for d in 0..DOMAINS {
            let mapped = obj.mappings.iter().any(|m| m.d == d);
            let listed = k.evicted[d].contains(&i);
            assert_eq!(
                listed,
                evicted && mapped,
                "seed {seed} step {step}: object {i} domain {d}: {:?}",
                obj.t.state()
            );
            if evicted && mapped && m.jobs[d] > 0 {
                assert!(
                    m.failed_begin[d],
                    "seed {seed} step {step}: {i} evicted under a job of {d}"
                );
            }
        }
    }
}

fn run(seed: u64, steps: usize) {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let acct = Accounting::new(one_set);
    let mut k = Kernel {
        acct: &acct,
        objects: Vec::new(),
        jobs: (0..DOMAINS).map(|_| Jobs::new()).collect(),
        evicted: vec![Vec::new(); DOMAINS],
    };
    let mut m = Model::default();
    for step in 0..steps {
        let live: Vec<usize> = (0..k.objects.len())
            .filter(|&i| k.objects[i].is_some())
            .collect();
        let d = rng.below(DOMAINS as u64) as usize;
        let roll = rng.below(100);
        if live.is_empty() || (roll < 4 && live.len() < 8) {
            k.objects.push(Some(Object {
                t: Tracked::new(1 + rng.below(16) as usize, &acct),
                mappings: Vec::new(),
                swap_in_fails: false,
            }));
            continue;
        }
        let o = live[rng.below(live.len() as u64) as usize];
        let what = format!("seed {seed} step {step}: roll {roll} object {o} domain {d}");
        match roll {
            // A job begins: it is counted whatever happens; when it
            // succeeds, nothing of its domain stays evicted.
            4..=15 => {
                let fails = k.evicted[d]
                    .iter()
                    .any(|&x| k.objects[x].as_ref().unwrap().swap_in_fails);
                let got = k.job_begin(d);
                m.jobs[d] += 1;
                for x in 0..k.objects.len() {
                    if k.objects[x].is_some() && k.mapped_in(x).contains(&d) {
                        m.used_by_job.insert((x, d));
                    }
                }
                if fails {
                    assert_eq!(got, Outcome::NoMemory, "{what}");
                    m.failed_begin[d] = true;
                } else {
                    assert_eq!(got, Outcome::Done, "{what}");
                    for x in k.objects.iter().flatten() {
                        assert!(
                            !(x.mappings.iter().any(|m| m.d == d) && x.t.state() == State::Evicted),
                            "{what}: evicted after a begin"
                        );
                    }
                }
            }
            16..=29 => {
                let got = k.job_end(d);
                if m.jobs[d] == 0 {
                    assert_eq!(got, Outcome::State(Error::NotHeld), "{what}");
                } else {
                    assert_eq!(got, Outcome::Done, "{what}");
                    m.jobs[d] -= 1;
                    if m.jobs[d] == 0 {
                        m.failed_begin[d] = false;
                    }
                }
            }
            // Eviction: passed over once after a job of one of the
            // object's domains began, refused while one has a job (the
            // state machine's part is model.rs's).
            30..=49 => {
                let obj = k.objects[o].as_ref().unwrap();
                let idle = matches!(obj.t.lru(), Some(Lru::Evictable | Lru::EvictableMapped));
                let domains = k.mapped_in(o);
                let busy = domains.iter().any(|&x| m.jobs[x] > 0);
                let used = domains.iter().any(|&x| m.used_by_job.contains(&(o, x)))
                    || m.used_by_cpu.contains(&o);
                let got = k.evict(o);
                let want = match (idle, used, busy) {
                    (false, _, _) => Outcome::State(Error::NotReclaimable),
                    (true, true, _) => Outcome::Referenced,
                    (true, false, true) => Outcome::Busy,
                    (true, false, false) => Outcome::Done,
                };
                if idle {
                    m.used_by_job.retain(|&(x, _)| x != o);
                    m.used_by_cpu.remove(&o);
                }
                assert_eq!(got, want, "{what}");
            }
            50..=54 => {
                k.purge(o);
            }
            // A CPU use (fault, vmap, a helper): swapped in unless purged
            // or failing.
            55..=62 => {
                let before = k.objects[o].as_ref().unwrap().t.state();
                let fails = k.objects[o].as_ref().unwrap().swap_in_fails;
                let got = k.make_resident(o);
                let want = match before {
                    State::Purged => Outcome::State(Error::Purged),
                    State::Evicted | State::Unpopulated if fails => Outcome::NoMemory,
                    _ => Outcome::Done,
                };
                assert_eq!(got, want, "{what}");
            }
            63..=72 => {
                if !k.mapped_in(o).contains(&d) {
                    let purged = k.objects[o].as_ref().unwrap().t.state() == State::Purged;
                    let got = k.add_mapping(o, d);
                    if purged {
                        assert_eq!(got, Outcome::State(Error::Purged), "{what}");
                    }
                }
            }
            73..=78 => {
                k.remove_mapping(o, d);
                m.used_by_job.remove(&(o, d));
            }
            79..=84 => {
                let obj = k.object(o);
                obj.swap_in_fails = !obj.swap_in_fails;
            }
            // Uses and madvise move objects between the lists.
            85..=96 => {
                let ev = [
                    Event::Acquire(Use::Pin),
                    Event::Release(Use::Pin),
                    Event::Madvise(Madv::DontNeed),
                    Event::Madvise(Madv::WillNeed),
                    Event::MmapOpen,
                    Event::MmapClose,
                    Event::Used,
                ][rng.below(7) as usize];
                let done = k.object(o).t.apply(ev, &acct).is_ok();
                if done && matches!(ev, Event::Acquire(_) | Event::Used) {
                    m.used_by_cpu.insert(o);
                }
            }
            // Untracking: the C ABI refuses it while mappings remain.
            _ => {
                if k.mapped_in(o).is_empty() {
                    k.objects[o].take().unwrap().t.untrack(&acct);
                }
            }
        }
        check(&k, &m, seed, step);
    }
    for obj in k.objects.iter_mut().filter_map(Option::take) {
        obj.t.untrack(&acct);
    }
    assert_eq!(acct.tracked_objects(), 0, "seed {seed}");
}

#[test]
fn random_sequences_keep_the_domain_rules() {
    for seed in 0..400 {
        run(seed, 3_000);
    }
}

#[test]
fn jobs_refuse_an_end_without_a_begin() {
    let mut j = Jobs::new();
    assert_eq!(j.end(), Err(Error::NotHeld));
    assert_eq!(j.count(), 0);
    assert!(j.allows_eviction());
    assert_eq!(j.begin(), Ok(()));
    assert!(!j.allows_eviction());
    assert_eq!(j.end(), Ok(()));
    assert!(j.allows_eviction());
}

#[test]
fn mark_all_is_all_or_nothing() {
    let mut marked = Vec::new();
    let undone = std::cell::Cell::new(false);
    let ok = mark_all(
        [0, 1, 2],
        |d| {
            if d == 2 {
                return false;
            }
            marked.push(d);
            true
        },
        || undone.set(true),
    );
    assert!(!ok);
    assert!(undone.get());
    assert_eq!(marked, [0, 1]);
    assert!(mark_all([0, 1], |_| true, || panic!("nothing to undo")));
}
