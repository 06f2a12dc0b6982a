//! The Auth API: OAuth 2.0 and OpenID Connect endpoints, with Auth0's shapes.

mod authorize;
mod client_auth;
mod custom_domain_check;
mod dbconnections;
mod discovery;
mod form;
mod logout;
mod passwordless;
mod revoke;
mod token;
mod userinfo;

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Method, header};
use axum::routing::{get, post};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;

use crate::flows::custom_domains::WELL_KNOWN_PATH;
use crate::state::AppState;

/// Requests larger than this are refused (413): at once when `Content-Length` declares more,
/// else as soon as the body grows past it.
const MAX_BODY_BYTES: usize = 64 * 1024;

pub fn routes() -> Router<AppState> {
    // What browser apps (SPAs) call across origins: discovery, keys, tokens, userinfo,
    // revocation. None of them uses cookies, so any origin may call them without credentials;
    // what protects them is the code, verifier, token or secret each request must carry.
    let cross_origin = Router::new()
        .route(
            "/.well-known/openid-configuration",
            get(discovery::openid_configuration),
        )
        .route(
            "/.well-known/oauth-authorization-server",
            get(discovery::openid_configuration),
        )
        .route("/.well-known/jwks.json", get(discovery::jwks))
        .route("/oauth/token", post(token::token))
        .route("/oauth/revoke", post(revoke::revoke))
        .route("/passwordless/start", post(passwordless::start))
        .route(
            "/userinfo",
            get(userinfo::userinfo).post(userinfo::userinfo),
        )
        .layer(
            CorsLayer::new()
                .allow_origin(AllowOrigin::mirror_request())
                .allow_methods([Method::GET, Method::POST])
                .allow_headers([
                    header::AUTHORIZATION,
                    header::CONTENT_TYPE,
                    HeaderName::from_static("auth0-client"),
                ])
                .max_age(Duration::from_secs(86_400)),
        );
    Router::new()
        .merge(cross_origin)
        .route("/authorize", get(authorize::authorize))
        .route("/dbconnections/signup", post(dbconnections::signup))
        .route(
            "/dbconnections/change_password",
            post(dbconnections::change_password),
        )
        .route("/v2/logout", get(logout::v2_logout))
        .route(
            "/oidc/logout",
            get(logout::oidc_logout_get).post(logout::oidc_logout_post),
        )
        .route(
            &format!("{WELL_KNOWN_PATH}{{custom_domain_id}}"),
            get(custom_domain_check::verification_token),
        )
        .route("/healthz", get(|| async { "ok" }))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
}
