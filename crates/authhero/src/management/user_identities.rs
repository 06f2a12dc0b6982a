//! `/api/v2/users/{id}/identities`: account linking. POST links a secondary user into the
//! primary, named by `provider` and `user_id` (optionally `connection_id`), or by `link_with`,
//! an ID token this tenant issued to the secondary; DELETE unlinks one identity. Both answer
//! with the primary's identities.

use authhero_core::entities::{Connection, Identity};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::Value;

use super::auth::Caller;
use super::body::{JsonBody, from_json, payload_error};
use super::openapi;
use super::registry::{Body, Endpoint, Reply, endpoint};
use crate::error::ApiError;
use crate::flows::user_links::{self, LinkRefused};
use crate::state::{AppState, Issuer};
use crate::tokens;

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(Post "/users/{id}/identities", "update:users", "Link a user account", link,
            Body::Json(link_body) => Reply::Created(openapi::list_of::<Identity>)),
        endpoint!(Delete "/users/{id}/identities/{provider}/{user_id}", "update:users",
            "Unlink a user identity", unlink,
            Body::None => Reply::Ok(openapi::list_of::<Identity>)),
    ]
}

/// The body of `POST /api/v2/users/{id}/identities`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LinkRequest {
    provider: Option<String>,
    user_id: Option<String>,
    connection_id: Option<String>,
    link_with: Option<String>,
}

fn link_body(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "object",
        "properties": {
            "provider": {"type": "string", "minLength": 1},
            "user_id": {"type": "string", "minLength": 1},
            "connection_id": {"type": "string", "minLength": 1},
            "link_with": {"type": "string", "minLength": 1},
        },
        "additionalProperties": false,
    })
}

/// `POST /api/v2/users/{id}/identities`: 201 with the primary's identities.
async fn link(
    State(state): State<AppState>,
    caller: Caller,
    issuer: Issuer,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<(StatusCode, Json<Vec<Identity>>), ApiError> {
    let tenant = caller.tenant();
    let request: LinkRequest = from_json(Value::Object(body.into_object()?))?;
    let secondary = match (&request.link_with, &request.provider, &request.user_id) {
        (Some(token), None, None) if request.connection_id.is_none() => {
            linked_token_subject(&state, tenant, &issuer, token).await?
        }
        (None, Some(provider), Some(user_id)) if !provider.is_empty() && !user_id.is_empty() => {
            if user_id.starts_with(&format!("{provider}|")) {
                user_id.clone()
            } else {
                format!("{provider}|{user_id}")
            }
        }
        _ => {
            return Err(payload_error(
                "give either link_with, or provider and user_id (and optionally connection_id)",
            ));
        }
    };
    let connection = match &request.connection_id {
        Some(connection_id) => Some(connection_named_by(&state, tenant, connection_id).await?),
        None => None,
    };
    let identities =
        user_links::link(&state, tenant, &id, &secondary, connection.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(identities.map_err(refused)?)))
}

/// The name of the connection `connection_id`; Auth0 answers 400 when there is none.
async fn connection_named_by(
    state: &AppState,
    tenant: &str,
    connection_id: &str,
) -> Result<String, ApiError> {
    let connection: Option<Connection> = state
        .adapters
        .connections
        .get(tenant, connection_id)
        .await?;
    connection.map(|connection| connection.name).ok_or_else(|| {
        ApiError::bad_request("The connection does not exist.").with_code("inexistent_connection")
    })
}

/// The secondary user a `link_with` ID token names: one this issuer signed, unexpired, for
/// one of this tenant's applications.
async fn linked_token_subject(
    state: &AppState,
    tenant: &str,
    issuer: &Issuer,
    token: &str,
) -> Result<String, ApiError> {
    let invalid = || payload_error("link_with is not a valid ID token of this tenant");
    let claims = tokens::verify(state, &issuer.url, token, None)
        .await
        .map_err(|_| invalid())?;
    let audience = claims
        .get("aud")
        .and_then(Value::as_str)
        .ok_or_else(invalid)?;
    if state
        .adapters
        .clients
        .get(tenant, audience)
        .await?
        .is_none()
    {
        return Err(invalid());
    }
    claims
        .get("sub")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| payload_error("link_with names no user (no sub)"))
}

/// `DELETE /api/v2/users/{id}/identities/{provider}/{user_id}`: 200 with the primary's
/// remaining identities.
async fn unlink(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, provider, user_id)): Path<(String, String, String)>,
) -> Result<Json<Vec<Identity>>, ApiError> {
    let identities = user_links::unlink(&state, caller.tenant(), &id, &provider, &user_id).await?;
    Ok(Json(identities.map_err(refused)?))
}

/// Auth0's answer to a refused link: 404 for a primary that is not there, else 400.
fn refused(refusal: LinkRefused) -> ApiError {
    match refusal {
        LinkRefused::PrimaryMissing => {
            ApiError::not_found(refusal.to_string()).with_code("inexistent_user")
        }
        _ => ApiError::bad_request(refusal.to_string()).with_code("invalid_body"),
    }
}
