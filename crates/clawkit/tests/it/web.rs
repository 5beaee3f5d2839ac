//! `clawkit web` and `clawkit dashboard` against real gateways: the web doctor's security over
//! raw HTTP (each refusal leaves the files as they were), the walkthrough in a real headless
//! Chromium (mismatch shown with evidence, previewed, applied, healthy, undone byte for byte),
//! and the real Control UI: a stale cached device token refused, then a fresh-profile
//! handshake through `clawkit dashboard` pairing a new browser device.

use crate::doctor::env_token_gateway;
use crate::util::{Run, assert_no_secrets, clawkit_with_env, run};
use clawkit_testkit::{Chromium, Gateway, V2026_9, WebDoctor, distinctive_secret};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn start_web(env: &[(String, String)]) -> WebDoctor {
    WebDoctor::start(&assert_cmd::cargo::cargo_bin("clawkit"), env).unwrap()
}

/// A request that must be refused: method, path, headers, the status expected.
type Attempt<'a> = (&'a str, &'a str, Vec<(&'a str, &'a str)>, u16);

fn read(files: &[&Path]) -> Vec<Option<Vec<u8>>> {
    files.iter().map(|p| std::fs::read(p).ok()).collect()
}

/// A gateway whose own token is in its environment, and a client config with a stale
/// `gateway.remote.token`: the real CLI fails with `gateway token mismatch`.
fn stale_client(stale: &str) -> (Gateway, Vec<(String, String)>) {
    let gw = env_token_gateway(V2026_9, json!({"gateway": {"remote": {"token": stale}}}));
    let shell = gw.env_without(&["OPENCLAW_GATEWAY_TOKEN"]);
    let health = gw.openclaw_cli_env(&shell, &["gateway", "health"]).unwrap();
    assert!(
        !health.success() && health.text().contains("gateway token mismatch"),
        "{health}"
    );
    (gw, shell)
}

#[test]
fn every_unsafe_request_is_refused_and_changes_nothing() {
    let stale = distinctive_secret("webstale");
    let (gw, shell) = stale_client(&stale);
    let web = start_web(&shell);
    let session = web.log_in().unwrap();
    let set = &session.set_cookie;
    assert!(
        set.contains("httponly") && set.contains("samesite=strict"),
        "{set}"
    );
    let (cookie, csrf) = (session.cookie.clone(), session.csrf.clone());
    let (host, origin) = (web.host(), web.origin());
    let files = [gw.config_path()];
    let before = read(&files);
    let mut seen = String::new();

    let replay = web.request("GET", web.launch_path(), &[], "").unwrap();
    assert_eq!(
        replay.status, 403,
        "a replayed launch link: {}",
        replay.body
    );
    assert!(replay.header("set-cookie").is_none());

    let apply = "step=doctor";
    let evil_host = format!("evil.test:{}", web.port);
    let refused: [Attempt; 7] = [
        // DNS rebinding: the right cookie and CSRF, a foreign Host.
        (
            "POST",
            "/api/apply",
            vec![
                ("Host", &evil_host),
                ("Cookie", &cookie),
                ("X-Clawkit-Csrf", &csrf),
            ],
            403,
        ),
        (
            "GET",
            "/",
            vec![("Host", &evil_host), ("Cookie", &cookie)],
            403,
        ),
        // No cookie (another local user, curl).
        (
            "POST",
            "/api/apply",
            vec![
                ("Host", &host),
                ("X-Clawkit-Csrf", &csrf),
                ("Origin", &origin),
            ],
            401,
        ),
        // The cookie but no CSRF header (a form posted by another page).
        (
            "POST",
            "/api/apply",
            vec![("Host", &host), ("Cookie", &cookie), ("Origin", &origin)],
            403,
        ),
        // Cross-site, as a browser marks it.
        (
            "POST",
            "/api/apply",
            vec![
                ("Host", &host),
                ("Cookie", &cookie),
                ("X-Clawkit-Csrf", &csrf),
                ("Sec-Fetch-Site", "cross-site"),
                ("Origin", "https://evil.test"),
            ],
            403,
        ),
        // Another origin, from a browser without Sec-Fetch-Site.
        (
            "POST",
            "/api/apply",
            vec![
                ("Host", &host),
                ("Cookie", &cookie),
                ("X-Clawkit-Csrf", &csrf),
                ("Origin", "http://localhost:1"),
            ],
            403,
        ),
        // A change by GET.
        (
            "GET",
            "/api/apply?step=doctor",
            vec![("Host", &host), ("Cookie", &cookie)],
            405,
        ),
    ];
    for (method, path, headers, want) in &refused {
        let r = web.request(method, path, headers, apply).unwrap();
        assert_eq!(r.status, *want, "{method} {path} {headers:?}: {}", r.body);
        assert!(r.header("access-control-allow-origin").is_none());
        assert_eq!(
            read(&files),
            before,
            "{method} {path} {headers:?} changed a file"
        );
        seen.push_str(&r.body);
    }
    assert!(
        gw.openclaw_cli_env(&shell, &["gateway", "health"])
            .unwrap()
            .text()
            .contains("mismatch")
    );

    // The same request, done right, is the one that changes the file: the refusals above
    // were the guard's, not a request the server could not serve.
    let preview = web.post(&session, "/api/preview", apply).unwrap();
    assert_eq!(preview.status, 200, "{}", preview.body);
    assert!(
        preview.body.contains("gateway.remote.token"),
        "{}",
        preview.body
    );
    let head = preview.head.clone();
    for h in [
        "frame-ancestors 'none'",
        "referrer-policy: no-referrer",
        "cache-control: no-store",
        "x-content-type-options: nosniff",
    ] {
        assert!(head.contains(h), "{h} missing:\n{head}");
    }
    let applied = web.post(&session, "/api/apply", apply).unwrap();
    assert_eq!(applied.status, 200, "{}", applied.body);
    assert_ne!(read(&files), before, "the accepted apply changed nothing");
    let health = gw.openclaw_cli_env(&shell, &["gateway", "health"]).unwrap();
    assert!(health.success(), "{health}");
    let undo = web.post(&session, "/api/undo", "").unwrap();
    assert_eq!(undo.status, 200, "{}", undo.body);
    assert_eq!(read(&files), before, "undo did not restore the config");
    seen.push_str(&format!("{}{}{}", preview.body, applied.body, undo.body));
    assert_no_secrets(&seen, &[gw.token(), &stale]);
}

/// Where the browser tests keep their screenshots (kept after the run, for a look).
fn artifacts() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("web-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn the_walkthrough_in_chromium_shows_fixes_and_undoes_a_stale_client_token() {
    let stale = distinctive_secret("walkstale");
    let (gw, shell) = stale_client(&stale);
    let files = [gw.config_path()];
    let before = read(&files);
    let web = start_web(&shell);
    let mut b = Chromium::launch().unwrap();
    let shots = artifacts();
    b.goto(&web.launch).unwrap();
    assert_eq!(
        b.eval("location.href").unwrap(),
        format!("{}/", web.origin())
    );
    b.wait_for(
        "document.body.dataset.walked === '1'",
        Duration::from_secs(90),
    )
    .unwrap();
    let card = b
        .eval("document.getElementById('step-doctor').innerText")
        .unwrap();
    let card = card.as_str().unwrap().to_string();
    assert!(card.contains("gateway token mismatch"), "{card}");
    assert!(
        card.contains("gateway.remote.token"),
        "the evidence names the source: {card}"
    );
    b.screenshot(&shots.join("1-mismatch.png")).unwrap();

    b.eval("document.querySelector('#step-doctor [data-action=preview]').click()")
        .unwrap();
    let diff = b
        .wait_for(
            "document.getElementById('preview-doctor').innerText",
            Duration::from_secs(60),
        )
        .unwrap();
    let diff = diff.as_str().unwrap().to_string();
    assert!(
        diff.contains("gateway.remote.token") && diff.contains("sha256:"),
        "{diff}"
    );
    assert_eq!(read(&files), before, "the preview changed a file");
    b.screenshot(&shots.join("2-preview.png")).unwrap();

    b.eval("document.querySelector('#preview-doctor [data-action=apply]').click()")
        .unwrap();
    b.wait_for(
        "document.body.dataset.walked === '2'",
        Duration::from_secs(120),
    )
    .unwrap();
    let result = b
        .eval("document.getElementById('result').innerText")
        .unwrap();
    let summary = b
        .eval("document.getElementById('summary').innerText")
        .unwrap();
    let doctor = b
        .eval("document.getElementById('step-doctor').className")
        .unwrap();
    assert_eq!(doctor, "step ok", "result: {result}\nsummary: {summary}");
    let health = gw.openclaw_cli_env(&shell, &["gateway", "health"]).unwrap();
    assert!(
        health.success(),
        "the real CLI after the page's fix: {health}"
    );
    b.screenshot(&shots.join("3-healthy.png")).unwrap();

    b.eval("document.querySelector('[data-action=undo]').click()")
        .unwrap();
    b.wait_for(
        "document.body.dataset.walked === '3'",
        Duration::from_secs(120),
    )
    .unwrap();
    assert_eq!(
        read(&files),
        before,
        "undo from the page did not restore the bytes"
    );
    let page = b.eval("document.body.innerText").unwrap();
    assert_no_secrets(
        &format!("{card}{diff}{result}{summary}{page}"),
        &[gw.token(), &stale],
    );
}

/// The text of the page including its components' shadow roots (the Control UI is built of
/// web components).
const DEEP_TEXT: &str = "(function t(n){let s='';if(n.shadowRoot)s+=t(n.shadowRoot);for(const c of n.childNodes){s+=c.nodeType===3?c.textContent+' ':t(c);}return s;})(document.body).replace(/\\s+/g,' ')";

/// Plants a device identity and a stale cached device token in the Control UI's storage.
fn plant_stale_device(b: &mut Chromium, gw: &Gateway, stale: &str) -> String {
    let ui = format!("http://127.0.0.1:{}/", gw.port());
    b.goto(&ui).unwrap();
    // The UI makes its identity on first load; wait for it, then cache a wrong token for it.
    let id = b
        .wait_for(
            "(JSON.parse(localStorage.getItem('openclaw-device-identity-v1') || 'null') || {}).deviceId",
            Duration::from_secs(30),
        )
        .unwrap();
    let id = id.as_str().unwrap().to_string();
    let key = format!("openclaw.device.auth.v1:ws://127.0.0.1:{}", gw.port());
    let record = json!({"version": 1, "deviceId": id, "tokens": {"operator": {"token": stale, "role": "operator", "scopes": ["operator.admin"], "updatedAtMs": 1}}});
    b.eval(&format!(
        "localStorage.setItem({}, {}); true",
        json!(key),
        json!(record.to_string())
    ))
    .unwrap();
    id
}

fn paired_browsers(gw: &Gateway) -> Vec<String> {
    let out = gw.openclaw_cli(&["devices", "list", "--json"]).unwrap();
    let doc: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap_or_default();
    doc["paired"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["clientId"] == "openclaw-control-ui")
        .filter_map(|d| d["deviceId"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn a_stale_browser_token_is_refused_and_a_fresh_profile_pairs_anew() {
    let gw = Gateway::start(clawkit_testkit::GatewayOptions::new(V2026_9)).unwrap();
    let stale = distinctive_secret("devstale");
    let shots = artifacts();
    let mut b = Chromium::launch().unwrap();
    // First pairing through the normal link, so the browser holds a real device.
    let first = run(clawkit_with_env(gw.env()).args(["dashboard", "--print"]));
    assert_eq!(first.code, Some(0), "{first}");
    let link = first
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("link:    "))
        .and_then(|l| l.split_whitespace().next())
        .unwrap()
        .to_string();
    b.goto(&link).unwrap();
    let before = b.wait_for(
        "(JSON.parse(localStorage.getItem('openclaw-device-identity-v1') || 'null') || {}).deviceId",
        Duration::from_secs(30),
    );
    let old_device = before.unwrap().as_str().unwrap().to_string();
    // The cached token goes stale: the gateway rotated it while the browser kept the old one.
    plant_stale_device(&mut b, &gw, &stale);
    b.goto(&format!("http://127.0.0.1:{}/", gw.port())).unwrap();
    let refused = gw.log_file().to_path_buf();
    assert!(
        crate::util::wait_log(&refused, |log| log.contains("device token mismatch")
            || log.contains("device_token_mismatch")),
        "the gateway never refused the stale cached device token"
    );
    // What the user sees: the login gate, with the gateway's raw error under it.
    let shown = b
        .wait_for(
            &format!("{DEEP_TEXT}.includes('device token mismatch') && {DEEP_TEXT}.includes('Gateway secret')"),
            Duration::from_secs(30),
        );
    assert!(
        shown.is_ok(),
        "the Control UI does not show the mismatch: {shown:?}"
    );
    b.screenshot(&shots.join("4-control-ui-stale.png")).unwrap();
    drop(b);

    // A fresh profile through clawkit: a new device pairs.
    let tmp = tempfile::tempdir().unwrap();
    let wrapper = clawkit_testkit::headless_wrapper(tmp.path()).unwrap();
    let mut env = gw.env().to_vec();
    env.push(("DISPLAY".into(), ":99".into()));
    let opened = run(clawkit_with_env(&env).args([
        "dashboard",
        "--fresh-profile",
        "--browser",
        wrapper.to_str().unwrap(),
    ]));
    let stop = Stopper(tmp.path().to_path_buf());
    assert_eq!(opened.code, Some(0), "{opened}");
    assert!(opened.stdout.contains("with a new profile"), "{opened}");
    // clawkit starts the browser detached and returns: wait for the wrapper to have run.
    let recorded = tmp.path().join("chromium.args");
    assert!(
        crate::util::wait_log(&recorded, |t| t.ends_with('\n')),
        "the browser never started"
    );
    let args = std::fs::read_to_string(&recorded).unwrap();
    assert!(
        args.contains("--user-data-dir=") && args.contains("#bootstrapToken="),
        "{args}"
    );
    let began = std::time::Instant::now();
    let mut browsers = paired_browsers(&gw);
    while browsers.iter().all(|d| d == &old_device) && began.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(500));
        browsers = paired_browsers(&gw);
    }
    assert!(
        browsers.iter().any(|d| d != &old_device),
        "no new browser device paired: {browsers:?}"
    );
    drop(stop);
    let status = run(clawkit_with_env(gw.env()).args(["gateway", "token", "status"]));
    assert!(
        status
            .stdout
            .contains(&format!("openclaw devices remove {old_device}")),
        "the older browser device is offered for removal:\n{status}"
    );
    // The web doctor's token page offers the same removal, behind a confirmation; its
    // browser step opens a private window (the browser named by $BROWSER).
    let tmp2 = tempfile::tempdir().unwrap();
    let private = clawkit_testkit::headless_wrapper(tmp2.path()).unwrap();
    let _stop2 = Stopper(tmp2.path().to_path_buf());
    env.push(("BROWSER".into(), private.display().to_string()));
    let web = start_web(&env);
    let session = web.log_in().unwrap();
    let page = web
        .request("GET", "/tokens", &[("Cookie", &session.cookie)], "")
        .unwrap();
    assert!(
        page.body
            .contains(&format!("data-op=\"remove\" data-id=\"{old_device}\"")),
        "{}",
        page.body
    );
    let form = format!("op=remove&id={old_device}");
    let unconfirmed = web.post(&session, "/api/token", &form).unwrap();
    assert_eq!(unconfirmed.status, 400, "{}", unconfirmed.body);
    assert!(paired_browsers(&gw).contains(&old_device));
    let removed = web
        .post(&session, "/api/token", &format!("{form}&confirm=yes"))
        .unwrap();
    assert_eq!(removed.status, 200, "{}", removed.body);
    assert!(removed.body.contains("devices remove"), "{}", removed.body);
    let left = paired_browsers(&gw);
    assert!(!left.contains(&old_device) && !left.is_empty(), "{left:?}");
    let opened_private = web
        .post(&session, "/api/dashboard", "window=private")
        .unwrap();
    assert!(
        opened_private.body.contains("private window"),
        "{}",
        opened_private.body
    );
    let recorded = tmp2.path().join("chromium.args");
    assert!(crate::util::wait_log(&recorded, |t| t.ends_with('\n')));
    let args = std::fs::read_to_string(&recorded).unwrap();
    assert!(
        args.starts_with("--incognito ") && args.contains("#bootstrapToken="),
        "{args}"
    );
    assert_no_secrets(
        &[
            opened.text(),
            status.text(),
            first.stderr,
            page.body,
            removed.body,
            opened_private.body,
        ]
        .concat(),
        &[gw.token(), &stale],
    );
    assert!(
        !first.stdout.contains(gw.token()),
        "--print showed the gateway token"
    );
}

/// Stops the Chromium `clawkit dashboard` started through the wrapper.
struct Stopper(PathBuf);

impl Drop for Stopper {
    fn drop(&mut self) {
        clawkit_testkit::stop_wrapped(&self.0);
    }
}

#[test]
fn without_a_display_the_dashboard_says_how_to_tunnel() {
    let gw = clawkit_testkit::shared_gateway(V2026_9).unwrap();
    let mut env = gw.env().to_vec();
    env.push(("SSH_CONNECTION".into(), "10.0.0.2 5000 10.0.0.1 22".into()));
    let r: Run = run(clawkit_with_env(&env).args(["dashboard", "--private"]));
    assert_eq!(r.code, Some(1), "{r}");
    let port = gw.port();
    assert!(
        r.stdout
            .contains(&format!("ssh -N -L {port}:127.0.0.1:{port} <this host>")),
        "{r}"
    );
    assert!(r.stdout.contains("clawkit dashboard --print"), "{r}");
    assert_no_secrets(&r.text(), &[gw.token()]);
}
