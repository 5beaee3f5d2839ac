//! Device tokens as engine operations: which token is wrong ([`status`]), a fresh token for
//! this client ([`refresh`], [`rotate`]), another device's token rotated on the gateway, and
//! every pairing removed ([`reset`]).
//!
//! They live here rather than in a command because more than one front end needs them: the
//! CLI's `gateway token`, the doctor's refresh step (which must refresh exactly as `rotate`
//! does, with the same scopes, and journal what it changed), and the monitor and web doctor,
//! which run them on a long-lived runtime with their own observer and approver. Token values
//! go only into OpenClaw's cache and the gateway's handshake; every outcome carries
//! fingerprints.

mod devices;
mod given;
mod local;
mod pairing;
mod refresh;
mod reset;
mod rotate;
mod scopes;
mod status;
#[cfg(test)]
mod testing;

pub use crate::openclaw::state::CacheWrite;
pub use devices::{DeviceAction, DeviceDone, device_action};
pub use given::Adopted;
pub use pairing::ListedDevice;
pub use refresh::{How, OnCached, RefreshRequest, Refreshed, refresh};
pub use reset::{ResetDone, ResetOutcome, reset};
pub use rotate::{OtherRotated, RotateRequest, Rotated, Rotation, rotate};
pub use scopes::{DEFAULT_SCOPES, choose_scopes};
pub use status::{
    CachedRow, ClientAuth, ClientSide, LiveCheck, PairedRow, PendingRequestRow, SecretRow,
    TokenStatus, TokenTimes, status,
};

#[cfg(test)]
mod tests {
    use crate::openclaw::state::short_device_id as short_id;

    #[test]
    fn short_ids_keep_twelve_characters_and_never_split_one() {
        let hex = "0123456789abcdef0123456789abcdef";
        assert_eq!(short_id(hex), "0123456789ab…");
        assert_eq!(short_id("abc"), "abc");
        assert_eq!(short_id(&"é".repeat(20)), format!("{}…", "é".repeat(12)));
    }
}
