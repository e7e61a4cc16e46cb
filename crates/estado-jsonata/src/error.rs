//! Compile-time (syntax) errors.

/// A JSONata expression that does not parse. `Display` is the message, in jsonata-js's wording
/// where it is known (`S0203: Expected "]" before end of expression`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct JsonataError {
    message: String,
}

impl JsonataError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        JsonataError {
            message: message.into(),
        }
    }

    /// The message, e.g. `S0201: Syntax error: 2`.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The JSONata error code (`S0201`) when the message carries one.
    pub fn code(&self) -> Option<&str> {
        jsonata_core::evaluator::error_code_prefix(&self.message)
    }
}
