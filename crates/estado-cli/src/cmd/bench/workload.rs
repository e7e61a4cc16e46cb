//! The benchmark workloads: `manifest.json` and the files it names.
//!
//! `manifest.json` maps each workload name to `{definition, input, expected, mode, executions,
//! transitions_per_execution, transitions_total}`; file names are relative to the manifest's
//! folder. In `many` and `many_concurrent` modes the input and expected files hold arrays, one
//! element per execution.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};
use estado_json::{Map, Value};
use serde::Deserialize;

/// How a workload's executions are run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// One execution of the definition with the input.
    Single,
    /// One execution per input, each run to its end before the next starts.
    Many,
    /// One execution per input, all started before any timer fires.
    ManyConcurrent,
}

impl Mode {
    pub fn name(self) -> &'static str {
        match self {
            Mode::Single => "single",
            Mode::Many => "many",
            Mode::ManyConcurrent => "many_concurrent",
        }
    }
}

/// One manifest entry as written.
#[derive(Debug, Clone, Deserialize)]
pub struct Entry {
    pub definition: String,
    pub input: String,
    pub expected: String,
    pub mode: Mode,
    pub executions: usize,
    pub transitions_total: u64,
}

/// A workload with its files read: the definition as text (it is validated as text, like
/// `estado run` does), the inputs and expected outputs one per execution.
#[derive(Debug)]
pub struct Workload {
    pub name: String,
    pub mode: Mode,
    pub definition: String,
    pub inputs: Vec<Value>,
    pub expected: Vec<Value>,
    /// Transitions all executions of one run make together, per the manifest.
    pub transitions_total: u64,
}

/// The manifest's entries in file order, keeping those `filter` selects: every entry when it
/// is `None`; the entry named exactly `filter` when there is one; otherwise every entry whose
/// name contains `filter`.
pub fn select(dir: &Path, filter: Option<&str>) -> anyhow::Result<Vec<(String, Entry)>> {
    let path = dir.join("manifest.json");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let manifest: Map = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a JSON object", path.display()))?;
    let mut entries = Vec::new();
    for (name, v) in manifest {
        let entry: Entry =
            estado_json::from_value(v).with_context(|| format!("manifest entry '{name}'"))?;
        entries.push((name.into_string(), entry));
    }
    let Some(filter) = filter else {
        return Ok(entries);
    };
    if let Some(i) = entries.iter().position(|(n, _)| n == filter) {
        return Ok(vec![entries.swap_remove(i)]);
    }
    entries.retain(|(n, _)| n.contains(filter));
    if entries.is_empty() {
        bail!("no workload in {} matches '{filter}'", path.display());
    }
    Ok(entries)
}

/// Read the files of one entry and check their shapes agree with its mode.
pub fn load(dir: &Path, name: &str, entry: &Entry) -> anyhow::Result<Workload> {
    let definition = read(&dir.join(&entry.definition))?;
    let input = parse(&dir.join(&entry.input))?;
    let expected = parse(&dir.join(&entry.expected))?;
    let (inputs, expected) = match entry.mode {
        Mode::Single => (vec![input], vec![expected]),
        Mode::Many | Mode::ManyConcurrent => match (input, expected) {
            (Value::Array(i), Value::Array(e)) => (i, e),
            _ => bail!(
                "workload '{name}': mode {} needs arrays in {} and {}",
                entry.mode.name(),
                entry.input,
                entry.expected
            ),
        },
    };
    if inputs.len() != expected.len() {
        bail!(
            "workload '{name}': {} inputs but {} expected outputs",
            inputs.len(),
            expected.len()
        );
    }
    if inputs.len() != entry.executions {
        bail!(
            "workload '{name}': the manifest says {} executions, the input has {}",
            entry.executions,
            inputs.len()
        );
    }
    Ok(Workload {
        name: name.to_string(),
        mode: entry.mode,
        definition,
        inputs,
        expected,
        transitions_total: entry.transitions_total,
    })
}

/// The workloads folder: `bench/workloads` under the current directory or the nearest
/// ancestor that has one (so `estado bench` works from anywhere in the repository).
pub fn default_dir() -> anyhow::Result<PathBuf> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    for dir in cwd.ancestors() {
        let candidate = dir.join("bench").join("workloads");
        if candidate.join("manifest.json").is_file() {
            return Ok(candidate);
        }
    }
    bail!(
        "no bench/workloads/manifest.json under {} or its parents: pass --workloads DIR",
        cwd.display()
    )
}

pub(crate) fn read(path: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

pub(crate) fn parse(path: &Path) -> anyhow::Result<Value> {
    serde_json::from_str(&read(path)?).with_context(|| format!("{} is not JSON", path.display()))
}
