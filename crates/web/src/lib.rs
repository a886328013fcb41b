//! The web front: server-rendered Chinese pages (askama), the JSON API under `/api/v1/`, its
//! OpenAPI document, and the embedded static assets. Handlers are thin: they parse the request,
//! call service, and render.

mod account;
mod admin;
mod api;
mod assets;
pub mod auth;
mod cultivation;
mod error;
mod evaluation;
mod format;
mod inbox;
mod innovation;
mod kpis;
mod leads;
mod memo;
mod metrics;
mod openapi;
mod pages;
mod projects;
mod public;
mod review;
mod tags;
mod tasks;
mod tickets;
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

/// The router and the list of what it serves, built together so the list cannot drift from it.
pub(crate) struct Routes {
    router: Router<App>,
    list: Vec<(&'static str, &'static str)>,
}

impl Routes {
    pub(crate) fn route(
        mut self,
        path: &'static str,
        methods: &[&'static str],
        handler: axum::routing::MethodRouter<App>,
    ) -> Self {
        self.list.extend(methods.iter().map(|m| (*m, path)));
        self.router = self.router.route(path, handler);
        self
    }
}

/// Every route of the application.
fn registered() -> Routes {
    let upload = || DefaultBodyLimit::max(UPLOAD_LIMIT);
    Routes { router: Router::new(), list: Vec::new() }
        .route("/", &["GET"], get(pages::home))
        .route("/login", &["GET", "POST"], get(account::login_form).post(account::login))
        .route("/logout", &["POST"], post(account::logout))
        .route("/account/password", &["GET", "POST"], get(account::password_form).post(account::change_password))
        .route("/audit", &["GET"], get(account::audit))
        .route("/audit.xlsx", &["GET"], get(account::audit_xlsx))
        .route("/admin/users", &["GET", "POST"], get(admin::users).post(admin::change))
        .route("/submissions", &["GET"], get(workflow::board))
        .route("/submissions/{zone}/{month}", &["POST"], post(workflow::step))
        .route("/submissions/upload", &["POST"], post(workflow::upload).layer(upload()))
        .route("/targets", &["GET"], get(pages::targets))
        .route("/enterprises", &["GET"], get(pages::enterprises))
        .route("/enterprises/{uscc}", &["GET"], get(pages::enterprise))
        .route("/drill", &["GET"], get(pages::drill))
        .route("/export/progress.xlsx", &["GET"], get(pages::export_progress))
        .route("/export/enterprises.xlsx", &["GET"], get(pages::export_enterprises))
        .route("/export/drill.xlsx", &["GET"], get(pages::export_drill))
        .route("/healthz", &["GET"], get(api::healthz))
        .route("/metrics", &["GET"], get(metrics::metrics))
        .route("/api/openapi.json", &["GET"], get(api::openapi))
        .route("/api/v1/plan", &["GET"], get(api::plan))
        .route("/api/v1/progress", &["GET"], get(api::progress))
        .route("/api/v1/forecast", &["GET"], get(api::forecast))
        .route("/api/v1/cockpit", &["GET"], get(api::cockpit))
        .route("/api/v1/drill", &["GET"], get(api::drill))
        .route("/api/v1/enterprises", &["GET", "POST"], get(api::enterprises).post(api::import_enterprises).layer(upload()))
        .route("/api/v1/enterprises/{uscc}", &["GET"], get(api::enterprise))
        .route("/api/v1/facts", &["POST"], post(api::import_facts).layer(upload()))
        .route("/api/v1/submissions", &["GET"], get(workflow::board_api))
        .route("/api/v1/submissions/{zone}/{month}/{step}", &["POST"], post(workflow::step_api))
        .route("/api/v1/users", &["GET"], get(api::users))
        .route("/api/v1/tokens", &["GET"], get(api::tokens))
        .route("/api/v1/audit", &["GET"], get(api::audit))
        .route("/static/{*path}", &["GET"], get(assets::serve))
        .merge_module(tasks::routes)
        .merge_module(projects::routes)
        .merge_module(leads::routes)
        .merge_module(evaluation::routes)
        .merge_module(tags::routes)
        .merge_module(cultivation::routes)
        .merge_module(innovation::routes)
        .merge_module(tickets::routes)
        .merge_module(inbox::routes)
        .merge_module(kpis::routes)
        .merge_module(review::routes)
        .merge_module(public::routes)
        .fallback(not_found)
}

impl Routes {
    /// A module adds its own routes (its router, nested into the application).
    fn merge_module(self, routes: fn(Routes) -> Routes) -> Self {
        routes(self)
    }

    fn fallback<H, T>(mut self, handler: H) -> Self
    where
        H: axum::handler::Handler<T, App>,
        T: 'static,
    {
        self.router = self.router.fallback(handler);
        self
    }
}

async fn not_found() -> WebError {
    WebError { status: axum::http::StatusCode::NOT_FOUND, message: "没有这个页面 / no such page".into() }
}

/// Every (method, path) the application serves, as registered: what the authorisation matrix
/// and the OpenAPI document are checked against.
pub fn route_list() -> Vec<(&'static str, &'static str)> {
    registered().list
}

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
    let Routes { router, list } = registered();
    let mut router = router.layer(axum::middleware::from_fn_with_state(app.clone(), record_denials)).with_state(app);
    for (name, value) in security {
        router = router.layer(SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value)));
    }
    let requests = std::sync::Arc::new(metrics::Requests::new(&list));
    router
        .layer(axum::Extension(memo::Memos::new()))
        .layer(axum::middleware::from_fn(caching_and_transport))
        .layer(axum::Extension(requests.clone()))
        .layer(axum::middleware::from_fn_with_state(requests, metrics::measure))
        .layer(axum::middleware::from_fn(error::request_context))
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

/// Every ten minutes, for as long as the server runs: escalates overdue service tickets and
/// reminds of deadlines coming. Every node may: each ticket is escalated, and each reminder sent,
/// once whichever node gets there first.
async fn sweep_now_and_then(app: App) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
    loop {
        every.tick().await;
        match app.escalate_overdue().await {
            Ok(done) if !done.is_empty() => tracing::info!(count = done.len(), "overdue tickets escalated"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "escalating overdue tickets failed"),
        }
        if let Err(e) = app.remind_deadlines().await {
            tracing::warn!(error = %e, "reminding of deadlines failed");
        }
    }
}

/// Serves until Ctrl-C or SIGTERM, then finishes the requests in flight.
pub async fn serve(app: App, addr: &str) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    println!("Leapfrog 已启动 / serving at http://{local}/  (Ctrl-C 停止 / to stop)");
    serve_until(app, listener, stop_signal()).await
}

/// Serves on `listener` until `stop` completes; then takes no new connections and returns once
/// every request already being answered has been answered.
pub async fn serve_until(
    app: App,
    listener: tokio::net::TcpListener,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let sweep = tokio::spawn(sweep_now_and_then(app.clone()));
    let served = axum::serve(listener, router(app)).with_graceful_shutdown(stop).await;
    sweep.abort();
    if served.is_ok() {
        tracing::info!("stopped: every request in flight was answered");
    }
    served
}

/// Ctrl-C, or the SIGTERM a service manager sends to stop.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
