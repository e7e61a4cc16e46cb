//! `estado load`: spawns its own `estado serve`, measures, prints one line per figure with its
//! goal (or JSON), and refuses endpoints off this machine.

use std::process::Command;

use estado_json::Value;

fn estado(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_estado"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run estado: {e}"));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn startsync_against_a_spawned_server_reports_p50_and_p99_with_the_goal() {
    let (code, stdout, stderr) =
        estado(&["load", "--spawn", "--only", "startsync", "--count", "20"]);
    assert_eq!(code, 0, "stdout:\n{stdout}\nstderr:\n{stderr}");
    let line = stdout
        .lines()
        .find(|l| l.starts_with("startsync"))
        .unwrap_or_else(|| panic!("no startsync line in:\n{stdout}"));
    assert!(line.contains("p50 ") && line.contains("p99 "), "{line}");
    assert!(line.contains("over 20 sequential calls"), "{line}");
    assert!(line.contains("[goal p50 < 1 ms: "), "{line}");
    assert!(line.contains("0 answers wrong"), "{line}");
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("summary: 1 figures, 1 with right answers")),
        "{stdout}"
    );
}

#[test]
fn json_holds_each_figure_with_its_goal() {
    let (code, stdout, stderr) = estado(&["load", "--only", "startsync", "--count", "5", "--json"]);
    assert_eq!(code, 0, "stderr:\n{stderr}");
    let doc: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    let figures = doc["figures"].as_array().unwrap_or_else(|| panic!("{doc}"));
    assert_eq!(figures.len(), 1);
    let f = &figures[0];
    assert_eq!(f["phase"], "startsync");
    assert_eq!(f["correct"], true);
    assert_eq!(f["goal"], "p50 < 1 ms");
    assert!(f["goal_met"].is_boolean());
    assert_eq!(f["details"]["calls"], 5);
    let p50 = f["details"]["p50_seconds"].as_f64().unwrap_or(-1.0);
    let p99 = f["details"]["p99_seconds"].as_f64().unwrap_or(-1.0);
    assert!(p50 > 0.0 && p99 >= p50, "{f}");
}

#[test]
fn endpoints_off_this_machine_are_refused_before_any_request() {
    for endpoint in [
        "http://10.0.0.1:8083",
        "http://example.com/",
        "https://127.0.0.1:1/",
    ] {
        let (code, _, stderr) = estado(&["load", "--endpoint", endpoint, "--only", "startsync"]);
        assert_eq!(code, 2, "{endpoint}: {stderr}");
        assert!(stderr.contains("--endpoint"), "{endpoint}: {stderr}");
    }
}

#[test]
fn a_server_that_is_not_there_fails_the_phase_with_exit_1() {
    // Port 9 on loopback (discard): nothing of ours listens there.
    let (code, stdout, _) = estado(&[
        "load",
        "--endpoint",
        "http://127.0.0.1:9",
        "--only",
        "startsync",
        "--count",
        "1",
        "--timeout",
        "20",
    ]);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("startsync   StartSyncExecution latency (3-state EXPRESS): FAILED: "),
        "{stdout}"
    );
}

/// A transitions case with a goal is measured in paired rounds (a fresh in-memory figure,
/// then the server's), every round is kept, and the figure is the round with the median share.
#[test]
fn a_case_with_a_goal_reports_the_median_of_its_paired_rounds() {
    let (code, stdout, stderr) = estado(&[
        "load",
        "--only",
        "transitions",
        "--case",
        "map_1k STANDARD durable, sustained",
        "--count",
        "6",
        "--concurrency",
        "3",
        "--runs",
        "1",
        "--rounds",
        "3",
        "--json",
    ]);
    assert!(code == 0 || code == 1, "stderr:\n{stderr}");
    let doc: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    let figures = doc["figures"].as_array().unwrap_or_else(|| panic!("{doc}"));
    assert_eq!(figures.len(), 1, "{doc}");
    let f = &figures[0];
    assert_eq!(f["correct"], true, "{f}");
    assert_eq!(f["goal"], ">= 0.5x in-memory");
    let rounds = f["details"]["rounds"]
        .as_array()
        .unwrap_or_else(|| panic!("no rounds: {f}"));
    assert_eq!(rounds.len(), 3, "{f}");
    let mut shares: Vec<f64> = rounds
        .iter()
        .map(|r| r["share_of_in_memory"].as_f64().unwrap_or(-1.0))
        .collect();
    assert!(shares.iter().all(|s| *s > 0.0), "{f}");
    for r in rounds {
        let (server, mem) = (
            r["transitions_per_second"].as_f64().unwrap_or(-1.0),
            r["in_memory_transitions_per_second"]
                .as_f64()
                .unwrap_or(-1.0),
        );
        let share = r["share_of_in_memory"].as_f64().unwrap_or(-1.0);
        assert!((server / mem - share).abs() < 1e-9, "{r}");
    }
    shares.sort_by(f64::total_cmp);
    assert_eq!(
        f["details"]["share_of_in_memory"].as_f64(),
        Some(shares[1]),
        "{f}"
    );
    assert_eq!(f["goal_met"], shares[1] >= 0.5, "{f}");
}
