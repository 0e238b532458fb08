// SPDX-License-Identifier: GPL-2.0
//! `workbench`: the parts of the kit's workbench that need real logic.
//!
//! ```text
//! workbench prepare-tree KIT_ROOT TREE SERIES TEST_SERIES
//!                                              build the kit commits (branch kit), the
//!                                              test ones on top (kit-test), check out
//! workbench prepare-stock KIT_ROOT TREE TEST_SERIES
//!                                              v7.3.4 + the test commits (stock-test)
//! workbench check-config FRAGMENT CONFIG       fail naming options Kconfig dropped
//! workbench scan-log [--count-device-refusals] KNOWN LOG...
//!                                              fail on kernel warnings and splats,
//!                                              and on commands the device refused
//!                                              (only counted with the option)
//!                                              not excused by the KNOWN list
//! workbench summary OUT.json [--kunit [RUN=]JSON]... [--require SUITE]... [--cargo NAME=LOG]...
//!                  [--igt RUN=LOG]... [--igt-expect RUN:BINARY[.SUBTEST]=pass|skip|fail]...
//!                                              count results, print `N passed, N failed`
//! workbench demo-report OUT.json LOG...        the demo's side-by-side table
//! workbench stress-report OUT.json LOG DRIVER=MIN_CYCLES...
//!                                              make stress's figures and verdict,
//!                                              per driver
//! workbench virgl-report OUT.json KERNEL=LOG...  make virgl's table and verdict
//! workbench lava-jobs OUT_DIR BASE_URL         LAVA jobs for drm-ci's arm64 Panfrost boards
//! workbench kmemleak-pool SOCKET SYSTEM_MAP CONFIG OUT
//!                                              a debug guest's peak use of kmemleak's
//!                                              pool, read through QEMU's monitor
//! workbench c-header STUBS < GENERATED      the C ABI header: cbindgen's output with
//!                                              the stubs for kernels without the kit
//! workbench hang-watch SOCKET SYSTEM_MAP SECS OUT
//!                                              where a guest's vCPUs are if it still
//!                                              runs after SECS (run-vm.sh)
//! workbench igt-results LOG OUT_DIR            igt-runner's results.csv and failures.csv
//!                                              of each pass in LOG, under OUT_DIR/PASS/
//! ```

mod bench;
mod cheader;
mod demo;
mod hang;
mod igt;
mod kconfig;
mod kmemleak;
mod lava;
mod logscan;
mod monitor;
mod plot;
mod results;
mod series;
mod stress;
mod tree;
mod virgl;

use std::path::Path;
use std::process::ExitCode;

fn read(path: &str) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))
}

fn parse_series(file: &str) -> Result<series::Series, String> {
    series::parse(&read(file)?).map_err(|e| format!("{file}: {e}"))
}

/// The prepared tree: v7.3.4 plus the kit's series (branch `kit`), plus the
/// test infrastructure's series (branch `kit-test`, checked out).
fn prepare_tree(
    kit: &str,
    tree_dir: &str,
    series_file: &str,
    test_file: &str,
) -> Result<(), String> {
    let (series, test) = (parse_series(series_file)?, parse_series(test_file)?);
    let tree_dir = Path::new(tree_dir);
    let kit_commit = tree::build_commits(Path::new(kit), tree_dir, tree::UPSTREAM_TAG, &series)?;
    let commit = tree::build_commits(Path::new(kit), tree_dir, &kit_commit, &test)?;
    // Check out first: HEAD may still name branch kit (a fresh tree, or one
    // that an older workbench prepared), and moving kit first would make
    // the work tree look edited.
    let moved = tree::check_out(tree_dir, tree::KIT_TEST_BRANCH, &commit)?;
    tree::set_branch(tree_dir, tree::KIT_BRANCH, &kit_commit)?;
    println!(
        "    prepared tree: {} + {} kit commit(s) ({}) + {} test commit(s) = {} ({})",
        tree::UPSTREAM_TAG,
        series.commits.len(),
        &kit_commit[..12],
        test.commits.len(),
        &commit[..12],
        if moved { "updated" } else { "unchanged" }
    );
    Ok(())
}

/// The stock tree: v7.3.4 plus the test infrastructure's series only.
fn prepare_stock(kit: &str, tree_dir: &str, test_file: &str) -> Result<(), String> {
    let test = parse_series(test_file)?;
    let tree_dir = Path::new(tree_dir);
    let commit = tree::build_commits(Path::new(kit), tree_dir, tree::UPSTREAM_TAG, &test)?;
    let moved = tree::check_out(tree_dir, tree::STOCK_TEST_BRANCH, &commit)?;
    println!(
        "    stock tree: {} + {} test commit(s) = {} ({})",
        tree::UPSTREAM_TAG,
        test.commits.len(),
        &commit[..12],
        if moved { "updated" } else { "unchanged" }
    );
    Ok(())
}

fn check_config(fragment: &str, config: &str) -> Result<(), String> {
    let bad = kconfig::missing(&read(fragment)?, &read(config)?);
    if bad.is_empty() {
        println!("    {config}: every option of {fragment} is set as asked");
        return Ok(());
    }
    let mut msg = format!("{config} does not hold what {fragment} asks for (Kconfig dropped or changed them; check their dependencies):");
    for (name, want, got) in bad {
        msg.push_str(&format!("\n    {name}: wanted {want}, got {got}"));
    }
    Err(msg)
}

/// `gate_refusals`: whether a virtio-gpu command the device refused fails
/// the run (make stress's fuzzer sends invalid ones on purpose: there they
/// are only counted).
fn scan_logs(known_file: &str, logs: &[String], gate_refusals: bool) -> Result<(), String> {
    let known =
        logscan::parse_known(&read(known_file)?).map_err(|e| format!("{known_file}: {e}"))?;
    let (mut bad, mut excused) = (0, 0);
    for log in logs {
        for f in logscan::scan(&read(log)?) {
            let case = f.case.as_deref().unwrap_or("no KUnit case");
            if f.is_known(&known) {
                println!(
                    "    known upstream warning ({case}, listed in {known_file}): {}",
                    f.text.trim()
                );
                excused += 1;
                continue;
            }
            if bad == 0 {
                eprintln!("error: the guest log reports kernel problems:");
            }
            eprintln!("    {log}:{}: [{}] [{case}] {}", f.line, f.kind, f.text);
            bad += 1;
        }
    }
    // QEMU's own log of the guest's invalid commands (run-vm.sh passes
    // -d guest_errors -D LOG.qemu): a virtio-gpu command the device refused,
    // such as a transfer to a resource without backing, means lost content.
    let mut device = 0;
    for log in logs {
        let qemu = format!("{log}.qemu");
        let Ok(text) = std::fs::read_to_string(&qemu) else {
            continue;
        };
        for (i, line) in text.lines().enumerate() {
            if line.starts_with("virtio_gpu") {
                if !gate_refusals {
                    device += 1;
                    continue;
                }
                if device == 0 {
                    eprintln!("error: the virtio-gpu device refused guest commands:");
                }
                eprintln!("    {qemu}:{}: {line}", i + 1);
                device += 1;
            }
        }
    }
    if !gate_refusals && bad == 0 {
        println!(
            "    {device} virtio-gpu command(s) refused by the device, counted, not gated (see the {{LOG}}.qemu files)"
        );
        println!("    guest log clean: no kernel warning, oops, sanitizer, lockdep or RCU-stall report ({excused} known upstream warning(s) excused)");
        return Ok(());
    }
    if bad > 0 || device > 0 {
        return Err(format!(
            "{bad} kernel report line(s) in the guest log, {device} refused virtio-gpu command(s): \
             a warning, a splat or a refused command fails the run"
        ));
    }
    println!("    guest log clean: no kernel warning, oops, sanitizer, lockdep or RCU-stall report, no refused virtio-gpu command ({excused} known upstream warning(s) excused)");
    Ok(())
}

fn summary(args: &[String]) -> Result<(), String> {
    let (out, rest) = args.split_first().ok_or("summary needs OUT.json")?;
    let mut suites = results::Suites::new();
    let mut igt_runs = Vec::new();
    let mut expect = Vec::new();
    let mut required = Vec::new();
    let mut it = rest.iter();
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--igt" => {
                let (run, log) = value.split_once('=').ok_or("--igt takes RUN=LOG")?;
                igt_runs.push((run.to_string(), igt::parse(&read(log)?)));
            }
            "--igt-expect" => expect.push(igt::parse_expect(value)?),
            "--kunit" => match value.split_once('=') {
                // RUN=JSON: another kernel's suites, named RUN:SUITE.
                Some((run, json)) => suites.extend(
                    results::kunit_json(&read(json)?)?
                        .into_iter()
                        .map(|(suite, counts)| (format!("{run}:{suite}"), counts)),
                ),
                None => suites.extend(results::kunit_json(&read(value)?)?),
            },
            "--require" => required.push(value.clone()),
            "--cargo" => {
                let (name, log) = value.split_once('=').ok_or("--cargo takes NAME=LOG")?;
                suites.insert(name.to_string(), results::cargo_test(name, &read(log)?));
            }
            _ => return Err(format!("unknown summary option {flag}")),
        }
    }
    for (run, bins) in &igt_runs {
        suites.extend(igt::counts(run, bins, &expect)?);
    }
    for (suite, _) in &expect {
        // A subtest's expectation names its binary's suite before the dot.
        let bin = match suite.rsplit_once('.') {
            Some((bin, _)) if !suites.contains_key(suite) => bin,
            _ => suite,
        };
        if !suites.contains_key(bin) {
            return Err(format!(
                "--igt-expect {suite}: no such IGT binary in the logs"
            ));
        }
    }
    for suite in &required {
        if suites.get(suite).is_none_or(|c| c.passed == 0) {
            return Err(format!(
                "--require {suite}: the suite did not run or passed nothing"
            ));
        }
    }
    let total = results::total(&suites);
    let json = serde_json::to_string_pretty(&results::summary_json(&suites)).unwrap();
    std::fs::write(out, json + "\n").map_err(|e| format!("cannot write {out}: {e}"))?;
    println!(
        "    {:<44} {:>7} {:>7} {:>7}",
        "suite", "passed", "failed", "skipped"
    );
    for (name, c) in &suites {
        println!(
            "    {name:<44} {:>7} {:>7} {:>7}",
            c.passed, c.failed, c.skipped
        );
    }
    for case in &total.failed_cases {
        println!("FAILED: {case}");
    }
    println!("    results: {out}");
    println!("{}", results::summary_line(&total));
    if total.failed > 0 {
        return Err(format!("{} test case(s) failed", total.failed));
    }
    if total.total() == 0 {
        return Err("no test case ran".to_string());
    }
    Ok(())
}

fn bench_report(out: &str, log: &str) -> Result<(), String> {
    let f = bench::parse(&read(log)?);
    let missing = bench::missing(&f);
    if !missing.is_empty() {
        return Err(format!("{log}: no figure for {}", missing.join(", ")));
    }
    let targets = bench::targets(&f);
    let json = serde_json::to_string_pretty(&bench::summary(&f, &targets)).unwrap();
    std::fs::write(out, json + "\n").map_err(|e| format!("cannot write {out}: {e}"))?;
    print!("{}", bench::table(&f, &targets));
    println!("    figures: {out}");
    let failures = bench::failures(&f);
    if !failures.is_empty() {
        return Err(format!(
            "{log}: the swap-in client failed: {}",
            failures.join(", ")
        ));
    }
    Ok(())
}

fn demo_report(out: &str, logs: &[String]) -> Result<(), String> {
    let mut runs = Vec::new();
    for log in logs {
        runs.extend(demo::parse(&read(log)?).map_err(|e| format!("{log}: {e}"))?);
    }
    let json = serde_json::to_string_pretty(&demo::summary(&runs)).unwrap();
    std::fs::write(out, json + "\n").map_err(|e| format!("cannot write {out}: {e}"))?;
    println!("{}", demo::table(&runs));
    println!("    figures: {out}");
    // The kit's guest log comes first, stock's second (workbench/demo.sh).
    if let [kit, stock, ..] = logs {
        let svg_path = Path::new(out).with_file_name("resident.svg");
        let svg = plot::svg(
            &plot::parse(&read(kit)?),
            &plot::parse(&read(stock)?),
            "Resident shmem (GEM buffer pages), kit vs stock 7.3.4, same guest",
        );
        std::fs::write(&svg_path, svg)
            .map_err(|e| format!("cannot write {}: {e}", svg_path.display()))?;
        println!("    plot: {}", svg_path.display());
    }
    for r in runs.iter().filter(|r| r.kernel == "stock") {
        if r.completed && r.oom_kills == 0 {
            println!(
                "    stock, {}: held up (no OOM kill, no failure)",
                r.scenario
            );
        } else {
            println!("    stock, {}: failed: {}", r.scenario, demo::failure(r));
        }
    }
    let problems = demo::kit_problems(&runs);
    if problems.is_empty() {
        println!("    kit: every scenario completed, 0 OOM kills, 0 mismatches, purged and evicted as expected");
        return Ok(());
    }
    Err(problems.join("; "))
}

/// make stress's report, for each `DRIVER=MIN_CYCLES` asked.
fn stress_report(out: &str, log: &str, drivers: &[String]) -> Result<(), String> {
    let text = read(log)?;
    let (mut summary, mut problems) = (serde_json::Map::new(), Vec::new());
    for arg in drivers {
        let (driver, min) = arg
            .split_once('=')
            .ok_or_else(|| format!("`{arg}` is not DRIVER=MIN_CYCLES"))?;
        let min: u64 = min
            .parse()
            .map_err(|_| format!("MIN_CYCLES `{min}` is not a number"))?;
        match stress::parse(&text, driver) {
            Ok(r) => {
                print!("{}", stress::table(&r));
                summary.insert(driver.to_string(), stress::summary(&r, min));
                let p = stress::problems(&r, min);
                if p.is_empty() {
                    println!(
                        "    {driver}: 0 mismatches, 0 SIGBUS, every errno documented, at least {min} cycles"
                    );
                }
                problems.extend(p);
            }
            Err(e) => problems.push(format!("{log}: {e}")),
        }
    }
    let json = serde_json::to_string_pretty(&serde_json::Value::Object(summary)).unwrap();
    std::fs::write(out, json + "\n").map_err(|e| format!("cannot write {out}: {e}"))?;
    println!("    figures: {out}");
    if problems.is_empty() {
        return Ok(());
    }
    Err(problems.join("; "))
}

fn lava_jobs(dir: &str, base: &str) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {dir}: {e}"))?;
    for b in lava::BOARDS {
        let path = format!("{dir}/{}.yaml", b.device_type);
        let text = format!(
            "# Generated by `make lava` (workbench/tool/src/lava.rs): IGT panfrost_shrinker\n\
             # on the kit kernel, with drm-ci's expectations for {}.\n{}",
            b.device_type,
            lava::to_yaml(&lava::job(b, base))
        );
        std::fs::write(&path, text).map_err(|e| format!("cannot write {path}: {e}"))?;
        println!("    {path}");
    }
    Ok(())
}

fn virgl_report(out: &str, logs: &[String]) -> Result<(), String> {
    let mut runs = Vec::new();
    for arg in logs {
        let (kernel, log) = arg.split_once('=').ok_or("virgl-report takes KERNEL=LOG")?;
        let v = virgl::parse(&read(log)?).unwrap_or(serde_json::Value::Null);
        runs.push((kernel.to_string(), v));
    }
    let json = serde_json::to_string_pretty(&virgl::summary(&runs)).unwrap();
    std::fs::write(out, json + "\n").map_err(|e| format!("cannot write {out}: {e}"))?;
    print!("{}", virgl::table(&runs));
    println!("    figures: {out}");
    let kit = runs
        .iter()
        .find(|(k, _)| k == "kit")
        .map(|(_, v)| v.clone())
        .ok_or("virgl-report needs kit=LOG")?;
    let problems = virgl::kit_problems(&kit);
    if problems.is_empty() {
        println!("    kit: every frame right, 0 OOM kills, textures evicted and swapped in");
        return Ok(());
    }
    Err(format!("kit: {}", problems.join("; ")))
}

/// Samples a debug guest's use of kmemleak's pool through QEMU's monitor
/// (run-vm.sh --kmemleak-pool); nothing to do for a kernel without kmemleak.
fn kmemleak_pool(socket: &str, map: &str, config: &str, out: &str) -> Result<(), String> {
    let (Some(addr), Some(size)) = (
        kmemleak::symbol(&read(map)?, "mem_pool_free_count"),
        kmemleak::pool_size(&read(config)?),
    ) else {
        return Ok(());
    };
    kmemleak::sample(socket, addr, size, out)
}

fn run(args: &[String]) -> Result<(), String> {
    match args {
        [cmd, kit, tree, series, test] if cmd == "prepare-tree" => {
            prepare_tree(kit, tree, series, test)
        }
        [cmd, kit, tree, test] if cmd == "prepare-stock" => prepare_stock(kit, tree, test),
        [cmd, frag, cfg] if cmd == "check-config" => check_config(frag, cfg),
        [cmd, flag, known, logs @ ..]
            if cmd == "scan-log" && flag == "--count-device-refusals" && !logs.is_empty() =>
        {
            scan_logs(known, logs, false)
        }
        [cmd, known, logs @ ..] if cmd == "scan-log" && !logs.is_empty() => {
            scan_logs(known, logs, true)
        }
        [cmd, rest @ ..] if cmd == "summary" => summary(rest),
        [cmd, out, logs @ ..] if cmd == "demo-report" && !logs.is_empty() => demo_report(out, logs),
        [cmd, out, log, drivers @ ..] if cmd == "stress-report" && !drivers.is_empty() => {
            stress_report(out, log, drivers)
        }
        [cmd, out, log] if cmd == "bench-report" => bench_report(out, log),
        [cmd, dir, base] if cmd == "lava-jobs" => lava_jobs(dir, base),
        [cmd, out, logs @ ..] if cmd == "virgl-report" && !logs.is_empty() => {
            virgl_report(out, logs)
        }
        [cmd, socket, map, config, out] if cmd == "kmemleak-pool" => {
            kmemleak_pool(socket, map, config, out)
        }
        [cmd, stubs] if cmd == "c-header" => {
            let mut generated = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut generated)
                .map_err(|e| format!("stdin: {e}"))?;
            print!("{}", cheader::assemble(&generated, &read(stubs)?)?);
            Ok(())
        }
        [cmd, socket, map, secs, out] if cmd == "hang-watch" => {
            let secs = secs
                .parse()
                .map_err(|_| format!("hang-watch: bad seconds {secs}"))?;
            hang::watch(socket, map, secs, out)
        }
        [cmd, log, dir] if cmd == "igt-results" => {
            for d in igt::write_results(&igt::parse(&read(log)?), dir)? {
                println!("{d}");
            }
            Ok(())
        }
        _ => Err(
            "usage: workbench prepare-tree|check-config|scan-log|summary ... (see src/main.rs)"
                .into(),
        ),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
