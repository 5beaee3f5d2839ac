//! systemd user units as OpenClaw writes them: the base unit, its `EnvironmentFile=`s and the
//! operator's drop-ins (`<unit>.d/*.conf`, applied in name order, later wins).

use super::{EnvEntry, ServiceDef, ServiceKind};
use std::path::{Path, PathBuf};

/// One `Key=Value` with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    pub section: String,
    pub key: String,
    pub value: String,
    pub file: PathBuf,
    pub line: usize,
}

/// Splits a unit into directives: comments skipped, backslash continuations joined.
pub fn directives(file: &Path, text: &str) -> Vec<Directive> {
    let mut out = Vec::new();
    let mut section = String::new();
    let mut pending: Option<(usize, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let (start, mut line) = match pending.take() {
            Some((start, acc)) => (start, format!("{} {}", acc.trim_end(), raw.trim())),
            None => (i + 1, raw.trim().to_string()),
        };
        if line.ends_with('\\') {
            line.pop();
            pending = Some((start, line));
            continue;
        }
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if line.starts_with('[') {
            section = line.trim_matches(['[', ']']).to_string();
            continue;
        }
        if let Some((k, v)) = line.split_once('=') {
            out.push(Directive {
                section: section.clone(),
                key: k.trim().to_string(),
                value: v.trim().to_string(),
                file: file.to_path_buf(),
                line: start,
            });
        }
    }
    out
}

/// systemd's word splitting: whitespace separates, `"…"` and `'…'` quote, `\` escapes.
pub fn split_words(value: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match (c, quote) {
            ('\\', _) => {
                if let Some(n) = chars.next() {
                    cur.push(match n {
                        'n' => '\n',
                        't' => '\t',
                        other => other,
                    });
                }
                in_word = true;
            }
            ('"' | '\'', None) => {
                quote = Some(c);
                in_word = true;
            }
            (c, Some(q)) if c == q => quote = None,
            (c, None) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (c, _) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    words
}

/// `KEY=VALUE` lines of an environment file (`#` comments, optional quotes).
pub fn parse_env_file(file: &Path, text: &str) -> Vec<EnvEntry> {
    text.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
                return None;
            }
            let line = line.strip_prefix("export ").unwrap_or(line);
            let (k, v) = line.split_once('=')?;
            let v = v.trim();
            let v = split_words(v).join(" ");
            Some(EnvEntry {
                key: k.trim().to_string(),
                value: v,
                origin: format!("{}:{}", file.display(), i + 1),
            })
        })
        .collect()
}

/// Reads a unit with its drop-ins and environment files into a service definition.
pub fn load(unit: &Path, name: &str) -> Result<ServiceDef, String> {
    let text = std::fs::read_to_string(unit).map_err(|e| format!("{}: {e}", unit.display()))?;
    let mut all = directives(unit, &text);
    let dropin_dir = PathBuf::from(format!("{}.d", unit.display()));
    let mut dropins: Vec<PathBuf> = std::fs::read_dir(&dropin_dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "conf"))
                .collect()
        })
        .unwrap_or_default();
    dropins.sort();
    for d in &dropins {
        if let Ok(t) = std::fs::read_to_string(d) {
            all.extend(directives(d, &t));
        }
    }
    let mut def = ServiceDef::new(ServiceKind::Systemd, unit, name);
    def.extra_files = dropins;
    for d in &all {
        if d.section != "Service" && d.section != "Unit" {
            continue;
        }
        let origin = format!("{}:{}", d.file.display(), d.line);
        match d.key.as_str() {
            // An empty ExecStart= in a drop-in resets the list; the next one replaces it.
            "ExecStart" if d.section == "Service" => {
                let mut words = split_words(&d.value);
                if let Some(first) = words.first_mut() {
                    *first = first
                        .trim_start_matches(['-', '@', '+', '!', ':'])
                        .to_string();
                }
                def.program = words;
                def.program_origin = Some(origin);
            }
            "Environment" => {
                for word in split_words(&d.value) {
                    if let Some((k, v)) = word.split_once('=') {
                        def.set_env(k, v, &origin);
                    }
                }
            }
            "EnvironmentFile" => {
                let path = d.value.trim_start_matches('-');
                match std::fs::read_to_string(path) {
                    Ok(t) => {
                        for e in parse_env_file(Path::new(path), &t) {
                            def.set_env(&e.key, &e.value, &e.origin);
                        }
                        def.extra_files.push(PathBuf::from(path));
                    }
                    Err(e) if !d.value.starts_with('-') => {
                        def.problems.push(format!(
                            "{origin}: EnvironmentFile={path} cannot be read ({e}); systemd refuses to start the unit"
                        ));
                    }
                    Err(_) => {}
                }
            }
            key => def
                .settings
                .push((format!("{}.{key}", d.section), d.value.clone(), origin)),
        }
    }
    Ok(def)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_follow_systemd_quoting() {
        assert_eq!(
            split_words(r#"A=1 "OPENCLAW_WINDOWS_TASK_NAME=OpenClaw Gateway" 'B=x y' C=a\ b"#),
            vec![
                "A=1",
                "OPENCLAW_WINDOWS_TASK_NAME=OpenClaw Gateway",
                "B=x y",
                "C=a b"
            ]
        );
    }

    #[test]
    fn continuation_comments_and_sections() {
        let text = "[Unit]\n# c\nDescription=x\n[Service]\nExecStart=/n \\\n  /d/index.js gateway\n; c\nKillMode=mixed\n";
        let d = directives(Path::new("/u"), text);
        assert_eq!(d.len(), 3);
        assert_eq!(d[1].value, "/n /d/index.js gateway");
        assert_eq!((d[1].section.as_str(), d[1].line), ("Service", 5));
    }
}
