//! The thresholds the state machine decides with; the monitor config overrides them.

use serde::Deserialize;

/// How long to wait, when to remind, what counts as flapping or a burst.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    /// After a `shutdown` event with `restartExpectedMs`: how much longer than announced a
    /// new boot may take before the gateway counts as down (openclaw#122582: a restart that
    /// exits 0 under `Restart=on-failure` never comes back).
    pub restart_grace_ms: u64,
    /// Boots within `flap_window_ms` that make one `flapping` incident.
    pub flap_boots: usize,
    pub flap_window_ms: u64,
    /// Reminder delays after a `down`, the last one repeating.
    pub reminders_ms: Vec<u64>,
    /// Auth failures of one client and reason within `burst_window_ms` that alert (a
    /// non-loopback peer alerts at once).
    pub burst_failures: u64,
    pub burst_window_ms: u64,
    /// How long after an `auth-failures` alert the same client and reason stay quiet.
    pub burst_cooldown_ms: u64,
    /// How long a remote gateway's loss of contact waits for company: when most of the fleet
    /// loses contact together, it is this machine's network (`monitor-offline`).
    pub offline_hold_ms: u64,
    /// The fewest gateways that, losing contact together, mean this machine is offline.
    pub offline_min_gateways: usize,
    /// How long a local gateway that holds our connection may answer `/readyz` with 503
    /// before it counts as down (a boot or a reload is not ready for a few seconds).
    pub not_ready_ms: u64,
}

impl Default for Policy {
    fn default() -> Policy {
        const MIN: u64 = 60_000;
        Policy {
            restart_grace_ms: 15_000,
            flap_boots: 3,
            flap_window_ms: 10 * MIN,
            reminders_ms: vec![30 * MIN, 120 * MIN, 360 * MIN],
            burst_failures: 5,
            burst_window_ms: MIN,
            burst_cooldown_ms: 10 * MIN,
            offline_hold_ms: 2_000,
            offline_min_gateways: 2,
            not_ready_ms: 30_000,
        }
    }
}

impl Policy {
    /// The delay before reminder number `n` (0-based), the last one repeating.
    pub fn reminder_delay(&self, n: usize) -> Option<u64> {
        self.reminders_ms
            .get(n)
            .or(self.reminders_ms.last())
            .copied()
    }
}
