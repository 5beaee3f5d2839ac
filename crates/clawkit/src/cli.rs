//! clap definitions only: what the user can type. No work happens here.

use clap::{Args, Parser, Subcommand};
use std::ffi::OsString;
use std::path::PathBuf;

const AFTER_HELP: &str =
    "Supported OpenClaw versions: 2026.9.x (SQLite state) and 2026.7.x (JSON state files).";

/// Reliability toolkit for OpenClaw gateways: finds why a gateway refuses its clients, fixes it
/// safely, and watches it.
#[derive(Debug, Parser)]
#[command(name = "clawkit", version, about, after_help = AFTER_HELP, arg_required_else_help = true)]
pub struct Cli {
    #[command(flatten)]
    pub install: InstallArgs,
    /// When to colour the output: auto (a terminal, unless NO_COLOR), always, never.
    #[arg(long, global = true, value_enum, default_value_t = crate::term::ColorWhen::Auto, value_name = "WHEN")]
    pub color: crate::term::ColorWhen,
    #[command(subcommand)]
    pub command: Command,
}

/// Which OpenClaw install to look at; the same meaning as OpenClaw's own flags.
#[derive(Debug, Clone, Args)]
pub struct InstallArgs {
    /// Use the named OpenClaw profile (state in ~/.openclaw-<NAME>).
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
    /// Use the dev profile (~/.openclaw-dev, port 19001).
    #[arg(long, global = true)]
    pub dev: bool,
    /// OpenClaw state directory (default: $OPENCLAW_STATE_DIR or ~/.openclaw).
    #[arg(long, global = true, value_name = "DIR")]
    pub state_dir: Option<PathBuf>,
    /// OpenClaw config file (default: $OPENCLAW_CONFIG_PATH or <state dir>/openclaw.json).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Why the gateway refuses its clients: every check with evidence, the root causes, and a
    /// fix plan; --fix applies it (backups, journal, `clawkit undo`).
    Doctor(DoctorArgs),
    /// Put back what a `clawkit doctor --fix` run changed (default: the last run).
    Undo(UndoArgs),
    /// Read and change OpenClaw's config without losing comments or formatting.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Name the cause of an OpenClaw error message or log, and the fix for this machine.
    Explain(ExplainArgs),
    /// Auth failures, closes, pairing events, starts and stops from the gateway log, grouped.
    Logs(LogsArgs),
    /// One real handshake with the gateway: its verdict, version, boot id and auth, in ms.
    Probe(ProbeArgs),
    /// The gateway: its service, its shared secret and device tokens.
    #[command(subcommand)]
    Gateway(GatewayCommand),
    /// Who holds the gateway's ports: this gateway, a zombie gateway, a hung one, something
    /// else; --kill stops the zombies.
    Ports(PortsArgs),
    /// The Gateway Monitor: holds a connection to each gateway, alerts the moment one goes
    /// down (crash, hang, restart loop, refused credentials) through channels that do not
    /// depend on it, and keeps the history. Within `monitor`, --config names the monitor's
    /// config (default ~/.config/clawkit/monitor.toml).
    #[command(subcommand)]
    Monitor(MonitorCommand),
    /// The doctor in your browser, on 127.0.0.1 only: a guided walkthrough of the checks with
    /// live evidence, each fix previewed, applied and undoable; explain, token status, the
    /// monitor and a redacted report.
    Web(WebArgs),
    /// Open the gateway's Control UI with a fresh single-use pairing link (what `openclaw
    /// dashboard` opens); --private in a private browser window, --fresh-profile in a new
    /// temporary browser profile, for a clean device-token handshake.
    Dashboard(DashboardArgs),
    /// Print a shell completion script, e.g. `clawkit completions bash >
    /// ~/.local/share/bash-completion/completions/clawkit`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print clawkit's man page (roff): `clawkit man | man -l -`.
    Man,
}

#[derive(Debug, Args)]
pub struct WebArgs {
    /// Serve on this loopback port (default: a free one).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Do not open a browser: print the single-use launch URL as the first line of stdout.
    #[arg(long)]
    pub no_open: bool,
    /// Stop after this long without a request (30m, 2h).
    #[arg(long, default_value = "15m", value_name = "DURATION")]
    pub idle: String,
    /// Bound for each handshake step, in milliseconds.
    #[arg(long, default_value_t = 6000)]
    pub timeout_ms: u64,
    /// The monitor's SQLite file for the monitor page (default: as `clawkit monitor status`).
    #[arg(long, value_name = "FILE")]
    pub monitor_db: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DashboardArgs {
    /// In a private window of your browser ($BROWSER, else the system default).
    #[arg(long)]
    pub private: bool,
    /// In a Chromium-family or Firefox browser with a new, empty temporary profile: surely no
    /// cached device token (a private window already open shares its session).
    #[arg(long, conflicts_with = "private")]
    pub fresh_profile: bool,
    /// The browser to run (a path or a command on PATH), instead of $BROWSER or the default.
    #[arg(long, value_name = "PATH")]
    pub browser: Option<String>,
    /// Print the page URL and the exact browser command instead of running it (the pairing
    /// link in it works once, within ten minutes).
    #[arg(long)]
    pub print: bool,
}

#[derive(Debug, Subcommand)]
pub enum MonitorCommand {
    /// Watch in the foreground until SIGTERM or SIGINT.
    Run(MonitorRunArgs),
    /// Per gateway: up or down and since when, uptime over 24 h / 7 d / 30 d (time the monitor
    /// was not running excluded), open incidents. Exits 1 when the monitor is not running.
    Status {
        #[command(flatten)]
        common: MonitorArgs,
        #[arg(long)]
        json: bool,
    },
    /// The alerts decided, oldest first (held ones marked).
    History {
        #[command(flatten)]
        common: MonitorArgs,
        /// How far back: 30m, 24h, 7d.
        #[arg(long, default_value = "24h")]
        since: String,
        /// Only this gateway.
        #[arg(long)]
        gateway: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Hold alerts back for a while (`30m`, `2h`): they are recorded, not sent; so is the
    /// recovery of an incident whose alert was held.
    Silence {
        /// How long: 30m, 2h, 1d.
        duration: String,
        /// Only this gateway (default: all).
        #[arg(long)]
        gateway: Option<String>,
        #[arg(long, default_value = "silenced by hand")]
        reason: String,
        #[command(flatten)]
        common: MonitorArgs,
    },
    /// Install the monitor as a user service (systemd user unit with watchdog, launchd agent,
    /// or a Task Scheduler task at logon) and start it; `clawkit undo` removes the file.
    Install {
        #[command(flatten)]
        common: MonitorArgs,
    },
    /// Send one test alert to every configured channel and say how each went.
    TestAlert {
        #[command(flatten)]
        common: MonitorArgs,
        /// Another channel URL (repeatable).
        #[arg(long = "notify", value_name = "URL")]
        notify: Vec<String>,
    },
}

/// Where the monitor keeps its history (all monitor commands).
#[derive(Debug, Clone, Args)]
pub struct MonitorArgs {
    /// The monitor's SQLite file (default: the config's `state`, else
    /// <state dir>/clawkit/monitor.sqlite).
    #[arg(long, value_name = "FILE")]
    pub db: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct MonitorRunArgs {
    #[command(flatten)]
    pub common: MonitorArgs,
    /// A channel URL, Apprise style (json://, slack://, tgram://, ntfy://, mailto://,
    /// alertmanager://, …); repeatable, added to the config's.
    #[arg(long = "notify", value_name = "URL")]
    pub notify: Vec<String>,
    /// Serve Prometheus /metrics on this loopback address (127.0.0.1:PORT).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// Restart a crashed or hung local gateway through its supervisor (at most 3 times in 15
    /// minutes).
    #[arg(long)]
    pub heal: bool,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Apply the fix plan, asking before each step (unless --yes).
    #[arg(long)]
    pub fix: bool,
    /// Print every step of the plan with a diff of each file change; change nothing.
    #[arg(long, conflicts_with = "fix")]
    pub dry_run: bool,
    /// With --fix: do not ask before each step (approving a pairing request still needs
    /// --approve-repairs).
    #[arg(long, requires = "fix")]
    pub yes: bool,
    /// With --fix: approve this client's own pending repair request.
    #[arg(long, requires = "fix")]
    pub approve_repairs: bool,
    #[command(flatten)]
    pub secret: GivenSecretArgs,
    /// Also compare the secrets of a Docker setup (its .env and compose file) in this directory.
    #[arg(long, value_name = "DIR")]
    pub docker_dir: Option<PathBuf>,
    /// Write a redacted support bundle (versions, findings, evidence, masked config) to FILE.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Bound for each handshake step, in milliseconds (a gateway delays each failed auth from
    /// loopback by up to 5 s).
    #[arg(long, default_value_t = 6000)]
    pub timeout_ms: u64,
    /// How long to wait for a restarted gateway, in seconds.
    #[arg(long, default_value_t = 60)]
    pub wait_secs: u64,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct UndoArgs {
    /// The fix run to undo (default: the last one that changed something).
    pub id: Option<String>,
    /// List the recorded fix runs instead.
    #[arg(long, conflicts_with = "id")]
    pub list: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct PortsArgs {
    /// Stop the OpenClaw gateways found holding this install's ports that are not its healthy
    /// gateway (zombies, hung ones). Only your own processes, re-verified before each signal.
    #[arg(long)]
    pub kill: bool,
    /// With --kill: also stop a non-OpenClaw program holding the gateway port (asks first
    /// unless --yes).
    #[arg(long, requires = "kill")]
    pub kill_foreign: bool,
    /// Do not ask for confirmation.
    #[arg(long)]
    pub yes: bool,
    /// How long a listener may take to greet before it counts as hung, in milliseconds.
    #[arg(long, default_value_t = 2000)]
    pub timeout_ms: u64,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum GatewayCommand {
    /// Shared secrets and device tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// One screen: supervisor, process, port owners, version, boot id, uptime, service audit.
    Status(ServiceArgs),
    /// Start the gateway through its service manager.
    Start(ServiceArgs),
    /// Stop the gateway through its service manager.
    Stop(ServiceArgs),
    /// Restart the gateway (service manager, else the gateway's own restart request) and wait
    /// until it is ready again.
    Restart(ServiceArgs),
    /// Install the gateway service with `openclaw gateway install`, then audit the result.
    Install {
        /// Reinstall over an existing service definition.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        common: ServiceArgs,
    },
}

#[derive(Debug, Args, Clone)]
pub struct ServiceArgs {
    /// How long to wait for the gateway to become ready, in seconds.
    #[arg(long, default_value_t = 60)]
    pub wait_secs: u64,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Which token is wrong: every shared-secret source on both sides, a live check, and each
    /// device token (cached, paired, pending).
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Get a fresh device token for this client (default), or rotate another device's.
    Rotate {
        /// Another device to rotate on the gateway (default: this client's own device).
        #[arg(long, value_name = "ID")]
        device: Option<String>,
        /// Rotate every paired device's token, then refresh this client's.
        #[arg(long, conflicts_with = "device")]
        all: bool,
        #[arg(long, default_value = "operator")]
        role: String,
        #[command(flatten)]
        secret: SharedSecretArgs,
        #[arg(long)]
        json: bool,
    },
    /// Remove every paired device and pending request so each must pair again (after a leak,
    /// or when device tokens are beyond repair). Backs up the pairing state first.
    Reset {
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
        #[command(flatten)]
        secret: SharedSecretArgs,
        #[arg(long)]
        json: bool,
    },
}

/// The gateway's shared secret, when given on the command line (`rotate`, `reset`, `probe`).
#[derive(Debug, Clone, Args)]
pub struct SharedSecretArgs {
    /// The gateway's shared token (default: this client's configured one, or
    /// OPENCLAW_GATEWAY_TOKEN). `-` reads it from standard input: a value typed here is
    /// visible in the process list while clawkit runs, and stays in your shell history.
    #[arg(long, conflicts_with = "password", value_name = "TOKEN|-")]
    pub token: Option<String>,
    /// The gateway's shared password (default: this client's configured one, or
    /// OPENCLAW_GATEWAY_PASSWORD). `-` reads it from standard input (see --token).
    #[arg(long, value_name = "PASSWORD|-")]
    pub password: Option<String>,
}

/// A secret for the doctor to try when it cannot see the gateway's (`doctor --token`).
#[derive(Debug, Clone, Args)]
pub struct GivenSecretArgs {
    /// The gateway's token, for when clawkit cannot read it (a remote gateway, one started
    /// with --token). It is tried with a real handshake first; only an accepted one is used:
    /// the plan stores it where the CLI reads it (gateway.auth.token, or gateway.remote.token
    /// in remote mode), which --fix applies. `-` reads it from standard input: a value typed
    /// here is visible in the process list while clawkit runs, and stays in your shell history.
    #[arg(long, conflicts_with = "password", value_name = "TOKEN|-")]
    pub token: Option<String>,
    /// The gateway's password, the same way as --token.
    #[arg(long, value_name = "PASSWORD|-")]
    pub password: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ProbeAs {
    /// As the `openclaw` CLI (client `cli`): shared secret, no device identity.
    Cli,
    /// As this machine's device, with its cached device token and no shared secret.
    Device,
    /// As `openclaw gateway probe` (client `openclaw-probe`).
    Probe,
}

#[derive(Debug, Args)]
pub struct ProbeArgs {
    /// Gateway URL (default: what the local CLI would use). With --url, config and env
    /// credentials are not used, as in OpenClaw: pass --token or --password.
    #[arg(long)]
    pub url: Option<String>,
    #[command(flatten)]
    pub secret: SharedSecretArgs,
    /// Connect as whom.
    #[arg(long = "as", value_enum, default_value_t = ProbeAs::Cli)]
    pub r#as: ProbeAs,
    /// For wss://: trust only the certificate with this SHA-256 fingerprint (default in remote
    /// mode: gateway.remote.tlsFingerprint).
    #[arg(long, value_name = "SHA256")]
    pub tls_fingerprint: Option<String>,
    /// Bound for each step of the handshake, in milliseconds.
    #[arg(long, default_value_t = 5000)]
    pub timeout_ms: u64,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print a value (secrets are shown as a fingerprint unless --show-secret).
    Get {
        /// Dot path, e.g. gateway.auth.token.
        key: String,
        /// Print secret values in full.
        #[arg(long)]
        show_secret: bool,
        /// Also print the file and line that set the value.
        #[arg(long)]
        show_origin: bool,
        #[arg(long)]
        json: bool,
    },
    /// Set a value in the file that defines it (JSON5 literal, or else a string).
    Set {
        key: String,
        value: String,
        /// Show what would change without writing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Remove a key from the file that defines it.
    Unset {
        key: String,
        #[arg(long)]
        dry_run: bool,
    },
    /// Where this OpenClaw install keeps its config, state, logs and ports, and why.
    Path {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The error text; `-` or nothing reads standard input.
    pub text: Option<String>,
    /// Read the text from a file (a CLI dump, a JSON error frame, a log file).
    #[arg(long, short = 'f', value_name = "FILE")]
    pub file: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct LogsArgs {
    /// Only events newer than this (e.g. 30m, 2h, 7d).
    #[arg(long, value_name = "DURATION")]
    pub since: Option<String>,
    /// Scan this log file instead of the gateway's (its rotated .1-.5 files are included).
    #[arg(long, short = 'f', value_name = "FILE")]
    pub file: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
}

pub fn parse<I, T>(args: I) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    Cli::try_parse_from(args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_definitions_are_consistent() {
        <Cli as clap::CommandFactory>::command().debug_assert();
    }

    /// `--token`/`--password` are typed as before on every command that takes them, and
    /// still exclude each other.
    #[test]
    fn the_shared_secret_flags_read_the_same_everywhere() {
        let secret = |args: &[&str]| -> Result<SharedSecretArgs, clap::Error> {
            let cli = parse(["clawkit"].iter().chain(args))?;
            Ok(match cli.command {
                Command::Probe(p) => p.secret,
                Command::Gateway(GatewayCommand::Token(TokenCommand::Rotate {
                    secret, ..
                }))
                | Command::Gateway(GatewayCommand::Token(TokenCommand::Reset { secret, .. })) => {
                    secret
                }
                other => panic!("{other:?}"),
            })
        };
        let rotate = secret(&["gateway", "token", "rotate", "--token", "T"]).unwrap();
        assert_eq!(
            (rotate.token.as_deref(), rotate.password),
            (Some("T"), None)
        );
        let reset = secret(&["gateway", "token", "reset", "--yes", "--password", "P"]).unwrap();
        assert_eq!(reset.password.as_deref(), Some("P"));
        let probe = secret(&["probe", "--token", "T", "--json"]).unwrap();
        assert_eq!(probe.token.as_deref(), Some("T"));
        let doctor = parse(["clawkit", "doctor", "--fix", "--yes", "--token", "-"]).unwrap();
        match doctor.command {
            Command::Doctor(d) => assert_eq!(d.secret.token.as_deref(), Some("-")),
            other => panic!("{other:?}"),
        }
        assert!(parse(["clawkit", "doctor", "--token", "T", "--password", "P"]).is_err());
        for cmd in [
            &["probe"][..],
            &["gateway", "token", "rotate"],
            &["gateway", "token", "reset"],
        ] {
            let both = [cmd, &["--token", "T", "--password", "P"]].concat();
            assert!(secret(&both).is_err(), "{both:?}");
        }
    }
}
