//! Config reading and editing against files written the way users write them.

use super::*;
use crate::env::Env;
use std::fs;
use std::path::Path;

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap();
    }
    fs::write(&path, text).unwrap();
    path
}

#[test]
fn values_keep_their_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let main = write(
        dir.path(),
        "openclaw.json",
        "// comment\n{\n  gateway: {\n    port: 0x4965,\n    auth: { token: 'abc' },\n  },\n}\n",
    );
    let cfg = load(&main, &Env::default()).unwrap();
    let port = cfg.get("gateway.port").unwrap();
    assert_eq!(port.as_i64(), Some(18789));
    assert_eq!(port.origin.line, 4);
    assert_eq!(cfg.get("gateway.auth.token").unwrap().origin.line, 5);
    assert_eq!(*cfg.get("gateway.auth.token").unwrap().origin.file, main);
}

#[test]
fn includes_merge_like_openclaw() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "parts/a.json5",
        "{ list: [1], gateway: { port: 1, bind: 'loopback' } }",
    );
    // Nested includes resolve relative to the including file.
    write(
        dir.path(),
        "parts/b.json5",
        "{ $include: './c.json5', gateway: { port: 2 } }",
    );
    write(dir.path(), "parts/c.json5", "{ list: [2], deep: true }");
    let main = write(
        dir.path(),
        "openclaw.json",
        "{\n  $include: ['./parts/a.json5', './parts/b.json5'],\n  gateway: { port: 3 },\n}\n",
    );
    let cfg = load(&main, &Env::default()).unwrap();
    // Sibling keys win over included ones; later includes win over earlier ones.
    assert_eq!(cfg.get("gateway.port").unwrap().as_i64(), Some(3));
    assert_eq!(cfg.get("gateway.port").unwrap().origin.line, 3);
    assert_eq!(cfg.str("gateway.bind"), Some("loopback"));
    assert!(
        cfg.get("gateway.bind")
            .unwrap()
            .origin
            .file
            .ends_with("parts/a.json5")
    );
    // Arrays concatenate.
    assert_eq!(
        cfg.get("list").unwrap().to_value(),
        serde_json::json!([1, 2])
    );
    assert_eq!(cfg.get("deep").unwrap().as_bool(), Some(true));
    assert_eq!(cfg.files.len(), 4);
}

#[test]
fn include_errors_name_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    write(outside.path(), "x.json5", "{ a: 1 }");
    let escape = format!("{}/x.json5", outside.path().display());
    let main = write(
        dir.path(),
        "openclaw.json",
        &format!("{{\n  $include: '{escape}',\n}}"),
    );
    let err = load(&main, &Env::default()).unwrap_err().to_string();
    assert!(
        err.contains("openclaw.json:2") && err.contains("escapes the config directory"),
        "{err}"
    );
    // OPENCLAW_INCLUDE_ROOTS allows it.
    let env = Env::from_pairs([(
        "OPENCLAW_INCLUDE_ROOTS",
        outside.path().display().to_string(),
    )]);
    assert_eq!(
        load(&main, &env).unwrap().get("a").unwrap().as_i64(),
        Some(1)
    );

    write(dir.path(), "loop-a.json5", "{ $include: './loop-b.json5' }");
    write(dir.path(), "loop-b.json5", "{ $include: './loop-a.json5' }");
    let main = write(
        dir.path(),
        "openclaw.json",
        "{ $include: './loop-a.json5' }",
    );
    let err = load(&main, &Env::default()).unwrap_err().to_string();
    assert!(err.contains("circular include"), "{err}");

    for i in 0..12 {
        write(
            dir.path(),
            &format!("d{i}.json5"),
            &format!("{{ $include: './d{}.json5' }}", i + 1),
        );
    }
    write(dir.path(), "d12.json5", "{ end: 1 }");
    let main = write(dir.path(), "openclaw.json", "{ $include: './d0.json5' }");
    let err = load(&main, &Env::default()).unwrap_err().to_string();
    assert!(err.contains("maximum include depth (10)"), "{err}");
}

#[test]
fn env_substitution_with_escape_and_missing_vars() {
    let dir = tempfile::tempdir().unwrap();
    let main = write(
        dir.path(),
        "openclaw.json",
        "{ a: '${TOKEN_A}', b: '$${TOKEN_A}', c: '${MISSING_X}', d: 'x-${TOKEN_A}-y', e: '${lower}' }",
    );
    let env = Env::from_pairs([("TOKEN_A", "s3cr3t")]);
    let cfg = load(&main, &env).unwrap();
    assert_eq!(cfg.str("a"), Some("s3cr3t"));
    assert_eq!(
        cfg.get("a").unwrap().origin.env_var.as_deref(),
        Some("TOKEN_A")
    );
    assert_eq!(cfg.str("b"), Some("${TOKEN_A}"));
    assert_eq!(cfg.str("c"), Some("${MISSING_X}"));
    assert_eq!(cfg.unresolved.len(), 1);
    assert_eq!(cfg.str("d"), Some("x-s3cr3t-y"));
    assert_eq!(cfg.str("e"), Some("${lower}"));
}

#[test]
fn malformed_config_is_an_error_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let main = write(
        dir.path(),
        "openclaw.json",
        "{\n  gateway: {\n    port: ,\n  }\n}\n",
    );
    let err = load(&main, &Env::default()).unwrap_err();
    assert!(matches!(err, ConfigError::Parse { line: 3, .. }), "{err}");
    assert!(
        err.to_string()
            .starts_with(&format!("{}:3:", main.display())),
        "{err}"
    );
}

fn set_text(text: &str, key: &str, value: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let main = write(dir.path(), "openclaw.json", text);
    let cfg = load(&main, &Env::default()).unwrap();
    plan_set(&cfg, key, &NewValue::from_cli(value))
        .unwrap()
        .new_text
}

#[test]
fn set_keeps_style_and_everything_else() {
    let text =
        "// my config\n{\n  gateway: {\n    mode: 'local', // local!\n    port: 18789,\n  },\n}\n";
    assert_eq!(
        set_text(text, "gateway.mode", "remote"),
        "// my config\n{\n  gateway: {\n    mode: 'remote', // local!\n    port: 18789,\n  },\n}\n"
    );
    assert_eq!(
        set_text(text, "gateway.bind", "lan"),
        "// my config\n{\n  gateway: {\n    mode: 'local', // local!\n    port: 18789,\n    bind: 'lan',\n  },\n}\n"
    );
    assert_eq!(
        set_text(text, "gateway.auth.token", "t0k"),
        "// my config\n{\n  gateway: {\n    mode: 'local', // local!\n    port: 18789,\n    auth: { token: 't0k' },\n  },\n}\n"
    );
    assert_eq!(
        set_text("{\"gateway\": {\"port\": 1}}", "gateway.port", "2"),
        "{\"gateway\": {\"port\": 2}}"
    );
    assert_eq!(
        set_text("{\"gateway\": {\"port\": 1}}", "gateway.mode", "local"),
        "{\"gateway\": {\"port\": 1, \"mode\": \"local\"}}"
    );
    assert_eq!(
        set_text("", "gateway.port", "18790"),
        "{\n  gateway: { port: 18790 }\n}\n"
    );
    assert_eq!(set_text("{}", "a", "true"), "{ a: true }");
}

#[test]
fn set_lands_in_the_included_file_that_defines_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let gw = write(
        dir.path(),
        "gateway.json5",
        "{\n  // auth lives here\n  auth: { token: 'old' },\n}\n",
    );
    let main = write(
        dir.path(),
        "openclaw.json",
        "{\n  gateway: { $include: './gateway.json5' },\n}\n",
    );
    let cfg = load(&main, &Env::default()).unwrap();
    let plan = plan_set(&cfg, "gateway.auth.token", &NewValue::from_cli("new")).unwrap();
    assert_eq!(plan.file, gw);
    assert_eq!(plan.path_in_file, ["auth", "token"]);
    assert_eq!(
        plan.new_text,
        "{\n  // auth lives here\n  auth: { token: 'new' },\n}\n"
    );
}

#[test]
fn set_refuses_what_openclaw_would_reject() {
    let dir = tempfile::tempdir().unwrap();
    let main = write(dir.path(), "openclaw.json", "{ gateway: { port: 1 } }");
    let cfg = load(&main, &Env::default()).unwrap();
    for (key, value) in [
        ("gateway.port", "70000"),
        ("gateway.auth.mode", "magic"),
        ("gateway.controlUi.allowInsecureAuth", "true"),
        ("gateway.port.x", "1"),
    ] {
        assert!(
            plan_set(&cfg, key, &NewValue::from_cli(value)).is_err(),
            "{key}={value}"
        );
    }
}

#[test]
fn unset_removes_the_line_and_keeps_the_rest() {
    let text = "{\n  gateway: {\n    mode: 'local',\n    // the old token\n    remote: { token: 'x' }, // stale\n    port: 1,\n  },\n}\n";
    let dir = tempfile::tempdir().unwrap();
    let main = write(dir.path(), "openclaw.json", text);
    let cfg = load(&main, &Env::default()).unwrap();
    let plan = plan_unset(&cfg, "gateway.remote").unwrap().unwrap();
    assert_eq!(
        plan.new_text,
        "{\n  gateway: {\n    mode: 'local',\n    // the old token\n    port: 1,\n  },\n}\n"
    );
    assert!(plan_unset(&cfg, "gateway.nothing").unwrap().is_none());
    let one_line = write(dir.path(), "b.json", "{ a: 1, b: 2, c: 3 }");
    let cfg = load(&one_line, &Env::default()).unwrap();
    assert_eq!(
        plan_unset(&cfg, "b").unwrap().unwrap().new_text,
        "{ a: 1, c: 3 }"
    );
}

/// Deterministic generator of JSON5 configs in many styles.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn key(&mut self) -> String {
        const KEYS: &[&str] = &[
            "gateway",
            "auth",
            "token",
            "mode",
            "port",
            "remote",
            "url",
            "bind",
            "a",
            "b",
            "x_y",
            "$z",
            "with-dash",
        ];
        KEYS[self.below(KEYS.len() as u64) as usize].to_string()
    }
    fn scalar(&mut self) -> String {
        match self.below(8) {
            0 => format!("{}", self.below(70000)),
            1 => format!("0x{:x}", self.below(4096)),
            2 => "true".into(),
            3 => "null".into(),
            4 => format!("'single {} \\' q'", self.below(99)),
            5 => format!("\"double {} \\\" q\"", self.below(99)),
            6 => "-1.5".into(),
            _ => "[1, 'two', ]".into(),
        }
    }
    fn object(&mut self, depth: usize, indent: &str) -> String {
        let n = self.below(4) as usize + usize::from(depth == 0);
        let multiline = depth == 0 || self.chance(60);
        let trailing = self.chance(50);
        let inner = format!("{indent}  ");
        let mut keys: Vec<String> = Vec::new();
        let mut parts = Vec::new();
        for _ in 0..n {
            let key = self.key();
            if keys.contains(&key) {
                continue;
            }
            keys.push(key.clone());
            let name = match self.below(3) {
                0 if !key.contains('-') => key.clone(),
                1 => format!("'{key}'"),
                _ => format!("\"{key}\""),
            };
            let value = if depth < 3 && self.chance(40) {
                self.object(depth + 1, &inner)
            } else {
                self.scalar()
            };
            let mut part = String::new();
            if multiline && self.chance(20) {
                part.push_str(&format!("// about {key}\n{inner}"));
            }
            if self.chance(10) {
                part.push_str("/* c */ ");
            }
            part.push_str(&format!("{name}: {value}"));
            parts.push(part);
        }
        if parts.is_empty() {
            return "{}".into();
        }
        let mut out = String::from("{");
        for (i, part) in parts.iter().enumerate() {
            let last = i + 1 == parts.len();
            if multiline {
                out.push_str(&format!("\n{inner}{part}"));
                if !last || trailing {
                    out.push(',');
                }
                if self.chance(20) {
                    out.push_str(" // trailing note");
                }
            } else {
                out.push_str(&format!(" {part}"));
                if !last || trailing {
                    out.push(',');
                }
            }
        }
        out.push_str(if multiline { "\n" } else { " " });
        if multiline {
            out.push_str(indent);
        }
        out.push('}');
        out
    }
}

fn set_json(root: &mut serde_json::Value, path: &[&str], value: serde_json::Value) {
    let mut node = root;
    for (i, part) in path.iter().enumerate() {
        if i + 1 == path.len() {
            node.as_object_mut()
                .unwrap()
                .insert(part.to_string(), value);
            return;
        }
        node = node
            .as_object_mut()
            .unwrap()
            .entry(part.to_string())
            .or_insert_with(|| serde_json::json!({}));
    }
}

#[test]
fn generated_configs_set_and_unset_change_only_the_target() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("openclaw.json");
    let mut g = Gen(0x9e3779b97f4a7c15);
    let mut checked = 0;
    for case in 0..600 {
        let text = format!("// case {case}\n{}\n", g.object(0, ""));
        let original = parse_text(&text, &path)
            .unwrap_or_else(|e| panic!("generator wrote bad JSON5: {e}\n{text}"));
        let before = original.to_value();
        let leaves = original.leaves();
        // Target: an existing leaf, or a new key below an existing object.
        let (key_path, exists): (Vec<String>, bool) = if !leaves.is_empty() && g.chance(50) {
            let (p, _) = &leaves[g.below(leaves.len() as u64) as usize];
            (p.split('.').map(String::from).collect(), true)
        } else {
            (
                vec![format!("new{}", g.below(9)), "leaf".to_string()],
                false,
            )
        };
        if key_path
            .iter()
            .any(|p| p.is_empty() || p.parse::<usize>().is_ok())
        {
            continue; // array items are not addressed by `config set`
        }
        let key = key_path.join(".");
        let value = if g.chance(50) {
            NewValue::String(format!("v'\"{case}"))
        } else {
            NewValue::Literal(format!("{}", g.below(65535) + 1))
        };
        let parts: Vec<&str> = key_path.iter().map(String::as_str).collect();
        let splices = edit::set(&text, &path, &parts, &value).unwrap();
        let new_text = apply(&text, &splices);
        let reparsed = parse_text(&new_text, &path)
            .unwrap_or_else(|e| panic!("case {case}: set {key} broke the file: {e}\n--- before\n{text}\n--- after\n{new_text}"));
        let mut expected = before.clone();
        set_json(&mut expected, &parts, value.to_json());
        assert_eq!(
            reparsed.to_value(),
            expected,
            "case {case}: set {key}\n{text}\n{new_text}"
        );
        // Every byte outside the edit is untouched: only insertions, or exactly one
        // replacement of the old value's own text.
        if exists {
            assert_eq!(splices.len(), 1, "case {case}");
            let s = &splices[0];
            let old_text = &text[s.start..s.end];
            let old_value = parse_text(old_text, &path).unwrap();
            assert_eq!(
                old_value.to_value(),
                original.at(&parts).unwrap().to_value(),
                "case {case}"
            );
        } else {
            assert!(
                splices.iter().all(|s| s.start == s.end),
                "case {case}: {splices:?}"
            );
        }
        // Unsetting what we just set restores every other value.
        let unset = edit::unset(&new_text, &path, &parts).unwrap();
        let removed = parse_text(&apply(&new_text, &unset), &path)
            .unwrap()
            .to_value();
        let mut expected = reparsed.to_value();
        let mut node = &mut expected;
        for p in &parts[..parts.len() - 1] {
            node = node.get_mut(*p).unwrap();
        }
        node.as_object_mut().unwrap().remove(*parts.last().unwrap());
        assert_eq!(removed, expected, "case {case}: unset {key}");
        checked += 1;
    }
    assert!(checked > 400, "only {checked} cases were usable");
}
