//! Where the gateway this client talks to runs, as OpenClaw's CLI resolves it: on this machine
//! (local mode), behind `gateway.remote.url` (remote mode: direct, TLS-pinned, or through an
//! SSH tunnel whose local end is the URL), or at an explicit `OPENCLAW_GATEWAY_URL`. The doctor
//! reads the port, service, process and log only of a gateway that runs here; every command
//! connects to [`Topology::url`].

use super::auth::{ClientMode, client_mode, client_url};
use super::config::LoadedConfig;
use super::install::InstallPaths;
use crate::env::Env;
use crate::gateway::ConnectOptions;
use serde::Serialize;

/// How this client reaches its gateway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Topology {
    #[serde(serialize_with = "mode_name")]
    pub mode: ClientMode,
    /// The URL the CLI connects to (`None`: remote mode without `gateway.remote.url`).
    pub url: Option<String>,
    /// `gateway.remote.tlsFingerprint` (remote mode): the certificate the CLI pins.
    pub tls_fingerprint: Option<String>,
    /// `gateway.remote.transport` (remote mode): `direct` (default) or `ssh`.
    pub transport: Option<String>,
    /// `gateway.remote.sshTarget`, for an SSH tunnel.
    pub ssh_target: Option<String>,
    /// Whether the gateway runs on this machine: local mode, or an explicit URL at this
    /// install's own loopback port.
    pub here: bool,
}

fn mode_name<S: serde::Serializer>(m: &ClientMode, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(match m {
        ClientMode::Local => "local",
        ClientMode::Remote => "remote",
        ClientMode::ExplicitUrl => "explicit-url",
    })
}

impl Topology {
    /// The topology this config and environment give the CLI.
    pub fn of(paths: &InstallPaths, config: &LoadedConfig, env: &Env) -> Topology {
        let mode = client_mode(config, env);
        let url = client_url(paths, config, env, &mode);
        let remote = |key: &str| {
            (mode == ClientMode::Remote)
                .then(|| config.str(key).map(str::to_string))
                .flatten()
        };
        let here = match mode {
            ClientMode::Local => true,
            ClientMode::Remote => false,
            ClientMode::ExplicitUrl => url
                .as_deref()
                .and_then(Endpoint::parse)
                .is_some_and(|e| e.is_loopback() && e.port == Some(paths.port(config, env).value)),
        };
        Topology {
            tls_fingerprint: remote("gateway.remote.tlsFingerprint"),
            transport: remote("gateway.remote.transport"),
            ssh_target: remote("gateway.remote.sshTarget"),
            mode,
            url,
            here,
        }
    }

    /// The URL's host and port, when it parses.
    pub fn endpoint(&self) -> Option<Endpoint> {
        self.url.as_deref().and_then(Endpoint::parse)
    }

    /// Where and how the CLI connects: its URL and, in remote mode, its TLS pin.
    pub fn connect_options(&self) -> Option<ConnectOptions> {
        let mut opts = ConnectOptions::new(self.url.clone()?);
        opts.tls_fingerprint = self.tls_fingerprint.clone();
        Some(opts)
    }

    pub fn through_ssh(&self) -> bool {
        self.transport.as_deref() == Some("ssh")
    }

    /// One line for a person: "remote gateway wss://host:443 (TLS pinned sha256:…)".
    pub fn describe(&self) -> String {
        let url = self.url.as_deref().unwrap_or("(no URL)");
        let mut s = match self.mode {
            ClientMode::Local => format!("local gateway at {url}"),
            ClientMode::Remote => format!("remote gateway at {url} (gateway.remote.url)"),
            ClientMode::ExplicitUrl => format!("gateway at {url} (OPENCLAW_GATEWAY_URL)"),
        };
        if self.through_ssh() {
            s.push_str(&format!(
                ", through an SSH tunnel to {}",
                self.ssh_target.as_deref().unwrap_or("the gateway host")
            ));
        }
        if let Some(pin) = &self.tls_fingerprint {
            s.push_str(&format!(", TLS certificate pinned to {pin}"));
        }
        s
    }
}

/// A WebSocket URL's host and port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub secure: bool,
    pub host: String,
    pub port: Option<u16>,
}

impl Endpoint {
    /// `ws://host:port/…` or `wss://…`; IPv6 hosts in brackets. `None` for anything else.
    pub fn parse(url: &str) -> Option<Endpoint> {
        let (secure, rest) = if let Some(r) = url.strip_prefix("wss://") {
            (true, r)
        } else {
            (false, url.strip_prefix("ws://")?)
        };
        let authority = rest.split(['/', '?', '#']).next()?;
        let authority = authority.rsplit('@').next()?;
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (host, after) = v6.split_once(']')?;
            (host, after.strip_prefix(':'))
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (authority, None),
            }
        };
        let port = match port {
            Some(p) => Some(p.parse().ok()?),
            None => None,
        };
        (!host.is_empty()).then(|| Endpoint {
            secure,
            host: host.to_ascii_lowercase(),
            port,
        })
    }

    /// The port the URL names, or its scheme's default.
    pub fn port_or_default(&self) -> u16 {
        self.port.unwrap_or(if self.secure { 443 } else { 80 })
    }

    /// `localhost`, 127.0.0.0/8 or ::1.
    pub fn is_loopback(&self) -> bool {
        self.host == "localhost"
            || self.host == "::1"
            || self
                .host
                .parse::<std::net::Ipv4Addr>()
                .is_ok_and(|a| a.is_loopback())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openclaw::config::load;

    fn topology(config: &str, env: &[(&str, &str)]) -> Topology {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("openclaw.json");
        std::fs::write(&path, config).unwrap();
        let env = Env::from_pairs(
            env.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .chain([("HOME".into(), dir.path().display().to_string())]),
        );
        let config = load(&path, &env).unwrap();
        let paths = InstallPaths::of_environment(&env).unwrap();
        Topology::of(&paths, &config, &env)
    }

    #[test]
    fn endpoints_parse_hosts_ports_and_v6() {
        for (url, host, port, loopback) in [
            ("ws://127.0.0.1:28789", "127.0.0.1", Some(28789), true),
            (
                "wss://Gateway.example.com/ws",
                "gateway.example.com",
                None,
                false,
            ),
            ("ws://[::1]:18789/", "::1", Some(18789), true),
            ("ws://localhost", "localhost", None, true),
            ("ws://10.0.0.2:18789?x=1", "10.0.0.2", Some(18789), false),
        ] {
            let e = Endpoint::parse(url).unwrap();
            assert_eq!(
                (e.host.as_str(), e.port, e.is_loopback()),
                (host, port, loopback),
                "{url}"
            );
        }
        assert_eq!(Endpoint::parse("wss://h").unwrap().port_or_default(), 443);
        for bad in ["http://h:1", "ws://", "ws://h:port", "h:1"] {
            assert_eq!(Endpoint::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn local_remote_and_explicit_urls() {
        let local = topology("{ gateway: { port: 28001 } }", &[]);
        assert_eq!(
            (local.mode.clone(), local.url.as_deref(), local.here),
            (ClientMode::Local, Some("ws://127.0.0.1:28001"), true)
        );
        let remote = topology(
            "{ gateway: { mode: 'remote', remote: { url: 'wss://gw.example:443', tlsFingerprint: 'AB:CD', transport: 'ssh', sshTarget: 'me@gw' } } }",
            &[],
        );
        assert!(!remote.here);
        assert_eq!(remote.tls_fingerprint.as_deref(), Some("AB:CD"));
        assert!(remote.through_ssh());
        assert!(remote.describe().contains("me@gw"), "{}", remote.describe());
        let unset = topology("{ gateway: { mode: 'remote' } }", &[]);
        assert_eq!((unset.url, unset.here), (None, false));
        let mine = topology(
            "{ gateway: { port: 28002 } }",
            &[("OPENCLAW_GATEWAY_URL", "ws://localhost:28002")],
        );
        assert!(
            mine.here,
            "an explicit URL at this install's port is this gateway"
        );
        let theirs = topology(
            "{ gateway: { port: 28002 } }",
            &[("OPENCLAW_GATEWAY_URL", "ws://10.1.2.3:28002")],
        );
        assert!(!theirs.here);
    }
}
