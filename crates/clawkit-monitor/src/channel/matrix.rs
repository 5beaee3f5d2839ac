//! `matrix://[user:]access_token@host[:port]/#room[:server]` (or `/!room_id[:server]`),
//! `matrixs://…` (HTTPS), `?token=` instead of the userinfo. Apprise's forms, with one
//! difference: the password field is an **access token** (clawkit does not log in with a
//! password, which would create a new device on every start). A room without `:server` gets
//! `:host`, as in Apprise.
//!
//! Sends with the client-server API: an alias is resolved with
//! `GET /_matrix/client/v3/directory/room/{alias}`, then
//! `PUT /_matrix/client/v3/rooms/{room_id}/send/m.room.message/{txn_id}` with
//! `{"msgtype": "m.text", "body": …}`. The transaction id is the alert id, so a retry of the
//! same alert is deduplicated by the homeserver itself.

use super::http::{self, Post};
use super::url::{Parts, encode_segment};
use super::{ChannelError, MASK, Parsed, SendError};
use crate::alert::Alert;
use std::time::Duration;

#[derive(Clone)]
pub(crate) struct Matrix {
    base: String,
    token: String,
    room: String,
}

pub(crate) fn parse(parts: &Parts, head: &str) -> Result<Parsed, ChannelError> {
    let (host, port) = parts.host_port(head)?;
    let token = parts
        .param("token")
        .map(str::to_string)
        .or_else(|| parts.password.clone())
        .or_else(|| parts.user.clone().filter(|_| parts.password.is_none()))
        .ok_or_else(|| {
            ChannelError::invalid(
                head,
                "the access token is missing: matrix://user:access_token@host/#room",
            )
        })?;
    let user = parts.user.clone().filter(|_| parts.password.is_some());
    let room = match parts.segments.as_slice() {
        [room] if room.starts_with('#') || room.starts_with('!') => room.clone(),
        [] => {
            return Err(ChannelError::invalid(
                head,
                "the room is missing: matrix://user:token@host/#room",
            ));
        }
        [_] => {
            return Err(ChannelError::invalid(
                head,
                "a room starts with # (alias) or ! (room id)",
            ));
        }
        _ => {
            return Err(ChannelError::invalid(
                head,
                "one room per URL (list one URL per room)",
            ));
        }
    };
    let server = host.trim_start_matches('[').trim_end_matches(']');
    let room = if room.contains(':') {
        room
    } else {
        format!("{room}:{server}")
    };
    let web = http::web_scheme(&parts.scheme, "matrixs");
    let hostport = match port {
        Some(p) => format!("{host}:{p}"),
        None => host.clone(),
    };
    let mut masked = format!("{}://", parts.scheme);
    if let Some(u) = &user {
        masked.push_str(&format!("{u}:"));
    }
    masked.push_str(&format!("{MASK}@{hostport}/{room}"));
    Ok(Parsed {
        kind: super::Kind::Matrix(Matrix {
            base: format!("{web}://{hostport}"),
            token: token.clone(),
            room,
        }),
        masked,
        secrets: vec![token],
    })
}

impl Matrix {
    pub(crate) async fn send(&self, alert: &Alert, timeout: Duration) -> Result<(), SendError> {
        let room_id = if self.room.starts_with('!') {
            self.room.clone()
        } else {
            let mut get = Post::json(
                format!(
                    "{}/_matrix/client/v3/directory/room/{}",
                    self.base,
                    encode_segment(&self.room)
                ),
                &serde_json::Value::Null,
            );
            get.method = reqwest::Method::GET;
            get.body = Vec::new();
            get.bearer = Some(self.token.clone());
            let answer = http::send(get, alert, timeout).await.map_err(|e| match e {
                SendError::Permanent(m) => {
                    SendError::Permanent(format!("room alias {}: {m}", self.room))
                }
                t => t,
            })?;
            serde_json::from_str::<serde_json::Value>(&answer.body)
                .ok()
                .and_then(|v| v.get("room_id")?.as_str().map(str::to_string))
                .ok_or_else(|| {
                    SendError::Transient(format!(
                        "room alias {}: the homeserver answered without a room_id",
                        self.room
                    ))
                })?
        };
        let body = serde_json::json!({
            "msgtype": "m.text",
            "body": format!("{}\n{}", super::title(alert), super::text(alert)),
        });
        let mut put = Post::json(
            format!(
                "{}/_matrix/client/v3/rooms/{}/send/m.room.message/{}",
                self.base,
                encode_segment(&room_id),
                encode_segment(&alert.id)
            ),
            &body,
        );
        put.method = reqwest::Method::PUT;
        put.bearer = Some(self.token.clone());
        http::send(put, alert, timeout).await.map(|_| ())
    }
}
