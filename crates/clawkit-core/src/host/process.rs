//! What clawkit needs to know about a process to decide whether it is an OpenClaw gateway and
//! whether it is still the same process a moment later (PID reuse).

use serde::Serialize;
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProcessInfo {
    pub pid: u32,
    pub ppid: Option<u32>,
    pub uid: Option<u32>,
    pub user: Option<String>,
    /// The kernel's short name (`comm`, 15 bytes on Linux: `openclaw-gatewa`).
    pub name: String,
    pub cmdline: Vec<String>,
    pub exe: Option<PathBuf>,
    /// Start time in clock ticks since boot (Linux `/proc/<pid>/stat` field 22) — the value
    /// OpenClaw writes as `startTime` in its lock files, and clawkit's PID-reuse guard.
    pub start_ticks: Option<u64>,
    /// Start time as Unix milliseconds, when known.
    pub started_at_ms: Option<i64>,
}

impl ProcessInfo {
    /// OpenClaw's own rule: argv[0] ends in `openclaw-gateway` (the gateway sets its process
    /// title), or argv holds an OpenClaw entry point and the word `gateway`.
    pub fn is_gateway(&self) -> bool {
        let first = self.cmdline.first().map(String::as_str).unwrap_or("");
        if first.trim_end().ends_with("openclaw-gateway") {
            return true;
        }
        let entry = self.cmdline.iter().any(|a| {
            let a = a.replace('\\', "/");
            a.ends_with("dist/index.js")
                || a.ends_with("dist/entry.js")
                || a.ends_with("openclaw.mjs")
                || a.ends_with("/openclaw")
                || a == "openclaw"
        });
        entry && self.cmdline.iter().any(|a| a == "gateway")
    }

    /// The command line for display, shortened.
    pub fn command(&self) -> String {
        let joined = if self.cmdline.is_empty() {
            format!("[{}]", self.name)
        } else {
            self.cmdline.join(" ")
        };
        if joined.chars().count() > 100 {
            let cut: String = joined.chars().take(99).collect();
            format!("{cut}…")
        } else {
            joined
        }
    }
}

/// Splits a NUL-separated `/proc/<pid>/cmdline`, dropping the padding a process leaves when it
/// overwrites its argv (the gateway's title is `openclaw-gateway` followed by NULs).
pub fn split_cmdline(raw: &[u8]) -> Vec<String> {
    raw.split(|b| *b == 0)
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .filter(|a| !a.is_empty())
        .collect()
}

/// Parses `/proc/<pid>/stat`: (state, ppid, start ticks). The command name may hold spaces
/// and parentheses, so fields are counted after the last `)`.
pub fn parse_stat(text: &str) -> Option<(char, u32, u64)> {
    let rest = &text[text.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // rest starts at field 3 (state): ppid is field 4, starttime field 22.
    let state = fields.first()?.chars().next()?;
    let ppid = fields.get(1)?.parse().ok()?;
    let start = fields.get(19)?.parse().ok()?;
    Some((state, ppid, start))
}

/// The `Uid:` line of `/proc/<pid>/status` (real uid).
pub fn parse_status_uid(text: &str) -> Option<u32> {
    text.lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|u| u.parse().ok())
}

/// A user name from `/etc/passwd`-format text.
pub fn user_name(passwd: &str, uid: u32) -> Option<String> {
    passwd.lines().find_map(|line| {
        let mut parts = line.split(':');
        let name = parts.next()?;
        let _ = parts.next();
        let id: u32 = parts.next()?.parse().ok()?;
        (id == uid).then(|| name.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(cmdline: &[&str]) -> ProcessInfo {
        ProcessInfo {
            pid: 1,
            ppid: None,
            uid: None,
            user: None,
            name: "x".into(),
            cmdline: cmdline.iter().map(|s| s.to_string()).collect(),
            exe: None,
            start_ticks: None,
            started_at_ms: None,
        }
    }

    #[test]
    fn gateway_detection_follows_openclaws_rule() {
        assert!(info(&["openclaw-gateway"]).is_gateway());
        assert!(
            info(&[
                "/usr/bin/node",
                "--max-old-space-size=8192",
                "/usr/lib/node_modules/openclaw/dist/index.js",
                "gateway",
                "--port",
                "18789"
            ])
            .is_gateway()
        );
        assert!(
            info(&[
                "C:\\node.exe",
                "C:\\npm\\node_modules\\openclaw\\dist\\index.js",
                "gateway"
            ])
            .is_gateway()
        );
        assert!(!info(&["openclaw-doctor"]).is_gateway());
        assert!(!info(&["/usr/bin/node", "/srv/app/dist/index.js", "serve"]).is_gateway());
        assert!(!info(&["python3", "-m", "http.server", "gateway"]).is_gateway());
    }

    #[test]
    fn stat_fields_are_counted_after_the_last_parenthesis() {
        let stat = "8638 (openclaw-gatewa) S 8600 8638 8600 0 -1 4194560 1 0 0 0 5 1 0 0 20 0 11 0 52919 1000 100";
        assert_eq!(parse_stat(stat), Some(('S', 8600, 52919)));
        let odd = "77 (a) b (c)) R 1 77 77 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 999 0 0";
        assert_eq!(parse_stat(odd), Some(('R', 1, 999)));
        assert_eq!(parse_stat("garbage"), None);
    }

    #[test]
    fn cmdline_padding_is_dropped() {
        assert_eq!(
            split_cmdline(b"openclaw-gateway\0\0\0\0\0"),
            vec!["openclaw-gateway"]
        );
        assert_eq!(
            split_cmdline(b"node\0/x/dist/index.js\0gateway\0"),
            vec!["node", "/x/dist/index.js", "gateway"]
        );
    }

    #[test]
    fn status_and_passwd() {
        assert_eq!(
            parse_status_uid("Name:\tx\nUid:\t1000\t1000\t1000\t1000\n"),
            Some(1000)
        );
        assert_eq!(
            user_name(
                "root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n",
                1000
            ),
            Some("alice".into())
        );
    }
}
