//! The test suite every backend must pass.
//!
//! Each check is a public async function that takes a fresh, empty store and panics (with a
//! message naming the contract) when the store breaks a contract of [`crate::Store`]. A backend
//! runs all of them with either
//!
//! ```
//! // One #[tokio::test] per check: failures name the contract, checks run in parallel.
//! use estado_store::memory::MemoryStore;
//! estado_store::store_suite!(|| async { MemoryStore::new() });
//! # fn main() {}
//! ```
//!
//! or, inside a single test,
//!
//! ```
//! # use estado_store::memory::MemoryStore;
//! # async fn one_test() {
//! estado_store::suite::run_all(|| async { MemoryStore::new() }).await;
//! # }
//! ```
//!
//! The checks spawn tokio tasks to race callers against each other, so they need a tokio
//! runtime; a multi-threaded one exercises real concurrency.
//!
//! Where [`crate::Store`]'s doc comments leave room, the suite pins down one reading (and the
//! in-memory backend follows it):
//! - a paging cursor (`after`) that names no record gives an empty page;
//! - `list_executions` orders by `start_ms` descending, executions started in the same
//!   millisecond newest-created first;
//! - `claim_runnable` hands out the executions whose earliest due inbox row is oldest first;
//! - a lease is live while `now_ms < until`; `commit_step` is a `Conflict` when another owner
//!   holds the lease (live or expired but not re-claimed) and is decided by the version alone
//!   when nobody holds it;
//! - `deliver` and new inbox rows are idempotent per key among the execution's *pending* rows:
//!   once a row is consumed or cancelled its key may be used again;
//! - `next_due` is the earliest time `claim_runnable` could hand out something: per execution,
//!   its earliest row's due time or its lease's end, whichever is later (a step in progress
//!   does not make the claim loop spin);
//! - a step's inbox changes apply in this order: consumed rows, cancelled keys, new rows (so a
//!   step may cancel a timer and start one with the same key);
//! - `history` of an unknown execution is `NotFound`;
//! - `claim_dispatches` hands out queued dispatches and those whose lease has ended, oldest
//!   first; a dispatch committed with a lease is not claimable before the lease ends.

mod definitions;
mod dispatches;
mod executions;
mod fixtures;
mod redrive;
mod stepping;
mod tasks;

pub use definitions::*;
pub use dispatches::*;
pub use executions::*;
pub use fixtures::*;
pub use redrive::*;
pub use stepping::*;
pub use tasks::*;

use std::future::Future;

use crate::Store;

/// Calls the macro named by the first bracket with the second bracket's tokens followed by the
/// name of every check, so [`run_all`] and [`store_suite!`](crate::store_suite) share one list.
#[doc(hidden)]
#[macro_export]
macro_rules! __with_store_checks {
    ([$($callback:tt)*] [$($arg:tt)*]) => {
        $($callback)*! {
            [$($arg)*]
            state_machine_crud
            machines_to_start_see_this_stores_changes
            state_machine_paging
            versions_advance_the_counter
            aliases_create_and_update
            activity_crud_and_paging
            tags_keep_insertion_order
            create_execution_is_atomic
            concurrent_creates_keep_each_ones_outcome
            list_executions_newest_first
            list_executions_filters
            listed_summaries_match_their_records
            metadata_matches_the_record
            packed_inputs_read_back_as_their_text
            history_pages_both_ways
            history_pages_across_long_steps
            history_refers_to_the_recorded_input
            claim_takes_only_due_rows
            claim_leases_exclude_other_owners
            claim_hands_out_oldest_due_first
            concurrent_claims_share_nothing
            commit_step_applies_everything
            commit_step_conflicts_apply_nothing
            concurrent_commits_do_not_poison_each_other
            deliver_is_idempotent_per_key
            next_due_is_the_earliest_row
            reopen_redrives_only_unsuccessful_executions
            activity_tasks_oldest_first_one_worker_each
            tasks_by_token_and_finish
            dispatches_commit_claim_and_complete
            dispatch_leases_expire_renew_and_release
            cancelled_dispatches_are_gone
            concurrent_dispatch_claims_share_nothing
        }
    };
}

/// Generates one `#[tokio::test]` per check of the shared suite, each with a fresh store from
/// `$factory` (a closure returning a future of the store). Needs `tokio` (with `macros` and
/// `rt-multi-thread`) among the caller's dev-dependencies.
#[macro_export]
macro_rules! store_suite {
    ($factory:expr) => {
        $crate::__with_store_checks!([$crate::__store_suite_tests][$factory]);
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __store_suite_tests {
    ([$factory:expr] $($check:ident)*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $check() {
                let factory = $factory;
                $crate::suite::$check(factory().await).await;
            }
        )*
    };
}

/// Runs every check, each against a fresh store from `factory`.
pub async fn run_all<S, F, Fut>(factory: F)
where
    S: Store,
    F: Fn() -> Fut,
    Fut: Future<Output = S>,
{
    macro_rules! run {
        ([] $($check:ident)*) => {
            $( $check(factory().await).await; )*
        };
    }
    crate::__with_store_checks!([run] []);
}

/// Checks a SQL backend's migration list against its `migrations` folder (`dir`): every
/// `.sql` file listed, in order, with increasing versions, each file named after its number.
/// Panics (for tests) on the first difference.
pub fn check_migration_list(dir: &str, migrations: &[(u32, &str, &str)]) {
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .expect("migrations folder")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".sql"))
        .collect();
    files.sort();
    let listed: Vec<String> = migrations.iter().map(|m| m.1.to_owned()).collect();
    assert_eq!(files, listed);
    let mut previous = 0;
    for (version, name, _) in migrations {
        assert!(*version > previous, "versions increase");
        previous = *version;
        assert!(
            name.starts_with(&format!("{version:04}_")),
            "{name} carries its number"
        );
    }
}
