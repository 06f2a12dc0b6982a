//! A user's roles and direct permissions: `/api/v2/users/{id}/roles` and
//! `/api/v2/users/{id}/permissions`. Roles here are tenant-wide (organization member roles live
//! under the organization); the permissions listed are those given to the user directly.

use authhero_core::entities::{Role, User};
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;

use super::auth::Caller;
use super::body::{JsonBody, from_json};
use super::ids::{all_exist, id_list};
use super::listing::{ListQuery, by_offset, page_reply};
use super::openapi;
use super::permissions::{PermissionsBody, checked_permissions, described, permissions_body};
use super::registry::{Body, Endpoint, Reply, endpoint};
use super::resource::{find, shown_page};
use crate::error::ApiError;
use crate::state::AppState;

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(Get "/users/{id}/roles", "read:users", "List a user's roles", list_roles,
            Body::None => Reply::Ok(openapi::page_of::<Role>))
        .paged(),
        endpoint!(Post "/users/{id}/roles", "update:users", "Give roles to a user", assign_roles,
            Body::Json(roles_body) => Reply::NoContent),
        endpoint!(Delete "/users/{id}/roles", "update:users", "Take roles from a user", remove_roles,
            Body::Json(roles_body) => Reply::NoContent),
        endpoint!(Get "/users/{id}/permissions", "read:users", "List a user's permissions",
            list_permissions, Body::None => Reply::Ok(openapi::any_page))
        .paged(),
        endpoint!(Post "/users/{id}/permissions", "update:users", "Give permissions to a user",
            add_permissions, Body::Json(permissions_body) => Reply::Created(openapi::any_object)),
        endpoint!(Delete "/users/{id}/permissions", "update:users",
            "Take permissions from a user", remove_permissions,
            Body::Json(permissions_body) => Reply::NoContent),
    ]
}

fn roles_body(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "object",
        "required": ["roles"],
        "properties": {"roles": {"type": "array", "minItems": 1, "items": {"type": "string"}}},
        "additionalProperties": false,
    })
}

/// `GET /api/v2/users/{id}/roles`.
async fn list_roles(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let tenant = caller.tenant();
    find::<User>(&state, tenant, &id).await?;
    let query = ListQuery::parse(query.as_deref(), &[])?;
    let params = query.params()?;
    let (adapters, id) = (&state.adapters, id.as_str());
    let page = by_offset(&params, |offset| async move {
        adapters.user_roles.list(tenant, id, None, &offset).await
    })
    .await?;
    page_reply("roles", &query, &params, shown_page(page, &caller)?)
}

/// The role ids a body names, each an existing role, for the existing user `id`.
async fn checked_roles(
    state: &AppState,
    tenant: &str,
    id: &str,
    body: JsonBody,
) -> Result<Vec<String>, ApiError> {
    let roles = id_list(body, "roles")?;
    find::<User>(state, tenant, id).await?;
    all_exist::<Role>(state, tenant, &roles).await?;
    Ok(roles)
}

/// `POST /api/v2/users/{id}/roles`: 204; roles the user has stay as they are.
async fn assign_roles(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<StatusCode, ApiError> {
    let tenant = caller.tenant();
    let roles = checked_roles(&state, tenant, &id, body).await?;
    state
        .adapters
        .user_roles
        .assign(tenant, &id, &roles, None)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /api/v2/users/{id}/roles`.
async fn remove_roles(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<StatusCode, ApiError> {
    let tenant = caller.tenant();
    let roles = checked_roles(&state, tenant, &id, body).await?;
    state
        .adapters
        .user_roles
        .remove(tenant, &id, &roles, None)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v2/users/{id}/permissions`.
async fn list_permissions(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let tenant = caller.tenant();
    find::<User>(&state, tenant, &id).await?;
    let query = ListQuery::parse(query.as_deref(), &[])?;
    let params = query.params()?;
    let (adapters, id) = (&state.adapters, id.as_str());
    let page = by_offset(&params, |offset| async move {
        adapters.user_permissions.list(tenant, id, &offset).await
    })
    .await?;
    let page = described(&state, tenant, page).await?;
    page_reply("permissions", &query, &params, page)
}

/// The permissions a body names, for the existing user `id`.
async fn user_permissions(
    state: &AppState,
    tenant: &str,
    id: &str,
    body: JsonBody,
) -> Result<Vec<authhero_core::entities::Permission>, ApiError> {
    let body: PermissionsBody = from_json(Value::Object(body.into_object()?))?;
    find::<User>(state, tenant, id).await?;
    checked_permissions(state, tenant, body.permissions).await
}

/// `POST /api/v2/users/{id}/permissions`: 201.
async fn add_permissions(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let tenant = caller.tenant();
    let permissions = user_permissions(&state, tenant, &id, body).await?;
    state
        .adapters
        .user_permissions
        .assign(tenant, &id, &permissions)
        .await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({}))))
}

/// `DELETE /api/v2/users/{id}/permissions`.
async fn remove_permissions(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<StatusCode, ApiError> {
    let tenant = caller.tenant();
    let permissions = user_permissions(&state, tenant, &id, body).await?;
    state
        .adapters
        .user_permissions
        .remove(tenant, &id, &permissions)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
