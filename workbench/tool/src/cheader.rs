// SPDX-License-Identifier: GPL-2.0
//! The C ABI header's two halves: what cbindgen generates from
//! `shmem_shrinker/c_api.rs`, and the stubs a driver gets without the kit.
//!
//! cbindgen writes the constants and structs, then the functions. The
//! functions go under `#if IS_REACHABLE(CONFIG_DRM_GEM_SHMEM_SHRINKER)`,
//! and `c-api/stubs.h` (static inlines, written by hand: what each
//! function answers without the kit is a decision, not a derivation) goes
//! under its `#else`. The function lists must match: a function without a
//! stub, or a stub without a function, fails the generation.

use std::collections::BTreeSet;

const GUARD_END: &str = "#endif  /* __DRM_GEM_SHMEM_SHRINKER_H__ */";
const REACHABLE: &str = "IS_REACHABLE(CONFIG_DRM_GEM_SHMEM_SHRINKER)";

/// The name of the function a top-level C line declares or defines, if it
/// starts one (`long foo(...`, `struct x *foo(...`, `foo(...` after a
/// return type on the line before).
fn function_name(line: &str) -> Option<&str> {
    if line.starts_with([' ', '\t', '*', '#', '/', '{', '}']) || line.is_empty() {
        return None;
    }
    let head = line.split('(').next().filter(|_| line.contains('('))?;
    let name = head.rsplit([' ', '*']).next()?;
    (!name.is_empty()).then_some(name)
}

/// The functions that `text` declares or defines at top level.
fn functions(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter_map(function_name)
        .map(str::to_string)
        .collect()
}

/// The header: `generated` (cbindgen's output, kernel types already) with
/// its functions under `#if IS_REACHABLE(...)` and `stubs` under `#else`.
pub fn assemble(generated: &str, stubs: &str) -> Result<String, String> {
    let lines: Vec<&str> = generated.lines().collect();
    let first_fn = lines
        .iter()
        .position(|l| function_name(l).is_some())
        .ok_or("cbindgen's output declares no function")?;
    // The function's kernel-doc comment goes with it.
    let start = lines[..first_fn]
        .iter()
        .rposition(|l| *l == "/**")
        .filter(|&i| lines[i..first_fn].iter().all(|l| l.starts_with(['/', ' '])))
        .unwrap_or(first_fn);
    let end = lines
        .iter()
        .rposition(|l| *l == GUARD_END)
        .ok_or("cbindgen's output has no include guard's end")?;

    let (declared, stubbed) = (functions(generated), functions(stubs));
    let missing: Vec<_> = declared.difference(&stubbed).cloned().collect();
    let extra: Vec<_> = stubbed.difference(&declared).cloned().collect();
    if !missing.is_empty() || !extra.is_empty() {
        return Err(format!(
            "c-api/stubs.h does not match c_api.rs: no stub for [{}]; stubs of no function: [{}]",
            missing.join(", "),
            extra.join(", ")
        ));
    }

    let mut out: Vec<&str> = lines[..start].to_vec();
    let (open, other) = (
        format!("#if {REACHABLE}"),
        format!("#else  /* !{REACHABLE} */"),
    );
    let close = format!("#endif  /* {REACHABLE} */");
    out.push(&open);
    out.push("");
    out.extend(trim_blank_end(&lines[start..end]));
    out.push("");
    out.push(&other);
    out.push("");
    out.extend(trim_blank_end(&stubs.lines().collect::<Vec<_>>()));
    out.push("");
    out.push(&close);
    out.push("");
    out.extend(&lines[end..]);
    Ok(out.join("\n") + "\n")
}

fn trim_blank_end<'a>(lines: &[&'a str]) -> Vec<&'a str> {
    let n = lines
        .iter()
        .rposition(|l| !l.trim().is_empty())
        .map_or(0, |i| i + 1);
    lines[..n].to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GENERATED: &str = "#ifndef __DRM_GEM_SHMEM_SHRINKER_H__\n\
        #define __DRM_GEM_SHMEM_SHRINKER_H__\n\nstruct drm_gem_shmem_shrinker_ops {\n\
        \tint (*purge)(struct drm_gem_shmem_object *shmem);\n};\n\n/**\n * foo - Foo\n */\n\
        struct drm_gem_shmem_shrinker *foo(struct drm_device *dev,\n\t\t\tint x);\n\n\
        /**\n * bar - Bar\n */\nvoid bar(void);\n\n\
        #endif  /* __DRM_GEM_SHMEM_SHRINKER_H__ */\n";

    #[test]
    fn names_functions_not_members() {
        assert_eq!(function_name("long foo(struct x *s);"), Some("foo"));
        assert_eq!(function_name("struct x *foo(int a,"), Some("foo"));
        assert_eq!(
            function_name("static inline void bar(void) { }"),
            Some("bar")
        );
        assert_eq!(function_name("\tint (*purge)(struct y *shmem);"), None);
        assert_eq!(function_name(" * foo - Foo (bar)"), None);
        assert_eq!(
            function_name("drm_gem_shmem_shrinker_register(struct drm_device *dev,"),
            Some("drm_gem_shmem_shrinker_register")
        );
    }

    #[test]
    fn wraps_functions_and_appends_stubs() {
        let stubs = "/* stubs */\nstatic inline struct drm_gem_shmem_shrinker *\n\
                     foo(struct drm_device *dev, int x)\n{\n\treturn NULL;\n}\n\n\
                     static inline void bar(void) { }\n";
        let h = assemble(GENERATED, stubs).unwrap();
        let at = |s: &str| h.find(s).unwrap();
        assert!(at("struct drm_gem_shmem_shrinker_ops") < at("#if IS_REACHABLE"));
        assert!(at("#if IS_REACHABLE") < at("/**\n * foo"));
        assert!(at("void bar(void);") < at("#else  /* !IS_REACHABLE"));
        assert!(at("#else") < at("static inline void bar"));
        assert!(at("static inline void bar") < at("#endif  /* IS_REACHABLE"));
        assert!(h.ends_with("#endif  /* __DRM_GEM_SHMEM_SHRINKER_H__ */\n"));
    }

    #[test]
    fn refuses_lists_that_differ() {
        let e = assemble(
            GENERATED,
            "static inline void bar(void) { }\nstatic inline void baz(void) { }\n",
        )
        .unwrap_err();
        assert!(e.contains("no stub for [foo]"), "{e}");
        assert!(e.contains("stubs of no function: [baz]"), "{e}");
    }
}
