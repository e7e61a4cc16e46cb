//! The figures of a benchmark, as a table (one line per workload and a summary line) or as
//! JSON. Sizes are SI (1 KB = 1,000 bytes), as the peer's figures are.

use std::time::Duration;

use estado_json::{json, Value};

use super::measure::Measurement;
use super::peer::{self, Comparison, Figure, Peer};
use super::workload::Mode;

/// One workload's figures.
pub struct Row {
    pub name: String,
    pub mode: Mode,
    pub executions: usize,
    /// Transitions of one run, per the manifest (the yardstick the peer's rates use).
    pub transitions_total: u64,
    /// Validating and compiling the definition (not part of the measured time).
    pub compile: Duration,
    pub m: Measurement,
    /// The process's RSS high-water mark after the workload (reset before it when possible).
    pub vm_hwm: Option<u64>,
    pub peer: Option<&'static Peer>,
}

impl Row {
    pub fn median(&self) -> Duration {
        self.m.median()
    }
    pub fn per_execution(&self) -> Duration {
        self.median() / u32::try_from(self.executions.max(1)).unwrap_or(u32::MAX)
    }
    pub fn transitions_per_second(&self) -> f64 {
        let s = self.median().as_secs_f64();
        if s > 0.0 {
            self.transitions_total as f64 / s
        } else {
            0.0
        }
    }
    pub fn correct(&self) -> bool {
        self.m.wrong == 0
    }
    pub fn comparison(&self) -> Option<Comparison> {
        self.peer.and_then(|p| {
            peer::compare(
                p,
                self.median(),
                self.per_execution(),
                self.m.heap_per_waiting,
            )
        })
    }
}

/// The whole benchmark's settings, shown with its figures.
pub struct Settings<'a> {
    pub workloads_dir: &'a str,
    pub machine_type: &'a str,
    pub runs: usize,
    pub warmup: usize,
    pub vm_hwm_reset: bool,
}

const HEADER: [&str; 11] = [
    "workload",
    "mode",
    "median",
    "per exec",
    "transitions/s",
    "heap peak",
    "heap/waiting",
    "VmHWM",
    "peer",
    "vs peer",
    "check",
];
const WIDTHS: [usize; 11] = [16, 15, 10, 10, 13, 10, 12, 9, 9, 16, 5];

/// The table: a header, one line per workload, wrong answers under their line, the summary.
pub fn table(rows: &[Row], s: &Settings) -> String {
    let mut out = format!(
        "estado bench: {} workloads from {}, {} run(s) each after {} warm-up, type {}; execution phase only; peer: {}\n",
        rows.len(),
        s.workloads_dir,
        s.runs,
        s.warmup,
        s.machine_type,
        peer::PEER_NAME
    );
    out.push_str(&line(&HEADER.map(String::from)));
    for r in rows {
        let cells = [
            r.name.clone(),
            r.mode.name().to_string(),
            duration(r.median()),
            if r.executions > 1 {
                duration(r.per_execution())
            } else {
                "-".into()
            },
            rate(r.transitions_per_second()),
            bytes(r.m.heap_peak as f64),
            r.m.heap_per_waiting.map_or("-".into(), |b| bytes(b as f64)),
            r.vm_hwm.map_or("-".into(), |b| bytes(b as f64)),
            r.peer.map_or("-".into(), |p| peer_figure(p.figure)),
            r.comparison().map_or("-".into(), versus),
            if r.correct() {
                "ok".into()
            } else {
                "WRONG".into()
            },
        ];
        out.push_str(&line(&cells));
        for f in &r.m.failures {
            out.push_str(&format!("    wrong answer: {f}\n"));
        }
        if r.m.wrong > r.m.failures.len() {
            out.push_str(&format!("    ... {} wrong answers in all\n", r.m.wrong));
        }
    }
    out.push_str(&summary_line(rows, s));
    out.push('\n');
    out
}

/// `summary: ...`: answers, the goal, and totals.
pub fn summary_line(rows: &[Row], s: &Settings) -> String {
    let wrong = rows.iter().filter(|r| !r.correct()).count();
    let compared: Vec<Comparison> = rows.iter().filter_map(Row::comparison).collect();
    let met = compared.iter().filter(|c| c.goal_met).count();
    let total_time: Duration = rows.iter().map(Row::median).sum();
    let transitions: u64 = rows.iter().map(|r| r.transitions_total).sum();
    let hwm = if s.vm_hwm_reset {
        ""
    } else {
        " (VmHWM not resettable: cumulative)"
    };
    format!(
        "summary: {} workloads, {} correct, {} wrong; goal (>= {}x the peer's speed, <= 1 KB per waiting execution) met on {} of {} compared; {} transitions in {} (medians){hwm}",
        rows.len(),
        rows.len() - wrong,
        wrong,
        peer::SPEED_GOAL,
        met,
        compared.len(),
        transitions,
        duration(total_time),
    )
}

/// The figures as one JSON document.
pub fn json(rows: &[Row], s: &Settings) -> Value {
    let workloads: Vec<Value> = rows.iter().map(row_json).collect();
    let wrong = rows.iter().filter(|r| !r.correct()).count();
    let compared: Vec<Comparison> = rows.iter().filter_map(Row::comparison).collect();
    json!({
        "settings": {
            "workloads": s.workloads_dir,
            "type": s.machine_type,
            "runs": s.runs,
            "warmup": s.warmup,
            "vm_hwm_reset_per_workload": s.vm_hwm_reset,
        },
        "workloads": workloads,
        "summary": {
            "workloads": rows.len(),
            "correct": rows.len() - wrong,
            "wrong": wrong,
            "compared_with_peer": compared.len(),
            "goal_met": compared.iter().filter(|c| c.goal_met).count(),
            "text": summary_line(rows, s),
        },
    })
}

fn row_json(r: &Row) -> Value {
    let peer = r.peer.map(|p| {
        let (kind, value) = match p.figure {
            Figure::Run(d) => ("run_ns", d.as_nanos() as u64),
            Figure::PerExecution(d) => ("per_execution_ns", d.as_nanos() as u64),
            Figure::BytesPerWaiting(b) => ("bytes_per_waiting_execution", b),
        };
        json!({ "name": peer::PEER_NAME, kind: value, "memory_bytes": p.memory_bytes })
    });
    let cmp = r.comparison();
    json!({
        "name": r.name,
        "mode": r.mode.name(),
        "executions": r.executions,
        "correct": r.correct(),
        "wrong_answers": r.m.wrong,
        "failures": r.m.failures,
        "median_ns": r.median().as_nanos() as u64,
        "times_ns": r.m.times.iter().map(|t| t.as_nanos() as u64).collect::<Vec<_>>(),
        "per_execution_ns": r.per_execution().as_nanos() as u64,
        "compile_ns": r.compile.as_nanos() as u64,
        "transitions_total": r.transitions_total,
        "transitions_counted": r.m.transitions,
        "transitions_per_second": r.transitions_per_second(),
        "history_events": r.m.history_events,
        "heap_peak_bytes": r.m.heap_peak,
        "heap_per_waiting_execution_bytes": r.m.heap_per_waiting,
        "vm_hwm_bytes": r.vm_hwm,
        "peer": peer,
        "vs_peer": cmp.map(|c| c.ratio),
        "goal_met": cmp.map(|c| c.goal_met),
    })
}

fn line(cells: &[String; 11]) -> String {
    let mut out = String::new();
    for (i, (c, w)) in cells.iter().zip(WIDTHS).enumerate() {
        if i > 1 {
            out.push_str(&format!("{c:>w$}  "));
        } else {
            out.push_str(&format!("{c:<w$}  "));
        }
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

fn peer_figure(f: Figure) -> String {
    match f {
        Figure::Run(d) => duration(d),
        Figure::PerExecution(d) => format!("{}/ex", duration(d)),
        Figure::BytesPerWaiting(b) => format!("{}/ex", bytes(b as f64)),
    }
}

fn versus(c: Comparison) -> String {
    format!(
        "{:.0}x {}",
        c.ratio,
        if c.goal_met { "goal met" } else { "UNDER GOAL" }
    )
}

/// `812 ns`, `41.2 µs`, `3.41 ms`, `1.20 s`.
pub fn duration(d: Duration) -> String {
    let ns = d.as_nanos() as f64;
    if ns < 1e3 {
        format!("{ns:.0} ns")
    } else if ns < 1e6 {
        format!("{:.1} µs", ns / 1e3)
    } else if ns < 1e9 {
        format!("{:.2} ms", ns / 1e6)
    } else {
        format!("{:.2} s", ns / 1e9)
    }
}

/// `512 B`, `9.80 KB`, `171 MB` (SI).
pub fn bytes(b: f64) -> String {
    if b < 1e3 {
        format!("{b:.0} B")
    } else if b < 1e6 {
        format!("{:.2} KB", b / 1e3)
    } else if b < 1e9 {
        format!("{:.1} MB", b / 1e6)
    } else {
        format!("{:.2} GB", b / 1e9)
    }
}

/// `950/s`, `15.2 k/s`, `2.41 M/s`.
pub fn rate(per_second: f64) -> String {
    if per_second < 1e3 {
        format!("{per_second:.0}/s")
    } else if per_second < 1e6 {
        format!("{:.1} k/s", per_second / 1e3)
    } else {
        format!("{:.2} M/s", per_second / 1e6)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_in_their_natural_unit() {
        assert_eq!(duration(Duration::from_nanos(812)), "812 ns");
        assert_eq!(duration(Duration::from_nanos(41_234)), "41.2 µs");
        assert_eq!(duration(Duration::from_micros(3_412)), "3.41 ms");
        assert_eq!(duration(Duration::from_millis(1_200)), "1.20 s");
    }

    #[test]
    fn sizes_are_si() {
        assert_eq!(bytes(512.0), "512 B");
        assert_eq!(bytes(9_800.0), "9.80 KB");
        assert_eq!(bytes(171_000_000.0), "171.0 MB");
    }

    #[test]
    fn rates_read_in_their_natural_unit() {
        assert_eq!(rate(950.0), "950/s");
        assert_eq!(rate(15_200.0), "15.2 k/s");
        assert_eq!(rate(2_410_000.0), "2.41 M/s");
    }
}
