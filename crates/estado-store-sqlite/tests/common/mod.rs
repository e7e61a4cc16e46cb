//! Helpers shared by this crate's integration tests.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Once;
use std::time::{Duration, SystemTime};

/// A fresh database path on the target directory's disk (not /tmp, which may be tmpfs and
/// would make fsync free), unique per process and call.
pub fn fresh_db(tag: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    static SWEEP: Once = Once::new();
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("estado-store-sqlite");
    std::fs::create_dir_all(&dir).expect("create the test directory");
    SWEEP.call_once(|| sweep_old(&dir));
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    dir.join(format!("{tag}-{}-{n}.db", std::process::id()))
}

/// Removes databases left by earlier runs. Only old ones: a test binary running beside this
/// one may still use its files.
fn sweep_old(dir: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let cutoff = SystemTime::now() - Duration::from_secs(3_600);
    for entry in entries.flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| t < cutoff);
        if old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}
