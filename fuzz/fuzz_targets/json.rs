//! `estado_json::Value` against `serde_json::Value` (built with the same features): any bytes
//! get the same verdict from both parsers, and a document both accept is written back as the
//! same text, compact and pretty, and reads back equal to itself. Estado's own reader
//! (`estado_json::from_slice`) gives exactly what serde_json gives reading into
//! `estado_json::Value`: the same document or the same error message.
//! Input: any bytes (JSON text or not).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let read = estado_json::from_slice(data).map_err(|e| e.to_string());
    let through_serde =
        serde_json::from_slice::<estado_json::Value>(data).map_err(|e| e.to_string());
    assert_eq!(read, through_serde, "the reader and serde_json disagree");
    if let Ok(doc) = &read {
        assert_eq!(
            doc.to_string(),
            through_serde
                .as_ref()
                .map(|d| d.to_string())
                .unwrap_or_default()
        );
    }
    let ours = serde_json::from_slice::<estado_json::Value>(data);
    let theirs = serde_json::from_slice::<serde_json::Value>(data);
    match (ours, theirs) {
        (Ok(ours), Ok(theirs)) => {
            let text = serde_json::to_string(&ours).expect("a value serialises");
            assert_eq!(
                text,
                serde_json::to_string(&theirs).expect("a value serialises")
            );
            assert_eq!(ours.to_string(), text, "Display writes compact JSON");
            assert_eq!(
                format!("{ours:#}"),
                serde_json::to_string_pretty(&theirs).expect("a value serialises"),
                "alternate Display writes serde_json's pretty JSON"
            );
            let back: estado_json::Value = serde_json::from_str(&text).expect("own text parses");
            assert_eq!(back, ours, "a round trip gives the same document");
        }
        (Err(_), Err(_)) => {}
        (ours, theirs) => panic!(
            "the parsers disagree on {:?}: estado_json {:?}, serde_json {:?}",
            String::from_utf8_lossy(data),
            ours.map(|_| ()),
            theirs.map(|_| ())
        ),
    }
});
