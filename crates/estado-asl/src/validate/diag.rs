//! Diagnostics as `ValidateStateMachineDefinition` reports them, and the locations they point at.

use serde::{Serialize, Serializer};

/// How bad a diagnostic is. `Error` makes the definition unusable; `Warning` does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    /// AWS's spelling: `ERROR` or `WARNING`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "ERROR",
            Severity::Warning => "WARNING",
        }
    }
}

impl Serialize for Severity {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found in a definition, shaped like AWS's `ValidateStateMachineDefinitionDiagnostic`.
/// `location` is a path such as `/States/Wait/Seconds` (array items as `Choices[0]`), or absent
/// when AWS gives none (e.g. `MISSING_END_STATE` of the top-level machine).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

impl std::fmt::Display for Diagnostic {
    /// `ERROR SCHEMA_VALIDATION_FAILED /States/X/Next: message`, or without the location.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.location {
            Some(loc) => write!(
                f,
                "{} {} {}: {}",
                self.severity, self.code, loc, self.message
            ),
            None => write!(f, "{} {}: {}", self.severity, self.code, self.message),
        }
    }
}

/// The diagnostic codes AWS documents for `ValidateStateMachineDefinition`, plus the two JSONata
/// codes it returns for expressions.
pub mod codes {
    pub const INVALID_JSON_DESCRIPTION: &str = "INVALID_JSON_DESCRIPTION";
    pub const SCHEMA_VALIDATION_FAILED: &str = "SCHEMA_VALIDATION_FAILED";
    pub const MISSING_TRANSITION_TARGET: &str = "MISSING_TRANSITION_TARGET";
    pub const MISSING_END_STATE: &str = "MISSING_END_STATE";
    pub const DUPLICATE_STATE_NAME: &str = "DUPLICATE_STATE_NAME";
    pub const INVALID_STATE_NAME: &str = "INVALID_STATE_NAME";
    pub const INVALID_LABEL_NAME: &str = "INVALID_LABEL_NAME";
    pub const INVALID_JSONATA_EXPRESSION: &str = "INVALID_JSONATA_EXPRESSION";
    pub const NO_DOLLAR: &str = "NO_DOLLAR";
    pub const PASS_RESULT_IS_STATIC: &str = "PASS_RESULT_IS_STATIC";
}

/// A location inside the definition, written as AWS writes it: `/States/A/Catch[0]/Next`.
/// The root is `/`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Loc(String);

impl Loc {
    /// The whole definition (`/`).
    pub fn root() -> Loc {
        Loc(String::new())
    }

    /// The member `key` of the object here.
    pub fn key(&self, key: &str) -> Loc {
        Loc(format!("{}/{}", self.0, key))
    }

    /// Item `i` of the array here.
    pub fn index(&self, i: usize) -> Loc {
        Loc(format!("{}[{}]", self.0, i))
    }

    /// The text AWS reports.
    pub fn as_string(&self) -> String {
        if self.0.is_empty() {
            "/".to_string()
        } else {
            self.0.clone()
        }
    }
}

impl std::fmt::Display for Loc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.as_string())
    }
}
