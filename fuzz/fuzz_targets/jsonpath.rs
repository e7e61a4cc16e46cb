//! JSONPath: `Path::parse` and `Path::parse_reference` on arbitrary text; when the text parses,
//! `query`, `select` and `set` against a document. Input: `PATH \0 JSON-DOCUMENT`.
//!
//! Besides "no panic", checks contracts the callers rely on: a reference path is also a full
//! path and is definite, and after a successful `set` the same reference path finds the value.
#![no_main]

use estado_expr::path::Path;
use estado_fuzz::{split, Fixture};
use estado_json::json;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((text, doc)) = split(data) else {
        return;
    };
    let fx = Fixture::new(&doc);
    let scope = fx.scope();

    if let Ok(path) = Path::parse(text) {
        let _ = path.query(&doc, &scope);
        let _ = path.select(&doc, &scope);
        let _ = path.select(&doc, &fx.scope_without_vars());
        let _ = path.normalized();
        let _ = path.is_definite();
        let _ = path.set(doc.clone(), json!({"set": true}));
    }

    if let Ok(path) = Path::parse_reference(text) {
        assert!(
            Path::parse(text).is_ok(),
            "reference path {text:?} is not a valid full path"
        );
        assert!(
            path.is_definite(),
            "reference path {text:?} is not definite"
        );
        let _ = path.query(&doc, &scope);
        let _ = path.select(&doc, &scope);
        let _ = path.normalized();
        let marker = json!({"marker": [1, "two"]});
        if let Ok(updated) = path.set(doc.clone(), marker.clone()) {
            let found = path.query(&updated, &scope);
            assert_eq!(
                found,
                Ok(Some(marker)),
                "after set at {text:?} the path does not find the value"
            );
        }
    }
});
