//! Every HTTP channel against a **fake** of its service that checks method, path, headers and
//! body against the service's documented API. Each test plants a distinctive secret and checks
//! that the channel's name, its errors and everything but the request's own credential field
//! are free of it.

use crate::alert;
use crate::fakes::{self, FakeHttp, Request, is_json, ok_json, status};
use clawkit_monitor::alert::AlertEvent;
use clawkit_monitor::channel::{Channel, SendError, send_all};
use clawkit_testkit::distinctive_secret;

fn channel(url: &str, secret: &str) -> Channel {
    let c = Channel::parse(url).unwrap_or_else(|e| panic!("{e}"));
    assert!(!c.name().contains(secret), "name leaks: {}", c.name());
    assert!(!format!("{c:?}").contains(secret));
    c
}

/// The text channels put the summary and the alert id in what a person reads.
fn reads_like_the_alert(text: &str) {
    assert!(text.contains("gateway local down (test)"), "{text}");
    assert!(text.contains("clawkit doctor"), "{text}");
    assert!(text.contains("down-1"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn json_posts_the_documented_payload_with_its_idempotency_key() {
    let fake = FakeHttp::start("json webhook", fakes::json_webhook("/hooks/clawkit"));
    let c = channel(
        &format!("json://127.0.0.1:{}/hooks/clawkit", fake.port),
        "-",
    );
    let up = alert("up-1", AlertEvent::Up, "inc-1");
    c.send(&up).await.unwrap();
    let body = fake.only_accepted().json();
    assert_eq!(body["event"], "up");
    assert_eq!(body["gateway"], "local");
    assert_eq!(body["incident"], "inc-1");
    assert_eq!(body["cause"], "crash");
    assert_eq!(body["downtime_ms"], 61_000);
    assert_eq!(body["at"], "2026-01-01T00:00:00.000Z");
}

#[tokio::test(flavor = "multi_thread")]
async fn slack_posts_to_the_incoming_webhook_of_its_three_tokens() {
    let secret = distinctive_secret("slack");
    let s = secret.clone();
    let fake = FakeHttp::start("Slack (fake)", move |req: &Request| {
        // https://api.slack.com/messaging/webhooks: POST JSON {"text"}; answers "ok".
        if req.method != "POST" || req.target != format!("/services/T0001/B0002/{s}") {
            return status(404, "no_service");
        }
        if !is_json(req) || !req.json()["text"].is_string() {
            return status(400, "invalid_payload");
        }
        (200, "text/plain", "ok".into())
    });
    let c = channel(
        &format!("slack://T0001/B0002/{secret}/#ops?base={}", fake.base()),
        &secret,
    );
    c.send(&alert("down-1", AlertEvent::Down, "inc-1"))
        .await
        .unwrap();
    let req = fake.only_accepted();
    assert_eq!(req.json()["channel"], "#ops");
    assert_eq!(req.header("idempotency-key"), Some("down-1"));
    reads_like_the_alert(req.json()["text"].as_str().unwrap());
}

#[tokio::test(flavor = "multi_thread")]
async fn discord_posts_content_to_the_webhook() {
    let secret = distinctive_secret("discord");
    let s = secret.clone();
    let fake = FakeHttp::start("Discord (fake)", move |req: &Request| {
        // https://discord.com/developers/docs/resources/webhook#execute-webhook
        if req.method != "POST" || req.target != format!("/api/webhooks/112233/{s}") {
            return (
                404,
                "application/json",
                r#"{"message":"Unknown Webhook","code":10015}"#.into(),
            );
        }
        let content = req.json()["content"].as_str().map(str::len).unwrap_or(0);
        if !is_json(req) || content == 0 || content > 2000 {
            return (
                400,
                "application/json",
                r#"{"message":"Cannot send an empty message","code":50006}"#.into(),
            );
        }
        (204, "application/json", String::new())
    });
    let c = channel(
        &format!("discord://112233/{secret}?base={}", fake.base()),
        &secret,
    );
    c.send(&alert("down-1", AlertEvent::Down, "inc-1"))
        .await
        .unwrap();
    reads_like_the_alert(fake.only_accepted().json()["content"].as_str().unwrap());
}

#[tokio::test(flavor = "multi_thread")]
async fn telegram_calls_send_message_for_its_chat() {
    let secret = distinctive_secret("tg");
    let token = format!("123456789:{secret}");
    let t = token.clone();
    let fake = FakeHttp::start("Telegram Bot API (fake)", move |req: &Request| {
        // https://core.telegram.org/bots/api#sendmessage
        if req.target != format!("/bot{t}/sendMessage") {
            return (
                401,
                "application/json",
                r#"{"ok":false,"error_code":401,"description":"Unauthorized"}"#.into(),
            );
        }
        let b = req.json();
        if req.method != "POST"
            || !is_json(req)
            || b["chat_id"] != -1001234
            || !b["text"].is_string()
        {
            return (
                400,
                "application/json",
                r#"{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}"#
                    .into(),
            );
        }
        ok_json(serde_json::json!({"ok": true, "result": {"message_id": 7}}))
    });
    let c = channel(
        &format!("tgram://{token}/-1001234?base={}", fake.base()),
        &secret,
    );
    c.send(&alert("down-1", AlertEvent::Down, "inc-1"))
        .await
        .unwrap();
    reads_like_the_alert(fake.only_accepted().json()["text"].as_str().unwrap());
    assert!(
        c.name().starts_with("tgram://123456789:****/-1001234"),
        "{}",
        c.name()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn ntfy_publishes_json_with_its_access_token() {
    let secret = format!("tk_{}", distinctive_secret("ntfy").replace('-', ""));
    let s = secret.clone();
    let fake = FakeHttp::start("ntfy (fake)", move |req: &Request| {
        // https://docs.ntfy.sh/publish/#publish-as-json
        if req.header("authorization") != Some(&format!("Bearer {s}")) {
            return (
                403,
                "application/json",
                r#"{"code":40301,"http":403,"error":"forbidden"}"#.into(),
            );
        }
        let b = req.json();
        let priority = b["priority"].as_u64().unwrap_or(0);
        if req.method != "POST"
            || req.target != "/"
            || b["topic"] != "gw-alerts"
            || !b["message"].is_string()
            || !b["title"].is_string()
            || !(1..=5).contains(&priority)
            || !b["tags"].is_array()
        {
            return (
                400,
                "application/json",
                r#"{"code":40001,"http":400,"error":"invalid request"}"#.into(),
            );
        }
        ok_json(serde_json::json!({"id": "x1", "event": "message", "topic": "gw-alerts"}))
    });
    let c = channel(
        &format!("ntfy://{secret}@127.0.0.1:{}/gw-alerts", fake.port),
        &secret,
    );
    c.send(&alert("down-1", AlertEvent::Down, "inc-1"))
        .await
        .unwrap();
    let b = fake.only_accepted().json();
    assert_eq!(b["priority"], 5);
    reads_like_the_alert(b["message"].as_str().unwrap());
}

#[tokio::test(flavor = "multi_thread")]
async fn gotify_posts_a_message_with_the_app_token_header() {
    let secret = distinctive_secret("gotify");
    let s = secret.clone();
    let fake = FakeHttp::start("Gotify (fake)", move |req: &Request| {
        // https://gotify.net/api-docs#/message/createMessage
        if req.header("x-gotify-key") != Some(s.as_str()) {
            return (
                401,
                "application/json",
                r#"{"error":"Unauthorized","errorCode":401}"#.into(),
            );
        }
        let b = req.json();
        if req.method != "POST"
            || req.target != "/gotify/message"
            || !is_json(req)
            || !b["message"].is_string()
            || !b["priority"].is_u64()
        {
            return (
                400,
                "application/json",
                r#"{"error":"Bad Request","errorCode":400}"#.into(),
            );
        }
        ok_json(serde_json::json!({"id": 1, "appid": 1, "message": b["message"]}))
    });
    let c = channel(
        &format!("gotify://127.0.0.1:{}/gotify/{secret}", fake.port),
        &secret,
    );
    c.send(&alert("down-1", AlertEvent::Down, "inc-1"))
        .await
        .unwrap();
    let req = fake.only_accepted();
    assert!(
        !req.target.contains(&secret),
        "the token goes in the header, not the URL"
    );
    reads_like_the_alert(req.json()["message"].as_str().unwrap());
}

#[tokio::test(flavor = "multi_thread")]
async fn pushover_posts_the_form_the_messages_api_documents() {
    let user = distinctive_secret("uKey");
    let token = distinctive_secret("aToken");
    let (u, t) = (user.clone(), token.clone());
    let fake = FakeHttp::start("Pushover (fake)", move |req: &Request| {
        // https://pushover.net/api#messages: POST form token, user, message (+ title, priority).
        let form: std::collections::HashMap<String, String> = req
            .text()
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_string(), decode(v)))
            .collect();
        let ok_type = req.header("content-type") == Some("application/x-www-form-urlencoded");
        if req.method != "POST" || req.target != "/1/messages.json" || !ok_type {
            return (
                404,
                "application/json",
                r#"{"status":0,"errors":["not found"]}"#.into(),
            );
        }
        if form.get("token") != Some(&t) || form.get("user") != Some(&u) {
            return (
                400,
                "application/json",
                r#"{"status":0,"errors":["application token is invalid"]}"#.into(),
            );
        }
        if form.get("message").is_none_or(|m| m.is_empty())
            || form.get("priority").map(String::as_str) != Some("1")
        {
            return (
                400,
                "application/json",
                r#"{"status":0,"errors":["message cannot be blank"]}"#.into(),
            );
        }
        ok_json(serde_json::json!({"status": 1, "request": "5042853c-402d-4a18-abcb-168734a801de"}))
    });
    let c = channel(
        &format!("pover://{user}@{token}?base={}", fake.base()),
        &user,
    );
    assert!(!c.name().contains(&token));
    c.send(&alert("down-1", AlertEvent::Down, "inc-1"))
        .await
        .unwrap();
    reads_like_the_alert(&decode(&fake.only_accepted().text()));
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap_or(b'?'));
            i += 3;
        } else {
            out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn matrix_resolves_the_alias_and_sends_with_the_alert_id_as_transaction() {
    let secret = distinctive_secret("syt");
    let s = secret.clone();
    let fake = FakeHttp::start("Matrix homeserver (fake)", move |req: &Request| {
        // https://spec.matrix.org/v1.11/client-server-api/#get_matrixclientv3directoryroomroomalias
        // and #put_matrixclientv3roomsroomidsendeventtypetxnid
        if req.header("authorization") != Some(&format!("Bearer {s}")) {
            return (
                401,
                "application/json",
                r#"{"errcode":"M_UNKNOWN_TOKEN","error":"Invalid access token"}"#.into(),
            );
        }
        if req.method == "GET"
            && req.target == "/_matrix/client/v3/directory/room/%23ops%3A127.0.0.1"
        {
            return ok_json(
                serde_json::json!({"room_id": "!r00m:127.0.0.1", "servers": ["127.0.0.1"]}),
            );
        }
        let b = req.json();
        if req.method == "PUT"
            && req.target
                == "/_matrix/client/v3/rooms/%21r00m%3A127.0.0.1/send/m.room.message/down-1"
            && b["msgtype"] == "m.text"
            && b["body"].is_string()
        {
            return ok_json(serde_json::json!({"event_id": "$e1"}));
        }
        (
            400,
            "application/json",
            r#"{"errcode":"M_UNRECOGNIZED","error":"Unrecognized request"}"#.into(),
        )
    });
    let c = channel(
        &format!("matrix://monitor:{secret}@127.0.0.1:{}/#ops", fake.port),
        &secret,
    );
    c.send(&alert("down-1", AlertEvent::Down, "inc-1"))
        .await
        .unwrap();
    let all = fake.requests();
    assert_eq!(all.len(), 2, "{all:#?}");
    assert!(all.iter().all(|(_, s)| *s == 200), "{all:#?}");
    reads_like_the_alert(all[1].0.json()["body"].as_str().unwrap());
}

#[tokio::test(flavor = "multi_thread")]
async fn failures_are_sorted_and_their_text_never_holds_the_secret() {
    let secret = distinctive_secret("slack");
    // A server that echoes the request line (and so the token in the path) in its error.
    let fake = FakeHttp::start("echoing server (fake)", |req: &Request| {
        (
            500,
            "text/plain",
            format!("failed {} {}", req.method, req.target),
        )
    });
    let c = channel(
        &format!("slack://T1/B2/{secret}?base={}", fake.base()),
        &secret,
    );
    let a = alert("down-1", AlertEvent::Down, "inc-1");
    let err = c.send(&a).await.unwrap_err();
    assert!(err.is_transient(), "{err}");
    assert!(
        err.to_string().contains("500") && !err.to_string().contains(&secret),
        "{err}"
    );

    fake.set(|req: &Request| (403, "text/plain", format!("forbidden {}", req.target)));
    let err = c.send(&a).await.unwrap_err();
    assert!(
        matches!(err, SendError::Permanent(_)) && !err.to_string().contains(&secret),
        "{err}"
    );

    fake.set(|_: &Request| status(429, "slow down"));
    assert!(c.send(&a).await.unwrap_err().is_transient());

    // Nothing listening: a transient network error, without the URL.
    let closed = clawkit_testkit::closed_port();
    let c = channel(
        &format!("slack://T1/B2/{secret}?base=http://127.0.0.1:{closed}"),
        &secret,
    );
    let err = c.send(&a).await.unwrap_err();
    assert!(
        err.is_transient() && !err.to_string().contains(&secret),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn send_all_reaches_every_channel_and_reports_each_result() {
    let a = FakeHttp::start("json webhook A", fakes::json_webhook("/a"));
    let b = FakeHttp::start("json webhook B", |_: &Request| status(503, "maintenance"));
    let channels = vec![
        channel(&format!("json://127.0.0.1:{}/a", a.port), "-"),
        channel(&format!("json://127.0.0.1:{}/b?timeout=5", b.port), "-"),
        channel("desktop://", "-"),
    ];
    let results = send_all(&channels, &alert("t-1", AlertEvent::Test, "t")).await;
    assert!(results[0].is_ok(), "{results:?}");
    assert!(
        results[1].as_ref().is_err_and(|e| e.is_transient()),
        "{results:?}"
    );
    // The desktop channel answers either way (sent, or a soft "no desktop here" error).
    assert_eq!(results.len(), 3);
    assert_eq!(a.requests().len() + b.requests().len(), 2);
}
