//! Page sizes and opaque page tokens (`maxResults`, `nextToken`).
//!
//! A token is the URL-safe base64 (no padding) of a small JSON document `{"s": <scope>, "c":
//! <cursor>}`: the cursor is whatever the lister needs to resume (an offset, the last key
//! seen), and the scope is a 64-bit FNV-1a hash of a string naming the listing (operation and
//! its filters), so that a token handed to another listing is refused. Tokens are not
//! encrypted or signed: they only have to be opaque to clients and safe to reject.
//!
//! The model caps tokens at 1024 characters (3096 for `ListExecutions`); a cursor of a few
//! hundred bytes of JSON stays far below that.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::ApiError;

/// The page size AWS uses when `maxResults` is absent or 0.
pub const DEFAULT_MAX_RESULTS: usize = 100;

/// The number of items to return for a request's `maxResults`: the value itself, or
/// [`DEFAULT_MAX_RESULTS`] when it is absent or 0 (or negative, which validation already
/// refuses).
pub fn page_size(max_results: Option<i32>) -> usize {
    match max_results {
        Some(n) if n > 0 => n as usize,
        _ => DEFAULT_MAX_RESULTS,
    }
}

#[derive(Serialize, Deserialize)]
struct Envelope<C> {
    s: String,
    c: C,
}

/// The token that resumes the listing named `scope` at `cursor`.
///
/// # Panics
/// If `cursor` does not serialise to JSON (a map with non-string keys, a failing `Serialize`
/// impl): cursors are the lister's own plain data, so that is a programming error.
pub fn encode_token<C: Serialize>(scope: &str, cursor: &C) -> String {
    let envelope = Envelope {
        s: scope_hash(scope),
        c: cursor,
    };
    let json = serde_json::to_vec(&envelope).expect("page cursor serialises to JSON");
    URL_SAFE_NO_PAD.encode(json)
}

/// The cursor in `token`, which must have been issued for the listing named `scope`; anything
/// else (garbage, another scope, another cursor type) is AWS's `InvalidToken`.
pub fn decode_token<C: DeserializeOwned>(scope: &str, token: &str) -> Result<C, ApiError> {
    let invalid = || ApiError::invalid_token(token);
    let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| invalid())?;
    let envelope: Envelope<C> = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    if envelope.s == scope_hash(scope) {
        Ok(envelope.c)
    } else {
        Err(invalid())
    }
}

/// FNV-1a, 64 bits, as hex: short, stable across builds and platforms.
fn scope_hash(scope: &str) -> String {
    let hash = scope.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("{hash:016x}")
}
