//! The `estado` binary. One file per verb under `cmd/`.

use clap::{Parser, Subcommand};

mod cmd;

#[derive(Parser)]
#[command(name = "estado", version, about = "Run AWS Step Functions state machines anywhere")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a definition as ValidateStateMachineDefinition does.
    Validate(cmd::validate::Args),
}

fn main() {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Validate(args) => cmd::validate::run(args),
    };
    match code {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("estado: {e:#}");
            std::process::exit(2);
        }
    }
}
