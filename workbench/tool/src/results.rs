// SPDX-License-Identifier: GPL-2.0
//! Test results from every runner `make check` uses, counted per suite.
//!
//! KUnit results come as the JSON that the kernel's own parser writes
//! (`tools/testing/kunit/kunit.py parse --json`); host tests as the plain
//! output of `cargo test`; IGT results from the guest's log (see igt.rs).
//! Every leaf test case counts once.

use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Outcome counts of one suite, with the names of its failed cases.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Counts {
    pub passed: u64,
    pub failed: u64,
    pub skipped: u64,
    pub failed_cases: Vec<String>,
}

impl Counts {
    pub(crate) fn record(&mut self, status: Status, name: String) {
        match status {
            Status::Pass => self.passed += 1,
            Status::Skip => self.skipped += 1,
            Status::Fail => {
                self.failed += 1;
                self.failed_cases.push(name);
            }
        }
    }

    fn add(&mut self, other: &Counts) {
        self.passed += other.passed;
        self.failed += other.failed;
        self.skipped += other.skipped;
        self.failed_cases.extend(other.failed_cases.iter().cloned());
    }

    /// Cases that ran or were skipped.
    pub fn total(&self) -> u64 {
        self.passed + self.failed + self.skipped
    }
}

#[derive(Clone, Copy)]
pub(crate) enum Status {
    Pass,
    Fail,
    Skip,
}

/// Suite name -> counts, in name order.
pub type Suites = BTreeMap<String, Counts>;

fn kunit_group(group: &Value, path: &str, counts: &mut Counts) {
    if let Some(cases) = group["test_cases"].as_array() {
        for case in cases {
            let name = format!("{path}.{}", case["name"].as_str().unwrap_or("?"));
            let status = match case["status"].as_str() {
                Some("PASS") => Status::Pass,
                Some("SKIP") => Status::Skip,
                _ => Status::Fail,
            };
            counts.record(status, name);
        }
    }
    if let Some(groups) = group["sub_groups"].as_array() {
        for g in groups {
            let name = format!("{path}.{}", g["name"].as_str().unwrap_or("?"));
            kunit_group(g, &name, counts);
        }
    }
}

/// Count the KUnit results in the JSON of `kunit.py parse --json`.
/// Each top-level group is a suite; parameterised cases count per parameter.
pub fn kunit_json(text: &str) -> Result<Suites, String> {
    let root: Value =
        serde_json::from_str(text).map_err(|e| format!("KUnit JSON does not parse: {e}"))?;
    let mut suites = Suites::new();
    for suite in root["sub_groups"].as_array().into_iter().flatten() {
        let name = suite["name"].as_str().unwrap_or("?").to_string();
        let mut counts = Counts::default();
        kunit_group(suite, &name, &mut counts);
        suites.entry(name).or_default().add(&counts);
    }
    // Cases directly under the root belong to no suite: the parser puts
    // a crashed or unparsable run there.
    let mut loose = Counts::default();
    if let Some(cases) = root["test_cases"].as_array() {
        for case in cases {
            let name = case["name"].as_str().unwrap_or("?").to_string();
            let status = if case["status"] == "PASS" {
                Status::Pass
            } else {
                Status::Fail
            };
            loose.record(status, name);
        }
    }
    if loose.total() > 0 {
        suites.insert("kunit".to_string(), loose);
    }
    Ok(suites)
}

/// Count the cases of `cargo test` output (`test NAME ... ok|FAILED|ignored`).
pub fn cargo_test(suite: &str, text: &str) -> Counts {
    let mut counts = Counts::default();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("test ") else {
            continue;
        };
        let Some((name, outcome)) = rest.rsplit_once(" ... ") else {
            continue;
        };
        let status = match outcome.trim() {
            "ok" => Status::Pass,
            "FAILED" => Status::Fail,
            o if o.starts_with("ignored") => Status::Skip,
            _ => continue,
        };
        counts.record(status, format!("{suite}: {name}"));
    }
    counts
}

/// Sum over all suites.
pub fn total(suites: &Suites) -> Counts {
    let mut t = Counts::default();
    for c in suites.values() {
        t.add(c);
    }
    t
}

/// The line `make check` ends with.
pub fn summary_line(t: &Counts) -> String {
    if t.skipped > 0 {
        format!(
            "{} passed, {} failed, {} skipped",
            t.passed, t.failed, t.skipped
        )
    } else {
        format!("{} passed, {} failed", t.passed, t.failed)
    }
}

/// The JSON written to `out/check/summary.json`.
pub fn summary_json(suites: &Suites) -> Value {
    let per_suite: serde_json::Map<String, Value> = suites
        .iter()
        .map(|(name, c)| {
            (
                name.clone(),
                json!({"passed": c.passed, "failed": c.failed, "skipped": c.skipped}),
            )
        })
        .collect();
    let t = total(suites);
    json!({
        "suites": per_suite,
        "total": {"passed": t.passed, "failed": t.failed, "skipped": t.skipped},
        "failed_cases": t.failed_cases,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const KUNIT: &str = r#"{
        "name": "KUnit Test Group", "test_cases": [],
        "sub_groups": [
            {"name": "drm_gem_shmem", "sub_groups": [], "test_cases": [
                {"name": "drm_gem_shmem_test_obj_create", "status": "PASS"},
                {"name": "drm_gem_shmem_test_purge", "status": "FAIL"},
                {"name": "drm_gem_shmem_test_madvise", "status": "SKIP"}]},
            {"name": "drm_format", "test_cases": [], "sub_groups": [
                {"name": "drm_test_format_block", "sub_groups": [], "test_cases": [
                    {"name": "rgb", "status": "PASS"}, {"name": "yuv", "status": "ERROR"}]}]}
        ]}"#;

    #[test]
    fn kunit_counts_leaves_and_names_failures() {
        let s = kunit_json(KUNIT).unwrap();
        let shmem = &s["drm_gem_shmem"];
        assert_eq!((shmem.passed, shmem.failed, shmem.skipped), (1, 1, 1));
        assert_eq!(
            shmem.failed_cases,
            vec!["drm_gem_shmem.drm_gem_shmem_test_purge"]
        );
        let fmt = &s["drm_format"];
        assert_eq!((fmt.passed, fmt.failed), (1, 1));
        assert_eq!(
            fmt.failed_cases,
            vec!["drm_format.drm_test_format_block.yuv"]
        );
        let t = total(&s);
        assert_eq!(summary_line(&t), "2 passed, 2 failed, 1 skipped");
    }

    #[test]
    fn kunit_rejects_garbage() {
        assert!(kunit_json("not json").is_err());
    }

    #[test]
    fn cargo_test_output_is_counted() {
        let out =
            "running 3 tests\ntest a::b ... ok\ntest a::c ... FAILED\ntest d ... ignored, slow\n\
                   test result: FAILED. 1 passed; 1 failed; 1 ignored\n";
        let c = cargo_test("host", out);
        assert_eq!((c.passed, c.failed, c.skipped), (1, 1, 1));
        assert_eq!(c.failed_cases, vec!["host: a::c"]);
    }

    #[test]
    fn summary_json_has_per_suite_counts() {
        let s = kunit_json(KUNIT).unwrap();
        let j = summary_json(&s);
        assert_eq!(j["suites"]["drm_gem_shmem"]["failed"], 1);
        assert_eq!(j["total"]["passed"], 2);
        assert_eq!(
            summary_line(&Counts {
                passed: 3,
                ..Default::default()
            }),
            "3 passed, 0 failed"
        );
    }
}
