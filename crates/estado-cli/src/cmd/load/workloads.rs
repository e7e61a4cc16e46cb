//! The benchmark workloads the load phases send (`bench/workloads`, described in
//! bench/PEER_FIGURES.md): a definition, its inputs and the outputs they must give.

use std::path::{Path, PathBuf};

use anyhow::bail;
use estado_json::Value;

// The same folder and files `estado bench` reads.
pub use crate::cmd::bench::workload::default_dir;
use crate::cmd::bench::workload::{parse, read};

/// One workload as the load phases need it.
#[derive(Debug)]
pub struct Workload {
    pub name: String,
    /// The definition as written (sent to CreateStateMachine as is).
    pub definition: String,
    /// One input per execution (one for a `single` workload).
    pub inputs: Vec<Value>,
    /// The output each input must give, index for index.
    pub expected: Vec<Value>,
    /// State transitions one execution makes, per the manifest.
    pub transitions_per_execution: u64,
}

/// Reads the workload `name` of the manifest in `dir`.
pub fn load(dir: &Path, name: &str) -> anyhow::Result<Workload> {
    let manifest: Value = parse(&dir.join("manifest.json"))?;
    let entry = &manifest[name];
    if !entry.is_object() {
        bail!(
            "{} has no workload '{name}'",
            dir.join("manifest.json").display()
        );
    }
    let file = |member: &str| -> anyhow::Result<PathBuf> {
        match entry[member].as_str() {
            Some(f) => Ok(dir.join(f)),
            None => bail!("manifest entry '{name}' has no {member}"),
        }
    };
    let definition = read(&file("definition")?)?;
    let input = parse(&file("input")?)?;
    let expected = parse(&file("expected")?)?;
    let Some(transitions_per_execution) = entry["transitions_per_execution"].as_u64() else {
        bail!("manifest entry '{name}' has no transitions_per_execution");
    };
    let (inputs, expected) = match entry["mode"].as_str() {
        Some("single") => (vec![input], vec![expected]),
        Some("many" | "many_concurrent") => match (input, expected) {
            (Value::Array(i), Value::Array(e)) => (i, e),
            _ => bail!("workload '{name}': its input and expected files must hold arrays"),
        },
        other => bail!("workload '{name}': unknown mode {other:?}"),
    };
    if inputs.is_empty() || inputs.len() != expected.len() {
        bail!(
            "workload '{name}': {} inputs but {} expected outputs",
            inputs.len(),
            expected.len()
        );
    }
    Ok(Workload {
        name: name.to_owned(),
        definition,
        inputs,
        expected,
        transitions_per_execution,
    })
}
