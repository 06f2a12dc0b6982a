//! The Management API (`/api/v2/*`): Auth0's shapes and status codes for clients, client grants,
//! connections, resource servers, users and tenant settings, for callers with a Management API
//! access token.

mod auth;
mod body;
mod client_grants;
mod clients;
mod connections;
mod listing;
mod patch;
mod resource;
mod resource_servers;
mod tenant_settings;
mod user_blocks;
mod users;

use authhero_core::entities::{Client, ClientGrant, Connection, ResourceServer, User};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::{any, get, post};

use self::resource::{get_one, list, remove, update};
use crate::error::ApiError;
use crate::state::AppState;

/// Auth0 refuses bodies over one megabyte (413).
const MAX_BODY_BYTES: usize = 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v2/clients", get(list::<Client>).post(clients::create))
        .route(
            "/api/v2/clients/{id}/rotate-secret",
            post(clients::rotate_secret),
        )
        .route(
            "/api/v2/clients/{id}",
            get(get_one::<Client>)
                .patch(update::<Client>)
                .delete(remove::<Client>),
        )
        .route(
            "/api/v2/client-grants",
            get(list::<ClientGrant>).post(client_grants::create),
        )
        .route(
            "/api/v2/client-grants/{id}",
            get(get_one::<ClientGrant>)
                .patch(client_grants::update)
                .delete(remove::<ClientGrant>),
        )
        .route(
            "/api/v2/connections",
            get(list::<Connection>).post(connections::create),
        )
        .route(
            "/api/v2/connections/{id}",
            get(get_one::<Connection>)
                .patch(update::<Connection>)
                .delete(remove::<Connection>),
        )
        .route(
            "/api/v2/resource-servers",
            get(list::<ResourceServer>).post(resource_servers::create),
        )
        .route(
            "/api/v2/resource-servers/{id}",
            get(get_one::<ResourceServer>)
                .patch(resource_servers::update)
                .delete(resource_servers::remove),
        )
        .route(
            "/api/v2/tenants/settings",
            get(tenant_settings::get).patch(tenant_settings::update),
        )
        .route("/api/v2/users", get(users::list).post(users::create))
        .route("/api/v2/users-by-email", get(users::by_email))
        .route(
            "/api/v2/users/{id}",
            get(get_one::<User>)
                .patch(users::update)
                .delete(remove::<User>),
        )
        .route(
            "/api/v2/user-blocks",
            get(user_blocks::get_for_identifier).delete(user_blocks::remove_for_identifier),
        )
        .route(
            "/api/v2/user-blocks/{id}",
            get(user_blocks::get_for_user).delete(user_blocks::remove_for_user),
        )
        .route("/api/v2/{*rest}", any(unknown_endpoint))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(
            MAX_BODY_BYTES,
        ))
}

/// Auth0's 404 for a path the Management API does not have.
async fn unknown_endpoint() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "Not Found")
}
