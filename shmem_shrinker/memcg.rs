// SPDX-License-Identifier: GPL-2.0

//! Reclaim lists per memory cgroup and NUMA node: where each object is
//! listed, so that a cgroup at its limit (or asked through
//! `memory.reclaim`) reclaims its own objects.
//!
//! A device has one [`MemcgLists`] per cgroup and node that its objects'
//! pages are charged to: the four `drm_gem_lru`s of `state.rs`'s classes,
//! which the scan loop walks as before. The lists themselves are the items
//! of the device's memcg- and NUMA-aware `list_lru` ([`Device::memcgs`]),
//! which does what only a `list_lru` can do from a module: it sets the
//! shrinker's bit of a cgroup (`list_lru_add()`), without which reclaim
//! of that cgroup never calls the shrinker, and it moves a removed
//! cgroup's lists to its parent (`memcg_reparent_list_lrus()`).
//!
//! # Attribution
//!
//! An object belongs to the cgroup its pages are charged to, read from its
//! first page each time the pages come in ([`attribute`]): the task that
//! populates an object charges it, and a swap-in charges the cgroup the
//! swap entry was charged to, so an object brought back by another task
//! stays where it was. A removed cgroup's objects count for its nearest
//! live ancestor. Until its pages first come in, an object is tracked with
//! the device's root lists, on none of them (there is nothing to reclaim).
//!
//! # Invariants
//!
//! - An object on one of a [`MemcgLists`]' lists is tracked with these
//!   lists (`drm_gem_shmem_object.reclaim.shrinker` points to them, with a
//!   reference), or is on a scan's private list that was taken from them.
//! - While on [`Device::memcgs`], a [`MemcgLists`] holds a reference to
//!   itself (the list's); only [`Device::memcgs_open`] lets one be added.
//! - Lists whose cgroup is gone are removed from [`Device::memcgs`] once no
//!   object is tracked with them ([`MemcgLists::objects`]).
//!
//! # Lock order
//!
//! As in `device.rs`: reservation lock, then `gem_lru_mutex`; the
//! `list_lru`'s spinlocks nest inside `gem_lru_mutex` and the RCU read
//! side, and nothing sleeps under them. Allocation happens under the
//! reservation lock only.

use crate::device::Device;
use crate::object::Locked;
use crate::state::{Lru, NR_LRUS};
use core::sync::atomic::{AtomicUsize, Ordering};
use kernel::{
    bindings, container_of,
    error::to_result,
    prelude::*,
    sync::{
        atomic::{Atomic, Relaxed},
        Arc, ArcBorrow,
    },
    types::Opaque,
};

/// `SHRINKER_NUMA_AWARE` and `SHRINKER_MEMCG_AWARE` of
/// `<linux/shrinker.h>` (`BIT()`s, which bindgen does not see).
pub(crate) const SHRINKER_FLAGS: c_uint = (1 << 2) | (1 << 3);

/// How many lists a reclaim call of one cgroup and node scans: its own and
/// those of removed children that still hold objects. More are taken in
/// turns (the walk rotates the ones it takes to the tail).
pub(crate) const MAX_SCANNED: usize = 8;

/// The reclaim lists of one device for one memory cgroup on one node.
///
/// # Invariants
///
/// See the module's; `lrus` are initialised `drm_gem_lru`s protected by
/// the DRM device's `gem_lru_mutex`.
#[pin_data]
pub(crate) struct MemcgLists {
    pub(crate) dev: Arc<Device>,
    lrus: [Opaque<bindings::drm_gem_lru>; NR_LRUS],
    /// The entry in [`Device::memcgs`].
    item: Opaque<bindings::list_head>,
    /// The cgroup, null for the root one: compared, never dereferenced
    /// (it may be gone).
    memcg: *mut bindings::mem_cgroup,
    nid: c_int,
    /// The cgroup's id (the inode number of its directory), for debugfs.
    pub(crate) cgroup_id: u64,
    /// Objects tracked with these lists; changed under `gem_lru_mutex`.
    objects: AtomicUsize,
}

// SAFETY: `memcg` is only compared; the lists are protected by the DRM
// device's `gem_lru_mutex` and the rest is atomic or immutable.
unsafe impl Send for MemcgLists {}
// SAFETY: As above.
unsafe impl Sync for MemcgLists {}

impl MemcgLists {
    fn new(
        dev: &Arc<Device>,
        memcg: *mut bindings::mem_cgroup,
        nid: c_int,
        cgroup_id: u64,
    ) -> Result<Arc<Self>> {
        let lists = Arc::pin_init(
            pin_init!(Self {
                dev: dev.clone(),
                lrus: [const { Opaque::uninit() }; NR_LRUS],
                item: Opaque::uninit(),
                memcg,
                nid,
                cgroup_id,
                objects: AtomicUsize::new(0),
            }),
            GFP_KERNEL,
        )?;
        for l in &lists.lrus {
            // SAFETY: Initialising a list nobody else can see yet.
            unsafe { bindings::drm_gem_lru_init(l.get()) };
        }
        // SAFETY: As above; `list_lru_add()` adds only an empty entry.
        unsafe { bindings::INIT_LIST_HEAD(lists.item.get()) };
        Ok(lists)
    }

    /// The reclaim list `l`.
    pub(crate) fn lru(&self, l: Lru) -> *mut bindings::drm_gem_lru {
        self.lrus[l.index()].get()
    }

    /// The node the lists are for.
    pub(crate) fn nid(&self) -> c_int {
        self.nid
    }

    /// Objects tracked with these lists.
    pub(crate) fn objects(&self) -> usize {
        self.objects.load(Ordering::Relaxed)
    }

    /// Pages on each list, read without the lock (for `count_objects`,
    /// which may be off by a concurrent move).
    pub(crate) fn pages(&self) -> [usize; NR_LRUS] {
        Lru::ALL.map(|l| {
            // SAFETY: An initialised, aligned counter that lives as long as
            // `self`. Its writers hold the list lock and write it with
            // WRITE_ONCE(); this read (READ_ONCE()) does not take the lock,
            // as drm_gem_lru documents for count_objects.
            let count = unsafe { Atomic::from_ptr(&raw mut (*self.lru(l)).count) };
            count.load(Relaxed).max(0) as usize
        })
    }

    /// Whether `obj` is on list `l` now, read without the list lock.
    ///
    /// # Safety
    ///
    /// `obj` is live and tracked with these lists, and the caller holds its
    /// reservation lock.
    pub(crate) unsafe fn is_on(&self, obj: *mut bindings::drm_gem_object, l: Lru) -> bool {
        // SAFETY: The object is live, its `lru` field aligned. Only the
        // holders of the list lock write it, with WRITE_ONCE(); this read
        // (READ_ONCE()) does not take that lock. With the reservation lock
        // held, the only one who may move the object meanwhile is a scan,
        // which takes it to its private list and back to this one (or, if
        // it reclaims it or takes it off as in use, first needs the
        // reservation lock). A stale read can thus only cause a needless
        // move, never a missing one.
        let lru = unsafe { Atomic::from_ptr(&raw mut (*obj).lru) }.load(Relaxed);
        core::ptr::eq(lru, self.lru(l))
    }

    /// Move `obj` to the tail of list `l`, or off every list for `None`.
    ///
    /// # Safety
    ///
    /// `obj` is a live object tracked with these lists, and the caller
    /// holds its reservation lock, under which its state says `l`.
    pub(crate) unsafe fn relist(&self, obj: *mut bindings::drm_gem_object, l: Option<Lru>) {
        match l {
            // SAFETY: The object's DRM device outlives it; its LRU mutex
            // protects the lists.
            Some(l) => unsafe {
                let lock = &raw mut (*(*obj).dev).gem_lru_mutex;
                bindings::mutex_lock(lock);
                bindings::drm_gem_lru_move_tail_locked(self.lru(l), obj);
                bindings::mutex_unlock(lock);
            },
            // SAFETY: As above; takes the lock itself.
            None => unsafe { bindings::drm_gem_lru_remove(obj) },
        }
    }

    /// An object starts being tracked with these lists.
    ///
    /// # Safety
    ///
    /// The caller holds `gem_lru_mutex`, or the lists are the device's
    /// root ones, which are never removed while it is registered.
    pub(crate) unsafe fn object_added(&self) {
        self.objects.fetch_add(1, Ordering::Relaxed);
    }

    /// An object stops being tracked with these lists.
    pub(crate) fn object_removed(&self) {
        self.objects.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The lists whose `item` is `item`.
///
/// # Safety
///
/// `item` is an entry of a device's `memcgs`.
unsafe fn lists_of<'a>(item: *mut bindings::list_head) -> &'a MemcgLists {
    // SAFETY: Every entry of `memcgs` is the `item` of a `MemcgLists`
    // that the list holds a reference to.
    unsafe { &*container_of!(item.cast::<Opaque<bindings::list_head>>(), MemcgLists, item) }
}

/// A new reference to `lists`, which someone holds one to.
fn new_ref(lists: &MemcgLists) -> Arc<MemcgLists> {
    // SAFETY: Every `MemcgLists` lives in an `Arc` (`MemcgLists::new`), and
    // the caller's reference keeps it alive during the call.
    unsafe { ArcBorrow::from_raw(core::ptr::from_ref(lists)) }.into()
}

/// Calls `f` for each of `dev`'s lists on the `list_lru` list of `memcg`
/// (null: the root cgroup) on node `nid`, or of every cgroup for `None`,
/// with that list's lock held; `f` returns what `list_lru_walk_one()`
/// expects of a walk callback.
fn walk<F>(dev: &Device, nid: c_int, memcg: Option<*mut bindings::mem_cgroup>, f: &mut F)
where
    F: FnMut(
        &MemcgLists,
        *mut bindings::list_lru_one,
        *mut bindings::list_head,
    ) -> bindings::lru_status,
{
    /// The walk callback: calls the closure `arg` points to.
    ///
    /// # Safety
    ///
    /// `arg` is `walk`'s `f`; `item` is an entry of `dev.memcgs`, whose
    /// list `list` is locked.
    unsafe extern "C" fn visit<F>(
        item: *mut bindings::list_head,
        list: *mut bindings::list_lru_one,
        arg: *mut c_void,
    ) -> bindings::lru_status
    where
        F: FnMut(
            &MemcgLists,
            *mut bindings::list_lru_one,
            *mut bindings::list_head,
        ) -> bindings::lru_status,
    {
        // SAFETY: `walk` passes its `f` as the argument; the walk's lock
        // keeps the item on the list, and so the lists alive.
        unsafe { (*arg.cast::<F>())(lists_of(item), list, item) }
    }
    if !dev.memcgs_ready() {
        return;
    }
    let mut left = c_ulong::MAX;
    let arg = core::ptr::from_mut(f).cast::<c_void>();
    // SAFETY: The `list_lru` is initialised (checked above) until the
    // device's registration ends, which outlives every caller. `memcg`,
    // when not null, is a live cgroup (the caller's RCU read side or
    // reclaim's reference keeps it).
    unsafe {
        match memcg {
            Some(memcg) => {
                bindings::list_lru_walk_one(
                    dev.memcgs.get(),
                    nid,
                    memcg,
                    Some(visit::<F>),
                    arg,
                    &mut left,
                );
            }
            None => {
                bindings::list_lru_walk_node(
                    dev.memcgs.get(),
                    nid,
                    Some(visit::<F>),
                    arg,
                    &mut left,
                );
            }
        }
    }
}

/// The number of nodes (`nr_node_ids`).
fn nr_nodes() -> c_int {
    #[cfg(CONFIG_NUMA)]
    // SAFETY: Set once at boot.
    let n = unsafe { bindings::nr_node_ids };
    #[cfg(not(CONFIG_NUMA))]
    let n = bindings::nr_node_ids;
    n as c_int
}

/// Calls `f` for every list of `dev`, as [`walk`] does.
pub(crate) fn for_each<F>(dev: &Device, f: &mut F)
where
    F: FnMut(
        &MemcgLists,
        *mut bindings::list_lru_one,
        *mut bindings::list_head,
    ) -> bindings::lru_status,
{
    for nid in 0..nr_nodes() {
        walk(dev, nid, None, f);
    }
}

/// Adds the pages on each list of `lists` to `sum`; for walks.
fn add_pages(sum: &mut [usize; NR_LRUS], lists: &MemcgLists) -> bindings::lru_status {
    for (s, p) in sum.iter_mut().zip(lists.pages()) {
        *s += p;
    }
    bindings::lru_status::LRU_SKIP
}

/// Pages on each list of the lists of `memcg` on node `nid`, removed
/// children's included: what a reclaim call for them counts.
pub(crate) fn pages_of(
    dev: &Device,
    memcg: *mut bindings::mem_cgroup,
    nid: c_int,
) -> [usize; NR_LRUS] {
    let mut sum = [0; NR_LRUS];
    walk(dev, nid, Some(memcg), &mut |lists, _, _| {
        add_pages(&mut sum, lists)
    });
    sum
}

/// Pages on each list of every cgroup of the device.
pub(crate) fn pages_all(dev: &Device) -> [usize; NR_LRUS] {
    let mut sum = [0; NR_LRUS];
    for_each(dev, &mut |lists, _, _| add_pages(&mut sum, lists));
    sum
}

/// Lists taken off `memcgs` by a walk, whose references go once the walk
/// is over.
struct Dispose(Opaque<bindings::list_head>);

impl Dispose {
    /// Takes `item` off its `list_lru` list onto this one.
    ///
    /// # Safety
    ///
    /// As a walk callback's `list_lru_isolate_move()`, with `self`
    /// initialised ([`Dispose::init`]) and pinned.
    unsafe fn take(
        &self,
        list: *mut bindings::list_lru_one,
        item: *mut bindings::list_head,
    ) -> bindings::lru_status {
        // SAFETY: As the function's safety requirement says.
        unsafe { bindings::list_lru_isolate_move(list, item, self.0.get()) };
        bindings::lru_status::LRU_REMOVED
    }

    /// # Safety
    ///
    /// `self` does not move afterwards.
    unsafe fn init(&self) {
        // SAFETY: As the function's safety requirement says.
        unsafe { bindings::INIT_LIST_HEAD(self.0.get()) };
    }

    /// Drops the list's references of the lists taken.
    fn release(&self) {
        let head = self.0.get();
        loop {
            // SAFETY: An initialised list that only this walk's caller
            // sees.
            let next = unsafe { (*head).next };
            if next == head {
                break;
            }
            // SAFETY: `take` put only `memcgs` items here, each holding
            // the reference that `memcgs` held.
            unsafe {
                bindings::list_del_init(next);
                drop(Arc::from_raw(core::ptr::from_ref(lists_of(next))));
            }
        }
    }
}

/// Calls `f` for each of `dev`'s lists on the `list_lru` list of `memcg`
/// on node `nid`, as [`walk`] does, but for the lists of removed cgroups
/// (reparented there by the `list_lru`) that no object is tracked with any
/// more: those go to `dispose`.
///
/// # Safety
///
/// The caller holds `gem_lru_mutex` (under which alone lists leave
/// `memcgs`, and objects are added to lists found there, so a count of
/// zero stays zero); `memcg` is null or a live cgroup; `dispose` is
/// initialised and pinned.
unsafe fn walk_reaping<F>(
    dev: &Device,
    nid: c_int,
    memcg: *mut bindings::mem_cgroup,
    dispose: &Dispose,
    f: &mut F,
) where
    F: FnMut(&MemcgLists) -> bindings::lru_status,
{
    // SAFETY: As the function's safety requirement says.
    let key = unsafe { key_memcg(memcg) };
    walk(dev, nid, Some(memcg), &mut |lists, list, item| {
        if lists.memcg != key && lists.objects() == 0 {
            // SAFETY: In a walk callback; `dispose` is pinned.
            return unsafe { dispose.take(list, item) };
        }
        f(lists)
    });
}

/// The lists that reclaim of `memcg` on node `nid` scans now, at most
/// [`MAX_SCANNED`] (the others come first next time), in `out`; lists of
/// removed cgroups that no object uses any more go.
pub(crate) fn scanned(
    dev: &Device,
    memcg: *mut bindings::mem_cgroup,
    nid: c_int,
    out: &mut [Option<Arc<MemcgLists>>; MAX_SCANNED],
) {
    let dispose = Dispose(Opaque::uninit());
    // SAFETY: Not moved from here on.
    unsafe { dispose.init() };
    let lock = dev.lru_lock();
    let mut n = 0;
    // SAFETY: `walk_reaping`'s requirements: the lock is taken here;
    // reclaim's cgroup is live for the call; `dispose` is pinned above.
    unsafe {
        bindings::mutex_lock(lock);
        walk_reaping(dev, nid, memcg, &dispose, &mut |lists| {
            if n == MAX_SCANNED
                || out[..n]
                    .iter()
                    .flatten()
                    .any(|o| core::ptr::eq(&**o, lists))
            {
                return bindings::lru_status::LRU_SKIP;
            }
            out[n] = Some(new_ref(lists));
            n += 1;
            bindings::lru_status::LRU_ROTATE
        });
        bindings::mutex_unlock(lock);
    }
    dispose.release();
}

/// Every list of the device, for scans that are not reclaim's (tests,
/// debugfs), which may allocate.
pub(crate) fn all(dev: &Device) -> Result<KVec<Option<Arc<MemcgLists>>>> {
    let mut n = 0usize;
    for_each(dev, &mut |_, _, _| {
        n += 1;
        bindings::lru_status::LRU_SKIP
    });
    let mut v = KVec::with_capacity(n + 8, GFP_KERNEL)?;
    for_each(dev, &mut |lists, _, _| {
        let _ = v.push_within_capacity(Some(new_ref(lists)));
        bindings::lru_status::LRU_SKIP
    });
    Ok(v)
}

/// The key of a cgroup: null for the root one (and without memory
/// cgroups), which the root lists use.
///
/// # Safety
///
/// `memcg` is null or a live cgroup.
unsafe fn key_memcg(memcg: *mut bindings::mem_cgroup) -> *mut bindings::mem_cgroup {
    // SAFETY: As the function's safety requirement says.
    if memcg.is_null() || unsafe { bindings::mem_cgroup_is_root(memcg) } {
        core::ptr::null_mut()
    } else {
        memcg
    }
}

/// The cgroup and node an object whose first page is `page` belongs to:
/// the cgroup the page is charged to, or its nearest live ancestor.
///
/// # Safety
///
/// The caller is in an RCU read-side critical section, which keeps the
/// returned cgroup alive, and holds a use of `page`.
unsafe fn key_of(page: *mut bindings::page) -> (*mut bindings::mem_cgroup, c_int, u64) {
    // SAFETY: A page with a use; under RCU its cgroup may be read and
    // walked up (folio_memcg()'s rules).
    unsafe {
        let mut memcg = bindings::folio_memcg(bindings::page_folio(page));
        while !memcg.is_null() && !bindings::mem_cgroup_online(memcg) {
            memcg = bindings::parent_mem_cgroup(memcg);
        }
        let id = if memcg.is_null() {
            1
        } else {
            bindings::mem_cgroup_id(memcg)
        };
        (key_memcg(memcg), bindings::page_to_nid(page), id)
    }
}

/// Find `dev`'s lists for (`memcg`, `nid`), `memcg` being a key
/// ([`key_memcg`]), with `gem_lru_mutex` held; removed cgroups' lists
/// that no object uses any more go to `dispose`.
///
/// # Safety
///
/// The caller holds `gem_lru_mutex` and is in an RCU read-side critical
/// section in which `memcg` is live; `dispose` is initialised and pinned.
unsafe fn find(
    dev: &Device,
    memcg: *mut bindings::mem_cgroup,
    nid: c_int,
    dispose: &Dispose,
) -> Option<Arc<MemcgLists>> {
    let mut found = None;
    // SAFETY: As the function's safety requirement says.
    unsafe {
        walk_reaping(dev, nid, memcg, dispose, &mut |lists| {
            if lists.memcg == memcg && found.is_none() {
                found = Some(new_ref(lists));
            }
            bindings::lru_status::LRU_SKIP
        })
    };
    found
}

/// Find or make `dev`'s lists for the cgroup and node of `page`; `None`
/// when they cannot be made (no memory, or the device is going away).
///
/// # Safety
///
/// The caller holds a use of `page`.
unsafe fn lists_for(dev: &Arc<Device>, page: *mut bindings::page) -> Option<Arc<MemcgLists>> {
    let dispose = Dispose(Opaque::uninit());
    // SAFETY: Not moved from here on.
    unsafe { dispose.init() };
    let lock = dev.lru_lock();
    let mut fresh: Option<Arc<MemcgLists>> = None;
    let found = loop {
        // SAFETY: Lock order: `gem_lru_mutex`, then the RCU read side, in
        // which `key_of` may be called; `find`'s requirements hold.
        let found = unsafe {
            bindings::mutex_lock(lock);
            bindings::rcu_read_lock();
            let (memcg, nid, id) = key_of(page);
            let found = match find(dev, memcg, nid, &dispose) {
                Some(f) => Some(f),
                None if !dev.memcgs_open() => None,
                None => match fresh.take() {
                    // Made for this cgroup and node in the previous round.
                    Some(f) if f.memcg == memcg && f.nid == nid => {
                        // INVARIANT: The list's reference.
                        let _ = Arc::into_raw(f.clone());
                        bindings::list_lru_add(dev.memcgs.get(), f.item.get(), nid, memcg);
                        Some(f)
                    }
                    _ => {
                        bindings::rcu_read_unlock();
                        bindings::mutex_unlock(lock);
                        dispose.release();
                        // Allocate with no lock but the reservation held:
                        // the list heads of the cgroup and its ancestors
                        // first, which `list_lru_add()` needs.
                        let folio = bindings::page_folio(page);
                        let ret = bindings::folio_memcg_list_lru_alloc(
                            folio,
                            dev.memcgs.get(),
                            bindings::GFP_KERNEL,
                        );
                        if ret != 0 {
                            return None;
                        }
                        fresh = Some(MemcgLists::new(dev, memcg, nid, id).ok()?);
                        continue;
                    }
                },
            };
            bindings::rcu_read_unlock();
            found
        };
        break found;
    };
    if let Some(f) = &found {
        // SAFETY: `gem_lru_mutex` is held (taken in the loop's last round).
        unsafe { f.object_added() };
    }
    // SAFETY: Taken in the loop's last round.
    unsafe { bindings::mutex_unlock(lock) };
    dispose.release();
    found
}

/// The pages of a tracked object just came in: list it with the cgroup and
/// node they are charged to (see the module's documentation). Keeps the
/// object where it is when that cannot be done (no memory for new lists):
/// it is then reclaimed as part of the cgroup it was with before.
pub(crate) fn attribute(o: &mut Locked) {
    let shmem = o.shmem();
    let obj = o.gem();
    let Ok(cur) = o.lists() else { return };
    // SAFETY: Live object with resident pages (the caller's), so
    // `pages[0]` is a page with a use.
    let page = unsafe { *(*shmem).pages };
    // SAFETY: As above; the key is only compared once RCU is left.
    let (memcg, nid) = unsafe {
        bindings::rcu_read_lock();
        let (memcg, nid, _) = key_of(page);
        bindings::rcu_read_unlock();
        (memcg, nid)
    };
    if cur.memcg == memcg && cur.nid == nid {
        return;
    }
    let dev = cur.dev.clone();
    // SAFETY: The object holds a use of its pages.
    let Some(new) = (unsafe { lists_for(&dev, page) }) else {
        return;
    };
    let lock = dev.lru_lock();
    // SAFETY: Both locks are held: the object leaves every list (a scan's
    // private one included, so that the scan does not put it back on the
    // old lists) before it points to the new lists; the caller relists it.
    // INVARIANT: Objects on the old lists no longer include it.
    let old = unsafe {
        bindings::mutex_lock(lock);
        if !(*obj).lru.is_null() {
            bindings::drm_gem_lru_remove_locked(obj);
        }
        let r = &raw mut (*shmem).reclaim.shrinker;
        let old = (*r).cast::<MemcgLists>().cast_const();
        (*r) = Arc::into_raw(new).cast_mut().cast();
        (*old).object_removed();
        bindings::mutex_unlock(lock);
        Arc::from_raw(old)
    };
    drop(old);
}

/// Initialise `dev`'s `list_lru` for `shrinker`, before its registration.
pub(crate) fn init(dev: &Device, shrinker: *mut bindings::shrinker) -> Result {
    // Its spinlocks get a class of their own, apart from the file systems'
    // list_lrus: they nest inside `gem_lru_mutex`.
    #[cfg(CONFIG_LOCKDEP)]
    // SAFETY: The list_lru is zeroed and not in use yet; the key is static.
    unsafe {
        (*dev.memcgs.get()).key = kernel::static_lock_class!().as_ptr()
    };
    // SAFETY: The list_lru is not in use yet; the shrinker is allocated.
    to_result(unsafe { bindings::__list_lru_init(dev.memcgs.get(), true, shrinker) })?;
    dev.set_memcgs_ready();
    Ok(())
}

/// Open `dev`'s lists: returns the root lists, with which objects are
/// tracked until their pages come in.
pub(crate) fn open(dev: &Arc<Device>) -> Result<Arc<MemcgLists>> {
    let home = MemcgLists::new(dev, core::ptr::null_mut(), 0, 1)?;
    let lock = dev.lru_lock();
    // SAFETY: The list_lru is initialised (`init`); the root cgroup (null)
    // needs no list heads of its own.
    // INVARIANT: The list's reference.
    unsafe {
        bindings::mutex_lock(lock);
        let _ = Arc::into_raw(home.clone());
        bindings::list_lru_add(dev.memcgs.get(), home.item.get(), 0, core::ptr::null_mut());
        dev.set_memcgs_open(true);
        bindings::mutex_unlock(lock);
    }
    Ok(home)
}

/// Close `dev`'s lists: no more are made, and every one leaves `memcgs`
/// (objects still tracked keep theirs). Then the `list_lru` can go
/// ([`destroy`]).
pub(crate) fn close(dev: &Device) {
    if !dev.memcgs_ready() {
        return;
    }
    let dispose = Dispose(Opaque::uninit());
    // SAFETY: Not moved from here on.
    unsafe { dispose.init() };
    let lock = dev.lru_lock();
    // SAFETY: Lists are added under this lock only while open.
    unsafe { bindings::mutex_lock(lock) };
    dev.set_memcgs_open(false);
    // SAFETY: In walk callbacks; `dispose` is pinned.
    for_each(dev, &mut |_, list, item| unsafe {
        dispose.take(list, item)
    });
    // SAFETY: Taken above.
    unsafe { bindings::mutex_unlock(lock) };
    dispose.release();
}

/// Free `dev`'s `list_lru`, after [`close`] and once no reclaim can walk
/// it any more (the shrinker is freed).
pub(crate) fn destroy(dev: &Device) {
    let lock = dev.lru_lock();
    // SAFETY: Walks of objects' paths check readiness under this lock.
    let ready = unsafe {
        bindings::mutex_lock(lock);
        let ready = dev.take_memcgs_ready();
        bindings::mutex_unlock(lock);
        ready
    };
    if ready {
        // SAFETY: Initialised by `init`, empty since `close`, unused.
        unsafe { bindings::list_lru_destroy(dev.memcgs.get()) };
    }
}
