//! A JSON5 value tree that remembers where every value came from (file and line), so findings
//! can say "openclaw.json:12" and edits can go to the file that defines a key.

use jsonc_parser::ast;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

/// Where a value was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: Arc<PathBuf>,
    /// 1-based line of the value's key (or of the value itself for array items and roots).
    pub line: usize,
    /// Set when `${VAR}` substitution produced (part of) the value.
    pub env_var: Option<String>,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)?;
        if let Some(var) = &self.env_var {
            write!(f, " (via ${{{var}}})")?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    /// The number as written (JSON5 allows hex, `+1`, `.5`, `Infinity`).
    Number(String),
    String(String),
    Array(Vec<Node>),
    Object(Vec<(String, Node)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Json,
    pub origin: Origin,
}

impl Node {
    /// Converts a parsed file into a tree, computing lines from byte offsets.
    pub fn from_ast(value: &ast::Value<'_>, file: &Arc<PathBuf>, text: &str) -> Node {
        let lines = LineIndex::new(text);
        convert(value, file, &lines, None)
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Json::Object(props) => props.iter().rev().find(|(k, _)| k == key).map(|(_, n)| n),
            _ => None,
        }
    }

    /// The value at a dot path such as `gateway.auth.token` (array items by index).
    pub fn at(&self, path: &[&str]) -> Option<&Node> {
        let mut node = self;
        for part in path {
            node = match &node.value {
                Json::Object(_) => node.get(part)?,
                Json::Array(items) => items.get(part.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(node)
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    /// Integers, in any JSON5 spelling (`18789`, `0x4965`, `+18789`).
    pub fn as_i64(&self) -> Option<i64> {
        match &self.value {
            Json::Number(raw) => parse_int(raw),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// A plain `serde_json` view (non-finite numbers become strings).
    pub fn to_value(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.value {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(raw) => number_value(raw),
            Json::String(s) => Value::String(s.clone()),
            Json::Array(items) => Value::Array(items.iter().map(Node::to_value).collect()),
            Json::Object(props) => {
                let mut map = serde_json::Map::new();
                for (k, v) in props {
                    map.insert(k.clone(), v.to_value());
                }
                Value::Object(map)
            }
        }
    }

    /// OpenClaw's include merge: objects merge recursively, arrays concatenate, anything else
    /// from `source` wins.
    pub fn deep_merge(target: Node, source: Node) -> Node {
        match (target.value, source.value) {
            (Json::Object(mut base), Json::Object(over)) => {
                for (key, value) in over {
                    match base.iter().position(|(k, _)| *k == key) {
                        Some(i) => {
                            let (_, old) = base.remove(i);
                            base.insert(i, (key, Node::deep_merge(old, value)));
                        }
                        None => base.push((key, value)),
                    }
                }
                Node {
                    value: Json::Object(base),
                    origin: source.origin,
                }
            }
            (Json::Array(mut base), Json::Array(over)) => {
                base.extend(over);
                Node {
                    value: Json::Array(base),
                    origin: source.origin,
                }
            }
            (_, value) => Node {
                value,
                origin: source.origin,
            },
        }
    }

    /// Every leaf with its dot path, in document order.
    pub fn leaves(&self) -> Vec<(String, &Node)> {
        let mut out = Vec::new();
        collect_leaves(self, String::new(), &mut out);
        out
    }
}

fn collect_leaves<'a>(node: &'a Node, path: String, out: &mut Vec<(String, &'a Node)>) {
    let join = |key: &str| {
        if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        }
    };
    match &node.value {
        Json::Object(props) if !props.is_empty() => {
            for (k, v) in props {
                collect_leaves(v, join(k), out);
            }
        }
        Json::Array(items) if !items.is_empty() => {
            for (i, v) in items.iter().enumerate() {
                collect_leaves(v, join(&i.to_string()), out);
            }
        }
        _ => out.push((path, node)),
    }
}

pub(crate) fn parse_int(raw: &str) -> Option<i64> {
    let raw = raw.trim();
    let (neg, digits) = match raw.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, raw.strip_prefix('+').unwrap_or(raw)),
    };
    let value = if let Some(hex) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        i64::from_str_radix(hex, 16).ok()?
    } else if let Ok(v) = digits.parse::<i64>() {
        v
    } else {
        let f: f64 = digits.parse().ok()?;
        if f.fract() != 0.0 || !f.is_finite() {
            return None;
        }
        f as i64
    };
    Some(if neg { -value } else { value })
}

fn number_value(raw: &str) -> serde_json::Value {
    if let Some(i) = parse_int(raw) {
        return serde_json::Value::from(i);
    }
    let trimmed = raw.trim_start_matches('+');
    let fixed = if trimmed.starts_with('.') {
        format!("0{trimmed}")
    } else if trimmed.ends_with('.') {
        format!("{trimmed}0")
    } else {
        trimmed.to_string()
    };
    match fixed
        .parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
    {
        Some(n) => serde_json::Value::Number(n),
        None => serde_json::Value::String(raw.to_string()),
    }
}

fn convert(
    value: &ast::Value<'_>,
    file: &Arc<PathBuf>,
    lines: &LineIndex,
    key_line: Option<usize>,
) -> Node {
    use jsonc_parser::common::Ranged;
    let origin = Origin {
        file: file.clone(),
        line: key_line.unwrap_or_else(|| lines.line_of(value.range().start)),
        env_var: None,
    };
    let value = match value {
        ast::Value::NullKeyword(_) => Json::Null,
        ast::Value::BooleanLit(b) => Json::Bool(b.value),
        ast::Value::NumberLit(n) => Json::Number(n.value.to_string()),
        ast::Value::StringLit(s) => Json::String(s.value.to_string()),
        ast::Value::Array(a) => Json::Array(
            a.elements
                .iter()
                .map(|e| convert(e, file, lines, None))
                .collect(),
        ),
        ast::Value::Object(o) => Json::Object(
            o.properties
                .iter()
                .map(|p| {
                    let line = lines.line_of(p.range.start);
                    (
                        p.name.clone().into_string(),
                        convert(&p.value, file, lines, Some(line)),
                    )
                })
                .collect(),
        ),
    };
    Node { value, origin }
}

/// Byte offset → 1-based line number.
pub(crate) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub(crate) fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }
    pub(crate) fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }
}
