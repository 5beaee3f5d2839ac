//! The gateway's JSON frames: requests, responses and events (protocol 3-4).

use serde_json::{Value, json};

pub const PROTOCOL: u64 = 4;

/// A request frame.
pub fn request(id: &str, method: &str, params: Value) -> String {
    json!({"type": "req", "id": id, "method": method, "params": params}).to_string()
}

/// A frame as received: classified by its `type`.
#[derive(Debug)]
pub enum Incoming {
    Event {
        name: String,
        payload: Value,
    },
    Response {
        id: String,
        ok: bool,
        payload: Value,
        error: Value,
    },
    Other,
}

pub fn parse(text: &str) -> Incoming {
    let Ok(v) = serde_json::from_str::<Value>(text) else {
        return Incoming::Other;
    };
    match v["type"].as_str() {
        Some("event") => Incoming::Event {
            name: v["event"].as_str().unwrap_or("").to_string(),
            payload: v["payload"].clone(),
        },
        Some("res") => Incoming::Response {
            id: v["id"].as_str().unwrap_or("").to_string(),
            ok: v["ok"].as_bool().unwrap_or(false),
            payload: v["payload"].clone(),
            error: v["error"].clone(),
        },
        _ => Incoming::Other,
    }
}

/// A fresh request id.
pub fn new_id() -> String {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).expect("the OS random source works");
    b.iter().map(|x| format!("{x:02x}")).collect()
}
