//! clawkit's web doctor (`clawkit web`) and the dashboard opener (`clawkit dashboard`): the
//! doctor's checks and fixes in a browser, served on loopback only, behind a single-use launch
//! token, a cookie and a CSRF header; and the gateway's Control UI opened in a private window
//! or a fresh profile for a clean device-token handshake. Everything it shows and does goes
//! through clawkit-core's operations, as the CLI's does.

mod actions;
pub mod browser;
pub mod dashboard;
pub mod guard;
pub mod pages;
pub mod server;
pub mod session;
pub mod walk;

pub use server::{App, MonitorView};

use clawkit_core::event::Cancel;
use std::sync::Arc;
use std::time::Duration;

/// A running web doctor.
pub struct Running {
    pub app: Arc<App>,
    /// `http://127.0.0.1:PORT/?t=<launch token>`: works once.
    pub launch_url: String,
    pub cancel: Cancel,
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// Binds, and serves in a task until cancelled or idle for `idle`.
pub async fn start(
    target: clawkit_core::target::Target,
    port: u16,
    idle: Duration,
    timeout: Duration,
    monitor: Option<MonitorView>,
) -> std::io::Result<Running> {
    let (listener, addr) = server::bind(port).await?;
    let app = Arc::new(App::new(target, addr.port(), timeout, monitor));
    let launch_url = format!(
        "http://127.0.0.1:{}/?t={}",
        addr.port(),
        app.session.launch_token()
    );
    let cancel = Cancel::new();
    let idle_app = app.clone();
    let idle_cancel = cancel.clone();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                () = idle_cancel.cancelled() => return,
                () = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
            if idle_app.idle() >= idle {
                idle_cancel.cancel();
                return;
            }
        }
    });
    let task = tokio::spawn(server::serve(listener, app.clone(), cancel.clone()));
    Ok(Running {
        app,
        launch_url,
        cancel,
        task,
    })
}
