//! The authentication policy: open by default; with keys, AWS's errors in AWS's order. Signed
//! requests come from botocore (`tests/fixtures/botocore_signed.json`) and from our signer.

use axum::http::{HeaderMap, HeaderName, HeaderValue};
use estado_api::ErrorCode;
use jiff::Timestamp;
use serde_json::Value;

use super::*;
use crate::sigv4::authorization_header;

const FIXTURE: &str = include_str!("../../tests/fixtures/botocore_signed.json");

/// A request as a client sent it.
struct Sent {
    method: String,
    path: String,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Sent {
    fn view(&self) -> SignedRequest<'_> {
        SignedRequest {
            method: &self.method,
            path: &self.path,
            query: None,
            headers: &self.headers,
            body: &self.body,
        }
    }

    fn set(&mut self, name: &str, value: &str) {
        let name = HeaderName::from_bytes(name.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        let value = HeaderValue::from_str(value).unwrap_or_else(|e| panic!("{e}"));
        self.headers.insert(name, value);
    }

    fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("no {name}"))
            .to_owned()
    }

    /// The time the request says it was signed.
    fn signed_at(&self) -> Timestamp {
        let text = self.header("x-amz-date");
        jiff::civil::DateTime::strptime("%Y%m%dT%H%M%SZ", &text)
            .and_then(|d| jiff::tz::TimeZone::UTC.to_timestamp(d))
            .unwrap_or_else(|e| panic!("{e}"))
    }
}

fn fixture() -> (AccessKey, Vec<(String, Sent)>) {
    let v: Value = serde_json::from_str(FIXTURE).unwrap_or_else(|e| panic!("{e}"));
    let key = AccessKey {
        id: v["key_id"].as_str().unwrap_or_default().into(),
        secret: v["secret"].as_str().unwrap_or_default().into(),
    };
    let requests = v["requests"]
        .as_array()
        .unwrap_or_else(|| panic!("no requests"))
        .iter()
        .map(|r| {
            let mut sent = Sent {
                method: r["method"].as_str().unwrap_or_default().into(),
                path: r["path"].as_str().unwrap_or_default().into(),
                headers: HeaderMap::new(),
                body: r["body"].as_str().unwrap_or_default().as_bytes().to_vec(),
            };
            for pair in r["headers"].as_array().into_iter().flatten() {
                sent.set(
                    pair[0].as_str().unwrap_or_default(),
                    pair[1].as_str().unwrap_or_default(),
                );
            }
            (r["region"].as_str().unwrap_or_default().to_owned(), sent)
        })
        .collect();
    (key, requests)
}

fn strict() -> Auth {
    Auth::with_keys([fixture().0])
}

/// `auth` refuses `sent` at `now` with `code`; returns the message.
fn refuses(auth: &Auth, sent: &Sent, now: Timestamp, code: ErrorCode) -> String {
    match auth.authenticate(&sent.view(), now) {
        Ok(region) => panic!("accepted (region {region:?}), expected {code}"),
        Err(e) => {
            assert_eq!(e.code(), code, "{e}");
            e.message().unwrap_or_default().to_owned()
        }
    }
}

fn first_request() -> Sent {
    fixture().1.remove(0).1
}

#[test]
fn requests_signed_by_botocore_are_accepted_with_their_region() {
    let auth = strict();
    for (region, sent) in fixture().1 {
        assert_eq!(
            auth.authenticate(&sent.view(), sent.signed_at()),
            Ok(Some(region))
        );
    }
}

#[test]
fn open_auth_accepts_anything_and_reads_the_region_when_it_can() {
    let auth = Auth::open();
    let (_, requests) = fixture();
    for (region, sent) in requests {
        assert_eq!(
            auth.authenticate(&sent.view(), Timestamp::UNIX_EPOCH),
            Ok(Some(region))
        );
    }
    let mut unsigned = first_request();
    unsigned.headers.remove("authorization");
    assert_eq!(
        auth.authenticate(&unsigned.view(), Timestamp::now()),
        Ok(None)
    );
    unsigned.set(
        "authorization",
        "AWS4-HMAC-SHA256 Credential=k/20240101/Not A Region/states/aws4_request",
    );
    assert_eq!(
        auth.authenticate(&unsigned.view(), Timestamp::now()),
        Ok(None)
    );
}

#[test]
fn an_unsigned_request_is_missing_its_token() {
    let mut sent = first_request();
    sent.headers.remove("authorization");
    let message = refuses(
        &strict(),
        &sent,
        sent.signed_at(),
        ErrorCode::MissingAuthenticationTokenException,
    );
    assert_eq!(message, "Missing Authentication Token");
}

#[test]
fn an_unknown_key_is_an_unrecognized_client() {
    let sent = first_request();
    let other = Auth::with_keys([AccessKey {
        id: "SOMEONEELSE".into(),
        secret: "x".into(),
    }]);
    let message = refuses(
        &other,
        &sent,
        sent.signed_at(),
        ErrorCode::UnrecognizedClientException,
    );
    assert_eq!(
        message,
        "The security token included in the request is invalid."
    );
}

#[test]
fn a_changed_body_breaks_the_signature() {
    let mut sent = first_request();
    sent.body =
        br#"{"stateMachineArn": "arn:aws:states:eu-west-3:123456789012:stateMachine:Other"}"#
            .to_vec();
    let message = refuses(
        &strict(),
        &sent,
        sent.signed_at(),
        ErrorCode::InvalidSignatureException,
    );
    assert!(
        message.starts_with("The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\nThe Canonical String for this request should have been\n'POST\n/\n\ncontent-type:application/x-amz-json-1.0\nhost:127.0.0.1:8083\n"),
        "{message}"
    );
    assert!(
        message.contains("\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n"),
        "{message}"
    );
}

#[test]
fn a_wrong_secret_breaks_the_signature() {
    let sent = first_request();
    let auth = Auth::with_keys([AccessKey {
        id: fixture().0.id,
        secret: "not the secret".into(),
    }]);
    refuses(
        &auth,
        &sent,
        sent.signed_at(),
        ErrorCode::InvalidSignatureException,
    );
}

#[test]
fn signatures_older_or_newer_than_fifteen_minutes_are_refused() {
    let sent = first_request();
    let at = sent.signed_at();
    let auth = strict();
    let minutes = |m: i64| jiff::SignedDuration::from_secs(m * 60);
    assert!(auth.authenticate(&sent.view(), at + minutes(15)).is_ok());
    assert!(auth.authenticate(&sent.view(), at - minutes(15)).is_ok());
    let date = sent.header("x-amz-date");
    let late = refuses(
        &auth,
        &sent,
        at + minutes(16),
        ErrorCode::InvalidSignatureException,
    );
    assert!(
        late.starts_with(&format!("Signature expired: {date} is now earlier than ")),
        "{late}"
    );
    assert!(late.ends_with(" - 15 min.)"), "{late}");
    let early = refuses(
        &auth,
        &sent,
        at - minutes(16),
        ErrorCode::InvalidSignatureException,
    );
    assert!(
        early.starts_with(&format!(
            "Signature not yet current: {date} is still later than "
        )),
        "{early}"
    );
}

/// Re-signs `sent` with the fixture's key for `service` in `region`, dated `amz_date`.
fn resign(sent: &mut Sent, amz_date: &str, region: &str, service: &str) {
    sent.headers.remove("authorization");
    for name in [
        "user-agent",
        "amz-sdk-invocation-id",
        "amz-sdk-request",
        "content-length",
    ] {
        sent.headers.remove(name);
    }
    sent.set("x-amz-date", amz_date);
    let key = fixture().0;
    let header = authorization_header(
        &sent.view(),
        &key.id,
        &key.secret,
        amz_date,
        region,
        service,
    );
    sent.set("authorization", &header);
}

#[test]
fn our_own_signatures_verify() {
    let mut sent = first_request();
    resign(&mut sent, "20300101T000000Z", "local", "states");
    assert_eq!(
        strict().authenticate(&sent.view(), sent.signed_at()),
        Ok(Some("local".into()))
    );
}

#[test]
fn a_scope_for_another_service_is_refused() {
    let mut sent = first_request();
    resign(&mut sent, "20300101T000000Z", "us-east-1", "sfn");
    let message = refuses(
        &strict(),
        &sent,
        sent.signed_at(),
        ErrorCode::InvalidSignatureException,
    );
    assert_eq!(
        message,
        "Credential should be scoped to correct service: 'states'. "
    );
}

#[test]
fn a_scope_dated_another_day_is_refused() {
    let mut sent = first_request();
    resign(&mut sent, "20300101T000000Z", "us-east-1", "states");
    let header = sent
        .header("authorization")
        .replace("/20300101/", "/20300102/");
    sent.set("authorization", &header);
    let message = refuses(
        &strict(),
        &sent,
        sent.signed_at(),
        ErrorCode::InvalidSignatureException,
    );
    assert_eq!(
        message,
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20300102' != '20300101', from '20300101T000000Z'."
    );
}

#[test]
fn a_request_without_a_date_is_incomplete() {
    let mut sent = first_request();
    sent.headers.remove("x-amz-date");
    let message = refuses(
        &strict(),
        &sent,
        Timestamp::now(),
        ErrorCode::IncompleteSignatureException,
    );
    assert!(message.starts_with("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256 "), "{message}");
}

#[test]
fn the_date_header_serves_when_there_is_no_x_amz_date() {
    let mut sent = first_request();
    sent.headers.remove("x-amz-date");
    sent.set("date", "Tue, 01 Jan 2030 00:00:00 GMT");
    let key = fixture().0;
    sent.headers.remove("authorization");
    let header = authorization_header(
        &sent.view(),
        &key.id,
        &key.secret,
        "20300101T000000Z",
        "us-west-2",
        "states",
    );
    sent.set("authorization", &header);
    let now = Timestamp::from_second(1_893_456_000).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        strict().authenticate(&sent.view(), now),
        Ok(Some("us-west-2".into()))
    );
}

#[test]
fn a_malformed_authorization_header_is_incomplete() {
    let mut sent = first_request();
    sent.set(
        "authorization",
        "AWS4-HMAC-SHA256 Credential=AKIDESTADOTEST/20261124/eu-west-3/states/aws4_request",
    );
    refuses(
        &strict(),
        &sent,
        sent.signed_at(),
        ErrorCode::IncompleteSignatureException,
    );
    sent.set("authorization", "Bearer abc");
    refuses(
        &strict(),
        &sent,
        sent.signed_at(),
        ErrorCode::IncompleteSignatureException,
    );
}

#[test]
fn region_names_are_lower_case_words_joined_by_hyphens() {
    for good in ["us-east-1", "eu-central-2", "local", "cn-north-1"] {
        assert!(is_region(good), "{good}");
    }
    for bad in ["", "US-EAST-1", "-a", "a-", "us east 1", "a:b", "a/b"] {
        assert!(!is_region(bad), "{bad}");
    }
}
