//! Named places where a debug build can be made to die on purpose, so tests can kill a fix at
//! an exact point (after the third journal write, right after a file was replaced) instead of
//! sleeping for a delay calibrated to one machine's speed. Armed from the target's
//! environment with `CLAWKIT_FAILPOINT=<name>:<n>` (die the n-th time `name` is reached);
//! compiled to nothing in release builds.

use crate::env::Env;

#[cfg(debug_assertions)]
static ARMED: std::sync::Mutex<Option<(String, u32)>> = std::sync::Mutex::new(None);

/// Reads `CLAWKIT_FAILPOINT` from `env` (a debug build only).
pub fn arm(env: &Env) {
    #[cfg(debug_assertions)]
    if let Some((name, n)) = env.get("CLAWKIT_FAILPOINT").and_then(|v| v.split_once(':'))
        && let Ok(n) = n.parse::<u32>()
        && let Ok(mut armed) = ARMED.lock()
    {
        *armed = Some((name.to_string(), n.max(1)));
    }
    #[cfg(not(debug_assertions))]
    let _ = env;
}

/// Dies like `kill -9` (no destructors, no flush) when this is the armed point's n-th hit.
pub fn hit(name: &str) {
    #[cfg(debug_assertions)]
    if let Ok(mut armed) = ARMED.lock()
        && let Some((armed_name, left)) = armed.as_mut()
        && armed_name == name
    {
        *left -= 1;
        if *left == 0 {
            die();
        }
    }
    #[cfg(not(debug_assertions))]
    let _ = name;
}

/// SIGKILL to itself: what `kill -9` does (no core file, unlike an abort).
#[cfg(debug_assertions)]
fn die() -> ! {
    #[cfg(unix)]
    // SAFETY: kill(2) on our own pid with a valid signal number has no memory effects.
    unsafe {
        libc::kill(libc::getpid(), libc::SIGKILL);
    }
    std::process::abort()
}
