// SPDX-License-Identifier: GPL-2.0
//! Where a hung guest's vCPUs are.
//!
//! A guest that stops making progress before its console can say anything
//! (an early-boot hang, where no lockup detector runs yet) leaves a log
//! that ends mid-boot. `run-vm.sh` starts this watcher beside QEMU: shortly
//! before the run's time limit it asks QEMU's monitor for every vCPU's
//! registers and the top of its stack, and names the kernel text addresses
//! in them from System.map (a kernel that is not relocated at boot). The
//! result, a crude backtrace per vCPU, goes to `LOG.vcpus`.

use crate::monitor::Monitor;
use std::time::{Duration, Instant};

/// Kernel text symbols of a System.map, sorted by address, and the
/// kernel's text range (`_stext` to `_etext`; empty without them).
pub struct Symbols {
    syms: Vec<(u64, String)>,
    text: core::ops::Range<u64>,
}

impl Symbols {
    /// The text symbols (types t, T, w, W) of `system_map`.
    pub fn parse(system_map: &str) -> Self {
        let mut syms: Vec<(u64, String)> = system_map
            .lines()
            .filter_map(|line| {
                let mut f = line.split_whitespace();
                let (addr, kind, name) = (f.next()?, f.next()?, f.next()?);
                matches!(kind, "t" | "T" | "w" | "W")
                    .then(|| Some((u64::from_str_radix(addr, 16).ok()?, name.to_string())))?
            })
            .collect();
        syms.sort();
        let bound = |name| crate::kmemleak::symbol(system_map, name).unwrap_or(0);
        Self {
            syms,
            text: bound("_stext")..bound("_etext"),
        }
    }

    /// `symbol+0xoffset` for an address inside the kernel's text, None for
    /// anything else.
    pub fn name(&self, addr: u64) -> Option<String> {
        if !self.text.contains(&addr) {
            return None;
        }
        let i = self
            .syms
            .partition_point(|(a, _)| *a <= addr)
            .checked_sub(1)?;
        let (base, name) = &self.syms[i];
        Some(format!("{name}+{:#x}", addr - base))
    }
}

/// The values of register `reg` (`"RIP"`, `"RSP"`) in the answer to
/// `info registers -a`, in CPU order.
pub fn parse_reg(answer: &str, reg: &str) -> Vec<u64> {
    let prefix = format!("{reg}=");
    answer
        .split_whitespace()
        .filter_map(|w| w.strip_prefix(prefix.as_str()))
        .filter_map(|v| u64::from_str_radix(v, 16).ok())
        .collect()
}

/// The 64-bit words of an answer to `x /Ngx ADDR`
/// (`ffffc90000013e58: 0x0000000000000000 0xffffffff81234567`).
pub fn parse_words(answer: &str) -> Vec<u64> {
    answer
        .lines()
        .filter_map(|l| l.trim().split_once(": "))
        .flat_map(|(_, words)| words.split_whitespace())
        .filter_map(|w| u64::from_str_radix(w.strip_prefix("0x")?, 16).ok())
        .collect()
}

/// A report of each vCPU's instruction pointer and the text addresses on
/// the top 256 words (2 KiB) of its stack, innermost first.
fn dump(mon: &mut Monitor, syms: &Symbols) -> Option<String> {
    let regs = mon.command("info registers -a")?;
    let mut out = String::new();
    let rsps = parse_reg(&regs, "RSP");
    for (cpu, (rip, rsp)) in parse_reg(&regs, "RIP").into_iter().zip(rsps).enumerate() {
        let at = syms.name(rip).unwrap_or_else(|| "(not kernel text)".into());
        out.push_str(&format!("vCPU {cpu}: RIP {rip:#x} {at}\n"));
        // `x` reads virtual addresses through the current vCPU's tables.
        mon.command(&format!("cpu {cpu}"))?;
        let stack = mon.command(&format!("x /256gx {rsp:#x}"))?;
        for name in parse_words(&stack).into_iter().filter_map(|w| syms.name(w)) {
            out.push_str(&format!("    ? {name}\n"));
        }
    }
    out.push_str("\nRegisters:\n");
    // The answer begins with the monitor's echo of the command.
    let regs = regs.replace('\r', "");
    out.push_str(regs.split_once('\n').map_or("", |(_, r)| r));
    Some(out)
}

/// Watches QEMU through the monitor at `socket`; if it still runs after
/// `after` seconds, writes where its vCPUs are to `out`.
pub fn watch(socket: &str, system_map: &str, after: u64, out: &str) -> Result<(), String> {
    let start = Instant::now();
    let mut mon = Monitor::connect(socket)?;
    let deadline = Duration::from_secs(after);
    while let Some(left) = deadline.checked_sub(start.elapsed()) {
        if left.is_zero() || mon.closed_within(left.min(Duration::from_secs(5))) {
            break;
        }
    }
    if start.elapsed() < deadline {
        return Ok(()); // QEMU exited in time.
    }
    // Without a System.map, the addresses stay unnamed.
    let map = std::fs::read_to_string(system_map).unwrap_or_default();
    let Some(report) = dump(&mut mon, &Symbols::parse(&map)) else {
        return Ok(());
    };
    std::fs::write(out, report).map_err(|e| format!("{out}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAP: &str = "ffffffff81000000 T _stext\nffffffff81000100 T startup_64\n\
                       ffffffff81200000 t default_idle\nffffffff81200040 T arch_cpu_idle\n\
                       ffffffff82000000 T _etext\nffffffff82100000 D jiffies\n";

    #[test]
    fn names_text_addresses_only() {
        let syms = Symbols::parse(MAP);
        assert_eq!(
            syms.name(0xffffffff81200013).as_deref(),
            Some("default_idle+0x13")
        );
        assert_eq!(
            syms.name(0xffffffff81200040).as_deref(),
            Some("arch_cpu_idle+0x0")
        );
        assert_eq!(syms.name(0xffffffff82100000), None);
        assert_eq!(syms.name(0xffffc90000013e58), None);
    }

    #[test]
    fn parses_registers_and_stack() {
        let regs = "CPU#0\r\nRAX=0 RBX=1\r\nRSP=ffffc90000013e58\r\nRIP=ffffffff81200013 RFL=00000246 [---Z-P-] CPL=0\r\n\
                    CPU#1\r\nRIP=ffffffff81000104 RFL=00000002\r\n(qemu) ";
        assert_eq!(
            parse_reg(regs, "RIP"),
            vec![0xffffffff81200013, 0xffffffff81000104]
        );
        assert_eq!(parse_reg(regs, "RSP"), vec![0xffffc90000013e58]);
        let x = "ffffc90000013e58: 0x0000000000000000 0xffffffff81200044\r\n(qemu) ";
        assert_eq!(parse_words(x), vec![0, 0xffffffff81200044]);
    }
}
