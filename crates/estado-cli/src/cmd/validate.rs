//! `estado validate DEFINITION.json [--json] [--type STANDARD|EXPRESS]`.

#[derive(clap::Args)]
pub struct Args {
    /// The definition file.
    pub definition: std::path::PathBuf,
}

pub fn run(_args: Args) -> anyhow::Result<i32> {
    anyhow::bail!("validate is being written")
}
