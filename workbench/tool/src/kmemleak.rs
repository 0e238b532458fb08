// SPDX-License-Identifier: GPL-2.0
//! How much of kmemleak's emergency pool a debug guest used.
//!
//! kmemleak takes its metadata from a slab cache with `__GFP_NORETRY |
//! __GFP_NOMEMALLOC`; when that fails (under memory pressure, for objects
//! that reclaim itself allocates from the reserves, such as zram's), it
//! takes an object from a static pool of `CONFIG_DEBUG_KMEMLEAK_MEM_POOL_SIZE`
//! entries, and disables itself for good when the pool is empty. The pool
//! is handed out from its end (`mem_pool_free_count` counts down; objects
//! given back go to a free list that is used first), so the lowest value of
//! `mem_pool_free_count` during a run is the most the run ever needed.
//! kmemleak shows no such figure; the host reads the variable through
//! QEMU's monitor (`run-vm.sh --kmemleak-pool`), every second.

use crate::monitor::Monitor;
use std::time::Duration;

/// The address of `name` in a System.map.
pub fn symbol(system_map: &str, name: &str) -> Option<u64> {
    system_map.lines().find_map(|line| {
        let mut f = line.split_whitespace();
        let (addr, _kind, sym) = (f.next()?, f.next()?, f.next()?);
        (sym == name).then(|| u64::from_str_radix(addr, 16).ok())?
    })
}

/// `CONFIG_DEBUG_KMEMLEAK_MEM_POOL_SIZE` from a kernel's .config.
pub fn pool_size(config: &str) -> Option<u64> {
    config
        .lines()
        .find_map(|l| l.strip_prefix("CONFIG_DEBUG_KMEMLEAK_MEM_POOL_SIZE="))
        .and_then(|v| v.trim().parse().ok())
}

/// The value in the monitor's answer to `x /1dw ADDR`
/// (`ffffffff829ef0b8: 14697`).
pub fn parse_x(answer: &str) -> Option<u64> {
    answer.lines().find_map(|l| {
        let (addr, value) = l.trim().split_once(": ")?;
        u64::from_str_radix(addr, 16).ok()?;
        value.trim().parse().ok()
    })
}

/// What a run used: `used` of `size` objects at most, and a warning when
/// that is more than three quarters of the pool: a bigger guest or a
/// longer run of the same kind would empty it.
pub fn report(size: u64, lowest_free: u64) -> String {
    let used = size.saturating_sub(lowest_free);
    let percent = used * 100 / size.max(1);
    let mut text = format!("kmemleak pool: {used} of {size} objects used at most ({percent}%)");
    if percent > 75 {
        text.push_str(
            "; warning: near empty, raise CONFIG_DEBUG_KMEMLEAK_MEM_POOL_SIZE in workbench/debug.config",
        );
    }
    text
}

/// Samples `mem_pool_free_count` through the monitor at `socket` until QEMU
/// exits, and writes the report to `out` after every new low.
pub fn sample(socket: &str, addr: u64, size: u64, out: &str) -> Result<(), String> {
    let mut mon = Monitor::connect(socket)?;
    let mut lowest = u64::MAX;
    while let Some(answer) = mon.command(&format!("x /1dw {addr:#x}")) {
        // Before kmemleak's init the variable already holds the pool's
        // size; a value above it is a read that went wrong.
        if let Some(v) = parse_x(&answer).filter(|&v| v <= size) {
            if v < lowest {
                lowest = v;
                std::fs::write(out, report(size, lowest) + "\n")
                    .map_err(|e| format!("{out}: {e}"))?;
            }
        }
        std::thread::sleep(Duration::from_secs(1));
    }
    if lowest == u64::MAX {
        return Err("no reading of mem_pool_free_count".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_symbol() {
        let map = "ffffffff829ef0b0 d foo\nffffffff829ef0b8 d mem_pool_free_count\n";
        assert_eq!(symbol(map, "mem_pool_free_count"), Some(0xffffffff829ef0b8));
        assert_eq!(symbol(map, "mem_pool"), None);
    }

    #[test]
    fn reads_the_pool_size() {
        let cfg = "CONFIG_DEBUG_KMEMLEAK=y\nCONFIG_DEBUG_KMEMLEAK_MEM_POOL_SIZE=16000\n";
        assert_eq!(pool_size(cfg), Some(16000));
        assert_eq!(pool_size("CONFIG_KASAN=y\n"), None);
    }

    #[test]
    fn parses_the_monitor_answer() {
        let a = "x /1dw 0xffffffff829ef0b8\r\nffffffff829ef0b8: 14697\r\n(qemu) ";
        assert_eq!(parse_x(a), Some(14697));
        assert_eq!(parse_x("Cannot access memory\r\n(qemu) "), None);
    }

    #[test]
    fn reports_use() {
        assert_eq!(
            report(16000, 12000),
            "kmemleak pool: 4000 of 16000 objects used at most (25%)"
        );
        assert!(report(16000, 3000).ends_with(
            "(81%); warning: near empty, raise CONFIG_DEBUG_KMEMLEAK_MEM_POOL_SIZE in workbench/debug.config"
        ));
    }
}
