use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use service::ServiceError;

/// What a handler returns on failure: the status and a message a user can act on. Internal
/// causes are logged, never shown.
#[derive(Debug)]
pub struct WebError {
    pub status: StatusCode,
    pub message: String,
    pub json: bool,
}

impl WebError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        WebError { status: StatusCode::BAD_REQUEST, message: message.into(), json: false }
    }

    pub fn for_api(mut self) -> Self {
        self.json = true;
        self
    }
}

impl From<ServiceError> for WebError {
    fn from(e: ServiceError) -> Self {
        let status = match &e {
            ServiceError::BadRequest(_) | ServiceError::Rows(_) | ServiceError::File(_) | ServiceError::Plan(_) => {
                StatusCode::BAD_REQUEST
            }
            ServiceError::NotFound(_) => StatusCode::NOT_FOUND,
            ServiceError::Forbidden(_) => StatusCode::FORBIDDEN,
            // A rule the store keeps (a login already taken, a month changed meanwhile).
            ServiceError::Store(store::StoreError::Invalid(_)) => StatusCode::CONFLICT,
            ServiceError::Store(store::StoreError::OutOfRange(_)) => StatusCode::BAD_REQUEST,
            ServiceError::Store(store::StoreError::Busy) => StatusCode::SERVICE_UNAVAILABLE,
            ServiceError::Store(_) | ServiceError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let message = match &e {
            _ if status == StatusCode::INTERNAL_SERVER_ERROR => {
                tracing::error!(error = %e, "request failed");
                "服务器内部错误,已记录,请稍后再试 / internal error, logged".to_string()
            }
            // Every row's problem, one a line, as the command line prints them.
            ServiceError::Rows(rows) => format!("{e}\n{rows}"),
            _ => e.to_string(),
        };
        WebError { status, message, json: false }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let mut res = self.body();
        if res.status() == StatusCode::SERVICE_UNAVAILABLE {
            // A write that waited its turn and ran out: the client may simply try again.
            res.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from_static("5"));
        }
        res
    }
}

impl WebError {
    fn body(self) -> Response {
        if self.json {
            return (self.status, Json(serde_json::json!({ "error": self.message }))).into_response();
        }
        let body = format!(
            "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>出错了</title>\
             <link rel=\"stylesheet\" href=\"/static/app.css\"></head><body class=\"error-page\"><main><h1>{}</h1><p class=\"message\">{}</p>\
             <p><a href=\"/\">返回驾驶舱</a></p></main></body></html>",
            self.status.as_u16(),
            askama_escape(&self.message)
        );
        (self.status, Html(body)).into_response()
    }
}

fn askama_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
