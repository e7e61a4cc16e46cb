//! JSONata: `Expression::compile` on arbitrary text; when it compiles, `evaluate` with a
//! `$states` object built from a document, and the document's members as variables.
//! Input: `EXPRESSION \0 JSON-DOCUMENT`.
//!
//! Inputs are capped (the evaluator's own guards are a 10 s timeout and a 10^7-item sequence
//! bound; a long expression can legitimately spend them, which only slows fuzzing down).
#![no_main]

use estado_fuzz::{split, Fixture};
use estado_json::{json, Value};
use estado_jsonata::{Expression, JsonataTemplate};
use libfuzzer_sys::fuzz_target;

/// Longest input tried; longer ones are ignored.
const MAX_INPUT: usize = 512;

fuzz_target!(|data: &[u8]| {
    if data.len() > MAX_INPUT {
        return;
    }
    let Some((text, doc)) = split(data) else {
        return;
    };
    let fx = Fixture::new(&doc);
    let states = json!({
        "input": doc,
        "result": doc,
        "errorOutput": {"Error": "E", "Cause": "c"},
        "context": fx.context,
    });
    if let Ok(expr) = Expression::compile(text) {
        let _ = expr.source();
        let _ = expr.evaluate(&states, &fx.scope(), "Output");
    }
    // The same text as a template string, the way definitions carry it.
    let template = Value::String(format!("{{%{text}%}}"));
    if let Ok(t) = JsonataTemplate::compile(&template) {
        let _ = t.eval(&states, &fx.scope_without_vars(), "Output");
    }
});
