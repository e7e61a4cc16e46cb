//! What a function is: the `[functions.NAME]` tables of `estado.toml`, checked and resolved.
//!
//! ```toml
//! [functions.verificarDisponibilidade]
//! handler = "handlers/verificar.py:lambda_handler"   # Python, through Estado's bootstrap
//! timeout = 10                                        # seconds (default 3, as on Lambda)
//! memory = 256                                        # MB (default 128), enforced on resident memory
//! environment = { TABLE = "pedidos" }
//! concurrency = 4                                     # worker processes at most (default 10)
//!
//! [functions.custom]
//! command = ["./bootstrap"]                           # any program speaking the Runtime API
//!
//! [functions.elsewhere]
//! endpoint = "http://127.0.0.1:3001"                  # a Lambda Invoke API (another emulator)
//! ```
//!
//! Exactly one of `handler`, `command`, `endpoint`, except that `handler` and `command` may go
//! together (the command is run with `_HANDLER` set, e.g. `python3 -m awslambdaric`). Relative
//! paths are relative to the folder of the file that declares them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

/// Lambda's default function timeout.
pub const DEFAULT_TIMEOUT_SECS: f64 = 3.0;
/// Lambda's default memory size, MB.
pub const DEFAULT_MEMORY_MB: u32 = 128;
/// Worker processes per function unless `concurrency` says otherwise.
pub const DEFAULT_CONCURRENCY: usize = 10;
/// Lambda's limits on function timeouts (seconds) and memory (MB).
const MAX_TIMEOUT_SECS: f64 = 900.0;
const MEMORY_RANGE: std::ops::RangeInclusive<u32> = 128..=10240;

/// One `[functions.NAME]` table as written.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunctionConfig {
    /// `FILE.py:FUNCTION` (Python).
    pub handler: Option<String>,
    /// The program and its arguments (a custom runtime).
    pub command: Option<Vec<String>>,
    /// Base URL of a Lambda Invoke API.
    pub endpoint: Option<String>,
    /// Seconds.
    pub timeout: Option<f64>,
    /// MB.
    pub memory: Option<u32>,
    #[serde(default)]
    pub environment: BTreeMap<String, String>,
    /// Worker processes at most.
    pub concurrency: Option<usize>,
    /// The Python interpreter for `handler` (default `python3`).
    pub python: Option<String>,
}

/// How the function's code runs.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// Python, through the bootstrap Estado ships: `file` is imported once per worker.
    Python {
        python: String,
        dir: PathBuf,
        module: String,
        function: String,
    },
    /// A program speaking the Runtime API, started in `dir`; `handler` (`module.function`)
    /// is passed as `_HANDLER` when given.
    Command {
        argv: Vec<String>,
        dir: PathBuf,
        handler: Option<String>,
    },
    /// Calls go to a Lambda Invoke API at this base URL.
    Endpoint { url: String },
}

/// A function ready to host.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionSpec {
    pub name: String,
    pub source: Source,
    pub timeout: Duration,
    pub memory_mb: u32,
    pub environment: BTreeMap<String, String>,
    pub concurrency: usize,
}

/// Why a `[functions.NAME]` table cannot be used.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("[functions.{name}]: {message}")]
pub struct SpecError {
    pub name: String,
    pub message: String,
}

/// Lambda's rule for function names: 1 to 64 of letters, digits, `-` and `_`.
pub fn is_function_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl FunctionConfig {
    /// Checks the table and resolves its paths against `base` (the declaring file's folder).
    pub fn resolve(&self, name: &str, base: &Path) -> Result<FunctionSpec, SpecError> {
        let err = |message: String| SpecError {
            name: name.to_owned(),
            message,
        };
        if !is_function_name(name) {
            return Err(err(
                "a function name is 1 to 64 letters, digits, '-' or '_'".into(),
            ));
        }
        let handler = match &self.handler {
            Some(h) => Some(parse_handler(h, base).map_err(err)?),
            None => None,
        };
        let source = match (&self.command, &self.endpoint, handler) {
            (None, None, Some((dir, module, function))) => Source::Python {
                python: self.python.clone().unwrap_or_else(|| "python3".into()),
                dir,
                module,
                function,
            },
            (Some(argv), None, handler) => {
                if argv.is_empty() || argv[0].is_empty() {
                    return Err(err("command must name a program".into()));
                }
                if self.python.is_some() {
                    return Err(err("python applies to handler only, not command".into()));
                }
                let (dir, handler) = match handler {
                    Some((dir, module, function)) => (dir, Some(format!("{module}.{function}"))),
                    None => (base.to_path_buf(), None),
                };
                let mut argv = argv.clone();
                // A program named by a relative path is found from the declaring file's
                // folder; a bare name (`python3`) is looked up on PATH as usual.
                if argv[0].contains('/') && Path::new(&argv[0]).is_relative() {
                    argv[0] = base.join(&argv[0]).to_string_lossy().into_owned();
                }
                Source::Command { argv, dir, handler }
            }
            (None, Some(url), None) => {
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    return Err(err(format!("endpoint {url:?} must be an http:// URL")));
                }
                if self.python.is_some() {
                    return Err(err("python applies to handler only, not endpoint".into()));
                }
                Source::Endpoint {
                    url: url.trim_end_matches('/').to_owned(),
                }
            }
            (None, None, None) => {
                return Err(err(
                    "say how it runs: handler = \"FILE.py:FUNCTION\", command = [...] or endpoint = \"http://...\"".into(),
                ))
            }
            _ => {
                return Err(err(
                    "endpoint cannot be combined with handler or command".into(),
                ))
            }
        };
        let timeout = self.timeout.unwrap_or(DEFAULT_TIMEOUT_SECS);
        if !(timeout > 0.0 && timeout <= MAX_TIMEOUT_SECS) {
            return Err(err(format!(
                "timeout {timeout} must be more than 0 and at most {MAX_TIMEOUT_SECS} seconds"
            )));
        }
        let memory_mb = self.memory.unwrap_or(DEFAULT_MEMORY_MB);
        if !MEMORY_RANGE.contains(&memory_mb) {
            return Err(err(format!(
                "memory {memory_mb} must be between {} and {} MB",
                MEMORY_RANGE.start(),
                MEMORY_RANGE.end()
            )));
        }
        let concurrency = self.concurrency.unwrap_or(DEFAULT_CONCURRENCY);
        if concurrency == 0 {
            return Err(err("concurrency must be at least 1".into()));
        }
        Ok(FunctionSpec {
            name: name.to_owned(),
            source,
            timeout: Duration::from_secs_f64(timeout),
            memory_mb,
            environment: self.environment.clone(),
            concurrency,
        })
    }
}

/// `dir/file.py:function` -> (absolute-ish dir, module `file`, `function`).
fn parse_handler(h: &str, base: &Path) -> Result<(PathBuf, String, String), String> {
    let (file, function) = h
        .rsplit_once(':')
        .ok_or_else(|| format!("handler {h:?} must be FILE.py:FUNCTION"))?;
    let path = base.join(file);
    let module = path
        .file_name()
        .and_then(|s| s.to_str())
        .and_then(|s| s.strip_suffix(".py"))
        .filter(|m| !m.is_empty())
        .ok_or_else(|| format!("handler {h:?} must name a .py file"))?
        .to_owned();
    let is_ident = |s: &str| {
        !s.is_empty()
            && !s.starts_with(|c: char| c.is_ascii_digit())
            && s.chars().all(|c| c.is_alphanumeric() || c == '_')
    };
    if !is_ident(function) || !is_ident(&module) {
        return Err(format!(
            "handler {h:?}: the module and function must be Python identifiers"
        ));
    }
    if !path.is_file() {
        return Err(format!("handler file {} does not exist", path.display()));
    }
    let dir = path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
    Ok((dir, module, function.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> FunctionConfig {
        toml::from_str(text).unwrap_or_else(|e| panic!("{e}"))
    }

    fn tmp_with(file: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("estado-spec-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(dir.join("handlers")).unwrap();
        std::fs::write(dir.join(file), "def h(e, c):\n    return e\n").unwrap();
        dir
    }

    #[test]
    fn a_python_handler_is_found_from_the_files_folder() {
        let base = tmp_with("handlers/verificar.py");
        let spec = table("handler = \"handlers/verificar.py:h\"\ntimeout = 10\nmemory = 256\nconcurrency = 2\nenvironment = { A = \"1\" }")
            .resolve("verificar", &base)
            .unwrap();
        match &spec.source {
            Source::Python {
                python,
                dir,
                module,
                function,
            } => {
                assert_eq!(python, "python3");
                assert!(dir.ends_with("handlers"), "{dir:?}");
                assert!(dir.is_absolute());
                assert_eq!((module.as_str(), function.as_str()), ("verificar", "h"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(spec.timeout, Duration::from_secs(10));
        assert_eq!((spec.memory_mb, spec.concurrency), (256, 2));
        assert_eq!(spec.environment["A"], "1");
    }

    #[test]
    fn defaults_are_lambdas() {
        let base = tmp_with("f.py");
        let spec = table("handler = \"f.py:h\"").resolve("f", &base).unwrap();
        assert_eq!(spec.timeout, Duration::from_secs(3));
        assert_eq!(spec.memory_mb, 128);
        assert_eq!(spec.concurrency, DEFAULT_CONCURRENCY);
    }

    #[test]
    fn commands_run_in_the_files_folder_and_may_carry_a_handler() {
        let base = tmp_with("app.py");
        let spec = table(
            "command = [\"python3\", \"-m\", \"awslambdaric\", \"app.h\"]\nhandler = \"app.py:h\"",
        )
        .resolve("ric", &base)
        .unwrap();
        match spec.source {
            Source::Command { argv, handler, .. } => {
                assert_eq!(argv[0], "python3");
                assert_eq!(handler.as_deref(), Some("app.h"));
            }
            other => panic!("{other:?}"),
        }
        let spec = table("command = [\"./bin/bootstrap\"]")
            .resolve("custom", Path::new("/srv/app"))
            .unwrap();
        match spec.source {
            Source::Command { argv, dir, handler } => {
                assert_eq!(argv, ["/srv/app/./bin/bootstrap"]);
                assert_eq!(dir, Path::new("/srv/app"));
                assert_eq!(handler, None);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn endpoints_are_urls() {
        let spec = table("endpoint = \"http://127.0.0.1:3001/\"")
            .resolve("e", Path::new("."))
            .unwrap();
        assert_eq!(
            spec.source,
            Source::Endpoint {
                url: "http://127.0.0.1:3001".into()
            }
        );
    }

    #[test]
    fn bad_tables_are_refused_with_the_reason() {
        let base = tmp_with("f.py");
        for (name, text, why) in [
            ("f", "", "say how it runs"),
            ("f", "handler = \"f.py\"", "FILE.py:FUNCTION"),
            ("f", "handler = \"missing.py:h\"", "does not exist"),
            ("f", "handler = \"f.txt:h\"", ".py"),
            ("f", "handler = \"f.py:1h\"", "identifiers"),
            ("f", "endpoint = \"ftp://x\"", "http://"),
            (
                "f",
                "endpoint = \"http://x\"\nhandler = \"f.py:h\"",
                "cannot be combined",
            ),
            ("f", "command = []", "must name a program"),
            ("f", "handler = \"f.py:h\"\ntimeout = 0", "timeout"),
            ("f", "handler = \"f.py:h\"\ntimeout = 901", "timeout"),
            ("f", "handler = \"f.py:h\"\nmemory = 64", "memory"),
            ("f", "handler = \"f.py:h\"\nconcurrency = 0", "concurrency"),
            ("bad name", "handler = \"f.py:h\"", "function name"),
        ] {
            let e = table(text).resolve(name, &base).unwrap_err();
            assert!(e.to_string().contains(why), "{text}: {e}");
        }
        assert!(toml::from_str::<FunctionConfig>("handlr = \"f.py:h\"").is_err());
    }
}
