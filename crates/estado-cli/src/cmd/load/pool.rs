//! Many requests in flight at once: `concurrency` tasks take the next index until `count`
//! are done, so each keeps one keep-alive connection busy.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use anyhow::Context as _;
use tokio::task::JoinSet;

/// Runs `work(i)` for every `i` in `0..count`, at most `concurrency` at a time, and answers
/// the results in index order. The first error ends the run (the other tasks are stopped) and
/// is the answer; so is dropping the returned future.
pub async fn run_all<T, F, Fut>(count: usize, concurrency: usize, work: F) -> anyhow::Result<Vec<T>>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = anyhow::Result<T>> + Send + 'static,
{
    let next = Arc::new(AtomicUsize::new(0));
    let work = Arc::new(work);
    let mut tasks = JoinSet::new();
    for _ in 0..concurrency.clamp(1, count.max(1)) {
        let next = next.clone();
        let work = work.clone();
        tasks.spawn(async move {
            let mut done = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    return anyhow::Ok(done);
                }
                let value = work(i).await.with_context(|| format!("request #{i}"))?;
                done.push((i, value));
            }
        });
    }
    let mut all = Vec::with_capacity(count);
    while let Some(joined) = tasks.join_next().await {
        let done = joined.context("a request task failed")??;
        all.extend(done);
    }
    all.sort_unstable_by_key(|(i, _)| *i);
    Ok(all.into_iter().map(|(_, v)| v).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_index_runs_once_and_results_come_in_order() {
        let out = run_all(100, 7, |i| async move { Ok(i * 2) })
            .await
            .unwrap_or_else(|e| panic!("{e:#}"));
        assert_eq!(out, (0..100).map(|i| i * 2).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn the_first_error_is_the_answer() {
        let err = run_all(50, 4, |i| async move {
            if i == 13 {
                anyhow::bail!("unlucky")
            }
            Ok(i)
        })
        .await
        .expect_err("fails");
        assert_eq!(format!("{err:#}"), "request #13: unlucky");
    }

    #[tokio::test]
    async fn nothing_to_do_is_done_at_once() {
        let out: Vec<usize> = run_all(0, 64, |i| async move { Ok(i) })
            .await
            .unwrap_or_else(|e| panic!("{e:#}"));
        assert!(out.is_empty());
    }
}
