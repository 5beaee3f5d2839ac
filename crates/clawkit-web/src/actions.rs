//! The pages' changes other than a fix, each the engine's own operation: `POST /api/token`
//! (rotate this client's device token, reset pairing, approve a pending request, remove an
//! older browser device), confirmed in the page and marked so by the request (`confirm=yes`),
//! and `POST /api/dashboard` (the walkthrough's browser step). What comes back is shown as
//! fingerprints only.

use crate::pages::note;
use crate::server::App;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use clawkit_core::event::{AssumeYes, Cancel, NullObserver};
use clawkit_core::gateway::Credential;
use clawkit_core::tokens::{self, DeviceAction, ResetOutcome, RotateRequest};
use serde::Deserialize;
use std::sync::Arc;

#[derive(Deserialize)]
pub(crate) struct TokenForm {
    op: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    confirm: String,
}

pub(crate) async fn token_action(
    State(app): State<Arc<App>>,
    Form(f): Form<TokenForm>,
) -> Response {
    if f.confirm != "yes" {
        let why = "not confirmed: the page asks before every token change";
        return (StatusCode::BAD_REQUEST, Html(note("error", why))).into_response();
    }
    let done = match f.op.as_str() {
        "rotate" => rotate(&app).await,
        "reset" => reset(&app).await,
        "approve" => device(&app, DeviceAction::Approve, &f.id).await,
        "remove" => device(&app, DeviceAction::Remove, &f.id).await,
        other => Err(clawkit_core::Error::Usage(format!(
            "no token change `{other}`"
        ))),
    };
    match done {
        Ok((ok, text)) => Html(note(if ok { "ok" } else { "error" }, &text)).into_response(),
        Err(e) => {
            let status = match e {
                clawkit_core::Error::Usage(_) => StatusCode::BAD_REQUEST,
                clawkit_core::Error::FixLocked(_) => StatusCode::CONFLICT,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            };
            let text = clawkit_core::secret::redact_text(&e.to_string());
            (status, Html(note("error", &text))).into_response()
        }
    }
}

type Done = Result<(bool, String), clawkit_core::Error>;

async fn rotate(app: &App) -> Done {
    let req = RotateRequest {
        device: None,
        all: false,
        role: "operator".into(),
        secret: Credential::None,
    };
    let r = tokens::rotate(&app.target, &req, &mut NullObserver, &Cancel::new()).await?;
    let ok = r.rotated.accepted();
    let doc = serde_json::to_string(&r.rotated).unwrap_or_default();
    Ok((
        ok,
        format!(
            "Rotated this client's device token: {}",
            clawkit_core::secret::redact_text(&doc)
        ),
    ))
}

async fn reset(app: &App) -> Done {
    let out = tokens::reset(
        &app.target,
        &Credential::None,
        &mut NullObserver,
        &mut AssumeYes,
        &Cancel::new(),
    )
    .await?;
    Ok(match out {
        ResetOutcome::Declined { .. } => (false, "Nothing changed.".into()),
        ResetOutcome::Reset(d) => (
            true,
            format!(
                "Removed {} paired device(s), rejected {} pending request(s), cleared {} cached token(s) here; the pairing state before is at {}.",
                d.removed.len(),
                d.rejected_pending,
                d.cleared_cached_tokens,
                d.backup.display()
            ),
        ),
    })
}

async fn device(app: &App, action: DeviceAction, id: &str) -> Done {
    let d = tokens::device_action(&app.target, action, id).await?;
    let verb = if d.ok { "Done" } else { "OpenClaw refused" };
    Ok((d.ok, format!("{verb}: `{}`. {}", d.ran, d.openclaw_said)))
}

#[derive(Deserialize)]
pub(crate) struct DashboardForm {
    window: String,
}

/// `POST /api/dashboard`: the walkthrough's browser step opens the Control UI in a private
/// window or a fresh profile on this machine, as `clawkit dashboard` does.
pub(crate) async fn open_dashboard(
    State(app): State<Arc<App>>,
    Form(f): Form<DashboardForm>,
) -> Response {
    use crate::browser::{Window, has_display};
    let window = if f.window == "fresh" {
        Window::FreshProfile
    } else {
        Window::Private
    };
    if !has_display(|k| app.target.env.get(k).map(str::to_string)) {
        let why = "No display here: the browser must open on your own computer. There, run `clawkit dashboard --print` on this host (over SSH) and open its link through a tunnel on the same port.";
        return Html(note("error", why)).into_response();
    }
    let text = match crate::dashboard::open(&app.target, window, None).await {
        Ok(o) => note(
            "ok",
            &format!(
                "Opened {} in {} with a fresh pairing link. Sign-in worked? Then the cached token was the cause.",
                o.handoff.http_url,
                if o.profile.is_some() {
                    "a new profile"
                } else {
                    "a private window"
                }
            ),
        ),
        Err(e) => note(
            "error",
            &format!(
                "{}{}",
                e.why,
                e.page
                    .map(|p| format!(" The page: {p}"))
                    .unwrap_or_default()
            ),
        ),
    };
    Html(clawkit_core::secret::redact_text(&text)).into_response()
}
