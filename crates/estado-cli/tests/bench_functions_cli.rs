//! `estado bench-functions`: a trivial Python handler through warm workers, measured.

use std::process::Command;

use estado_json::Value;

#[test]
fn it_measures_calls_overhead_throughput_and_worker_memory() {
    let out = Command::new(env!("CARGO_BIN_EXE_estado"))
        .args(["bench-functions", "--invocations", "50", "--json"])
        .output()
        .unwrap_or_else(|e| panic!("cannot run estado: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    for key in [
        "sequential_p50_ms",
        "overhead_p50_ms",
        "concurrent_per_s",
        "runner_p50_ms",
        "runner_concurrent_per_s",
    ] {
        let x = v[key]
            .as_f64()
            .unwrap_or_else(|| panic!("{key} missing: {v}"));
        assert!(x > 0.0 && x.is_finite(), "{key} = {x}");
    }
    assert!(v["overhead_p50_ms"].as_f64() <= v["sequential_p50_ms"].as_f64());
    assert_eq!(
        v["idle_workers"], 2,
        "--concurrency 2 keeps two warm workers: {v}"
    );
    let rss = v["idle_worker_rss_mb"].as_f64().unwrap_or(0.0);
    assert!(
        rss > 1.0 && rss < 500.0,
        "a Python worker's resident memory: {rss} MB"
    );
}

#[test]
fn it_prints_each_figure_with_the_goals() {
    let out = Command::new(env!("CARGO_BIN_EXE_estado"))
        .args([
            "bench-functions",
            "--invocations",
            "20",
            "--concurrency",
            "1",
        ])
        .output()
        .unwrap_or_else(|e| panic!("cannot run estado: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    for line in [
        "one at a time:",
        "added by Estado:",
        "1 callers, 1 workers:",
        "through the Lambda runner",
        "memory per idle worker:",
        "goals: added < 1 ms: ",
    ] {
        assert!(stdout.contains(line), "{line:?} missing from:\n{stdout}");
    }
}
