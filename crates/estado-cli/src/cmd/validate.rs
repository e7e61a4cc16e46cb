//! `estado validate DEFINITION.json [--json] [--type STANDARD|EXPRESS]`.
//!
//! Prints every diagnostic, one per line (`ERROR SCHEMA_VALIDATION_FAILED /States/X/Next:
//! message`), or with `--json` AWS's `ValidateStateMachineDefinition` response
//! (`{"result": "OK"|"FAIL", "diagnostics": [...], "truncated": false}`). Exit code 0 when the
//! definition is valid (warnings allowed), 1 when it is not, 2 when the file cannot be read.

use anyhow::Context;
use estado_asl::validate::{is_valid, validate_text, MachineType, Options};
use estado_json::json;

#[derive(clap::Args)]
pub struct Args {
    /// The definition file.
    pub definition: std::path::PathBuf,
    /// Print AWS's ValidateStateMachineDefinition response as JSON.
    #[arg(long)]
    pub json: bool,
    /// The state machine type to validate for.
    #[arg(
        long = "type",
        value_enum,
        default_value = "STANDARD",
        ignore_case = true
    )]
    pub machine_type: TypeArg,
}

/// `--type` values, spelled as AWS spells them.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum TypeArg {
    #[value(name = "STANDARD")]
    Standard,
    #[value(name = "EXPRESS")]
    Express,
}

pub fn run(args: Args) -> anyhow::Result<i32> {
    let text = std::fs::read_to_string(&args.definition)
        .with_context(|| format!("cannot read {}", args.definition.display()))?;
    let opts = Options {
        machine_type: match args.machine_type {
            TypeArg::Standard => MachineType::Standard,
            TypeArg::Express => MachineType::Express,
        },
    };
    let diags = validate_text(&text, &opts);
    let valid = is_valid(&diags);
    if args.json {
        let response = json!({
            "result": if valid { "OK" } else { "FAIL" },
            "diagnostics": diags,
            "truncated": false,
        });
        println!("{}", serde_json::to_string_pretty(&response)?);
    } else {
        for d in &diags {
            println!("{d}");
        }
    }
    Ok(if valid { 0 } else { 1 })
}
