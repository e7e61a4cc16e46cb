//! Intrinsic functions: `Call::parse` on arbitrary text; when it parses, `eval` against a
//! document (with and without workflow variables). Input: `CALL \0 JSON-DOCUMENT`.
#![no_main]

use estado_expr::intrinsics::{looks_like_call, Call};
use estado_fuzz::{split, Fixture};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((text, doc)) = split(data) else {
        return;
    };
    let _ = looks_like_call(text);
    let Ok(call) = Call::parse(text) else {
        return;
    };
    let _ = call.name();
    let _ = call.to_string();
    let fx = Fixture::new(&doc);
    let _ = call.eval(&doc, &fx.scope());
    let _ = call.eval(&doc, &fx.scope_without_vars());
});
