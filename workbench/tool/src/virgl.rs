// SPDX-License-Identifier: GPL-2.0
//! make virgl's report: each guest (kit kernel, stock 7.3.4) prints one
//! `kit-virgl: {json}` line (workbench/vm/payload/virgl.sh) with the Mesa
//! client's own result, the OOM kills and what the kit evicted and swapped
//! in; this makes the side-by-side table and the verdict.

use serde_json::{json, Value};

/// The `kit-virgl:` object of a guest log, if it printed one.
pub fn parse(log: &str) -> Option<Value> {
    log.lines()
        .rev()
        .filter_map(|l| l.find("kit-virgl: ").map(|i| &l[i + "kit-virgl: ".len()..]))
        .find_map(|j| serde_json::from_str(j.trim()).ok())
}

fn num(v: &Value, path: &[&str]) -> f64 {
    let mut v = v;
    for k in path {
        v = &v[*k];
    }
    v.as_f64().unwrap_or(f64::NAN)
}

/// The table, one column per kernel.
pub fn table(runs: &[(String, Value)]) -> String {
    let rows: [(&str, &[&str]); 11] = [
        ("client exit status", &["exit"]),
        ("textures", &["client", "textures"]),
        ("texture MiB", &["client", "texture_mib"]),
        ("frames checked", &["client", "frames"]),
        ("wrong frames", &["client", "wrong_frames"]),
        ("OOM kills", &["oom_kills"]),
        ("MiB evicted", &["evicted_mib"]),
        ("MiB swapped in", &["swapped_in_mib"]),
        ("objects evicted", &["evicted_objects"]),
        ("objects swapped in", &["swapped_in_objects"]),
        ("seconds", &["client", "seconds"]),
    ];
    let mut s = format!("{:<22}", "");
    for (name, _) in runs {
        s.push_str(&format!("{name:>12}"));
    }
    s.push('\n');
    for (label, path) in rows {
        s.push_str(&format!("{label:<22}"));
        for (_, v) in runs {
            let x = num(v, path);
            if x.is_nan() {
                s.push_str(&format!("{:>12}", "-"));
            } else {
                s.push_str(&format!("{x:>12}"));
            }
        }
        s.push('\n');
    }
    s
}

/// What is wrong with the kit's run: it must render every frame right,
/// with no OOM kill, and evict and swap in along the way.
pub fn kit_problems(kit: &Value) -> Vec<String> {
    let mut p = Vec::new();
    if kit["client"].is_null() {
        p.push("the client printed no result".to_string());
    }
    if num(kit, &["exit"]) != 0.0 {
        p.push(format!("the client exited {}", kit["exit"]));
    }
    if num(kit, &["client", "wrong_frames"]) != 0.0 {
        p.push(format!("{} wrong frames", kit["client"]["wrong_frames"]));
    }
    if num(kit, &["oom_kills"]) != 0.0 {
        p.push(format!("{} OOM kills", kit["oom_kills"]));
    }
    if !(num(kit, &["evicted_mib"]) > 0.0 && num(kit, &["swapped_in_mib"]) > 0.0) {
        p.push("nothing was evicted and swapped in".to_string());
    }
    p
}

/// `virgl.json`: each kernel's object.
pub fn summary(runs: &[(String, Value)]) -> Value {
    let mut m = serde_json::Map::new();
    for (k, v) in runs {
        m.insert(k.clone(), v.clone());
    }
    json!(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KIT: &str = "[ 9.9] x\nkit-virgl: {\"kernel\": \"kit\", \"exit\": 0, \"oom_kills\": 0, \
        \"evicted_mib\": 120, \"swapped_in_mib\": 96, \"client\": {\"textures\": 48, \
        \"texture_mib\": 192.0, \"frames\": 96, \"wrong_frames\": 0, \"presser_killed\": 0, \
        \"seconds\": 80.5}}\n";

    #[test]
    fn a_good_kit_run_has_no_problem_and_a_table() {
        let kit = parse(KIT).unwrap();
        assert!(kit_problems(&kit).is_empty(), "{:?}", kit_problems(&kit));
        let stock = parse(
            "kit-virgl: {\"kernel\": \"stock\", \"exit\": 137, \"oom_kills\": 1, \
             \"evicted_mib\": 0, \"swapped_in_mib\": 0, \"client\": null}",
        )
        .unwrap();
        let t = table(&[("kit".into(), kit), ("stock".into(), stock)]);
        assert!(t.contains("wrong frames"));
        assert!(t
            .lines()
            .any(|l| l.starts_with("OOM kills") && l.ends_with('1')));
    }

    #[test]
    fn wrong_frames_and_oom_kills_are_problems() {
        let bad = parse(
            &KIT.replace("\"wrong_frames\": 0", "\"wrong_frames\": 2")
                .replace("\"oom_kills\": 0", "\"oom_kills\": 1"),
        )
        .unwrap();
        assert_eq!(kit_problems(&bad).len(), 2);
        assert!(parse("no line").is_none());
    }
}
