//! The operations, as plain synchronous functions over a connection. Each runs inside a
//! transaction the caller (a writer batch's savepoint or a reader's read transaction) owns.

pub(crate) mod definitions;
pub(crate) mod dispatches;
pub(crate) mod executions;
pub(crate) mod stepping;
pub(crate) mod tasks;

use estado_json::Value;
use rusqlite::types::Type;
use rusqlite::{Connection, OptionalExtension, Row};

use crate::error::OpResult;

/// A JSON column (NULL for `None`).
pub(crate) fn json_to_sql(v: &Option<Value>) -> OpResult<Option<String>> {
    Ok(v.as_ref().map(serde_json::to_string).transpose()?)
}

/// Reads a JSON column; unreadable JSON is a conversion failure of that column.
pub(crate) fn json_col(r: &Row, i: usize) -> rusqlite::Result<Option<Value>> {
    let text: Option<String> = r.get(i)?;
    text.map(|t| parse_json(&t, i)).transpose()
}

pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(
    text: &str,
    i: usize,
) -> rusqlite::Result<T> {
    serde_json::from_str(text)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, Type::Text, Box::new(e)))
}

/// Reads a counter stored as a non-negative SQLite integer.
pub(crate) fn u64_col(r: &Row, i: usize) -> rusqlite::Result<u64> {
    let n: i64 = r.get(i)?;
    u64::try_from(n).map_err(|_| rusqlite::Error::IntegralValueOutOfRange(i, n))
}

/// Whether a row with this primary key exists in `table`.
pub(crate) fn exists(conn: &Connection, sql: &str, key: &str) -> OpResult<bool> {
    Ok(conn
        .prepare_cached(sql)?
        .query_row([key], |_| Ok(()))
        .optional()?
        .is_some())
}

/// SQLite's LIMIT takes a signed integer; any `usize` larger than that means "no limit".
pub(crate) fn sql_limit(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}
