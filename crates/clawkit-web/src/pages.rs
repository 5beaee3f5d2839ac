//! The HTML: a page shell and the fragments the walkthrough streams, all rendered here so
//! escaping happens in one place. Plain server-rendered markup, readable without colour (each
//! status has a word and a glyph), usable by keyboard (real buttons and links), no inline
//! script (the CSP forbids it).

use crate::walk::WalkStep;
use serde_json::Value;
use std::fmt::Write as _;

/// Escapes text for HTML content and attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A whole page: the nav, the CSRF value for the script, and `body`.
pub fn page(title: &str, csrf: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"clawkit-csrf\" content=\"{csrf}\">\
         <title>{title} · clawkit</title><link rel=\"stylesheet\" href=\"/assets/app.css\">\
         <script src=\"/assets/app.js\" defer></script></head><body>\
         <header><strong>clawkit</strong> web doctor <nav aria-label=\"pages\">\
         <a href=\"/\">Walkthrough</a> <a href=\"/tokens\">Tokens</a> \
         <a href=\"/explain\">Explain an error</a> <a href=\"/monitor\">Monitor</a> \
         <a href=\"/report.md\">Report</a></nav></header><main>{body}</main>\
         <footer>Nothing on this machine changes until you press Apply. Secrets show as \
         fingerprints.</footer></body></html>",
        csrf = esc(csrf),
        title = esc(title),
    )
}

fn glyph(status: &str) -> &'static str {
    match status {
        "ok" => "✓ ok",
        "warn" => "! warning",
        "fail" => "✗ problem",
        "manual" => "? your call",
        "running" => "… checking",
        _ => "·",
    }
}

/// The walkthrough page before any result: one placeholder per step, filled by the stream
/// (or, without JavaScript, the link to the full report).
pub fn walk_shell(steps: impl Iterator<Item = (&'static str, &'static str)>) -> String {
    let mut out = String::from(
        "<h1>Walkthrough</h1><p id=\"summary\" aria-live=\"polite\">Checking this machine…\
         <noscript> Without JavaScript: <a href=\"/report\">the full report</a>.</noscript></p>\
         <p><button type=\"button\" data-action=\"undo\">Undo the last fix</button> \
         <button type=\"button\" data-action=\"recheck\">Check again</button></p><ol id=\"walk\">",
    );
    for (id, title) in steps {
        let _ = write!(
            out,
            "<li id=\"step-{id}\" class=\"step running\"><h2>{} <span class=\"status\">{}</span></h2></li>",
            esc(title),
            glyph("running")
        );
    }
    out.push_str("</ol><div id=\"result\" aria-live=\"polite\"></div>");
    out
}

fn findings_html(checks: &[Value], out: &mut String) {
    for c in checks {
        for f in c["findings"].as_array().into_iter().flatten() {
            let sev = f["severity"].as_str().unwrap_or("info");
            let code = f["code"].as_str().unwrap_or_default();
            let _ = write!(
                out,
                "<li class=\"finding {sev}\"><span class=\"sev\">{sev}</span> {} \
                 <a href=\"/explain?code={}\">(explain {})</a>",
                esc(f["summary"].as_str().unwrap_or_default()),
                esc(code),
                esc(code)
            );
            let evidence = crate::walk::strings(&f["evidence"]);
            if !evidence.is_empty() {
                out.push_str("<ul class=\"evidence\">");
                for e in evidence {
                    let _ = write!(out, "<li><code>{}</code></li>", esc(e));
                }
                out.push_str("</ul>");
            }
            if let Some(next) = f["next"].as_str() {
                let _ = write!(out, "<p>next: <code>{}</code></p>", esc(next));
            }
            out.push_str("</li>");
        }
    }
}

/// A plan step as a list item: its title and, when it has one, its command.
fn plan_item(p: &Value) -> String {
    let command = p["command"]
        .as_str()
        .map(|c| format!(" <code>{}</code>", esc(c)))
        .unwrap_or_default();
    format!(
        "<li>{}{command}</li>",
        esc(p["title"].as_str().unwrap_or_default())
    )
}

/// One step's result card (the inside of its `<li>`).
pub fn step_card(step: &WalkStep, ms: u128) -> String {
    let mut out = format!(
        "<h2>{} <span class=\"status\">{}</span> <small>{ms} ms</small></h2>",
        esc(step.title),
        glyph(step.status)
    );
    if let Some(manual) = step.manual {
        let _ = write!(
            out,
            "<p>{}</p><p><button type=\"button\" data-action=\"dashboard\" data-window=\"private\">\
             Open the dashboard in a private window</button> \
             <button type=\"button\" data-action=\"dashboard\" data-window=\"fresh\">\
             … in a new browser profile</button> (or <code>clawkit dashboard --private</code>, \
             <code>clawkit dashboard --fresh-profile</code>)</p>\
             <p>Did it help? <button type=\"button\" data-action=\"helped\" data-step=\"{id}\">Yes</button> \
             <button type=\"button\" data-action=\"not-helped\" data-step=\"{id}\">No, go on</button></p>",
            esc(manual),
            id = step.id
        );
        return out;
    }
    out.push_str("<ul class=\"findings\">");
    findings_html(&step.checks, &mut out);
    out.push_str("</ul>");
    let changes = crate::walk::plan_numbers(step);
    if !step.plan.is_empty() {
        out.push_str("<p>What fixes it:</p><ol class=\"plan\">");
        for p in &step.plan {
            out.push_str(&plan_item(p));
        }
        out.push_str("</ol>");
    }
    if !changes.is_empty() {
        let _ = write!(
            out,
            "<p><button type=\"button\" data-action=\"preview\" data-step=\"{}\">Show what will change</button></p>\
             <div class=\"preview\" id=\"preview-{}\"></div>",
            step.id, step.id
        );
    }
    out
}

/// The dry run of a step's fix: every change and its diff, then the Apply button.
pub fn preview(step: &WalkStep) -> String {
    let mut out = String::from("<h3>This will change</h3><ol>");
    for p in &step.plan {
        if p["phase"] == "manual" || p["phase"] == "verify" {
            continue;
        }
        let _ = write!(
            out,
            "<li>{}{}{}</li>",
            esc(p["title"].as_str().unwrap_or_default()),
            p["file"]
                .as_str()
                .map(|f| format!(" in <code>{}</code>", esc(f)))
                .unwrap_or_default(),
            p["diff"]
                .as_str()
                .map(|d| format!("<pre class=\"diff\">{}</pre>", esc(d)))
                .unwrap_or_default()
        );
    }
    let _ = write!(
        out,
        "</ol><p>Each file is backed up first; <b>Undo</b> puts it back.</p>\
         <p><button type=\"button\" data-action=\"apply\" data-step=\"{}\">Apply</button></p>",
        step.id
    );
    out
}

/// What a fix run did, step by step, and its journal.
pub fn applied(results: &[Value], journal: &str, healed: bool) -> String {
    let mut out = String::from("<h3>Applied</h3><ol>");
    for r in results {
        let _ = write!(
            out,
            "<li>{} <b>{}</b> {}</li>",
            esc(r["title"].as_str().unwrap_or_default()),
            esc(r["status"].as_str().unwrap_or_default()),
            esc(r["message"].as_str().unwrap_or_default())
        );
    }
    let _ = write!(
        out,
        "</ol><p>{} Journal <code>{}</code> (undo: the button above, or <code>clawkit undo {}</code>).</p>",
        if healed {
            "The gateway is healthy now."
        } else {
            "Checked again below."
        },
        esc(journal),
        esc(journal)
    );
    out
}

/// A message box (errors, undo results).
pub fn note(class: &str, text: &str) -> String {
    format!("<p class=\"note {}\">{}</p>", esc(class), esc(text))
}

/// The flutter-style summary line.
pub fn summary(steps: &[WalkStep]) -> String {
    let bad = steps
        .iter()
        .filter(|s| s.status == "fail" || s.status == "warn")
        .count();
    if bad == 0 {
        "✓ No issues found.".into()
    } else {
        format!("! Doctor found issues in {bad} step(s).")
    }
}

/// The explain page: a form to paste into, and (from a `?code=` link) one explanation.
pub fn explain_form(known: Option<&str>) -> String {
    format!(
        "<h1>Explain an error</h1><form id=\"explain-form\"><label for=\"explain-text\">Paste an \
         error message, CLI output or log lines</label><textarea id=\"explain-text\" name=\"text\">\
         </textarea><p><button type=\"submit\">Explain</button></p></form>\
         <div id=\"result\" aria-live=\"polite\">{}</div>",
        known.unwrap_or_default()
    )
}

/// `clawkit explain --json`'s document as HTML.
pub fn explained(doc: &Value) -> String {
    let errors = doc["errors"].as_array().cloned().unwrap_or_default();
    if errors.is_empty() {
        return note(
            "warn",
            "No known OpenClaw error in this text. Try the walkthrough, or `clawkit logs`.",
        );
    }
    let mut out = String::new();
    for e in &errors {
        let _ = write!(
            out,
            "<section class=\"explained\"><h2>{}</h2><p>Wrong side: {}</p><p>Likely causes:</p><ol>",
            esc(e["title"].as_str().unwrap_or_default()),
            esc(e["wrongSide"].as_str().unwrap_or_default())
        );
        for c in e["causes"].as_array().into_iter().flatten() {
            let _ = write!(out, "<li>{}</li>", esc(c.as_str().unwrap_or_default()));
        }
        out.push_str("</ol><p>Commands for this machine:</p><ul>");
        for f in e["fixes"].as_array().into_iter().flatten() {
            let _ = write!(
                out,
                "<li><code>{}</code></li>",
                esc(f.as_str().unwrap_or_default())
            );
        }
        out.push_str("</ul></section>");
    }
    let plan = doc["plan"].as_array().cloned().unwrap_or_default();
    if plan.len() > 1 {
        out.push_str("<h2>In this order</h2><ol>");
        for p in &plan {
            out.push_str(&plan_item(p));
        }
        out.push_str("</ol>");
    }
    out
}

/// A JSON value as a compact cell: strings as they are, the rest as JSON.
fn cell(v: &Value) -> String {
    match v {
        Value::String(s) => esc(s),
        Value::Null => String::new(),
        v => esc(&v.to_string()),
    }
}

/// Rows of objects as a table with their keys as columns.
fn table(rows: &[Value]) -> String {
    let Some(first) = rows.first().and_then(Value::as_object) else {
        return "<p>none</p>".into();
    };
    let keys: Vec<&String> = first.keys().collect();
    let mut out = String::from("<table><tr>");
    for k in &keys {
        let _ = write!(out, "<th scope=\"col\">{}</th>", esc(k));
    }
    out.push_str("</tr>");
    for r in rows {
        out.push_str("<tr>");
        for k in &keys {
            let _ = write!(out, "<td>{}</td>", cell(&r[k.as_str()]));
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>");
    out
}

/// A button that asks before it posts a token change (`op`, on `id`).
fn token_button(op: &str, id: &str, label: &str, confirm: &str) -> String {
    format!(
        "<button type=\"button\" data-action=\"token\" data-op=\"{}\" data-id=\"{}\" \
         data-confirm=\"{}\">{}</button>",
        esc(op),
        esc(id),
        esc(confirm),
        esc(label)
    )
}

/// The ids in `rows[key]`, each with a button.
fn row_buttons(rows: &[Value], key: &str, make: impl Fn(&str) -> String) -> String {
    let items: Vec<String> = rows
        .iter()
        .filter_map(|r| r[key].as_str())
        .map(|id| format!("<li><code>{}</code> {}</li>", esc(id), make(id)))
        .collect();
    if items.is_empty() {
        String::new()
    } else {
        format!("<ul class=\"actions\">{}</ul>", items.concat())
    }
}

/// The token status page: every source, which is in effect, the live verdict, devices and
/// requests, and the changes (each behind a confirmation).
pub fn tokens(status: &Value) -> String {
    let live = &status["live"];
    let verdict = if live.is_null() {
        "the client sends no shared secret".to_string()
    } else {
        cell(&live["verdict"])
    };
    let rows = |key: &str| status[key].as_array().cloned().unwrap_or_default();
    let client = status["client"]["sources"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let approve = row_buttons(&rows("pending"), "requestId", |id| {
        token_button(
            "approve",
            id,
            "Approve",
            &format!("Approve pairing request {id}? The device gets the roles it asked for."),
        )
    });
    let older: Vec<Value> = rows("olderBrowsers")
        .into_iter()
        .map(|id| serde_json::json!({ "deviceId": id }))
        .collect();
    let remove = row_buttons(&older, "deviceId", |id| {
        token_button(
            "remove",
            id,
            "Remove",
            &format!("Remove browser device {id}? A browser still using it must pair again."),
        )
    });
    format!(
        "<h1>Tokens</h1><p>Gateway <code>{}</code>, auth mode {}. The gateway's verdict on what \
         this client sends: <b>{verdict}</b>.</p>\
         <h2>What the gateway checks</h2>{}<h2>What the client sends</h2>{}\
         <h2>Cached device tokens</h2>{}<h2>Paired devices</h2>{}\
         <h3>Older browser devices</h3><p>Each private window or fresh profile pairs a new \
         browser device; the ones not used last:</p>{}\
         <h2>Pending requests</h2>{}{}\
         <h2>Change</h2><p>{} a new device token for this client. {} removes every paired \
         device and pending request (each must pair again; the pairing state is backed up \
         first).</p><div id=\"result\" aria-live=\"polite\"></div>",
        cell(&status["url"]),
        cell(&status["authMode"]),
        table(&rows("gateway")),
        if client.is_empty() {
            format!("<pre>{}</pre>", cell(&status["client"]))
        } else {
            table(&client)
        },
        table(&rows("cachedTokens")),
        table(&rows("paired")),
        if remove.is_empty() {
            "<p>none</p>".to_string()
        } else {
            remove
        },
        table(&rows("pending")),
        approve,
        token_button(
            "rotate",
            "",
            "Rotate",
            "Get a new device token for this client? The old one stops working."
        ),
        token_button(
            "reset",
            "",
            "Reset pairing",
            "Remove EVERY paired device and pending request? Each device must pair again."
        ),
    )
}

/// The monitor page: per gateway state, uptime and last incidents; latency as an SVG bar.
pub fn monitor(view: Option<&Value>) -> String {
    let Some(v) = view else {
        return "<h1>Monitor</h1><p>No monitor keeps a store here. Start one with \
                <code>clawkit monitor run</code>, or install it with <code>clawkit monitor install</code>.</p>"
            .into();
    };
    let mut out = format!(
        "<h1>Monitor</h1><p>The monitor is {}.</p>",
        if v["running"] == true {
            "running"
        } else {
            "NOT running"
        }
    );
    for g in v["gateways"].as_array().into_iter().flatten() {
        let up = g["up"] == true;
        let _ = write!(
            out,
            "<section><h2>{} <span class=\"status\">{}</span></h2><p>uptime 24 h {} · 7 d {} · 30 d {}</p>",
            cell(&g["gateway"]),
            if up { "✓ up" } else { "✗ down" },
            cell(&g["uptime"]["24h"]),
            cell(&g["uptime"]["7d"]),
            cell(&g["uptime"]["30d"])
        );
        if let Some(pct) = g["uptime"]["24h"].as_f64() {
            let w = (pct.clamp(0.0, 100.0) * 3.0).round();
            let _ = write!(
                out,
                "<svg width=\"300\" height=\"12\" role=\"img\" aria-label=\"uptime 24 h {pct:.2} %\">\
                 <rect width=\"300\" height=\"12\" fill=\"#b00020\"/><rect width=\"{w}\" height=\"12\" fill=\"#2a7a2a\"/></svg>"
            );
        }
        let incidents = g["lastIncidents"].as_array().cloned().unwrap_or_default();
        out.push_str(&table(&incidents));
        out.push_str("</section>");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_everywhere() {
        assert_eq!(
            esc("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        let p = page("<t>", "c\"", "");
        assert!(p.contains("&lt;t&gt;") && p.contains("content=\"c&quot;\""));
        assert!(!p.contains("<script>"), "no inline script");
    }
}
