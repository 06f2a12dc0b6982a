//! Universal Login: the server-rendered pages under `/u/` that end users see, over the flows.

mod email_verification;
mod login;
mod reset_password;
mod result_url;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use tower_http::limit::RequestBodyLimitLayer;

use crate::state::AppState;

/// A login or reset form is a few fields; anything larger is refused (413) before it is read.
const MAX_BODY_BYTES: usize = 64 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/u/login", get(login::show).post(login::submit))
        .route("/u/email-verification", get(email_verification::show))
        .route(
            "/u/reset-password",
            get(reset_password::show).post(reset_password::submit),
        )
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
}
