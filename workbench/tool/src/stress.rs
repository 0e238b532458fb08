// SPDX-License-Identifier: GPL-2.0
//! make stress's report: for each driver (virtio-gpu, panfrost), the guest
//! prints one `kit-stress: {json}` line per worker of its stress client,
//! one for all of them and one with the kernel's side (the kit's counters,
//! OOM kills, injected failures), then one `kit-fuzz: {json}` line from
//! its fuzzer; each line names its `driver`. This prints them as tables,
//! writes `summary.json` and says what failed.

use serde_json::{json, Value};

/// One call of the stress client: how often it was made, how often it
/// failed with an errno the uAPI documents for it, how often with another,
/// and the last such other errno.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub name: String,
    pub calls: u64,
    pub documented: u64,
    pub undocumented: u64,
    pub last_undocumented: i64,
    /// The documented errnos, by name, where the client counts them.
    pub errnos: Vec<(String, u64)>,
}

/// What one driver's stress run reported.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Report {
    pub driver: String,
    pub seconds: u64,
    pub exit: i64,
    pub evicted: u64,
    pub swapped_in: u64,
    pub purged: u64,
    pub oom_kills: u64,
    pub injected: Vec<(String, u64)>,
    pub mismatches: u64,
    pub sigbus: u64,
    pub calls: Vec<Call>,
    pub workers: usize,
    /// The fuzzer's run, when it finished.
    pub fuzz: Option<Fuzz>,
}

/// What the ioctl fuzzer reported: its ioctls as [`Call`]s.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Fuzz {
    pub seconds: u64,
    pub calls: u64,
    pub ioctls: Vec<Call>,
}

/// The `[made, documented, undocumented, last]` arrays of a JSON object.
fn calls(v: &Value, made: usize, documented: usize) -> Vec<Call> {
    let Some(m) = v.as_object() else {
        return Vec::new();
    };
    m.iter()
        .map(|(name, c)| {
            let n = |i: usize| c[i].as_u64().unwrap_or(0);
            Call {
                name: name.clone(),
                calls: n(made),
                documented: n(documented),
                undocumented: n(documented + 1),
                last_undocumented: c[documented + 2].as_i64().unwrap_or(0),
                errnos: Vec::new(),
            }
        })
        .collect()
}

/// The calls, each with its errnos' counts from `{call: {errno: count}}`.
fn with_errnos(mut calls: Vec<Call>, errnos: &Value) -> Vec<Call> {
    for c in &mut calls {
        if let Some(m) = errnos[&c.name].as_object() {
            c.errnos = m
                .iter()
                .map(|(e, n)| (e.clone(), n.as_u64().unwrap_or(0)))
                .collect();
        }
    }
    calls
}

fn num(v: &Value, key: &str) -> u64 {
    v[key].as_u64().unwrap_or(0)
}

/// Parse the `kit-stress:` and `kit-fuzz:` lines of @driver in the guest's
/// console.
pub fn parse(log: &str, driver: &str) -> Result<Report, String> {
    let mut r = Report {
        driver: driver.to_string(),
        ..Report::default()
    };
    let (mut all, mut kernel) = (false, false);
    let of_driver = |v: &Value| v["driver"].as_str() == Some(driver);
    for line in log.lines() {
        let line = line.trim_end_matches('\r');
        if let Some((_, rest)) = line.split_once("kit-fuzz: ") {
            let v: Value = serde_json::from_str(rest)
                .map_err(|e| format!("bad kit-fuzz line `{rest}`: {e}"))?;
            if !of_driver(&v) {
                continue;
            }
            r.fuzz = Some(Fuzz {
                seconds: num(&v, "seconds"),
                calls: num(&v, "calls"),
                // [made, ok, documented, undocumented, last]
                ioctls: with_errnos(calls(&v["ioctls"], 0, 2), &v["errnos"]),
            });
            continue;
        }
        let Some((_, rest)) = line.split_once("kit-stress: ") else {
            continue;
        };
        let v: Value =
            serde_json::from_str(rest).map_err(|e| format!("bad kit-stress line `{rest}`: {e}"))?;
        if !of_driver(&v) {
            continue;
        }
        match v["who"].as_str() {
            Some("kernel") => {
                kernel = true;
                r.seconds = num(&v, "seconds");
                r.exit = v["exit"].as_i64().unwrap_or(-1);
                r.evicted = num(&v, "evicted");
                r.swapped_in = num(&v, "swapped_in");
                r.purged = num(&v, "purged");
                r.oom_kills = num(&v, "oom_kills");
                if let Some(m) = v["injected"].as_object() {
                    r.injected = m
                        .iter()
                        .map(|(k, n)| (k.clone(), n.as_u64().unwrap_or(0)))
                        .collect();
                }
            }
            Some("all") => {
                all = true;
                r.mismatches = num(&v, "mismatches");
                r.sigbus = num(&v, "sigbus");
                // [made, documented, undocumented, last]
                r.calls = with_errnos(calls(&v["calls"], 0, 1), &v["errnos"]);
            }
            Some(_) => r.workers += 1,
            None => return Err(format!("kit-stress line without `who`: {rest}")),
        }
    }
    match (all, kernel) {
        (true, true) => Ok(r),
        (false, _) => Err(format!(
            "{driver}: no `all` line: the stress client did not finish"
        )),
        (_, false) => Err(format!(
            "{driver}: no `kernel` line: the guest's stress payload did not finish"
        )),
    }
}

/// Why the run failed; empty when it passed. Each problem names the driver.
pub fn problems(r: &Report, min_cycles: u64) -> Vec<String> {
    driver_problems(r, min_cycles)
        .into_iter()
        .map(|p| format!("{}: {p}", r.driver))
        .collect()
}

fn driver_problems(r: &Report, min_cycles: u64) -> Vec<String> {
    let mut p = Vec::new();
    if r.exit != 0 {
        p.push(format!("the stress client exited with {}", r.exit));
    }
    if r.mismatches > 0 {
        p.push(format!("{} pages came back wrong", r.mismatches));
    }
    if r.sigbus > 0 {
        p.push(format!(
            "{} SIGBUS on buffers never advised DONTNEED",
            r.sigbus
        ));
    }
    for c in r.calls.iter().filter(|c| c.undocumented > 0) {
        p.push(format!(
            "{}: {} errors outside the documented errnos (last: errno {})",
            c.name, c.undocumented, c.last_undocumented
        ));
    }
    if r.oom_kills > 0 {
        p.push(format!("{} OOM kills", r.oom_kills));
    }
    match &r.fuzz {
        None => p.push("the ioctl fuzzer did not finish".into()),
        Some(f) => {
            for c in f.ioctls.iter().filter(|c| c.undocumented > 0) {
                p.push(format!(
                    "fuzzed {}: {} errors outside the documented errnos (last: errno {})",
                    c.name, c.undocumented, c.last_undocumented
                ));
            }
        }
    }
    if r.swapped_in < min_cycles {
        p.push(format!(
            "only {} evict/swap-in cycles, fewer than {min_cycles}",
            r.swapped_in
        ));
    }
    p
}

/// The report as text: the run's figures, then one line per call.
pub fn table(r: &Report) -> String {
    let mut t = format!(
        "  {}:\n    {} s, {} workers: {} evicted, {} swapped in (evict/swap-in cycles), {} purged, \
         {} OOM kills, {} mismatches, {} SIGBUS\n",
        r.driver,
        r.seconds,
        r.workers,
        r.evicted,
        r.swapped_in,
        r.purged,
        r.oom_kills,
        r.mismatches,
        r.sigbus
    );
    let injected: Vec<String> = r.injected.iter().map(|(k, n)| format!("{k} {n}")).collect();
    t += &format!("    injected failures: {}\n", injected.join(", "));
    t += &call_rows("call", &r.calls);
    if let Some(f) = &r.fuzz {
        t += &format!("    ioctl fuzzer: {} calls in {} s\n", f.calls, f.seconds);
        t += &call_rows("ioctl", &f.ioctls);
    }
    t
}

/// A table of calls: how often each was made and how often it failed.
fn call_rows(what: &str, calls: &[Call]) -> String {
    let mut t = format!(
        "    {what:<20} {:>10} {:>12} {:>14}\n",
        "made", "documented", "undocumented"
    );
    for c in calls {
        let errnos: Vec<String> = c.errnos.iter().map(|(e, n)| format!("{e} {n}")).collect();
        let row = format!(
            "    {:<20} {:>10} {:>12} {:>14}  {}",
            c.name,
            c.calls,
            c.documented,
            c.undocumented,
            errnos.join(", ")
        );
        t += row.trim_end();
        t.push('\n');
    }
    t
}

/// Calls as a JSON object, by name.
fn calls_json(calls: &[Call]) -> Value {
    calls
        .iter()
        .map(|c| {
            let errnos: serde_json::Map<_, _> = c
                .errnos
                .iter()
                .map(|(e, n)| (e.clone(), json!(n)))
                .collect();
            let v = json!({
                "made": c.calls, "documented_errors": c.documented,
                "undocumented_errors": c.undocumented, "documented_errnos": errnos,
            });
            (c.name.clone(), v)
        })
        .collect::<serde_json::Map<_, _>>()
        .into()
}

/// The report as JSON, for `summary.json`.
pub fn summary(r: &Report, min_cycles: u64) -> Value {
    json!({
        "seconds": r.seconds,
        "workers": r.workers,
        "evicted": r.evicted,
        "swapped_in": r.swapped_in,
        "purged": r.purged,
        "oom_kills": r.oom_kills,
        "mismatches": r.mismatches,
        "sigbus": r.sigbus,
        "injected": r.injected.iter().map(|(k, n)| (k.clone(), json!(n))).collect::<serde_json::Map<_, _>>(),
        "calls": calls_json(&r.calls),
        "fuzz": r.fuzz.as_ref().map(|f| json!({
            "seconds": f.seconds, "calls": f.calls, "ioctls": calls_json(&f.ioctls),
        })),
        "problems": problems(r, min_cycles),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "kit-stress: {\"driver\": \"virtio-gpu\", \"who\": \"worker1\", \"mismatches\": 0, \"sigbus\": 0, \"purged_seen\": 1, \"calls\": {}}\n\
        [  9.1] kit-stress: {\"driver\": \"virtio-gpu\", \"who\": \"all\", \"mismatches\": 0, \"sigbus\": 0, \"purged_seen\": 1, \
        \"calls\": {\"create\": [100, 3, 0, 0], \"transfer\": [50, 1, 2, 22]}, \
        \"errnos\": {\"create\": {\"ENOMEM\": 2, \"ENOSPC\": 1}, \"transfer\": {}}}\r\n\
        kit-stress: {\"driver\": \"virtio-gpu\", \"who\": \"kernel\", \"seconds\": 60, \"exit\": 0, \"evicted\": 20000, \
        \"swapped_in\": 15000, \"purged\": 7, \"oom_kills\": 0, \"injected\": {\"failslab\": 4}}\n\
        kit-stress: {\"driver\": \"panfrost\", \"who\": \"worker1\", \"calls\": {}}\n\
        kit-fuzz: {\"driver\": \"virtio-gpu\", \"seconds\": 5, \"calls\": 9, \"undocumented\": 0, \
        \"ioctls\": {\"map\": [9, 4, 5, 0, 0]}, \"errnos\": {\"map\": {\"ENOENT\": 5}}}\n";

    #[test]
    fn parses_workers_totals_and_kernel() {
        let r = parse(LOG, "virtio-gpu").unwrap();
        assert_eq!(r.workers, 1);
        assert_eq!(r.swapped_in, 15000);
        assert_eq!(r.injected, vec![("failslab".to_string(), 4)]);
        assert_eq!(r.calls.len(), 2);
        assert_eq!(r.calls[1].undocumented, 2);
        assert_eq!(r.calls[1].last_undocumented, 22);
        assert_eq!(
            r.calls[0].errnos,
            [("ENOMEM".to_string(), 2), ("ENOSPC".to_string(), 1)]
        );
        assert!(table(&r).contains("ENOMEM 2, ENOSPC 1"));
        let f = r.fuzz.unwrap();
        assert_eq!((f.calls, f.ioctls[0].documented), (9, 5));
        assert_eq!(f.ioctls[0].errnos, [("ENOENT".to_string(), 5)]);
    }

    #[test]
    fn undocumented_errnos_and_few_cycles_fail() {
        let r = parse(LOG, "virtio-gpu").unwrap();
        let p = problems(&r, 10000);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].starts_with("virtio-gpu: transfer"), "{p:?}");
        assert_eq!(problems(&r, 20000).len(), 2);
    }

    #[test]
    fn a_run_that_did_not_finish_is_an_error() {
        let worker = "kit-stress: {\"driver\": \"panfrost\", \"who\": \"worker1\"}\n";
        assert!(parse(worker, "panfrost").is_err());
        assert!(
            parse(LOG, "panfrost").is_err(),
            "panfrost's worker line alone is not a run"
        );
    }
}
