// SPDX-License-Identifier: GPL-2.0
//! The guest-log gate: a kernel that warned, oopsed or reported a locking or
//! memory bug fails the run, even when every test passed.
//!
//! Each report is attributed to the KUnit case that was running when it was
//! printed (the next KTAP result line, with its enclosing subtests). Some
//! upstream DRM cases trigger a WARN on purpose, to test that it fires;
//! those are listed, case by case and source location by source location,
//! in `workbench/upstream-known-warnings`. A report is excused only when
//! both its case and its location are listed; everything else fails.

/// Substrings that mark a kernel report which must fail the run, with the
/// name used when reporting it.
const PATTERNS: &[(&str, &str)] = &[
    // Before "BUG:", which it contains.
    ("ODEBUG:", "debugobjects report"),
    ("WARNING:", "warning"),
    ("BUG:", "bug"),
    ("kernel BUG at", "bug"),
    ("Oops", "oops"),
    ("KASAN:", "KASAN report"),
    ("UBSAN:", "UBSAN report"),
    ("possible circular locking dependency", "lockdep report"),
    ("possible recursive locking", "lockdep report"),
    ("inconsistent lock state", "lockdep report"),
    ("suspicious RCU usage", "lockdep report"),
    ("INFO: lockdep", "lockdep report"),
    ("detected stalls on CPUs", "RCU stall"),
    ("self-detected stall on CPU", "RCU stall"),
    ("blocked for more than", "hung task"),
    ("Kernel panic", "panic"),
    ("general protection fault", "oops"),
    // The debug kernel's checkers (workbench/debug.config).
    ("list_add corruption", "list corruption"),
    ("list_del corruption", "list corruption"),
    ("page dumped because", "VM debug report"),
    ("unreferenced object 0x", "kmemleak report"),
    // A checker that switched itself off hides every later report: the
    // kernel's own words, and the guest's end-of-run reading of
    // /proc/lockdep_stats (workbench/vm/init).
    (
        "turning off the locking correctness validator",
        "lockdep off",
    ),
    ("lockdep debug_locks=0", "lockdep off"),
    ("Kernel memory leak detector disabled", "kmemleak off"),
];

/// One offending line of a guest log.
#[derive(Debug, PartialEq, Eq)]
pub struct Finding {
    /// 1-based line number in the log.
    pub line: usize,
    /// What kind of report it is.
    pub kind: &'static str,
    /// The line itself, without the trailing carriage return.
    pub text: String,
    /// The KUnit case that was running (`suite.case[.param]`), if any.
    pub case: Option<String>,
    /// The source location the report names (`path/file.c:123`), if any.
    pub location: Option<String>,
    /// For a kmemleak report, the functions of the leaked object's
    /// allocation backtrace.
    pub frames: Vec<String>,
}

/// The pseudo-case of kmemleak reports: the guest scans once its work is
/// done, so no KUnit case is running. A known entry `kmemleak FUNCTION`
/// excuses a leak whose allocation backtrace passes through FUNCTION.
const KMEMLEAK: &str = "kmemleak";

/// An excused report: upstream `case` warns at `location` by design.
#[derive(Debug, PartialEq, Eq)]
pub struct Known {
    pub case: String,
    pub location: String,
}

/// Parse the known-warnings list: `SUITE.CASE LOCATION` per line, `#`
/// comments. A case matches itself and its parameters (`SUITE.CASE.x`).
pub fn parse_known(text: &str) -> Result<Vec<Known>, String> {
    let mut known = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap().trim();
        if line.is_empty() {
            continue;
        }
        let mut words = line.split_whitespace();
        match (words.next(), words.next(), words.next()) {
            (Some(case), Some(location), None) => known.push(Known {
                case: case.to_string(),
                location: location.to_string(),
            }),
            _ => {
                return Err(format!(
                    "line {}: expected `SUITE.CASE path/file.c:LINE`",
                    i + 1
                ))
            }
        }
    }
    Ok(known)
}

impl Finding {
    /// Whether `known` excuses this report.
    pub fn is_known(&self, known: &[Known]) -> bool {
        if self.case.as_deref() == Some(KMEMLEAK) {
            return known
                .iter()
                .any(|k| k.case == KMEMLEAK && self.frames.contains(&k.location));
        }
        let (Some(case), Some(loc)) = (&self.case, &self.location) else {
            return false;
        };
        known.iter().any(|k| {
            k.location == *loc
                && (case == &k.case
                    || case
                        .strip_prefix(k.case.as_str())
                        .is_some_and(|r| r.starts_with('.')))
        })
    }
}

/// Strip the `[    1.234567] ` timestamp the console puts before a line.
fn strip_timestamp(line: &str) -> &str {
    let l = line.trim_end_matches('\r');
    if let Some(rest) = l.strip_prefix('[') {
        if let Some((stamp, after)) = rest.split_once("] ") {
            if stamp.trim().chars().all(|c| c.is_ascii_digit() || c == '.') {
                return after;
            }
        }
    }
    l
}

/// The first `path.ext:LINE` token of a report line.
fn location(text: &str) -> Option<String> {
    text.split_whitespace()
        .map(|w| w.trim_end_matches(','))
        .find(|w| {
            w.rsplit_once(':').is_some_and(|(path, line)| {
                !line.is_empty()
                    && line.chars().all(|c| c.is_ascii_digit())
                    && [".c", ".h", ".rs"].iter().any(|e| path.ends_with(e))
            })
        })
        .map(str::to_string)
}

/// The function of a backtrace line of a kmemleak report as the guest
/// prints it (`kit-kmemleak:     name+0x1f/0x40`).
fn kmemleak_frame(text: &str) -> Option<&str> {
    let (_, rest) = text.split_once("kit-kmemleak:     ")?;
    let (name, offset) = rest.trim().split_once('+')?;
    (offset.starts_with("0x") && !name.contains(' ')).then_some(name)
}

/// A KTAP result line (`ok 3 name` or `not ok 3 name # SKIP ...`): the
/// indentation and the test name.
fn ktap_result(body: &str) -> Option<(usize, String)> {
    let indent = body.len() - body.trim_start().len();
    let t = body.trim_start();
    let rest = t
        .strip_prefix("not ok ")
        .or_else(|| t.strip_prefix("ok "))?;
    let (num, name) = rest.split_once(' ')?;
    if !num.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let name = name.split(" # ").next().unwrap().trim();
    Some((indent, name.to_string()))
}

/// The end-of-run checks that a kernel with a checker must show
/// (workbench/vm/init): the checker's boot banner, the line the guest prints
/// once the check ran, and what a missing line means.
const END_CHECKS: &[(&str, &str, &str)] = &[
    (
        "kmemleak: Kernel memory leak detector initialized",
        "kit-guest: kmemleak scanned",
        "no kmemleak scan at the end of the run",
    ),
    (
        "Lock dependency validator:",
        "kit-guest: lockdep debug_locks=",
        "no lockdep state at the end of the run",
    ),
];

/// Scan a guest console log and return every line that reports a problem,
/// attributed to the KUnit case running at the time. A kernel that booted
/// with kmemleak or lockdep must also show their end-of-run checks: a
/// report only counts if the checker got to make it.
pub fn scan(log: &str) -> Vec<Finding> {
    let mut findings = scan_reports(log);
    for (banner, done, missing) in END_CHECKS {
        if log.contains(banner) && !log.contains(done) {
            findings.push(Finding {
                line: log.lines().count(),
                kind: "missing end-of-run check",
                text: missing.to_string(),
                case: None,
                location: None,
                frames: Vec::new(),
            });
        }
    }
    findings
}

/// The report lines of a guest console log.
fn scan_reports(log: &str) -> Vec<Finding> {
    let mut findings: Vec<Finding> = Vec::new();
    let mut pending = 0; // findings from here on await their case
    let mut subtests: Vec<(usize, String)> = Vec::new();
    for (i, raw) in log.lines().enumerate() {
        let body = strip_timestamp(raw);
        let trimmed = body.trim_start();
        if let Some(name) = trimmed.strip_prefix("# Subtest: ") {
            let indent = body.len() - trimmed.len();
            subtests.retain(|(d, _)| *d < indent);
            subtests.push((indent, name.trim().to_string()));
            continue;
        }
        if let Some((indent, name)) = ktap_result(body) {
            subtests.retain(|(d, _)| *d <= indent);
            let mut path: Vec<&str> = subtests.iter().map(|(_, n)| n.as_str()).collect();
            path.push(&name);
            let case = path.join(".");
            for f in &mut findings[pending..] {
                f.case = Some(case.clone());
            }
            pending = findings.len();
            continue;
        }
        let text = raw.trim_end_matches('\r');
        if let Some(frame) = kmemleak_frame(text) {
            if let Some(f) = findings
                .last_mut()
                .filter(|f| f.case.as_deref() == Some(KMEMLEAK))
            {
                f.frames.push(frame.to_string());
            }
            continue;
        }
        if let Some((_, kind)) = PATTERNS.iter().find(|(p, _)| text.contains(p)) {
            let kmemleak = *kind == "kmemleak report";
            findings.push(Finding {
                line: i + 1,
                kind,
                text: text.to_string(),
                case: kmemleak.then(|| KMEMLEAK.to_string()),
                location: location(body),
                frames: Vec::new(),
            });
            if kmemleak {
                // Not attributed to a KUnit case: move it out of the way of
                // the findings that wait for theirs.
                let f = findings.pop().unwrap();
                findings.insert(pending, f);
                pending += 1;
            }
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_boot_log_passes() {
        let log = "[    0.000000] Linux version 7.3.4\r\n[    1.2] virtio_gpu virtio0: [drm] features: +edid\n\
                   KTAP version 1\nok 1 drm_gem_shmem\n";
        assert!(scan(log).is_empty());
    }

    #[test]
    fn warning_is_found_with_its_line_location_and_case() {
        let log = "KTAP version 1\n1..1\n    # Subtest: suite_a\n    1..2\n    ok 1 first\n\
                   [    2.5] WARNING: drivers/gpu/drm/x.c:10 at f+0x1/0x2, CPU#0: kunit_try_catch/5\n\
                   [    2.6]     not ok 2 second\nnot ok 1 suite_a\n";
        let f = scan(log);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].line, 6);
        assert_eq!(f[0].kind, "warning");
        assert_eq!(f[0].case.as_deref(), Some("suite_a.second"));
        assert_eq!(f[0].location.as_deref(), Some("drivers/gpu/drm/x.c:10"));
    }

    #[test]
    fn parameterised_cases_get_their_full_path() {
        let log = "    # Subtest: s\n        # Subtest: c\n        ok 1 p1\n\
                   WARNING: CPU: 0 PID: 1 at lib/y.c:3 g+0x0/0x1\n        ok 2 p2\n    ok 1 c\n\
                   WARNING: a/b.c:1 at h\n    ok 2 d\nok 1 s\nWARNING: late.c:9 at x\n";
        let f = scan(log);
        assert_eq!(f[0].case.as_deref(), Some("s.c.p2"));
        assert_eq!(f[0].location.as_deref(), Some("lib/y.c:3"));
        assert_eq!(f[1].case.as_deref(), Some("s.d"));
        assert_eq!(f[2].case, None, "after the last result there is no case");
    }

    #[test]
    fn only_listed_case_and_location_together_are_known() {
        let known = parse_known("# why\ns.c drivers/a.c:10  # on purpose\n").unwrap();
        let f = |case: &str, loc: &str| Finding {
            line: 1,
            kind: "warning",
            text: String::new(),
            case: Some(case.into()),
            location: Some(loc.into()),
            frames: Vec::new(),
        };
        assert!(f("s.c", "drivers/a.c:10").is_known(&known));
        assert!(f("s.c.param", "drivers/a.c:10").is_known(&known));
        assert!(!f("s.cd", "drivers/a.c:10").is_known(&known));
        assert!(!f("s.c", "drivers/a.c:11").is_known(&known));
        assert!(!f("s.other", "drivers/a.c:10").is_known(&known));
        assert!(parse_known("just-one-word\n").is_err());
    }

    #[test]
    fn kmemleak_reports_are_excused_by_a_frame_of_their_backtrace() {
        let log = "KTAP version 1\nkit-kmemleak: unreferenced object 0xff11 (size 16):\n\
                   kit-kmemleak:   backtrace (crc 0):\n\
                   kit-kmemleak:     __kmalloc_cache_noprof+0x255/0x3e0\n\
                   kit-kmemleak:     upstream_test_leak+0x4a/0xe0\n\
                   kit-kmemleak: unreferenced object 0xff12 (size 8):\n\
                   kit-kmemleak:     __kmalloc_cache_noprof+0x255/0x3e0\n\
                   kit-kmemleak:     drm_gem_shmem_shrinker_track+0x1/0x2\n\
                   ok 1 suite_after_the_scan\n";
        let f = scan(log);
        assert_eq!(f.len(), 2);
        assert_eq!(
            f[0].frames,
            ["__kmalloc_cache_noprof", "upstream_test_leak"]
        );
        let known = parse_known("kmemleak upstream_test_leak\n").unwrap();
        assert!(f[0].is_known(&known));
        assert!(!f[1].is_known(&known));
        assert_eq!(f[1].case.as_deref(), Some("kmemleak"));
    }

    #[test]
    fn lockdep_still_on_passes() {
        assert!(scan("kit-guest: lockdep debug_locks=1\n").is_empty());
    }

    #[test]
    fn a_checker_that_booted_must_report_at_the_end() {
        let boot = "[ 0.0] Lock dependency validator: Copyright\n\
                    [ 4.8] kmemleak: Kernel memory leak detector initialized (mem pool available: 1)\n";
        let kinds = |log: &str| scan(log).iter().map(|f| f.text.clone()).collect::<Vec<_>>();
        assert_eq!(
            kinds(boot),
            [
                "no kmemleak scan at the end of the run",
                "no lockdep state at the end of the run"
            ]
        );
        let done = format!("{boot}kit-guest: kmemleak scanned\nkit-guest: lockdep debug_locks=1\n");
        assert!(scan(&done).is_empty());
        // A kernel without the checkers owes nothing.
        assert!(scan("[ 0.0] Linux version 7.3.4\n").is_empty());
    }

    #[test]
    fn every_report_kind_is_found() {
        for (line, kind) in [
            ("BUG: kernel NULL pointer dereference, address: 0", "bug"),
            ("Oops: 0000 [#1] SMP", "oops"),
            ("BUG: KASAN: use-after-free in foo", "bug"),
            ("KASAN: x", "KASAN report"),
            (
                "WARNING: possible circular locking dependency detected",
                "warning",
            ),
            ("[ 1.0] inconsistent lock state", "lockdep report"),
            (
                "rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:",
                "RCU stall",
            ),
            (
                "INFO: task kworker:1 blocked for more than 120 seconds.",
                "hung task",
            ),
            ("Kernel panic - not syncing: Fatal exception", "panic"),
            (
                "list_add corruption. prev->next should be next (ffff888), but was 0",
                "list corruption",
            ),
            (
                "ODEBUG: free active (active state 0) object: ffff type: work_struct",
                "debugobjects report",
            ),
            ("page dumped because: VM_BUG_ON_FOLIO(x)", "VM debug report"),
            (
                "kit-kmemleak: unreferenced object 0xffff888004d1c000 (size 64):",
                "kmemleak report",
            ),
            (
                "turning off the locking correctness validator.",
                "lockdep off",
            ),
            ("kit-guest: lockdep debug_locks=0", "lockdep off"),
            (
                "kmemleak: Kernel memory leak detector disabled",
                "kmemleak off",
            ),
        ] {
            let f = scan(line);
            assert!(!f.is_empty(), "{line}");
            assert_eq!(f.last().unwrap().kind, kind, "{line}");
        }
    }
}
