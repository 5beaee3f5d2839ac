//! Distinctive secrets for tests: easy to spot if they ever leak into clawkit's output.

use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

/// A fresh secret such as `gwtoken-PLANTED-3f9a…` (prefix, a marker, 32 hex chars). Tests grep
/// every clawkit output for the full value to prove it never leaks.
pub fn distinctive_secret(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hex = String::with_capacity(32);
    for _ in 0..2 {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default()
                .as_nanos(),
        );
        h.write_u32(std::process::id());
        hex.push_str(&format!("{:016x}", h.finish()));
    }
    format!("{prefix}-PLANTED-{hex}")
}
