//! The `estado` binary. One file per verb under `cmd/`.

use clap::{Parser, Subcommand};

mod alloc;
mod cmd;
mod config;
mod driver;
mod runners;

#[derive(Parser)]
#[command(
    name = "estado",
    version,
    about = "Run AWS Step Functions state machines anywhere"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a definition as ValidateStateMachineDefinition does.
    Validate(cmd::validate::Args),
    /// Run one execution in-process and print its result.
    Run(cmd::run::Args),
    /// Run the benchmark workloads and compare with the peer's figures.
    Bench(cmd::bench::Args),
    /// Serve the Step Functions API over HTTP (like Step Functions Local, durable).
    Serve(cmd::serve::Args),
    /// Load a running `estado serve` (or one it starts) over HTTP and measure it.
    Load(cmd::load::Args),
    /// Measure calls to a local Lambda function through warm workers.
    BenchFunctions(cmd::bench_functions::Args),
}

fn main() {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Validate(args) => cmd::validate::run(args),
        Command::Run(args) => cmd::run::run(args),
        Command::Bench(args) => cmd::bench::run(args),
        Command::Serve(args) => cmd::serve::run(args),
        Command::Load(args) => cmd::load::run(args),
        Command::BenchFunctions(args) => cmd::bench_functions::run(args),
    };
    match code {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("estado: {e:#}");
            std::process::exit(2);
        }
    }
}
