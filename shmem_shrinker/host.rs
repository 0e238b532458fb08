// SPDX-License-Identifier: GPL-2.0

//! Host build of the shrinker's kernel-independent logic.
//!
//! The kernel compiles the same files as modules of
//! `drm_gem_shmem_shrinker.rs`; this crate root exists only so that
//! `cargo test` can test them. `no_std` keeps them free of anything the
//! kernel does not have.

#![no_std]

pub mod domain_rules;
pub mod policy;
pub mod state;

/// A stand-in for the kernel's `kernel::sync::atomic` (the LKMM atomics
/// that the kernel build of `state.rs` and `policy.rs` uses), with the part
/// of its API they use, on `core`'s atomics: their relaxed operations are
/// what the host's memory model has for the kernel's.
mod atomic {
    use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

    /// The kernel's `Relaxed` ordering marker.
    pub struct Relaxed;

    /// The host's atomic for each type the kernel's `Atomic<T>` is used with.
    pub trait HostAtomic {
        /// `core`'s atomic of the type.
        type Core;
    }

    impl HostAtomic for usize {
        type Core = AtomicUsize;
    }

    impl HostAtomic for u64 {
        type Core = AtomicU64;
    }

    /// The kernel's `Atomic<T>`.
    pub struct Atomic<T: HostAtomic>(T::Core);

    macro_rules! host_atomic {
        ($t:ty, $core:ty) => {
            impl Atomic<$t> {
                pub const fn new(v: $t) -> Self {
                    Self(<$core>::new(v))
                }

                pub fn load(&self, _: Relaxed) -> $t {
                    self.0.load(Ordering::Relaxed)
                }

                pub fn add(&self, v: $t, _: Relaxed) {
                    self.0.fetch_add(v, Ordering::Relaxed);
                }

                #[allow(dead_code)] // Used for some types only.
                pub fn fetch_sub(&self, v: $t, _: Relaxed) -> $t {
                    self.0.fetch_sub(v, Ordering::Relaxed)
                }
            }
        };
    }

    host_atomic!(usize, AtomicUsize);
    host_atomic!(u64, AtomicU64);
}
