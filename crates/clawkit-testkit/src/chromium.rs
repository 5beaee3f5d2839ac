//! A real Chromium for the web doctor's and the dashboard's browser tests: Debian's `chromium`
//! (installed with apt-get on first use), headless, in a new empty profile, with background
//! networking off, driven over the DevTools protocol (CDP) on loopback. A small client of its
//! own: page navigation, script evaluation and screenshots are all these tests use.

use crate::error::{HarnessError, Result};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

/// The flags every test Chromium runs with: headless as root, no outbound traffic.
pub const HEADLESS_FLAGS: &[&str] = &[
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--window-size=1100,900",
];

/// `chromium` (`CLAWKIT_CHROMIUM`, else /usr/bin/chromium, installed once with apt-get).
pub fn ensure_chromium() -> Result<PathBuf> {
    if let Ok(path) = std::env::var("CLAWKIT_CHROMIUM")
        && !path.trim().is_empty()
    {
        return Ok(PathBuf::from(path));
    }
    let binary = PathBuf::from("/usr/bin/chromium");
    if binary.exists() {
        return Ok(binary);
    }
    let lock_path = crate::cache_root().join("chromium.lock");
    std::fs::create_dir_all(crate::cache_root()).map_err(|e| HarnessError::io(&lock_path, e))?;
    let lock = std::fs::File::create(&lock_path).map_err(|e| HarnessError::io(&lock_path, e))?;
    lock.lock().map_err(|e| HarnessError::io(&lock_path, e))?;
    if binary.exists() {
        return Ok(binary);
    }
    eprintln!("clawkit-testkit: installing Debian's chromium and chromium-driver (once)");
    let _ = crate::install::run_tool(Command::new("apt-get").args(["update", "-qq"]));
    let (ok, said) = crate::install::run_tool(
        Command::new("apt-get")
            .args(["install", "-y", "-qq", "chromium", "chromium-driver"])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )?;
    if !ok || !binary.exists() {
        return Err(HarnessError::Setup(format!(
            "`apt-get install chromium chromium-driver` failed, so the browser tests cannot run \
             (they need root and a Debian mirror; or set CLAWKIT_CHROMIUM). apt-get said:\n{}",
            crate::install::tail(&said, 20)
        )));
    }
    Ok(binary)
}

/// A script named `chromium` in `dir` that runs the real one headless with
/// [`HEADLESS_FLAGS`] in its own process group and records its PID in `dir/chromium.pid`: what
/// a test hands to `clawkit dashboard --browser`, so the browser clawkit starts can be
/// watched and stopped by PID.
pub fn headless_wrapper(dir: &Path) -> Result<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let real = ensure_chromium()?;
    let script = dir.join("chromium");
    let pid = dir.join("chromium.pid");
    let text = format!(
        "#!/bin/sh\n# clawkit test: the real Chromium, headless (no display here).\necho \"$@\" > '{args}'\necho $$ > '{pid}'\nexec setsid '{real}' {flags} \"$@\"\n",
        args = dir.join("chromium.args").display(),
        pid = pid.display(),
        real = real.display(),
        flags = HEADLESS_FLAGS.join(" "),
    );
    std::fs::write(&script, text).map_err(|e| HarnessError::io(&script, e))?;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| HarnessError::io(&script, e))?;
    Ok(script)
}

/// Stops the process group of the Chromium a [`headless_wrapper`] started (by its PID file).
pub fn stop_wrapped(dir: &Path) {
    if let Some(pid) = std::fs::read_to_string(dir.join("chromium.pid"))
        .ok()
        .and_then(|p| p.trim().parse::<i32>().ok())
        .filter(|p| *p > 1)
    {
        // SAFETY: kill has no memory preconditions; the group is the one setsid made.
        unsafe { libc::kill(-pid, libc::SIGKILL) };
    }
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// One headless Chromium with one page, stopped (its whole process group) on drop.
pub struct Chromium {
    child: Child,
    rt: tokio::runtime::Runtime,
    ws: Ws,
    session: String,
    next: u64,
    _profile: tempfile::TempDir,
}

impl Chromium {
    /// Starts Chromium with a new empty profile and opens a blank page.
    pub fn launch() -> Result<Chromium> {
        let binary = ensure_chromium()?;
        let profile = tempfile::tempdir().map_err(|e| HarnessError::io("tempdir", e))?;
        let mut cmd = Command::new(&binary);
        cmd.args(HEADLESS_FLAGS)
            .arg("--remote-debugging-address=127.0.0.1")
            .arg("--remote-debugging-port=0")
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let child = cmd.spawn().map_err(|e| HarnessError::io(&binary, e))?;
        let endpoint = wait_endpoint(profile.path())?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| HarnessError::io("tokio runtime", e))?;
        let ws = rt
            .block_on(tokio_tungstenite::connect_async(endpoint.as_str()))
            .map_err(|e| HarnessError::Setup(format!("CDP connect {endpoint}: {e}")))?
            .0;
        let mut c = Chromium {
            child,
            rt,
            ws,
            session: String::new(),
            next: 0,
            _profile: profile,
        };
        let target = c.call("Target.createTarget", json!({"url": "about:blank"}))?;
        let attached = c.call(
            "Target.attachToTarget",
            json!({"targetId": target["targetId"], "flatten": true}),
        )?;
        c.session = attached["sessionId"].as_str().unwrap_or_default().into();
        c.call("Page.enable", json!({}))?;
        Ok(c)
    }

    /// One CDP command on the page's session (the browser's before there is one).
    pub fn call(&mut self, method: &str, params: Value) -> Result<Value> {
        self.next += 1;
        let id = self.next;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if !self.session.is_empty() {
            msg["sessionId"] = json!(self.session);
        }
        let ws = &mut self.ws;
        self.rt.block_on(async {
            ws.send(Message::text(msg.to_string()))
                .await
                .map_err(|e| HarnessError::Setup(format!("CDP send {method}: {e}")))?;
            let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
            loop {
                let next = tokio::time::timeout_at(deadline, ws.next()).await;
                let text = match next {
                    Ok(Some(Ok(Message::Text(t)))) => t,
                    Ok(Some(Ok(_))) => continue,
                    Ok(other) => {
                        return Err(HarnessError::Setup(format!(
                            "CDP {method}: connection ended: {other:?}"
                        )));
                    }
                    Err(_) => return Err(HarnessError::Setup(format!("CDP {method}: no answer"))),
                };
                let v: Value = serde_json::from_str(&text).unwrap_or_default();
                if v["id"] == id {
                    if let Some(e) = v.get("error") {
                        return Err(HarnessError::Setup(format!("CDP {method}: {e}")));
                    }
                    return Ok(v["result"].clone());
                }
            }
        })
    }

    /// Opens `url` and waits for its document to finish loading.
    pub fn goto(&mut self, url: &str) -> Result<()> {
        self.call("Page.navigate", json!({"url": url}))?;
        self.wait_for(
            "document.readyState === 'complete'",
            Duration::from_secs(30),
        )
        .map(drop)
    }

    /// The value of `expr` (a promise is awaited); a thrown exception is an error.
    pub fn eval(&mut self, expr: &str) -> Result<Value> {
        let r = self.call(
            "Runtime.evaluate",
            json!({"expression": expr, "returnByValue": true, "awaitPromise": true}),
        )?;
        if let Some(ex) = r.get("exceptionDetails") {
            return Err(HarnessError::Setup(format!("page script `{expr}`: {ex}")));
        }
        Ok(r["result"]["value"].clone())
    }

    /// Polls `expr` until it is truthy; returns its value, or fails with the page's text.
    pub fn wait_for(&mut self, expr: &str, timeout: Duration) -> Result<Value> {
        let began = Instant::now();
        loop {
            let v = self.eval(expr).unwrap_or(Value::Null);
            let truthy =
                !matches!(&v, Value::Null | Value::Bool(false)) && v != json!("") && v != json!(0);
            if truthy {
                return Ok(v);
            }
            if began.elapsed() > timeout {
                let text = self
                    .eval("document.body ? document.body.innerText : ''")
                    .unwrap_or_default();
                return Err(HarnessError::Setup(format!(
                    "`{expr}` not true after {timeout:?}; the page says:\n{}",
                    text.as_str().unwrap_or_default()
                )));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Saves a PNG of the page.
    pub fn screenshot(&mut self, path: &Path) -> Result<()> {
        use base64::Engine;
        let r = self.call(
            "Page.captureScreenshot",
            json!({"format": "png", "captureBeyondViewport": true}),
        )?;
        let png = base64::engine::general_purpose::STANDARD
            .decode(r["data"].as_str().unwrap_or_default())
            .map_err(|e| HarnessError::Setup(format!("screenshot: {e}")))?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| HarnessError::io(dir, e))?;
        }
        std::fs::write(path, png).map_err(|e| HarnessError::io(path, e))
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        // SAFETY: kill has no memory preconditions; the group is the one spawned above.
        unsafe { libc::kill(-(self.child.id() as i32), libc::SIGKILL) };
        let _ = self.child.wait();
    }
}

/// The browser's CDP WebSocket URL, from `DevToolsActivePort` in its profile.
fn wait_endpoint(profile: &Path) -> Result<String> {
    let file = profile.join("DevToolsActivePort");
    let began = Instant::now();
    while began.elapsed() < Duration::from_secs(30) {
        if let Ok(text) = std::fs::read_to_string(&file) {
            let mut lines = text.lines();
            if let (Some(port), Some(path)) = (lines.next(), lines.next()) {
                return Ok(format!("ws://127.0.0.1:{port}{path}"));
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(HarnessError::Setup(format!(
        "Chromium wrote no {} within 30 s",
        file.display()
    )))
}
