//! `/api/v2/organizations/{id}/invitations`: invitations to join an organization, in Auth0's
//! shape. Each has a `ticket_id` and an `invitation_url` (the application's
//! `initiate_login_uri` with `invitation`, `organization` and `organization_name`), and expires
//! after `ttl_sec` (seven days unless told). Unless `send_invitation_email` is false, the
//! invitee is mailed the link. The login pages accept an invitation in their own issue.

use authhero_core::entities::{
    Client, Connection, Invitation, Invitee, Inviter, Metadata, Organization, Role,
};
use authhero_core::{ListParams, Query};
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::Value;

use super::auth::Caller;
use super::body::{JsonBody, from_json, payload_error};
use super::ids::all_exist;
use super::listing::{ListQuery, by_offset, invalid_query, page_reply};
use super::openapi;
use super::registry::{Body, Endpoint, Reply, endpoint};
use super::resource::find;
use crate::error::ApiError;
use crate::flows::{invitations, validation};
use crate::random;
use crate::state::AppState;

/// Auth0's default lifetime of an invitation: seven days; at most thirty.
const DEFAULT_TTL: i64 = 604_800;
const MAX_TTL: i64 = 2_592_000;
const MAX_ROLES: usize = 50;

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(Get "/organizations/{id}/invitations", "read:organization_invitations",
            "List an organization's invitations", list_invitations,
            Body::None => Reply::Ok(openapi::any_page))
        .paged(),
        endpoint!(Post "/organizations/{id}/invitations", "create:organization_invitations",
            "Invite someone to an organization", create_invitation,
            Body::Json(invitation_body) => Reply::Created(openapi::one::<Invitation>)),
        endpoint!(Get "/organizations/{id}/invitations/{invitation_id}",
            "read:organization_invitations", "Get an invitation", get_invitation,
            Body::None => Reply::Ok(openapi::one::<Invitation>)),
        endpoint!(Delete "/organizations/{id}/invitations/{invitation_id}",
            "delete:organization_invitations", "Delete an invitation", delete_invitation,
            Body::None => Reply::NoContent),
    ]
}

/// The body Auth0 takes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewInvitation {
    inviter: Inviter,
    invitee: Invitee,
    client_id: String,
    connection_id: Option<String>,
    #[serde(default)]
    app_metadata: Metadata,
    #[serde(default)]
    user_metadata: Metadata,
    ttl_sec: Option<i64>,
    #[serde(default)]
    roles: Vec<String>,
    /// Whether the invitee is mailed the link; yes unless told, as in Auth0.
    send_invitation_email: Option<bool>,
}

fn invitation_body(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "object",
        "properties": {
            "inviter": {
                "type": "object",
                "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 300}},
                "required": ["name"],
                "additionalProperties": false,
            },
            "invitee": {
                "type": "object",
                "properties": {"email": {"type": "string", "format": "email"}},
                "required": ["email"],
                "additionalProperties": false,
            },
            "client_id": {"type": "string", "minLength": 1},
            "connection_id": {"type": "string"},
            "app_metadata": {"type": "object"},
            "user_metadata": {"type": "object"},
            "ttl_sec": {"type": "integer", "minimum": 0, "maximum": MAX_TTL},
            "roles": {"type": "array", "items": {"type": "string"}, "maxItems": MAX_ROLES},
            "send_invitation_email": {"type": "boolean"},
        },
        "required": ["inviter", "invitee", "client_id"],
        "additionalProperties": false,
    })
}

fn missing_invitation() -> ApiError {
    ApiError::not_found("The invitation does not exist").with_code("inexistent_invitation")
}

/// The organization's invitation with this id, or Auth0's 404.
async fn invitation_of(
    state: &AppState,
    tenant: &str,
    organization_id: &str,
    id: &str,
) -> Result<Invitation, ApiError> {
    find::<Organization>(state, tenant, organization_id).await?;
    state
        .adapters
        .invitations
        .get(tenant, id)
        .await?
        .filter(|invitation| invitation.organization_id == organization_id)
        .ok_or_else(missing_invitation)
}

async fn list_invitations(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let tenant = caller.tenant();
    find::<Organization>(&state, tenant, &id).await?;
    let query = ListQuery::parse(query.as_deref(), &[])?;
    let params = query.params()?;
    let filter = Query::equals("organization_id", &id).map_err(invalid_query)?;
    let page = by_offset(&params, |page_params: ListParams| {
        let state = state.clone();
        let tenant = tenant.to_owned();
        let filter = filter.clone();
        async move {
            state
                .adapters
                .invitations
                .list(&tenant, &page_params.with_query(filter))
                .await
        }
    })
    .await?;
    page_reply("invitations", &query, &params, page)
}

async fn create_invitation(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<(StatusCode, Json<Invitation>), ApiError> {
    let tenant = caller.tenant();
    let request: NewInvitation = from_json(Value::Object(body.into_object()?))?;
    if request.inviter.name.trim().is_empty() {
        return Err(payload_error("inviter.name must not be empty"));
    }
    let email = validation::email(&request.invitee.email)
        .map_err(|_| payload_error("invitee.email must be an email address"))?;
    let ttl = match request.ttl_sec {
        None | Some(0) => DEFAULT_TTL,
        Some(seconds) if (1..=MAX_TTL).contains(&seconds) => seconds,
        Some(_) => {
            return Err(payload_error(format!(
                "ttl_sec must be 0 to {MAX_TTL} seconds"
            )));
        }
    };
    if request.roles.len() > MAX_ROLES {
        return Err(payload_error(format!("at most {MAX_ROLES} roles")));
    }
    let organization = find::<Organization>(&state, tenant, &id).await?;
    let client = find::<Client>(&state, tenant, &request.client_id).await?;
    if let Some(connection_id) = &request.connection_id {
        find::<Connection>(&state, tenant, connection_id).await?;
    }
    all_exist::<Role>(&state, tenant, &request.roles).await?;
    let Some(login_uri) = client.initiate_login_uri.as_deref() else {
        return Err(ApiError::bad_request(
            "The application needs an initiate_login_uri to invite users.",
        ));
    };
    let ticket_id = random::token(24);
    let mut url = url::Url::parse(login_uri)
        .map_err(|_| ApiError::bad_request("The application's initiate_login_uri is not a URL."))?;
    url.query_pairs_mut()
        .append_pair("invitation", &ticket_id)
        .append_pair("organization", &organization.id)
        .append_pair("organization_name", &organization.name);
    let now = state.now();
    let invitation = Invitation {
        id: random::id("uinv"),
        organization_id: organization.id.clone(),
        inviter: request.inviter,
        invitee: Invitee { email },
        client_id: client.client_id.clone(),
        connection_id: request.connection_id,
        invitation_url: Some(url.into()),
        ticket_id: Some(ticket_id),
        app_metadata: request.app_metadata,
        user_metadata: request.user_metadata,
        roles: request.roles,
        created_at: now,
        expires_at: now.plus_seconds(ttl),
    };
    let stored = state
        .adapters
        .invitations
        .create(tenant, invitation)
        .await?;
    if request.send_invitation_email.unwrap_or(true) {
        invitations::send(&state, tenant, &stored, &organization, &client);
    }
    Ok((StatusCode::CREATED, Json(stored)))
}

async fn get_invitation(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, invitation_id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let query = ListQuery::parse(query.as_deref(), &[])?;
    let invitation = invitation_of(&state, caller.tenant(), &id, &invitation_id).await?;
    query.one(invitation)
}

async fn delete_invitation(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, invitation_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let tenant = caller.tenant();
    invitation_of(&state, tenant, &id, &invitation_id).await?;
    state
        .adapters
        .invitations
        .remove(tenant, &invitation_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
