// SPDX-License-Identifier: GPL-2.0
//! IGT results from the guest's console log.
//!
//! The guest's `igt.sh` prints, for every test binary, what
//! `--list-subtests` lists, then the binary's own output, then its exit
//! status, each on a line of its own kind:
//!
//! ```text
//! kit-igt-list: drm_virtgpu_shrinker: madvise-basic
//! kit-igt: drm_virtgpu_shrinker: Subtest madvise-basic: SUCCESS (0.012s)
//! kit-igt-exit: drm_virtgpu_shrinker: 0
//! ```
//!
//! IGT's own result lines (`Subtest NAME: RESULT (TIME)`) decide each
//! subtest; should one be reported twice, the worse verdict counts. A
//! listed subtest without a result line (the binary crashed or was
//! killed), a missing exit status, or an exit status that contradicts the
//! results (IGT exits 98 after a failure, 77 when everything skipped, 0
//! otherwise) counts as a failure.

use crate::results::{Counts, Status, Suites};

const PREFIX: &str = "kit-igt: ";
const LIST: &str = "kit-igt-list: ";
const EXIT: &str = "kit-igt-exit: ";

/// What the log says about one IGT binary.
#[derive(Debug, Default)]
pub struct Binary {
    pub name: String,
    pub listed: Vec<String>,
    /// (subtest, IGT's result word), in output order.
    pub results: Vec<(String, String)>,
    pub exit: Option<i32>,
}

/// Remove ANSI colour sequences (IGT colours its result lines on a tty).
fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// `Subtest NAME: RESULT (TIME)` -> (NAME, RESULT).
fn result_line(line: &str) -> Option<(String, String)> {
    let rest = line.strip_prefix("Subtest ")?;
    let (name, verdict) = rest.split_once(": ")?;
    let word = verdict.split_whitespace().next()?;
    if name.contains(' ') || !word.chars().all(|c| c.is_ascii_uppercase()) {
        return None;
    }
    Some((name.to_string(), word.to_string()))
}

/// Every binary the log reports on, in order of first appearance.
pub fn parse(log: &str) -> Vec<Binary> {
    let mut bins: Vec<Binary> = Vec::new();
    for raw in log.lines() {
        // A kernel message may have been printed ahead of ours on the line.
        let Some((kind, at)) = [LIST, EXIT, PREFIX]
            .iter()
            .find_map(|k| raw.find(k).map(|at| (*k, at + k.len())))
        else {
            continue;
        };
        let line = strip_ansi(raw[at..].trim_end_matches('\r'));
        let Some((name, text)) = line.split_once(": ") else {
            continue;
        };
        let idx = match bins.iter().position(|b| b.name == name) {
            Some(i) => i,
            None => {
                bins.push(Binary {
                    name: name.to_string(),
                    ..Default::default()
                });
                bins.len() - 1
            }
        };
        let bin = &mut bins[idx];
        match kind {
            LIST => bin.listed.push(text.trim().to_string()),
            EXIT => bin.exit = text.trim().parse().ok(),
            _ => bin.results.extend(result_line(text)),
        }
    }
    bins
}

/// How bad a verdict is: a failure of any kind beats a skip beats a pass.
fn severity(verdict: &str) -> u8 {
    match verdict {
        "SUCCESS" => 0,
        "SKIP" => 1,
        _ => 2,
    }
}

/// What a run of one binary must show, beyond "nothing fails".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Every subtest runs and passes: a skip is a failure.
    Pass,
    /// Every subtest skips (no such device, no such feature): a pass is a
    /// failure, because it means the run is not what it claims to be.
    Skip,
}

/// Parses `SUITE=pass|skip` (the `--igt-expect` option).
pub fn parse_expect(arg: &str) -> Result<(String, Expect), String> {
    match arg.split_once('=') {
        Some((suite, "pass")) => Ok((suite.to_string(), Expect::Pass)),
        Some((suite, "skip")) => Ok((suite.to_string(), Expect::Skip)),
        _ => Err(format!(
            "--igt-expect takes RUN:BINARY=pass|skip, not {arg}"
        )),
    }
}

/// Counts per binary, as suites named `RUN:BINARY`, held to what `expect`
/// says of each suite it names.
pub fn counts(run: &str, bins: &[Binary], expect: &[(String, Expect)]) -> Result<Suites, String> {
    if bins.is_empty() {
        return Err(format!(
            "{run}: the log holds no IGT output (no `{PREFIX}` lines)"
        ));
    }
    let mut suites = Suites::new();
    for bin in bins {
        let suite = format!("{run}:{}", bin.name);
        let want = expect.iter().find(|(s, _)| *s == suite).map(|(_, e)| *e);
        let mut c = Counts::default();
        let mut names: Vec<&String> = bin.listed.iter().collect();
        for (name, _) in &bin.results {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        if names.is_empty() {
            c.record(Status::Fail, format!("{suite} (lists no subtest)"));
        }
        // What IGT itself saw, before the expectations are applied.
        let (mut igt_passed, mut igt_failed) = (false, false);
        for name in names {
            let verdict = bin
                .results
                .iter()
                .filter(|(n, _)| n == name)
                .max_by_key(|(_, v)| severity(v));
            let case = format!("{suite}.{name}");
            match verdict.map(|(_, v)| severity(v)) {
                Some(0) => igt_passed = true,
                Some(1) => {}
                _ => igt_failed = true,
            }
            match verdict.map(|(_, v)| v.as_str()) {
                Some("SUCCESS") if want == Some(Expect::Skip) => {
                    c.record(Status::Fail, format!("{case} (passed where it must skip)"))
                }
                Some("SUCCESS") => c.record(Status::Pass, case),
                Some("SKIP") if want == Some(Expect::Pass) => {
                    c.record(Status::Fail, format!("{case} (skipped where it must run)"))
                }
                Some("SKIP") => c.record(Status::Skip, case),
                Some(v) => c.record(Status::Fail, format!("{case} ({v})")),
                None => c.record(Status::Fail, format!("{case} (no result: crashed?)")),
            }
        }
        // IGT exits 98 after a failure, 77 when everything skipped, else 0.
        let consistent = match bin.exit {
            Some(98) => igt_failed,
            Some(77) => !igt_failed && !igt_passed,
            Some(0) => !igt_failed && igt_passed,
            _ => false,
        };
        if !consistent {
            let why = match bin.exit {
                Some(code) => format!("exit status {code}"),
                None => "no exit status".to_string(),
            };
            c.record(Status::Fail, format!("{suite} ({why})"));
        }
        suites.insert(suite, c);
    }
    Ok(suites)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "\
[    3.1] virtio_gpu virtio0: [drm] something\r
kit-igt-list: drm_virtgpu_shrinker: madvise-basic\r
kit-igt-list: drm_virtgpu_shrinker: purge-dontneed\r
kit-igt-list: drm_virtgpu_shrinker: no-oom-overcommit\r
kit-igt: drm_virtgpu_shrinker: IGT-Version: 1.27.1-NO-GIT (x86_64) (Linux: 7.3.4+ x86_64)\r
kit-igt: drm_virtgpu_shrinker: Starting subtest: madvise-basic\r
kit-igt: drm_virtgpu_shrinker: \u{1b}[1mSubtest madvise-basic: SUCCESS (0.001s)\u{1b}[0m\r
[    4.2] [IGT] drm_virtgpu_shrinker: starting subtest purge-dontneedkit-igt: drm_virtgpu_shrinker: Subtest purge-dontneed: FAIL (0.040s)\r
kit-igt: drm_virtgpu_shrinker: exit 5 is a line of the test's own output\r
kit-igt-exit: drm_virtgpu_shrinker: 98\r
kit-igt-list: panfrost_shrinker: madvise-basic\r
kit-igt: panfrost_shrinker: Subtest madvise-basic: SKIP (0.000s)\r
kit-igt: panfrost_shrinker: Subtest madvise-basic: FAIL (0.000s)\r
kit-igt: panfrost_shrinker: Subtest madvise-basic: SKIP (0.000s)\r
kit-igt-exit: panfrost_shrinker: 98\r
";

    #[test]
    fn parses_lists_results_and_exits() {
        let bins = parse(LOG);
        assert_eq!(bins.len(), 2);
        assert_eq!(bins[0].listed.len(), 3);
        assert_eq!(
            bins[0].results,
            vec![
                ("madvise-basic".to_string(), "SUCCESS".to_string()),
                ("purge-dontneed".to_string(), "FAIL".to_string())
            ]
        );
        assert_eq!(
            bins[0].exit,
            Some(98),
            "a test's own \"exit 5\" line is not the status"
        );
        assert_eq!(bins[1].results.len(), 3);
        assert_eq!(bins[1].exit, Some(98));
    }

    #[test]
    fn a_listed_subtest_without_result_fails() {
        let s = counts("igt", &parse(LOG), &[]).unwrap();
        let v = &s["igt:drm_virtgpu_shrinker"];
        assert_eq!((v.passed, v.failed, v.skipped), (1, 2, 0));
        assert_eq!(
            v.failed_cases,
            vec![
                "igt:drm_virtgpu_shrinker.purge-dontneed (FAIL)",
                "igt:drm_virtgpu_shrinker.no-oom-overcommit (no result: crashed?)"
            ]
        );
        // Reported three times: the worst verdict counts.
        let p = &s["igt:panfrost_shrinker"];
        assert_eq!((p.passed, p.failed, p.skipped), (0, 1, 0));
        assert_eq!(
            p.failed_cases,
            vec!["igt:panfrost_shrinker.madvise-basic (FAIL)"]
        );
    }

    #[test]
    fn expectations_turn_the_wrong_outcome_into_a_failure() {
        let log = "kit-igt-list: p: a\nkit-igt: p: Subtest a: SKIP (0.0s)\nkit-igt-exit: p: 77\n";
        let must_run = [parse_expect("igt:p=pass").unwrap()];
        let s = counts("igt", &parse(log), &must_run).unwrap();
        assert_eq!(
            s["igt:p"].failed_cases,
            vec!["igt:p.a (skipped where it must run)"]
        );
        let must_skip = [parse_expect("igt:drm_virtgpu_shrinker=skip").unwrap()];
        let s = counts("igt", &parse(LOG), &must_skip).unwrap();
        let v = &s["igt:drm_virtgpu_shrinker"];
        assert_eq!(v.passed, 0);
        assert_eq!(
            v.failed_cases[0],
            "igt:drm_virtgpu_shrinker.madvise-basic (passed where it must skip)"
        );
        assert!(parse_expect("igt:x=maybe").is_err());
    }

    #[test]
    fn exit_status_must_agree_with_the_results() {
        let log = "kit-igt-list: t: a\nkit-igt: t: Subtest a: SUCCESS (0.0s)\n\
                   kit-igt-exit: t: 139\n\
                   kit-igt-list: u: b\nkit-igt: u: Subtest b: SUCCESS (0.0s)\n\
                   kit-igt-list: v: c\nkit-igt: v: Subtest c: SKIP (0.0s)\nkit-igt-exit: v: 0\n\
                   kit-igt-list: w: d\nkit-igt: w: Subtest d: SUCCESS (0.0s)\nkit-igt-exit: w: 0\n";
        let s = counts("igt", &parse(log), &[]).unwrap();
        assert_eq!(s["igt:t"].failed_cases, vec!["igt:t (exit status 139)"]);
        assert_eq!(s["igt:u"].failed_cases, vec!["igt:u (no exit status)"]);
        assert_eq!(s["igt:v"].failed_cases, vec!["igt:v (exit status 0)"]);
        assert!(s["igt:w"].failed_cases.is_empty());
    }

    #[test]
    fn a_log_without_igt_output_is_an_error() {
        assert!(counts("igt", &parse("[ 1.0] booting\n"), &[]).is_err());
    }
}
