//! `estado bench [--workloads DIR] [--filter NAME] [--runs N] [--warmup N] [--type T] [--json]`:
//! runs the benchmark workloads in-process and prints, per workload, the median execution
//! time, transitions per second, heap and RSS, and the ratio against the peer's published
//! figures; then a summary line.
//!
//! Every workload runs as EXPRESS by default: choice_loop_10k and map_10k make more than the
//! 25,000 history events a STANDARD execution may have (see bench/PEER_FIGURES.md), and
//! EXPRESS changes nothing else the workloads touch. The history is recorded all the same.
//!
//! Exit status: 0 when every answer equals its `X.expected.json`, 1 when one does not (a wrong
//! answer is a failed benchmark), 2 when the workloads cannot be read or a definition is
//! invalid.

mod fleet;
mod measure;
mod peer;
mod report;
mod rss;
pub(crate) mod workload;

use std::path::PathBuf;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context as _};
use estado_asl::validate::{self, MachineType as VMachineType, Options};
use estado_interp::MachineType;

use crate::driver::format_diagnostic;
use fleet::Machine;
use report::{Row, Settings};

#[derive(clap::Args)]
pub struct Args {
    /// The workloads folder, with its manifest.json (default: bench/workloads here or in the
    /// nearest parent folder that has one).
    #[arg(long)]
    pub workloads: Option<PathBuf>,
    /// Only the workload of this name, or else those whose name contains it.
    #[arg(long)]
    pub filter: Option<String>,
    /// Measured runs per workload; the median is reported.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    pub runs: u32,
    /// Unmeasured runs per workload before the measured ones (their answers are checked too).
    #[arg(long, default_value_t = 1)]
    pub warmup: u32,
    /// The execution type every workload runs as.
    #[arg(long = "type", default_value = "EXPRESS", value_parser = ["STANDARD", "EXPRESS"])]
    pub machine_type: String,
    /// Print the figures as one JSON document instead of the table.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> anyhow::Result<i32> {
    let dir = match &args.workloads {
        Some(d) => d.clone(),
        None => workload::default_dir()?,
    };
    let (machine_type, vtype) = match args.machine_type.as_str() {
        "STANDARD" => (MachineType::Standard, VMachineType::Standard),
        _ => (MachineType::Express, VMachineType::Express),
    };
    let entries = workload::select(&dir, args.filter.as_deref())?;
    let runs = args.runs as usize;
    let warmup = args.warmup as usize;
    // One virtual start time for every execution, so runs are reproducible.
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);

    let mut rows = Vec::new();
    let mut vm_hwm_reset = true;
    for (name, entry) in &entries {
        let w = workload::load(&dir, name, entry)?;
        let compile_started = Instant::now();
        let machine = compile(&w.name, &w.definition, machine_type, vtype)?;
        let compile = compile_started.elapsed();
        vm_hwm_reset &= rss::reset_high_water_mark();
        let m = measure::measure(&machine, &w, warmup, runs, now);
        let row = Row {
            name: w.name.clone(),
            mode: w.mode,
            executions: w.inputs.len(),
            transitions_total: w.transitions_total,
            compile,
            m,
            vm_hwm: rss::high_water_mark(),
            peer: peer::find(&w.name),
        };
        if !args.json {
            eprintln!(
                "{}: {} in {}",
                row.name,
                if row.correct() { "ok" } else { "WRONG" },
                report::duration(row.median())
            );
        }
        rows.push(row);
    }

    let dir_text = dir.display().to_string();
    let settings = Settings {
        workloads_dir: &dir_text,
        machine_type: &args.machine_type,
        runs,
        warmup,
        vm_hwm_reset,
    };
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report::json(&rows, &settings))?
        );
    } else {
        print!("{}", report::table(&rows, &settings));
    }
    Ok(if rows.iter().all(Row::correct) { 0 } else { 1 })
}

/// Validate and compile a definition as `estado run` does (invalid is an error, exit 2).
fn compile(
    name: &str,
    text: &str,
    machine_type: MachineType,
    vtype: VMachineType,
) -> anyhow::Result<Machine> {
    let diags = validate::validate_text(
        text,
        &Options {
            machine_type: vtype,
        },
    );
    if !validate::is_valid(&diags) {
        let lines: Vec<String> = diags.iter().map(format_diagnostic).collect();
        bail!(
            "workload '{name}' has an invalid definition:\n{}",
            lines.join("\n")
        );
    }
    let def: estado_json::Value =
        serde_json::from_str(text).with_context(|| format!("workload '{name}': definition"))?;
    let program = estado_asl::compile(&def)
        .map_err(|e| anyhow::anyhow!("workload '{name}': {}: {}", e.location, e.message))?;
    Ok(Machine::new(program, name, machine_type))
}
