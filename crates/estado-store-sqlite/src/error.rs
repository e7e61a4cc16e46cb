//! How failures inside the backend become [`StoreError`]s.

use estado_store::StoreError;
use rusqlite::ErrorCode;

/// A failure of one operation: a contract answer (`Conflict`, `NotFound`, ...) or a fault of
/// the database or of stored data.
#[derive(Debug, thiserror::Error)]
pub(crate) enum OpError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("sqlite: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("stored JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("{0}")]
    Invalid(String),
}

pub(crate) type OpResult<T> = Result<T, OpError>;

impl From<OpError> for StoreError {
    fn from(e: OpError) -> Self {
        match e {
            OpError::Store(e) => e,
            OpError::Sql(e) => {
                let retryable = is_transient(&e);
                StoreError::Backend {
                    message: format!("sqlite: {e}"),
                    retryable,
                }
            }
            e @ (OpError::Json(_) | OpError::Invalid(_)) => StoreError::Backend {
                message: e.to_string(),
                retryable: false,
            },
        }
    }
}

/// Lock contention, a full disk or an I/O hiccup may pass; anything else (corruption, a bad
/// statement, a constraint) will fail again the same way.
fn is_transient(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(
            ErrorCode::DatabaseBusy
                | ErrorCode::DatabaseLocked
                | ErrorCode::DiskFull
                | ErrorCode::SystemIoFailure
                | ErrorCode::OutOfMemory
        )
    )
}

/// The backend stopped (its thread ended): nothing can be done until the store is reopened.
pub(crate) fn stopped(what: &str) -> StoreError {
    StoreError::Backend {
        message: format!("the sqlite {what} thread has stopped"),
        retryable: false,
    }
}

/// Unsigned counters are stored as SQLite's signed 64-bit integers.
pub(crate) fn to_i64(n: u64, what: &str) -> OpResult<i64> {
    i64::try_from(n).map_err(|_| OpError::Invalid(format!("{what} {n} exceeds 2^63-1")))
}

pub(crate) fn to_u64(n: i64, what: &str) -> OpResult<u64> {
    u64::try_from(n).map_err(|_| OpError::Invalid(format!("{what} {n} is negative")))
}

pub(crate) fn to_u32(n: i64, what: &str) -> OpResult<u32> {
    u32::try_from(n).map_err(|_| OpError::Invalid(format!("{what} {n} is not a 32-bit unsigned")))
}

/// Inbox keys and effect ids are opaque 64-bit labels compared only for equality, so they are
/// stored bit for bit (a label above 2^63 becomes a negative integer and back).
pub(crate) fn label_to_sql(n: u64) -> i64 {
    n as i64
}

pub(crate) fn label_from_sql(n: i64) -> u64 {
    n as u64
}
