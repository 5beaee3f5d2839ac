//! From findings to conclusions and a fix plan. Causes are the findings that explain the
//! failures observed (a handshake refused, failures in the log), ranked; the plan follows the
//! guides' order for the two token errors: stop what holds the port, repair the config, align
//! the shared secret, fix the service, restart, refresh device tokens, verify, then what only
//! the user can do.

use super::checks::{self, client_copies, gateway_secret, word};
use super::facts::Facts;
use super::sources::Place;
use super::subject::{ClientKind, Refusal, Subject};
use super::{Cause, Check};
use crate::finding::{Finding, Severity, codes};
use crate::openclaw::auth::{ClientMode, Secret, SecretKind, SecretOrigin};
use serde::Serialize;
use std::path::PathBuf;

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
    fn new(phase: Phase, fixes: &'static str, title: impl Into<String>, action: Action) -> Step {
        Step {
            phase,
            title: title.into(),
            action,
            fixes,
        }
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

/// Which observed refusals a root cause accounts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Explains {
    /// Every failure: nothing works until it is fixed (a broken config, the wrong listener).
    Everything,
    Only(Refusal),
    Nothing,
}

/// Root-cause codes, most fundamental first, with what each explains.
const RANK: &[(&str, Explains)] = &[
    (codes::CONFIG_INVALID, Explains::Everything),
    (codes::CONFIG_UNRESOLVED_REF, Explains::Everything),
    (codes::CONFIG_AUTH_AMBIGUOUS, Explains::Everything),
    (codes::CONFIG_AUTH_MODE_UNKNOWN, Explains::Everything),
    (codes::CONFIG_RETIRED_KEY, Explains::Everything),
    (codes::ZOMBIE_GATEWAY, Explains::Everything),
    (codes::HUNG_GATEWAY, Explains::Everything),
    (codes::FOREIGN_LISTENER, Explains::Everything),
    (codes::MULTIPLE_GATEWAYS, Explains::Everything),
    (codes::GATEWAY_DOWN, Explains::Everything),
    (codes::GATEWAY_NOT_LISTENING, Explains::Everything),
    (codes::CLI_REMOTE_URL_MISSING, Explains::Everything),
    (codes::SERVICE_STATE_DIR_MISMATCH, Explains::Nothing),
    (
        codes::SERVICE_TOKEN_MISMATCH,
        Explains::Only(Refusal::SharedSecret),
    ),
    (
        codes::SECRET_MISMATCH,
        Explains::Only(Refusal::SharedSecret),
    ),
    (
        codes::GATEWAY_SECRET_HIDDEN,
        Explains::Only(Refusal::SharedSecret),
    ),
    (
        codes::CONFIG_REDACTED_SECRET,
        Explains::Only(Refusal::SharedSecret),
    ),
    (codes::SERVICE_ENTRY_MISSING, Explains::Nothing),
    (codes::SERVICE_RUNTIME_MISSING, Explains::Nothing),
    (codes::SERVICE_VERSION_DRIFT, Explains::Nothing),
    (codes::GATEWAY_VERSION_DRIFT, Explains::Nothing),
    (
        codes::DEVICE_TOKEN_REVOKED,
        Explains::Only(Refusal::DeviceToken),
    ),
    (
        codes::DEVICE_TOKEN_STALE,
        Explains::Only(Refusal::DeviceToken),
    ),
    (
        codes::DEVICE_TOKEN_MISSING,
        Explains::Only(Refusal::DeviceToken),
    ),
    (
        codes::DEVICE_NOT_PAIRED,
        Explains::Only(Refusal::DeviceToken),
    ),
    (
        codes::DEVICE_REPAIR_PENDING,
        Explains::Only(Refusal::Pairing),
    ),
    (codes::SERVICE_TOKEN_STALE, Explains::Nothing),
    (codes::SECRET_STALE_COPY, Explains::Nothing),
    (codes::SERVICE_TOKEN_EMBEDDED, Explains::Nothing),
    (codes::SERVICE_PASSWORD_EMBEDDED, Explains::Nothing),
    (codes::EXPOSED_WITHOUT_AUTH, Explains::Nothing),
    (codes::AUTH_NONE, Explains::Nothing),
    (codes::WEAK_SECRET, Explains::Nothing),
    (codes::CONFIG_PERMISSIONS, Explains::Nothing),
    (codes::STATE_DIR_PERMISSIONS, Explains::Nothing),
];

fn findings(checks: &[Check]) -> impl Iterator<Item = &Finding> {
    checks.iter().flat_map(|c| c.findings.iter())
}

/// Each finding with what it is about, when its check said.
fn judged(checks: &[Check]) -> impl Iterator<Item = (&Finding, Option<&Subject>)> {
    checks.iter().flat_map(Check::judged)
}

/// A failure clawkit saw happen.
struct Observed {
    /// "the CLI's handshake: gateway token mismatch", "log: 3× `token_mismatch` from …".
    label: String,
    refusal: Refusal,
}

/// What failed, as observed: the live handshakes, and the log's failures still happening.
fn observed(f: &Facts, checks: &[Check]) -> Vec<Observed> {
    let mut out = Vec::new();
    let handshakes = [
        ("the CLI's handshake", f.cli.as_ref().map(|c| &c.verdict)),
        ("this device's handshake", f.device_verdict.as_ref()),
    ];
    for (who, verdict) in handshakes {
        if let Some(v) = verdict.filter(|v| !v.is_ok()) {
            out.push(Observed {
                label: format!("{who}: {}", v.name()),
                refusal: Refusal::of_verdict(v),
            });
        }
    }
    for (x, subject) in judged(checks) {
        if let Some(Subject::LogClient { refusal, .. }) = subject
            && x.severity >= Severity::Warning
        {
            out.push(Observed {
                label: format!("log: {}", x.summary),
                refusal: *refusal,
            });
        }
    }
    out
}

pub fn causes(f: &Facts, checks: &[Check]) -> Vec<Cause> {
    let observed = observed(f, checks);
    let mut list: Vec<(usize, Explains, &Finding)> = findings(checks)
        .filter(|x| x.severity >= Severity::Warning)
        .filter_map(|x| {
            let r = RANK.iter().position(|(c, _)| *c == x.code)?;
            Some((r, RANK[r].1, x))
        })
        .collect();
    list.sort_by_key(|(r, _, x)| (std::cmp::Reverse(x.severity), *r));
    let mut explained = vec![false; observed.len()];
    let mut out: Vec<Cause> = list
        .into_iter()
        .map(|(_, explains, x)| {
            let mut ex = Vec::new();
            for (i, o) in observed.iter().enumerate() {
                let accounts = match explains {
                    Explains::Everything => true,
                    Explains::Only(r) => r == o.refusal,
                    Explains::Nothing => false,
                };
                if accounts {
                    ex.push(o.label.clone());
                    explained[i] = true;
                }
            }
            Cause {
                rank: 0,
                code: x.code,
                summary: x.summary.clone(),
                evidence: x.evidence.clone(),
                explains: ex,
            }
        })
        .collect();
    for (o, _) in observed.iter().zip(&explained).filter(|(_, e)| !**e) {
        out.push(Cause {
            rank: 0,
            code: codes::UNEXPLAINED_FAILURE,
            summary: format!(
                "{}: no check explains it; `clawkit explain` names what that message means",
                o.label
            ),
            evidence: Vec::new(),
            explains: vec![o.label.clone()],
        });
    }
    for (i, c) in out.iter_mut().enumerate() {
        c.rank = i + 1;
    }
    out
}

/// The config key the CLI reads first in its mode, for `kind`.
fn pin_key(mode: &ClientMode, kind: SecretKind) -> Option<&'static str> {
    match (mode, kind) {
        (ClientMode::Local, SecretKind::Password) => Some("gateway.auth.password"),
        (ClientMode::Local, _) => Some("gateway.auth.token"),
        (ClientMode::Remote, SecretKind::Password) => Some("gateway.remote.password"),
        (ClientMode::Remote, _) => Some("gateway.remote.token"),
        (ClientMode::ExplicitUrl, _) => None,
    }
}

/// The file named by an origin such as `/x/unit.service:12` or `/x/a.plist <key>K</key>`.
fn origin_file(origin: &str) -> PathBuf {
    let head = origin.split(" <key>").next().unwrap_or(origin);
    match head.rsplit_once(':') {
        Some((file, line)) if line.chars().all(|c| c.is_ascii_digit()) => PathBuf::from(file),
        _ => PathBuf::from(head),
    }
}

/// Adds `s` unless an equivalent step is planned already.
fn push(steps: &mut Vec<Step>, s: Step) {
    let dup = steps.iter().any(|o| match (&o.action, &s.action) {
        (Action::ConfigSet { key: a, .. }, Action::ConfigSet { key: b, .. }) => a == b,
        (Action::Manual { command: a }, Action::Manual { command: b }) => a == b,
        (Action::StopProcess { pid: a }, Action::StopProcess { pid: b }) => a == b,
        (
            Action::FileSecret {
                file: a, old: x, ..
            },
            Action::FileSecret {
                file: b, old: y, ..
            },
        ) => a == b && x.same_value(y),
        (Action::RefreshDeviceToken { .. }, Action::RefreshDeviceToken { .. }) => true,
        (Action::Restart, Action::Restart) | (Action::Reload, Action::Reload) => true,
        _ => false,
    });
    if !dup {
        steps.push(s);
    }
}

pub fn steps(f: &Facts, checks: &[Check]) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    let truth = gateway_secret(f);
    let own_running = f.gateway.is_some();
    let mut service_changed = false;

    // What `clawkit ports --kill` would stop: OpenClaw gateways of this user only.
    for (x, p) in f.ports.iter().flat_map(|r| r.killable(false)) {
        push(
            &mut steps,
            Step::new(
                Phase::StopProcesses,
                x.code,
                format!(
                    "stop pid {} ({}), re-verified before the signal",
                    p.pid, x.code
                ),
                Action::StopProcess { pid: p.pid },
            ),
        );
    }
    for (path, mode, code) in checks::private_paths(f) {
        if findings(checks).any(|x| x.code == code) {
            push(
                &mut steps,
                Step::new(
                    Phase::Config,
                    code,
                    format!("chmod {mode:o} {}", path.display()),
                    Action::Chmod { path, mode },
                ),
            );
        }
    }

    if let Ok(config) = &f.config {
        for (key, _) in checks::retired_keys(config) {
            push(
                &mut steps,
                Step::new(
                    Phase::Config,
                    codes::CONFIG_RETIRED_KEY,
                    format!("remove the retired key {}", key.path),
                    Action::ConfigUnset {
                        key: key.path.to_string(),
                    },
                ),
            );
        }
    }

    // The shared secret: every client copy that differs from what the gateway checks.
    if let Some(truth) = truth {
        for c in client_copies(f) {
            let (copy, in_effect) = (c.secret, c.in_effect);
            if copy.kind != truth.kind || copy.same_value(truth) {
                continue;
            }
            let accepted = f.cli.as_ref().is_some_and(|c| c.verdict.is_ok());
            if in_effect && accepted {
                continue; // the gateway accepts it: clawkit's view of the gateway is wrong
            }
            let code = c.mismatch_code();
            match c.place {
                Place::ConfigKey(key) => push(
                    &mut steps,
                    Step::new(
                        Phase::AlignSecret,
                        code,
                        format!(
                            "set {key} to the gateway's {} ({})",
                            word(truth),
                            truth.fingerprint()
                        ),
                        Action::ConfigSet {
                            key,
                            secret: truth.clone(),
                        },
                    ),
                ),
                Place::File(file) => push(
                    &mut steps,
                    Step::new(
                        Phase::AlignSecret,
                        code,
                        format!(
                            "write the gateway's {} ({}) into {}",
                            word(truth),
                            truth.fingerprint(),
                            copy.origin
                        ),
                        Action::FileSecret {
                            file,
                            old: copy.clone(),
                            new: Some(truth.clone()),
                        },
                    ),
                ),
                Place::Shell => {
                    if in_effect && let Some(key) = pin_key(&f.client_mode, copy.kind) {
                        push(
                            &mut steps,
                            Step::new(
                                Phase::AlignSecret,
                                code,
                                format!(
                                    "set {key} to the gateway's {} ({}): the CLI reads it before the shell's {}",
                                    word(truth),
                                    truth.fingerprint(),
                                    copy.kind.env_var()
                                ),
                                Action::ConfigSet {
                                    key: key.to_string(),
                                    secret: truth.clone(),
                                },
                            ),
                        );
                    }
                    push(
                        &mut steps,
                        Step::new(
                            Phase::Manual,
                            code,
                            format!(
                                "remove the stale {} from your shell and its startup files (clawkit cannot change your shell)",
                                copy.kind.env_var()
                            ),
                            Action::Manual {
                                command: format!(
                                    "unset {var}; grep -n {var} ~/.bashrc ~/.zshrc ~/.profile ~/.config/fish/config.fish 2>/dev/null",
                                    var = copy.kind.env_var()
                                ),
                            },
                        ),
                    );
                }
                Place::Flag => {}
            }
        }
    }

    // The service definition.
    let config_has = |kind: SecretKind| {
        f.config.as_ref().is_ok_and(|c| {
            c.str(if kind == SecretKind::Password {
                "gateway.auth.password"
            } else {
                "gateway.auth.token"
            })
            .is_some_and(|v| !v.trim().is_empty())
        })
    };
    for (i, def) in f.services.iter().enumerate() {
        for kind in [SecretKind::Token, SecretKind::Password] {
            let Some(entry) = def
                .env(kind.env_var())
                .filter(|e| !e.value.trim().is_empty())
            else {
                continue;
            };
            let about = Subject::ServiceSecret { def: i, kind };
            let Some((listed, _)) =
                judged(checks).find(|(x, s)| x.severity >= Severity::Warning && *s == Some(&about))
            else {
                continue;
            };
            let baked = Secret::new(
                kind,
                SecretOrigin::Env {
                    name: entry.key.clone(),
                    scope: entry.origin.clone(),
                },
                entry.value.trim(),
            );
            if !config_has(kind) {
                // Keep the gateway's secret: move it into the config first.
                let key = if kind == SecretKind::Password {
                    "gateway.auth.password"
                } else {
                    "gateway.auth.token"
                };
                let value = truth
                    .filter(|t| t.kind == kind)
                    .cloned()
                    .unwrap_or_else(|| baked.clone());
                push(
                    &mut steps,
                    Step::new(
                        Phase::AlignSecret,
                        listed.code,
                        format!(
                            "set {key} to the gateway's {} ({}), so the service need not carry it",
                            word(&value),
                            value.fingerprint()
                        ),
                        Action::ConfigSet {
                            key: key.to_string(),
                            secret: value,
                        },
                    ),
                );
            }
            service_changed = true;
            push(
                &mut steps,
                Step::new(
                    Phase::Service,
                    listed.code,
                    format!(
                        "remove the {} copy {} from {} (the gateway reads the config)",
                        kind.env_var(),
                        baked.fingerprint(),
                        entry.origin
                    ),
                    Action::FileSecret {
                        file: origin_file(&entry.origin),
                        old: baked,
                        new: None,
                    },
                ),
            );
        }
        if let Some(x) = findings(checks)
            .find(|x| x.code == codes::SERVICE_VERSION_DRIFT && x.severity >= Severity::Warning)
            && let (Some(entry), Some(cli)) = (def.entry(), f.paths.cli.as_ref())
            && let Some((old_dir, _)) =
                crate::openclaw::install::package_of(std::path::Path::new(entry))
        {
            let new_entry = entry.replacen(
                &old_dir.display().to_string(),
                &cli.package_dir.display().to_string(),
                1,
            );
            if std::path::Path::new(&new_entry).exists() {
                service_changed = true;
                push(
                    &mut steps,
                    Step::new(
                        Phase::Service,
                        x.code,
                        format!(
                            "point {} at the CLI's install ({})",
                            def.path.display(),
                            cli.package_dir.display()
                        ),
                        Action::FileReplace {
                            file: origin_file(
                                def.program_origin
                                    .as_deref()
                                    .unwrap_or(&def.path.display().to_string()),
                            ),
                            from: old_dir.display().to_string(),
                            to: cli.package_dir.display().to_string(),
                        },
                    ),
                );
            }
        }
    }
    // A unit's KillMode is one line: set it to what OpenClaw writes.
    for def in &f.services {
        if let Some((value, origin)) = def.setting("Service.KillMode")
            && value != "mixed"
            && findings(checks).any(|x| x.code == codes::SERVICE_KILL_MODE)
        {
            service_changed = true;
            push(
                &mut steps,
                Step::new(
                    Phase::Service,
                    codes::SERVICE_KILL_MODE,
                    format!(
                        "set KillMode=mixed in {origin} (the gateway drains before its children stop)"
                    ),
                    Action::FileReplace {
                        file: origin_file(origin),
                        from: format!("KillMode={value}"),
                        to: "KillMode=mixed".into(),
                    },
                ),
            );
        }
    }
    let drifted = findings(checks).any(|x| x.code == codes::GATEWAY_VERSION_DRIFT);
    // A changed definition is read again by its manager before the restart that uses it.
    match f.manager {
        Some(crate::service::Manager::Systemd) if service_changed => push(
            &mut steps,
            Step::new(
                Phase::Restart,
                codes::SERVICE_CHANGED,
                "reload the changed unit (systemctl --user daemon-reload)",
                Action::Reload,
            ),
        ),
        Some(_) if service_changed => push(
            &mut steps,
            Step::new(
                Phase::Manual,
                codes::SERVICE_CHANGED,
                "load the changed service definition",
                Action::Manual {
                    command: "clawkit gateway install --force   # launchd and Task Scheduler read a definition when it is installed".into(),
                },
            ),
        ),
        _ => {}
    }
    if (service_changed || drifted) && own_running && f.manager.is_some() {
        push(
            &mut steps,
            Step::new(
                Phase::Restart,
                codes::SERVICE_CHANGED,
                "restart the gateway so it runs what is now configured",
                Action::Restart,
            ),
        );
    }

    // Device tokens, with the (now aligned) shared secret.
    let stale = findings(checks).find(|x| {
        matches!(
            x.code,
            codes::DEVICE_TOKEN_STALE
                | codes::DEVICE_TOKEN_REVOKED
                | codes::DEVICE_TOKEN_MISSING
                | codes::DEVICE_NOT_PAIRED
        ) && x.severity >= Severity::Warning
    });
    if let Some(x) = stale {
        match truth {
            Some(t) => push(
                &mut steps,
                Step::new(
                    Phase::RefreshDevice,
                    x.code,
                    "reissue this client's device token with the gateway's shared secret and cache it",
                    Action::RefreshDeviceToken { shared: t.clone() },
                ),
            ),
            None => push(
                &mut steps,
                Step::new(
                    Phase::Manual,
                    x.code,
                    "reissue this client's device token (clawkit cannot see the gateway's secret)",
                    Action::Manual {
                        command: "clawkit gateway token rotate --token <the gateway's token>"
                            .into(),
                    },
                ),
            ),
        }
    }
    let own = f.identity.as_ref().map(|i| i.device_id().to_string());
    if let Ok(state) = &f.state {
        for p in state.pending.iter().filter(|p| p.is_repair) {
            let mine = own.as_deref() == Some(p.device_id.as_str());
            if let (true, Some(shared)) = (mine, truth) {
                push(
                    &mut steps,
                    Step::new(
                        Phase::Approve,
                        codes::DEVICE_REPAIR_PENDING,
                        format!(
                            "approve this client's pending repair request {} (roles {}, scopes {})",
                            p.request_id,
                            p.roles.join(","),
                            p.scopes.join(",")
                        ),
                        Action::Approve {
                            request_id: p.request_id.clone(),
                            shared: shared.clone(),
                        },
                    ),
                );
            } else {
                push(
                    &mut steps,
                    Step::new(
                        Phase::Manual,
                        codes::DEVICE_REPAIR_PENDING,
                        if mine {
                            format!(
                                "approve this client's repair request {} (clawkit cannot see the gateway's secret to do it)",
                                p.request_id
                            )
                        } else {
                            format!(
                                "decide on device {}'s repair request (only approve a device you recognise)",
                                p.device_id
                            )
                        },
                        Action::Manual {
                            command: format!("openclaw devices approve {}", p.request_id),
                        },
                    ),
                );
            }
        }
    }

    // What remains manual: every problem no step above addresses.
    let addressed: Vec<&'static str> = steps.iter().map(|s| s.fixes).collect();
    let port = f
        .config
        .as_ref()
        .ok()
        .map(|c| f.paths.port(c, &f.shell).value);
    for (x, subject) in judged(checks).filter(|(x, _)| x.severity >= Severity::Warning) {
        if addressed.contains(&x.code)
            || matches!(
                x.code,
                codes::HANDSHAKE_CLI | codes::HANDSHAKE_DEVICE | codes::OWN_GATEWAY
            )
        {
            continue;
        }
        let command = match x.code {
            codes::GATEWAY_DOWN | codes::GATEWAY_NOT_LISTENING => Some(if f.manager.is_some() {
                "clawkit gateway start".to_string()
            } else {
                "openclaw gateway run   # or install it as a service: clawkit gateway install"
                    .to_string()
            }),
            codes::LOG_AUTH_FAILURES if is_control_ui(subject) => Some(format!(
                "open http://127.0.0.1:{}/ in a private window and paste the gateway token in its settings (the browser caches the old one)",
                port.unwrap_or(18789)
            )),
            codes::LOG_AUTH_FAILURES => None,
            _ => x.next.clone(),
        };
        if let Some(command) = command {
            push(
                &mut steps,
                Step::new(
                    Phase::Manual,
                    x.code,
                    x.summary.clone(),
                    Action::Manual { command },
                ),
            );
        }
    }
    // A stopped zombie leaves the port free: this install's gateway must start.
    if !own_running
        && steps
            .iter()
            .any(|s| matches!(s.action, Action::StopProcess { .. }))
    {
        push(
            &mut steps,
            Step::new(
                Phase::Manual,
                codes::GATEWAY_DOWN,
                "start this install's gateway on the freed port",
                Action::Manual {
                    command: if f.manager.is_some() {
                        "clawkit gateway start".into()
                    } else {
                        "openclaw gateway run   # or: clawkit gateway install".into()
                    },
                },
            ),
        );
    }
    if steps.iter().any(Step::is_change) {
        push(
            &mut steps,
            Step::new(
                Phase::Verify,
                codes::VERIFY,
                "handshake again as the CLI and as this device",
                Action::Verify,
            ),
        );
    }
    steps.sort_by_key(|s| s.phase);
    steps
}

/// Whether a log finding is about the browser Control UI (it caches the token it was given).
fn is_control_ui(subject: Option<&Subject>) -> bool {
    matches!(
        subject,
        Some(Subject::LogClient {
            client: ClientKind::ControlUi,
            ..
        })
    )
}

#[cfg(test)]
mod tests {
    use super::origin_file;
    use std::path::PathBuf;

    #[test]
    fn origin_files() {
        assert_eq!(
            origin_file("/u/x.service:12"),
            PathBuf::from("/u/x.service")
        );
        assert_eq!(
            origin_file("/u/a.plist <key>OPENCLAW_GATEWAY_TOKEN</key>"),
            PathBuf::from("/u/a.plist")
        );
        assert_eq!(
            origin_file("C:/x/gateway.cmd:3"),
            PathBuf::from("C:/x/gateway.cmd")
        );
    }
}
