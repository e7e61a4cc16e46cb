//! `GET /console/stream`: notifications that executions advanced, as server-sent events.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream;
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::time::Instant;

use tokio::sync::watch;

use crate::Live;

/// The shortest gap between two notifications about one execution.
pub const EXECUTION_EVERY: Duration = Duration::from_millis(150);
/// The shortest gap between two "something advanced" notifications.
pub const ANY_EVERY: Duration = Duration::from_millis(1000);

pub(crate) async fn stream(State(live): State<Option<Live>>, uri: Uri) -> Response {
    let Some(Live { subscribe, closing }) = live else {
        return (
            StatusCode::FORBIDDEN,
            "the live stream is closed while the server requires signed requests",
        )
            .into_response();
    };
    let filter = uri.query().and_then(|q| query_param(q, "executionArn"));
    let every = if filter.is_some() {
        EXECUTION_EVERY
    } else {
        ANY_EVERY
    };
    let notifier = Notifier {
        rx: subscribe(),
        filter: filter.map(Arc::from),
        every,
        last: None,
        pending: false,
    };
    let events = stream::unfold((notifier, closing), |(mut n, mut closing)| async move {
        let event = tokio::select! {
            e = n.next() => e?,
            _ = closed(&mut closing) => return None,
        };
        Some((Ok::<_, Infallible>(event), (n, closing)))
    });
    Sse::new(events)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}

/// Completes when the server announces its shutdown; never, if it cannot announce one.
async fn closed(closing: &mut watch::Receiver<bool>) {
    if closing.wait_for(|c| *c).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// Turns the broadcast of stepped executions into rate-limited events for one client.
struct Notifier {
    rx: broadcast::Receiver<Arc<str>>,
    filter: Option<Arc<str>>,
    every: Duration,
    last: Option<Instant>,
    /// A matching step arrived too soon after the last event; one event is owed.
    pending: bool,
}

impl Notifier {
    /// The next event, or `None` when the server is shutting down.
    async fn next(&mut self) -> Option<Event> {
        loop {
            let due = self.last.map(|t| t + self.every);
            if self.pending && due.is_none_or(|d| d <= Instant::now()) {
                return Some(self.progress());
            }
            let received = match (self.pending, due) {
                (true, Some(due)) => {
                    tokio::select! {
                        r = self.rx.recv() => r,
                        _ = tokio::time::sleep_until(due) => continue,
                    }
                }
                _ => self.rx.recv().await,
            };
            match received {
                Ok(arn) if self.matches(&arn) => {
                    if due.is_none_or(|d| d <= Instant::now()) {
                        return Some(self.progress());
                    }
                    self.pending = true;
                }
                Ok(_) => {}
                Err(RecvError::Lagged(_)) => {
                    self.pending = false;
                    self.last = Some(Instant::now());
                    return Some(Event::default().event("resync").data("lagged"));
                }
                Err(RecvError::Closed) => return None,
            }
        }
    }

    fn matches(&self, arn: &str) -> bool {
        self.filter.as_deref().is_none_or(|f| f == arn)
    }

    fn progress(&mut self) -> Event {
        self.pending = false;
        self.last = Some(Instant::now());
        Event::default()
            .event("progress")
            .data(self.filter.as_deref().unwrap_or("*"))
    }
}

/// The percent-decoded value of `name` in a query string (`+` is a space).
fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (decode(k)? == name).then(|| decode(v)).flatten()
    })
}

fn decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = s.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notifier(filter: Option<&str>) -> (broadcast::Sender<Arc<str>>, Notifier) {
        let (tx, rx) = broadcast::channel(4);
        let n = Notifier {
            rx,
            filter: filter.map(Arc::from),
            every: Duration::from_millis(100),
            last: None,
            pending: false,
        };
        (tx, n)
    }

    async fn next_within(n: &mut Notifier, ms: u64) -> Option<Option<Event>> {
        tokio::time::timeout(Duration::from_millis(ms), n.next())
            .await
            .ok()
    }

    #[test]
    fn query_values_are_percent_decoded() {
        let q = "a=1&executionArn=arn%3Aaws%3Astates%3Aus-east-1%3A1%3Aexecution%3Am%3Ae+1";
        assert_eq!(
            query_param(q, "executionArn").as_deref(),
            Some("arn:aws:states:us-east-1:1:execution:m:e 1")
        );
        assert_eq!(query_param(q, "b"), None);
        assert_eq!(query_param("executionArn=%zz", "executionArn"), None);
    }

    #[tokio::test(start_paused = true)]
    async fn only_the_watched_execution_is_reported() {
        let (tx, mut n) = notifier(Some("arn:e1"));
        let _ = tx.send(Arc::from("arn:e2"));
        assert!(next_within(&mut n, 50).await.is_none());
        let _ = tx.send(Arc::from("arn:e1"));
        assert!(matches!(next_within(&mut n, 50).await, Some(Some(_))));
    }

    #[tokio::test(start_paused = true)]
    async fn bursts_are_coalesced_and_the_last_step_is_never_lost() {
        let (tx, mut n) = notifier(None);
        let _ = tx.send(Arc::from("a"));
        assert!(matches!(next_within(&mut n, 1).await, Some(Some(_))));
        let _ = tx.send(Arc::from("b"));
        let _ = tx.send(Arc::from("c"));
        // The second event waits out the interval, then comes once for both steps.
        let start = Instant::now();
        assert!(matches!(next_within(&mut n, 500).await, Some(Some(_))));
        assert!(start.elapsed() >= Duration::from_millis(99));
        assert!(next_within(&mut n, 500).await.is_none());
    }

    #[tokio::test(start_paused = true)]
    async fn a_lagging_client_is_told_to_resync_and_a_closed_channel_ends_the_stream() {
        let (tx, mut n) = notifier(None);
        for i in 0..10 {
            let _ = tx.send(Arc::from(format!("e{i}").as_str()));
        }
        assert!(matches!(next_within(&mut n, 1).await, Some(Some(_))));
        drop(tx);
        // What was buffered may still be reported; then the stream ends.
        let mut ended = false;
        for _ in 0..10 {
            if let Some(None) = next_within(&mut n, 1000).await {
                ended = true;
                break;
            }
        }
        assert!(ended);
    }
}
