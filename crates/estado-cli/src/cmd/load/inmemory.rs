//! The in-memory figure a server figure is compared with: `estado bench --filter NAME` of this
//! same executable, run as a child process (so its memory and allocator state stay apart).

use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{bail, Context as _};
use serde_json::Value;

/// Transitions per second of one workload in-process (the median of `runs` after a warm-up),
/// as `kind` (`STANDARD` or `EXPRESS`).
pub fn transitions_per_second(
    workloads: &Path,
    name: &str,
    kind: &str,
    runs: usize,
) -> anyhow::Result<f64> {
    let exe = std::env::current_exe().context("cannot find this executable")?;
    let out = Command::new(exe)
        .arg("bench")
        .arg("--workloads")
        .arg(workloads)
        .args(["--filter", name, "--type", kind, "--json", "--runs"])
        .arg(runs.max(1).to_string())
        .stdin(Stdio::null())
        .output()
        .context("cannot run `estado bench`")?;
    let doc: Value = serde_json::from_slice(&out.stdout).with_context(|| {
        format!(
            "`estado bench --filter {name}` printed no JSON (exit {:?}): {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).trim()
        )
    })?;
    let Some(rows) = doc["workloads"].as_array() else {
        bail!("`estado bench --json` has no workloads list");
    };
    let Some(row) = rows.iter().find(|r| r["name"] == name) else {
        bail!("`estado bench --filter {name}` did not run {name}");
    };
    if row["correct"] != true {
        bail!("`estado bench --filter {name}` gave a wrong answer");
    }
    match row["transitions_per_second"].as_f64() {
        Some(v) => Ok(v),
        None => bail!("`estado bench --filter {name}` reported no transitions per second"),
    }
}
