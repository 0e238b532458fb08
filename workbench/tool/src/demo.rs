// SPDX-License-Identifier: GPL-2.0
//! The demo's report: the guests print one `kit-demo: {json}` line per
//! scenario; this puts the kit and stock 7.3.4 side by side, writes
//! `summary.json` and says whether each kernel held up.

use serde_json::{json, Map, Value};

/// The figures of one scenario on one kernel.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub scenario: String,
    pub kernel: String,
    pub target_mib: u64,
    pub allocated_mib: u64,
    pub purged_mib: u64,
    pub evicted_mib: u64,
    pub swapped_in_mib: u64,
    pub oom_kills: u64,
    pub mismatches: u64,
    pub seconds: Option<f64>,
    /// The client ran to the end and reported no error.
    pub completed: bool,
    /// The client's exit status (137: killed) and its last errno (0: none).
    pub exit: i64,
    pub error: i64,
}

fn num(v: &Value, key: &str) -> u64 {
    v[key].as_u64().unwrap_or(0)
}

/// Parse the `kit-demo:` lines of a guest console log.
pub fn parse(log: &str) -> Result<Vec<Run>, String> {
    let mut runs = Vec::new();
    for line in log.lines() {
        let Some(rest) = line
            .trim_end_matches('\r')
            .split_once("kit-demo: ")
            .map(|(_, r)| r)
        else {
            continue;
        };
        let v: Value =
            serde_json::from_str(rest).map_err(|e| format!("bad kit-demo line `{rest}`: {e}"))?;
        let client = &v["client"];
        let completed = v["exit"].as_i64() == Some(0) && client["error"].as_i64() == Some(0);
        runs.push(Run {
            scenario: v["scenario"].as_str().unwrap_or("?").to_string(),
            kernel: v["kernel"].as_str().unwrap_or("?").to_string(),
            target_mib: num(&v, "target_mib"),
            allocated_mib: client["allocated_mib"]
                .as_u64()
                .unwrap_or_else(|| num(client, "progress_mib")),
            // The kit's counter; on a kernel without one (stock panfrost
            // purges too), what the client found purged when it took its
            // cached buffers back.
            purged_mib: num(&v, "purged_mib").max(num(client, "client_purged_mib")),
            evicted_mib: num(&v, "evicted_mib"),
            swapped_in_mib: num(&v, "swapped_in_mib"),
            oom_kills: num(&v, "oom_kills"),
            mismatches: num(client, "mismatches"),
            seconds: client["seconds"].as_f64(),
            completed,
            exit: v["exit"].as_i64().unwrap_or(-1),
            error: client["error"].as_i64().unwrap_or(0),
        });
    }
    Ok(runs)
}

/// `{scenario: {kernel: {figures}}}`, the keys the demo promises.
pub fn summary(runs: &[Run]) -> Value {
    let mut out = Map::new();
    for r in runs {
        let entry = out.entry(r.scenario.clone()).or_insert_with(|| json!({}));
        entry[r.kernel.as_str()] = json!({
            "allocated_mib": r.allocated_mib,
            "purged_mib": r.purged_mib,
            "evicted_mib": r.evicted_mib,
            "swapped_in_mib": r.swapped_in_mib,
            "oom_kills": r.oom_kills,
            "mismatches": r.mismatches,
            "seconds": r.seconds,
            "target_mib": r.target_mib,
            "completed": r.completed,
            "exit": r.exit,
            "client_error": r.error,
        });
    }
    Value::Object(out)
}

/// A row of the table: its title and how to show a run's figure.
type Row = (&'static str, fn(&Run) -> String);

/// The driver a scenario runs on: `panfrost-` scenarios on panfrost and
/// the simulated Mali, the others on virtio-gpu.
pub fn driver(scenario: &str) -> &'static str {
    if scenario.starts_with("panfrost-") {
        "panfrost"
    } else {
        "virtio-gpu"
    }
}

/// The side-by-side tables, one per driver.
pub fn table(runs: &[Run]) -> String {
    let mut s = String::new();
    for d in ["virtio-gpu", "panfrost"] {
        let of: Vec<Run> = runs
            .iter()
            .filter(|r| driver(&r.scenario) == d)
            .cloned()
            .collect();
        if !of.is_empty() {
            s += &format!("{d}:\n{}", driver_table(&of));
        }
    }
    s
}

fn driver_table(runs: &[Run]) -> String {
    let mut s = format!("{:<16}", "");
    for r in runs {
        let name = r.scenario.trim_start_matches("panfrost-");
        s.push_str(&format!("{:>20}", format!("{name} {}", r.kernel)));
    }
    s.push('\n');
    let rows: [Row; 9] = [
        ("target MiB", |r| r.target_mib.to_string()),
        ("allocated MiB", |r| r.allocated_mib.to_string()),
        ("purged MiB", |r| r.purged_mib.to_string()),
        ("evicted MiB", |r| r.evicted_mib.to_string()),
        ("swapped in MiB", |r| r.swapped_in_mib.to_string()),
        ("OOM kills", |r| r.oom_kills.to_string()),
        ("mismatches", |r| r.mismatches.to_string()),
        ("seconds", |r| {
            r.seconds.map_or("-".to_string(), |x| format!("{x:.1}"))
        }),
        ("completed", |r| {
            if r.completed {
                "yes".into()
            } else {
                "NO".into()
            }
        }),
    ];
    for (name, f) in rows {
        s.push_str(&format!("{name:<16}"));
        for r in runs {
            s.push_str(&format!("{:>20}", f(r)));
        }
        s.push('\n');
    }
    s
}

/// How a run that did not complete ended.
pub fn failure(r: &Run) -> String {
    let how = match (r.exit, r.error) {
        (137, _) => "the client was killed (SIGKILL)".to_string(),
        (_, -12) => "allocation failed with -ENOMEM".to_string(),
        (_, e) if e != 0 => format!("the client stopped on error {e}"),
        (x, _) => format!("the client exited with status {x}"),
    };
    format!(
        "{how} after {} of {} MiB, {} OOM kill(s)",
        r.allocated_mib, r.target_mib, r.oom_kills
    )
}

/// The scenarios of each guest (workbench/vm/payload/demo.sh).
pub const SCENARIOS: [&str; 4] = [
    "churn",
    "working-set",
    "panfrost-cache",
    "panfrost-working-set",
];

/// What the kit must show: every scenario completed without OOM kill or
/// mismatch, with purging in the buffer caches and eviction and swap-in in
/// the working sets.
pub fn kit_problems(runs: &[Run]) -> Vec<String> {
    let mut p = Vec::new();
    for r in runs.iter().filter(|r| r.kernel == "kit") {
        if !r.completed {
            p.push(format!("kit, {}: the client did not complete", r.scenario));
        }
        if r.oom_kills > 0 {
            p.push(format!("kit, {}: {} OOM kill(s)", r.scenario, r.oom_kills));
        }
        if r.mismatches > 0 {
            p.push(format!(
                "kit, {}: {} mismatched page(s)",
                r.scenario, r.mismatches
            ));
        }
        let cache = r.scenario == "churn" || r.scenario == "panfrost-cache";
        if cache && r.purged_mib == 0 {
            p.push(format!("kit, {}: nothing was purged", r.scenario));
        }
        if r.scenario.ends_with("working-set") && r.evicted_mib == 0 {
            p.push(format!("kit, {}: nothing was evicted", r.scenario));
        }
        if r.scenario.ends_with("working-set") && r.swapped_in_mib == 0 {
            p.push(format!("kit, {}: nothing was swapped in", r.scenario));
        }
    }
    for s in SCENARIOS {
        if !runs.iter().any(|r| r.kernel == "kit" && r.scenario == s) {
            p.push(format!("kit, {s}: no result"));
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    const KIT: &str = "kit-demo: {\"scenario\": \"churn\", \"kernel\": \"kit\", \"target_mib\": 1000, \"exit\": 0, \
        \"oom_kills\": 0, \"purged_mib\": 700, \"evicted_mib\": 0, \"swapped_in_mib\": 0, \"client\": \
        {\"allocated_mib\": 1000, \"mismatches\": 0, \"seconds\": 9.5, \"error\": 0}}\n";
    const STOCK: &str = "[ 3.1] kit-demo: {\"scenario\": \"churn\", \"kernel\": \"stock\", \"target_mib\": 1000, \
        \"exit\": 137, \"oom_kills\": 1, \"purged_mib\": 0, \"evicted_mib\": 0, \"swapped_in_mib\": 0, \
        \"client\": {\"progress_mib\": 192}}\n";

    #[test]
    fn parses_complete_and_killed_runs() {
        let runs = parse(&format!("{KIT}noise\n{STOCK}")).unwrap();
        assert_eq!(runs.len(), 2);
        assert!(runs[0].completed);
        assert_eq!(runs[0].purged_mib, 700);
        assert!(!runs[1].completed);
        assert_eq!(
            runs[1].allocated_mib, 192,
            "a killed client's last progress counts"
        );
        assert_eq!(runs[1].seconds, None);
        let s = summary(&runs);
        assert_eq!(s["churn"]["kit"]["allocated_mib"], 1000);
        assert_eq!(s["churn"]["stock"]["oom_kills"], 1);
        assert!(table(&runs).contains("churn stock"));
    }

    #[test]
    fn kit_must_complete_purge_and_evict() {
        let runs = parse(KIT).unwrap();
        let p = kit_problems(&runs);
        assert_eq!(
            p,
            [
                "kit, working-set: no result",
                "kit, panfrost-cache: no result",
                "kit, panfrost-working-set: no result"
            ]
        );
        let pan = parse(&KIT.replace("churn", "panfrost-cache")).unwrap();
        assert!(table(&pan).starts_with("panfrost:\n"));
        assert!(table(&pan).contains("cache kit"));
        let bad = parse(&KIT.replace("\"oom_kills\": 0", "\"oom_kills\": 2")).unwrap();
        assert!(kit_problems(&bad).iter().any(|m| m.contains("OOM")));
        assert!(parse("kit-demo: {not json").is_err());
    }
}
