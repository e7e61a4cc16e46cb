//! Who may call, and which region a request is for.
//!
//! By default every request is accepted, signed or not, as Step Functions Local does; the
//! region of a signed request is taken from its SigV4 credential scope. With access keys
//! configured, every request must carry a valid SigV4 signature for the service `states` made
//! with one of them, and is refused with AWS's errors otherwise.

use std::collections::HashMap;
use std::fmt;

use estado_api::{ApiError, ErrorCode};
use jiff::Timestamp;

use crate::sigv4::{self, Scope, SignedRequest, TERMINATOR};

/// The SigV4 signing name of Step Functions (the model's `endpointPrefix`, not `sfn`).
pub const SIGNING_NAME: &str = "states";

/// How far a request's signing time may be from the server's clock, either way.
pub const MAX_CLOCK_SKEW_SECONDS: i64 = 15 * 60;

/// An access key pair a client may sign with.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessKey {
    pub id: String,
    pub secret: String,
}

impl fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the secret (settings are logged at start-up).
        f.debug_struct("AccessKey")
            .field("id", &self.id)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// The authentication policy.
#[derive(Clone, Debug, Default)]
pub struct Auth {
    /// Secrets by access key id; `None` accepts every request.
    keys: Option<HashMap<String, String>>,
}

impl Auth {
    /// Accept every request, signed or not (Step Functions Local's behaviour).
    pub fn open() -> Self {
        Auth { keys: None }
    }

    /// Require a valid SigV4 signature made with one of `keys`. With no keys at all, every
    /// request is refused.
    pub fn with_keys(keys: impl IntoIterator<Item = AccessKey>) -> Self {
        Auth {
            keys: Some(keys.into_iter().map(|k| (k.id, k.secret)).collect()),
        }
    }

    /// Whether requests must be signed.
    pub fn requires_signature(&self) -> bool {
        self.keys.is_some()
    }

    /// Authenticates `req` at server time `now` and returns the region its credential scope
    /// names, if it names a usable one (`None`: use the configured region).
    ///
    /// Open: never fails. With keys, in AWS's order: no `Authorization` header ->
    /// `MissingAuthenticationTokenException`; a malformed one or no date ->
    /// `IncompleteSignatureException`; an unknown key -> `UnrecognizedClientException`; a scope
    /// for another service, a bad terminator or region, a scope date other than the request's,
    /// a signing time more than 15 minutes away, or a wrong signature ->
    /// `InvalidSignatureException`.
    pub fn authenticate(
        &self,
        req: &SignedRequest<'_>,
        now: Timestamp,
    ) -> Result<Option<String>, ApiError> {
        let header = req
            .headers
            .get("authorization")
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        let Some(keys) = &self.keys else {
            return Ok(header
                .as_deref()
                .and_then(sigv4::credential_of)
                .map(|c| c.scope.region)
                .filter(|r| is_region(r)));
        };
        let Some(header) = header else {
            return Err(ApiError::new(
                ErrorCode::MissingAuthenticationTokenException,
                "Missing Authentication Token",
            ));
        };
        let auth = sigv4::parse_authorization(&header)
            .map_err(|e| ApiError::new(ErrorCode::IncompleteSignatureException, e.0))?;
        let Some(amz_date) = signing_time(req) else {
            return Err(ApiError::new(
                ErrorCode::IncompleteSignatureException,
                format!("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization={header}"),
            ));
        };
        let Some(secret) = keys.get(&auth.credential.access_key_id) else {
            return Err(ApiError::new(
                ErrorCode::UnrecognizedClientException,
                "The security token included in the request is invalid.",
            ));
        };
        let scope = &auth.credential.scope;
        check_scope(scope, &amz_date)?;
        check_skew(&amz_date, now)?;
        let canonical = sigv4::canonical_request(req, &auth.signed_headers);
        let sts = sigv4::string_to_sign(&amz_date.text, scope, &canonical);
        let expected = sigv4::signature(&sigv4::signing_key(secret, scope), &sts);
        if !sigv4::signatures_equal(&expected, &auth.signature) {
            return Err(ApiError::new(
                ErrorCode::InvalidSignatureException,
                format!(
                    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\nThe Canonical String for this request should have been\n'{canonical}'\n\nThe String-to-Sign should have been\n'{sts}'\n"
                ),
            ));
        }
        Ok(Some(scope.region.clone()))
    }
}

/// The time a request says it was signed, as sent and parsed.
struct SigningTime {
    /// `YYYYMMDD'T'HHMMSS'Z'`: what the string to sign contains.
    text: String,
    at: Timestamp,
}

/// `X-Amz-Date` (`20150830T123600Z`), else `Date` (RFC 7231, `Sun, 30 Aug 2015 12:36:00
/// GMT`). `None` when neither is present and readable.
fn signing_time(req: &SignedRequest<'_>) -> Option<SigningTime> {
    let header = |name: &str| {
        req.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(text) = header("x-amz-date") {
        let civil = jiff::civil::DateTime::strptime("%Y%m%dT%H%M%SZ", text).ok()?;
        let at = jiff::tz::TimeZone::UTC.to_timestamp(civil).ok()?;
        return Some(SigningTime {
            text: text.to_owned(),
            at,
        });
    }
    let at = jiff::fmt::rfc2822::parse(header("date")?).ok()?.timestamp();
    Some(SigningTime {
        text: amz_date(at),
        at,
    })
}

fn amz_date(at: Timestamp) -> String {
    at.strftime("%Y%m%dT%H%M%SZ").to_string()
}

fn check_scope(scope: &Scope, time: &SigningTime) -> Result<(), ApiError> {
    let invalid = |message: String| ApiError::new(ErrorCode::InvalidSignatureException, message);
    if scope.service != SIGNING_NAME {
        return Err(invalid(format!(
            "Credential should be scoped to correct service: '{SIGNING_NAME}'. "
        )));
    }
    if scope.terminator != TERMINATOR {
        return Err(invalid(format!(
            "Credential should be scoped with a valid terminator: '{TERMINATOR}', not '{}'. ",
            scope.terminator
        )));
    }
    if !is_region(&scope.region) {
        return Err(invalid(format!(
            "Credential should be scoped to a valid region, not '{}'. ",
            scope.region
        )));
    }
    let day = time.text.get(..8).unwrap_or(&time.text);
    if scope.date != day {
        return Err(invalid(format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != '{day}', from '{}'.",
            scope.date, time.text
        )));
    }
    Ok(())
}

fn check_skew(time: &SigningTime, now: Timestamp) -> Result<(), ApiError> {
    let skew = jiff::SignedDuration::from_secs(MAX_CLOCK_SKEW_SECONDS);
    let minutes = MAX_CLOCK_SKEW_SECONDS / 60;
    let invalid = |message: String| ApiError::new(ErrorCode::InvalidSignatureException, message);
    // Timestamps within jiff's range; saturate rather than fail at its ends.
    let earliest = now.checked_sub(skew).unwrap_or(Timestamp::MIN);
    let latest = now.checked_add(skew).unwrap_or(Timestamp::MAX);
    if time.at < earliest {
        return Err(invalid(format!(
            "Signature expired: {} is now earlier than {} ({} - {minutes} min.)",
            time.text,
            amz_date(earliest),
            amz_date(now)
        )));
    }
    if time.at > latest {
        return Err(invalid(format!(
            "Signature not yet current: {} is still later than {} ({} + {minutes} min.)",
            time.text,
            amz_date(latest),
            amz_date(now)
        )));
    }
    Ok(())
}

/// A region name usable in ARNs: lower-case letters, digits and inner hyphens
/// (`us-east-1`, `eu-central-2`, `local`).
pub fn is_region(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('-')
        && !name.ends_with('-')
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests;
