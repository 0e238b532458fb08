// SPDX-License-Identifier: GPL-2.0
//! IGT results from the guest's console log, as igt-runner (deqp-runner's,
//! which drm-ci runs) wrote them.
//!
//! The guest's `igt.sh` runs igt-runner once per pass ("main"; "thp" for
//! the kit's subtests again with large folios) and prints its caselist,
//! each line of its `results.csv`, the output of the cases that did not
//! pass or skip, and its exit status:
//!
//! ```text
//! kit-igt-list: main: drm_virtgpu_shrinker@madvise-basic
//! kit-igt-result: main: drm_virtgpu_shrinker@madvise-basic,Pass,0.012
//! kit-igt-log: main: drm_virtgpu_shrinker@purge-dontneed: (its output)
//! kit-igt-runner: main: 0
//! ```
//!
//! A case is passed or skipped as igt-runner says; any other status
//! (Fail, Crash, Timeout, Warn, ...) is a failure, and so is a listed case
//! without a result, a missing exit status, or an exit status that
//! contradicts the results (igt-runner exits non-zero when a case failed).
//! Each binary of a pass is a suite, `RUN:BINARY` for the main pass and
//! `RUN:BINARY@PASS` for the others.

use crate::results::{Counts, Status, Suites};
use std::collections::BTreeMap;

const LIST: &str = "kit-igt-list: ";
const RESULT: &str = "kit-igt-result: ";
const RUNNER: &str = "kit-igt-runner: ";

/// One binary in one pass.
#[derive(Debug, Default)]
pub struct Binary {
    /// `BINARY` in the main pass, `BINARY@PASS` in the others.
    pub name: String,
    pub pass: String,
    pub listed: Vec<String>,
    /// (subtest, igt-runner's status), in output order.
    pub results: Vec<(String, String)>,
}

/// What a log says: the binaries of every pass, and each pass's exit
/// status.
#[derive(Debug, Default)]
pub struct Log {
    pub bins: Vec<Binary>,
    pub exits: BTreeMap<String, i32>,
    /// Each pass's results.csv lines, as igt-runner wrote them.
    pub csv: BTreeMap<String, Vec<String>>,
}

const LOG: &str = "kit-igt-log: ";

/// `PASS: REST` after `marker`, wherever on the line it starts (a kernel
/// message may have been printed ahead of it), unless it is part of a
/// test's own output, which comes after a `kit-igt-log: ` marker.
fn field<'a>(raw: &'a str, marker: &str) -> Option<(&'a str, &'a str)> {
    let found = raw.find(marker)?;
    if raw.find(LOG).is_some_and(|l| l < found) {
        return None;
    }
    raw[found + marker.len()..]
        .trim_end_matches('\r')
        .split_once(": ")
}

impl Log {
    fn binary(&mut self, pass: &str, case: &str) -> Option<(&mut Binary, String)> {
        let (bin, sub) = case.split_once('@')?;
        let name = if pass == "main" {
            bin.to_string()
        } else {
            format!("{bin}@{pass}")
        };
        let idx = match self.bins.iter().position(|b| b.name == name) {
            Some(i) => i,
            None => {
                self.bins.push(Binary {
                    name,
                    pass: pass.to_string(),
                    ..Default::default()
                });
                self.bins.len() - 1
            }
        };
        Some((&mut self.bins[idx], sub.to_string()))
    }
}

/// Everything the log reports, binaries in order of first appearance.
pub fn parse(log: &str) -> Log {
    let mut l = Log::default();
    for raw in log.lines() {
        if let Some((pass, case)) = field(raw, LIST) {
            if let Some((b, sub)) = l.binary(pass, case.trim()) {
                b.listed.push(sub);
            }
        } else if let Some((pass, line)) = field(raw, RESULT) {
            let mut it = line.trim().split(',');
            if let (Some(case), Some(status)) = (it.next(), it.next()) {
                let status = status.to_string();
                if let Some((b, sub)) = l.binary(pass, case) {
                    b.results.push((sub, status));
                }
                l.csv
                    .entry(pass.to_string())
                    .or_default()
                    .push(line.trim().to_string());
            }
        } else if let Some((pass, code)) = field(raw, RUNNER) {
            if let Ok(code) = code.trim().parse() {
                l.exits.insert(pass.to_string(), code);
            }
        }
    }
    l
}

/// How bad a status is: a failure of any kind beats a skip beats a pass.
fn severity(status: &str) -> u8 {
    match status {
        "Pass" => 0,
        "Skip" => 1,
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
    /// The subtest fails, and that is known (drm-ci's fails list: a bug of
    /// the kernel under test that the kit's series fixes): it counts as
    /// skipped, and a pass is a failure (drm-ci's UnexpectedPass).
    Fail,
}

/// Parses `SUITE=pass|skip|fail` (the `--igt-expect` option). SUITE is
/// `RUN:BINARY`, or `RUN:BINARY.SUBTEST` for one subtest.
pub fn parse_expect(arg: &str) -> Result<(String, Expect), String> {
    match arg.split_once('=') {
        Some((suite, "pass")) => Ok((suite.to_string(), Expect::Pass)),
        Some((suite, "skip")) => Ok((suite.to_string(), Expect::Skip)),
        Some((suite, "fail")) => Ok((suite.to_string(), Expect::Fail)),
        _ => Err(format!(
            "--igt-expect takes RUN:BINARY[.SUBTEST]=pass|skip|fail, not {arg}"
        )),
    }
}

/// Counts per binary, as suites named `RUN:BINARY`, held to what `expect`
/// says of each suite it names.
pub fn counts(run: &str, log: &Log, expect: &[(String, Expect)]) -> Result<Suites, String> {
    if log.bins.is_empty() {
        return Err(format!(
            "{run}: the log holds no IGT results (no `{LIST}` lines)"
        ));
    }
    // Which passes had a failure, by igt-runner's own verdicts.
    let mut pass_failed: BTreeMap<&str, bool> = BTreeMap::new();
    let mut suites = Suites::new();
    for bin in &log.bins {
        let suite = format!("{run}:{}", bin.name);
        let want = expect.iter().find(|(s, _)| *s == suite).map(|(_, e)| *e);
        let mut c = Counts::default();
        let mut names: Vec<&String> = bin.listed.iter().collect();
        for (name, _) in &bin.results {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        let failed = pass_failed.entry(bin.pass.as_str()).or_default();
        for name in names {
            let status = bin
                .results
                .iter()
                .filter(|(n, _)| n == name)
                .max_by_key(|(_, s)| severity(s))
                .map(|(_, s)| s.as_str());
            let case = format!("{suite}.{name}");
            // RUN:BINARY.SUBTEST=... overrides what RUN:BINARY=... says.
            let want = expect
                .iter()
                .find(|(s, _)| *s == case)
                .map(|(_, e)| *e)
                .or(want);
            match status {
                Some("Pass") if want == Some(Expect::Skip) => {
                    c.record(Status::Fail, format!("{case} (passed where it must skip)"))
                }
                Some("Pass") if want == Some(Expect::Fail) => c.record(
                    Status::Fail,
                    format!("{case} (passed where it fails, known)"),
                ),
                Some("Fail") if want == Some(Expect::Fail) => {
                    // igt-runner, without drm-ci's baseline, exits 1 for it.
                    *failed = true;
                    c.record(Status::Skip, format!("{case} (fails, known)"))
                }
                Some("Pass") => c.record(Status::Pass, case),
                Some("Skip") if want == Some(Expect::Pass) => {
                    c.record(Status::Fail, format!("{case} (skipped where it must run)"))
                }
                Some("Skip") => c.record(Status::Skip, case),
                Some(s) => {
                    *failed = true;
                    c.record(Status::Fail, format!("{case} ({s})"))
                }
                None => c.record(Status::Fail, format!("{case} (no result)")),
            }
        }
        suites.insert(suite, c);
    }
    // igt-runner exits non-zero exactly when a case failed.
    for (pass, failed) in pass_failed {
        let suite = log
            .bins
            .iter()
            .find(|b| b.pass == pass)
            .map(|b| format!("{run}:{}", b.name))
            .unwrap_or_default();
        let why = match log.exits.get(pass) {
            None => Some("igt-runner reported no exit status".to_string()),
            Some(0) if failed => Some("igt-runner exited 0 after a failure".to_string()),
            Some(code) if *code != 0 && !failed => Some(format!("igt-runner exited {code}")),
            _ => None,
        };
        if let (Some(why), Some(c)) = (why, suites.get_mut(&suite)) {
            c.record(Status::Fail, format!("{run} pass {pass} ({why})"));
        }
    }
    Ok(suites)
}

/// The statuses that are not failures (failures.csv leaves them out).
const FAIL_STATUSES_EXCLUDED: &[&str] = &["Pass", "Skip", "ExpectedFail"];

/// Write each pass's results.csv and failures.csv under `dir/PASS/`, as
/// igt-runner wrote them in the guest.
pub fn write_results(log: &Log, dir: &str) -> Result<Vec<String>, String> {
    let mut written = Vec::new();
    for (pass, lines) in &log.csv {
        let d = format!("{dir}/{pass}");
        std::fs::create_dir_all(&d).map_err(|e| format!("cannot create {d}: {e}"))?;
        let failures: Vec<&String> = lines
            .iter()
            .filter(|l| {
                let status = l.split(',').nth(1).unwrap_or("");
                !FAIL_STATUSES_EXCLUDED.contains(&status)
            })
            .collect();
        for (name, rows) in [
            ("results.csv", lines.iter().collect::<Vec<_>>()),
            ("failures.csv", failures),
        ] {
            let path = format!("{d}/{name}");
            let text: String = rows.iter().map(|l| format!("{l}\n")).collect();
            std::fs::write(&path, text).map_err(|e| format!("cannot write {path}: {e}"))?;
        }
        written.push(d);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "\
[    3.1] virtio_gpu virtio0: [drm] something\r
kit-igt-list: main: drm_virtgpu_shrinker@madvise-basic\r
kit-igt-list: main: drm_virtgpu_shrinker@purge-dontneed\r
kit-igt-list: main: drm_virtgpu_shrinker@no-oom-overcommit\r
kit-igt-list: main: panfrost_shrinker@madvise-basic\r
kit-igt-result: main: drm_virtgpu_shrinker@madvise-basic,Pass,0.001\r
[    4.2] [IGT] drm_virtgpu_shrinker: starting subtest purge-dontneedkit-igt-result: main: drm_virtgpu_shrinker@purge-dontneed,Fail,0.04\r
kit-igt-result: main: panfrost_shrinker@madvise-basic,Skip,0.0\r
kit-igt-log: main: drm_virtgpu_shrinker@purge-dontneed: kit-igt-result: main: x@y,Pass,0\r
kit-igt-runner: main: 1\r
kit-igt-list: thp: drm_virtgpu_shrinker@madvise-basic\r
kit-igt-result: thp: drm_virtgpu_shrinker@madvise-basic,Pass,0.002\r
kit-igt-runner: thp: 0\r
";

    #[test]
    fn parses_lists_results_and_exits_per_pass() {
        let l = parse(LOG);
        let names: Vec<&str> = l.bins.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "drm_virtgpu_shrinker",
                "panfrost_shrinker",
                "drm_virtgpu_shrinker@thp"
            ]
        );
        assert_eq!(l.bins[0].listed.len(), 3);
        assert_eq!(
            l.bins[0].results,
            vec![
                ("madvise-basic".to_string(), "Pass".to_string()),
                ("purge-dontneed".to_string(), "Fail".to_string())
            ]
        );
        assert_eq!(l.exits["main"], 1);
        assert_eq!(
            l.csv["main"].len(),
            3,
            "a test's own output is not a result"
        );
    }

    #[test]
    fn a_listed_subtest_without_result_fails() {
        let s = counts("igt", &parse(LOG), &[]).unwrap();
        let v = &s["igt:drm_virtgpu_shrinker"];
        assert_eq!((v.passed, v.failed, v.skipped), (1, 2, 0));
        assert_eq!(
            v.failed_cases,
            vec![
                "igt:drm_virtgpu_shrinker.purge-dontneed (Fail)",
                "igt:drm_virtgpu_shrinker.no-oom-overcommit (no result)"
            ]
        );
        let t = &s["igt:drm_virtgpu_shrinker@thp"];
        assert_eq!((t.passed, t.failed), (1, 0));
    }

    #[test]
    fn expectations_turn_the_wrong_outcome_into_a_failure() {
        let log =
            "kit-igt-list: main: p@a\nkit-igt-result: main: p@a,Skip,0\nkit-igt-runner: main: 0\n";
        let must_run = [parse_expect("igt:p=pass").unwrap()];
        let s = counts("igt", &parse(log), &must_run).unwrap();
        assert_eq!(
            s["igt:p"].failed_cases,
            vec!["igt:p.a (skipped where it must run)"]
        );
        let must_skip = [parse_expect("igt:drm_virtgpu_shrinker@thp=skip").unwrap()];
        let s = counts("igt", &parse(LOG), &must_skip).unwrap();
        assert_eq!(
            s["igt:drm_virtgpu_shrinker@thp"].failed_cases,
            vec!["igt:drm_virtgpu_shrinker@thp.madvise-basic (passed where it must skip)"]
        );
        assert!(parse_expect("igt:x=maybe").is_err());
    }

    #[test]
    fn a_subtest_expectation_overrides_its_binary_one() {
        let log = "kit-igt-list: main: p@a\nkit-igt-list: main: p@b\n\
                   kit-igt-result: main: p@a,Pass,0\nkit-igt-result: main: p@b,Skip,0\n\
                   kit-igt-runner: main: 0\n";
        let want = [
            parse_expect("igt:p=pass").unwrap(),
            parse_expect("igt:p.b=skip").unwrap(),
        ];
        let s = counts("igt", &parse(log), &want).unwrap();
        assert_eq!(
            (s["igt:p"].passed, s["igt:p"].skipped, s["igt:p"].failed),
            (1, 1, 0)
        );
        let fails = "kit-igt-list: main: q@a\nkit-igt-result: main: q@a,Fail,0\n\
                     kit-igt-runner: main: 1\n";
        let known = [parse_expect("igt:q.a=fail").unwrap()];
        let s = counts("igt", &parse(fails), &known).unwrap();
        assert_eq!((s["igt:q"].skipped, s["igt:q"].failed), (1, 0));
        let wrong = [parse_expect("igt:p.a=skip").unwrap()];
        let s = counts("igt", &parse(log), &wrong).unwrap();
        assert_eq!(
            s["igt:p"].failed_cases,
            vec!["igt:p.a (passed where it must skip)"]
        );
    }

    #[test]
    fn the_runner_exit_status_must_agree_with_the_results() {
        let ok =
            "kit-igt-list: main: t@a\nkit-igt-result: main: t@a,Pass,0\nkit-igt-runner: main: 0\n";
        assert!(counts("igt", &parse(ok), &[]).unwrap()["igt:t"]
            .failed_cases
            .is_empty());
        let s = counts("igt", &parse(&ok.replace("main: 0", "main: 101")), &[]).unwrap();
        assert_eq!(
            s["igt:t"].failed_cases,
            vec!["igt pass main (igt-runner exited 101)"]
        );
        let s = counts(
            "igt",
            &parse(&ok.replace("kit-igt-runner: main: 0\n", "")),
            &[],
        )
        .unwrap();
        assert_eq!(
            s["igt:t"].failed_cases,
            vec!["igt pass main (igt-runner reported no exit status)"]
        );
    }

    #[test]
    fn a_log_without_igt_output_is_an_error() {
        assert!(counts("igt", &parse("[ 1.0] booting\n"), &[]).is_err());
    }

    #[test]
    fn results_and_failures_are_written_per_pass() {
        let dir = std::env::temp_dir().join(format!("kit-igt-{}", std::process::id()));
        let dir = dir.to_string_lossy().to_string();
        let written = write_results(&parse(LOG), &dir).unwrap();
        assert_eq!(written.len(), 2);
        let f = std::fs::read_to_string(format!("{dir}/main/failures.csv")).unwrap();
        assert_eq!(f, "drm_virtgpu_shrinker@purge-dontneed,Fail,0.04\n");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
