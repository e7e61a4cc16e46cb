//! Helpers shared by this crate's integration tests.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A fresh database path on the target directory's disk (not /tmp, which may be tmpfs and
/// would make fsync free), unique per process and call; leftovers of earlier runs are removed.
pub fn fresh_db(tag: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("estado-store-sqlite");
    std::fs::create_dir_all(&dir).expect("create the test directory");
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let path = dir.join(format!("{tag}-{}-{n}.db", std::process::id()));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    path
}
