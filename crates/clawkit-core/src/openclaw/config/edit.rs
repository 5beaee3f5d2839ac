//! Editing one key of a JSON5 file by splicing text at the byte ranges the parser reports, so
//! every byte outside the edit — comments, quoting, key order, trailing commas, blank lines —
//! stays as it was.

use super::error::ConfigError;
use jsonc_parser::ast::{self, ObjectPropName, Value};
use jsonc_parser::common::Ranged;
use std::path::Path;

/// A value to write, already decided to be a JSON5 literal or a string.
#[derive(Debug, Clone, PartialEq)]
pub enum NewValue {
    /// Written as a string literal, in the quote style of the value it replaces.
    String(String),
    /// Written verbatim (a number, `true`, `null`, an object or array literal), already
    /// validated as JSON5.
    Literal(String),
}

impl NewValue {
    /// How `clawkit config set` reads its VALUE argument: a JSON5 literal if it parses as one
    /// (`18790`, `true`, `null`, `"quoted"`, `{a: 1}`), otherwise the text as a string.
    pub fn from_cli(text: &str) -> NewValue {
        let parsed = jsonc_parser::parse_to_ast(
            text,
            &Default::default(),
            &jsonc_parser::ParseOptions::default(),
        );
        match parsed.ok().and_then(|p| p.value) {
            Some(Value::StringLit(s)) => NewValue::String(s.value.to_string()),
            Some(_) => NewValue::Literal(text.trim().to_string()),
            None => NewValue::String(text.to_string()),
        }
    }

    /// The value as `serde_json` sees it (for validation and tests).
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            NewValue::String(s) => serde_json::Value::String(s.clone()),
            NewValue::Literal(raw) => super::load::parse_text(raw, Path::new("<value>"))
                .map(|n| n.to_value())
                .unwrap_or(serde_json::Value::Null),
        }
    }
}

/// One replacement of `old[start..end]` by `text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Splice {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// Applies splices (any order, non-overlapping) to `text`.
pub fn apply(text: &str, splices: &[Splice]) -> String {
    let mut sorted = splices.to_vec();
    sorted.sort_by_key(|s| s.start);
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for s in &sorted {
        out.push_str(&text[at..s.start]);
        out.push_str(&s.text);
        at = s.end;
    }
    out.push_str(&text[at..]);
    out
}

fn parse<'a>(text: &'a str, file: &Path) -> Result<Option<Value<'a>>, ConfigError> {
    jsonc_parser::parse_to_ast(
        text,
        &Default::default(),
        &jsonc_parser::ParseOptions::default(),
    )
    .map(|r| r.value)
    .map_err(|e| ConfigError::Parse {
        file: file.to_path_buf(),
        line: e.line_display(),
        column: e.column_display(),
        message: e.kind().to_string(),
    })
}

/// The last property named `key` (JSON5 objects: the last duplicate wins).
fn find_prop<'b, 'a>(obj: &'b ast::Object<'a>, key: &str) -> Option<&'b ast::ObjectProp<'a>> {
    obj.properties.iter().rev().find(|p| p.name.as_str() == key)
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset].matches('\n').count() + 1
}

/// Splices that set `path` (relative to this file's root) to `value` in `text`.
pub fn set(
    text: &str,
    file: &Path,
    path: &[&str],
    value: &NewValue,
) -> Result<Vec<Splice>, ConfigError> {
    let Some(root) = parse(text, file)? else {
        // Empty (or comment-only) file: write an object after whatever is there.
        let body = render_nested(path, value, "  ", '"', KeyStyle::Unquoted);
        let sep = if text.is_empty() || text.ends_with('\n') {
            ""
        } else {
            "\n"
        };
        return Ok(vec![Splice {
            start: text.len(),
            end: text.len(),
            text: format!("{sep}{{\n  {body}\n}}\n"),
        }]);
    };
    let Value::Object(mut obj) = root else {
        return Err(ConfigError::Refused(format!(
            "{}: the top level is not an object",
            file.display()
        )));
    };
    let mut depth = 0;
    loop {
        let key = path[depth];
        match find_prop(&obj, key) {
            Some(prop) if depth + 1 == path.len() => {
                let range = prop.value.range();
                let quote = match &prop.value {
                    Value::StringLit(_) if text[range.start..].starts_with('\'') => '\'',
                    _ => '"',
                };
                return Ok(vec![Splice {
                    start: range.start,
                    end: range.end,
                    text: render_value(value, quote),
                }]);
            }
            Some(prop) => match &prop.value {
                Value::Object(inner) => {
                    obj = inner.clone();
                    depth += 1;
                }
                _ => {
                    return Err(ConfigError::NotAnObject {
                        file: file.to_path_buf(),
                        line: line_of(text, prop.range.start),
                        key: path[..=depth].join("."),
                        path: path.join("."),
                    });
                }
            },
            None => return Ok(insert(text, &obj, &path[depth..], value)),
        }
    }
}

/// Splices that remove `path` from `text`; empty when the key is not in this file.
pub fn unset(text: &str, file: &Path, path: &[&str]) -> Result<Vec<Splice>, ConfigError> {
    let Some(Value::Object(mut obj)) = parse(text, file)? else {
        return Ok(Vec::new());
    };
    for (i, key) in path.iter().enumerate() {
        let Some(prop) = find_prop(&obj, key) else {
            return Ok(Vec::new());
        };
        if i + 1 == path.len() {
            return Ok(vec![removal(text, prop.range.start, prop.range.end)]);
        }
        match &prop.value {
            Value::Object(inner) => obj = inner.clone(),
            _ => return Ok(Vec::new()),
        }
    }
    Ok(Vec::new())
}

/// The splice that deletes a property spanning `start..end`, with its comma, and its line when
/// the property stood alone on it.
fn removal(text: &str, start: usize, end: usize) -> Splice {
    let bytes = text.as_bytes();
    let mut end = end;
    let mut j = end;
    while j < bytes.len() && (bytes[j] == b' ' || bytes[j] == b'\t') {
        j += 1;
    }
    if j < bytes.len() && bytes[j] == b',' {
        end = j + 1;
    }
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let alone_before = text[line_start..start].trim().is_empty();
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
    let rest = text[end..line_end].trim();
    let alone_after = rest.is_empty() || rest.starts_with("//");
    if alone_before && alone_after && line_end < text.len() {
        return Splice {
            start: line_start,
            end: line_end + 1,
            text: String::new(),
        };
    }
    let mut k = end;
    while k < bytes.len() && bytes[k] == b' ' {
        k += 1;
    }
    Splice {
        start,
        end: k,
        text: String::new(),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum KeyStyle {
    Unquoted,
    Quoted(char),
}

/// Adds `rest` (the missing part of the path) into `obj`, following its style.
fn insert(text: &str, obj: &ast::Object<'_>, rest: &[&str], value: &NewValue) -> Vec<Splice> {
    let (open, close) = (obj.range.start, obj.range.end - 1);
    let key_style = match obj.properties.last().map(|p| &p.name) {
        Some(ObjectPropName::String(s)) => {
            KeyStyle::Quoted(if text[s.range.start..].starts_with('\'') {
                '\''
            } else {
                '"'
            })
        }
        _ => KeyStyle::Unquoted,
    };
    let quote = obj
        .properties
        .iter()
        .find_map(|p| match &p.value {
            Value::StringLit(s) => Some(if text[s.range.start..].starts_with('\'') {
                '\''
            } else {
                '"'
            }),
            _ => None,
        })
        .unwrap_or('"');
    let multiline = text[open..close].contains('\n');
    let Some(last) = obj.properties.last() else {
        let body = render_nested(rest, value, "  ", quote, key_style);
        if multiline {
            let indent = line_indent(text, open);
            return vec![Splice {
                start: open + 1,
                end: open + 1,
                text: format!("\n{indent}  {body}"),
            }];
        }
        return vec![Splice {
            start: open + 1,
            end: close,
            text: format!(" {body} "),
        }];
    };
    let value_end = last.range.end;
    let bytes = text.as_bytes();
    let mut j = value_end;
    while j < close && (bytes[j] == b' ' || bytes[j] == b'\t') {
        j += 1;
    }
    let has_comma = j < close && bytes[j] == b',';
    let after_comma = if has_comma { j + 1 } else { value_end };
    let eol = text[after_comma..].find('\n').map(|i| after_comma + i);
    match eol {
        // The last property ends its line before the closing brace: add a line after it.
        Some(eol) if multiline && eol < close => {
            let indent = line_indent(text, last.range.start);
            let body = render_nested(rest, value, &indent, quote, key_style);
            let mut splices = Vec::new();
            if !has_comma {
                splices.push(Splice {
                    start: value_end,
                    end: value_end,
                    text: ",".into(),
                });
            }
            splices.push(Splice {
                start: eol,
                end: eol,
                text: format!("\n{indent}{body}{}", if has_comma { "," } else { "" }),
            });
            splices
        }
        _ => {
            let body = render_nested(rest, value, "", quote, key_style);
            vec![Splice {
                start: after_comma,
                end: after_comma,
                text: if has_comma {
                    format!(" {body},")
                } else {
                    format!(", {body}")
                },
            }]
        }
    }
}

fn line_indent(text: &str, offset: usize) -> String {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    text[line_start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect()
}

/// `a: { b: value }` for the missing part of a path.
fn render_nested(
    path: &[&str],
    value: &NewValue,
    _indent: &str,
    quote: char,
    style: KeyStyle,
) -> String {
    let key = render_key(path[0], style);
    if path.len() == 1 {
        format!("{key}: {}", render_value(value, quote))
    } else {
        format!(
            "{key}: {{ {} }}",
            render_nested(&path[1..], value, _indent, quote, style)
        )
    }
}

fn render_key(key: &str, style: KeyStyle) -> String {
    let identifier = key
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    match style {
        KeyStyle::Unquoted if identifier => key.to_string(),
        KeyStyle::Quoted('\'') => quote_str(key, '\''),
        _ => quote_str(key, '"'),
    }
}

fn render_value(value: &NewValue, quote: char) -> String {
    match value {
        NewValue::String(s) => quote_str(s, quote),
        NewValue::Literal(raw) => raw.clone(),
    }
}

fn quote_str(s: &str, quote: char) -> String {
    let json = serde_json::to_string(s).expect("strings serialise");
    if quote == '"' {
        return json;
    }
    // Same escapes as JSON, but for single quotes: unescape \" and escape '.
    let inner = &json[1..json.len() - 1];
    format!("'{}'", inner.replace("\\\"", "\"").replace('\'', "\\'"))
}
