//! `estado serve`: the Step Functions API over HTTP, durable, until SIGINT or SIGTERM.
//!
//! Settings, highest first: flags; `ESTADO_*` environment variables; Step Functions Local's
//! variables (`AWS_DEFAULT_REGION`, `AWS_ACCOUNT_ID`, `WAIT_TIME_SCALE`); the `[server]` and
//! `[auth]` tables of `estado.toml`; defaults (127.0.0.1:8083, `./.estado`, `us-east-1`,
//! `123456789012`, scale 1).
//!
//! Once listening it prints exactly `Starting server on port <port>` on stdout (the real port
//! when asked for port 0), the line Step Functions Local users wait for. Logs go to stderr
//! (`RUST_LOG`, default `info`). On SIGINT/SIGTERM it stops accepting, lets requests and the
//! step loop finish for up to [`GRACE`], and exits 0. Bad settings exit 2.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context as _};
use estado_engine::service::{Service, ServiceConfig};
use estado_engine::{Runtime, RuntimeConfig, SystemClock};
use estado_server::{AccessKey, AppState, Auth};
use estado_store::Store;
use tokio::sync::watch;

use crate::config::{self, FileConfig};

/// How long requests in flight and the step loop get to finish after a shutdown signal.
pub const GRACE: Duration = Duration::from_secs(5);

#[derive(clap::Args, Debug, Default)]
pub struct Args {
    /// Address to listen on [env: ESTADO_BIND] [default: 127.0.0.1]
    #[arg(long)]
    pub bind: Option<String>,
    /// Port to listen on; 0 picks a free one [env: ESTADO_PORT] [default: 8083]
    #[arg(long)]
    pub port: Option<u16>,
    /// Directory for durable data [env: ESTADO_DATA_DIR] [default: ./.estado]
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Settings file [env: ESTADO_CONFIG] [default: ./estado.toml when present]
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Where executions are kept: sqlite:PATH, memory:, or postgres://USER@HOST:PORT/DB to
    /// share one database among several nodes [env: ESTADO_STORE]
    /// [default: sqlite:<data-dir>/estado.db]
    #[arg(long)]
    pub store: Option<String>,
    /// Region of ARNs when a request is not signed for one [env: ESTADO_REGION,
    /// AWS_DEFAULT_REGION] [default: us-east-1]
    #[arg(long)]
    pub region: Option<String>,
    /// Account of ARNs [env: ESTADO_ACCOUNT, AWS_ACCOUNT_ID] [default: 123456789012]
    #[arg(long)]
    pub account: Option<String>,
    /// Real time spent per unit of Wait and retry time: 0.5 halves, 0 skips
    /// [env: ESTADO_WAIT_TIME_SCALE, WAIT_TIME_SCALE] [default: 1]
    #[arg(long)]
    pub wait_time_scale: Option<f64>,
    /// How long a node's claim on an execution or task lasts without a commit or renewal: after
    /// a node dies, others carry on its work this long after its last renewal
    /// [env: ESTADO_LEASE_SECONDS] [default: 5 with PostgreSQL, 30 otherwise]
    #[arg(long)]
    pub lease_seconds: Option<f64>,
}

/// Where executions are kept.
#[derive(Debug, Clone, PartialEq)]
pub enum StoreUrl {
    Sqlite(PathBuf),
    Memory,
    /// A PostgreSQL database that several nodes may share (the URL as given).
    Postgres(String),
}

impl StoreUrl {
    /// `sqlite:PATH` (also `sqlite://PATH`), `memory:`, or `postgres://...` (also
    /// `postgresql://...`). Other schemes are errors.
    pub fn parse(url: &str) -> anyhow::Result<StoreUrl> {
        if let Some(path) = url.strip_prefix("sqlite:") {
            let path = path.strip_prefix("//").unwrap_or(path);
            if path.is_empty() {
                bail!("store URL {url:?} names no file: use sqlite:PATH");
            }
            return Ok(StoreUrl::Sqlite(PathBuf::from(path)));
        }
        if url == "memory:" || url == "memory" {
            return Ok(StoreUrl::Memory);
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(StoreUrl::Postgres(url.to_owned()));
        }
        bail!("unknown store URL {url:?}: use sqlite:PATH, memory: or postgres://USER@HOST:PORT/DB")
    }
}

/// Everything `serve` needs, resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub bind: String,
    pub port: u16,
    pub data_dir: PathBuf,
    pub store: StoreUrl,
    pub region: String,
    pub account: String,
    pub wait_time_scale: f64,
    pub lease_ms: i64,
    pub access_keys: Vec<AccessKey>,
}

impl Settings {
    /// Layers `args` over the environment (`env(NAME)`, empty counts as unset) over `file`
    /// over the defaults, and checks the result.
    pub fn resolve(
        args: &Args,
        env: &dyn Fn(&str) -> Option<String>,
        file: &FileConfig,
    ) -> anyhow::Result<Settings> {
        let s = &file.server;
        let bind = pick(args.bind.clone(), env, &["ESTADO_BIND"], s.bind.clone(), ok)?
            .unwrap_or_else(|| "127.0.0.1".into());
        let port = pick(args.port, env, &["ESTADO_PORT"], s.port, |v| {
            v.parse::<u16>().map_err(|_| "a port number (0-65535)")
        })?
        .unwrap_or(8083);
        let data_dir = pick(
            args.data_dir.clone(),
            env,
            &["ESTADO_DATA_DIR"],
            s.data_dir.clone(),
            |v| Ok(PathBuf::from(v)),
        )?
        .unwrap_or_else(|| PathBuf::from(".estado"));
        let store = match pick(
            args.store.clone(),
            env,
            &["ESTADO_STORE"],
            s.store.clone(),
            ok,
        )? {
            Some(url) => StoreUrl::parse(&url)?,
            None => StoreUrl::Sqlite(data_dir.join("estado.db")),
        };
        let region = pick(
            args.region.clone(),
            env,
            &["ESTADO_REGION", "AWS_DEFAULT_REGION"],
            s.region.clone(),
            ok,
        )?
        .unwrap_or_else(|| "us-east-1".into());
        if !estado_server::auth::is_region(&region) {
            bail!("invalid region {region:?}: expected a name like us-east-1");
        }
        let account = pick(
            args.account.clone(),
            env,
            &["ESTADO_ACCOUNT", "AWS_ACCOUNT_ID"],
            s.account.clone(),
            ok,
        )?
        .unwrap_or_else(|| "123456789012".into());
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            bail!("invalid account {account:?}: expected 12 digits");
        }
        let scale = pick(
            args.wait_time_scale,
            env,
            &["ESTADO_WAIT_TIME_SCALE", "WAIT_TIME_SCALE"],
            s.wait_time_scale,
            |v| v.parse::<f64>().map_err(|_| "a number"),
        )?
        .unwrap_or(1.0);
        if !scale.is_finite() {
            bail!("invalid wait time scale {scale}: expected a finite number");
        }
        let lease_seconds = pick(
            args.lease_seconds,
            env,
            &["ESTADO_LEASE_SECONDS"],
            s.lease_seconds,
            |v| v.parse::<f64>().map_err(|_| "a number of seconds"),
        )?;
        let lease_ms = match lease_seconds {
            Some(secs) if !(0.1..=86_400.0).contains(&secs) => {
                bail!("invalid lease of {secs} seconds: expected 0.1 to 86400")
            }
            Some(secs) => (secs * 1000.0) as i64,
            None if matches!(store, StoreUrl::Postgres(_)) => 5_000,
            None => RuntimeConfig::default().lease_ms,
        };
        let mut access_keys: Vec<AccessKey> = file
            .auth
            .access_keys
            .iter()
            .map(|k| AccessKey {
                id: k.id.clone(),
                secret: k.secret.clone(),
            })
            .collect();
        match (env("ESTADO_ACCESS_KEY_ID"), env("ESTADO_SECRET_ACCESS_KEY")) {
            (Some(id), Some(secret)) => access_keys.push(AccessKey { id, secret }),
            (None, None) => {}
            _ => bail!("set both ESTADO_ACCESS_KEY_ID and ESTADO_SECRET_ACCESS_KEY, or neither"),
        }
        Ok(Settings {
            bind,
            port,
            data_dir,
            store,
            region,
            account,
            // Step Functions Local takes the absolute value.
            wait_time_scale: scale.abs(),
            lease_ms,
            access_keys,
        })
    }
}

fn ok(v: &str) -> Result<String, &'static str> {
    Ok(v.to_owned())
}

/// The first of: the flag, the first set variable of `vars` (parsed), the file's value.
fn pick<T>(
    flag: Option<T>,
    env: &dyn Fn(&str) -> Option<String>,
    vars: &[&str],
    file: Option<T>,
    parse: impl Fn(&str) -> Result<T, &'static str>,
) -> anyhow::Result<Option<T>> {
    if flag.is_some() {
        return Ok(flag);
    }
    for var in vars {
        if let Some(value) = env(var) {
            return match parse(&value) {
                Ok(v) => Ok(Some(v)),
                Err(expected) => bail!("{var}={value:?} is not {expected}"),
            };
        }
    }
    Ok(file)
}

fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

pub fn run(args: Args) -> anyhow::Result<i32> {
    init_logging();
    no_huge_pages();
    let config_path = args
        .config
        .clone()
        .or_else(|| process_env("ESTADO_CONFIG").map(PathBuf::from));
    let file = config::discover(config_path.as_deref())?;
    let settings = Settings::resolve(&args, &process_env, &file)?;
    let functions = file.function_specs()?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let result = rt.block_on(serve(settings, functions));
    // Anything still running after the grace period (a long poll) is dropped here.
    rt.shutdown_timeout(Duration::from_secs(1));
    result.map(|()| 0)
}

/// Transparent huge pages off for this process (Linux). The server allocates and frees a
/// step's documents and events on several threads, and the allocator kept taking fresh 2 MB
/// pages, each zeroed in full on first touch (`clear_page_erms`: 7-17% of the server's
/// samples on the durable Map workloads). Without them the server holds 10-15 MB less
/// (100,000 waiting executions: 67.9 and 62.5 MB against 77.5 and 77.6 MB) and spent less
/// system time in most runs; its time per execution and throughput did not change beyond
/// this machine's noise (bench/LOAD.md, session 8). `estado bench` and `estado run` keep them:
/// one execution on one warm thread ran faster with them.
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    if let Err(e) = rustix::thread::disable_transparent_huge_pages(true) {
        tracing::debug!(error = %e, "transparent huge pages stay on");
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Fails only if a subscriber is already set, which then keeps logging.
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(filter)
        .try_init();
}

/// Opens the store; a shared one (PostgreSQL) also gives its signals from other nodes.
async fn open_store(settings: &Settings) -> anyhow::Result<(Arc<dyn Store>, Option<Signals>)> {
    if let StoreUrl::Postgres(url) = &settings.store {
        let store = estado_store_postgres::PostgresStore::connect(url)
            .await
            .with_context(|| format!("cannot open the store {}", redact(url)))?;
        let signals = store.subscribe();
        return Ok((Arc::new(store), Some(signals)));
    }
    Ok((
        match &settings.store {
            StoreUrl::Memory => Arc::new(estado_store::memory::MemoryStore::new()),
            StoreUrl::Sqlite(path) => {
                create_parent(path)?;
                let store = estado_store_sqlite::SqliteStore::open(path)
                    .with_context(|| format!("cannot open the store {}", path.display()))?;
                Arc::new(store)
            }
            StoreUrl::Postgres(_) => unreachable!("opened above"),
        },
        None,
    ))
}

type Signals = tokio::sync::broadcast::Receiver<estado_store_postgres::Signal>;

/// Hands what other nodes committed to this node's waiters: activity long polls look again,
/// StopExecution and `.sync` waits hear of executions finished elsewhere. After missed signals
/// (a lagging receiver, a lost listening connection) everything looks again.
fn relay_signals(mut signals: Signals, runtime: Arc<Runtime>) {
    use estado_store_postgres::Signal;
    use tokio::sync::broadcast::error::RecvError;
    tokio::spawn(async move {
        loop {
            match signals.recv().await {
                Ok(Signal::ActivityTasks) => runtime.activity_ready.notify_waiters(),
                Ok(Signal::Finished {
                    execution_arn,
                    status,
                }) => runtime.announce_finished(estado_engine::Finished {
                    execution_arn,
                    status,
                }),
                Ok(Signal::Reconnected) | Err(RecvError::Lagged(_)) => {
                    runtime.activity_ready.notify_waiters();
                    runtime.poke();
                }
                Err(RecvError::Closed) => return,
            }
        }
    });
}

/// A store URL for logs, without its password.
fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(s), Some(at)) if at > s => {
            let user = &url[s + 3..at];
            match user.find(':') {
                Some(colon) => format!("{}{}:***{}", &url[..s + 3], &user[..colon], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

fn create_parent(path: &Path) -> anyhow::Result<()> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the data directory {}", dir.display())),
        _ => Ok(()),
    }
}

/// The `[functions.*]` of the settings file. Their workers log through `tracing` and reach this
/// server through `AWS_ENDPOINT_URL_SFN` (for `SendTaskSuccess` with a task token) unless the
/// environment already says where. Functions not declared go to `LAMBDA_ENDPOINT` when set
/// (Step Functions Local's variable).
fn function_host(
    settings: &Settings,
    specs: Vec<estado_functions::FunctionSpec>,
    port: u16,
) -> estado_functions::FunctionHost {
    let mut extra_env = Vec::new();
    if process_env("AWS_ENDPOINT_URL_SFN").is_none() && process_env("AWS_ENDPOINT_URL").is_none() {
        let host = match settings.bind.as_str() {
            "0.0.0.0" | "::" | "[::]" => "127.0.0.1",
            b => b,
        };
        extra_env.push((
            "AWS_ENDPOINT_URL_SFN".to_owned(),
            format!("http://{host}:{port}"),
        ));
    }
    estado_functions::FunctionHost::new(
        specs,
        estado_functions::HostSettings {
            region: settings.region.clone(),
            extra_env,
            log_sink: Arc::new(
                |function, line| tracing::info!(target: "estado::function", function, "{line}"),
            ),
            fallback_endpoint: process_env("LAMBDA_ENDPOINT"),
        },
    )
}

async fn serve(
    settings: Settings,
    functions: Vec<estado_functions::FunctionSpec>,
) -> anyhow::Result<()> {
    let (store, signals) = open_store(&settings).await?;
    // One node owns a SQLite file: leases left in it belong to a process that is gone (killed
    // or crashed), so its executions continue now rather than when the leases expire. A shared
    // store's leases may belong to live nodes: they end on their own.
    if signals.is_none() {
        store
            .release_leases()
            .await
            .context("cannot release the leases of the previous run")?;
    }
    let listener = tokio::net::TcpListener::bind((settings.bind.as_str(), settings.port))
        .await
        .with_context(|| format!("cannot listen on {}:{}", settings.bind, settings.port))?;
    let port = listener.local_addr()?.port();
    let functions = Arc::new(function_host(&settings, functions, port));
    let mocks = match crate::runners::mock_config(&process_env)? {
        Some((path, mocks)) => {
            tracing::info!(file = %path.display(), "mocked service integrations on");
            Some(Arc::new(mocks))
        }
        None => None,
    };
    let runtime = Runtime::new(
        store,
        Arc::new(SystemClock),
        RuntimeConfig {
            time_scale: settings.wait_time_scale,
            lease_ms: settings.lease_ms,
            ..Default::default()
        },
        match mocks {
            Some(mocks) => crate::runners::registry(functions.clone()).with_mocks(mocks),
            None => crate::runners::registry(functions.clone()),
        },
    );
    if let Some(signals) = signals {
        relay_signals(signals, runtime.clone());
    }
    let service = Service::new(
        runtime.clone(),
        ServiceConfig {
            account: settings.account.clone(),
            region: settings.region.clone(),
        },
    );
    let auth = if settings.access_keys.is_empty() {
        Auth::open()
    } else {
        Auth::with_keys(settings.access_keys.iter().cloned())
    };

    let (stop, stopped) = watch::channel(false);
    let until = |mut rx: watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|s| *s).await;
    };
    let step_loop = tokio::spawn(runtime.run(until(stopped.clone())));
    let mut server = tokio::spawn(estado_server::serve(
        listener,
        AppState::new(service, auth),
        until(stopped),
    ));

    // Watch the signals before saying we are ready: a SIGTERM sent right after the ready line
    // must stop the server gracefully, not kill it.
    let shutdown = shutdown_signal()?;
    println!("Starting server on port {port}");
    std::io::stdout().flush()?;
    tracing::info!(
        bind = %settings.bind,
        port,
        account = %settings.account,
        region = %settings.region,
        store = %match &settings.store {
            StoreUrl::Postgres(url) => redact(url),
            other => format!("{other:?}"),
        },
        lease_ms = settings.lease_ms,
        wait_time_scale = settings.wait_time_scale,
        signed_requests_only = !settings.access_keys.is_empty(),
        "serving the Step Functions API"
    );

    tokio::select! {
        () = shutdown => {
            tracing::info!("shutting down");
        }
        ended = &mut server => {
            // The server stops on its own only when accepting fails for good.
            let _ = stop.send(true);
            return match ended {
                Ok(Ok(())) => Ok(()),
                Ok(Err(e)) => Err(e).context("the server stopped"),
                Err(e) => Err(e).context("the server task failed"),
            };
        }
    }
    let _ = stop.send(true);
    match tokio::time::timeout(GRACE, &mut server).await {
        Ok(Ok(Ok(()))) => tracing::debug!("server stopped"),
        Ok(Ok(Err(e))) => tracing::warn!("server stopped with an error: {e}"),
        Ok(Err(e)) => tracing::warn!("server task failed: {e}"),
        Err(_) => {
            tracing::warn!("requests still in flight after {GRACE:?}; closing them");
            server.abort();
        }
    }
    match tokio::time::timeout(GRACE, step_loop).await {
        Ok(_) => tracing::debug!("step loop stopped"),
        Err(_) => tracing::warn!("the step loop did not stop within {GRACE:?}"),
    }
    functions.shutdown();
    Ok(())
}

/// Starts watching SIGINT and SIGTERM; the future completes on the first of them.
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = signal(SignalKind::terminate()).context("cannot watch SIGTERM")?;
        let mut int = signal(SignalKind::interrupt()).context("cannot watch SIGINT")?;
        Ok(async move {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k: &str| map.get(k).cloned()
    }

    fn file(text: &str) -> FileConfig {
        config::parse(text).unwrap_or_else(|e| panic!("{e}"))
    }

    fn resolve(args: &Args, env: &[(&str, &str)], text: &str) -> Settings {
        Settings::resolve(args, &env_of(env), &file(text)).unwrap_or_else(|e| panic!("{e:#}"))
    }

    fn refuses(args: &Args, env: &[(&str, &str)], text: &str) -> String {
        match Settings::resolve(args, &env_of(env), &file(text)) {
            Ok(s) => panic!("accepted: {s:?}"),
            Err(e) => format!("{e:#}"),
        }
    }

    #[test]
    fn defaults_match_step_functions_local() {
        let s = resolve(&Args::default(), &[], "");
        assert_eq!(
            s,
            Settings {
                bind: "127.0.0.1".into(),
                port: 8083,
                data_dir: ".estado".into(),
                store: StoreUrl::Sqlite(PathBuf::from(".estado/estado.db")),
                region: "us-east-1".into(),
                account: "123456789012".into(),
                wait_time_scale: 1.0,
                lease_ms: 30_000,
                access_keys: Vec::new(),
            }
        );
    }

    #[test]
    fn flags_beat_environment_beats_file() {
        let text = "[server]\nport = 1111\nregion = \"eu-west-1\"\naccount = \"111111111111\"";
        let env = [
            ("ESTADO_PORT", "2222"),
            ("ESTADO_REGION", "eu-west-2"),
            ("AWS_DEFAULT_REGION", "eu-west-3"),
        ];
        let s = resolve(&Args::default(), &env, text);
        assert_eq!((s.port, s.region.as_str()), (2222, "eu-west-2"));
        assert_eq!(
            s.account, "111111111111",
            "the file fills what nothing else set"
        );
        let flags = Args {
            port: Some(3333),
            region: Some("ap-south-1".into()),
            ..Args::default()
        };
        let s = resolve(&flags, &env, text);
        assert_eq!((s.port, s.region.as_str()), (3333, "ap-south-1"));
    }

    #[test]
    fn step_functions_local_variables_rank_below_estados_own() {
        let local = [
            ("AWS_DEFAULT_REGION", "eu-north-1"),
            ("AWS_ACCOUNT_ID", "000000000000"),
            ("WAIT_TIME_SCALE", "0"),
        ];
        let s = resolve(&Args::default(), &local, "[server]\nregion = \"us-west-2\"");
        assert_eq!(
            (s.region.as_str(), s.account.as_str(), s.wait_time_scale),
            ("eu-north-1", "000000000000", 0.0)
        );
        let mut both = local.to_vec();
        both.push(("ESTADO_WAIT_TIME_SCALE", "0.5"));
        assert_eq!(resolve(&Args::default(), &both, "").wait_time_scale, 0.5);
    }

    #[test]
    fn the_wait_time_scale_is_taken_as_an_absolute_value() {
        let s = resolve(
            &Args {
                wait_time_scale: Some(-2.0),
                ..Args::default()
            },
            &[],
            "",
        );
        assert_eq!(s.wait_time_scale, 2.0);
    }

    #[test]
    fn the_default_store_lives_in_the_data_directory() {
        let s = resolve(&Args::default(), &[("ESTADO_DATA_DIR", "/tmp/x")], "");
        assert_eq!(s.store, StoreUrl::Sqlite(PathBuf::from("/tmp/x/estado.db")));
        let s = resolve(&Args::default(), &[("ESTADO_STORE", "memory:")], "");
        assert_eq!(s.store, StoreUrl::Memory);
    }

    #[test]
    fn store_urls_name_sqlite_files_or_memory() {
        let parse = |u: &str| StoreUrl::parse(u).map_err(|e| e.to_string());
        assert_eq!(
            parse("sqlite:a/b.db"),
            Ok(StoreUrl::Sqlite("a/b.db".into()))
        );
        assert_eq!(
            parse("sqlite:///var/x.db"),
            Ok(StoreUrl::Sqlite("/var/x.db".into()))
        );
        assert_eq!(parse("memory:"), Ok(StoreUrl::Memory));
        assert_eq!(
            parse("postgres://postgres@127.0.0.1:5432/estado"),
            Ok(StoreUrl::Postgres(
                "postgres://postgres@127.0.0.1:5432/estado".into()
            ))
        );
        assert!(matches!(
            parse("postgresql://u@h/db"),
            Ok(StoreUrl::Postgres(_))
        ));
        assert!(parse("sqlite:").is_err());
        assert!(parse("redis://x").is_err());
    }

    #[test]
    fn leases_are_short_on_a_shared_store_and_configurable() {
        let pg = [("ESTADO_STORE", "postgres://postgres@127.0.0.1/estado")];
        assert_eq!(resolve(&Args::default(), &pg, "").lease_ms, 5_000);
        assert_eq!(resolve(&Args::default(), &[], "").lease_ms, 30_000);
        let s = resolve(&Args::default(), &pg, "[server]\nlease_seconds = 2.5");
        assert_eq!(s.lease_ms, 2_500);
        let mut env = pg.to_vec();
        env.push(("ESTADO_LEASE_SECONDS", "8"));
        assert_eq!(resolve(&Args::default(), &env, "").lease_ms, 8_000);
        assert!(
            refuses(&Args::default(), &[("ESTADO_LEASE_SECONDS", "0")], "")
                .contains("invalid lease")
        );
        assert_eq!(
            redact("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
    }

    #[test]
    fn bad_values_name_their_source() {
        let e = refuses(&Args::default(), &[("ESTADO_PORT", "http")], "");
        assert_eq!(e, "ESTADO_PORT=\"http\" is not a port number (0-65535)");
        let e = refuses(&Args::default(), &[("WAIT_TIME_SCALE", "fast")], "");
        assert_eq!(e, "WAIT_TIME_SCALE=\"fast\" is not a number");
        assert!(
            refuses(&Args::default(), &[("AWS_DEFAULT_REGION", "US EAST")], "")
                .contains("invalid region")
        );
        assert!(
            refuses(&Args::default(), &[("ESTADO_ACCOUNT", "12")], "").contains("invalid account")
        );
    }

    #[test]
    fn access_keys_come_from_the_file_and_the_environment() {
        let text = "[auth]\naccess_keys = [{ id = \"FILEKEY\", secret = \"s\" }]";
        let env = [
            ("ESTADO_ACCESS_KEY_ID", "ENVKEY"),
            ("ESTADO_SECRET_ACCESS_KEY", "t"),
        ];
        let ids: Vec<String> = resolve(&Args::default(), &env, text)
            .access_keys
            .into_iter()
            .map(|k| k.id)
            .collect();
        assert_eq!(ids, ["FILEKEY", "ENVKEY"]);
        let e = refuses(&Args::default(), &[("ESTADO_ACCESS_KEY_ID", "K")], "");
        assert!(e.contains("ESTADO_SECRET_ACCESS_KEY"), "{e}");
    }
}
