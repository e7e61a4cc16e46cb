//! The connection that listens for other nodes' signals.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::broadcast;
use tokio_postgres::{AsyncMessage, NoTls};

use crate::machines::MachineCache;

/// The `NOTIFY` channel Estado nodes talk on.
pub const CHANNEL: &str = "estado";

/// Something another node (or this one) committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signal {
    /// Activity tasks were queued.
    ActivityTasks,
    /// An execution reached a terminal status.
    Finished {
        execution_arn: String,
        status: String,
    },
    /// The listening connection was lost and is back: signals sent meanwhile are missed.
    Reconnected,
}

impl Signal {
    /// The payload of the `NOTIFY` that carries it (the format [`Signal::parse`] reads).
    pub(crate) fn payload(&self) -> String {
        match self {
            Signal::ActivityTasks => "a".into(),
            Signal::Finished {
                execution_arn,
                status,
            } => format!("f {status} {execution_arn}"),
            Signal::Reconnected => "r".into(),
        }
    }

    pub(crate) fn parse(payload: &str) -> Option<Signal> {
        let mut parts = payload.splitn(3, ' ');
        match (parts.next()?, parts.next(), parts.next()) {
            ("a", None, None) => Some(Signal::ActivityTasks),
            ("f", Some(status), Some(arn)) => Some(Signal::Finished {
                execution_arn: arn.to_owned(),
                status: status.to_owned(),
            }),
            _ => None,
        }
    }
}

/// The payload that tells the nodes a state machine's record changed (create, update, delete,
/// new version): they drop it from their [`MachineCache`]. Handled by the store itself, not
/// handed out as a [`Signal`].
pub(crate) fn machine_changed(arn: &str) -> String {
    format!("m {arn}")
}

/// Listens until the task is aborted (the store dropped), reconnecting after a lost connection.
/// Each time listening starts, the machine cache is dropped: notifications may have been
/// missed while it was not listening.
pub(crate) async fn run(
    config: tokio_postgres::Config,
    out: broadcast::Sender<Signal>,
    machines: Arc<MachineCache>,
) {
    let mut backoff = Duration::from_millis(100);
    let mut first = true;
    loop {
        match config.connect(NoTls).await {
            Ok((client, mut conn)) => {
                let statement = format!("LISTEN {CHANNEL}");
                let listen = client.batch_execute(&statement);
                // The connection must be driven for LISTEN to get its answer.
                let drive = async {
                    loop {
                        match std::future::poll_fn(|cx| conn.poll_message(cx)).await {
                            Some(Ok(AsyncMessage::Notification(n))) => {
                                if let Some(arn) = n.payload().strip_prefix("m ") {
                                    machines.invalidate(arn);
                                } else if let Some(s) = Signal::parse(n.payload()) {
                                    let _ = out.send(s);
                                }
                            }
                            Some(Ok(_)) => {}
                            Some(Err(e)) => {
                                tracing::warn!("the PostgreSQL listening connection failed: {e}");
                                return;
                            }
                            None => return,
                        }
                    }
                };
                tokio::pin!(drive);
                let listened = tokio::select! {
                    r = listen => Some(r),
                    () = &mut drive => None,
                };
                match listened {
                    Some(Ok(())) => {
                        machines.clear();
                        backoff = Duration::from_millis(100);
                        if !first {
                            let _ = out.send(Signal::Reconnected);
                        }
                        first = false;
                        (&mut drive).await;
                    }
                    Some(Err(e)) => tracing::warn!("LISTEN {CHANNEL} failed: {e}"),
                    None => {}
                }
                drop(client);
            }
            Err(e) => tracing::warn!("cannot open the PostgreSQL listening connection: {e}"),
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(5));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_round_trip() {
        for s in [
            Signal::ActivityTasks,
            Signal::Finished {
                execution_arn: "arn:aws:states:us-east-1:1:execution:m:a b".into(),
                status: "SUCCEEDED".into(),
            },
        ] {
            assert_eq!(Signal::parse(&s.payload()), Some(s));
        }
        assert_eq!(Signal::parse("x"), None);
    }
}
