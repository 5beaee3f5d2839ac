//! The gateway's Control UI link with a fresh single-use pairing grant, asked of the install's
//! own CLI (`openclaw dashboard --json`): the grant is a pairing mutation in OpenClaw's locked
//! state store, which only OpenClaw should write. The link's fragment is a bearer secret for ten
//! minutes, so [`Handoff`] keeps it out of `Debug` and every caller prints only `http_url`.

use crate::error::Error;
use crate::target::Target;
use serde_json::Value;
use std::time::Duration;

/// What `openclaw dashboard --json` hands out.
#[derive(Clone, PartialEq, Eq)]
pub struct Handoff {
    /// The clean page URL (`http://127.0.0.1:PORT/`): safe to print.
    pub http_url: String,
    pub ws_url: String,
    pub port: u16,
    /// When the pairing grant in `browser_url` stops working (ms since the epoch).
    pub expires_at_ms: Option<i64>,
    browser_url: String,
}

impl Handoff {
    /// The URL to open: the page plus `#bootstrapToken=…` (single use, ten minutes). Hand it
    /// to a browser; never print or log it.
    pub fn browser_url(&self) -> &str {
        &self.browser_url
    }
}

impl std::fmt::Debug for Handoff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handoff")
            .field("http_url", &self.http_url)
            .field("browser_url", &"<page>#bootstrapToken=…")
            .finish_non_exhaustive()
    }
}

/// The argv `handoff` runs after the CLI's path.
pub const ARGS: [&str; 2] = ["dashboard", "--json"];

/// Asks the install's CLI for a fresh handoff (a Node start: several seconds).
pub async fn handoff(target: &Target) -> Result<Handoff, Error> {
    let args = ARGS.iter().map(|a| a.to_string()).collect();
    let (program, out) = target.run_cli(args, Duration::from_secs(60)).await?;
    parse(&out.stdout).map_err(|why| {
        let said = if out.stdout.trim().is_empty() {
            crate::secret::redact_text(&out.reason())
        } else {
            why
        };
        Error::Usage(format!(
            "`{program} dashboard --json` gave no dashboard link: {said}. `clawkit doctor` says why the gateway is not serving it"
        ))
    })
}

/// Reads the CLI's JSON line; `Err` is the CLI's `reason` (redacted) or what was wrong.
pub fn parse(stdout: &str) -> Result<Handoff, String> {
    let doc: Value = stdout
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str(l.trim()).ok())
        .or_else(|| serde_json::from_str(stdout.trim()).ok())
        .ok_or_else(|| "its output was not JSON".to_string())?;
    if doc["ok"] != true {
        let reason = doc["reason"].as_str().unwrap_or("no reason given");
        return Err(crate::secret::redact_text(reason));
    }
    let text = |k: &str| {
        doc[k]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("its answer has no `{k}`"))
    };
    let browser_url = text("browserUrl")?;
    let http_url = text("httpUrl")?;
    if !browser_url.starts_with(&http_url) || !http_url.starts_with("http") {
        return Err("its browserUrl is not on its httpUrl".into());
    }
    Ok(Handoff {
        ws_url: text("wsUrl")?,
        port: doc["port"].as_u64().unwrap_or(0) as u16,
        expires_at_ms: doc["browserBootstrapExpiresAtMs"].as_i64(),
        http_url,
        browser_url,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Output as 2026.9.6 prints it (the token values changed).
    const OK: &str = r#"{"ok":true,"url":"http://127.0.0.1:23456/#token=plain-secret-123","httpUrl":"http://127.0.0.1:23456/","wsUrl":"ws://127.0.0.1:23456","port":23456,"tokenIncluded":true,"browserUrl":"http://127.0.0.1:23456/#bootstrapToken=boot-777&bootstrapProfile=owner&gatewayUrl=ws%3A%2F%2F127.0.0.1%3A23456","browserBootstrapExpiresAtMs":1796303124526}"#;

    #[test]
    fn the_handoff_keeps_the_bootstrap_link_and_never_the_shared_token() {
        let h = parse(&format!("[plugins] loaded\n{OK}\n")).unwrap();
        assert_eq!(h.http_url, "http://127.0.0.1:23456/");
        assert_eq!(h.port, 23456);
        assert!(h.browser_url().contains("bootstrapToken=boot-777"));
        let debug = format!("{h:?}");
        assert!(!debug.contains("boot-777") && !debug.contains("plain-secret-123"));
        assert_eq!(h.expires_at_ms, Some(1796303124526));
    }

    #[test]
    fn a_refusal_or_garbage_says_why() {
        let no = parse(r#"{"ok":false,"reason":"gateway not reachable at ws://127.0.0.1:1"}"#);
        assert!(no.unwrap_err().contains("not reachable"));
        assert!(parse("Error: boom").unwrap_err().contains("not JSON"));
        let odd = parse(
            r#"{"ok":true,"httpUrl":"http://a/","wsUrl":"ws://a","browserUrl":"http://evil/#x"}"#,
        );
        assert!(odd.unwrap_err().contains("not on its httpUrl"));
    }
}
