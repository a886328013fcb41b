//! The web front: server-rendered Chinese pages (askama), the JSON API under `/api/v1/`, its
//! OpenAPI document, and the embedded static assets. Handlers are thin: they parse the request,
//! call service, and render.

mod account;
mod admin;
mod api;
mod assets;
pub mod auth;
mod error;
mod format;
mod pages;
mod upload;
mod workflow;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::routing::{get, post};
use service::App;
use tower_http::set_header::SetResponseHeaderLayer;

pub use error::WebError;

use upload::UPLOAD_LIMIT;

/// The whole application as a router, for `serve` and for tests.
pub fn router(app: App) -> Router {
    let security = [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ];
    let mut router = Router::new()
        .route("/", get(pages::home))
        .route("/login", get(account::login_form).post(account::login))
        .route("/logout", post(account::logout))
        .route("/account/password", get(account::password_form).post(account::change_password))
        .route("/audit", get(account::audit))
        .route("/admin/users", get(admin::users).post(admin::change))
        .route("/submissions", get(workflow::board))
        .route("/submissions/{zone}/{month}", post(workflow::step))
        .route("/submissions/upload", post(workflow::upload).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)))
        .route("/api/v1/submissions", get(workflow::board_api))
        .route("/api/v1/submissions/{zone}/{month}/{step}", post(workflow::step_api))
        .route("/audit.xlsx", get(account::audit_xlsx))
        .route("/targets", get(pages::targets))
        .route("/enterprises", get(pages::enterprises))
        .route("/enterprises/{uscc}", get(pages::enterprise))
        .route("/drill", get(pages::drill))
        .route("/export/progress.xlsx", get(pages::export_progress))
        .route("/export/enterprises.xlsx", get(pages::export_enterprises))
        .route("/export/drill.xlsx", get(pages::export_drill))
        .route("/healthz", get(api::healthz))
        .route("/api/openapi.json", get(api::openapi))
        .route("/api/v1/plan", get(api::plan))
        .route("/api/v1/progress", get(api::progress))
        .route("/api/v1/cockpit", get(api::cockpit))
        .route("/api/v1/drill", get(api::drill))
        .route(
            "/api/v1/enterprises",
            get(api::enterprises).post(api::import_enterprises).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/api/v1/facts", post(api::import_facts).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)))
        .route("/api/v1/users", get(api::users))
        .route("/api/v1/tokens", get(api::tokens))
        .route("/api/v1/audit", get(api::audit))
        .route("/api/v1/enterprises/{uscc}", get(api::enterprise))
        .route("/static/{*path}", get(assets::serve))
        .layer(axum::middleware::from_fn_with_state(app.clone(), record_denials))
        .with_state(app);
    for (name, value) in security {
        router = router.layer(SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value)));
    }
    router.layer(axum::middleware::from_fn(caching_and_transport)).layer(tower_http::trace::TraceLayer::new_for_http())
}

/// A request refused to a signed-in caller (403) is recorded, counted per account and window.
async fn record_denials(
    axum::extract::State(app): axum::extract::State<App>,
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let slot = auth::CallerSlot::default();
    let what = format!("{} {}", req.method(), req.uri().path());
    req.extensions_mut().insert(slot.clone());
    let res = next.run(req).await;
    if res.status() == axum::http::StatusCode::FORBIDDEN
        && let Some((login, request_id)) = slot.take()
        && let Err(e) = app.note_denial(&login, &request_id, &what).await
    {
        tracing::error!(error = %e, "a denial was not recorded");
    }
    res
}

/// Nothing a signed-in user was shown stays in a browser's or a proxy's cache (static assets
/// say otherwise themselves); behind TLS, browsers are told to keep to it.
async fn caching_and_transport(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    let secure = auth::is_secure(req.headers());
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if secure {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    res
}

/// Serves until Ctrl-C.
pub async fn serve(app: App, addr: &str) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    println!("Leapfrog 已启动 / serving at http://{local}/  (Ctrl-C 停止 / to stop)");
    axum::serve(listener, router(app))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
