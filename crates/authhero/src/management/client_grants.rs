//! `/api/v2/client-grants`: which APIs a client may get tokens for, with which scopes. A grant
//! names an existing client and API, asks only for scopes the API defines, and is unique per
//! client and audience.

use authhero_core::entities::{Client, ClientGrant, ResourceServer};
use authhero_core::ports::Repository;
use authhero_core::{DataAdapters, Timestamp};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;

use super::auth::Caller;
use super::body::{JsonBody, payload_error};
use super::patch::PatchRules;
use super::resource::{self, Resource, find, not_found, scope};
use crate::error::ApiError;
use crate::random;
use crate::state::AppState;

impl Resource for ClientGrant {
    const COLLECTION: &'static str = "client_grants";
    const MISSING_CODE: &'static str = "inexistent_client_grant";
    const FILTERS: &'static [&'static str] = &["client_id", "audience"];
    const PATCH: PatchRules = PatchRules {
        updatable: &["scope", "organization_usage", "allow_any_organization"],
        merged: &[],
    };

    fn repository(adapters: &DataAdapters) -> &dyn Repository<Self> {
        adapters.client_grants.as_ref()
    }
}

/// The body of `POST /api/v2/client-grants`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewClientGrant {
    client_id: String,
    audience: String,
    scope: Vec<String>,
    organization_usage: Option<String>,
    allow_any_organization: Option<bool>,
}

impl NewClientGrant {
    fn into_client_grant(self, now: Timestamp) -> ClientGrant {
        ClientGrant {
            id: random::id("cgr"),
            client_id: self.client_id,
            audience: self.audience,
            scope: self.scope,
            organization_usage: self.organization_usage,
            allow_any_organization: self.allow_any_organization,
            created_at: now,
            updated_at: now,
        }
    }
}

/// `POST /api/v2/client-grants`.
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody,
) -> Result<(StatusCode, Json<ClientGrant>), ApiError> {
    let tenant = caller.tenant_for(&scope::<ClientGrant>("create"))?;
    let new_grant: NewClientGrant = body.parse()?;
    find::<Client>(&state, tenant, &new_grant.client_id).await?;
    let api = api_for(&state, tenant, &new_grant.audience).await?;
    check_scopes(&api, &new_grant.scope)?;
    resource::create(
        &state,
        tenant,
        new_grant.into_client_grant(Timestamp::now()),
    )
    .await
}

/// `PATCH /api/v2/client-grants/{id}`: the scopes must still be ones the API defines.
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<Json<ClientGrant>, ApiError> {
    let tenant = caller.tenant_for(&scope::<ClientGrant>("update"))?;
    let patch = ClientGrant::PATCH.check(body.into_object()?)?;
    let stored = find::<ClientGrant>(&state, tenant, &id).await?;
    let patched = patch.apply(&stored)?;
    let api = api_for(&state, tenant, &patched.audience).await?;
    check_scopes(&api, &patched.scope)?;
    Ok(Json(
        state.adapters.client_grants.update(tenant, patched).await?,
    ))
}

/// The API whose identifier is `audience`, or Auth0's 404.
async fn api_for(
    state: &AppState,
    tenant: &str,
    audience: &str,
) -> Result<ResourceServer, ApiError> {
    state
        .adapters
        .resource_servers
        .find_by_identifier(tenant, audience)
        .await?
        .ok_or_else(not_found::<ResourceServer>)
}

/// Auth0 refuses scopes the API does not define.
fn check_scopes(api: &ResourceServer, requested: &[String]) -> Result<(), ApiError> {
    let undefined: Vec<&str> = requested
        .iter()
        .map(String::as_str)
        .filter(|wanted| !api.scopes.iter().any(|defined| defined.value == *wanted))
        .collect();
    if undefined.is_empty() {
        return Ok(());
    }
    Err(payload_error(format!(
        "Scopes not defined by the resource server {}: {}",
        api.identifier,
        undefined.join(", ")
    )))
}
