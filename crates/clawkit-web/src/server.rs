//! The server: binds loopback, runs every request through the guard, and routes to the pages
//! and the few POSTs that change anything (a step's fix, undo). The walkthrough streams as
//! server-sent events; each fix goes through the engine's fix run (lock, journal, backups),
//! answering yes only to the plan steps of the walkthrough step the user applied.

use crate::guard;
use crate::pages::{self, esc};
use crate::session::{Redeemed, Session};
use crate::walk::{self, WalkStep};
use axum::Router;
use axum::extract::{Form, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use clawkit_core::doctor::report::{self, document, previews};
use clawkit_core::doctor::run::{FixOptions, context, fix};
use clawkit_core::doctor::{Diagnosis, Inputs, examine};
use clawkit_core::event::{Approver, Ask, Cancel, Decision, NullObserver, Question};
use clawkit_core::target::Target;
use futures_util::future::BoxFuture;
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What `monitor status --json` would print, when a monitor keeps a store here.
pub type MonitorView = Arc<dyn Fn() -> Option<Value> + Send + Sync>;

pub struct App {
    pub target: Target,
    pub session: Session,
    pub port: u16,
    /// Bound for each handshake the doctor makes.
    pub timeout: Duration,
    pub monitor: Option<MonitorView>,
    last_request: Mutex<Instant>,
}

impl App {
    pub fn new(target: Target, port: u16, timeout: Duration, monitor: Option<MonitorView>) -> App {
        App {
            target,
            session: Session::new(),
            port,
            timeout,
            monitor,
            last_request: Mutex::new(Instant::now()),
        }
    }

    /// Time since the last request (the idle timeout's clock).
    pub fn idle(&self) -> Duration {
        self.last_request
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .elapsed()
    }

    fn inputs(&self) -> Inputs {
        Inputs {
            target: self.target.clone(),
            docker_dir: None,
            timeout: self.timeout,
        }
    }

    fn page(&self, title: &str, body: &str) -> Html<String> {
        Html(pages::page(title, &self.session.csrf, body))
    }
}

type Shared = Arc<App>;

pub fn router(app: Shared) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/report", get(report_page))
        .route("/report.md", get(report_md))
        .route("/explain", get(explain_page))
        .route("/tokens", get(tokens_page))
        .route("/monitor", get(monitor_page))
        .route(
            "/assets/app.js",
            get(|| async { js(include_str!("../assets/app.js")) }),
        )
        .route(
            "/assets/app.css",
            get(|| async { css(include_str!("../assets/app.css")) }),
        )
        .route("/api/walk", get(walk_stream))
        .route("/api/preview", post(preview))
        .route("/api/apply", post(apply))
        .route("/api/undo", post(undo))
        .route("/api/explain", post(explain))
        .route("/api/token", post(crate::actions::token_action))
        .route("/api/dashboard", post(crate::actions::open_dashboard))
        .layer(middleware::from_fn_with_state(app.clone(), guarded))
        .with_state(app)
}

fn js(body: &'static str) -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        body,
    )
        .into_response()
}

fn css(body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], body).into_response()
}

async fn guarded(State(app): State<Shared>, req: Request, next: Next) -> Response {
    *app.last_request.lock().unwrap_or_else(|p| p.into_inner()) = Instant::now();
    let verdict = guard::check(
        req.method(),
        req.uri().path(),
        req.uri().query(),
        req.headers(),
        app.port,
        &app.session,
    );
    let mut response = match verdict {
        Ok(()) => next.run(req).await,
        Err(refusal) => (refusal.status, format!("{}\n", refusal.why)).into_response(),
    };
    guard::secure(response.headers_mut());
    response
}

async fn home(State(app): State<Shared>, Query(q): Query<HashMap<String, String>>) -> Response {
    let Some(token) = q.get("t") else {
        return app
            .page("Walkthrough", &pages::walk_shell(walk::ids()))
            .into_response();
    };
    let why = match app.session.redeem(token) {
        Redeemed::Now => {
            let mut r = Redirect::to("/").into_response();
            *r.status_mut() = StatusCode::SEE_OTHER;
            if let Ok(v) = app.session.set_cookie().parse() {
                r.headers_mut().insert(header::SET_COOKIE, v);
            }
            return r;
        }
        Redeemed::AlreadyUsed => "this link was already used: it works once.",
        Redeemed::Expired => "this link expired (it is good for five minutes).",
        Redeemed::Wrong => "this link is not this server's.",
    };
    (
        StatusCode::FORBIDDEN,
        format!("{why} Run `clawkit web` again for a new one.\n"),
    )
        .into_response()
}

/// One diagnosis: its walkthrough (with each step's diff when asked) and the
/// redactor for anything shown of it.
struct Look {
    diagnosis: Diagnosis,
    steps: Vec<WalkStep>,
    redactor: clawkit_core::secret::Redactor,
}

/// `diffs`: compute each step's file change (only the preview shows them).
async fn look(app: &App, diffs: bool) -> Look {
    let inputs = app.inputs();
    let diagnosis = examine(&inputs).await;
    let diffs = if diffs {
        previews(&diagnosis.steps, &context(&inputs, &diagnosis))
    } else {
        Vec::new()
    };
    let doc = document(&diagnosis, &diffs);
    Look {
        steps: walk::steps(&doc),
        redactor: report::redactor(&diagnosis),
        diagnosis,
    }
}

async fn walk_stream(
    State(app): State<Shared>,
) -> Sse<impl futures_util::Stream<Item = Result<SseEvent, Infallible>>> {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<SseEvent>();
    tokio::spawn(async move {
        let began = Instant::now();
        let l = look(&app, false).await;
        let ms = began.elapsed().as_millis();
        for s in &l.steps {
            let html = l.redactor.redact(&pages::step_card(s, ms));
            let data = serde_json::json!({"id": s.id, "status": s.status, "html": html});
            let _ = tx.send(SseEvent::default().event("step").data(data.to_string()));
        }
        let text = pages::summary(&l.steps);
        let data = serde_json::json!({"text": text, "ms": ms});
        let _ = tx.send(SseEvent::default().event("summary").data(data.to_string()));
    });
    let stream =
        futures_util::stream::unfold(
            rx,
            |mut rx| async move { rx.recv().await.map(|e| (Ok(e), rx)) },
        );
    Sse::new(stream).keep_alive(KeepAlive::default())
}

#[derive(Deserialize)]
struct StepForm {
    step: String,
}

fn find<'a>(l: &'a Look, id: &str) -> Option<&'a WalkStep> {
    l.steps.iter().find(|s| s.id == id)
}

async fn preview(State(app): State<Shared>, Form(f): Form<StepForm>) -> Response {
    let l = look(&app, true).await;
    match find(&l, &f.step) {
        Some(s) if !walk::plan_numbers(s).is_empty() => {
            Html(l.redactor.redact(&pages::preview(s))).into_response()
        }
        _ => Html(pages::note(
            "ok",
            "Nothing to change here any more: check again.",
        ))
        .into_response(),
    }
}

/// Says yes to the plan steps the user applied, no to every other question.
struct Chosen(Vec<usize>);

impl Approver for Chosen {
    fn decide<'a>(&'a mut self, q: &'a Question) -> BoxFuture<'a, Decision> {
        let yes = matches!(q.ask, Ask::ApplyStep { n } if self.0.contains(&n));
        Box::pin(async move { if yes { Decision::Yes } else { Decision::No } })
    }
}

async fn apply(State(app): State<Shared>, Form(f): Form<StepForm>) -> Response {
    let l = look(&app, false).await;
    let Some(step) = find(&l, &f.step) else {
        return (
            StatusCode::NOT_FOUND,
            Html(pages::note("error", "no such step")),
        )
            .into_response();
    };
    let chosen = walk::plan_numbers(step);
    if chosen.is_empty() {
        return Html(pages::note("ok", "Nothing to change here any more.")).into_response();
    }
    // The engine numbers only the changing steps; map the document's plan numbers onto them.
    let changing: Vec<usize> = l
        .diagnosis
        .steps
        .iter()
        .enumerate()
        .filter(|(_, s)| s.is_change())
        .map(|(i, _)| i + 1)
        .collect();
    let asked: Vec<usize> = changing
        .iter()
        .enumerate()
        .filter(|(_, n)| chosen.contains(n))
        .map(|(i, _)| i + 1)
        .collect();
    let opts = FixOptions {
        approve_repairs: false,
        wait: Duration::from_secs(60),
        who: format!("clawkit web, pid {}", std::process::id()),
    };
    let done = fix(
        &app.inputs(),
        &l.diagnosis,
        &opts,
        &mut NullObserver,
        &mut Chosen(asked),
        &Cancel::new(),
    )
    .await;
    match done {
        Ok(done) => {
            let results: Vec<Value> = done
                .steps
                .iter()
                .filter_map(|s| serde_json::to_value(s).ok())
                .collect();
            Html(
                l.redactor
                    .redact(&pages::applied(&results, &done.journal_id, done.healed())),
            )
            .into_response()
        }
        Err(e) => {
            let status = match e {
                clawkit_core::Error::FixLocked(_) => StatusCode::CONFLICT,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            };
            (
                status,
                Html(l.redactor.redact(&pages::note("error", &e.to_string()))),
            )
                .into_response()
        }
    }
}

async fn undo(State(app): State<Shared>) -> Response {
    let dir = app.target.paths.state_dir.value.clone();
    let done = tokio::task::spawn_blocking(move || clawkit_core::journal::undo(&dir, None)).await;
    match done {
        Ok(Ok(r)) => Html(pages::note(
            "ok",
            &format!(
                "Undid {}: restored {}.{}",
                r.id,
                if r.restored.is_empty() {
                    "nothing".into()
                } else {
                    r.restored.join(", ")
                },
                if r.failed.is_empty() {
                    String::new()
                } else {
                    format!(" Failed: {}", r.failed.join(", "))
                }
            ),
        ))
        .into_response(),
        Ok(Err(e)) => (
            StatusCode::CONFLICT,
            Html(pages::note("error", &e.to_string())),
        )
            .into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Html(pages::note("error", &e.to_string())),
        )
            .into_response(),
    }
}

async fn report_page(State(app): State<Shared>) -> Html<String> {
    let l = look(&app, false).await;
    let mut body = format!(
        "<h1>Report</h1><p>{}</p><ol>",
        esc(&pages::summary(&l.steps))
    );
    for s in &l.steps {
        body.push_str(&format!(
            "<li class=\"step {}\">{}</li>",
            s.status,
            pages::step_card(s, 0)
        ));
    }
    body.push_str("</ol>");
    app.page("Report", &l.redactor.redact(&body))
}

async fn report_md(State(app): State<Shared>) -> Response {
    let l = look(&app, false).await;
    let mut md = format!(
        "## clawkit web doctor report\n\n{}\n\n",
        pages::summary(&l.steps)
    );
    for s in &l.steps {
        md.push_str(&format!("### {} — {}\n\n", s.title, s.status));
        for c in &s.checks {
            for f in c["findings"].as_array().into_iter().flatten() {
                md.push_str(&format!(
                    "- [{}] {} (`{}`)\n",
                    f["severity"].as_str().unwrap_or_default(),
                    f["summary"].as_str().unwrap_or_default(),
                    f["code"].as_str().unwrap_or_default()
                ));
                for e in f["evidence"].as_array().into_iter().flatten() {
                    md.push_str(&format!("  - {}\n", e.as_str().unwrap_or_default()));
                }
            }
        }
        md.push('\n');
    }
    (
        [(header::CONTENT_TYPE, "text/markdown; charset=utf-8")],
        l.redactor.redact(&md),
    )
        .into_response()
}

fn explained(app: &App, text: &str) -> String {
    let hits = clawkit_core::catalog::in_fix_order(clawkit_core::catalog::scan(text));
    let vars = clawkit_core::explain::Placeholders::new(&app.target, text);
    let doc = clawkit_core::explain::document(&hits, &vars);
    pages::explained(&doc)
}

#[derive(Deserialize)]
struct ExplainQuery {
    code: Option<String>,
}

async fn explain_page(State(app): State<Shared>, Query(q): Query<ExplainQuery>) -> Html<String> {
    let known = q.code.as_deref().and_then(|code| {
        clawkit_core::catalog::CATALOG
            .iter()
            .find(|e| e.id == code)
            .map(|e| explained(&app, e.patterns.first().copied().unwrap_or(e.id)))
    });
    app.page("Explain", &pages::explain_form(known.as_deref()))
}

#[derive(Deserialize)]
struct ExplainForm {
    text: String,
}

/// The pasted text is never echoed: only the catalog's document of it, whose excerpts are
/// already redacted (`secret::redact_text`), as `clawkit explain` prints it.
async fn explain(State(app): State<Shared>, Form(f): Form<ExplainForm>) -> Html<String> {
    Html(explained(&app, &f.text))
}

async fn tokens_page(State(app): State<Shared>) -> Html<String> {
    let body = match clawkit_core::tokens::status(&app.target, app.timeout).await {
        Ok(s) => pages::tokens(&serde_json::to_value(&s).unwrap_or_default()),
        Err(e) => pages::note("error", &e.to_string()),
    };
    app.page("Tokens", &body)
}

async fn monitor_page(State(app): State<Shared>) -> Html<String> {
    let view = app.monitor.as_ref().and_then(|m| m());
    app.page("Monitor", &pages::monitor(view.as_ref()))
}

/// Binds `127.0.0.1:port` (0: a free one). Anything but loopback is refused by construction.
pub async fn bind(port: u16) -> std::io::Result<(tokio::net::TcpListener, SocketAddr)> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    Ok((listener, addr))
}

/// Serves until `cancel` (Ctrl-C, the idle timeout, the caller).
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Shared,
    cancel: Cancel,
) -> std::io::Result<()> {
    axum::serve(listener, router(app))
        .with_graceful_shutdown(async move { cancel.cancelled().await })
        .await
}
