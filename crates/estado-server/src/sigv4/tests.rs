//! SigV4 against AWS's published test suite (`aws-sig-v4-test-suite`: access key
//! `AKIDEXAMPLE`, region `us-east-1`, service `service`, signed at `20150830T123600Z`).

use axum::http::{HeaderMap, HeaderName, HeaderValue};
use proptest::prelude::*;

use super::*;

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const AMZ_DATE: &str = "20150830T123600Z";
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// One case of the suite: the request as sent, and AWS's expected intermediate strings.
struct Vector {
    name: &'static str,
    method: &'static str,
    path: &'static str,
    query: Option<&'static str>,
    headers: &'static [(&'static str, &'static str)],
    canonical: &'static str,
    string_to_sign: &'static str,
    authorization: &'static str,
}

const HOST: (&str, &str) = ("Host", "example.amazonaws.com");
const DATE: (&str, &str) = ("X-Amz-Date", AMZ_DATE);

const VECTORS: &[Vector] = &[
    Vector {
        name: "get-vanilla",
        method: "GET",
        path: "/",
        query: None,
        headers: &[HOST, DATE],
        canonical: "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        string_to_sign: "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nbb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
        authorization: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
    },
    Vector {
        name: "post-vanilla",
        method: "POST",
        path: "/",
        query: None,
        headers: &[HOST, DATE],
        canonical: "POST\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        string_to_sign: "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87",
        authorization: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
    },
    Vector {
        name: "get-vanilla-query-order-key-case",
        method: "GET",
        path: "/",
        query: Some("Param2=value2&Param1=value1"),
        headers: &[HOST, DATE],
        canonical: "GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        string_to_sign: "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0",
        authorization: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
    },
    Vector {
        name: "get-vanilla-query-order-value",
        method: "GET",
        path: "/",
        query: Some("Param1=value2&Param1=value1"),
        headers: &[HOST, DATE],
        canonical: "GET\n/\nParam1=value1&Param1=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        string_to_sign: "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nc968629d70850097a2d8781c9bf7edcb988b04cac14cca9be4acc3595f884606",
        authorization: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694",
    },
    Vector {
        name: "get-vanilla-query-unreserved",
        method: "GET",
        path: "/",
        query: Some("-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"),
        headers: &[HOST, DATE],
        canonical: "GET\n/\n-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        string_to_sign: "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nc30d4703d9f799439be92736156d47ccfb2d879ddf56f5befa6d1d6aab979177",
        authorization: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197",
    },
    Vector {
        name: "get-vanilla-utf8-query",
        method: "GET",
        path: "/",
        query: Some("%E1%88%B4=bar"),
        headers: &[HOST, DATE],
        canonical: "GET\n/\n%E1%88%B4=bar\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        string_to_sign: "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\neb30c5bed55734080471a834cc727ae56beb50e5f39d1bff6d0d38cb192a7073",
        authorization: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04",
    },
    Vector {
        name: "get-unreserved",
        method: "GET",
        path: "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
        query: None,
        headers: &[HOST, DATE],
        canonical: "GET\n/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        string_to_sign: "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n6a968768eefaa713e2a6b16b589a8ea192661f098f37349f4e2c0082757446f9",
        authorization: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f",
    },
    Vector {
        name: "get-header-key-duplicate",
        method: "GET",
        path: "/",
        query: None,
        headers: &[HOST, ("My-Header1", "value2"), ("My-Header1", "value2"), ("My-Header1", "value1"), DATE],
        canonical: "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value2,value2,value1\nx-amz-date:20150830T123600Z\n\nhost;my-header1;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        string_to_sign: "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\ndc7f04a3abfde8d472b0ab1a418b741b7c67174dad1551b4117b15527fbe966c",
        authorization: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;my-header1;x-amz-date, Signature=c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea",
    },
    Vector {
        name: "get-header-value-order",
        method: "GET",
        path: "/",
        query: None,
        headers: &[HOST, ("My-Header1", "value4"), ("My-Header1", "value1"), ("My-Header1", "value3"), ("My-Header1", "value2"), DATE],
        canonical: "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value4,value1,value3,value2\nx-amz-date:20150830T123600Z\n\nhost;my-header1;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        string_to_sign: "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n31ce73cd3f3d9f66977ad3dd957dc47af14df92fcd8509f59b349e9137c58b86",
        authorization: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;my-header1;x-amz-date, Signature=08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01",
    },
    Vector {
        name: "get-header-value-trim",
        method: "GET",
        path: "/",
        query: None,
        headers: &[HOST, ("My-Header1", "value1"), ("My-Header2", "\"a   b   c\""), DATE],
        canonical: "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nmy-header2:\"a b c\"\nx-amz-date:20150830T123600Z\n\nhost;my-header1;my-header2;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        string_to_sign: "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\na726db9b0df21c14f559d0a978e563112acb1b9e05476f0a6a1c7d68f28605c7",
        authorization: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;my-header1;my-header2;x-amz-date, Signature=acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736",
    },
    Vector {
        name: "post-header-value-case",
        method: "POST",
        path: "/",
        query: None,
        headers: &[HOST, ("My-Header1", "VALUE1"), DATE],
        canonical: "POST\n/\n\nhost:example.amazonaws.com\nmy-header1:VALUE1\nx-amz-date:20150830T123600Z\n\nhost;my-header1;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        string_to_sign: "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nd51ced243e649e3de6ef63afbbdcbca03131a21a7103a1583706a64618606a93",
        authorization: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;my-header1;x-amz-date, Signature=cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d",
    },
];

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        let name = HeaderName::from_bytes(name.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        let value = HeaderValue::from_str(value).unwrap_or_else(|e| panic!("{e}"));
        map.append(name, value);
    }
    map
}

/// The vector's request, its canonical request, string to sign and `Authorization` header all
/// come out as AWS publishes them.
fn signs_as_published(v: &Vector) {
    let map = headers(v.headers);
    let req = SignedRequest {
        method: v.method,
        path: v.path,
        query: v.query,
        headers: &map,
        body: b"",
    };
    let auth = parse_authorization(v.authorization).unwrap_or_else(|e| panic!("{}: {e}", v.name));
    let canonical = canonical_request(&req, &auth.signed_headers);
    assert_eq!(canonical, v.canonical, "{}: canonical request", v.name);
    let sts = string_to_sign(AMZ_DATE, &auth.credential.scope, &canonical);
    assert_eq!(sts, v.string_to_sign, "{}: string to sign", v.name);
    let sig = signature(&signing_key(SECRET, &auth.credential.scope), &sts);
    assert_eq!(sig, auth.signature, "{}: signature", v.name);
    let made = authorization_header(
        &req,
        "AKIDEXAMPLE",
        SECRET,
        AMZ_DATE,
        "us-east-1",
        "service",
    );
    assert_eq!(made, v.authorization, "{}: Authorization header", v.name);
}

#[test]
fn every_published_vector_signs_as_aws_does() {
    for v in VECTORS {
        signs_as_published(v);
    }
}

#[test]
fn the_empty_body_hashes_to_the_published_value() {
    assert_eq!(sha256_hex(b""), EMPTY_SHA256);
}

#[test]
fn an_authorization_header_splits_into_credential_scope_headers_and_signature() {
    let auth = parse_authorization(
        "AWS4-HMAC-SHA256 Credential=AKID/20261124/eu-west-3/states/aws4_request,SignedHeaders=host;X-Amz-Date , Signature=abc",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(auth.credential.access_key_id, "AKID");
    assert_eq!(
        auth.credential.scope.to_string(),
        "20261124/eu-west-3/states/aws4_request"
    );
    assert_eq!(auth.signed_headers, ["host", "x-amz-date"]);
    assert_eq!(auth.signature, "abc");
}

#[test]
fn missing_parameters_are_all_named_as_aws_does() {
    let header = "AWS4-HMAC-SHA256 Credential=AKID/20261124/us-east-1/states/aws4_request";
    assert_eq!(
        parse_authorization(header),
        Err(IncompleteSignature(format!(
            "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization={header}"
        )))
    );
    assert!(parse_authorization("Basic dXNlcjpwYXNz").is_err());
    assert!(parse_authorization(
        "AWS4-HMAC-SHA256X Credential=a/b/c/d/e, SignedHeaders=host, Signature=x"
    )
    .is_err());
}

#[test]
fn a_credential_without_a_full_scope_is_incomplete() {
    let header = "AWS4-HMAC-SHA256 Credential=AKID/us-east-1/states/aws4_request, SignedHeaders=host, Signature=x";
    assert!(parse_authorization(header).is_err());
    assert_eq!(credential_of(header), None);
}

#[test]
fn the_region_is_read_from_the_credential_alone() {
    let c =
        credential_of("AWS4-HMAC-SHA256 Credential=test/20240101/ap-south-1/states/aws4_request")
            .unwrap_or_else(|| panic!("no credential"));
    assert_eq!(c.scope.region, "ap-south-1");
}

#[test]
fn paths_are_normalised_and_encoded_once_more() {
    assert_eq!(canonical_uri(""), "/");
    assert_eq!(canonical_uri("/"), "/");
    assert_eq!(canonical_uri("//a/./b/../c/"), "/a/c/");
    assert_eq!(canonical_uri("/a%20b"), "/a%2520b");
}

#[test]
fn query_values_without_equals_sign_are_empty() {
    assert_eq!(canonical_query("b&a=1"), "a=1&b=");
    assert_eq!(canonical_query("a=%zz&c=%2f"), "a=%25zz&c=%2F");
    assert_eq!(canonical_query("a=%+1"), "a=%25%2B1");
}

proptest! {
    #[test]
    fn parsing_any_header_never_panics(header in ".{0,200}") {
        let _ = parse_authorization(&header);
        let _ = credential_of(&header);
        let _ = parse_authorization(&format!("AWS4-HMAC-SHA256 {header}"));
    }

    #[test]
    fn canonicalising_any_path_and_query_never_panics(path in ".{0,80}", query in ".{0,80}") {
        let _ = canonical_uri(&path);
        let _ = canonical_query(&query);
    }

    #[test]
    fn encoding_round_trips_through_decoding(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        prop_assert_eq!(percent_decode(&uri_encode(&bytes)), bytes);
    }
}
