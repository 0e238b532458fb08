// SPDX-License-Identifier: GPL-2.0

//! Host build of the shrinker's kernel-independent logic.
//!
//! The kernel compiles the same files as modules of
//! `drm_gem_shmem_shrinker.rs`; this crate root exists only so that
//! `cargo test` can test them. `no_std` keeps them free of anything the
//! kernel does not have.

#![no_std]

pub mod policy;
pub mod state;
