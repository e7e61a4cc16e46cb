//! `estado.toml`, the settings file every verb may read.
//!
//! ```toml
//! [server]
//! port = 8083
//! bind = "127.0.0.1"
//! data_dir = ".estado"
//! store = "sqlite:.estado/estado.db"
//! region = "us-east-1"
//! account = "123456789012"
//! wait_time_scale = 1.0
//! lease_seconds = 5                         # how long a node's claim on an execution lasts
//!
//! [auth]
//! access_keys = [{ id = "AKID...", secret = "..." }]
//!
//! [functions.verificarDisponibilidade]      # see estado_functions::spec
//! handler = "handlers/verificar.py:lambda_handler"
//! timeout = 10
//! ```
//!
//! Every key is optional. Unknown keys inside `[server]`, `[auth]` and `[functions.NAME]` are
//! errors (a misspelt setting must not be silently ignored); other top-level tables are kept
//! in [`FileConfig::other`] for the features that read them. Relative paths of `[server]` are
//! relative to the working directory, as on the command line; those of `[functions.NAME]` to
//! the file's folder, so that the file and its handlers move together.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use estado_functions::{FunctionConfig, FunctionSpec};
use serde::Deserialize;

/// The name looked for in the working directory when no file is given.
pub const DEFAULT_FILE: &str = "estado.toml";

/// The parsed file.
#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
pub struct FileConfig {
    #[serde(default)]
    pub server: ServerSection,
    #[serde(default)]
    pub auth: AuthSection,
    /// `[functions.NAME]`: local Lambda functions.
    #[serde(default)]
    pub functions: BTreeMap<String, FunctionConfig>,
    /// The folder of the file (relative paths of functions start there).
    #[serde(skip)]
    pub dir: PathBuf,
    /// Every other top-level item, untouched.
    #[serde(flatten)]
    pub other: toml::Table,
}

/// `[server]`: what `estado serve` listens on, stores in, and calls itself.
#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSection {
    pub port: Option<u16>,
    pub bind: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub store: Option<String>,
    pub region: Option<String>,
    pub account: Option<String>,
    pub wait_time_scale: Option<f64>,
    pub lease_seconds: Option<f64>,
}

/// `[auth]`: with any access key, requests must be SigV4-signed with one of them.
#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSection {
    #[serde(default)]
    pub access_keys: Vec<AccessKeyEntry>,
}

#[derive(Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessKeyEntry {
    pub id: String,
    pub secret: String,
}

impl std::fmt::Debug for AccessKeyEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessKeyEntry")
            .field("id", &self.id)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// Parses the text of a settings file.
pub fn parse(text: &str) -> Result<FileConfig, toml::de::Error> {
    toml::from_str(text)
}

/// Reads and parses `path`, and checks its functions.
pub fn load(path: &Path) -> anyhow::Result<FileConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read settings file {}", path.display()))?;
    let mut file =
        parse(&text).with_context(|| format!("invalid settings file {}", path.display()))?;
    file.dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    file.function_specs()
        .with_context(|| format!("invalid settings file {}", path.display()))?;
    Ok(file)
}

impl FileConfig {
    /// The `[functions.NAME]` tables, checked, with paths resolved against the file's folder.
    pub fn function_specs(&self) -> anyhow::Result<Vec<FunctionSpec>> {
        self.functions
            .iter()
            .map(|(name, f)| f.resolve(name, &self.dir).map_err(anyhow::Error::from))
            .collect()
    }
}

/// The settings file to use: `explicit` (which must exist) if given, else `estado.toml` in
/// the working directory if there is one, else none (every setting from flags, environment
/// and defaults).
pub fn discover(explicit: Option<&Path>) -> anyhow::Result<FileConfig> {
    match explicit {
        Some(path) => load(path),
        None if Path::new(DEFAULT_FILE).is_file() => load(Path::new(DEFAULT_FILE)),
        None => Ok(FileConfig::default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn give(text: &str) -> FileConfig {
        parse(text).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn an_empty_file_sets_nothing() {
        assert_eq!(give(""), FileConfig::default());
    }

    #[test]
    fn every_server_setting_is_read() {
        let c = give(
            r#"
            [server]
            port = 9000
            bind = "0.0.0.0"
            data_dir = "/var/lib/estado"
            store = "memory:"
            region = "eu-west-1"
            account = "000000000000"
            wait_time_scale = 0.5
            "#,
        );
        assert_eq!(
            c.server,
            ServerSection {
                port: Some(9000),
                bind: Some("0.0.0.0".into()),
                data_dir: Some("/var/lib/estado".into()),
                store: Some("memory:".into()),
                region: Some("eu-west-1".into()),
                account: Some("000000000000".into()),
                wait_time_scale: Some(0.5),
                lease_seconds: None,
            }
        );
    }

    #[test]
    fn access_keys_are_a_list_of_id_and_secret() {
        let c = give(
            r#"
            [auth]
            access_keys = [{ id = "AKID1", secret = "s1" }, { id = "AKID2", secret = "s2" }]
            "#,
        );
        let ids: Vec<&str> = c.auth.access_keys.iter().map(|k| k.id.as_str()).collect();
        assert_eq!(ids, ["AKID1", "AKID2"]);
        assert!(
            !format!("{:?}", c.auth).contains("s1"),
            "secrets stay out of logs"
        );
    }

    #[test]
    fn tables_of_later_features_are_kept_untouched() {
        let c = give(
            r#"
            [server]
            port = 1

            [console]
            theme = "dark"
            "#,
        );
        assert_eq!(c.server.port, Some(1));
        assert_eq!(c.other["console"]["theme"].as_str(), Some("dark"));
    }

    #[test]
    fn functions_are_read_and_their_paths_start_at_the_files_folder() {
        let dir = std::env::temp_dir().join(format!("estado-config-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(dir.join("handlers")).unwrap();
        std::fs::write(dir.join("handlers/app.py"), "def h(e, c):\n    return e\n").unwrap();
        let path = dir.join("estado.toml");
        std::fs::write(
            &path,
            "[functions.hello]\nhandler = \"handlers/app.py:h\"\ntimeout = 5\n",
        )
        .unwrap();
        let c = load(&path).unwrap();
        let specs = c.function_specs().unwrap();
        assert_eq!(specs.len(), 1);
        assert_eq!(specs[0].name, "hello");
        match &specs[0].source {
            estado_functions::Source::Python { dir: code, .. } => {
                assert!(code.ends_with("handlers"), "{code:?}")
            }
            other => panic!("{other:?}"),
        }
        std::fs::write(&path, "[functions.hello]\nhandler = \"nope.py:h\"\n").unwrap();
        let e = format!("{:#}", load(&path).unwrap_err());
        assert!(
            e.contains("[functions.hello]") && e.contains("does not exist"),
            "{e}"
        );
        std::fs::write(&path, "[functions.hello]\nhandlr = \"app.py:h\"\n").unwrap();
        assert!(load(&path).is_err());
    }

    #[test]
    fn misspelt_server_settings_are_errors() {
        for text in [
            "[server]\nprot = 8083",
            "[auth]\naccess_key = []",
            "[server]\nport = \"x\"",
            "[server]\nport = 70000",
            "[auth]\naccess_keys = [{ id = \"a\" }]",
            "not toml at all [",
        ] {
            assert!(parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn an_explicit_file_must_exist() {
        assert!(discover(Some(Path::new("/nonexistent/estado.toml"))).is_err());
    }
}
