//! The peer's published figures and how Estado compares with them.
//!
//! Source: `bench/PEER_FIGURES.md` in this repository: aws-local-stepfunctions 3.0 (Node.js),
//! measured on a 2-core machine like the one the benchmark targets; medians of the execution
//! phase only (its start-up and definition load, 0.3-0.9 s, not counted). KB and MB there are
//! read as 1,000 and 1,000,000 bytes. Workloads it has no figure for are compared with nothing.

use std::time::Duration;

/// Estado's goal against the peer: at least this many times faster on every timed row.
pub const SPEED_GOAL: f64 = 100.0;
/// Estado's goal for a waiting execution: at most this many heap bytes (1 KB).
pub const WAITING_GOAL_BYTES: f64 = 1_000.0;

/// What the peer's figure for a workload measures.
#[derive(Debug, Clone, Copy)]
pub enum Figure {
    /// Execution time of one run.
    Run(Duration),
    /// Execution time per execution (`many` workloads).
    PerExecution(Duration),
    /// Memory per execution parked in a Wait (`many_concurrent` workloads).
    BytesPerWaiting(u64),
}

#[derive(Debug, Clone, Copy)]
pub struct Peer {
    pub workload: &'static str,
    pub figure: Figure,
    /// The peer's memory for the run, where it was published.
    pub memory_bytes: Option<u64>,
}

/// aws-local-stepfunctions 3.0, from `bench/PEER_FIGURES.md`.
pub const AWS_LOCAL_STEPFUNCTIONS: &[Peer] = &[
    Peer {
        workload: "pass_chain_1000",
        figure: Figure::Run(Duration::from_millis(68)),
        memory_bytes: None,
    },
    Peer {
        workload: "choice_loop_10k",
        figure: Figure::Run(Duration::from_millis(683)),
        memory_bytes: None,
    },
    Peer {
        workload: "map_10k",
        figure: Figure::Run(Duration::from_millis(1_090)),
        memory_bytes: Some(171_000_000),
    },
    Peer {
        workload: "parallel_100",
        figure: Figure::Run(Duration::from_millis(71)),
        memory_bytes: None,
    },
    Peer {
        workload: "many_small",
        figure: Figure::PerExecution(Duration::from_micros(54)),
        memory_bytes: None,
    },
    Peer {
        workload: "wait_10k",
        figure: Figure::BytesPerWaiting(9_800),
        memory_bytes: None,
    },
];

pub const PEER_NAME: &str = "aws-local-stepfunctions 3.0";

pub fn find(workload: &str) -> Option<&'static Peer> {
    AWS_LOCAL_STEPFUNCTIONS
        .iter()
        .find(|p| p.workload == workload)
}

/// How Estado compares with the peer on one workload.
#[derive(Debug, Clone, Copy)]
pub struct Comparison {
    /// Peer figure / Estado figure: times faster, or times less memory per waiting execution.
    pub ratio: f64,
    pub goal_met: bool,
}

/// Compare Estado's run time, per-execution time and heap per waiting execution with `peer`.
pub fn compare(
    peer: &Peer,
    run: Duration,
    per_execution: Duration,
    heap_per_waiting: Option<usize>,
) -> Option<Comparison> {
    match peer.figure {
        Figure::Run(p) => speed(p, run),
        Figure::PerExecution(p) => speed(p, per_execution),
        Figure::BytesPerWaiting(p) => {
            let ours = heap_per_waiting? as f64;
            Some(Comparison {
                ratio: p as f64 / ours.max(1.0),
                goal_met: ours <= WAITING_GOAL_BYTES,
            })
        }
    }
}

fn speed(peer: Duration, ours: Duration) -> Option<Comparison> {
    let ours = ours.as_secs_f64();
    if ours <= 0.0 {
        return None;
    }
    let ratio = peer.as_secs_f64() / ours;
    Some(Comparison {
        ratio,
        goal_met: ratio >= SPEED_GOAL,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_100_times_faster_meets_the_goal() {
        let peer = find("pass_chain_1000").expect("published");
        let c =
            compare(peer, Duration::from_micros(680), Duration::ZERO, None).expect("comparable");
        assert!((c.ratio - 100.0).abs() < 1e-9);
        assert!(c.goal_met);
    }

    #[test]
    fn a_waiting_execution_over_1_kb_misses_the_goal() {
        let peer = find("wait_10k").expect("published");
        let c = compare(peer, Duration::ZERO, Duration::ZERO, Some(2_450)).expect("comparable");
        assert!((c.ratio - 4.0).abs() < 1e-9);
        assert!(!c.goal_met);
    }

    #[test]
    fn many_compares_per_execution() {
        let peer = find("many_small").expect("published");
        let c = compare(
            peer,
            Duration::from_secs(1),
            Duration::from_nanos(540),
            None,
        )
        .expect("comparable");
        assert!((c.ratio - 100.0).abs() < 1e-6);
    }

    #[test]
    fn unpublished_workloads_have_no_peer() {
        assert!(find("map_1k").is_none());
    }
}
