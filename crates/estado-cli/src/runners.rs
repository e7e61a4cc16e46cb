//! The task runners `estado serve` and `estado run` share: local Lambda functions and HTTP
//! Tasks, in that order; and for `estado serve`, Step Functions Local's mock config.

use std::path::PathBuf;
use std::sync::Arc;

use estado_engine::Registry;
use estado_runners::{MockConfig, Mocks};

/// The name looked for in the working directory when `SFN_MOCK_CONFIG` is not set.
pub const MOCK_FILE: &str = "MockConfigFile.json";

/// The registry for a process whose Lambda functions `functions` hosts.
pub fn registry(functions: Arc<estado_functions::FunctionHost>) -> Registry {
    Registry::new(vec![
        Arc::new(estado_runners::LambdaRunner::new(functions)),
        Arc::new(estado_runners::HttpRunner::new()),
    ])
}

/// The mock config, as Step Functions Local finds it: the file `SFN_MOCK_CONFIG` names (an
/// error when missing or invalid), else `MockConfigFile.json` in the working directory when
/// present (an error when invalid), else none.
pub fn mock_config(
    env: &dyn Fn(&str) -> Option<String>,
) -> anyhow::Result<Option<(PathBuf, Mocks)>> {
    let path = match env("SFN_MOCK_CONFIG") {
        Some(p) => PathBuf::from(p),
        None => {
            let default = PathBuf::from(MOCK_FILE);
            if !default.is_file() {
                return Ok(None);
            }
            default
        }
    };
    let config = MockConfig::load(&path).map_err(anyhow::Error::msg)?;
    Ok(Some((path, Mocks::new(config))))
}
