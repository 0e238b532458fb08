// SPDX-License-Identifier: GPL-2.0
//! The workbench's verdicts, end to end: a console log goes through the
//! kernel's own KTAP parser (kunit.py from the prepared tree) and then
//! through the `workbench` binary, as in `make check`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn kunit_py() -> PathBuf {
    let tree = std::env::var("TREE").unwrap_or_else(|_| {
        format!(
            "{}/.cache/shmem-shrinker-kit/linux",
            std::env::var("HOME").unwrap()
        )
    });
    let p = Path::new(&tree).join("tools/testing/kunit/kunit.py");
    assert!(
        p.is_file(),
        "{} not found: run `make source` first",
        p.display()
    );
    p
}

fn workbench(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_workbench"))
        .args(args)
        .output()
        .unwrap()
}

/// Parse a console log with kunit.py into JSON, then summarise it.
fn check_log(log: &str) -> (Output, String) {
    check_log_as(log, "", &[])
}

/// As [`check_log`], the suites named `RUN:SUITE` when `run` is not empty
/// (another kernel's, as make norust's), with more summary options.
fn check_log_as(log: &str, run: &str, more: &[&str]) -> (Output, String) {
    let tmp = std::env::temp_dir().join(format!("wb-pipeline-{}-{run}{log}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let json = tmp.join("kunit.json");
    let parse = Command::new("python3")
        .arg(kunit_py())
        .arg("parse")
        .arg(format!("--json={}", json.display()))
        .arg(fixture(log))
        .output()
        .unwrap();
    assert!(
        json.is_file(),
        "kunit.py wrote no JSON: {}",
        String::from_utf8_lossy(&parse.stdout)
    );
    let summary = tmp.join("summary.json");
    let kunit = if run.is_empty() {
        json.to_str().unwrap().to_string()
    } else {
        format!("{run}={}", json.display())
    };
    let mut args = vec![
        "summary",
        summary.to_str().unwrap(),
        "--kunit",
        kunit.as_str(),
    ];
    args.extend_from_slice(more);
    let out = workbench(&args);
    let summary_text = std::fs::read_to_string(&summary).unwrap_or_default();
    std::fs::remove_dir_all(&tmp).unwrap();
    (out, summary_text)
}

#[test]
fn failing_kunit_case_fails_the_check_and_is_named() {
    let (out, summary) = check_log("kunit-one-failure.log");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !out.status.success(),
        "a failed case must fail the check:\n{stdout}"
    );
    assert!(
        stdout.contains("FAILED: kit_selftest_fail.kit_deliberate_failure"),
        "{stdout}"
    );
    assert!(
        stdout.lines().any(|l| l == "2 passed, 1 failed, 1 skipped"),
        "{stdout}"
    );
    let j: serde_json::Value = serde_json::from_str(&summary).unwrap();
    assert_eq!(j["suites"]["kit_selftest_fail"]["failed"], 1);
    assert_eq!(j["suites"]["kit_selftest_pass"]["skipped"], 1);
}

#[test]
fn another_kernels_suites_are_named_by_run_and_can_be_required() {
    let (out, summary) = check_log_as(
        "kunit-all-pass.log",
        "norust",
        &["--require", "norust:kit_selftest_pass"],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    let j: serde_json::Value = serde_json::from_str(&summary).unwrap();
    assert!(j["suites"]["norust:kit_selftest_pass"]["passed"].as_u64() > Some(0));
    let (out, _) = check_log_as(
        "kunit-all-pass.log",
        "norust",
        &["--require", "norust:absent"],
    );
    assert!(
        !out.status.success(),
        "a required suite that did not run must fail"
    );
}

#[test]
fn passing_kunit_run_passes() {
    let (out, _) = check_log("kunit-all-pass.log");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.lines().any(|l| l == "3 passed, 0 failed, 1 skipped"),
        "{stdout}"
    );
}

fn scan(known: &str, log: &str) -> Output {
    let list = std::env::temp_dir().join(format!("wb-known-{}-{log}", std::process::id()));
    std::fs::write(&list, known).unwrap();
    let out = workbench(&[
        "scan-log",
        list.to_str().unwrap(),
        fixture(log).to_str().unwrap(),
    ]);
    std::fs::remove_file(&list).unwrap();
    out
}

#[test]
fn warning_in_guest_log_fails_even_when_tests_pass() {
    let (tests, _) = check_log("kunit-pass-with-warning.log");
    assert!(tests.status.success(), "the tests themselves pass");
    let out = scan("", "kunit-pass-with-warning.log");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a WARNING must fail the run");
    assert!(
        stderr.contains("kunit-pass-with-warning.log:12: [warning] [kit_selftest_fail.kit_deliberate_failure] [    1.000021] WARNING: CPU: 1"),
        "{stderr}"
    );
    assert!(scan("", "kunit-all-pass.log").status.success());
}

#[test]
fn known_upstream_warning_is_excused_only_for_its_case_and_location() {
    let loc = "drivers/gpu/drm/shmem_shrinker/x.rs:10";
    let listed = scan(
        &format!("kit_selftest_fail.kit_deliberate_failure {loc}\n"),
        "kunit-pass-with-warning.log",
    );
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    assert!(String::from_utf8_lossy(&listed.stdout).contains("known upstream warning"));
    let other_case = scan(
        &format!("kit_selftest_pass.kit_case_one {loc}\n"),
        "kunit-pass-with-warning.log",
    );
    assert!(!other_case.status.success());
    let other_line = scan(
        "kit_selftest_fail.kit_deliberate_failure drivers/gpu/drm/shmem_shrinker/x.rs:11\n",
        "kunit-pass-with-warning.log",
    );
    assert!(!other_line.status.success());
}

#[test]
fn empty_run_fails() {
    let tmp = std::env::temp_dir().join(format!("wb-empty-{}.json", std::process::id()));
    let out = workbench(&["summary", tmp.to_str().unwrap()]);
    let _ = std::fs::remove_file(&tmp);
    assert!(!out.status.success(), "no test case at all must not pass");
}
