//! Payload templates: `Template::compile` on an arbitrary JSON value (members named `"x.$"`
//! hold paths or intrinsic calls); when it compiles, `eval` against a document.
//! Input: `TEMPLATE-JSON \0 JSON-DOCUMENT`.
#![no_main]

use estado_expr::template::{Dynamic, Template};
use estado_fuzz::{split, Fixture};
use estado_json::Value;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((text, doc)) = split(data) else {
        return;
    };
    let fx = Fixture::new(&doc);
    let scope = fx.scope();
    match serde_json::from_str::<Value>(text) {
        Ok(value) => {
            if let Ok(template) = Template::compile(&value) {
                let _ = template.is_static();
                let _ = template.eval(&doc, &scope);
            }
        }
        // Not JSON: try the text as one dynamic value (`"x.$": TEXT`).
        Err(_) => {
            if let Ok(dynamic) = Dynamic::parse(text) {
                let _ = dynamic.source();
                let _ = dynamic.eval(&doc, &scope, "x.$");
            }
        }
    }
});
