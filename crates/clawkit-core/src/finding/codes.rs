//! Every finding code clawkit emits, as a named constant, so the checks that emit a code and
//! the code that acts on it (the doctor's plan and causes, `gateway start`, and next the
//! monitor's alerts) are coupled by a name the compiler checks, not by a string typed twice.
//!
//! The values are the stable identifiers of the `--json` documents (docs/doctor-json.md): never
//! change one within a schema version. Grouped as the doctor's checks are.

// Install and versions.
/// No `openclaw` CLI, state dir or config for this user: nothing to examine.
pub const OPENCLAW_NOT_INSTALLED: &str = "openclaw-not-installed";
/// The CLI is on `PATH` but this user has no state dir or config yet (never onboarded).
pub const OPENCLAW_NOT_SET_UP: &str = "openclaw-not-set-up";
/// The `openclaw` CLI on `PATH` and its version.
pub const CLI_FOUND: &str = "cli-found";
/// No `openclaw` on `PATH`: 2026.9's rules are assumed.
pub const CLI_MISSING: &str = "cli-missing";
/// The running gateway's version differs from the CLI's (not restarted after an update).
pub const GATEWAY_VERSION_DRIFT: &str = "gateway-version-drift";

// Config.
/// The config parsed (or does not exist and defaults apply).
pub const CONFIG_READ: &str = "config-read";
/// OpenClaw cannot read its config.
pub const CONFIG_INVALID: &str = "config-invalid";
/// A key OpenClaw retired is set.
pub const CONFIG_RETIRED_KEY: &str = "config-retired-key";
/// A secret key holds a redaction placeholder.
pub const CONFIG_REDACTED_SECRET: &str = "config-redacted-secret";
/// `gateway.auth.mode` is not a mode OpenClaw knows.
pub const CONFIG_AUTH_MODE_UNKNOWN: &str = "config-auth-mode-unknown";
/// Both a token and a password and no mode: the gateway refuses to start.
pub const CONFIG_AUTH_AMBIGUOUS: &str = "config-auth-ambiguous";
/// A `${VAR}` the environment does not set.
pub const CONFIG_UNRESOLVED_REF: &str = "config-unresolved-ref";

// Port and processes (`host::ports`).
/// This state dir's gateway holds the port.
pub const OWN_GATEWAY: &str = "own-gateway";
/// Another install's gateway holds the port.
pub const ZOMBIE_GATEWAY: &str = "zombie-gateway";
/// A gateway accepts connections but never answers.
pub const HUNG_GATEWAY: &str = "hung-gateway";
/// A program that is not a gateway holds the port.
pub const FOREIGN_LISTENER: &str = "foreign-listener";
/// A socket whose owner this user cannot see holds the port.
pub const PORT_OWNER_HIDDEN: &str = "port-owner-hidden";
/// A gateway lock file whose process is gone.
pub const STALE_LOCK: &str = "stale-lock";
/// A gateway lock file that cannot be read.
pub const LOCK_UNREADABLE: &str = "lock-unreadable";
/// This state dir's gateway runs but does not listen on the expected port.
pub const GATEWAY_NOT_LISTENING: &str = "gateway-not-listening";
/// More than one gateway process serves this state dir.
pub const MULTIPLE_GATEWAYS: &str = "multiple-gateways";
/// The listener is not the service manager's main process.
pub const NOT_SUPERVISOR_MAIN_PID: &str = "not-supervisor-main-pid";
/// A derived port (sandbox, browser control, CDP) is taken.
pub const DERIVED_PORT_TAKEN: &str = "derived-port-taken";
/// Nothing listens and no gateway runs for this state dir.
pub const GATEWAY_DOWN: &str = "gateway-down";
/// The TCP listen table cannot be read.
pub const SOCKET_TABLE_UNREADABLE: &str = "socket-table-unreadable";
/// The CLI's gateway runs on another host (remote mode, a URL elsewhere): its port, service,
/// process and log are not on this machine.
pub const GATEWAY_ELSEWHERE: &str = "gateway-elsewhere";
/// A container's port forwarder (docker-proxy, rootlesskit, …) holds the port and an OpenClaw
/// gateway answers through it: the gateway runs in the container.
pub const GATEWAY_IN_CONTAINER: &str = "gateway-in-container";

/// The port findings that mean something else holds this install's port.
pub const PORT_TAKEN: &[&str] = &[
    ZOMBIE_GATEWAY,
    FOREIGN_LISTENER,
    HUNG_GATEWAY,
    PORT_OWNER_HIDDEN,
];

// Service definition (`service::audit`, and the doctor's service check).
/// A service definition with nothing wrong.
pub const SERVICE_OK: &str = "service-ok";
/// No service definition: the gateway is started by hand.
pub const SERVICE_NONE: &str = "service-none";
/// A service definition (or a file it names) cannot be read.
pub const SERVICE_FILE_UNREADABLE: &str = "service-file-unreadable";
/// The service has no command to run.
pub const SERVICE_COMMAND_MISSING: &str = "service-command-missing";
/// The service's runtime (Node) does not exist.
pub const SERVICE_RUNTIME_MISSING: &str = "service-runtime-missing";
/// The service's OpenClaw entry script does not exist.
pub const SERVICE_ENTRY_MISSING: &str = "service-entry-missing";
/// The service runs another OpenClaw version than the CLI.
pub const SERVICE_VERSION_DRIFT: &str = "service-version-drift";
/// The service starts the gateway on another port than clients use.
pub const SERVICE_PORT_MISMATCH: &str = "service-port-mismatch";
/// The service carries the gateway token (matching today, stale on the next rotation).
pub const SERVICE_TOKEN_EMBEDDED: &str = "service-token-embedded";
/// The service carries the gateway password (matching today).
pub const SERVICE_PASSWORD_EMBEDDED: &str = "service-password-embedded";
/// The service's token or password differs from the config's.
pub const SERVICE_TOKEN_STALE: &str = "service-token-stale";
/// The service's token or password is the gateway's, and the CLI sends another.
pub const SERVICE_TOKEN_MISMATCH: &str = "service-token-mismatch";
/// The service's gateway uses another state dir or config.
pub const SERVICE_STATE_DIR_MISMATCH: &str = "service-state-dir-mismatch";
/// The service does not restart a crashed gateway.
pub const SERVICE_NO_RESTART: &str = "service-no-restart";
/// The restart policy restarts a failing gateway without pause.
pub const SERVICE_RESTART_STORM: &str = "service-restart-storm";
/// The unit's `KillMode` is not `mixed`.
pub const SERVICE_KILL_MODE: &str = "service-kill-mode";
/// The unit's stop timeout is shorter than the gateway's drain.
pub const SERVICE_STOP_TIMEOUT: &str = "service-stop-timeout";

/// The service findings about a shared secret written into the definition's environment:
/// one per secret-bearing entry, each fixed by removing that entry.
pub const SERVICE_SECRET: &[&str] = &[
    SERVICE_TOKEN_EMBEDDED,
    SERVICE_PASSWORD_EMBEDDED,
    SERVICE_TOKEN_STALE,
    SERVICE_TOKEN_MISMATCH,
];

// Shared secret.
/// The `--docker-dir` cannot be read.
pub const DOCKER_DIR_UNREADABLE: &str = "docker-dir-unreadable";
/// The gateway's auth mode uses no shared secret.
pub const SECRET_NOT_USED: &str = "secret-not-used";
/// clawkit cannot see which secret the gateway checks.
pub const GATEWAY_SECRET_UNKNOWN: &str = "gateway-secret-unknown";
/// The gateway reads another config file than the CLI.
pub const CONFIG_DIFFERS: &str = "config-differs";
/// The secret the gateway checks, and where it was read.
pub const GATEWAY_SECRET: &str = "gateway-secret";
/// The gateway refuses the secret it would read: it runs with another one.
pub const GATEWAY_SECRET_HIDDEN: &str = "gateway-secret-hidden";
/// A client copy holds the gateway's secret.
pub const SECRET_AGREES: &str = "secret-agrees";
/// A client sends (or a Docker setup sets) another secret than the gateway checks.
pub const SECRET_MISMATCH: &str = "secret-mismatch";
/// A copy the CLI does not use now, but that takes over when the sources above it go.
pub const SECRET_STALE_COPY: &str = "secret-stale-copy";
/// `OPENCLAW_GATEWAY_URL` is set: only the env vars are sent.
pub const SECRET_EXPLICIT_URL: &str = "secret-explicit-url";
/// The gateway elsewhere refuses the shared secret the CLI sends (a stale
/// `gateway.remote.token`, the exact case OpenClaw's "set gateway.remote.token" names).
pub const REMOTE_SECRET_REFUSED: &str = "remote-secret-refused";
/// The gateway elsewhere accepts what the CLI sends (its own secret is on its host).
pub const REMOTE_SECRET_ACCEPTED: &str = "remote-secret-accepted";

// Live handshakes.
/// The CLI's handshake and the gateway's answer.
pub const HANDSHAKE_CLI: &str = "handshake-cli";
/// This device's handshake with its cached token.
pub const HANDSHAKE_DEVICE: &str = "handshake-device";
/// Remote mode without `gateway.remote.url`.
pub const CLI_REMOTE_URL_MISSING: &str = "cli-remote-url-missing";
/// Nothing answers at the URL of a gateway that runs elsewhere (host down, unreachable, the
/// SSH tunnel not up, a TLS pin that does not match).
pub const GATEWAY_UNREACHABLE: &str = "gateway-unreachable";

// Devices.
/// The device state cannot be read.
pub const DEVICE_STATE_UNREADABLE: &str = "device-state-unreadable";
/// This client's cached device token was revoked on the gateway.
pub const DEVICE_TOKEN_REVOKED: &str = "device-token-revoked";
/// This client's cached device token no longer matches the gateway's.
pub const DEVICE_TOKEN_STALE: &str = "device-token-stale";
/// No shared secret and no cached device token.
pub const DEVICE_TOKEN_MISSING: &str = "device-token-missing";
/// This client's device is not paired and the CLI has no secret to pair with.
pub const DEVICE_NOT_PAIRED: &str = "device-not-paired";
/// A repair request waits for approval.
pub const DEVICE_REPAIR_PENDING: &str = "device-repair-pending";
/// A pairing request waits for approval.
pub const DEVICE_PAIRING_PENDING: &str = "device-pairing-pending";
/// No stale token, no pending request.
pub const DEVICES_OK: &str = "devices-ok";

/// The device findings a reissued device token fixes.
pub const DEVICE_TOKEN_PROBLEMS: &[&str] = &[
    DEVICE_TOKEN_STALE,
    DEVICE_TOKEN_REVOKED,
    DEVICE_TOKEN_MISSING,
    DEVICE_NOT_PAIRED,
];

// Gateway log.
/// No gateway log to read.
pub const LOG_MISSING: &str = "log-missing";
/// The gateway runs elsewhere: its log is on its host.
pub const LOG_ELSEWHERE: &str = "log-elsewhere";
/// The gateway log cannot be read.
pub const LOG_UNREADABLE: &str = "log-unreadable";
/// Auth failures the gateway logged for one client.
pub const LOG_AUTH_FAILURES: &str = "log-auth-failures";
/// No auth failure of this gateway in the log.
pub const LOG_CLEAN: &str = "log-clean";
/// Auth failures in a shared log that reached other gateways (counted, not blamed).
pub const LOG_OTHER_GATEWAYS: &str = "log-other-gateways";

// Exposure and hygiene.
/// No auth and a non-loopback bind.
pub const EXPOSED_WITHOUT_AUTH: &str = "exposed-without-auth";
/// No auth on loopback.
pub const AUTH_NONE: &str = "auth-none";
/// A short or well-known shared secret.
pub const WEAK_SECRET: &str = "weak-secret";
/// The config file is readable by other users.
pub const CONFIG_PERMISSIONS: &str = "config-permissions";
/// The state dir is readable by other users.
pub const STATE_DIR_PERMISSIONS: &str = "state-dir-permissions";
/// Auth required, private files.
pub const SECURITY_OK: &str = "security-ok";
/// The CLI sends its shared secret unencrypted (`ws://`) to a gateway on another host.
pub const REMOTE_CLEARTEXT: &str = "remote-cleartext";

// Codes of the doctor's conclusions that are not findings.
/// A cause: an observed failure no check accounts for.
pub const UNEXPLAINED_FAILURE: &str = "unexplained-failure";
/// A plan step's `fixes`: the service definition changed (reload, restart).
pub const SERVICE_CHANGED: &str = "service";
/// A plan step's `fixes`: the final verification.
pub const VERIFY: &str = "verify";

/// Every finding code above (not the conclusions' codes), for tests and documentation.
pub const ALL: &[&str] = &[
    OPENCLAW_NOT_INSTALLED,
    OPENCLAW_NOT_SET_UP,
    CLI_FOUND,
    CLI_MISSING,
    GATEWAY_VERSION_DRIFT,
    CONFIG_READ,
    CONFIG_INVALID,
    CONFIG_RETIRED_KEY,
    CONFIG_REDACTED_SECRET,
    CONFIG_AUTH_MODE_UNKNOWN,
    CONFIG_AUTH_AMBIGUOUS,
    CONFIG_UNRESOLVED_REF,
    OWN_GATEWAY,
    ZOMBIE_GATEWAY,
    HUNG_GATEWAY,
    FOREIGN_LISTENER,
    PORT_OWNER_HIDDEN,
    STALE_LOCK,
    LOCK_UNREADABLE,
    GATEWAY_NOT_LISTENING,
    MULTIPLE_GATEWAYS,
    NOT_SUPERVISOR_MAIN_PID,
    DERIVED_PORT_TAKEN,
    GATEWAY_DOWN,
    SOCKET_TABLE_UNREADABLE,
    GATEWAY_ELSEWHERE,
    GATEWAY_IN_CONTAINER,
    SERVICE_OK,
    SERVICE_NONE,
    SERVICE_FILE_UNREADABLE,
    SERVICE_COMMAND_MISSING,
    SERVICE_RUNTIME_MISSING,
    SERVICE_ENTRY_MISSING,
    SERVICE_VERSION_DRIFT,
    SERVICE_PORT_MISMATCH,
    SERVICE_TOKEN_EMBEDDED,
    SERVICE_PASSWORD_EMBEDDED,
    SERVICE_TOKEN_STALE,
    SERVICE_TOKEN_MISMATCH,
    SERVICE_STATE_DIR_MISMATCH,
    SERVICE_NO_RESTART,
    SERVICE_RESTART_STORM,
    SERVICE_KILL_MODE,
    SERVICE_STOP_TIMEOUT,
    DOCKER_DIR_UNREADABLE,
    SECRET_NOT_USED,
    GATEWAY_SECRET_UNKNOWN,
    CONFIG_DIFFERS,
    GATEWAY_SECRET,
    GATEWAY_SECRET_HIDDEN,
    SECRET_AGREES,
    SECRET_MISMATCH,
    SECRET_STALE_COPY,
    SECRET_EXPLICIT_URL,
    REMOTE_SECRET_REFUSED,
    REMOTE_SECRET_ACCEPTED,
    HANDSHAKE_CLI,
    HANDSHAKE_DEVICE,
    CLI_REMOTE_URL_MISSING,
    GATEWAY_UNREACHABLE,
    DEVICE_STATE_UNREADABLE,
    DEVICE_TOKEN_REVOKED,
    DEVICE_TOKEN_STALE,
    DEVICE_TOKEN_MISSING,
    DEVICE_NOT_PAIRED,
    DEVICE_REPAIR_PENDING,
    DEVICE_PAIRING_PENDING,
    DEVICES_OK,
    LOG_MISSING,
    LOG_ELSEWHERE,
    LOG_UNREADABLE,
    LOG_AUTH_FAILURES,
    LOG_CLEAN,
    LOG_OTHER_GATEWAYS,
    EXPOSED_WITHOUT_AUTH,
    AUTH_NONE,
    WEAK_SECRET,
    CONFIG_PERMISSIONS,
    STATE_DIR_PERMISSIONS,
    SECURITY_OK,
    REMOTE_CLEARTEXT,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_kebab_case_and_documented() {
        let doc = include_str!("../../../../docs/doctor-json.md");
        for (i, code) in ALL.iter().enumerate() {
            assert!(
                code.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{code}"
            );
            assert!(!ALL[..i].contains(code), "{code} listed twice");
            // The doc lists the audit's codes without their `service-` prefix (`password-*`).
            let short = code.strip_prefix("service-").unwrap_or(code);
            let family = short.split('-').next().unwrap_or(short);
            assert!(
                [
                    format!("`{code}`"),
                    format!("`{short}`"),
                    format!("`{family}-*`")
                ]
                .iter()
                .any(|form| doc.contains(form.as_str())),
                "{code} is not in docs/doctor-json.md"
            );
        }
        assert!(doc.contains(&format!("`{UNEXPLAINED_FAILURE}`")));
    }

    #[test]
    fn groups_hold_listed_codes() {
        for code in PORT_TAKEN
            .iter()
            .chain(SERVICE_SECRET)
            .chain(DEVICE_TOKEN_PROBLEMS)
        {
            assert!(ALL.contains(code), "{code}");
        }
    }
}
