//! `clawkit monitor status`: per gateway its state and since when, its boot, uptime over
//! 24 h / 7 d / 30 d (the monitor's own absence excluded), ping round trips over 24 h from the
//! probe samples, and its last incidents; non-zero when the monitor is not running.

use super::{Resolved, STALE_MS, read_store};
use crate::commands::{print_json, say};
use crate::exit::ExitStatus;
use clawkit_core::error::{Error, Result};
use clawkit_core::time::{format_time_ms, now_ms};
use clawkit_monitor::alert::AlertEvent;
use clawkit_monitor::samples::{self, Tier};
use clawkit_monitor::store::Store;
use serde_json::{Value, json};
use std::io::Write;

/// The ping sums of a window: probes, answered, and round trips.
fn pings_json(s: &samples::Sums) -> Value {
    if s.probes == 0 {
        return Value::Null;
    }
    json!({"probes": s.probes, "answered": s.answered, "avgMs": s.avg_ms().map(|a| (a * 10.0).round() / 10.0), "maxMs": s.max_ms})
}

fn pings_line(p: &Value) -> String {
    match (p["avgMs"].as_f64(), p["maxMs"].as_i64()) {
        (Some(avg), Some(max)) => format!("  ping 24h avg {avg:.1} ms, max {max} ms"),
        _ => String::new(),
    }
}

/// The last three incidents of `gateway` since `since_ms`, newest first: what opened each, and
/// its downtime once an `up` closed it.
fn last_incidents(store: &Store, gateway: &str, since_ms: i64) -> Value {
    let past = store.history(since_ms, Some(gateway)).unwrap_or_default();
    let opened = past.iter().filter(|p| {
        p.alert.incident.is_some()
            && !matches!(p.alert.event, AlertEvent::Up | AlertEvent::Reminder)
    });
    let mut out: Vec<Value> = opened
        .map(|p| {
            let closed = past.iter().find(|q| {
                q.alert.event == AlertEvent::Up && q.alert.incident == p.alert.incident
            });
            let downtime = closed
                .and_then(|q| q.alert.downtime_ms)
                .map(|ms| format!("down {:.1} s", ms as f64 / 1000.0));
            json!({"incident": p.alert.incident, "event": p.alert.event.word(), "at": p.alert.at, "cause": p.alert.cause, "summary": p.alert.summary, "open": closed.is_none(), "downtime": downtime})
        })
        .collect();
    out.reverse();
    out.truncate(3);
    Value::Array(out)
}

/// What `monitor status --json` prints: the monitor's beat, each gateway's state, uptime,
/// pings and last incidents (the web doctor's monitor page shows the same).
pub fn view(db: &std::path::Path) -> Result<Value> {
    let store = read_store(db)?;
    let now = now_ms();
    let beat = store.last_beat().ok().flatten();
    let running = beat.is_some_and(|(_, at)| now - at < STALE_MS);
    let memos = store.memos().map_err(|e| Error::Usage(e.to_string()))?;
    let mut rows = Vec::new();
    for memo in &memos {
        let name = &memo.gateway;
        let day = 86_400_000;
        let uptime = |d: i64| {
            store
                .uptime(name, now - d * day, now)
                .ok()
                .and_then(|u| u.percent())
        };
        let current = store.current(name).ok().flatten();
        let pings = store
            .samples(name, Tier::Minute, now - day)
            .map(|rows| samples::total(&rows))
            .unwrap_or_default();
        rows.push(json!({
            "gateway": name,
            "up": current.map(|c| c.0),
            "since": current.map(|c| format_time_ms(c.1)),
            "boot": memo.boot.as_ref().map(|b| json!({"label": b.label(), "bootId": b.boot_id, "pid": b.pid, "startedAt": b.started_ms.map(format_time_ms)})),
            "uptime": {"24h": uptime(1), "7d": uptime(7), "30d": uptime(30)},
            "pings24h": pings_json(&pings),
            "lastIncidents": last_incidents(&store, name, now - 30 * day),
        }));
    }
    let open: Vec<_> = memos.into_iter().flat_map(|m| m.incidents).collect();
    Ok(
        json!({"running": running, "pid": beat.map(|b| b.0), "lastBeat": beat.map(|b| format_time_ms(b.1)), "gateways": rows, "openIncidents": open}),
    )
}

pub(super) fn status(r: &Resolved, json: bool, out: &mut dyn Write) -> Result<ExitStatus> {
    let v = view(&r.db)?;
    let running = v["running"] == true;
    let beat = v["pid"].as_u64().zip(v["lastBeat"].as_str());
    let rows = v["gateways"].as_array().cloned().unwrap_or_default();
    if json {
        print_json(out, &v);
    } else {
        match beat {
            Some((pid, at)) if running => {
                say!(out, "monitor: running (pid {pid}, last beat {at} UTC)")
            }
            Some((_, at)) => say!(
                out,
                "monitor: NOT RUNNING (last beat {at} UTC): start it: clawkit monitor run   # or install it as a service"
            ),
            None => say!(
                out,
                "monitor: NOT RUNNING (never ran with {}): clawkit monitor run",
                r.db.display()
            ),
        }
        for row in &rows {
            let pct = |k: &str| {
                row["uptime"][k]
                    .as_f64()
                    .map_or("-".into(), |p| format!("{p:.2} %"))
            };
            say!(
                out,
                "  {:<16} {:<5} since {}  {}  uptime 24h {}  7d {}  30d {}{}",
                row["gateway"].as_str().unwrap_or("?"),
                match row["up"].as_bool() {
                    Some(true) => "up",
                    Some(false) => "DOWN",
                    None => "?",
                },
                row["since"].as_str().unwrap_or("-"),
                row["boot"]["label"].as_str().unwrap_or("boot ?"),
                pct("24h"),
                pct("7d"),
                pct("30d"),
                pings_line(&row["pings24h"])
            );
            for i in row["lastIncidents"].as_array().into_iter().flatten() {
                say!(
                    out,
                    "    {} {} {}: {}",
                    i["at"].as_str().unwrap_or("?"),
                    i["event"].as_str().unwrap_or("?"),
                    i["downtime"].as_str().unwrap_or("(open)"),
                    i["summary"].as_str().unwrap_or("")
                );
            }
        }
        for i in v["openIncidents"].as_array().into_iter().flatten() {
            say!(
                out,
                "  open incident {} since {} UTC: {}",
                i["id"].as_str().unwrap_or("?"),
                i["opened_ms"].as_i64().map_or("?".into(), format_time_ms),
                i["summary"].as_str().unwrap_or("")
            );
        }
    }
    Ok(if running {
        ExitStatus::Success
    } else {
        ExitStatus::Problems
    })
}
