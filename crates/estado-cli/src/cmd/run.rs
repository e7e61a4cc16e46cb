//! `estado run DEF.json [--input JSON|@FILE] [--type STANDARD|EXPRESS] [--time-scale X]
//! [--history]`: one execution, in-process, to its end.
//!
//! The last line of stdout is `{"status","output","error","cause"}`. Exit status: 0 when the
//! execution SUCCEEDED, 1 when it ended otherwise, 2 for a bad definition or input.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;
use estado_json::{json, Value};

use crate::driver::{self, RunOptions};

#[derive(clap::Args)]
pub struct Args {
    /// The state machine definition (ASL JSON).
    pub definition: PathBuf,
    /// Execution input: JSON text, or @FILE to read it from a file.
    #[arg(long, default_value = "{}")]
    pub input: String,
    /// STANDARD or EXPRESS.
    #[arg(long = "type", default_value = "STANDARD", value_parser = ["STANDARD", "EXPRESS"])]
    pub machine_type: String,
    /// With `--type EXPRESS`: run the execution as StartExecution starts an EXPRESS one
    /// (asynchronously), not as StartSyncExecution does. The context object tells them apart:
    /// only the asynchronous one has `$$.Execution.RedriveCount` (0).
    #[arg(long = "async")]
    pub express_async: bool,
    /// Scale of real time spent in Wait states and retry intervals (0 = none; the execution's
    /// own clock still advances as if it had waited).
    #[arg(long, default_value_t = 1.0)]
    pub time_scale: f64,
    /// Also print the history, as GetExecutionHistory returns it, before the result line.
    #[arg(long)]
    pub history: bool,
    /// Execution name (default: a UUID).
    #[arg(long)]
    pub name: Option<String>,
    /// Role ARN the context object reports as `$$.Execution.RoleArn`.
    #[arg(long, default_value = "arn:aws:iam::123456789012:role/estado")]
    pub role_arn: String,
    /// Settings file (`estado.toml`): its `[functions.NAME]` run the Lambda tasks.
    #[arg(long)]
    pub config: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<i32> {
    let functions = match &args.config {
        Some(path) => match crate::config::load(path).and_then(|f| f.function_specs()) {
            Ok(specs) => specs,
            Err(e) => {
                eprintln!("estado: {e:#}");
                return Ok(2);
            }
        },
        None => Vec::new(),
    };
    let text = std::fs::read_to_string(&args.definition)
        .with_context(|| format!("cannot read {}", args.definition.display()))?;
    let input_text = if let Some(file) = args.input.strip_prefix('@') {
        std::fs::read_to_string(file).with_context(|| format!("cannot read input file {file}"))?
    } else {
        args.input.clone()
    };
    let input: Value = match estado_json::from_str(&input_text) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("InvalidExecutionInput: Invalid State Machine Execution Input: '{e}'");
            return Ok(2);
        }
    };
    let express = args.machine_type == "EXPRESS";
    if args.express_async && !express {
        eprintln!("--async applies to EXPRESS executions (--type EXPRESS): STANDARD ones are always started with StartExecution");
        return Ok(2);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let host = Arc::new(estado_functions::FunctionHost::new(
        functions,
        estado_functions::HostSettings {
            region: driver::REGION.into(),
            fallback_endpoint: std::env::var("LAMBDA_ENDPOINT")
                .ok()
                .filter(|v| !v.is_empty()),
            ..Default::default()
        },
    ));
    let name = args
        .definition
        .file_stem()
        .and_then(|s| s.to_str())
        .map(sanitize_name)
        .unwrap_or_else(|| "StateMachine".into());
    let opts = RunOptions {
        state_machine_name: name,
        execution_name: args
            .name
            .clone()
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
        role_arn: args.role_arn.clone(),
        express,
        express_async: args.express_async,
        time_scale: args.time_scale,
        runners: crate::runners::registry(host.clone()),
    };
    let outcome = rt.block_on(driver::run_definition(&text, input, opts));
    host.shutdown();
    let outcome = match outcome {
        Ok(o) => o,
        Err(driver::RunError::Invalid(diags)) => {
            for d in diags {
                eprintln!("{}", d);
            }
            return Ok(2);
        }
        Err(driver::RunError::Input(msg)) => {
            eprintln!("{msg}");
            return Ok(2);
        }
    };
    if args.history {
        println!(
            "{}",
            serde_json::to_string(&json!({ "events": outcome.history }))?
        );
    }
    println!("{}", serde_json::to_string(&outcome.result_json())?);
    Ok(if outcome.status == "SUCCEEDED" { 0 } else { 1 })
}

/// State machine names may not contain whitespace or `<>{}[]?*"#%\^|~`$&,;:/`.
fn sanitize_name(s: &str) -> String {
    let cleaned: String = s
        .chars()
        .map(|c| {
            if c.is_whitespace() || "<>{}[]?*\"#%\\^|~`$&,;:/".contains(c) {
                '_'
            } else {
                c
            }
        })
        .take(80)
        .collect();
    if cleaned.is_empty() {
        "StateMachine".into()
    } else {
        cleaned
    }
}
