//! Encoding and hashing: `States.Base64Encode`, `States.Base64Decode` and `States.Hash`.

use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;
use estado_json::Value;
use estado_types::StatesError;
use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};

use super::args::Invocation;

/// AWS: the input of Base64Encode, Base64Decode and Hash "can be up to 10,000 characters".
pub(crate) const MAX_INPUT_CHARS: usize = 10_000;

/// The standard alphabet; like Java's `Base64.getDecoder()`, padding is optional when
/// decoding and unused trailing bits are ignored.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// The string argument at `index`, at most [`MAX_INPUT_CHARS`] long (counted in UTF-16 units,
/// as a Java `String`'s length is).
fn limited_string<'a>(inv: &'a Invocation, index: usize) -> Result<&'a str, StatesError> {
    let s = inv.string(index)?;
    let len = s.encode_utf16().count();
    if len > MAX_INPUT_CHARS {
        return Err(inv.fail(format!(
            "the input is {len} characters long, more than the maximum of {MAX_INPUT_CHARS}"
        )));
    }
    Ok(s)
}

/// `States.Base64Encode(string)`: Base64 (standard alphabet, padded) of the UTF-8 bytes.
pub(crate) fn base64_encode(inv: &Invocation) -> Result<Value, StatesError> {
    let s = limited_string(inv, 0)?;
    Ok(Value::String(BASE64.encode(s.as_bytes())))
}

/// `States.Base64Decode(string)`: the decoded bytes read as UTF-8 (malformed sequences become
/// U+FFFD, as Java's `new String(bytes, UTF_8)` does).
pub(crate) fn base64_decode(inv: &Invocation) -> Result<Value, StatesError> {
    let s = limited_string(inv, 0)?;
    let bytes = BASE64
        .decode(s)
        .map_err(|_| inv.fail(format!("the input is not valid Base64: {s}")))?;
    Ok(Value::String(String::from_utf8_lossy(&bytes).into_owned()))
}

/// The algorithms `States.Hash` accepts, by their exact names.
pub(crate) const ALGORITHMS: [&str; 5] = ["MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512"];

/// `States.Hash(data, algorithm)`: the lowercase hex digest of the UTF-8 bytes of `data`.
pub(crate) fn hash(inv: &Invocation) -> Result<Value, StatesError> {
    let data = limited_string(inv, 0)?.as_bytes();
    let algorithm = inv.string(1)?;
    let digest: Vec<u8> = match algorithm {
        "MD5" => Md5::digest(data).to_vec(),
        "SHA-1" => Sha1::digest(data).to_vec(),
        "SHA-256" => Sha256::digest(data).to_vec(),
        "SHA-384" => Sha384::digest(data).to_vec(),
        "SHA-512" => Sha512::digest(data).to_vec(),
        other => {
            return Err(inv.fail(format!(
                "the hashing algorithm must be one of {}, but was: {other}",
                ALGORITHMS.join(", ")
            )))
        }
    };
    Ok(Value::String(
        digest.iter().map(|b| format!("{b:02x}")).collect(),
    ))
}
