//! The server's CPU time and resident memory, read from `/proc/<pid>/stat`
//! and `/proc/<pid>/status` (`--server-pid`, Linux only) through `procfs`;
//! and the tool's own limit on open files.

use anyhow::Context;
use serde::{Deserialize, Serialize};

/// One reading of the server process.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// User plus system CPU time since the process started, in seconds.
    pub cpu_s: f64,
    /// Resident set size, KiB.
    pub rss_kib: u64,
}

pub fn sample(pid: u32) -> anyhow::Result<Sample> {
    let pid = i32::try_from(pid).context("--server-pid is not a process id")?;
    let process = procfs::process::Process::new(pid)
        .with_context(|| format!("no process {pid} to measure (--server-pid)"))?;
    let stat = process.stat().context("reading /proc/<pid>/stat")?;
    let status = process.status().context("reading /proc/<pid>/status")?;
    let ticks = procfs::ticks_per_second().max(1);
    Ok(Sample {
        cpu_s: (stat.utime + stat.stime) as f64 / ticks as f64,
        rss_kib: status.vmrss.unwrap_or(0),
    })
}

/// The tool's soft limit on open files, if it has one and it can be read.
pub fn open_files_limit() -> Option<u64> {
    let limits = procfs::process::Process::myself().ok()?.limits().ok()?;
    match limits.max_open_files.soft_limit {
        procfs::process::LimitValue::Value(limit) => Some(limit),
        procfs::process::LimitValue::Unlimited => None,
    }
}

/// What the JSON line says about the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerUsage {
    pub pid: u32,
    /// CPU seconds (user + system) during the measured phase.
    pub cpu_s: f64,
    /// CPU seconds while the connections were being set up.
    pub setup_cpu_s: f64,
    /// RSS before the first connection.
    pub rss_before_kib: u64,
    /// RSS with every connection set up, before the measured phase.
    pub rss_loaded_kib: u64,
    /// RSS at the end of the measured phase, connections still open.
    pub rss_after_kib: u64,
    /// (`rss_loaded_kib` − `rss_before_kib`) / connections set up.
    pub rss_per_connection_kib: f64,
}

/// Samples taken at the three moments of a run.
#[derive(Debug, Default)]
pub struct Probe {
    pid: Option<u32>,
    before: Option<Sample>,
    loaded: Option<Sample>,
    after: Option<Sample>,
}

impl Probe {
    /// Takes the first sample, so a wrong pid fails the run at once.
    pub fn start(pid: Option<u32>) -> anyhow::Result<Probe> {
        let before = pid.map(sample).transpose()?;
        Ok(Probe {
            pid,
            before,
            ..Probe::default()
        })
    }

    /// Takes the first sample again: what happened before (preparing
    /// accounts, say) is not part of the measured set-up.
    pub fn restart(&mut self) {
        self.before = self.pid.and_then(|pid| sample(pid).ok());
    }

    pub fn loaded(&mut self) {
        self.loaded = self.pid.and_then(|pid| sample(pid).ok());
    }

    pub fn after(&mut self) {
        self.after = self.pid.and_then(|pid| sample(pid).ok());
    }

    pub fn usage(&self, connections: u64) -> Option<ServerUsage> {
        let (pid, before) = (self.pid?, self.before?);
        let loaded = self.loaded.unwrap_or(before);
        let after = self.after.unwrap_or(loaded);
        let round = |s: f64| (s * 1000.0).round() / 1000.0;
        Some(ServerUsage {
            pid,
            cpu_s: round(after.cpu_s - loaded.cpu_s),
            setup_cpu_s: round(loaded.cpu_s - before.cpu_s),
            rss_before_kib: before.rss_kib,
            rss_loaded_kib: loaded.rss_kib,
            rss_after_kib: after.rss_kib,
            rss_per_connection_kib: if connections == 0 {
                0.0
            } else {
                round(loaded.rss_kib.saturating_sub(before.rss_kib) as f64 / connections as f64)
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_can_be_measured() {
        let me = sample(std::process::id()).expect("own /proc");
        assert!(me.rss_kib > 0);
        let mut probe = Probe::start(Some(std::process::id())).expect("probe");
        probe.loaded();
        probe.after();
        let usage = probe.usage(10).expect("usage");
        assert!(usage.cpu_s >= 0.0 && usage.rss_after_kib > 0);
        assert!(Probe::start(None).expect("no pid").usage(1).is_none());
        assert!(open_files_limit().is_none_or(|limit| limit > 0));
    }
}
