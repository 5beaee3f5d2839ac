//! Reading a config the way OpenClaw does: JSON5, `$include` (relative to the including file,
//! confined to the config directory or `OPENCLAW_INCLUDE_ROOTS`, depth 10, no cycles; objects
//! merge, arrays concatenate, sibling keys win), then `${VAR}` substitution.

use super::error::ConfigError;
use super::node::{Json, Node, Origin};
use crate::env::Env;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

const INCLUDE_KEY: &str = "$include";
const MAX_INCLUDE_DEPTH: usize = 10;
const MAX_INCLUDE_FILE_BYTES: u64 = 2 * 1024 * 1024;

/// A config as OpenClaw would see it, with provenance.
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    pub path: PathBuf,
    pub exists: bool,
    pub root: Node,
    /// The main file and every included file, in the order read.
    pub files: Vec<PathBuf>,
    /// `${VAR}` references that no environment variable resolved (left as written).
    pub unresolved: Vec<(String, Origin)>,
    /// Where each file's top level lands in the merged config (the main file at `[]`).
    pub mounts: Vec<(PathBuf, Vec<String>)>,
}

impl LoadedConfig {
    pub fn get(&self, dot_path: &str) -> Option<&Node> {
        let parts: Vec<&str> = dot_path.split('.').collect();
        self.root.at(&parts)
    }
    pub fn str(&self, dot_path: &str) -> Option<&str> {
        self.get(dot_path).and_then(Node::as_str)
    }
}

/// Parses one JSON5 text into a tree.
pub fn parse_text(text: &str, file: &Path) -> Result<Node, ConfigError> {
    let parsed = jsonc_parser::parse_to_ast(
        text,
        &Default::default(),
        &jsonc_parser::ParseOptions::default(),
    )
    .map_err(|e| ConfigError::Parse {
        file: file.to_path_buf(),
        line: e.line_display(),
        column: e.column_display(),
        message: e.kind().to_string(),
    })?;
    let file = Arc::new(file.to_path_buf());
    Ok(match parsed.value {
        Some(value) => Node::from_ast(&value, &file, text),
        None => empty_object(&file),
    })
}

fn empty_object(file: &Arc<PathBuf>) -> Node {
    Node {
        value: Json::Object(Vec::new()),
        origin: Origin {
            file: file.clone(),
            line: 1,
            env_var: None,
        },
    }
}

/// Loads `path` with includes and env substitution. A missing file is an empty config.
pub fn load(path: &Path, env: &Env) -> Result<LoadedConfig, ConfigError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(LoadedConfig {
                path: path.to_path_buf(),
                exists: false,
                root: empty_object(&Arc::new(path.to_path_buf())),
                files: Vec::new(),
                unresolved: Vec::new(),
                mounts: vec![(path.to_path_buf(), Vec::new())],
            });
        }
        Err(e) => return Err(ConfigError::io(path, e)),
    };
    let parsed = parse_text(&text, path)?;
    let config_dir = normalize(path.parent().unwrap_or(Path::new(".")));
    let mut roots = vec![config_dir];
    if let Some(extra) = env.get("OPENCLAW_INCLUDE_ROOTS") {
        roots.extend(
            std::env::split_paths(extra)
                .filter(|p| p.is_absolute())
                .map(|p| normalize(&p)),
        );
    }
    let mut includes = Includes {
        roots,
        files: vec![path.to_path_buf()],
        mounts: vec![(path.to_path_buf(), Vec::new())],
    };
    let chain = vec![normalize(path)];
    let root = includes.process(parsed, &chain, &[])?;
    let mut unresolved = Vec::new();
    let root = substitute_env(root, env, &mut unresolved);
    Ok(LoadedConfig {
        path: path.to_path_buf(),
        exists: true,
        root,
        files: includes.files,
        unresolved,
        mounts: includes.mounts,
    })
}

struct Includes {
    roots: Vec<PathBuf>,
    files: Vec<PathBuf>,
    mounts: Vec<(PathBuf, Vec<String>)>,
}

impl Includes {
    /// `chain` is the include stack, main file first; its last entry is the current file.
    fn process(
        &mut self,
        node: Node,
        chain: &[PathBuf],
        at: &[String],
    ) -> Result<Node, ConfigError> {
        let child = |key: String| {
            let mut path = at.to_vec();
            path.push(key);
            path
        };
        let Node { value, origin } = node;
        let value = match value {
            Json::Array(items) => Json::Array(
                items
                    .into_iter()
                    .enumerate()
                    .map(|(i, item)| self.process(item, chain, &child(i.to_string())))
                    .collect::<Result<_, _>>()?,
            ),
            Json::Object(props) if props.iter().any(|(k, _)| k == INCLUDE_KEY) => {
                return self.process_include(props, origin, chain, at);
            }
            Json::Object(props) => Json::Object(
                props
                    .into_iter()
                    .map(|(k, v)| {
                        let v = self.process(v, chain, &child(k.clone()))?;
                        Ok((k, v))
                    })
                    .collect::<Result<_, ConfigError>>()?,
            ),
            other => other,
        };
        Ok(Node { value, origin })
    }

    fn process_include(
        &mut self,
        props: Vec<(String, Node)>,
        origin: Origin,
        chain: &[PathBuf],
        at: &[String],
    ) -> Result<Node, ConfigError> {
        let mut include = None;
        let mut rest = Vec::new();
        for (k, v) in props {
            if k == INCLUDE_KEY {
                include = Some(v);
            } else {
                rest.push((k, v));
            }
        }
        let include = include.expect("caller checked for $include");
        let err = |line: usize, message: String| ConfigError::Include {
            file: chain.last().cloned().unwrap_or_default(),
            line,
            message,
        };
        let included = match &include.value {
            Json::String(p) => self.load_file(p, include.origin.line, chain, at)?,
            Json::Array(items) => {
                let mut merged = Node {
                    value: Json::Object(Vec::new()),
                    origin: include.origin.clone(),
                };
                for item in items {
                    let Json::String(p) = &item.value else {
                        return Err(err(
                            item.origin.line,
                            "array items must be strings (paths)".into(),
                        ));
                    };
                    merged =
                        Node::deep_merge(merged, self.load_file(p, item.origin.line, chain, at)?);
                }
                merged
            }
            _ => {
                return Err(err(
                    include.origin.line,
                    "must be a path or an array of paths".into(),
                ));
            }
        };
        if rest.is_empty() {
            return Ok(included);
        }
        if !matches!(included.value, Json::Object(_)) {
            return Err(err(
                include.origin.line,
                "sibling keys require the included content to be an object".into(),
            ));
        }
        let rest = self.process(
            Node {
                value: Json::Object(rest),
                origin,
            },
            chain,
            at,
        )?;
        Ok(Node::deep_merge(included, rest))
    }

    fn load_file(
        &mut self,
        include: &str,
        line: usize,
        chain: &[PathBuf],
        at: &[String],
    ) -> Result<Node, ConfigError> {
        let current = chain.last().expect("chain has the current file");
        let err = |message: String| ConfigError::Include {
            file: current.clone(),
            line,
            message,
        };
        if include.contains('\0') {
            return Err(err("path must not contain NUL bytes".into()));
        }
        let base = current.parent().unwrap_or(Path::new("."));
        let resolved = normalize(&base.join(include));
        if !self.roots.iter().any(|root| resolved.starts_with(root)) {
            return Err(err(format!(
                "`{include}` escapes the config directory {} (add its folder to OPENCLAW_INCLUDE_ROOTS to allow it)",
                self.roots[0].display()
            )));
        }
        if let Ok(real) = std::fs::canonicalize(&resolved) {
            let real_roots: Vec<PathBuf> = self
                .roots
                .iter()
                .map(|r| std::fs::canonicalize(r).unwrap_or_else(|_| r.clone()))
                .collect();
            if !real_roots.iter().any(|root| real.starts_with(root)) {
                return Err(err(format!(
                    "`{include}` resolves outside the config directory through a symlink"
                )));
            }
        }
        if chain.contains(&resolved) {
            let mut names: Vec<String> = chain.iter().map(|p| p.display().to_string()).collect();
            names.push(resolved.display().to_string());
            return Err(err(format!("circular include: {}", names.join(" -> "))));
        }
        if chain.len() > MAX_INCLUDE_DEPTH {
            return Err(err(format!(
                "maximum include depth ({MAX_INCLUDE_DEPTH}) exceeded at `{include}`"
            )));
        }
        let meta = std::fs::metadata(&resolved).map_err(|e| {
            err(format!(
                "cannot read `{include}` ({}): {e}",
                resolved.display()
            ))
        })?;
        if meta.len() > MAX_INCLUDE_FILE_BYTES {
            return Err(err(format!(
                "`{include}` is larger than {MAX_INCLUDE_FILE_BYTES} bytes"
            )));
        }
        let text = std::fs::read_to_string(&resolved).map_err(|e| ConfigError::io(&resolved, e))?;
        self.files.push(resolved.clone());
        if !self.mounts.iter().any(|(f, _)| *f == resolved) {
            self.mounts.push((resolved.clone(), at.to_vec()));
        }
        let parsed = parse_text(&text, &resolved)?;
        let mut nested = chain.to_vec();
        nested.push(resolved);
        self.process(parsed, &nested, at)
    }
}

/// Lexical normalisation (`a/./b/../c` → `a/c`), as Node's `path.normalize`.
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for comp in path.components() {
        match comp {
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

fn substitute_env(node: Node, env: &Env, unresolved: &mut Vec<(String, Origin)>) -> Node {
    let Node { value, mut origin } = node;
    let value = match value {
        Json::String(s) if s.contains("${") => {
            let (text, used, missing) = substitute(&s, env);
            for name in missing {
                unresolved.push((name, origin.clone()));
            }
            if let Some(first) = used.into_iter().next() {
                origin.env_var = Some(first);
            }
            Json::String(text)
        }
        Json::Array(items) => Json::Array(
            items
                .into_iter()
                .map(|n| substitute_env(n, env, unresolved))
                .collect(),
        ),
        Json::Object(props) => Json::Object(
            props
                .into_iter()
                .map(|(k, n)| (k, substitute_env(n, env, unresolved)))
                .collect(),
        ),
        other => other,
    };
    Node { value, origin }
}

/// Replaces `${NAME}` (NAME = `[A-Z_][A-Z0-9_]*`) with its value; `$${NAME}` stays literal as
/// `${NAME}`; unknown names stay as written. Returns (text, names used, names missing).
pub(crate) fn substitute(s: &str, env: &Env) -> (String, Vec<String>, Vec<String>) {
    let mut out = String::with_capacity(s.len());
    let (mut used, mut missing) = (Vec::new(), Vec::new());
    let mut rest = s;
    while let Some(pos) = rest.find("${") {
        let escaped = pos > 0 && rest.as_bytes()[pos - 1] == b'$';
        let after = &rest[pos + 2..];
        let name_len = after.find('}');
        let name = name_len.map(|n| &after[..n]);
        let valid = name.is_some_and(|n| {
            let mut chars = n.chars();
            chars
                .next()
                .is_some_and(|c| c.is_ascii_uppercase() || c == '_')
                && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        });
        match (valid, name) {
            (true, Some(name)) if escaped => {
                out.push_str(&rest[..pos - 1]);
                out.push_str(&format!("${{{name}}}"));
            }
            (true, Some(name)) => {
                out.push_str(&rest[..pos]);
                match env.raw(name) {
                    Some(value) => {
                        out.push_str(value);
                        used.push(name.to_string());
                    }
                    None => {
                        out.push_str(&format!("${{{name}}}"));
                        missing.push(name.to_string());
                    }
                }
            }
            _ => {
                out.push_str(&rest[..pos + 2]);
                rest = after;
                continue;
            }
        }
        rest = &after[name.map_or(0, str::len) + 1..];
    }
    out.push_str(rest);
    (out, used, missing)
}
