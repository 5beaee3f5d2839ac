//! clawkit's own restarts, announced to whoever watches the gateway: before `restart` asks
//! for one it writes `<state dir>/clawkit/restart-intent.json` (when, by which process), so
//! the monitor annotates the restart that follows instead of alerting on it.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// How long an announcement covers the restart that follows it.
pub const INTENT_VALID_MS: i64 = 120_000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Intent {
    pub at_ms: i64,
    pub by: String,
    pub pid: u32,
}

fn path(state_dir: &Path) -> PathBuf {
    state_dir.join("clawkit").join("restart-intent.json")
}

/// Records that clawkit restarts this install's gateway now. Best effort: a monitor that
/// misses it alerts on a restart it could have annotated, nothing worse.
pub fn announce(state_dir: &Path, by: &str) {
    let intent = Intent {
        at_ms: crate::time::now_ms(),
        by: by.to_string(),
        pid: std::process::id(),
    };
    let file = path(state_dir);
    if let Some(dir) = file.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    if let Ok(text) = serde_json::to_vec(&intent) {
        let _ = crate::fsx::write_atomic(&file, &text, 0o600);
    }
}

/// The announcement still in force at `now_ms`, if any.
pub fn recent(state_dir: &Path, now_ms: i64) -> Option<Intent> {
    let text = std::fs::read(path(state_dir)).ok()?;
    let intent: Intent = serde_json::from_slice(&text).ok()?;
    (now_ms - intent.at_ms <= INTENT_VALID_MS && intent.at_ms <= now_ms + 1_000).then_some(intent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_announcement_covers_the_next_two_minutes() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(recent(dir.path(), 0), None);
        announce(dir.path(), "clawkit gateway restart");
        let now = crate::time::now_ms();
        let i = recent(dir.path(), now).unwrap();
        assert_eq!(i.by, "clawkit gateway restart");
        assert_eq!(recent(dir.path(), now + INTENT_VALID_MS + 5_000), None);
    }
}
