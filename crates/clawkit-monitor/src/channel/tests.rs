use super::*;

const S: &str = "s3cr3tPLANTEDvalue";

fn name(url: &str) -> String {
    let c = Channel::parse(url).unwrap_or_else(|e| panic!("{url}: {e}"));
    let debug = format!("{c:?}");
    assert!(
        !c.name().contains(S) && !debug.contains(S),
        "{url} leaks: {c:?}"
    );
    c.name().to_string()
}

#[test]
fn every_scheme_parses_its_apprise_form_and_masks_its_secrets() {
    let cases = [
        ("json://127.0.0.1:8080/hook", "json://127.0.0.1:8080/hook"),
        (
            &format!("jsons://u:{S}@h.example/a/b?+X-Token={S}") as &str,
            "jsons://u:****@h.example/a/b?+X-Token=****",
        ),
        (
            &format!("slack://T01/B02/{S}/#ops"),
            "slack://T01/B02/****/#ops",
        ),
        (&format!("discord://1234/{S}"), "discord://1234/****"),
        (
            &format!("tgram://123456:{S}/-1001"),
            "tgram://123456:****/-1001",
        ),
        ("ntfy://alerts", "ntfy://alerts"),
        (
            &format!("ntfys://me:{S}@ntfy.example:8443/ops"),
            "ntfys://me:****@ntfy.example:8443/ops",
        ),
        (&format!("ntfy://tk_{S}@host/ops"), "ntfy://****@host/ops"),
        (
            &format!("mailtos://me%40x.org:{S}@smtp.x.org?to=ops@x.org"),
            "mailtos://me%40x.org:****@smtp.x.org:587?to=ops@x.org&from=me@x.org",
        ),
        (
            "mailto://relay.lan?from=mon@lan&to=a@lan,b@lan",
            "mailto://relay.lan:25?to=a@lan,b@lan&from=mon@lan",
        ),
        (
            &format!("gotify://push.lan/sub/{S}"),
            "gotify://push.lan/sub/****",
        ),
        (
            &format!("pover://u{S}@a{S}/phone"),
            "pover://****@****/phone",
        ),
        (
            &format!("matrixs://bot:{S}@m.org/#ops"),
            "matrixs://bot:****@m.org/#ops:m.org",
        ),
        (
            &format!("matrix://{S}@m.lan:8008/!abc:m.lan"),
            "matrix://****@m.lan:8008/!abc:m.lan",
        ),
        ("desktop://", "desktop://"),
        (
            &format!("alertmanager://am:{S}@10.0.0.5:9093"),
            "alertmanager://am:****@10.0.0.5:9093",
        ),
        (
            "alertmanagers://am.example/prefix",
            "alertmanagers://am.example:9093/prefix",
        ),
    ];
    for (url, masked) in cases {
        assert_eq!(name(url), masked, "{url}");
    }
}

#[test]
fn bad_urls_name_the_problem_without_echoing_a_secret() {
    for url in [
        format!("slack://T01/{S}"),
        format!("tgram://{S}/chat"),
        format!("tgram://1:{S}/a/b"),
        format!("discord://{S}"),
        format!("gotify://{S}:notaport/x"),
        format!("pover://{S}"),
        format!("matrix://{S}@host/noroom"),
        format!("mailto://{S}@"),
        format!("nope://{S}"),
        format!("json://h/x?timeout={S}"),
        format!("slack://A/B/{S}?base=ftp://{S}"),
        format!("ntfy://h/a/b?x={S}"),
    ] {
        let err = Channel::parse(&url).expect_err(&url).to_string();
        assert!(!err.contains(S), "{url}: {err}");
        assert!(err.contains("://"), "{err}");
    }
}

#[test]
fn errors_are_scrubbed_of_every_secret_and_its_encoded_form() {
    let c = Channel::parse(&format!(
        "jsons://u:{S}%2F1@h/x?+Authorization=Bearer%20{S}"
    ))
    .unwrap();
    let text = format!("boom {S}/1 and {S}%2F1 and Bearer {S}");
    let clean = c.scrub(&text);
    assert!(!clean.contains(S), "{clean}");
}

#[test]
fn a_list_of_urls_is_split_on_commas_and_spaces() {
    let list = Channel::parse_list("json://a/x, ntfy://topic\n desktop://").unwrap();
    let names: Vec<&str> = list.iter().map(|c| c.name()).collect();
    assert_eq!(names, ["json://a/x", "ntfy://topic", "desktop://"]);
}

#[test]
fn alertmanager_resolves_with_the_labels_it_fired_with() {
    use crate::alert::{Alert, AlertEvent};
    let down = Alert {
        id: "a1".into(),
        event: AlertEvent::Down,
        gateway: "local".into(),
        url: "ws://127.0.0.1:1".into(),
        at: crate::alert::rfc3339(1_000_000),
        summary: "down".into(),
        incident: Some("i1".into()),
        cause: Some("crash".into()),
        downtime_ms: None,
        next: None,
        details: Default::default(),
    };
    let up = Alert {
        id: "a2".into(),
        event: AlertEvent::Up,
        at: crate::alert::rfc3339(1_060_000),
        downtime_ms: Some(60_000),
        ..down.clone()
    };
    let (d, u) = (alertmanager::payload(&down), alertmanager::payload(&up));
    assert_eq!(d[0]["labels"], u[0]["labels"]);
    assert_eq!(d[0]["labels"]["alertname"], "OpenClawGatewayDown");
    assert_eq!(d[0]["startsAt"], u[0]["startsAt"]);
    assert_eq!(u[0]["endsAt"], crate::alert::rfc3339(1_060_000));
    assert_eq!(
        alertmanager::alertname(AlertEvent::AuthFailures),
        "OpenClawGatewayAuthFailures"
    );
}
