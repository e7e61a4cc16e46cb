//! `estado load [--endpoint URL [--also-endpoint URL]... | --spawn] [--data-dir DIR]
//! [--only PHASES] [--count N] [--json]`: load a running `estado serve` through its HTTP API and measure it.
//!
//! Phases (in this order; `--only` picks some):
//! - `throughput`: completed `many_small` executions per second (STANDARD, durable), started
//!   with `--concurrency` connections; every output checked. Goal >= 5,000/s.
//! - `transitions`: state transitions per second inside the server against `estado bench`'s
//!   in-memory figure: EXPRESS through StartSyncExecution (choice_loop_10k, map_10k); STANDARD
//!   durable on choice_loop_10k and map_10k, which run to the 25,000-event history limit;
//!   STANDARD durable one at a time and sustained (`--concurrency` in flight, `--count` in
//!   all, default 8x the concurrency) on choice_loop_1k and map_1k. Goal (durable to the limit
//!   and sustained) >= 0.5x, measured in `--rounds` paired rounds (in-memory figure, then the
//!   server's), the median share reported. See `load/transitions.rs` for why these.
//! - `memory`: the server's resident memory with 100,000 executions parked in an hour-long
//!   Wait. Goal < 300 MB in all.
//! - `startsync`: p50/p99 latency of StartSyncExecution of a 3-state EXPRESS machine,
//!   sequential on one keep-alive connection after a warm-up. Goal p50 < 1 ms.
//!
//! With `--spawn` (the default when no `--endpoint` is given) every phase gets a fresh
//! `estado serve` of this executable on a free port of 127.0.0.1 with its own SQLite data
//! directory, killed when the phase ends, so that no phase measures another's leftovers. Load
//! goes to loopback addresses only. Every phase has a time limit and then stops by itself.
//!
//! Prints one line per figure with its goal and whether it is met (or a JSON document with
//! `--json`). Exit status: 0 when every phase finished with right answers (met goals or not),
//! 1 when a phase failed (its server did not start, a call failed, time ran out) or an answer
//! was wrong, 2 when the arguments are wrong.

mod client;
mod figure;
mod inmemory;
mod memory;
mod pool;
mod procfs;
mod server;
mod startsync;
mod throughput;
mod transitions;
mod workloads;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context as _;
use estado_json::json;

use client::Sfn;
use figure::Figure;
use server::Server;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A running server to load, e.g. http://127.0.0.1:8083 (loopback addresses only).
    #[arg(long, conflicts_with = "spawn")]
    pub endpoint: Option<String>,
    /// Another node sharing --endpoint's store (PostgreSQL); repeatable. Calls go to every
    /// node in turn, so the phases measure the nodes together.
    #[arg(long = "also-endpoint", requires = "endpoint")]
    pub also_endpoints: Vec<String>,
    /// Start `estado serve` (this executable) for each phase on a free port, with a temporary
    /// SQLite data directory, and stop it afterwards. The default without --endpoint.
    #[arg(long)]
    pub spawn: bool,
    /// With --spawn: keep each phase's data in DIR/<phase> instead of a temporary directory.
    #[arg(long, conflicts_with = "endpoint")]
    pub data_dir: Option<PathBuf>,
    /// With --endpoint: the server's process id, whose memory the `memory` phase reads.
    #[arg(long)]
    pub server_pid: Option<u32>,
    /// Only these phases (comma-separated).
    #[arg(long, value_enum, value_delimiter = ',')]
    pub only: Vec<Phase>,
    /// Executions per phase instead of the defaults: throughput 10,000 (many_small's inputs,
    /// repeated past them), transitions 8x --concurrency per sustained case, memory 100,000,
    /// startsync 2,000 measured calls.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub count: Option<u64>,
    /// Requests in flight at once (one keep-alive connection each) where a phase starts many.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub concurrency: u64,
    /// Measured executions per `transitions` case (after one warm-up); also `estado bench
    /// --runs` for the in-memory figures. 21 by default: these runs take milliseconds, and
    /// with 5 a single slow in-memory run on a shared machine moved a ratio from 0.56x to 0.31x.
    #[arg(long, default_value_t = 21, value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub runs: u64,
    /// Paired rounds for each `transitions` case with a goal: each round takes the in-memory
    /// figure and then the server's, and the round with the median share is reported (all
    /// are printed). The machine's speed drifts within minutes; a share whose two figures
    /// were taken minutes apart, once, measured the drift as much as the server.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..=25))]
    pub rounds: u64,
    /// The workloads folder (default: bench/workloads here or in the nearest parent).
    #[arg(long)]
    pub workloads: Option<PathBuf>,
    /// Seconds each phase may take instead of its default (throughput and transitions 300,
    /// memory 900, startsync 120); a phase still running then fails.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout: Option<u64>,
    /// Print the figures as one JSON document.
    #[arg(long)]
    pub json: bool,
    /// Only the `transitions` cases whose name contains this text (e.g. `map_1k` or
    /// `sustained`), to measure or profile one case alone.
    #[arg(long)]
    pub case: Option<String>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Throughput,
    Transitions,
    Memory,
    Startsync,
}

impl Phase {
    const ALL: [Phase; 4] = [
        Phase::Throughput,
        Phase::Transitions,
        Phase::Memory,
        Phase::Startsync,
    ];

    fn name(self) -> &'static str {
        match self {
            Phase::Throughput => "throughput",
            Phase::Transitions => "transitions",
            Phase::Memory => "memory",
            Phase::Startsync => "startsync",
        }
    }

    fn default_timeout(self) -> Duration {
        Duration::from_secs(match self {
            Phase::Throughput | Phase::Transitions => 300,
            Phase::Memory => 900,
            Phase::Startsync => 120,
        })
    }
}

/// Everything a phase needs besides its server.
struct Ctx {
    args: Args,
    tag: String,
    runtime: tokio::runtime::Runtime,
    /// The endpoints of `--also-endpoint`.
    peers: Vec<reqwest::Url>,
}

impl Ctx {
    fn count_or(&self, default: usize) -> usize {
        self.args.count.map_or(default, |c| c as usize)
    }

    fn concurrency(&self) -> usize {
        self.args.concurrency as usize
    }

    fn workloads_dir(&self) -> anyhow::Result<PathBuf> {
        match &self.args.workloads {
            Some(d) => Ok(d.clone()),
            None => workloads::default_dir(),
        }
    }

    /// Runs `work` to its end or until `deadline`, whichever comes first.
    fn within<T>(
        &self,
        deadline: Instant,
        work: impl std::future::Future<Output = anyhow::Result<T>>,
    ) -> anyhow::Result<T> {
        let left = deadline.saturating_duration_since(Instant::now());
        self.runtime
            .block_on(async { tokio::time::timeout(left, work).await })
            .unwrap_or_else(|_| {
                Err(anyhow::anyhow!(
                    "did not finish within the phase's time limit"
                ))
            })
    }

    fn note(&self, text: &str) {
        if !self.args.json {
            eprintln!("{text}");
        }
    }
}

pub fn run(args: Args) -> anyhow::Result<i32> {
    let phases: Vec<Phase> = if args.only.is_empty() {
        Phase::ALL.to_vec()
    } else {
        Phase::ALL
            .into_iter()
            .filter(|p| args.only.contains(p))
            .collect()
    };
    let attached = match &args.endpoint {
        Some(e) => Some(Server::attach(e, args.server_pid)?),
        None => None,
    };
    let peers = args
        .also_endpoints
        .iter()
        .map(|e| Server::attach(e, None).map(|s| s.endpoint.clone()))
        .collect::<anyhow::Result<Vec<_>>>()?;
    // The load generator takes one core at most; the server gets the rest of the machine.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let ctx = Ctx {
        args,
        tag: run_tag(),
        runtime,
        peers,
    };
    let load_before = procfs::load_average();
    let mut figures = Vec::new();
    for phase in phases {
        let spawned;
        let server = match &attached {
            Some(s) => s,
            None => {
                spawned = match Server::spawn(ctx.args.data_dir.as_deref(), phase.name()) {
                    Ok(s) => s,
                    Err(e) => {
                        // The other phases may still run; this one fails.
                        let f = Figure::failed(phase.name(), "estado serve", &format!("{e:#}"));
                        if !ctx.args.json {
                            println!("{}", f.line());
                        }
                        figures.push(f);
                        continue;
                    }
                };
                ctx.note(&format!(
                    "{}: estado serve (pid {}) at {}",
                    phase.name(),
                    spawned.pid.unwrap_or(0),
                    spawned.endpoint
                ));
                &spawned
            }
        };
        let deadline = Instant::now()
            + ctx
                .args
                .timeout
                .map_or(phase.default_timeout(), Duration::from_secs);
        for f in run_phase(&ctx, phase, server, deadline) {
            if !ctx.args.json {
                println!("{}", f.line());
            }
            figures.push(f);
        }
    }
    let load_after = procfs::load_average();

    let correct = figures.iter().filter(|f| f.correct).count();
    let with_goal: Vec<&Figure> = figures.iter().filter(|f| f.goal.is_some()).collect();
    let met = with_goal
        .iter()
        .filter(|f| f.goal.as_ref().is_some_and(|g| g.met))
        .count();
    let summary = format!(
        "summary: {} figures, {correct} with right answers, {} failed or wrong; goals met: {met} \
         of {}; load average (1/5/15 min) before {}, after {}",
        figures.len(),
        figures.len() - correct,
        with_goal.len(),
        load_before.as_deref().unwrap_or("?"),
        load_after.as_deref().unwrap_or("?"),
    );
    if ctx.args.json {
        let doc = json!({
            "server": attached.as_ref().map_or("spawned per phase".to_string(), |s| s.endpoint.to_string()),
            "concurrency": ctx.args.concurrency,
            "load_average_before": load_before,
            "load_average_after": load_after,
            "figures": figures.iter().map(Figure::json).collect::<Vec<_>>(),
            "summary": summary,
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        println!("{summary}");
    }
    Ok(if correct == figures.len() { 0 } else { 1 })
}

/// Runs one phase against `server` until `deadline`; a phase that fails or runs out of time
/// gives a failed figure (with the server's last log lines when it was spawned).
fn run_phase(ctx: &Ctx, phase: Phase, server: &Server, deadline: Instant) -> Vec<Figure> {
    let failed = |name: &str, e: anyhow::Error| {
        Figure::failed(phase.name(), name, &format!("{e:#}{}", server.log_tail()))
    };
    let sfn = |connections: usize| {
        Sfn::new(server.endpoint.clone(), connections)
            .map(|s| Arc::new(s.with_peers(ctx.peers.clone())))
    };
    match phase {
        Phase::Throughput => {
            let name = "many_small completed executions/s";
            let figure = (|| {
                let w = workloads::load(&ctx.workloads_dir()?, "many_small")?;
                let p = throughput::Params {
                    count: ctx.count_or(w.inputs.len()),
                    concurrency: ctx.concurrency(),
                    tag: ctx.tag.clone(),
                };
                ctx.note(&format!(
                    "throughput: {} executions of many_small...",
                    p.count
                ));
                let sfn = sfn(p.concurrency)?;
                ctx.within(deadline, throughput::run(sfn, &w, &p))
            })();
            vec![figure.unwrap_or_else(|e| failed(name, e))]
        }
        Phase::Transitions => {
            let mut out = Vec::new();
            let p = transitions::Params {
                runs: ctx.args.runs as usize,
                in_flight: ctx.concurrency(),
                sustained: ctx.count_or(8 * ctx.concurrency()),
                rounds: ctx.args.rounds as usize,
                tag: ctx.tag.clone(),
            };
            // `estado bench` once per workload and kind of run, shared by the cases that
            // compare with it.
            let mut in_memory_figures: std::collections::HashMap<
                (&str, transitions::Path),
                Result<inmemory::InMemory, String>,
            > = std::collections::HashMap::new();
            for (workload, path) in transitions::CASES {
                let name = format!("{workload} {}", path.label());
                if ctx
                    .args
                    .case
                    .as_ref()
                    .is_some_and(|c| !name.contains(c.as_str()))
                {
                    continue;
                }
                let figure = (|| {
                    let dir = ctx.workloads_dir()?;
                    let w = workloads::load(&dir, workload)?;
                    // The one-at-a-time and sustained cases compare with the same figure.
                    let key = match path {
                        transitions::Path::DurableSustained => transitions::Path::Durable,
                        other => other,
                    };
                    let kind = path.machine_type();
                    let to_limit = path == transitions::Path::DurableToLimit;
                    let measure = || {
                        ctx.note(&format!(
                            "transitions: {workload} {kind}: in-memory figure (estado bench)..."
                        ));
                        inmemory::measure(&dir, workload, kind, p.runs, to_limit)
                            .map_err(|e| format!("{e:#}"))
                    };
                    // A case with a goal takes a fresh figure for each of its paired rounds;
                    // the others share one per workload and kind of run.
                    let mut shared = (!path.goal()).then(|| {
                        in_memory_figures
                            .entry((workload, key))
                            .or_insert_with(measure)
                            .clone()
                    });
                    let in_memory = || match shared.take() {
                        Some(f) => f,
                        None => measure(),
                    };
                    ctx.note(&format!("transitions: {name}: through the server..."));
                    let connections = match path {
                        transitions::Path::DurableSustained => p.in_flight,
                        _ => 1,
                    };
                    let sfn = sfn(connections)?;
                    ctx.within(deadline, transitions::run(sfn, &w, path, in_memory, &p))
                })();
                out.push(figure.unwrap_or_else(|e| failed(&name, e)));
            }
            out
        }
        Phase::Memory => {
            let p = memory::Params {
                count: ctx.count_or(100_000),
                concurrency: ctx.concurrency(),
                tag: ctx.tag.clone(),
            };
            let name = format!("server RSS with {} executions waiting", p.count);
            ctx.note(&format!(
                "memory: parking {} executions in a Wait state...",
                p.count
            ));
            let figure = sfn(p.concurrency)
                .and_then(|sfn| ctx.within(deadline, memory::run(sfn, server, &p)));
            vec![figure.unwrap_or_else(|e| failed(&name, e))]
        }
        Phase::Startsync => {
            let count = ctx.count_or(2_000);
            let p = startsync::Params {
                count,
                warmup: count.min(200),
                tag: ctx.tag.clone(),
            };
            let name = "StartSyncExecution latency (3-state EXPRESS)";
            ctx.note(&format!("startsync: {} sequential calls...", p.count));
            // One connection: every call after the first reuses it.
            let figure = sfn(1).and_then(|sfn| ctx.within(deadline, startsync::run(&sfn, &p)));
            vec![figure.unwrap_or_else(|e| failed(name, e))]
        }
    }
}

/// A short tag that makes this run's machine names unique on a reused server.
fn run_tag() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{:x}", (nanos as u64) ^ u64::from(std::process::id()))
}
