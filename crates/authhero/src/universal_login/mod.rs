//! Universal Login: the server-rendered pages under `/u/` that end users see, over the flows.

mod assets;
mod consent;
mod credentials;
mod email_verification;
mod login;
mod login_email;
mod login_email_code;
mod login_identifier;
mod login_password;
mod login_screen;
mod password_words;
mod reset_password;
mod reset_request;
mod result_url;
mod signup;
mod ticket_look;
mod transaction;
mod unblock;

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
        .route(
            "/u/login/identifier",
            get(login_identifier::show).post(login_identifier::submit),
        )
        .route(
            "/u/login/password",
            get(login_password::show).post(login_password::submit),
        )
        .route(
            "/u/login/email",
            get(login_email::show).post(login_email::submit),
        )
        .route(
            "/u/login/email-code",
            get(login_email_code::show).post(login_email_code::submit),
        )
        .route("/u/signup", get(signup::show).post(signup::submit))
        .route(
            "/u/reset-password/request",
            get(reset_request::show).post(reset_request::submit),
        )
        .route("/u/email-verification", get(email_verification::show))
        .route(
            "/u/reset-password",
            get(reset_password::show).post(reset_password::submit),
        )
        .route("/u/unblock", get(unblock::show))
        .route("/u/consent", get(consent::show).post(consent::submit))
        .route("/u/assets/universal-login.css", get(assets::stylesheet))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
}
