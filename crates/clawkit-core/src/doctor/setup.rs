//! Whether this user has an OpenClaw to examine at all. A machine without the `openclaw` CLI,
//! a state dir or a config has no gateway of its own: its port, service, handshakes and the
//! shared log (`/tmp/openclaw`, written by every user's gateways) say nothing about it, so the
//! doctor stops at the install and says what it looked for. The CLI without a state dir or
//! config is installed but never set up (`openclaw onboard`); a state dir or config without
//! the CLI on `PATH` is an install this shell does not see, and the other checks still run.

use super::facts::Facts;

/// What of OpenClaw this user has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setup {
    /// The CLI and a state dir or config: examine it.
    Ready,
    /// A state dir or config, but no `openclaw` on `PATH`.
    CliOffPath,
    /// The CLI, but no state dir and no config.
    NotSetUp,
    /// Nothing at all.
    NotInstalled,
}

impl Setup {
    pub fn of(f: &Facts) -> Setup {
        let cli = f.paths.cli.is_some();
        match (cli, owns_an_install(f)) {
            (true, true) => Setup::Ready,
            (false, true) => Setup::CliOffPath,
            (true, false) => Setup::NotSetUp,
            (false, false) => Setup::NotInstalled,
        }
    }

    /// Whether there is no install to examine beyond the CLI itself.
    pub fn is_absent(self) -> bool {
        matches!(self, Setup::NotSetUp | Setup::NotInstalled)
    }
}

/// A state dir, a config (even one OpenClaw cannot read), or an explicit gateway URL in the
/// environment (a client of a remote gateway needs no files of its own).
fn owns_an_install(f: &Facts) -> bool {
    let config = f.config.as_ref().map_or(true, |c| c.exists);
    f.state_dir_exists || config || f.shell.get("OPENCLAW_GATEWAY_URL").is_some()
}
