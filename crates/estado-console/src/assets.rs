//! The embedded files. Every file under `assets/` must be listed in [`FILES`] (a test checks).

use std::sync::OnceLock;

use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// `(path under assets/, content type, bytes)`.
pub(crate) const FILES: &[(&str, &str, &[u8])] = &[
    ("index.html", HTML, include_bytes!("../assets/index.html")),
    ("style.css", CSS, include_bytes!("../assets/style.css")),
    ("js/app.js", JS, include_bytes!("../assets/js/app.js")),
    ("js/api.js", JS, include_bytes!("../assets/js/api.js")),
    ("js/dom.js", JS, include_bytes!("../assets/js/dom.js")),
    ("js/asl.js", JS, include_bytes!("../assets/js/asl.js")),
    ("js/layout.js", JS, include_bytes!("../assets/js/layout.js")),
    ("js/graph.js", JS, include_bytes!("../assets/js/graph.js")),
    (
        "js/history.js",
        JS,
        include_bytes!("../assets/js/history.js"),
    ),
    ("js/live.js", JS, include_bytes!("../assets/js/live.js")),
    ("js/vlist.js", JS, include_bytes!("../assets/js/vlist.js")),
    (
        "js/machines.js",
        JS,
        include_bytes!("../assets/js/machines.js"),
    ),
    (
        "js/executions.js",
        JS,
        include_bytes!("../assets/js/executions.js"),
    ),
    (
        "js/execution.js",
        JS,
        include_bytes!("../assets/js/execution.js"),
    ),
    ("js/stages.js", JS, include_bytes!("../assets/js/stages.js")),
    (
        "js/activities.js",
        JS,
        include_bytes!("../assets/js/activities.js"),
    ),
    ("favicon.svg", SVG, include_bytes!("../assets/favicon.svg")),
];

const HTML: &str = "text/html; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const SVG: &str = "image/svg+xml";

/// `GET /`.
pub(crate) async fn index(headers: HeaderMap) -> Response {
    serve("index.html", &headers)
}

/// `GET /console/assets/{*path}`.
pub(crate) async fn asset(Path(path): Path<String>, headers: HeaderMap) -> Response {
    serve(&path, &headers)
}

fn serve(path: &str, headers: &HeaderMap) -> Response {
    let Some(index) = FILES.iter().position(|(p, _, _)| *p == path) else {
        return (StatusCode::NOT_FOUND, "no such console file").into_response();
    };
    let (_, content_type, bytes) = FILES[index];
    let etag = &etags()[index];
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, content_type)], bytes).into_response()
    };
    let h = response.headers_mut();
    // Revalidate every time: the files change with the binary, and a 304 costs little.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(v) = HeaderValue::from_str(etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// One strong ETag per file, from its content.
fn etags() -> &'static [String] {
    static ETAGS: OnceLock<Vec<String>> = OnceLock::new();
    ETAGS.get_or_init(|| {
        FILES
            .iter()
            .map(|(_, _, bytes)| format!("\"{}\"", &hex::encode(Sha256::digest(bytes))[..32]))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn files_on_disk(dir: &std::path::Path, base: &std::path::Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{dir:?}: {e}")) {
            let path = entry.map(|e| e.path()).unwrap_or_else(|e| panic!("{e}"));
            if path.is_dir() {
                files_on_disk(&path, base, out);
            } else if let Ok(rel) = path.strip_prefix(base) {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }

    #[test]
    fn every_asset_file_is_embedded() {
        let base = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets");
        let mut on_disk = Vec::new();
        files_on_disk(&base, &base, &mut on_disk);
        on_disk.sort();
        let mut listed: Vec<String> = FILES.iter().map(|(p, _, _)| p.to_string()).collect();
        listed.sort();
        assert_eq!(on_disk, listed);
    }
}
