//! Static assets compiled into the binary: government intranets are offline, so no CDN.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "../../web/static"]
struct Own;

/// Front-end packages installed by npm from web/package-lock.json.
#[derive(RustEmbed)]
#[folder = "../../web/node_modules"]
#[include = "echarts/dist/echarts.min.js"]
struct Packages;

pub async fn serve(Path(path): Path<String>) -> Response {
    let file = match path.as_str() {
        "echarts.min.js" => Packages::get("echarts/dist/echarts.min.js"),
        other => Own::get(other),
    };
    match file {
        Some(f) => {
            let mime = mime_guess::from_path(&path).first_or_octet_stream();
            ([(header::CONTENT_TYPE, mime.as_ref()), (header::CACHE_CONTROL, "public, max-age=3600")], f.data).into_response()
        }
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}
