//! `/api/v2/user-blocks`: brute-force protection's blocks, in Auth0's shapes. A user's blocks
//! are those of each identifier it logs in with (email, username, phone number); listing needs
//! `read:users`, lifting a block `update:users`.

use authhero_core::entities::{LoginFailure, User};
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::auth::Caller;
use super::listing::{ListQuery, invalid_query, query_error};
use super::openapi;
use super::registry::{Body, Endpoint, Reply, endpoint};
use super::resource::find;
use crate::error::ApiError;
use crate::flows::brute_force;
use crate::state::AppState;

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(Get "/user-blocks", "read:users", "Get blocks by identifier", get_for_identifier,
            Body::None => Reply::Ok(openapi::any_object)).reading(&["identifier"]),
        endpoint!(Delete "/user-blocks", "update:users", "Unblock by identifier", remove_for_identifier,
            Body::None => Reply::NoContent).reading(&["identifier"]),
        endpoint!(Get "/user-blocks/{id}", "read:users", "Get a user's blocks", get_for_user,
            Body::None => Reply::Ok(openapi::any_object)),
        endpoint!(Delete "/user-blocks/{id}", "update:users", "Unblock a user", remove_for_user,
            Body::None => Reply::NoContent),
    ]
}

/// Auth0's answer: `{"blocked_for": [{"identifier", "ip", "connection"}]}`, the connection when
/// the blocks are a user's (counters are kept per identifier, whatever the connection).
fn reply(blocks: Vec<LoginFailure>, connection: Option<&str>) -> Json<Value> {
    let blocked_for: Vec<Value> = blocks
        .into_iter()
        .map(|block| {
            let mut entry = json!({"identifier": block.identifier, "ip": block.ip});
            if let Some(connection) = connection {
                entry["connection"] = connection.into();
            }
            entry
        })
        .collect();
    Json(json!({ "blocked_for": blocked_for }))
}

/// The `identifier` parameter, required by the collection's GET and DELETE. Other parameters
/// (Auth0's `consider_brute_force_enablement`: protection is always on here) are ignored.
fn identifier(query: Option<&str>) -> Result<String, ApiError> {
    let query = ListQuery::parse(query, &["identifier"])?;
    query
        .get("identifier")
        .map(brute_force::normalize)
        .filter(|identifier| !identifier.is_empty())
        .ok_or_else(|| invalid_query("Missing required property: identifier"))
}

/// The user `id`, or Auth0's 404.
async fn user(state: &AppState, tenant: &str, id: &str) -> Result<User, ApiError> {
    find::<User>(state, tenant, id).await
}

/// `GET /api/v2/user-blocks/{id}`.
async fn get_for_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let tenant = caller.tenant();
    let user = user(&state, tenant, &id).await?;
    let blocks = brute_force::blocks(&state, tenant, &brute_force::identifiers(&user)).await?;
    Ok(reply(blocks, user.connection()))
}

/// `DELETE /api/v2/user-blocks/{id}`: lifts every block of the user.
async fn remove_for_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let tenant = caller.tenant();
    let user = user(&state, tenant, &id).await?;
    brute_force::unblock(&state, tenant, &brute_force::identifiers(&user)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v2/user-blocks?identifier=`.
async fn get_for_identifier(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let tenant = caller.tenant();
    let identifier = identifier(query.as_deref())?;
    let blocks = brute_force::blocks(&state, tenant, &[identifier])
        .await
        .map_err(query_error)?;
    Ok(reply(blocks, None))
}

/// `DELETE /api/v2/user-blocks?identifier=`.
async fn remove_for_identifier(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> Result<StatusCode, ApiError> {
    let tenant = caller.tenant();
    let identifier = identifier(query.as_deref())?;
    brute_force::unblock(&state, tenant, &[identifier])
        .await
        .map_err(query_error)?;
    Ok(StatusCode::NO_CONTENT)
}
