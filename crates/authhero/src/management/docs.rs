//! `/api/v2/docs`: a browsable reference of the Management API, Redoc rendering the published
//! OpenAPI document. Redoc is shipped inside the binary (`assets/redoc`), so the page loads
//! nothing from anywhere but this server.

use axum::Router;
use axum::http::HeaderValue;
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::response::IntoResponse;
use axum::routing::get;

use crate::state::AppState;

const PAGE: &str = include_str!("docs.html");
const REDOC: &str = include_str!("../../assets/redoc/redoc.standalone.js");

/// Redoc's needs and no more: its own script, the styles it injects, a search worker it starts
/// from a blob, and the document from this origin.
const PAGE_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src blob:; \
     base-uri 'none'; frame-ancestors 'none'";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v2/docs", get(page))
        .route("/api/v2/docs/redoc.standalone.js", get(script))
}

async fn page() -> impl IntoResponse {
    (
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (
                CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(PAGE_POLICY),
            ),
        ],
        PAGE,
    )
}

async fn script() -> impl IntoResponse {
    (
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static("text/javascript; charset=utf-8"),
            ),
            (
                CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            ),
        ],
        REDOC,
    )
}
