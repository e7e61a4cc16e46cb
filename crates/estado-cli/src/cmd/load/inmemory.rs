//! The in-memory figure a server figure is compared with: `estado bench --filter NAME` of this
//! same executable, run as a child process (so its memory and allocator state stay apart).

use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{bail, Context as _};
use estado_json::Value;

/// What `estado bench` measured of one workload.
#[derive(Debug, Clone, Copy)]
pub struct InMemory {
    /// The workload's transitions (per the manifest) over the median time.
    pub transitions_per_second: f64,
    /// The median time of one execution.
    pub median_seconds: f64,
}

/// AWS's cause for an execution that reached STANDARD's history limit.
pub const LIMIT_CAUSE: &str = "The execution reached the maximum number of history events (25000).";

/// One workload in-process (the median of `runs` after a warm-up), as `kind` (`STANDARD` or
/// `EXPRESS`). With `to_limit`, every execution must have failed at the history limit instead
/// of giving the expected output (a workload too long for STANDARD).
pub fn measure(
    workloads: &Path,
    name: &str,
    kind: &str,
    runs: usize,
    to_limit: bool,
) -> anyhow::Result<InMemory> {
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
    let limit_failure = format!("FAILED (error States.Runtime, cause {LIMIT_CAUSE})");
    let failures = row["failures"].as_array().map_or(&[][..], Vec::as_slice);
    let right = if to_limit {
        !failures.is_empty()
            && failures
                .iter()
                .all(|f| f.as_str().is_some_and(|f| f.ends_with(&limit_failure)))
    } else {
        row["correct"] == true
    };
    if !right {
        bail!("`estado bench --filter {name}` gave a wrong answer: {failures:?}");
    }
    let (Some(rate), Some(median_ns)) = (
        row["transitions_per_second"].as_f64(),
        row["median_ns"].as_f64(),
    ) else {
        bail!("`estado bench --filter {name}` reported no transitions per second or median");
    };
    Ok(InMemory {
        transitions_per_second: rate,
        median_seconds: median_ns / 1e9,
    })
}
