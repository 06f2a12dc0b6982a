//! The Management API (`/api/v2/*`): Auth0's shapes and status codes, for callers with a
//! Management API access token. Every endpoint is declared once in the [`registry`]; the
//! router, the API's scopes and the OpenAPI document at `/api/v2/openapi.json` come from it;
//! `/api/v2/docs` renders that document.

mod audit;
mod auth;
mod body;
mod client_grants;
mod clients;
mod connections;
mod custom_domains;
mod custom_text;
mod docs;
mod emails;
mod exports;
mod fields;
mod guardian_enrollments;
mod ids;
mod jobs;
mod listing;
mod login_template;
mod logs;
mod not_built;
mod openapi;
mod organization_client_grants;
mod organization_invitations;
mod organizations;
mod patch;
mod permissions;
mod registry;
mod resource;
mod resource_servers;
mod roles;
mod sessions;
mod settings;
mod signing_keys;
mod stats;
mod tenant_settings;
mod themes;
mod tickets;
mod user_authentication_methods;
mod user_blocks;
mod user_identities;
mod user_rbac;
mod users;
mod verification_email;

use std::sync::OnceLock;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{any, get};
use bytes::Bytes;

use crate::error::ApiError;
use crate::state::AppState;

/// Every scope the Management API defines, sorted.
pub fn scopes() -> Vec<String> {
    registry::scopes(&catalogue())
}

/// Every endpoint, resource by resource.
fn catalogue() -> Vec<registry::Endpoint> {
    [
        clients::endpoints(),
        client_grants::endpoints(),
        connections::endpoints(),
        custom_domains::endpoints(),
        custom_text::endpoints(),
        emails::endpoints(),
        guardian_enrollments::endpoints(),
        exports::endpoints(),
        jobs::endpoints(),
        login_template::endpoints(),
        logs::endpoints(),
        not_built::endpoints(),
        organizations::endpoints(),
        organization_invitations::endpoints(),
        organization_client_grants::endpoints(),
        resource_servers::endpoints(),
        roles::endpoints(),
        sessions::endpoints(),
        settings::all_endpoints(),
        signing_keys::endpoints(),
        stats::endpoints(),
        tenant_settings::endpoints(),
        themes::endpoints(),
        tickets::endpoints(),
        users::endpoints(),
        user_identities::endpoints(),
        user_authentication_methods::endpoints(),
        user_blocks::endpoints(),
        user_rbac::endpoints(),
        verification_email::endpoints(),
    ]
    .concat()
}

pub fn routes() -> Router<AppState> {
    registry::router(&catalogue())
        .route("/api/v2/openapi.json", get(openapi_document))
        .route("/exports/{file}", get(exports::download))
        .merge(docs::routes())
        .route("/api/v2/{*rest}", any(unknown_endpoint))
}

/// The OpenAPI document, built at its first request and kept as bytes: a server that is never
/// asked for it never holds it, and one that is holds a megabyte of text, not a JSON tree.
async fn openapi_document() -> impl IntoResponse {
    static DOCUMENT: OnceLock<Bytes> = OnceLock::new();
    let document = DOCUMENT.get_or_init(|| {
        serde_json::to_vec(&openapi::document(&catalogue()))
            .map(Bytes::from)
            .unwrap_or_default()
    });
    (
        [(header::CONTENT_TYPE, "application/json")],
        document.clone(),
    )
}

/// Auth0's 404 for a path the Management API does not have.
async fn unknown_endpoint() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "Not Found")
}
