//! Small helpers shared by the topic files.

use assert_cmd::Command;

/// The `clawkit` binary built by this workspace.
pub fn clawkit() -> Command {
    Command::cargo_bin("clawkit").expect("the clawkit binary is built for integration tests")
}

/// Generates one `#[test]` per supported OpenClaw version from a body that takes the version.
macro_rules! per_version {
    ($name:ident, |$version:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            fn run($version: &str) $body
            #[test]
            fn v2026_9() {
                run(clawkit_testkit::V2026_9)
            }
            #[test]
            fn v2026_7() {
                run(clawkit_testkit::V2026_7)
            }
        }
    };
}
pub(crate) use per_version;
