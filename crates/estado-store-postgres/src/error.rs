//! How PostgreSQL failures become [`StoreError`]s.

use estado_store::StoreError;
use tokio_postgres::error::SqlState;

/// A failure of the database or of the connection. Contention (serialization failures,
/// deadlocks), lost connections and a server shutting down or full of connections may pass on
/// a retry; anything else (a bad statement, a constraint) fails the same way again.
pub(crate) fn pg(e: tokio_postgres::Error) -> StoreError {
    let retryable = match e.code() {
        // No server answer: a lost connection can pass, a value that cannot be encoded not.
        None => {
            e.is_closed()
                || std::error::Error::source(&e)
                    .is_some_and(|s| s.downcast_ref::<std::io::Error>().is_some())
        }
        Some(code) => {
            let c = code.code();
            code == &SqlState::T_R_SERIALIZATION_FAILURE
                || code == &SqlState::T_R_DEADLOCK_DETECTED
                || code == &SqlState::LOCK_NOT_AVAILABLE
                || code == &SqlState::ADMIN_SHUTDOWN
                || code == &SqlState::CRASH_SHUTDOWN
                || code == &SqlState::CANNOT_CONNECT_NOW
                || code == &SqlState::TOO_MANY_CONNECTIONS
                || c.starts_with("08")
                || c.starts_with("53")
        }
    };
    StoreError::Backend {
        message: format!("postgres: {}", describe(&e)),
        retryable,
    }
}

/// The server's message when it sent one (the `Display` of the error says only "db error").
pub(crate) fn describe(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => match std::error::Error::source(e) {
            Some(cause) => format!("{e}: {cause}"),
            None => e.to_string(),
        },
    }
}

pub(crate) fn pool(e: deadpool_postgres::PoolError) -> StoreError {
    match e {
        deadpool_postgres::PoolError::Backend(e) => pg(e),
        e => StoreError::Backend {
            message: format!("postgres pool: {e}"),
            retryable: true,
        },
    }
}

pub(crate) fn invalid(message: String) -> StoreError {
    StoreError::Backend {
        message,
        retryable: false,
    }
}

pub(crate) fn json(e: serde_json::Error) -> StoreError {
    invalid(format!("stored JSON: {e}"))
}

/// Unsigned counters are stored as signed 64-bit integers.
pub(crate) fn to_i64(n: u64, what: &str) -> Result<i64, StoreError> {
    i64::try_from(n).map_err(|_| invalid(format!("{what} {n} exceeds 2^63-1")))
}

pub(crate) fn to_u64(n: i64, what: &str) -> Result<u64, StoreError> {
    u64::try_from(n).map_err(|_| invalid(format!("{what} {n} is negative")))
}

pub(crate) fn to_u32(n: i64, what: &str) -> Result<u32, StoreError> {
    u32::try_from(n).map_err(|_| invalid(format!("{what} {n} is not a 32-bit unsigned")))
}

/// Inbox keys and effect ids are opaque 64-bit labels compared only for equality, so they are
/// stored bit for bit (a label above 2^63 becomes a negative integer and back).
pub(crate) fn label_to_sql(n: u64) -> i64 {
    n as i64
}

pub(crate) fn label_from_sql(n: i64) -> u64 {
    n as u64
}
