// SPDX-License-Identifier: GPL-2.0
//! A client of QEMU's human monitor (HMP) on a UNIX socket, and what the
//! workbench reads through it: kmemleak's pool (kmemleak.rs) and, when a
//! guest hangs, where its vCPUs are (hang.rs).

use std::io::{ErrorKind, Read, Write};
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

/// A connected monitor, past its first prompt.
pub struct Monitor(UnixStream);

impl Monitor {
    /// Connects to the monitor at `socket`, waiting up to a minute for QEMU
    /// to create it.
    pub fn connect(socket: &str) -> Result<Self, String> {
        let start = Instant::now();
        let stream = loop {
            match UnixStream::connect(socket) {
                Ok(s) => break s,
                Err(_) if start.elapsed() < Duration::from_secs(60) => {
                    std::thread::sleep(Duration::from_millis(200))
                }
                Err(e) => return Err(format!("{socket}: {e}")),
            }
        };
        let mut mon = Self(stream);
        mon.until_prompt()
            .ok_or("the monitor closed before its prompt")?;
        Ok(mon)
    }

    /// Reads until the monitor's prompt; None when QEMU has gone.
    fn until_prompt(&mut self) -> Option<String> {
        let mut text = Vec::new();
        let mut buf = [0u8; 512];
        while !text.ends_with(b"(qemu) ") {
            match self.0.read(&mut buf) {
                Ok(0) => return None,
                Ok(n) => text.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => return None,
            }
        }
        Some(String::from_utf8_lossy(&text).into_owned())
    }

    /// Runs `command` and returns its answer; None when QEMU has gone.
    pub fn command(&mut self, command: &str) -> Option<String> {
        self.0.write_all(format!("{command}\n").as_bytes()).ok()?;
        self.until_prompt()
    }

    /// Whether QEMU closed the monitor (it exited), waiting up to `wait`.
    pub fn closed_within(&mut self, wait: Duration) -> bool {
        let _ = self.0.set_read_timeout(Some(wait));
        let mut buf = [0u8; 64];
        let closed = matches!(self.0.read(&mut buf), Ok(0));
        let _ = self.0.set_read_timeout(None);
        closed
    }
}
