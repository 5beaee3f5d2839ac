//! The one door from async operations to blocking work (`/proc` walks, SQLite, mmap scans,
//! `systemctl`, waiting for a process to die). Operations run on a tokio runtime shared with
//! open gateway connections; a blocking call made in place would stop their pings.

/// Runs `work` on tokio's blocking pool and waits for it. A panic inside `work` is resumed
/// here, as if `work` had run in place.
pub async fn blocking<T, F>(work: F) -> T
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    match tokio::task::spawn_blocking(work).await {
        Ok(value) => value,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        // Only a runtime shutting down cancels a blocking task; nothing is left to report to.
        Err(e) => panic!("blocking task cancelled: {e}"),
    }
}

/// Sleeps without blocking the runtime, or returns early (`false`) when `cancel` fires.
pub async fn pause(cancel: &crate::event::Cancel, how_long: std::time::Duration) -> bool {
    tokio::select! {
        _ = tokio::time::sleep(how_long) => true,
        _ = cancel.cancelled() => false,
    }
}
