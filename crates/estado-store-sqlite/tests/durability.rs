//! What a file store keeps: everything, across a drop and reopen, and every acknowledged commit
//! across a SIGKILL of the process that made it.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use estado_store::suite::{
    activity, events, execution_arn, inbox, machine, machine_arn, new_execution, task,
};
use estado_store::{ExecutionQuery, StepCommit, Store};
use estado_store_sqlite::SqliteStore;

fn open(path: &Path) -> SqliteStore {
    SqliteStore::open(path).expect("open the database file")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn everything_is_there_after_reopening() {
    let path = common::fresh_db("reopen");
    let arn = execution_arn("m", "e");
    let t = task(&arn, 3, Some("act"), 5);
    {
        let store = open(&path);
        store
            .create_state_machine(machine("m", 1))
            .await
            .expect("machine");
        store
            .create_activity(activity("act", 2))
            .await
            .expect("activity");
        let tags = vec![("k".to_owned(), "v".to_owned())];
        store.tag(&machine_arn("m"), tags).await.expect("tag");
        let e = new_execution("m", "e", 3, 2, vec![inbox(0, None), inbox(9_000, Some(1))]);
        store.create_execution(e).await.expect("execution");
        let commit = StepCommit {
            execution_arn: arn.clone(),
            expected_version: 0,
            snapshot: b"after one step".to_vec(),
            events: events(3, 4),
            new_tasks: vec![t.clone()],
            ..Default::default()
        };
        store.commit_step("w", commit).await.expect("commit");
    }
    let store = open(&path);
    assert_eq!(
        store
            .get_state_machine(&machine_arn("m"))
            .await
            .expect("get"),
        Some(machine("m", 1))
    );
    assert_eq!(
        store.list_activities(None, 10).await.expect("list"),
        vec![activity("act", 2)]
    );
    assert_eq!(
        store.tags(&machine_arn("m")).await.expect("tags"),
        vec![("k".to_owned(), "v".to_owned())]
    );
    let listed = store
        .list_executions(&ExecutionQuery {
            limit: 10,
            ..Default::default()
        })
        .await
        .expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].version, 1);
    assert_eq!(
        store.history(&arn, 0, false, 100).await.expect("history"),
        events(1, 4)
    );
    assert_eq!(store.task_by_token(&t.token).await.expect("task"), Some(t));
    let claims = store
        .claim_runnable("w", 10_000, 1_000, 10)
        .await
        .expect("claim");
    assert_eq!(claims.len(), 1);
    assert_eq!(claims[0].snapshot, b"after one step");
    assert_eq!(claims[0].inbox.len(), 2);
    assert_eq!(store.next_due().await.expect("next due"), Some(11_000));
}

/// Set in the copy of this test binary that the durability test starts and kills.
const CHILD: &str = "ESTADO_SQLITE_DURABILITY_CHILD";
const EXECUTIONS: usize = 24;

/// The parent prepares a database, starts a child that commits steps from many tasks at once
/// and prints each commit once `commit_step` returned, kills it with SIGKILL mid-stream, and
/// checks that the reopened database holds every acknowledged commit.
#[test]
fn acknowledged_commits_survive_sigkill() {
    if let Ok(path) = std::env::var(CHILD) {
        commit_until_killed(Path::new(&path));
        return;
    }
    let path = common::fresh_db("sigkill");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let store = open(&path);
        for i in 0..EXECUTIONS {
            let e = new_execution("m", &format!("e{i}"), i as i64, 1, vec![]);
            store.create_execution(e).await.expect("create");
        }
    });

    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "acknowledged_commits_survive_sigkill",
            "--exact",
            "--nocapture",
        ])
        .env(CHILD, &path)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the child");
    let stdout = child.stdout.take().expect("child stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut acked: BTreeMap<usize, u64> = BTreeMap::new();
    let mut count = 0;
    let started = Instant::now();
    let record = |line: &str, acked: &mut BTreeMap<usize, u64>| {
        let Some(rest) = line.strip_prefix("ACK ") else {
            return false;
        };
        let mut parts = rest.split(' ').map(|p| p.parse::<u64>().ok());
        if let (Some(Some(i)), Some(Some(version))) = (parts.next(), parts.next()) {
            let slot = acked.entry(i as usize).or_default();
            *slot = (*slot).max(version);
        }
        true
    };
    for line in lines.by_ref() {
        let line = line.expect("read the child's output");
        if record(&line, &mut acked) {
            count += 1;
        }
        if count >= 1_500 || started.elapsed() > Duration::from_secs(20) {
            break;
        }
    }
    child.kill().expect("SIGKILL the child");
    // Whatever the child printed before it died was acknowledged too.
    for line in lines {
        let Ok(line) = line else { break };
        if record(&line, &mut acked) {
            count += 1;
        }
    }
    let status = child.wait().expect("reap the child");
    assert!(!status.success(), "the child was killed, it did not finish");
    assert!(count >= 100, "the child acknowledged only {count} commits");
    eprintln!("{count} commits acknowledged before SIGKILL");

    runtime.block_on(async {
        let store = open(&path);
        for (i, version) in &acked {
            let arn = execution_arn("m", &format!("e{i}"));
            let stored = store
                .get_execution(&arn)
                .await
                .expect("get")
                .expect("exists");
            assert!(
                stored.version >= *version,
                "{arn}: version {version} was acknowledged, the file has {}",
                stored.version
            );
            let history = store
                .history(&arn, 0, false, 100_000)
                .await
                .expect("history");
            assert_eq!(
                history,
                events(1, 1 + stored.version as i64),
                "{arn}: every committed step's event is there, in order"
            );
        }
    });
}

/// The child: every execution gets its own task committing one event per step, forever (or
/// until a bound, should the parent never kill it).
fn commit_until_killed(path: &Path) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let store = Arc::new(open(path));
        let mut tasks = Vec::new();
        for i in 0..EXECUTIONS {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let arn = execution_arn("m", &format!("e{i}"));
                let deadline = Instant::now() + Duration::from_secs(60);
                for version in 0..100_000u64 {
                    if Instant::now() > deadline {
                        return;
                    }
                    let commit = StepCommit {
                        execution_arn: arn.clone(),
                        expected_version: version,
                        snapshot: format!("after {}", version + 1).into_bytes(),
                        events: events(2 + version as i64, 2 + version as i64),
                        ..Default::default()
                    };
                    store.commit_step("child", commit).await.expect("commit");
                    let mut out = std::io::stdout().lock();
                    let _ = writeln!(out, "ACK {i} {}", version + 1);
                    let _ = out.flush();
                }
            }));
        }
        for t in tasks {
            let _ = t.await;
        }
    });
}
