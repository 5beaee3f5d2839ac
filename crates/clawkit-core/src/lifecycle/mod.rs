//! Starting, stopping and restarting a gateway, and proving it worked: through its service
//! manager when one runs it; otherwise its own `gateway.restart.request` (restart), a
//! verified SIGTERM (stop), and the exact command to run (start). Every change is confirmed
//! by watching the gateway: `/readyz`, a handshake from a new boot, the port held by the right
//! process. The CLI's `gateway` commands, the doctor's restart step and the monitor's healing
//! all go through here.

mod inspect;
mod install;
mod live;
mod reload;
mod restart;
mod start_stop;
mod status;
mod zombies;

pub use inspect::this_gateway;
pub use install::{Installed, install};
pub use live::{BootMark, Live, live, readyz, wait_port_free, wait_ready};
pub use reload::{DECISION_BOUND, EditMark, Settled, settle_after_edit};
pub use restart::{Restarted, SelfRestart, SupervisedChange, restart};
pub use start_stop::{Started, StopOutcome, start, stop};
pub use status::{GatewayStatus, ServiceView, status};
pub use zombies::{StopAttempt, ZombieOutcome, stop_zombies};

use std::time::Duration;

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
