//! Clients failing to authenticate against a local gateway, from its log: the gateway writes
//! one `unauthorized conn=… reason=…` line per refused handshake, which no connection of ours
//! can see. Lines are read as they are written (from the end of the file at watch start) and
//! reported per client, reason and peer once per window, so a brute-force burst is one
//! sighting a second, not thousands.

use super::watcher::{Report, Stop};
use super::{LocalSide, Observation};
use clawkit_core::logscan::{EventKind, LogTail, Source, Start, TailEvent};
use std::collections::BTreeMap;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How often the log is read and what was found reported.
const WINDOW: Duration = Duration::from_secs(1);

/// Follows the log of `local` (if it has one) until `done`.
pub(super) async fn follow(local: Option<LocalSide>, report: Report, done: CancellationToken) {
    let Some(LocalSide {
        port,
        log_file: Some(file),
    }) = local
    else {
        return;
    };
    let Ok(mut tail) = LogTail::new(Source::Fixed(file), Start::End) else {
        return;
    };
    let mut every = tokio::time::interval(WINDOW);
    loop {
        tokio::select! {
            () = done.cancelled() => return,
            _ = every.tick() => {}
        }
        let Ok((back, polled)) = tokio::task::spawn_blocking(move || {
            let polled = tail.poll();
            (tail, polled)
        })
        .await
        else {
            return;
        };
        tail = back;
        // An unreadable log this time may be readable next time (rotation, permissions).
        let events = polled.unwrap_or_default();
        if send_all(&report, failures(&events, port)).await.is_err() {
            return;
        }
    }
}

async fn send_all(report: &Report, seen: Vec<Observation>) -> Result<(), Stop> {
    for what in seen {
        report.send(what).await?;
    }
    Ok(())
}

/// The auth failures among `events` that reached the gateway on `port` (or name no port),
/// one sighting per client, reason and peer.
fn failures(events: &[TailEvent], port: u16) -> Vec<Observation> {
    type Key = (String, String, String);
    let mut groups: BTreeMap<Key, (u64, Option<i64>, Option<i64>)> = BTreeMap::new();
    let ours = |e: &&TailEvent| {
        let key = &e.event.key;
        key.kind == EventKind::AuthFailure && key.gateway_port.is_none_or(|p| p == port)
    };
    for e in events.iter().filter(ours) {
        let key = &e.event.key;
        let slot = (key.client.clone(), key.reason.clone(), key.peer.clone());
        let (count, first, last) = groups.entry(slot).or_default();
        *count += 1;
        if let Some(t) = e.event.time_ms {
            *first = Some(first.map_or(t, |f| f.min(t)));
            *last = Some(last.map_or(t, |l| l.max(t)));
        }
    }
    groups
        .into_iter()
        .map(|((client, reason, peer), (count, first_ms, last_ms))| {
            Observation::ClientAuthFailures {
                client,
                reason,
                peer: (peer != "-" && !peer.is_empty()).then_some(peer),
                count,
                first_ms,
                last_ms,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clawkit_core::logscan::{GroupKey, LogEvent, Position};

    fn failure(reason: &str, peer: &str, port: Option<u16>, at: i64) -> TailEvent {
        TailEvent {
            event: LogEvent {
                key: GroupKey {
                    kind: EventKind::AuthFailure,
                    reason: reason.into(),
                    client: "cli/cli".into(),
                    device: Some(false),
                    peer: peer.into(),
                    gateway_port: port,
                },
                time: None,
                time_ms: Some(at),
            },
            line_start: 0,
            position: Position {
                path: "gateway.log".into(),
                inode: 1,
                offset: 0,
            },
        }
    }

    #[test]
    fn failures_are_grouped_per_client_reason_and_peer_of_this_gateway() {
        let events = [
            failure("token_mismatch", "127.0.0.1", Some(4000), 10),
            failure("token_mismatch", "127.0.0.1", Some(4000), 30),
            failure("token_mismatch", "127.0.0.1", None, 20),
            failure("token_mismatch", "10.0.0.9", Some(4000), 15),
            failure("token_missing", "127.0.0.1", Some(4000), 12),
            failure("token_mismatch", "127.0.0.1", Some(5000), 11),
        ];
        let seen = failures(&events, 4000);
        let summary: Vec<_> = seen
            .iter()
            .map(|o| match o {
                Observation::ClientAuthFailures {
                    reason,
                    peer,
                    count,
                    first_ms,
                    last_ms,
                    ..
                } => (
                    reason.as_str(),
                    peer.as_deref(),
                    *count,
                    *first_ms,
                    *last_ms,
                ),
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("token_mismatch", Some("10.0.0.9"), 1, Some(15), Some(15)),
                ("token_mismatch", Some("127.0.0.1"), 3, Some(10), Some(30)),
                ("token_missing", Some("127.0.0.1"), 1, Some(12), Some(12)),
            ]
        );
    }
}
