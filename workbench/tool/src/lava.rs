// SPDX-License-Identifier: GPL-2.0
//! LAVA job definitions for drm-ci's arm64 Panfrost boards: boot the kit
//! kernel (make arm64's Image and the board's device tree) with a ramdisk
//! that carries the IGT tests and igt-runner, run `panfrost_shrinker` with
//! the board's drm-ci expectation files, and report each subtest to LAVA.
//!
//! The boards, device types, boot methods and expectation files are
//! drm-ci's (drivers/gpu/drm/ci/test.yml and xfails/ in the kernel tree).
//! Its fourth Panfrost board, rk3288-veyron-jaq, is 32-bit ARM, which make
//! arm64 does not build for. The jobs are written as YAML and validated
//! with Debian's lava-common schema (workbench/lava-validate.py).

use serde_json::{json, Value};

/// One of drm-ci's arm64 Panfrost boards.
pub struct Board {
    /// LAVA device type, as drm-ci names it.
    pub device_type: &'static str,
    /// drm-ci's GPU_VERSION: the name of its expectation files.
    pub gpu_version: &'static str,
    /// The device tree, under arch/arm64/boot/dts/.
    pub dtb: &'static str,
    /// LAVA boot method (depthcharge on Chromebooks, u-boot otherwise).
    pub boot: &'static str,
    /// Whether drm-ci has a flakes file for it.
    pub flakes: bool,
}

pub const BOARDS: &[Board] = &[
    Board {
        device_type: "rk3399-gru-kevin",
        gpu_version: "rk3399",
        dtb: "rockchip/rk3399-gru-kevin.dtb",
        boot: "depthcharge",
        flakes: true,
    },
    Board {
        device_type: "mt8183-kukui-jacuzzi-juniper-sku16",
        gpu_version: "mt8183",
        dtb: "mediatek/mt8183-kukui-jacuzzi-juniper-sku16.dtb",
        boot: "depthcharge",
        flakes: false,
    },
    Board {
        device_type: "meson-g12b-a311d-khadas-vim3",
        gpu_version: "g12b",
        dtb: "amlogic/meson-g12b-a311d-khadas-vim3.dtb",
        boot: "u-boot",
        flakes: false,
    },
];

/// The shell steps the test action runs in the ramdisk: the caselist as
/// drm-ci's build-igt.sh makes it, igt-runner with drm-ci's skips and
/// fails for the board, one LAVA test case per subtest, and drm-ci's
/// check that lockdep did not switch itself off.
fn steps(b: &Board) -> Vec<String> {
    let x = format!("/payload/xfails/panfrost-{}", b.gpu_version);
    let flakes = if b.flakes {
        format!(" --flakes {x}-flakes.txt")
    } else {
        String::new()
    };
    vec![
        "export IGT_FORCE_DRIVER=panfrost".into(),
        ". /payload/lib.sh && zram_swap 1G".into(),
        "/payload/igt/panfrost_shrinker --list-subtests | sed 's/^/panfrost_shrinker@/' >/tmp/caselist.txt".into(),
        format!(
            "/payload/igt-runner run --igt-folder /payload/igt --caselist /tmp/caselist.txt \
             --output /tmp/igt --jobs 1 --timeout 600 --skips {x}-skips.txt --baseline {x}-fails.txt{flakes} || true"
        ),
        "while IFS=, read -r t s d; do case $s in Pass) r=pass ;; Skip) r=skip ;; *) r=fail ;; esac; \
         lava-test-case \"$t\" --result $r; done </tmp/igt/results.csv"
            .into(),
        "grep -q 'debug_locks: *1' /proc/lockdep_stats && lava-test-case lockdep --result pass || \
         lava-test-case lockdep --result fail"
            .into(),
    ]
}

/// The job for one board; artefacts are fetched from `base` (a URL
/// prefix: Image, the device tree's file name, initramfs-arm64.cpio.gz).
pub fn job(b: &Board, base: &str) -> Value {
    let dtb_name = b.dtb.rsplit('/').next().unwrap_or(b.dtb);
    let mut ramdisk =
        json!({"url": format!("{base}/initramfs-arm64.cpio.gz"), "compression": "gz"});
    if b.boot == "u-boot" {
        ramdisk["header"] = json!("u-boot");
    }
    json!({
        "device_type": b.device_type,
        "job_name": format!("shmem-shrinker-kit: panfrost_shrinker on {}", b.device_type),
        "priority": "medium",
        "visibility": "public",
        "timeouts": {
            "job": {"minutes": 60},
            "action": {"minutes": 10},
            "connection": {"minutes": 2}
        },
        "actions": [
            {"deploy": {
                "to": "tftp",
                "timeout": {"minutes": 10},
                "os": "oe",
                "kernel": {"url": format!("{base}/Image"), "type": "image"},
                "dtb": {"url": format!("{base}/{dtb_name}")},
                "ramdisk": ramdisk
            }},
            {"boot": {
                "method": b.boot,
                "commands": "ramdisk",
                "prompts": ["/ #"],
                "timeout": {"minutes": 5}
            }},
            {"test": {
                "timeout": {"minutes": 45},
                "definitions": [{
                    "from": "inline",
                    "name": "panfrost-shrinker",
                    "path": "inline/panfrost-shrinker.yaml",
                    "repository": {
                        "metadata": {
                            "format": "Lava-Test Test Definition 1.0",
                            "name": "panfrost-shrinker",
                            "description": "IGT panfrost_shrinker under igt-runner, with drm-ci's expectations for this board"
                        },
                        "run": {"steps": steps(b)}
                    }
                }]
            }}
        ]
    })
}

/// A YAML scalar: plain when that reads back as the same string, quoted
/// (JSON style, which YAML reads) otherwise.
fn scalar(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || " -_./:".contains(c))
        && !s.starts_with([' ', '-', ':'])
        && !s.ends_with([' ', ':'])
        && !s.contains(": ")
        && !matches!(s, "true" | "false" | "null" | "yes" | "no" | "on" | "off")
        && s.parse::<f64>().is_err();
    if plain {
        s.to_string()
    } else {
        Value::String(s.to_string()).to_string()
    }
}

fn emit(v: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                match v {
                    Value::Object(_) | Value::Array(_) => {
                        out.push_str(&format!("{pad}{k}:\n"));
                        emit(v, indent + 2, out);
                    }
                    _ => out.push_str(&format!("{pad}{k}: {}\n", inline(v))),
                }
            }
        }
        Value::Array(a) => {
            for v in a {
                match v {
                    Value::Object(_) | Value::Array(_) => {
                        // The first key goes on the dash's line.
                        let mut inner = String::new();
                        emit(v, indent + 2, &mut inner);
                        let inner = inner.replacen(&format!("{pad}  "), &format!("{pad}- "), 1);
                        out.push_str(&inner);
                    }
                    _ => out.push_str(&format!("{pad}- {}\n", inline(v))),
                }
            }
        }
        _ => out.push_str(&format!("{pad}{}\n", inline(v))),
    }
}

fn inline(v: &Value) -> String {
    match v {
        Value::String(s) => scalar(s),
        other => other.to_string(),
    }
}

/// `v` as block-style YAML.
pub fn to_yaml(v: &Value) -> String {
    let mut out = String::new();
    emit(v, 0, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_board_gets_a_job_with_its_device_tree_and_expectations() {
        for b in BOARDS {
            let j = job(b, "https://artifacts.example.invalid/kit");
            let y = to_yaml(&j);
            assert!(y.starts_with(&format!("device_type: {}\n", b.device_type)));
            assert!(y.contains(&format!("panfrost-{}-skips.txt", b.gpu_version)));
            assert!(y.contains(b.dtb.rsplit('/').next().unwrap()));
            assert_eq!(y.contains("header: u-boot"), b.boot == "u-boot");
        }
    }

    #[test]
    fn scalars_that_yaml_would_misread_are_quoted() {
        assert_eq!(scalar("ramdisk"), "ramdisk");
        assert_eq!(scalar("/ #"), "\"/ #\"");
        assert_eq!(scalar("10"), "\"10\"");
        assert_eq!(scalar("no"), "\"no\"");
        assert_eq!(scalar("a: b"), "\"a: b\"");
        assert_eq!(scalar("x | y"), "\"x | y\"");
    }

    #[test]
    fn lists_of_maps_put_the_first_key_on_the_dash() {
        let y = to_yaml(&json!({"a": [{"b": 1, "c": "d"}, "e"]}));
        assert_eq!(y, "a:\n  - b: 1\n    c: d\n  - e\n");
    }
}
