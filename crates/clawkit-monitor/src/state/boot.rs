//! Which boot of a gateway a connection reached: its boot id (2026.9), else its pid and
//! start time (2026.7 has no boot id in `hello-ok`).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Boot {
    pub boot_id: Option<String>,
    pub pid: Option<u32>,
    /// When the process started, from `uptimeMs` (a few ms of slack).
    pub started_ms: Option<i64>,
}

/// How far two start times derived from uptimes may differ and still be one boot.
const START_SLACK_MS: i64 = 5_000;

impl Boot {
    pub fn new(
        boot_id: Option<String>,
        pid: Option<u32>,
        uptime_ms: Option<u64>,
        at_ms: i64,
    ) -> Boot {
        Boot {
            boot_id,
            pid,
            started_ms: uptime_ms.map(|u| at_ms - u as i64),
        }
    }

    /// Whether `other` is another boot than this one (unknown counts as the same).
    pub fn differs(&self, other: &Boot) -> bool {
        if let (Some(a), Some(b)) = (&self.boot_id, &other.boot_id) {
            return a != b;
        }
        if let (Some(a), Some(b)) = (self.pid, other.pid)
            && a != b
        {
            return true;
        }
        matches!((self.started_ms, other.started_ms), (Some(a), Some(b)) if (a - b).abs() > START_SLACK_MS)
    }

    /// `boot 3f2a…` or `pid 1234`, for a summary.
    pub fn label(&self) -> String {
        match (&self.boot_id, self.pid) {
            (Some(id), _) => format!("boot {}", id.chars().take(8).collect::<String>()),
            (None, Some(pid)) => format!("pid {pid}"),
            (None, None) => "an unknown boot".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boot_ids_decide_else_pid_and_start_time() {
        let a = Boot::new(Some("a".into()), Some(1), Some(10), 100);
        assert!(a.differs(&Boot::new(Some("b".into()), Some(1), Some(10), 100)));
        assert!(!a.differs(&Boot::new(Some("a".into()), Some(2), None, 100)));
        let old = Boot::new(None, Some(7), Some(60_000), 100_000);
        assert!(!old.differs(&Boot::new(None, Some(7), Some(70_000), 110_000)));
        assert!(old.differs(&Boot::new(None, Some(8), Some(10), 110_000)));
        assert!(
            old.differs(&Boot::new(None, Some(7), Some(10), 110_000)),
            "same pid, restarted in process"
        );
    }
}
