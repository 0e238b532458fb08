// SPDX-License-Identifier: GPL-2.0

//! Debugfs: /sys/kernel/debug/drm_gem_shmem_shrinker/<device>/
//!
//! - `state` (read): objects and pages per state, pages per reclaim list,
//!   and the cumulative reclaim counts;
//! - `memcgs` (read): one line per memory cgroup and node with objects of
//!   the device: the cgroup's id (the inode number of its directory in the
//!   cgroup2 file system; 1 is the root), the node, the objects tracked
//!   there and the pages on each of their reclaim lists;
//! - `scan` (write a number of pages): reclaim now, purging and evicting,
//!   as the kernel shrinker would under pressure (for tests).
//!
//! The kernel's own /sys/kernel/debug/shrinker/drm-shmem:<device>-<id>/
//! (CONFIG_SHRINKER_DEBUG) has the `count` and `scan` files of the same
//! shrinker.

use crate::device::Device;
use crate::policy::ScanContext;
use crate::state::{Lru, State};
use kernel::{
    debugfs::{Dir, File},
    fmt,
    prelude::*,
    sync::Arc,
    uaccess::UserSliceReader,
};

kernel::sync::global_lock! {
    // SAFETY: Initialised in the module initialiser, before any use.
    pub(crate) unsafe(uninit) static ROOT: Mutex<Option<Dir>> = None;
}

/// A device's debugfs directory and files; removed when dropped.
pub(crate) struct DeviceFiles {
    _state: Pin<KBox<File<Arc<Device>>>>,
    _scan: Pin<KBox<File<Arc<Device>>>>,
    _memcgs: Pin<KBox<File<Arc<Device>>>>,
    _dir: Dir,
}

fn lru_name(l: Lru) -> &'static str {
    match l {
        Lru::Purgeable => "lru_purgeable",
        Lru::PurgeableEvicted => "lru_purgeable_evicted",
        Lru::Evictable => "lru_evictable",
        Lru::EvictableMapped => "lru_evictable_mapped",
    }
}

fn write_state(dev: &Arc<Device>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    writeln!(f, "{:<18} {:>10} {:>12}", "state", "objects", "pages")?;
    for s in State::ALL {
        writeln!(
            f,
            "{:<18} {:>10} {:>12}",
            s.name(),
            dev.acct.objects(s),
            dev.acct.pages(s)
        )?;
    }
    let pages = dev.lru_pages();
    for l in Lru::ALL {
        writeln!(f, "{} {}", lru_name(l), pages[l.index()])?;
    }
    for (name, value) in dev.stats.snapshot().fields() {
        writeln!(f, "{name} {value}")?;
    }
    Ok(())
}

fn write_memcgs(dev: &Arc<Device>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    write!(f, "{:>8} {:>4} {:>8}", "cgroup", "node", "objects")?;
    for l in Lru::ALL {
        write!(f, " {}", lru_name(l))?;
    }
    writeln!(f)?;
    let Ok(all) = crate::memcg::all(dev) else {
        return Err(fmt::Error);
    };
    for lists in all.iter().flatten() {
        write!(
            f,
            "{:>8} {:>4} {:>8}",
            lists.cgroup_id,
            lists.nid(),
            lists.objects()
        )?;
        for (l, pages) in Lru::ALL.iter().zip(lists.pages()) {
            write!(f, " {:>width$}", pages, width = lru_name(*l).len())?;
        }
        writeln!(f)?;
    }
    Ok(())
}

fn write_scan(dev: &Arc<Device>, reader: &mut UserSliceReader) -> Result {
    let mut buf = [0u8; 24];
    let len = reader.len().min(buf.len());
    reader.read_slice(&mut buf[..len])?;
    let text = core::str::from_utf8(&buf[..len]).map_err(|_| EINVAL)?;
    let pages: usize = text.trim().parse().map_err(|_| EINVAL)?;
    let ctx = ScanContext {
        can_block: true,
        swap_pages: usize::MAX,
    };
    crate::reclaim::scan_now(dev, pages, ctx);
    Ok(())
}

impl DeviceFiles {
    /// Create the directory `name` under the module's root with the
    /// device's files; `None` without debugfs.
    pub(crate) fn new(name: &CStr, dev: &Arc<Device>) -> Result<Option<Self>> {
        let root = ROOT.lock();
        let Some(root) = root.as_ref() else {
            return Ok(None);
        };
        let dir = root.subdir(name);
        let state = KBox::pin_init(
            dir.read_callback_file(c"state", dev.clone(), &write_state),
            GFP_KERNEL,
        )?;
        let scan = KBox::pin_init(
            dir.write_callback_file(c"scan", dev.clone(), &write_scan),
            GFP_KERNEL,
        )?;
        let memcgs = KBox::pin_init(
            dir.read_callback_file(c"memcgs", dev.clone(), &write_memcgs),
            GFP_KERNEL,
        )?;
        Ok(Some(Self {
            _state: state,
            _scan: scan,
            _memcgs: memcgs,
            _dir: dir,
        }))
    }
}
