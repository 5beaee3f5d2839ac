//! Starting, stopping and restarting a gateway, and proving it worked: through its service
//! manager when one runs it; otherwise its own `gateway.restart.request` (restart), a
//! verified SIGTERM (stop), and the exact command to run (start). Every change is confirmed
//! by watching the gateway: `/readyz`, a handshake from a new boot, the port held by the right
//! process. The CLI's `gateway` commands, the doctor's restart step and the monitor's healing
//! all go through here.

mod inspect;
mod install;
pub mod intent;
mod live;
mod reload;
mod restart;
mod start_stop;
mod status;
mod zombies;

pub use inspect::this_gateway;
pub use install::{Installed, install};
pub use live::{BootMark, Live, Readiness, live, readiness, readyz, wait_port_free, wait_ready};
pub use reload::{DECISION_BOUND, EditMark, Settled, settle_after_edit};
pub use restart::{Restarted, SelfRestart, SupervisedChange, restart};
pub use start_stop::{Started, StopOutcome, start, stop};
pub use status::{GatewayStatus, ServiceView, status};
pub use zombies::{StopAttempt, ZombieOutcome, stop_zombies};

use crate::error::Error;
use crate::openclaw::auth::ClientMode;
use crate::openclaw::topology::Topology;
use crate::target::Target;
use std::time::Duration;

/// Starting, stopping, restarting and installing act on this machine's gateway. In remote
/// mode the CLI's gateway is on another host (and OpenClaw will not start one here): say so,
/// and where to run `verb` instead.
fn local_only(target: &Target, verb: &str) -> Result<(), Error> {
    let config = target.load_config()?;
    let t = Topology::of(&target.paths, &config, &target.env);
    if t.mode != ClientMode::Remote {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "this client is in remote mode: its gateway is the {}, managed on that host (there: clawkit gateway {verb}); from here `clawkit probe` and `clawkit doctor` check it. OpenClaw runs no gateway here while gateway.mode is remote ({})",
        t.describe(),
        config.path.display()
    )))
}

/// How long to wait for a gateway to come back or go away, and how each probe is bounded.
#[derive(Debug, Clone, Copy)]
pub struct Waits {
    pub ready: Duration,
    pub handshake: Duration,
}

impl Waits {
    pub fn new(ready: Duration) -> Waits {
        Waits {
            ready,
            handshake: Duration::from_secs(2),
        }
    }
}
