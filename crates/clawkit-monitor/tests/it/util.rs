//! A watcher under test: `watch()` running on its own task, and the sightings it sends, read
//! in order with a generous guard against hanging (never a latency assertion).

use clawkit_core::gateway::{ConnectOptions, Credential};
use clawkit_monitor::watch::{LocalSide, Observation, Seen, WatchTarget, watch};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// How long a test waits for a sighting before it fails (a real gateway restarts in seconds
/// on a loaded 2-core machine).
const PATIENCE: Duration = Duration::from_secs(120);

pub fn target(url: &str, credential: Credential, local: Option<LocalSide>) -> WatchTarget {
    let mut endpoint = ConnectOptions::new(url);
    endpoint.credential = credential;
    WatchTarget {
        name: "gw".into(),
        endpoint,
        ping_every: Duration::from_millis(250),
        ping_deadline: Duration::from_secs(3),
        local,
    }
}

pub fn token(t: &str) -> Credential {
    Credential::Token(t.to_string())
}

pub struct Watching {
    rx: mpsc::Receiver<Seen>,
    cancel: CancellationToken,
    task: JoinHandle<()>,
    /// Every sighting read so far (but pongs), for failure messages.
    pub seen: Vec<Observation>,
    /// Pongs received, each with its round trip: probe samples, counted apart.
    pub pongs: Vec<u64>,
}

impl Watching {
    pub fn start(target: WatchTarget) -> Watching {
        let (tx, rx) = mpsc::channel(64);
        let cancel = CancellationToken::new();
        let task = tokio::spawn(watch(target, tx, cancel.clone()));
        Watching {
            rx,
            cancel,
            task,
            seen: Vec::new(),
            pongs: Vec::new(),
        }
    }

    /// The next sighting (pongs are counted in `pongs`, not returned).
    pub async fn next(&mut self) -> Observation {
        loop {
            let seen = tokio::time::timeout(PATIENCE, self.rx.recv())
                .await
                .unwrap_or_else(|_| {
                    panic!("no sighting within {PATIENCE:?}; so far {:#?}", self.seen)
                })
                .expect("the watcher runs until cancelled");
            assert_eq!(seen.gateway, "gw");
            if let Observation::Pong { rtt_ms } = seen.what {
                self.pongs.push(rtt_ms);
                continue;
            }
            self.seen.push(seen.what.clone());
            return seen.what;
        }
    }

    /// Sightings up to and including the first that `wanted` accepts; returns that one.
    pub async fn until(
        &mut self,
        what: &str,
        wanted: impl Fn(&Observation) -> bool,
    ) -> Observation {
        let started = self.seen.len();
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let o = tokio::time::timeout_at(deadline, self.next())
                .await
                .unwrap_or_else(|_| panic!("no {what}; saw {:#?}", &self.seen[started..]));
            if wanted(&o) {
                return o;
            }
        }
    }

    /// Sightings that arrive within `quiet` (for checking that nothing repeats).
    pub async fn drain_for(&mut self, quiet: Duration) -> Vec<Observation> {
        let mut got = Vec::new();
        while let Ok(Some(seen)) = tokio::time::timeout(quiet, self.rx.recv()).await {
            if let Observation::Pong { rtt_ms } = seen.what {
                self.pongs.push(rtt_ms);
                continue;
            }
            self.seen.push(seen.what.clone());
            got.push(seen.what);
        }
        got
    }

    /// Cancels the watcher and waits for its task to end.
    pub async fn stop(self) {
        self.cancel.cancel();
        tokio::time::timeout(PATIENCE, self.task)
            .await
            .expect("the watcher ends when cancelled")
            .expect("the watcher does not panic");
    }
}

pub fn is_connected(o: &Observation) -> bool {
    matches!(o, Observation::Connected { .. })
}

pub fn boot_of(o: &Observation) -> Option<String> {
    match o {
        Observation::Connected { boot_id, .. } => boot_id.clone(),
        other => panic!("not Connected: {other:?}"),
    }
}
