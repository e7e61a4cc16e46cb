//! An execution record's large documents (its input and output) kept compressed.
//!
//! A document of [`PACK_FROM`] bytes or more is stored as a BLOB: [`FORMAT_LZ4`], the text's
//! length (4 bytes, little-endian), then the text compressed with LZ4 (block format; see
//! [`estado_store::lz4`]), when that saves at least an eighth; anything else stays TEXT, as every document was stored
//! before. Columns of TEXT affinity keep BLOBs as they are, so both forms live side by side
//! and older rows read as they always did.
//!
//! Why: a 200 KB input was written in full to every execution's row: in its commit, in the
//! WAL, and again by the checkpoint. JSON documents repeat their keys, and LZ4 takes such a
//! document to a third of its size or less for a fraction of what writing the rest costs.
//! The text is compressed before the writer thread gets the row (see `store.rs`), so the one
//! writer spends its time on SQL only.

use estado_store::lz4::Lz4Error;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSqlOutput, ValueRef};
use rusqlite::ToSql;

/// The first byte of a compressed document.
const FORMAT_LZ4: u8 = 1;
/// Documents shorter than this stay text: not worth compressing.
pub(crate) const PACK_FROM: usize = 1024;
/// The longest text a compressed document may claim, so that a damaged length cannot make
/// the reader allocate gigabytes: above the largest document any execution carries (inputs
/// and outputs are limited to 256 KiB; this leaves room for older or imported rows).
const MAX_TEXT: usize = 64 << 20;

/// A document as it is stored: its text, or its text compressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Packed {
    Text(String),
    Lz4(Vec<u8>),
}

impl Packed {
    pub(crate) fn new(text: String) -> Packed {
        match pack(&text) {
            Some(packed) => Packed::Lz4(packed),
            None => Packed::Text(text),
        }
    }
}

/// `text` compressed as a document is stored, or `None` when it stays text (short, or not
/// worth it): the store's [`document_packer`](estado_store::Store::document_packer).
pub(crate) fn pack(text: &str) -> Option<Vec<u8>> {
    if text.len() < PACK_FROM {
        return None;
    }
    estado_store::lz4::compress(FORMAT_LZ4, text.as_bytes())
}

impl ToSql for Packed {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Packed::Text(t) => ToSqlOutput::Borrowed(ValueRef::Text(t.as_bytes())),
            Packed::Lz4(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
        })
    }
}

/// A document read back: the text, whichever form it was stored in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unpacked(pub(crate) String);

impl FromSql for Unpacked {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        match value {
            ValueRef::Text(t) => std::str::from_utf8(t)
                .map(|t| Unpacked(t.to_owned()))
                .map_err(|e| FromSqlError::Other(Box::new(e))),
            ValueRef::Blob(b) => unpack(b).map(Unpacked).map_err(|message| {
                FromSqlError::Other(format!("a stored document {message}").into())
            }),
            _ => Err(FromSqlError::InvalidType),
        }
    }
}

fn unpack(blob: &[u8]) -> Result<String, &'static str> {
    let Some((&FORMAT_LZ4, rest)) = blob.split_first() else {
        return Err("has an unknown format");
    };
    let raw = estado_store::lz4::decompress(rest, MAX_TEXT).map_err(|e| match e {
        Lz4Error::Truncated => "is truncated",
        Lz4Error::TooLong => "claims an impossible length",
        Lz4Error::Corrupt => "does not decompress",
    })?;
    String::from_utf8(raw).map_err(|_| "is not UTF-8 text")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    fn stored(conn: &Connection, text: &str) -> (String, Unpacked) {
        conn.execute(
            "INSERT INTO t (doc) VALUES (?1)",
            [Packed::new(text.to_owned())],
        )
        .expect("insert");
        let id = conn.last_insert_rowid();
        conn.query_row(
            "SELECT typeof(doc), doc FROM t WHERE rowid = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("read")
    }

    #[test]
    fn documents_read_back_as_written_compressed_only_when_large_and_worth_it() {
        let conn = Connection::open_in_memory().expect("open");
        conn.execute_batch("CREATE TABLE t (doc TEXT NOT NULL)")
            .expect("table");
        let large = format!(
            "[{}]",
            (0..2000)
                .map(|i| format!(r#"{{"id":{i},"v":"é\n{i}"}}"#))
                .collect::<Vec<_>>()
                .join(",")
        );
        let (kind, back) = stored(&conn, &large);
        assert_eq!((kind.as_str(), back.0.as_str()), ("blob", large.as_str()));
        let small = r#"{"a":1}"#;
        assert_eq!(
            stored(&conn, small),
            ("text".into(), Unpacked(small.into()))
        );
        // Large but incompressible: kept as text.
        let noise: String = (0..4000u32)
            .map(|i| char::from_u32(0x4e00 + (i.wrapping_mul(2_654_435_761) >> 20) % 2000))
            .map(|c| c.unwrap_or('x'))
            .collect();
        assert_eq!(stored(&conn, &noise).0, "text");
        // Rows written before documents were compressed read as they always did.
        conn.execute("INSERT INTO t (doc) VALUES ('{\"old\":true}')", [])
            .expect("insert");
        let old: Unpacked = conn
            .query_row(
                "SELECT doc FROM t WHERE rowid = last_insert_rowid()",
                [],
                |r| r.get(0),
            )
            .expect("read");
        assert_eq!(old.0, r#"{"old":true}"#);
    }

    #[test]
    fn damaged_documents_are_errors_not_panics() {
        let Packed::Lz4(good) = Packed::new("{\"k\":\"v\"}".repeat(500)) else {
            panic!("compressible text compresses");
        };
        for cut in 0..good.len() {
            assert!(unpack(&good[..cut]).is_err(), "cut at {cut}");
        }
        for i in 0..good.len() {
            let mut flipped = good.clone();
            flipped[i] ^= 0x5a;
            let _ = unpack(&flipped);
        }
        let mut huge = good.clone();
        huge[1..5].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(unpack(&huge), Err("claims an impossible length"));
        assert!(unpack(&[9, 0, 0, 0, 0]).is_err());
    }
}
