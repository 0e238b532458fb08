// SPDX-License-Identifier: GPL-2.0
//! Prepared-tree construction: pristine v7.3.4 plus the kit's series, and
//! the test infrastructure's series (the simulated Mali) on top of that or
//! of pristine v7.3.4 for the stock kernel.
//!
//! The series is turned into commits with git plumbing in a scratch index,
//! never in the work tree, with fixed author, committer and dates, so the
//! same kit content always yields the same commit ids. Only when the series'
//! final tree differs from what is checked out does the work tree move, and
//! then `git read-tree -m -u` rewrites just the files that changed: their
//! new mtimes are what drives the incremental kernel build.

use crate::series::{Action, Series};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The tag of the pristine commit, made by `workbench/fetch-source.sh`.
pub const UPSTREAM_TAG: &str = "v7.3.4";
/// The branch that carries the kit on top of the pristine commit: what
/// `make patches` exports.
pub const KIT_BRANCH: &str = "kit";
/// The branch checked out in the prepared tree: the kit plus the test
/// infrastructure that is not part of it.
pub const KIT_TEST_BRANCH: &str = "kit-test";
/// The branch checked out in the stock tree: pristine v7.3.4 plus the test
/// infrastructure.
pub const STOCK_TEST_BRANCH: &str = "stock-test";
/// Every kit commit carries this date, so commit ids depend on content only.
const FIXED_DATE: &str = "2026-01-01T00:00:00Z";

/// Run git in `dir` with extra environment, returning trimmed stdout.
fn git(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .envs(env.iter().copied())
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "git {} (in {}) failed: {}",
            args.join(" "),
            dir.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim_end().to_string())
}

/// Files below `dir` (relative to the kit root) that git tracks or would
/// track: tracked and untracked, not ignored.
fn kit_files_below(kit: &Path, dir: &str) -> Result<Vec<String>, String> {
    let out = git(
        kit,
        &[],
        &[
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
            "--",
            dir,
        ],
    )?;
    let mut files: Vec<String> = out
        .split('\0')
        .filter(|f| !f.is_empty() && kit.join(f).is_file())
        .map(str::to_string)
        .collect();
    files.sort();
    files.dedup();
    if files.is_empty() {
        return Err(format!(
            "series copies folder `{dir}`, but it holds no files"
        ));
    }
    Ok(files)
}

/// Put one kit file into the scratch index at `to`.
fn stage_file(
    tree: &Path,
    env: &[(&str, &str)],
    kit: &Path,
    from: &str,
    to: &str,
) -> Result<(), String> {
    let src = kit.join(from);
    if !src.is_file() {
        return Err(format!(
            "series names `{from}`, which is not a file of the kit"
        ));
    }
    let src = src.canonicalize().map_err(|e| format!("{from}: {e}"))?;
    let blob = git(
        tree,
        env,
        &["hash-object", "-w", "--", &src.to_string_lossy()],
    )?;
    let exec = std::fs::metadata(&src)
        .map(|m| std::os::unix::fs::PermissionsExt::mode(&m.permissions()) & 0o111 != 0)
        .unwrap_or(false);
    let mode = if exec { "100755" } else { "100644" };
    git(
        tree,
        env,
        &[
            "update-index",
            "--add",
            "--cacheinfo",
            &format!("{mode},{blob},{to}"),
        ],
    )?;
    Ok(())
}

/// Build the series' commits on top of `base` (a revision of the tree's
/// repository) and return the id of the last one. The work tree is not
/// touched.
pub fn build_commits(
    kit: &Path,
    tree: &Path,
    base: &str,
    series: &Series,
) -> Result<String, String> {
    let (name, email) = series
        .author
        .rsplit_once('<')
        .map(|(n, e)| {
            (
                n.trim().to_string(),
                e.trim_end_matches('>').trim().to_string(),
            )
        })
        .ok_or_else(|| format!("series author `{}` is not `Name <email>`", series.author))?;
    let index: PathBuf = std::env::temp_dir().join(format!("kit-index-{}", std::process::id()));
    let index_s = index.to_string_lossy().to_string();
    let env = [
        ("GIT_INDEX_FILE", index_s.as_str()),
        ("GIT_AUTHOR_NAME", name.as_str()),
        ("GIT_AUTHOR_EMAIL", email.as_str()),
        ("GIT_COMMITTER_NAME", name.as_str()),
        ("GIT_COMMITTER_EMAIL", email.as_str()),
        ("GIT_AUTHOR_DATE", FIXED_DATE),
        ("GIT_COMMITTER_DATE", FIXED_DATE),
    ];
    let result = (|| {
        let mut parent = git(tree, &[], &["rev-parse", &format!("{base}^{{commit}}")])
            .map_err(|e| format!("{e}\n(the pristine source is missing: run `make source`)"))?;
        git(tree, &env, &["read-tree", &parent])?;
        for commit in &series.commits {
            for action in &commit.actions {
                match action {
                    Action::File { from, to } => stage_file(tree, &env, kit, from, to)?,
                    Action::Dir { from, to } => {
                        let prefix = from.trim_end_matches('/');
                        for f in kit_files_below(kit, prefix)? {
                            let rel = f.strip_prefix(prefix).unwrap().trim_start_matches('/');
                            let dest = format!("{}/{}", to.trim_end_matches('/'), rel);
                            stage_file(tree, &env, kit, &f, &dest)?;
                        }
                    }
                    Action::Patch { path } => {
                        let p = kit.join(path);
                        let p = p
                            .canonicalize()
                            .map_err(|e| format!("series names patch `{path}`: {e}"))?;
                        git(
                            tree,
                            &env,
                            &[
                                "apply",
                                "--cached",
                                "--whitespace=nowarn",
                                &p.to_string_lossy(),
                            ],
                        )
                        .map_err(|e| {
                            format!(
                                "patch `{path}` of commit `{}` does not apply: {e}",
                                commit.subject
                            )
                        })?;
                    }
                }
            }
            let t = git(tree, &env, &["write-tree"])?;
            let msg = commit.message();
            parent = git(
                tree,
                &env,
                &["commit-tree", &t, "-p", &parent, "-m", msg.trim_end()],
            )?;
        }
        Ok(parent)
    })();
    let _ = std::fs::remove_file(&index);
    result
}

/// Point `branch` at `commit` without checking it out.
pub fn set_branch(tree: &Path, branch: &str, commit: &str) -> Result<(), String> {
    git(
        tree,
        &[],
        &["update-ref", &format!("refs/heads/{branch}"), commit],
    )?;
    Ok(())
}

/// Move the work tree to `commit` on `branch`, rewriting only files that
/// differ. Refuses when the work tree has edits of its own.
pub fn check_out(tree: &Path, branch: &str, commit: &str) -> Result<bool, String> {
    let head = git(tree, &[], &["rev-parse", "HEAD"])?;
    let dirty = git(
        tree,
        &[],
        &["status", "--porcelain", "--untracked-files=no"],
    )?;
    if !dirty.is_empty() {
        return Err(format!(
            "the prepared tree {} has edits that are not in the kit (the tree is generated: \
             change the kit instead, or run `make tree-reset`):\n{dirty}",
            tree.display()
        ));
    }
    let moved = head != commit;
    if moved {
        git(tree, &[], &["read-tree", "-m", "-u", &head, commit])?;
    }
    set_branch(tree, branch, commit)?;
    git(
        tree,
        &[],
        &["symbolic-ref", "HEAD", &format!("refs/heads/{branch}")],
    )?;
    Ok(moved)
}
