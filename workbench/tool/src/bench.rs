// SPDX-License-Identifier: GPL-2.0
//! make bench's report: the guest prints `kit-bench: KEY VALUE` lines (the
//! core's KUnit benchmark suite) and `kit-bench-json: NAME {json}` lines
//! (the swap-in client); this turns them into a table of figures with the
//! targets of the core's design and `bench.json`.

use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// Every figure the guest printed, by key.
#[derive(Debug, Default, PartialEq)]
pub struct Figures {
    pub values: BTreeMap<String, f64>,
}

/// Collect the figures of a guest log. The swap-in client's JSON objects
/// become `NAME.FIELD` keys.
pub fn parse(log: &str) -> Figures {
    let mut f = Figures::default();
    for line in log.lines() {
        if let Some(rest) = after(line, "kit-bench: ") {
            let mut it = rest.split_whitespace();
            if let (Some(k), Some(v)) = (it.next(), it.next()) {
                if let Ok(v) = v.parse::<f64>() {
                    f.values.insert(k.to_string(), v);
                }
            }
        } else if let Some(rest) = after(line, "kit-bench-json: ") {
            let Some((name, obj)) = rest.split_once(' ') else {
                continue;
            };
            if let Ok(Value::Object(m)) = serde_json::from_str::<Value>(obj) {
                for (k, v) in m {
                    if let Some(v) = v.as_f64() {
                        f.values.insert(format!("{name}.{k}"), v);
                    }
                }
            }
        }
    }
    f
}

fn after<'a>(line: &'a str, marker: &str) -> Option<&'a str> {
    line.find(marker).map(|i| line[i + marker.len()..].trim())
}

/// A figure measured against a target of the design.
#[derive(Debug, PartialEq)]
pub struct Target {
    pub name: &'static str,
    pub value: f64,
    pub goal: &'static str,
    pub met: bool,
}

/// The keys every run must print.
pub const REQUIRED: &[&str] = &[
    "count_objects_ps_10",
    "count_objects_ps_1000",
    "count_objects_ps_100000",
    "get_put_pairs_per_s_1_threads",
    "get_put_pairs_per_s_2_threads",
    "tracking_bytes_per_object",
    "scan_kit_ns_per_page",
    "scan_bare_ns_per_page",
    "scan_drm_gem_lru_ns_per_page",
    "swap-in.mib_per_s",
    "swap-in-page-cache.mib_per_s",
    "swap-in-thp.mib_per_s",
    "raw-read.mib_per_s_1m_reads",
    "raw-read.mib_per_s_4k_reads",
    "hot-set.hot_swapins_per_frame",
    "hot-set.other_swapins_per_frame",
    "hot-set.evictions_per_frame",
    "panfrost_count_ps_stock_10",
    "panfrost_count_ps_kit_10",
    "panfrost_count_ps_stock_1000",
    "panfrost_count_ps_kit_1000",
    "panfrost_count_ps_stock_100000",
    "panfrost_count_ps_kit_100000",
    "panfrost_scan_ns_per_page_stock_10",
    "panfrost_scan_ns_per_page_kit_10",
    "panfrost_scan_ns_per_page_stock_1000",
    "panfrost_scan_ns_per_page_kit_1000",
    "panfrost_scan_ns_per_page_stock_100000",
    "panfrost_scan_ns_per_page_kit_100000",
    "domain_active_evictions_pct",
    "domain_active_swapins_per_job",
];

/// The numbers of BOs panfrost's side-by-side benchmark measures.
pub const PANFROST_SIZES: &[u32] = &[10, 1000, 100_000];

/// The keys missing from `f`.
pub fn missing(f: &Figures) -> Vec<&'static str> {
    REQUIRED
        .iter()
        .copied()
        .filter(|k| !f.values.contains_key(*k))
        .collect()
}

/// Figures that say the swap-in client lost data or failed: any
/// `*.mismatches` or `*.error` other than 0.
pub fn failures(f: &Figures) -> Vec<String> {
    f.values
        .iter()
        .filter(|(k, v)| (k.ends_with(".mismatches") || k.ends_with(".error")) && **v != 0.0)
        .map(|(k, v)| format!("{k} = {v}"))
        .collect()
}

fn ratio(f: &Figures, a: &str, b: &str) -> f64 {
    let (a, b) = (f.values[a], f.values[b]);
    if b == 0.0 {
        f64::INFINITY
    } else {
        a / b
    }
}

/// The design's targets, from complete figures.
pub fn targets(f: &Figures) -> Vec<Target> {
    let t = |name, value: f64, goal, met| Target {
        name,
        value,
        goal,
        met,
    };
    let count = ratio(f, "count_objects_ps_100000", "count_objects_ps_10");
    let scaling = ratio(
        f,
        "get_put_pairs_per_s_2_threads",
        "get_put_pairs_per_s_1_threads",
    );
    let bytes = f.values["tracking_bytes_per_object"];
    let scan_bare = ratio(f, "scan_kit_ns_per_page", "scan_bare_ns_per_page");
    let scan_lru = ratio(f, "scan_kit_ns_per_page", "scan_drm_gem_lru_ns_per_page");
    let swap_thp = ratio(f, "swap-in-thp.mib_per_s", "raw-read.mib_per_s_1m_reads");
    let swap = ratio(f, "swap-in.mib_per_s", "raw-read.mib_per_s_1m_reads");
    let swap_4k = ratio(f, "swap-in.mib_per_s", "raw-read.mib_per_s_4k_reads");
    // The kit's, the adapter's and the host's share of an order-0 swap-in.
    let kit_share = ratio(f, "swap-in.mib_per_s", "swap-in-page-cache.mib_per_s");
    let pan_count = ratio(
        f,
        "panfrost_count_ps_stock_100000",
        "panfrost_count_ps_kit_100000",
    );
    let pan_scan = ratio(
        f,
        "panfrost_scan_ns_per_page_kit_100000",
        "panfrost_scan_ns_per_page_stock_100000",
    );
    let active = f.values["domain_active_evictions_pct"];
    let swapins = f.values["domain_active_swapins_per_job"];
    let mut v = vec![
        t(
            "count_objects 100k / 10 objects",
            count,
            "<= 1.2",
            count <= 1.2,
        ),
        t(
            "get+put, 2 threads / 1 thread",
            scaling,
            ">= 1.7",
            scaling >= 1.7,
        ),
        t("tracking bytes per object", bytes, "<= 48", bytes <= 48.0),
        t(
            "scan per page, kit / bare loop",
            scan_bare,
            "<= 1.1",
            scan_bare <= 1.1,
        ),
        t(
            "scan per page, kit / drm_gem_lru_scan",
            scan_lru,
            "(compare)",
            true,
        ),
        t(
            "swap-in, large folios / raw read (1 MiB)",
            swap_thp,
            ">= 0.8",
            swap_thp >= 0.8,
        ),
        t(
            "swap-in, order-0 / raw read (1 MiB)",
            swap,
            "(compare)",
            true,
        ),
        t(
            "swap-in, order-0 / raw read (4 KiB)",
            swap_4k,
            "(compare)",
            true,
        ),
        t(
            "kit+adapter+host share of order-0 swap-in",
            kit_share,
            "(compare)",
            true,
        ),
        t(
            "panfrost count_objects at 100k, stock / kit",
            pan_count,
            ">= 100",
            pan_count >= 100.0,
        ),
        t(
            "panfrost scan per page at 100k, kit / stock",
            pan_scan,
            "<= 1.0",
            pan_scan <= 1.0,
        ),
        t(
            "% evictions from a domain with jobs, idle left",
            active,
            "<= 10",
            active <= 10.0,
        ),
        t(
            "objects swapped back in per job (that domain)",
            swapins,
            "(compare)",
            true,
        ),
    ];
    // The smaller sets: shown, with no target of their own.
    for (n, name) in [
        (10, "panfrost scan per page at 10, kit / stock"),
        (1000, "panfrost scan per page at 1k, kit / stock"),
    ] {
        let r = ratio(
            f,
            &format!("panfrost_scan_ns_per_page_kit_{n}"),
            &format!("panfrost_scan_ns_per_page_stock_{n}"),
        );
        v.push(t(name, r, "(compare)", true));
    }
    v
}

/// One row of panfrost's side-by-side table: N, then count_objects
/// (ps/call) and scan (ns/page) for panfrost's former shrinker and for the
/// kit.
pub fn panfrost_rows(f: &Figures) -> Vec<[f64; 5]> {
    PANFROST_SIZES
        .iter()
        .map(|n| {
            let g = |k: &str| {
                f.values
                    .get(&format!("panfrost_{k}_{n}"))
                    .copied()
                    .unwrap_or(f64::NAN)
            };
            [
                f64::from(*n),
                g("count_ps_stock"),
                g("count_ps_kit"),
                g("scan_ns_per_page_stock"),
                g("scan_ns_per_page_kit"),
            ]
        })
        .collect()
}

/// The table the command prints.
pub fn table(f: &Figures, targets: &[Target]) -> String {
    let mut s = String::new();
    s.push_str(&format!("{:<44} {:>14}\n", "figure", "value"));
    let unit = |k: &str| {
        if k.contains("_ps_") {
            "ps/call"
        } else if k.contains("pairs_per_s") {
            "pairs/s"
        } else if k.contains("ns_per_page") {
            "ns/page"
        } else if k.contains("mib_per_s") {
            "MiB/s"
        } else if k.contains("bytes") {
            "bytes"
        } else {
            ""
        }
    };
    for (k, v) in &f.values {
        s.push_str(&format!("{:<44} {:>14.1} {}\n", k, v, unit(k)));
    }
    s.push('\n');
    s.push_str(
        "panfrost's former shrinker (stock v7.3.4) and the kit, same one-page DONTNEED BOs\n",
    );
    s.push_str(&format!(
        "{:>8} {:>16} {:>16} {:>8} {:>14} {:>14} {:>8}\n",
        "BOs", "count stock ps", "count kit ps", "ratio", "scan stock ns", "scan kit ns", "ratio"
    ));
    for r in panfrost_rows(f) {
        s.push_str(&format!(
            "{:>8} {:>16.0} {:>16.0} {:>8.1} {:>14.0} {:>14.0} {:>8.2}\n",
            r[0],
            r[1],
            r[2],
            r[1] / r[2],
            r[3],
            r[4],
            r[4] / r[3]
        ));
    }
    s.push('\n');
    s.push_str(&format!(
        "{:<44} {:>8}  {:<10} {}\n",
        "target", "value", "goal", "met"
    ));
    for t in targets {
        s.push_str(&format!(
            "{:<44} {:>8.2}  {:<10} {}\n",
            t.name,
            t.value,
            t.goal,
            if t.met { "yes" } else { "NO" }
        ));
    }
    s
}

/// `bench.json`: every figure, and every target with whether it was met.
pub fn summary(f: &Figures, targets: &[Target]) -> Value {
    let figures: Map<String, Value> = f
        .values
        .iter()
        .map(|(k, v)| (k.clone(), json!(v)))
        .collect();
    let targets: Vec<Value> = targets
        .iter()
        .map(|t| json!({"name": t.name, "value": t.value, "goal": t.goal, "met": t.met}))
        .collect();
    let panfrost: Vec<Value> = panfrost_rows(f)
        .iter()
        .map(|r| {
            json!({"bos": r[0], "count_ps_stock": r[1], "count_ps_kit": r[2],
                   "scan_ns_per_page_stock": r[3], "scan_ns_per_page_kit": r[4]})
        })
        .collect();
    json!({"figures": figures, "targets": targets, "panfrost_side_by_side": panfrost})
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "\
[ 10.0]     # bench_count_objects: kit-bench: count_objects_ps_10 2000
kit-bench: count_objects_ps_1000 2100
kit-bench: count_objects_ps_100000 2200
kit-bench: get_put_pairs_per_s_1_threads 1000000
kit-bench: get_put_pairs_per_s_2_threads 1800000
kit-bench: tracking_bytes_per_object 40
kit-bench: scan_kit_ns_per_page 110
kit-bench: scan_bare_ns_per_page 100
kit-bench: scan_drm_gem_lru_ns_per_page 105
kit-bench-json: raw-read {\"read_mib\": 64, \"mib_per_s_1m_reads\": 1000.0, \"mib_per_s_4k_reads\": 500.0}
kit-bench-json: swap-in {\"read_mib\": 64, \"mib_per_s\": 300.0, \"mismatches\": 0}
kit-bench-json: swap-in-page-cache {\"read_mib\": 64, \"mib_per_s\": 9000.0, \"mismatches\": 0}
kit-bench-json: swap-in-thp {\"read_mib\": 64, \"mib_per_s\": 850.0, \"mismatches\": 0}
kit-bench-json: hot-set {\"hot_swapins_per_frame\": 0.0, \"other_swapins_per_frame\": 8.0, \"evictions_per_frame\": 8.0, \"mismatches\": 0}
kit-bench: panfrost_count_ps_stock_10 30000
kit-bench: panfrost_count_ps_kit_10 2000
kit-bench: panfrost_count_ps_stock_1000 3000000
kit-bench: panfrost_count_ps_kit_1000 2000
kit-bench: panfrost_count_ps_stock_100000 300000000
kit-bench: panfrost_count_ps_kit_100000 2000
kit-bench: panfrost_scan_ns_per_page_stock_10 9000
kit-bench: panfrost_scan_ns_per_page_kit_10 8000
kit-bench: panfrost_scan_ns_per_page_stock_1000 5000
kit-bench: panfrost_scan_ns_per_page_kit_1000 4000
kit-bench: panfrost_scan_ns_per_page_stock_100000 6000
kit-bench: panfrost_scan_ns_per_page_kit_100000 4500
kit-bench: domain_active_evictions_pct 0
kit-bench: domain_active_swapins_per_job 0.00
";

    #[test]
    fn parses_every_figure_and_checks_the_targets() {
        let f = parse(LOG);
        assert!(missing(&f).is_empty(), "{:?}", missing(&f));
        let t = targets(&f);
        assert!(t.iter().all(|t| t.met), "{t:?}");
        assert_eq!(f.values["swap-in.mismatches"], 0.0);
        let j = summary(&f, &t);
        assert_eq!(j["figures"]["tracking_bytes_per_object"], json!(40.0));
        assert_eq!(j["panfrost_side_by_side"][2]["bos"], json!(100000.0));
        assert_eq!(j["panfrost_side_by_side"][2]["count_ps_kit"], json!(2000.0));
        assert!(table(&f, &t).contains("  100000 "));
    }

    #[test]
    fn panfrost_count_must_be_100x_faster_at_100k() {
        let f = parse(&LOG.replace(
            "panfrost_count_ps_stock_100000 300000000",
            "panfrost_count_ps_stock_100000 100000",
        ));
        let t = targets(&f);
        assert!(
            !t.iter()
                .find(|t| t.name.contains("count_objects at 100k"))
                .unwrap()
                .met
        );
    }

    #[test]
    fn a_missed_target_is_reported_and_a_missing_figure_named() {
        let f = parse(&LOG.replace("scan_kit_ns_per_page 110", "scan_kit_ns_per_page 200"));
        let t = targets(&f);
        assert!(!t.iter().find(|t| t.name.contains("bare")).unwrap().met);
        let f = parse(&LOG.replace("kit-bench: tracking_bytes_per_object 40\n", ""));
        assert_eq!(missing(&f), vec!["tracking_bytes_per_object"]);
    }

    #[test]
    fn lost_data_is_a_failure() {
        assert!(failures(&parse(LOG)).is_empty());
        let f = parse(&LOG.replace("850.0, \"mismatches\": 0", "850.0, \"mismatches\": 3"));
        assert_eq!(failures(&f), vec!["swap-in-thp.mismatches = 3"]);
    }
}
