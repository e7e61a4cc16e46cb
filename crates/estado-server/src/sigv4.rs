//! AWS Signature Version 4 as the service side recomputes it: the `Authorization` header's
//! parts, the canonical request, the string to sign, the signing key and the signature
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html>).
//!
//! Everything here is pure: no clock, no key lookup. [`crate::auth`] decides what a mismatch
//! means for a request.

use std::fmt;

use axum::http::HeaderMap;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The only algorithm SigV4 headers name.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// The last component of every credential scope.
pub const TERMINATOR: &str = "aws4_request";

/// `Credential=AKID/DATE/REGION/SERVICE/aws4_request`, split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credential {
    pub access_key_id: String,
    pub scope: Scope,
}

/// The credential scope: `DATE/REGION/SERVICE/TERMINATOR`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// `YYYYMMDD`, which must be the date of the request's `X-Amz-Date`.
    pub date: String,
    pub region: String,
    pub service: String,
    pub terminator: String,
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}/{}/{}",
            self.date, self.region, self.service, self.terminator
        )
    }
}

/// The parameters of an `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=...,
/// Signature=...` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    pub credential: Credential,
    /// Lower-case header names, in the order the client listed (and signed) them.
    pub signed_headers: Vec<String>,
    /// Lower-case hex, as sent.
    pub signature: String,
}

/// Why an `Authorization` header cannot be used: AWS's `IncompleteSignatureException` message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct IncompleteSignature(pub String);

/// The `Credential` parameter of a SigV4 `Authorization` header, without checking the rest of
/// the header. `None` when the header is not SigV4 or the credential has no full scope.
pub fn credential_of(header: &str) -> Option<Credential> {
    parameters(header)?
        .into_iter()
        .find(|(k, _)| *k == "Credential")
        .and_then(|(_, v)| parse_credential(v))
}

/// Parses a SigV4 `Authorization` header. Every missing parameter is named in one message, as
/// AWS does: `Authorization header requires 'Signature' parameter. Authorization=...`.
pub fn parse_authorization(header: &str) -> Result<Authorization, IncompleteSignature> {
    let params = parameters(header).unwrap_or_default();
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| *v)
            .filter(|v| !v.is_empty())
    };
    let (credential, signed, signature) =
        (get("Credential"), get("SignedHeaders"), get("Signature"));
    let mut missing = String::new();
    for (name, value) in [
        ("Credential", credential),
        ("Signature", signature),
        ("SignedHeaders", signed),
    ] {
        if value.is_none() {
            missing.push_str(&format!(
                "Authorization header requires '{name}' parameter. "
            ));
        }
    }
    let (Some(credential), Some(signed), Some(signature)) = (credential, signed, signature) else {
        return Err(IncompleteSignature(format!(
            "{missing}Authorization={header}"
        )));
    };
    let credential = parse_credential(credential).ok_or_else(|| {
        IncompleteSignature(format!(
            "Credential should be of the form '<access key>/<date>/<region>/<service>/{TERMINATOR}', not '{credential}'. Authorization={header}"
        ))
    })?;
    Ok(Authorization {
        credential,
        signed_headers: signed
            .split(';')
            .map(|h| h.trim().to_ascii_lowercase())
            .collect(),
        signature: signature.to_owned(),
    })
}

/// `AWS4-HMAC-SHA256 K1=V1, K2=V2` -> `[(K1, V1), (K2, V2)]`; `None` for another scheme.
fn parameters(header: &str) -> Option<Vec<(&str, &str)>> {
    let rest = header.trim_start().strip_prefix(ALGORITHM)?;
    if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
        return None;
    }
    Some(
        rest.split(',')
            .filter_map(|part| {
                let (k, v) = part.trim().split_once('=')?;
                Some((k.trim(), v.trim()))
            })
            .collect(),
    )
}

fn parse_credential(value: &str) -> Option<Credential> {
    // The access key id never contains '/', but split from the right so the scope is exact.
    let mut parts = value.rsplitn(5, '/');
    let terminator = parts.next()?;
    let service = parts.next()?;
    let region = parts.next()?;
    let date = parts.next()?;
    let access_key_id = parts.next()?;
    if access_key_id.is_empty() {
        return None;
    }
    Some(Credential {
        access_key_id: access_key_id.to_owned(),
        scope: Scope {
            date: date.to_owned(),
            region: region.to_owned(),
            service: service.to_owned(),
            terminator: terminator.to_owned(),
        },
    })
}

/// What a request is signed over, as received.
#[derive(Debug, Clone, Copy)]
pub struct SignedRequest<'a> {
    pub method: &'a str,
    /// The path as sent on the wire (still percent-encoded).
    pub path: &'a str,
    /// The query string as sent on the wire, without `?`.
    pub query: Option<&'a str>,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

/// The canonical request over `signed_headers`:
/// `METHOD\nURI\nQUERY\nHEADERS\n\nSIGNED_HEADERS\nHEX(SHA256(BODY))`.
pub fn canonical_request(req: &SignedRequest<'_>, signed_headers: &[String]) -> String {
    let mut out = String::new();
    out.push_str(req.method);
    out.push('\n');
    out.push_str(&canonical_uri(req.path));
    out.push('\n');
    out.push_str(&canonical_query(req.query.unwrap_or("")));
    out.push('\n');
    for name in signed_headers {
        out.push_str(name);
        out.push(':');
        let values: Vec<String> = req
            .headers
            .get_all(name.as_str())
            .iter()
            .map(|v| collapse_spaces(&String::from_utf8_lossy(v.as_bytes())))
            .collect();
        out.push_str(&values.join(","));
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&signed_headers.join(";"));
    out.push('\n');
    out.push_str(&sha256_hex(req.body));
    out
}

/// `AWS4-HMAC-SHA256\nAMZ_DATE\nSCOPE\nHEX(SHA256(CANONICAL_REQUEST))`.
pub fn string_to_sign(amz_date: &str, scope: &Scope, canonical_request: &str) -> String {
    format!(
        "{ALGORITHM}\n{amz_date}\n{scope}\n{}",
        sha256_hex(canonical_request.as_bytes())
    )
}

/// The key derived from the secret for one scope:
/// `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")`.
pub fn signing_key(secret: &str, scope: &Scope) -> [u8; 32] {
    let k_date = hmac(format!("AWS4{secret}").as_bytes(), scope.date.as_bytes());
    let k_region = hmac(&k_date, scope.region.as_bytes());
    let k_service = hmac(&k_region, scope.service.as_bytes());
    hmac(&k_service, scope.terminator.as_bytes())
}

/// The hex signature of `string_to_sign` with `key`.
pub fn signature(key: &[u8; 32], string_to_sign: &str) -> String {
    hex::encode(hmac(key, string_to_sign.as_bytes()))
}

/// The `Authorization` header a client with `access_key_id`/`secret` sends for `req`, signing
/// every header of `req` (which must include `host` and `x-amz-date`). For tests and clients.
pub fn authorization_header(
    req: &SignedRequest<'_>,
    access_key_id: &str,
    secret: &str,
    amz_date: &str,
    region: &str,
    service: &str,
) -> String {
    let mut names: Vec<String> = req
        .headers
        .keys()
        .map(|k| k.as_str().to_ascii_lowercase())
        .collect();
    names.sort();
    names.dedup();
    let scope = Scope {
        date: amz_date.chars().take(8).collect(),
        region: region.to_owned(),
        service: service.to_owned(),
        terminator: TERMINATOR.to_owned(),
    };
    let canonical = canonical_request(req, &names);
    let sts = string_to_sign(amz_date, &scope, &canonical);
    let sig = signature(&signing_key(secret, &scope), &sts);
    format!(
        "{ALGORITHM} Credential={access_key_id}/{scope}, SignedHeaders={}, Signature={sig}",
        names.join(";")
    )
}

/// Compares two signatures in time independent of where they differ.
pub fn signatures_equal(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail here.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(data);
    mac.finalize().into_bytes().into()
}

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// The URI-encoded, normalised path. Services other than S3 encode the path as sent once more
/// (a `%` becomes `%25`), which is what the SDKs sign.
fn canonical_uri(path: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            s => segments.push(s),
        }
    }
    let mut out = String::from("/");
    out.push_str(
        &segments
            .iter()
            .map(|s| uri_encode(s.as_bytes()))
            .collect::<Vec<_>>()
            .join("/"),
    );
    if !segments.is_empty() && path.ends_with('/') {
        out.push('/');
    }
    out
}

/// Decodes each name and value of the query, encodes them as SigV4 does, and sorts the pairs.
fn canonical_query(query: &str) -> String {
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (name, value) = p.split_once('=').unwrap_or((p, ""));
            (
                uri_encode(&percent_decode(name)),
                uri_encode(&percent_decode(value)),
            )
        })
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// RFC 3986 encoding of everything but the unreserved characters, with upper-case hex.
fn uri_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `%XX` escapes decoded; a `%` not followed by two hex digits stays as it is.
fn percent_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match escaped {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    out
}

/// Trims a header value and replaces each run of spaces and tabs with one space.
fn collapse_spaces(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests;
