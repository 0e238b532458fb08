// SPDX-License-Identifier: GPL-2.0
//! The kit's patch series, as written in `workbench/series`.
//!
//! Each commit of the series against the pristine kernel starts with a
//! `commit:` line (the subject), continues with `| ` lines (the body) and
//! lists what it changes:
//!
//! ```text
//! commit: drm: add the shmem shrinker
//! | Why this commit exists.
//! file: shmem_shrinker/Kconfig -> drivers/gpu/drm/shmem_shrinker/Kconfig
//! dir: shmem_shrinker/ -> drivers/gpu/drm/shmem_shrinker/
//! patch: shmem_shrinker/kernel/0001-hook.patch
//! ```
//!
//! `file:` and `dir:` copy kit files into the tree (a `dir:` takes every file
//! git knows below the folder, untracked ones included, ignored ones not);
//! `patch:` applies a diff to files that upstream already has. An `author:`
//! line before the first commit names the author of every commit.

use std::fmt;

/// One change a commit makes to the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Copy one kit file to a path in the tree.
    File { from: String, to: String },
    /// Copy every kit file below a folder to a folder in the tree.
    Dir { from: String, to: String },
    /// Apply a diff (relative to the tree's root) to the tree.
    Patch { path: String },
}

/// One commit of the series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    pub subject: String,
    pub body: Vec<String>,
    pub actions: Vec<Action>,
}

impl Commit {
    /// The full commit message: subject, blank line, body.
    pub fn message(&self) -> String {
        let mut msg = self.subject.clone();
        msg.push('\n');
        if !self.body.is_empty() {
            msg.push('\n');
            for line in &self.body {
                msg.push_str(line);
                msg.push('\n');
            }
        }
        msg
    }
}

/// The whole series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    /// `Name <email>` of the author of every commit.
    pub author: String,
    pub commits: Vec<Commit>,
}

/// A line of the series file that could not be understood.
#[derive(Debug, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub msg: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.msg)
    }
}

fn arrow(rest: &str, line: usize) -> Result<(String, String), ParseError> {
    let (from, to) = rest.split_once("->").ok_or_else(|| ParseError {
        line,
        msg: format!("expected `FROM -> TO`, got `{rest}`"),
    })?;
    let (from, to) = (from.trim(), to.trim());
    if from.is_empty() || to.is_empty() || to.starts_with('/') || to.contains("..") {
        return Err(ParseError {
            line,
            msg: format!("bad copy `{rest}`: both sides must be relative paths inside their trees"),
        });
    }
    Ok((from.to_string(), to.to_string()))
}

/// Parse the text of a series file.
pub fn parse(text: &str) -> Result<Series, ParseError> {
    let mut author = None;
    let mut commits: Vec<Commit> = Vec::new();
    for (idx, raw) in text.lines().enumerate() {
        let line = idx + 1;
        if let Some(body) = raw.strip_prefix('|') {
            let commit = commits.last_mut().ok_or_else(|| ParseError {
                line,
                msg: "body line before the first `commit:`".into(),
            })?;
            commit
                .body
                .push(body.strip_prefix(' ').unwrap_or(body).to_string());
            continue;
        }
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let (key, rest) = trimmed.split_once(':').ok_or_else(|| ParseError {
            line,
            msg: format!("expected `key: value`, got `{trimmed}`"),
        })?;
        let rest = rest.trim();
        let need_commit = |commits: &mut Vec<Commit>| -> Result<(), ParseError> {
            if commits.is_empty() {
                return Err(ParseError {
                    line,
                    msg: format!("`{key}:` before the first `commit:`"),
                });
            }
            Ok(())
        };
        match key {
            "author" => {
                if !commits.is_empty() || author.is_some() {
                    return Err(ParseError {
                        line,
                        msg: "`author:` must come once, before the first commit".into(),
                    });
                }
                author = Some(rest.to_string());
            }
            "commit" => {
                if rest.is_empty() {
                    return Err(ParseError {
                        line,
                        msg: "empty commit subject".into(),
                    });
                }
                commits.push(Commit {
                    subject: rest.to_string(),
                    body: Vec::new(),
                    actions: Vec::new(),
                });
            }
            "file" | "dir" => {
                need_commit(&mut commits)?;
                let (from, to) = arrow(rest, line)?;
                let action = if key == "file" {
                    Action::File { from, to }
                } else {
                    Action::Dir { from, to }
                };
                commits.last_mut().unwrap().actions.push(action);
            }
            "patch" => {
                need_commit(&mut commits)?;
                commits.last_mut().unwrap().actions.push(Action::Patch {
                    path: rest.to_string(),
                });
            }
            _ => {
                return Err(ParseError {
                    line,
                    msg: format!(
                        "unknown key `{key}` (expected author, commit, file, dir or patch)"
                    ),
                })
            }
        }
    }
    let author = author.ok_or(ParseError {
        line: 1,
        msg: "missing `author: Name <email>`".into(),
    })?;
    if let Some(c) = commits.iter().find(|c| c.actions.is_empty()) {
        return Err(ParseError {
            line: 0,
            msg: format!("commit `{}` changes nothing", c.subject),
        });
    }
    Ok(Series { author, commits })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_commits_bodies_and_actions() {
        let s = parse(
            "# comment\nauthor: A <a@b>\ncommit: x: first\n| why\n|\n| more\n\
             file: a/K -> d/K\ndir: a/ -> d/\npatch: p/1.patch\ncommit: x: second\npatch: p/2.patch\n",
        )
        .unwrap();
        assert_eq!(s.author, "A <a@b>");
        assert_eq!(s.commits.len(), 2);
        assert_eq!(s.commits[0].message(), "x: first\n\nwhy\n\nmore\n");
        assert_eq!(
            s.commits[0].actions,
            vec![
                Action::File {
                    from: "a/K".into(),
                    to: "d/K".into()
                },
                Action::Dir {
                    from: "a/".into(),
                    to: "d/".into()
                },
                Action::Patch {
                    path: "p/1.patch".into()
                },
            ]
        );
        assert_eq!(s.commits[1].message(), "x: second\n");
    }

    #[test]
    fn rejects_bad_input_naming_the_line() {
        assert_eq!(parse("author: A\nfile: a -> b\n").unwrap_err().line, 2);
        assert_eq!(
            parse("author: A\ncommit: c\nfile: a b\n").unwrap_err().line,
            3
        );
        assert_eq!(
            parse("author: A\ncommit: c\nfile: a -> /etc/x\n")
                .unwrap_err()
                .line,
            3
        );
        assert_eq!(
            parse("author: A\ncommit: c\nfrob: x\n").unwrap_err().line,
            3
        );
        assert!(parse("commit: c\npatch: p\n").is_err());
        assert!(parse("author: A\ncommit: c\n")
            .unwrap_err()
            .msg
            .contains("changes nothing"));
    }
}
