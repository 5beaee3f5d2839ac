//! `desktop://` (also Apprise's `dbus://`, `gnome://`, `kde://`, `macosx://`): a desktop
//! notification through the OS's own tool, `notify-send` (libnotify) on Linux and the BSDs,
//! `osascript` on macOS. No D-Bus library: the tool is on every desktop, and a headless
//! server has none — there the channel fails softly with a permanent error naming why
//! (no session, no tool), and the outbox reports it through the other channels.

use super::url::Parts;
use super::{ChannelError, Parsed, SendError};
use crate::alert::Alert;
use std::time::Duration;

#[derive(Clone)]
pub(crate) struct Desktop;

pub(crate) fn parse(parts: &Parts, head: &str) -> Result<Parsed, ChannelError> {
    if !parts.authority.is_empty() || !parts.segments.is_empty() {
        return Err(ChannelError::invalid(
            head,
            "a desktop notification takes no host or path: desktop://",
        ));
    }
    Ok(Parsed {
        kind: super::Kind::Desktop(Desktop),
        masked: format!("{}://", parts.scheme),
        secrets: Vec::new(),
    })
}

impl Desktop {
    pub(crate) async fn send(&self, alert: &Alert, timeout: Duration) -> Result<(), SendError> {
        let title = super::title(alert);
        let body = super::text(alert);
        let mut cmd = if cfg!(target_os = "macos") {
            let quote = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
            let mut c = tokio::process::Command::new("osascript");
            c.arg("-e").arg(format!(
                "display notification \"{}\" with title \"{}\"",
                quote(&body),
                quote(&title)
            ));
            c
        } else {
            let has_session = ["DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "WAYLAND_DISPLAY"]
                .iter()
                .any(|v| std::env::var_os(v).is_some_and(|v| !v.is_empty()));
            if !has_session {
                return Err(SendError::Permanent(
                    "no desktop session here (DBUS_SESSION_BUS_ADDRESS, DISPLAY and \
                     WAYLAND_DISPLAY are unset): a headless machine cannot show a desktop \
                     notification"
                        .into(),
                ));
            }
            let urgency = if super::is_trouble(alert.event) {
                "critical"
            } else {
                "normal"
            };
            let mut c = tokio::process::Command::new("notify-send");
            c.args(["--app-name=clawkit", "--urgency", urgency, "--"])
                .arg(&title)
                .arg(&body);
            c
        };
        cmd.stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true);
        let tool = if cfg!(target_os = "macos") {
            "osascript"
        } else {
            "notify-send"
        };
        let child = cmd.spawn().map_err(|e| {
            SendError::Permanent(if e.kind() == std::io::ErrorKind::NotFound {
                format!("`{tool}` is not installed (on Debian: apt-get install libnotify-bin)")
            } else {
                format!("cannot run `{tool}`: {e}")
            })
        })?;
        let out = tokio::time::timeout(timeout, child.wait_with_output())
            .await
            .map_err(|_| SendError::Transient(format!("`{tool}` did not finish")))?
            .map_err(|e| SendError::Transient(format!("`{tool}`: {e}")))?;
        if out.status.success() {
            Ok(())
        } else {
            let stderr = String::from_utf8_lossy(&out.stderr);
            Err(SendError::Transient(format!(
                "`{tool}` failed ({}): {}",
                out.status,
                stderr.trim().chars().take(200).collect::<String>()
            )))
        }
    }
}
