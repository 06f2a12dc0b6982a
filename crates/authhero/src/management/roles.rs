//! `/api/v2/roles`: RBAC roles, the permissions (API scopes) each gives, and the users who have
//! it tenant-wide. Names are unique within the tenant; a permission must be a scope its API
//! defines.

use async_trait::async_trait;
use authhero_core::entities::{Permission, Role, User};
use authhero_core::ports::Repository;
use authhero_core::query::{FieldPath, Pattern};
use authhero_core::{DataAdapters, Query};
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::auth::Caller;
use super::body::{JsonBody, from_json, require_non_empty};
use super::fields::{Field, field};
use super::ids::{all_exist, id_list, summaries};
use super::listing::{ListQuery, by_offset, invalid_query, page_reply};
use super::openapi;
use super::permissions::{PermissionsBody, checked_permissions, described, permissions_body};
use super::registry::{Body, Endpoint, Reply, endpoint};
use super::resource::{self, Resource, find};
use crate::error::ApiError;
use crate::random;
use crate::state::AppState;

pub fn endpoints() -> Vec<Endpoint> {
    let mut endpoints = resource::crud::<Role>();
    endpoints.extend([
        endpoint!(Get "/roles/{id}/permissions", "read:roles", "List a role's permissions",
            list_permissions, Body::None => Reply::Ok(openapi::any_page))
        .paged(),
        endpoint!(Post "/roles/{id}/permissions", "update:roles", "Add permissions to a role",
            add_permissions, Body::Json(permissions_body) => Reply::Created(openapi::any_object)),
        endpoint!(Delete "/roles/{id}/permissions", "update:roles", "Remove permissions from a role",
            remove_permissions, Body::Json(permissions_body) => Reply::NoContent),
        endpoint!(Get "/roles/{id}/users", "read:roles", "List a role's users",
            list_users, Body::None => Reply::Ok(openapi::any_page))
        .paged(),
        endpoint!(Post "/roles/{id}/users", "update:roles", "Give a role to users",
            assign_users, Body::Json(openapi::any_object) => Reply::Ok(openapi::any_object)),
    ]);
    endpoints
}

#[async_trait]
impl Resource for Role {
    const PATH: &'static str = "/roles";
    const COLLECTION: &'static str = "roles";
    const MISSING_CODE: &'static str = "inexistent_role";
    const FILTERS: &'static [&'static str] = &["name_filter"];
    const ID_FIELD: &'static str = "id";
    const HIDDEN: &'static [&'static str] = &["created_at", "updated_at"];
    const FIELDS: &'static [Field] = &[field("name").required(), field("description")];

    fn repository(adapters: &DataAdapters) -> &dyn Repository<Self> {
        adapters.roles.as_ref()
    }

    fn new_id() -> String {
        random::id("rol")
    }

    fn check(&self) -> Result<(), ApiError> {
        require_non_empty("name", &self.name)
    }

    /// `name_filter`: roles whose name starts with it.
    fn list_filter(query: &ListQuery) -> Result<Option<Query>, ApiError> {
        let Some(prefix) = query.get("name_filter") else {
            return Ok(None);
        };
        let field = FieldPath::parse("name").map_err(invalid_query)?;
        Ok(Some(Query::Match {
            field: Some(field),
            pattern: Pattern::Prefix(prefix.to_owned()),
        }))
    }
}

/// `GET /api/v2/roles/{id}/permissions`.
async fn list_permissions(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let tenant = caller.tenant();
    find::<Role>(&state, tenant, &id).await?;
    let query = ListQuery::parse(query.as_deref(), &[])?;
    let params = query.params()?;
    let (adapters, id) = (&state.adapters, id.as_str());
    let page = by_offset(&params, |offset| async move {
        adapters.role_permissions.list(tenant, id, &offset).await
    })
    .await?;
    let page = described(&state, tenant, page).await?;
    page_reply("permissions", &query, &params, page)
}

/// `POST /api/v2/roles/{id}/permissions`: 201; permissions the role has stay as they are.
async fn add_permissions(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let tenant = caller.tenant();
    let permissions = role_permissions(&state, tenant, &id, body).await?;
    state
        .adapters
        .role_permissions
        .assign(tenant, &id, &permissions)
        .await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({}))))
}

/// `DELETE /api/v2/roles/{id}/permissions`.
async fn remove_permissions(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<StatusCode, ApiError> {
    let tenant = caller.tenant();
    let permissions = role_permissions(&state, tenant, &id, body).await?;
    state
        .adapters
        .role_permissions
        .remove(tenant, &id, &permissions)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The permissions a body names for the existing role `id`.
async fn role_permissions(
    state: &AppState,
    tenant: &str,
    id: &str,
    body: JsonBody,
) -> Result<Vec<Permission>, ApiError> {
    let body: PermissionsBody = from_json(serde_json::Value::Object(body.into_object()?))?;
    find::<Role>(state, tenant, id).await?;
    checked_permissions(state, tenant, body.permissions).await
}

/// `GET /api/v2/roles/{id}/users`: those who have the role tenant-wide.
async fn list_users(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let tenant = caller.tenant();
    find::<Role>(&state, tenant, &id).await?;
    let query = ListQuery::parse(query.as_deref(), &[])?;
    let params = query.params()?;
    let (adapters, id) = (&state.adapters, id.as_str());
    let assignments = by_offset(&params, |offset| async move {
        adapters.user_roles.list_by_role(tenant, id, &offset).await
    })
    .await?;
    let tenant_wide = assignments
        .items
        .iter()
        .filter(|assignment| assignment.organization_id.is_none())
        .map(|assignment| assignment.user_id.clone())
        .collect::<Vec<_>>();
    let users = summaries(&state, tenant, &tenant_wide).await?;
    let page = authhero_core::ListPage {
        items: users,
        total: assignments.total,
        next: assignments.next,
    };
    page_reply("users", &query, &params, page)
}

/// `POST /api/v2/roles/{id}/users`: the role, tenant-wide, for each existing user.
async fn assign_users(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<Json<serde_json::Value>, ApiError> {
    let tenant = caller.tenant();
    let users = id_list(body, "users")?;
    find::<Role>(&state, tenant, &id).await?;
    // Every user first, so that one unknown id writes nothing.
    all_exist::<User>(&state, tenant, &users).await?;
    let role = [id];
    for user_id in &users {
        state
            .adapters
            .user_roles
            .assign(tenant, user_id, &role, None)
            .await?;
    }
    Ok(Json(serde_json::json!({})))
}
