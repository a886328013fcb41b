//! Errors as users see them: invalid input 400, not signed in 401, forbidden 403, not found 404,
//! conflict 409, busy 503 (with Retry-After), and anything else 500 — logged with the request's
//! id and shown as "internal error" with that id, never with its cause. Pages get the error page;
//! every `/api/` route gets JSON, whoever produced the error (a handler, or axum refusing a body
//! or a query before any handler ran).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use service::ServiceError;
use tracing::Instrument;

tokio::task_local! {
    /// The id of the request being served, for logs, audit entries and error pages.
    static REQUEST_ID: String;
}

/// The current request's id (a fresh one outside a request).
pub fn request_id() -> String {
    REQUEST_ID.try_with(Clone::clone).unwrap_or_else(|_| service::random_hex(8))
}

/// What a handler returns on failure: the status and a message a user can act on.
#[derive(Debug)]
pub struct WebError {
    pub status: StatusCode,
    pub message: String,
}

impl WebError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        WebError { status: StatusCode::BAD_REQUEST, message: message.into() }
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        WebError { status: StatusCode::FORBIDDEN, message: message.into() }
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        WebError { status: StatusCode::NOT_FOUND, message: message.into() }
    }

    /// A failure of the program, not of the request: logged with the request id; the user is
    /// shown only that it happened and the id to quote.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        let id = request_id();
        tracing::error!(request_id = %id, error = %cause, "request failed");
        WebError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: format!("服务器内部错误,已记录(请求编号 {id}),请稍后再试 / internal error, logged as request {id}"),
        }
    }
}

impl From<ServiceError> for WebError {
    fn from(e: ServiceError) -> Self {
        let status = match &e {
            ServiceError::BadRequest(_) | ServiceError::Rows(_) | ServiceError::Plan(_) => StatusCode::BAD_REQUEST,
            // A file the user sent that cannot be read; our own I/O failing is not the user's doing.
            ServiceError::File(files::FileError::Io { .. } | files::FileError::Write(_)) => StatusCode::INTERNAL_SERVER_ERROR,
            ServiceError::File(_) => StatusCode::BAD_REQUEST,
            ServiceError::NotFound(_) => StatusCode::NOT_FOUND,
            ServiceError::Forbidden(_) => StatusCode::FORBIDDEN,
            ServiceError::Conflict(_) => StatusCode::CONFLICT,
            ServiceError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            ServiceError::Store(_) | ServiceError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        match &e {
            _ if status == StatusCode::INTERNAL_SERVER_ERROR => WebError::internal(&e),
            // Every row's problem, one a line, as the command line prints them.
            ServiceError::Rows(rows) => WebError { status, message: format!("{e}\n{rows}") },
            _ => WebError { status, message: e.to_string() },
        }
    }
}

/// The error page.
#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    title: &'a str,
    message: &'a str,
    request_id: Option<String>,
}

/// What an error page is headed with, in the users' language.
fn title_zh(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "请求有误",
        401 => "需要登录",
        403 => "无权访问",
        404 => "页面不存在",
        409 => "状态冲突",
        413 => "文件过大",
        503 => "系统繁忙",
        _ if status.is_server_error() => "服务器内部错误",
        _ => "出错了",
    }
}

/// The message of an error response, kept for the JSON form of `/api/` answers.
#[derive(Debug, Clone)]
struct ErrorMessage(String);

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let internal = self.status == StatusCode::INTERNAL_SERVER_ERROR;
        let page = ErrorPage {
            status: self.status.as_u16(),
            title: title_zh(self.status),
            message: &self.message,
            request_id: internal.then(request_id),
        };
        let mut res = (self.status, page).into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            // A write that waited its turn and ran out: the client may simply try again.
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        res.extensions_mut().insert(ErrorMessage(self.message));
        res
    }
}

/// Gives each request its id (from `X-Request-Id` when it is a plain token, else a fresh one),
/// answers with it, and turns every error of an `/api/` route into JSON.
pub async fn request_context(req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 64 && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .map_or_else(|| service::random_hex(8), String::from);
    let api = req.uri().path().starts_with("/api/");
    // Every line logged while answering carries the request's id, method and path.
    let span = tracing::info_span!("request", id = %id, method = %req.method(), path = %req.uri().path());
    let start = std::time::Instant::now();
    let mut res = REQUEST_ID.scope(id.clone(), next.run(req)).instrument(span.clone()).await;
    span.in_scope(|| {
        tracing::info!(status = res.status().as_u16(), ms = start.elapsed().as_secs_f64() * 1000.0, "answered");
    });
    if api && (res.status().is_client_error() || res.status().is_server_error()) {
        res = json_error(res, &id).await;
    }
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert("x-request-id", v);
    }
    res
}

async fn json_error(res: Response, id: &str) -> Response {
    let (mut parts, body) = res.into_parts();
    let message = match parts.extensions.remove::<ErrorMessage>() {
        Some(ErrorMessage(m)) => m,
        // axum's own refusals (a malformed query, a body of the wrong type) come as plain text.
        None => {
            let bytes = axum::body::to_bytes(body, 64 << 10).await.unwrap_or_default();
            let text = String::from_utf8_lossy(&bytes).trim().to_string();
            if text.is_empty() { parts.status.canonical_reason().unwrap_or("error").to_string() } else { text }
        }
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let body = serde_json::json!({ "error": message, "request_id": id }).to_string();
    Response::from_parts(parts, axum::body::Body::from(body))
}
