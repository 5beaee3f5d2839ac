//! Approving a pending pairing request and removing a paired device, through the install's
//! own `openclaw devices approve|remove`: both are mutations of OpenClaw's locked pairing store,
//! which only OpenClaw should write (the web doctor's token page offers them).

use crate::error::Error;
use crate::target::Target;
use std::time::Duration;

/// What to do to one device or request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceAction {
    /// Approve a pending request (its request id).
    Approve,
    /// Remove a paired device (its device id): it must pair again to reconnect.
    Remove,
}

impl DeviceAction {
    fn verb(self) -> &'static str {
        match self {
            DeviceAction::Approve => "approve",
            DeviceAction::Remove => "remove",
        }
    }
}

/// The command that ran and what OpenClaw said (redacted).
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceDone {
    pub ran: String,
    pub ok: bool,
    pub openclaw_said: String,
}

/// Runs `openclaw devices <approve|remove> <id>`. An id that is not a plain word is refused
/// before anything runs (it goes on OpenClaw's command line).
pub async fn device_action(
    target: &Target,
    action: DeviceAction,
    id: &str,
) -> Result<DeviceDone, Error> {
    let plain = !id.is_empty()
        && !id.starts_with('-')
        && id.len() <= 128
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !plain {
        return Err(Error::Usage(format!(
            "`{}` is not a device or request id (letters, digits, - and _): `openclaw devices list` shows them",
            crate::secret::redact_text(id)
        )));
    }
    let args = vec!["devices".into(), action.verb().into(), id.to_string()];
    let (program, out) = target.run_cli(args, Duration::from_secs(60)).await?;
    let said = [out.stdout.trim(), out.stderr.trim()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    Ok(DeviceDone {
        ran: format!("{program} devices {} {id}", action.verb()),
        ok: out.success(),
        openclaw_said: crate::secret::redact_text(&said),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_that_could_be_a_flag_is_refused_before_anything_runs() {
        let env = crate::env::Env::from_pairs([("HOME", "/nonexistent-clawkit-home")]);
        let paths = crate::openclaw::install::InstallPaths::resolve_without_cli(&env);
        let target = Target::local(paths, env);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        for bad in ["--all", "", "a b", "x;rm", &"a".repeat(200)] {
            let e = rt
                .block_on(device_action(&target, DeviceAction::Remove, bad))
                .unwrap_err();
            assert!(
                e.to_string().contains("not a device or request id"),
                "{bad}: {e}"
            );
        }
        let e = rt
            .block_on(device_action(&target, DeviceAction::Approve, "req-1"))
            .unwrap_err();
        assert!(e.to_string().contains("not on PATH"), "{e}");
    }
}
