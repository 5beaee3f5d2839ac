//! What a running OpenClaw gateway does when its config file changes: nothing, a hot reload,
//! or a restart of itself. The rules are OpenClaw 2026.9's static reload policies
//! (`config-reload-plan`: core policies, then the defaults): the rule with the most path
//! segments (then the fewest `*`) that prefixes a changed path decides; a path no rule
//! matches restarts the gateway. Rotating `gateway.auth.token`/`.password` within the same
//! token or password mode is hot. `gateway.reload.mode = "off"` turns reloading off. Rules a
//! channel plugin or a service adds at run time are not known here.

use std::time::Duration;

/// What the gateway does about one changed path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reload {
    /// Not applied at run time (or applied without any reload).
    Nothing,
    /// Hot-reloaded in the running process.
    Hot,
    /// The gateway restarts itself (in-process: down a few seconds, a new boot id).
    Restart,
}

impl Reload {
    pub fn word(self) -> &'static str {
        match self {
            Reload::Nothing => "no reload",
            Reload::Hot => "hot reload",
            Reload::Restart => "restart",
        }
    }
}

/// The watcher waits for the file to be still for 200 ms (chokidar `awaitWriteFinish`), then
/// debounces 300 ms before it evaluates: the earliest a decision can be made after a write.
pub const DECISION_DELAY: Duration = Duration::from_millis(500);

/// The prefixes whose change only rotates a shared secret (hot within the same auth mode).
const CREDENTIALS: &[&str] = &["gateway.auth.token", "gateway.auth.password"];

use Reload::{Hot, Nothing, Restart};

/// OpenClaw's static rules, in its order (core, then defaults); [`rule`] picks the most specific.
const RULES: &[(&str, Reload)] = &[
    ("gateway.remote", Nothing),
    ("gateway.reload", Nothing),
    ("gateway.auth.token", Restart),
    ("gateway.auth.password", Restart),
    ("mcp.apps", Restart),
    ("secrets.egressProxy", Restart),
    ("gateway.portals", Restart),
    ("gateway.http.endpoints", Hot),
    ("gateway.http.securityHeaders.strictTransportSecurity", Hot),
    ("gateway.tools", Hot),
    ("gateway.cliAgents", Hot),
    ("gateway.controlUi.enabled", Hot),
    ("gateway.controlUi.environment", Hot),
    ("gateway.controlUi.communityInvite", Hot),
    ("gateway.controlUi.github", Hot),
    ("gateway.controlUi.sessionObserver", Hot),
    ("gateway.controlUi.embedSandbox", Hot),
    ("gateway.controlUi.allowExternalEmbedUrls", Hot),
    ("gateway.controlUi.automaticallyFetchFavicons", Hot),
    ("gateway.controlUi.experimental.customPlugins", Hot),
    ("gateway.controlUi.allowedOrigins", Hot),
    (
        "gateway.controlUi.dangerouslyAllowHostHeaderOriginFallback",
        Hot,
    ),
    ("gateway.nodes.browser", Hot),
    ("gateway.nodes.pairing", Hot),
    ("gateway.nodes.commands", Hot),
    ("gateway.nodes.pluginTools.enabled", Hot),
    ("gateway.nodes.allowSkills", Hot),
    ("gateway.push.apns.relay", Hot),
    ("gateway.terminal", Hot),
    ("gateway.auth.rateLimit", Hot),
    ("gateway.roles", Hot),
    ("gateway.trustedProxies", Hot),
    ("gateway.allowRealIpFallback", Hot),
    ("gateway.auth.allowTailscale", Hot),
    ("gateway.auth.identityScopes", Hot),
    ("gateway.auth.trustedProxy", Hot),
    ("diagnostics.enabled", Hot),
    ("discovery.mdns.mode", Hot),
    ("mcp.apps.sandboxOrigin", Hot),
    ("agents.defaults", Hot),
    ("desktop.host", Hot),
    ("cloudWorkers", Hot),
    ("hooks.gmail", Hot),
    ("hooks.internal", Hot),
    ("agents.defaults.workspace", Hot),
    ("hooks", Hot),
    ("agents.defaults.heartbeat", Hot),
    ("agents.defaults.models", Hot),
    ("agents.defaults.modelPolicy", Hot),
    ("agents.defaults.model", Hot),
    ("models", Hot),
    ("agent.heartbeat", Hot),
    ("agents.entries", Hot),
    ("agents.entries.*.decisionModel", Hot),
    ("agents.defaults.sessionStore", Hot),
    ("agents.ownership", Hot),
    ("skills.workshop.autonomous.mode", Hot),
    ("agents.defaults.decisionModel", Hot),
    ("plugins.load", Hot),
    ("plugins.installs", Hot),
    ("cron", Hot),
    ("transcripts", Hot),
    ("cloudWorkers.profiles", Hot),
    ("mcp", Hot),
    ("gateway.publicOrigin", Hot),
    ("talk.provider", Hot),
    ("talk.realtime.provider", Hot),
    // Shared channel settings: hot only for the channel plugins that own them (none known).
    ("agents.defaults.mediaMaxMb", Nothing),
    ("channels.defaults", Nothing),
    ("channels.modelByChannel", Nothing),
    ("messages.inbound", Nothing),
    ("messages.ackReactionScope", Nothing),
    ("commands", Nothing),
    ("accessGroups", Nothing),
    ("tts", Nothing),
    ("surfaces", Nothing),
    ("acp.stream", Nothing),
    ("diagnostics.flags", Nothing),
    ("session.scope", Hot),
    ("session.store", Hot),
    // Defaults.
    ("meta", Nothing),
    ("identity", Nothing),
    ("wizard", Nothing),
    ("logging", Nothing),
    ("agents", Nothing),
    ("bindings", Nothing),
    ("audio", Nothing),
    ("agent", Nothing),
    ("routing", Nothing),
    ("messages", Nothing),
    ("session", Nothing),
    ("talk", Nothing),
    ("skills", Nothing),
    ("secrets", Nothing),
    ("tui", Nothing),
    ("ui", Nothing),
    ("tools", Hot),
    ("approvals.exec", Hot),
    ("approvals.plugin", Hot),
    ("auth.order", Hot),
    ("auth.profiles", Hot),
    ("broadcast", Hot),
    ("memory.citations", Hot),
    ("worktreeRoot", Hot),
    ("worktreeAcceleration", Hot),
    ("security.audit.suppressions", Hot),
    ("security.installPolicy", Hot),
    ("diagnostics.cacheTrace.enabled", Hot),
    ("acp", Hot),
    ("attachments.ttlHours", Hot),
    ("update.checkOnStart", Hot),
    ("update.channel", Hot),
    ("update.auto.enabled", Hot),
    ("telemetry.enabled", Hot),
    ("telemetry.consentedAt", Hot),
    ("plugins", Hot),
    ("channels", Hot),
    ("gateway", Restart),
    ("discovery", Restart),
];

/// The rule that decides a changed path: its prefix (`*` when none matches) and what it does.
pub fn rule(path: &str) -> (&'static str, Reload) {
    RULES
        .iter()
        .filter(|(prefix, _)| matches(path, prefix))
        .max_by_key(|(prefix, _)| specificity(prefix))
        .copied()
        .unwrap_or(("*", Restart))
}

/// More segments first, then fewer wildcards; among equals the earlier rule wins (OpenClaw's
/// sort is stable), hence the reversed position.
fn specificity(prefix: &&str) -> (usize, std::cmp::Reverse<usize>, std::cmp::Reverse<usize>) {
    let segments = prefix.split('.').count();
    let stars = prefix.split('.').filter(|s| *s == "*").count();
    let at = RULES.iter().position(|(p, _)| p == prefix).unwrap_or(0);
    (segments, std::cmp::Reverse(stars), std::cmp::Reverse(at))
}

fn matches(path: &str, prefix: &str) -> bool {
    if prefix.contains('*') {
        let segments: Vec<&str> = path.split('.').collect();
        return prefix.split('.').enumerate().all(|(i, s)| {
            segments
                .get(i)
                .is_some_and(|p| s == *p || (s == "*" && !p.is_empty()))
        });
    }
    path == prefix
        || path
            .strip_prefix(prefix)
            .is_some_and(|r| r.starts_with('.'))
}

/// What the gateway does after `paths` changed together, and the path and rule that decide it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    pub reload: Reload,
    pub path: String,
    pub rule: &'static str,
}

impl Expected {
    /// "the gateway restarts itself to apply gateway.x (reload rule `gateway` → restart)".
    pub fn describe(&self) -> String {
        let what = match self.reload {
            Reload::Restart => "the gateway restarts itself to apply",
            Reload::Hot => "the gateway hot-reloads",
            Reload::Nothing => "the gateway does not reload for",
        };
        format!(
            "{what} {} (reload rule `{}` → {})",
            self.path,
            self.rule,
            self.reload.word()
        )
    }
}

/// How the gateway's config says it reloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// `gateway.reload.mode = "off"`.
    pub off: bool,
    /// The auth mode is token or password (and stays so): a new secret is hot.
    pub secret_auth: bool,
}

/// The strongest reaction among `paths` (a restart outweighs a hot reload); `None` for no path.
pub fn expect<S: AsRef<str>>(paths: &[S], settings: Settings) -> Option<Expected> {
    paths
        .iter()
        .map(|p| {
            let path = p.as_ref();
            let (prefix, mut reload) = rule(path);
            if settings.off {
                reload = Nothing;
            } else if reload == Restart && settings.secret_auth && CREDENTIALS.contains(&prefix) {
                reload = Hot;
            }
            Expected {
                reload,
                path: path.to_string(),
                rule: prefix,
            }
        })
        // The first of the strongest: the edit that decides, in the order it was made.
        .min_by_key(|e| std::cmp::Reverse(e.reload))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ON: Settings = Settings {
        off: false,
        secret_auth: true,
    };

    #[test]
    fn the_most_specific_rule_decides() {
        for (path, want) in [
            (
                "gateway.controlUi.dangerouslyDisableDeviceAuth",
                ("gateway", Restart),
            ),
            ("gateway.controlUi.allowInsecureAuth", ("gateway", Restart)),
            (
                "gateway.controlUi.allowedOrigins",
                ("gateway.controlUi.allowedOrigins", Hot),
            ),
            ("gateway.port", ("gateway", Restart)),
            ("gateway.remote.token", ("gateway.remote", Nothing)),
            ("gateway.auth.token", ("gateway.auth.token", Restart)),
            (
                "gateway.auth.rateLimit.max",
                ("gateway.auth.rateLimit", Hot),
            ),
            ("gateway.auth.mode", ("gateway", Restart)),
            ("logging.file", ("logging", Nothing)),
            ("agents.defaults.model", ("agents.defaults.model", Hot)),
            (
                "agents.entries.main.decisionModel",
                ("agents.entries.*.decisionModel", Hot),
            ),
            (
                "agents.defaults.mediaMaxMb",
                ("agents.defaults.mediaMaxMb", Nothing),
            ),
            ("channels.telegram.token", ("channels", Hot)),
            ("somethingNew.key", ("*", Restart)),
        ] {
            assert_eq!(rule(path), want, "{path}");
        }
    }

    #[test]
    fn a_prefix_matches_whole_segments_only() {
        assert_eq!(rule("gatewayish.x"), ("*", Restart));
        assert_eq!(rule("hooksy"), ("*", Restart));
        assert_eq!(rule("hooks"), ("hooks", Hot));
    }

    #[test]
    fn a_restart_outweighs_a_hot_reload() {
        let paths = [
            "gateway.controlUi.allowedOrigins",
            "gateway.bind",
            "logging.level",
            "gateway.port",
        ];
        let e = expect(&paths, ON).unwrap();
        assert_eq!(
            (e.reload, e.path.as_str(), e.rule),
            (Restart, "gateway.bind", "gateway")
        );
        assert_eq!(
            e.describe(),
            "the gateway restarts itself to apply gateway.bind (reload rule `gateway` → restart)"
        );
        assert_eq!(expect::<&str>(&[], ON), None);
    }

    #[test]
    fn a_new_secret_is_hot_in_token_or_password_mode_only() {
        assert_eq!(expect(&["gateway.auth.token"], ON).unwrap().reload, Hot);
        assert_eq!(expect(&["gateway.auth.password"], ON).unwrap().reload, Hot);
        let other = Settings {
            secret_auth: false,
            ..ON
        };
        assert_eq!(
            expect(&["gateway.auth.token"], other).unwrap().reload,
            Restart
        );
        assert_eq!(expect(&["gateway.auth.mode"], ON).unwrap().reload, Restart);
    }

    #[test]
    fn reload_mode_off_reloads_nothing() {
        let off = Settings { off: true, ..ON };
        assert_eq!(expect(&["gateway.bind"], off).unwrap().reload, Nothing);
    }
}
