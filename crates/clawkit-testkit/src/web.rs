//! A running `clawkit web --no-open` for the web doctor's tests and benchmark: the process
//! (stopped by PID on drop), its single-use launch link, and a logged-in session (the cookie
//! the link is exchanged for, and the page's CSRF token), spoken to over raw HTTP.

use crate::error::{HarnessError, Result};
use crate::net::{HttpReply, http};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct WebDoctor {
    child: Child,
    /// `http://127.0.0.1:PORT/?t=…`, as printed on the first line.
    pub launch: String,
    pub port: u16,
}

/// The session a browser gets from the launch link.
#[derive(Debug, Clone)]
pub struct WebSession {
    /// `name=value`, as the browser sends it back.
    pub cookie: String,
    /// The whole `Set-Cookie` the launch link was answered with (its attributes lower-cased).
    pub set_cookie: String,
    pub csrf: String,
}

const TIMEOUT: Duration = Duration::from_secs(120);

impl WebDoctor {
    /// Starts `clawkit web --no-open` (the binary `clawkit`) with exactly `env`.
    pub fn start(clawkit: &Path, env: &[(String, String)]) -> Result<WebDoctor> {
        let mut child = Command::new(clawkit)
            .env_clear()
            .envs(env.iter().map(|(k, v)| (k, v)))
            .args(["web", "--no-open", "--idle", "10m"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| HarnessError::io(clawkit, e))?;
        let mut out = BufReader::new(child.stdout.take().expect("piped"));
        let mut launch = String::new();
        let _ = out.read_line(&mut launch);
        let launch = launch.trim().to_string();
        let Some(rest) = launch.strip_prefix("http://127.0.0.1:") else {
            let mut err = String::new();
            let _ = child.stderr.take().expect("piped").read_to_string(&mut err);
            let _ = child.kill();
            let _ = child.wait();
            return Err(HarnessError::Setup(format!(
                "clawkit web printed no launch URL first: {launch:?}\n{err}"
            )));
        };
        let port = rest
            .split('/')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        // Drain the rest so the server never blocks on a full pipe.
        std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
        Ok(WebDoctor {
            child,
            launch,
            port,
        })
    }

    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn origin(&self) -> String {
        format!("http://{}", self.host())
    }

    /// The launch link's path and query (`/?t=…`).
    pub fn launch_path(&self) -> &str {
        &self.launch[self.origin().len()..]
    }

    /// One request with exactly `headers` (plus the Host of this server unless given).
    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Result<HttpReply> {
        http(self.port, method, path, headers, body, TIMEOUT)
    }

    /// Exchanges the launch link for the cookie, and reads the CSRF token from the page.
    pub fn log_in(&self) -> Result<WebSession> {
        let first = self.request("GET", self.launch_path(), &[], "")?;
        let set_cookie = first
            .header("set-cookie")
            .filter(|_| first.status == 303)
            .ok_or_else(|| {
                HarnessError::Setup(format!("the launch link gave no cookie: {}", first.head))
            })?
            .to_string();
        let cookie = set_cookie.split(';').next().unwrap_or_default().to_string();
        let page = self.request("GET", "/", &[("Cookie", &cookie)], "")?;
        let csrf = page
            .body
            .split("name=\"clawkit-csrf\" content=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .ok_or_else(|| {
                HarnessError::Setup(format!("no CSRF token in the page: {}", page.status))
            })?
            .to_string();
        Ok(WebSession {
            cookie,
            set_cookie,
            csrf,
        })
    }

    /// A same-origin request from the logged-in page (cookie, CSRF header, Origin,
    /// Sec-Fetch-Site), as the page's own script sends it.
    pub fn post(&self, s: &WebSession, path: &str, body: &str) -> Result<HttpReply> {
        let origin = self.origin();
        self.request(
            "POST",
            path,
            &[
                ("Cookie", &s.cookie),
                ("X-Clawkit-Csrf", &s.csrf),
                ("Sec-Fetch-Site", "same-origin"),
                ("Origin", &origin),
            ],
            body,
        )
    }

    /// The process's peak resident memory so far, in KiB (`VmHWM`).
    pub fn peak_rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
    }
}

impl Drop for WebDoctor {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
