// SPDX-License-Identifier: GPL-2.0
//! Verify that a generated `.config` holds every option its fragment asked
//! for. Kconfig silently drops options whose dependencies are not met (ZRAM
//! without BLK_DEV, for one); this names each one instead.

use std::collections::HashMap;

/// Parse `CONFIG_X=v` and `# CONFIG_X is not set` lines into name -> value,
/// with "n" for "is not set".
pub fn parse(text: &str) -> HashMap<String, String> {
    let mut map = HashMap::new();
    for line in text.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("# ") {
            if let Some(name) = rest.strip_suffix(" is not set") {
                if name.starts_with("CONFIG_") {
                    map.insert(name.to_string(), "n".to_string());
                }
            }
        } else if let Some((name, value)) = line.split_once('=') {
            if name.starts_with("CONFIG_") {
                map.insert(name.to_string(), value.to_string());
            }
        }
    }
    map
}

/// Every option of `fragment` whose value in `config` differs, as
/// `(name, wanted, got)`; "n" stands for an option that is absent.
pub fn missing(fragment: &str, config: &str) -> Vec<(String, String, String)> {
    let got = parse(config);
    let mut wanted: Vec<(String, String)> = parse(fragment).into_iter().collect();
    wanted.sort();
    wanted
        .into_iter()
        .filter_map(|(name, want)| {
            let have = got.get(&name).cloned().unwrap_or_else(|| "n".to_string());
            (have != want).then_some((name, want, have))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_dropped_and_changed_options() {
        let frag = "# comment\nCONFIG_ZRAM=y\nCONFIG_DRM=y\n# CONFIG_WERROR is not set\nCONFIG_CMDLINE=\"x\"\n";
        let cfg = "CONFIG_DRM=y\nCONFIG_WERROR=y\nCONFIG_CMDLINE=\"x\"\n";
        assert_eq!(
            missing(frag, cfg),
            vec![
                ("CONFIG_WERROR".into(), "n".into(), "y".into()),
                ("CONFIG_ZRAM".into(), "y".into(), "n".into()),
            ]
        );
    }

    #[test]
    fn satisfied_fragment_is_clean() {
        assert!(missing("CONFIG_A=y\n# CONFIG_B is not set\n", "CONFIG_A=y\n").is_empty());
    }
}
