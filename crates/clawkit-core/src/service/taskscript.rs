//! Windows `gateway.cmd`, the script the `OpenClaw Gateway` scheduled task runs: `set "K=V"`
//! lines for the environment, then the quoted command with `--task-supervisor` and `< NUL`.

use super::{ServiceDef, ServiceKind};
use std::path::Path;

pub fn load(path: &Path, task: &str) -> Result<ServiceDef, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(parse(path, task, &text))
}

pub fn parse(path: &Path, task: &str, text: &str) -> ServiceDef {
    let mut def = ServiceDef::new(ServiceKind::ScheduledTask, path, task);
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        let origin = format!("{}:{}", path.display(), i + 1);
        let lower = line.to_ascii_lowercase();
        if line.is_empty()
            || lower.starts_with("@echo")
            || lower.starts_with("rem ")
            || lower == "rem"
        {
            continue;
        }
        if lower.starts_with("cd /d ") {
            def.settings.push((
                "WorkingDirectory".into(),
                line[6..].trim_matches('"').into(),
                origin,
            ));
            continue;
        }
        if lower.starts_with("set ") {
            let body = line[4..].trim().trim_matches('"');
            if let Some((k, v)) = body.split_once('=') {
                def.set_env(k, v, &origin);
            }
            continue;
        }
        let line = line.strip_suffix("< NUL").unwrap_or(line).trim_end();
        def.program = split_cmd(line)
            .into_iter()
            .filter(|a| a != "--task-supervisor")
            .collect();
        def.program_origin = Some(origin);
    }
    def
}

/// cmd.exe-style splitting: spaces separate, double quotes group.
fn split_cmd(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut in_word = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                in_word = true;
            }
            c if c.is_whitespace() && !quoted => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_environment_and_command() {
        let text = "@echo off\r\nrem OpenClaw Gateway\r\nset \"OPENCLAW_GATEWAY_PORT=18789\"\r\nset \"OPENCLAW_GATEWAY_TOKEN=abc\"\r\n\"C:\\Program Files\\nodejs\\node.exe\" C:\\npm\\openclaw\\dist\\index.js gateway --port 18789 --task-supervisor < NUL\r\n";
        let def = parse(Path::new("gateway.cmd"), "OpenClaw Gateway", text);
        assert_eq!(def.env("OPENCLAW_GATEWAY_PORT").unwrap().value, "18789");
        assert_eq!(
            def.env("OPENCLAW_GATEWAY_TOKEN").unwrap().origin,
            "gateway.cmd:4"
        );
        assert_eq!(
            def.program,
            vec![
                "C:\\Program Files\\nodejs\\node.exe",
                "C:\\npm\\openclaw\\dist\\index.js",
                "gateway",
                "--port",
                "18789"
            ]
        );
    }
}
