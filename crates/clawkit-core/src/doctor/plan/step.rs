//! A plan step: the phase that orders it, what it does, and the finding it fixes.

use crate::openclaw::auth::Secret;
use serde::Serialize;
use std::path::PathBuf;

/// When a step runs: the guides' order for the two token errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    StopProcesses,
    Config,
    AlignSecret,
    Service,
    Restart,
    RefreshDevice,
    Approve,
    Verify,
    Manual,
}

#[derive(Debug, Clone)]
pub enum Action {
    /// Set a config key to a secret value clawkit read (never shown; diffs show fingerprints).
    ConfigSet {
        key: String,
        secret: Secret,
    },
    ConfigUnset {
        key: String,
    },
    /// Replace (`new`) or remove (`None`) the assignment of `old` in a line-oriented file.
    FileSecret {
        file: PathBuf,
        old: Secret,
        new: Option<Secret>,
    },
    /// Replace every occurrence of `from` with `to` in a file (a moved install's path).
    FileReplace {
        file: PathBuf,
        from: String,
        to: String,
    },
    Chmod {
        path: PathBuf,
        mode: u32,
    },
    /// Stop a gateway process that is not this state dir's healthy gateway.
    StopProcess {
        pid: u32,
    },
    /// `systemctl --user daemon-reload`, so a changed unit is what the restart uses.
    Reload,
    /// Restart through the service manager (or the gateway's own restart request).
    Restart,
    /// Reissue this client's device token with the gateway's shared secret and cache it.
    RefreshDeviceToken {
        shared: Secret,
    },
    /// Approve a pending pairing/repair request with the shared secret: only with explicit
    /// confirmation.
    Approve {
        request_id: String,
        shared: Secret,
    },
    /// Handshakes again until the gateway answers.
    Verify,
    /// What only the user can do.
    Manual {
        command: String,
    },
}

#[derive(Debug, Clone)]
pub struct Step {
    pub phase: Phase,
    pub title: String,
    pub action: Action,
    /// The finding this step fixes.
    pub fixes: &'static str,
}

impl Step {
    pub(super) fn new(
        phase: Phase,
        fixes: &'static str,
        title: impl Into<String>,
        action: Action,
    ) -> Step {
        Step {
            phase,
            title: title.into(),
            action,
            fixes,
        }
    }

    /// Whether it waits for an explicit approval (`--approve-repairs`, or a question on a
    /// terminal) even under `--yes`: approving grants a device the access it asks for.
    pub fn needs_approval(&self) -> bool {
        matches!(self.action, Action::Approve { .. })
    }

    /// Whether clawkit performs it (not a manual step, not just a verification).
    pub fn is_change(&self) -> bool {
        !matches!(self.action, Action::Manual { .. } | Action::Verify)
    }

    pub fn kind(&self) -> &'static str {
        match self.action {
            Action::ConfigSet { .. } => "config-set",
            Action::ConfigUnset { .. } => "config-unset",
            Action::FileSecret { .. } | Action::FileReplace { .. } => "file-edit",
            Action::Chmod { .. } => "chmod",
            Action::StopProcess { .. } => "stop-process",
            Action::Reload => "reload-units",
            Action::Restart => "restart",
            Action::RefreshDeviceToken { .. } => "refresh-device-token",
            Action::Approve { .. } => "approve-request",
            Action::Verify => "verify",
            Action::Manual { .. } => "manual",
        }
    }
}
