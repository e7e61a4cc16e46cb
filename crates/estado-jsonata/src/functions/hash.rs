//! `$hash(value, algorithm)`, the JSONata form of `States.Hash`.

use jsonata_core::evaluator::EvaluatorError;
use jsonata_core::value::JValue;
use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};

use super::{check_arity, failure, signature_error, string_arg};

/// The algorithm names AWS accepts, spelled exactly so.
pub(crate) const ALGORITHMS: [&str; 5] = ["MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512"];

/// `$hash(string, algorithm)`: the lowercase hex digest of the string's UTF-8 bytes. An
/// undefined value gives undefined.
pub(crate) fn hash(args: &[JValue]) -> Result<JValue, EvaluatorError> {
    const NAME: &str = "hash";
    check_arity(NAME, args, 2)?;
    let Some(data) = string_arg(NAME, args, 1)? else {
        return Ok(JValue::Undefined);
    };
    let algorithm = string_arg(NAME, args, 2)?.ok_or_else(|| signature_error(NAME, 2))?;
    let bytes = data.as_bytes();
    let digest = match algorithm {
        "MD5" => Md5::digest(bytes).to_vec(),
        "SHA-1" => Sha1::digest(bytes).to_vec(),
        "SHA-256" => Sha256::digest(bytes).to_vec(),
        "SHA-384" => Sha384::digest(bytes).to_vec(),
        "SHA-512" => Sha512::digest(bytes).to_vec(),
        other => {
            return Err(failure(format!(
            "The hash algorithm '{other}' is not supported by function \"{NAME}\"; use one of {}",
            ALGORITHMS.join(", ")
        )))
        }
    };
    Ok(JValue::from(hex(&digest)))
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    out
}
