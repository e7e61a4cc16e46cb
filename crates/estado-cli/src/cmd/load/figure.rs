//! One measured figure: a line for people, an object for `--json`.

use estado_json::{json, Value};

/// A goal a figure is held to, and whether it is met.
#[derive(Debug, Clone)]
pub struct Goal {
    /// As people read it, e.g. `>= 5,000/s`.
    pub text: String,
    pub met: bool,
}

#[derive(Debug, Clone)]
pub struct Figure {
    /// The phase that measured it (`throughput`, `transitions`, `memory`, `startsync`).
    pub phase: &'static str,
    /// What is measured, e.g. `many_small completed executions/s`.
    pub name: String,
    /// The figure itself, in `unit`.
    pub value: f64,
    pub unit: &'static str,
    /// The value and how it came about, as people read it.
    pub text: String,
    pub goal: Option<Goal>,
    /// False when the phase failed or an answer was wrong: the figure is then not to be
    /// trusted, whatever its value.
    pub correct: bool,
    /// Everything else the phase measured, for `--json`.
    pub details: Value,
}

impl Figure {
    /// A phase that could not produce its figure.
    pub fn failed(phase: &'static str, name: &str, why: &str) -> Figure {
        Figure {
            phase,
            name: name.to_owned(),
            value: f64::NAN,
            unit: "",
            text: format!("FAILED: {why}"),
            goal: None,
            correct: false,
            details: json!({ "error": why }),
        }
    }

    pub fn line(&self) -> String {
        let goal = match &self.goal {
            Some(g) => format!(
                "  [goal {}: {}]",
                g.text,
                if g.met { "met" } else { "MISSED" }
            ),
            None => String::new(),
        };
        let wrong = if self.correct || self.text.starts_with("FAILED") {
            ""
        } else {
            "  WRONG ANSWERS"
        };
        format!(
            "{:<11} {}: {}{goal}{wrong}",
            self.phase, self.name, self.text
        )
    }

    pub fn json(&self) -> Value {
        json!({
            "phase": self.phase,
            "name": self.name,
            "value": if self.value.is_finite() { json!(self.value) } else { Value::Null },
            "unit": self.unit,
            "text": self.text,
            "goal": self.goal.as_ref().map(|g| g.text.clone()),
            "goal_met": self.goal.as_ref().map(|g| g.met),
            "correct": self.correct,
            "details": self.details,
        })
    }
}

/// `1234567.0` -> `1.23 M`, `45678.0` -> `45.7 k`, `950.0` -> `950`.
pub fn si(v: f64) -> String {
    if v >= 1e6 {
        format!("{:.2} M", v / 1e6)
    } else if v >= 1e4 {
        format!("{:.1} k", v / 1e3)
    } else if v >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// Seconds as people read them: `0.412 ms`, `12.3 ms`, `1.82 s`.
pub fn secs(s: f64) -> String {
    if s < 0.001 {
        format!("{:.1} µs", s * 1e6)
    } else if s < 0.1 {
        format!("{:.3} ms", s * 1e3)
    } else if s < 10.0 {
        format!("{s:.2} s")
    } else {
        format!("{s:.1} s")
    }
}

/// Bytes in decimal units: `183.4 MB`, `1.68 KB`.
pub fn bytes(b: f64) -> String {
    if b.abs() >= 1e6 {
        format!("{:.1} MB", b / 1e6)
    } else if b.abs() >= 1e3 {
        format!("{:.2} KB", b / 1e3)
    } else {
        format!("{b:.0} B")
    }
}

/// The value at quantile `q` (0..=1) of sorted samples, by nearest rank.
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_nearest_rank() {
        let samples: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(quantile(&samples, 0.5), 50.0);
        assert_eq!(quantile(&samples, 0.99), 99.0);
        assert_eq!(quantile(&samples, 1.0), 100.0);
        assert_eq!(quantile(&samples, 0.0), 1.0);
        assert_eq!(quantile(&[7.0], 0.99), 7.0);
        assert!(quantile(&[], 0.5).is_nan());
    }

    #[test]
    fn a_line_names_phase_figure_and_goal() {
        let f = Figure {
            phase: "startsync",
            name: "StartSyncExecution latency".into(),
            value: 0.0004,
            unit: "s",
            text: "p50 0.400 ms".into(),
            goal: Some(Goal {
                text: "p50 < 1 ms".into(),
                met: true,
            }),
            correct: true,
            details: Value::Null,
        };
        assert_eq!(
            f.line(),
            "startsync   StartSyncExecution latency: p50 0.400 ms  [goal p50 < 1 ms: met]"
        );
        let failed = Figure::failed("memory", "RSS", "no pid");
        assert_eq!(failed.line(), "memory      RSS: FAILED: no pid");
        assert_eq!(failed.json()["value"], Value::Null);
    }

    #[test]
    fn units_read_naturally() {
        assert_eq!(si(5494.2), "5494");
        assert_eq!(si(45_678.0), "45.7 k");
        assert_eq!(si(2_320_000.0), "2.32 M");
        assert_eq!(secs(0.000_412), "412.0 µs");
        assert_eq!(secs(0.0123), "12.300 ms");
        assert_eq!(secs(1.824), "1.82 s");
        assert_eq!(bytes(183_400_000.0), "183.4 MB");
        assert_eq!(bytes(1_680.0), "1.68 KB");
    }
}
