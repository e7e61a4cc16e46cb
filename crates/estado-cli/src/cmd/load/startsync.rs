//! Phase `startsync`: latency of `StartSyncExecution` of a 3-state EXPRESS machine, one
//! request after another on one keep-alive connection, after a warm-up. Every answer must be
//! SUCCEEDED with the right output; the time is the client's, from sending the request to
//! having read the whole answer.

use std::time::Instant;

use estado_json::json;

use super::client::{output_of, Sfn};
use super::figure::{quantile, secs, Figure, Goal};

/// many_small's machine (Pass, Choice, Succeed), the smallest useful execution.
pub const THREE_STATES: &str = r#"{
  "StartAt": "A",
  "States": {
    "A": {"Type": "Pass", "Parameters": {"x.$": "$.x", "y": 1}, "Next": "B"},
    "B": {"Type": "Choice",
          "Choices": [{"Variable": "$.x", "NumericGreaterThanEquals": 0, "Next": "C"}],
          "Default": "F"},
    "C": {"Type": "Succeed"},
    "F": {"Type": "Fail", "Error": "Negative", "Cause": "x < 0"}
  }
}"#;

pub const GOAL_P50_SECONDS: f64 = 0.001;

pub struct Params {
    pub count: usize,
    pub warmup: usize,
    pub tag: String,
}

pub async fn run(sfn: &Sfn, p: &Params) -> anyhow::Result<Figure> {
    let machine = sfn
        .create_state_machine(
            &format!("load-startsync-{}", p.tag),
            THREE_STATES,
            "EXPRESS",
        )
        .await?;
    let mut wrong = 0usize;
    let mut samples = Vec::with_capacity(p.count);
    for i in 0..p.warmup + p.count {
        let input = json!({"x": i});
        let text = input.to_string();
        let t = Instant::now();
        let answer = sfn.start_sync_execution(&machine, &text).await?;
        let took = t.elapsed().as_secs_f64();
        let right =
            answer["status"] == "SUCCEEDED" && output_of(&answer) == Some(json!({"x": i, "y": 1}));
        wrong += usize::from(!right);
        if i >= p.warmup {
            samples.push(took);
        }
    }
    samples.sort_by(f64::total_cmp);
    let (p50, p99) = (quantile(&samples, 0.5), quantile(&samples, 0.99));
    let mean = samples.iter().sum::<f64>() / samples.len().max(1) as f64;
    let (min, max) = (quantile(&samples, 0.0), quantile(&samples, 1.0));
    Ok(Figure {
        phase: "startsync",
        name: "StartSyncExecution latency (3-state EXPRESS)".into(),
        value: p50,
        unit: "s",
        text: format!(
            "p50 {} p99 {} (mean {}, min {}, max {}) over {} sequential calls on one \
             keep-alive connection after {} warm-up calls; {} answers wrong",
            secs(p50),
            secs(p99),
            secs(mean),
            secs(min),
            secs(max),
            samples.len(),
            p.warmup,
            wrong
        ),
        goal: Some(Goal {
            text: "p50 < 1 ms".into(),
            met: p50 < GOAL_P50_SECONDS,
        }),
        correct: wrong == 0 && !samples.is_empty(),
        details: json!({
            "calls": samples.len(),
            "warmup_calls": p.warmup,
            "p50_seconds": p50,
            "p99_seconds": p99,
            "mean_seconds": mean,
            "min_seconds": min,
            "max_seconds": max,
            "wrong_answers": wrong,
        }),
    })
}
