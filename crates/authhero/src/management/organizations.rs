//! `/api/v2/organizations`: B2B organizations, found by id or by name, with their members, the
//! roles each member has in the organization, and the connections enabled for it. Names follow
//! Auth0's pattern (lower-case letters, digits, `-` and `_`, at most 50) and are unique.

use async_trait::async_trait;
use authhero_core::entities::{Connection, Organization, OrganizationConnection, Role, User};
use authhero_core::ports::Repository;
use authhero_core::{DataAdapters, ListParams, Query};
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::auth::Caller;
use super::body::{JsonBody, from_json};
use super::fields::{Field, field};
use super::ids::{all_exist, id_list, summaries};
use super::listing::{
    ListQuery, by_offset, invalid_query, page_in_memory, page_reply, query_error,
};
use super::openapi;
use super::registry::{Body, Endpoint, Reply, endpoint};
use super::resource::{self, Resource, find, not_found, shown_page};
use crate::error::ApiError;
use crate::random;
use crate::state::AppState;

const MAX_NAME_CHARS: usize = 50;

pub fn endpoints() -> Vec<Endpoint> {
    let mut endpoints = resource::crud::<Organization>();
    endpoints.extend([
        endpoint!(Get "/organizations/name/{name}", "read:organizations",
            "Get an organization by name", by_name, Body::None => Reply::Ok(openapi::one::<Organization>)),
        endpoint!(Get "/users/{id}/organizations", "read:organizations",
            "List a user's organizations", user_organizations,
            Body::None => Reply::Ok(openapi::page_of::<Organization>))
        .paged(),
        endpoint!(Get "/organizations/{id}/members", "read:organization_members",
            "List an organization's members", list_members, Body::None => Reply::Ok(openapi::any_page))
        .paged(),
        endpoint!(Post "/organizations/{id}/members", "create:organization_members",
            "Add members to an organization", add_members,
            Body::Json(openapi::any_object) => Reply::NoContent),
        endpoint!(Delete "/organizations/{id}/members", "delete:organization_members",
            "Remove members from an organization", remove_members,
            Body::Json(openapi::any_object) => Reply::NoContent),
        endpoint!(Get "/organizations/{id}/members/{user_id}/roles",
            "read:organization_member_roles", "List a member's roles", list_member_roles,
            Body::None => Reply::Ok(openapi::page_of::<Role>))
        .paged(),
        endpoint!(Post "/organizations/{id}/members/{user_id}/roles",
            "create:organization_member_roles", "Give roles to a member", assign_member_roles,
            Body::Json(openapi::any_object) => Reply::NoContent),
        endpoint!(Delete "/organizations/{id}/members/{user_id}/roles",
            "delete:organization_member_roles", "Take roles from a member", remove_member_roles,
            Body::Json(openapi::any_object) => Reply::NoContent),
        endpoint!(Get "/organizations/{id}/enabled_connections", "read:organization_connections",
            "List an organization's connections", list_connections,
            Body::None => Reply::Ok(openapi::any_page))
        .paged(),
        endpoint!(Post "/organizations/{id}/enabled_connections",
            "create:organization_connections", "Enable a connection for an organization",
            enable_connection, Body::Json(openapi::any_object) => Reply::Created(openapi::any_object)),
        endpoint!(Get "/organizations/{id}/enabled_connections/{connection_id}",
            "read:organization_connections", "Get an organization's connection", get_connection,
            Body::None => Reply::Ok(openapi::any_object)),
        endpoint!(Patch "/organizations/{id}/enabled_connections/{connection_id}",
            "update:organization_connections", "Change an organization's connection",
            update_connection, Body::Json(openapi::any_object) => Reply::Ok(openapi::any_object)),
        endpoint!(Delete "/organizations/{id}/enabled_connections/{connection_id}",
            "delete:organization_connections", "Disable a connection for an organization",
            disable_connection, Body::None => Reply::NoContent),
    ]);
    endpoints
}

#[async_trait]
impl Resource for Organization {
    const PATH: &'static str = "/organizations";
    const COLLECTION: &'static str = "organizations";
    const MISSING_CODE: &'static str = "inexistent_organization";
    const FILTERS: &'static [&'static str] = &[];
    const ID_FIELD: &'static str = "id";
    const HIDDEN: &'static [&'static str] = &["created_at", "updated_at"];
    const FIELDS: &'static [Field] = &[
        field("name").required(),
        field("display_name"),
        field("branding"),
        field("metadata"),
    ];

    fn repository(adapters: &DataAdapters) -> &dyn Repository<Self> {
        adapters.organizations.as_ref()
    }

    fn new_id() -> String {
        random::id("org")
    }

    /// Auth0's rule for organization names.
    fn check(&self) -> Result<(), ApiError> {
        let well_formed = !self.name.is_empty()
            && self.name.chars().count() <= MAX_NAME_CHARS
            && self
                .name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if well_formed {
            return Ok(());
        }
        Err(ApiError::bad_request(format!(
            "Payload validation error: 'String does not match pattern ^[a-z0-9_-]{{1,{MAX_NAME_CHARS}}}$: {}' on property name.",
            self.name
        )))
    }
}

/// `GET /api/v2/organizations/name/{name}`.
async fn by_name(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let by_name =
        ListParams::default().with_query(Query::equals("name", name).map_err(invalid_query)?);
    let found = state
        .adapters
        .organizations
        .list(caller.tenant(), &by_name)
        .await
        .map_err(query_error)?;
    let organization = found
        .items
        .into_iter()
        .next()
        .ok_or_else(not_found::<Organization>)?;
    Ok(Json(resource::shown(organization, &caller)?))
}

/// `GET /api/v2/users/{id}/organizations`.
async fn user_organizations(
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
    let memberships = by_offset(&params, |offset| async move {
        adapters
            .organization_members
            .list_by_user(tenant, id, &offset)
            .await
    })
    .await?;
    let mut organizations = Vec::with_capacity(memberships.items.len());
    for membership in &memberships.items {
        if let Some(organization) = adapters
            .organizations
            .get(tenant, &membership.organization_id)
            .await?
        {
            organizations.push(resource::shown(organization, &caller)?);
        }
    }
    let page = authhero_core::ListPage {
        items: organizations,
        total: memberships.total,
        next: memberships.next,
    };
    page_reply(Organization::COLLECTION, &query, &params, page)
}

/// `GET /api/v2/organizations/{id}/members`.
async fn list_members(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let tenant = caller.tenant();
    find::<Organization>(&state, tenant, &id).await?;
    let query = ListQuery::parse(query.as_deref(), &[])?;
    let params = query.params()?;
    let (adapters, id) = (&state.adapters, id.as_str());
    let members = by_offset(&params, |offset| async move {
        adapters
            .organization_members
            .list(tenant, id, &offset)
            .await
    })
    .await?;
    let ids: Vec<String> = members
        .items
        .iter()
        .map(|member| member.user_id.clone())
        .collect();
    let users = summaries(&state, tenant, &ids).await?;
    let page = authhero_core::ListPage {
        items: users,
        total: members.total,
        next: members.next,
    };
    page_reply("members", &query, &params, page)
}

/// The user ids a members body names, each an existing user, for an existing organization.
async fn checked_members(
    state: &AppState,
    tenant: &str,
    id: &str,
    body: JsonBody,
) -> Result<Vec<String>, ApiError> {
    let members = id_list(body, "members")?;
    find::<Organization>(state, tenant, id).await?;
    all_exist::<User>(state, tenant, &members).await?;
    Ok(members)
}

/// `POST /api/v2/organizations/{id}/members`: 204; existing members stay as they are.
async fn add_members(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<StatusCode, ApiError> {
    let tenant = caller.tenant();
    let members = checked_members(&state, tenant, &id, body).await?;
    state
        .adapters
        .organization_members
        .add(tenant, &id, &members)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /api/v2/organizations/{id}/members`: also their roles in the organization.
async fn remove_members(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<StatusCode, ApiError> {
    let tenant = caller.tenant();
    let members = checked_members(&state, tenant, &id, body).await?;
    state
        .adapters
        .organization_members
        .remove(tenant, &id, &members)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v2/organizations/{id}/members/{user_id}/roles`.
async fn list_member_roles(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, user_id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let tenant = caller.tenant();
    find::<Organization>(&state, tenant, &id).await?;
    let query = ListQuery::parse(query.as_deref(), &[])?;
    let params = query.params()?;
    let (adapters, id, user_id) = (&state.adapters, id.as_str(), user_id.as_str());
    let page = by_offset(&params, |offset| async move {
        adapters
            .user_roles
            .list(tenant, user_id, Some(id), &offset)
            .await
    })
    .await?;
    page_reply("roles", &query, &params, shown_page(page, &caller)?)
}

/// The role ids a body names, for a member of an existing organization.
async fn checked_member_roles(
    state: &AppState,
    tenant: &str,
    id: &str,
    user_id: &str,
    body: JsonBody,
) -> Result<Vec<String>, ApiError> {
    let roles = id_list(body, "roles")?;
    find::<Organization>(state, tenant, id).await?;
    find::<User>(state, tenant, user_id).await?;
    all_exist::<Role>(state, tenant, &roles).await?;
    Ok(roles)
}

/// `POST /api/v2/organizations/{id}/members/{user_id}/roles`: 204.
async fn assign_member_roles(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, user_id)): Path<(String, String)>,
    body: JsonBody,
) -> Result<StatusCode, ApiError> {
    let tenant = caller.tenant();
    let roles = checked_member_roles(&state, tenant, &id, &user_id, body).await?;
    state
        .adapters
        .user_roles
        .assign(tenant, &user_id, &roles, Some(&id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /api/v2/organizations/{id}/members/{user_id}/roles`: 204.
async fn remove_member_roles(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, user_id)): Path<(String, String)>,
    body: JsonBody,
) -> Result<StatusCode, ApiError> {
    let tenant = caller.tenant();
    let roles = checked_member_roles(&state, tenant, &id, &user_id, body).await?;
    state
        .adapters
        .user_roles
        .remove(tenant, &user_id, &roles, Some(&id))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A connection enabled for an organization, as Auth0 shows it: its settings and which
/// connection it is.
#[derive(Debug, Serialize)]
struct EnabledConnection {
    #[serde(flatten)]
    settings: OrganizationConnection,
    connection: ConnectionSummary,
}

#[derive(Debug, Serialize)]
struct ConnectionSummary {
    name: String,
    strategy: String,
}

impl EnabledConnection {
    fn of(settings: OrganizationConnection, connection: &Connection) -> Self {
        Self {
            settings,
            connection: ConnectionSummary {
                name: connection.name.clone(),
                strategy: connection.strategy.clone(),
            },
        }
    }
}

/// `GET /api/v2/organizations/{id}/enabled_connections`.
async fn list_connections(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let tenant = caller.tenant();
    find::<Organization>(&state, tenant, &id).await?;
    let query = ListQuery::parse(query.as_deref(), &[])?;
    let params = query.params()?;
    let enabled = state
        .adapters
        .organization_connections
        .list(tenant, &id)
        .await?;
    let mut items = Vec::with_capacity(enabled.len());
    for settings in enabled {
        if let Some(connection) = state
            .adapters
            .connections
            .get(tenant, &settings.connection_id)
            .await?
        {
            items.push(EnabledConnection::of(settings, &connection));
        }
    }
    let page = page_in_memory(items, &params)?;
    page_reply("enabled_connections", &query, &params, page)
}

/// `POST /api/v2/organizations/{id}/enabled_connections`: 201 with the enabled connection.
async fn enable_connection(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<(StatusCode, Json<EnabledConnection>), ApiError> {
    let tenant = caller.tenant();
    let settings: OrganizationConnection = from_json(Value::Object(body.into_object()?))?;
    find::<Organization>(&state, tenant, &id).await?;
    let connection = find::<Connection>(&state, tenant, &settings.connection_id).await?;
    let stored = state
        .adapters
        .organization_connections
        .set(tenant, &id, settings)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(EnabledConnection::of(stored, &connection)),
    ))
}

/// The organization's settings for the connection, or Auth0's 404.
async fn enabled(
    state: &AppState,
    tenant: &str,
    id: &str,
    connection_id: &str,
) -> Result<(OrganizationConnection, Connection), ApiError> {
    find::<Organization>(state, tenant, id).await?;
    let settings = state
        .adapters
        .organization_connections
        .get(tenant, id, connection_id)
        .await?
        .ok_or_else(not_found::<Connection>)?;
    let connection = find::<Connection>(state, tenant, connection_id).await?;
    Ok((settings, connection))
}

/// `GET /api/v2/organizations/{id}/enabled_connections/{connection_id}`.
async fn get_connection(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, connection_id)): Path<(String, String)>,
) -> Result<Json<EnabledConnection>, ApiError> {
    let (settings, connection) = enabled(&state, caller.tenant(), &id, &connection_id).await?;
    Ok(Json(EnabledConnection::of(settings, &connection)))
}

/// What a PATCH of an enabled connection may change.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConnectionChanges {
    assign_membership_on_login: Option<bool>,
    show_as_button: Option<bool>,
    is_signup_enabled: Option<bool>,
}

/// `PATCH /api/v2/organizations/{id}/enabled_connections/{connection_id}`.
async fn update_connection(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, connection_id)): Path<(String, String)>,
    body: JsonBody,
) -> Result<Json<EnabledConnection>, ApiError> {
    let tenant = caller.tenant();
    let changes: ConnectionChanges = from_json(Value::Object(body.into_object()?))?;
    let (mut settings, connection) = enabled(&state, tenant, &id, &connection_id).await?;
    if let Some(assign) = changes.assign_membership_on_login {
        settings.assign_membership_on_login = assign;
    }
    if let Some(show) = changes.show_as_button {
        settings.show_as_button = show;
    }
    if let Some(signup) = changes.is_signup_enabled {
        settings.is_signup_enabled = signup;
    }
    let stored = state
        .adapters
        .organization_connections
        .set(tenant, &id, settings)
        .await?;
    Ok(Json(EnabledConnection::of(stored, &connection)))
}

/// `DELETE /api/v2/organizations/{id}/enabled_connections/{connection_id}`: 204.
async fn disable_connection(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, connection_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let tenant = caller.tenant();
    find::<Organization>(&state, tenant, &id).await?;
    state
        .adapters
        .organization_connections
        .remove(tenant, &id, &connection_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
