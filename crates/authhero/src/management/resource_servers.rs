//! `/api/v2/resource-servers`: APIs, the audiences access tokens are issued for. The identifier
//! is unique within the tenant and cannot change; a system API (the Management API) cannot be
//! deleted and only its token settings can be changed.

use authhero_core::entities::{ResourceServer, ResourceServerScope};
use authhero_core::ports::Repository;
use authhero_core::{DataAdapters, Timestamp};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;

use super::auth::Caller;
use super::body::{JsonBody, require_non_empty};
use super::patch::PatchRules;
use super::resource::{self, Resource, find, scope};
use crate::error::ApiError;
use crate::random;
use crate::state::AppState;
use crate::tokens::DEFAULT_ACCESS_TOKEN_LIFETIME;

/// What a PATCH may change on a system API such as the Management API, as in Auth0.
const SYSTEM_PATCH: PatchRules = PatchRules {
    updatable: &[
        "token_lifetime",
        "skip_consent_for_verifiable_first_party_clients",
    ],
    merged: &[],
};

impl Resource for ResourceServer {
    const COLLECTION: &'static str = "resource_servers";
    const MISSING_CODE: &'static str = "inexistent_resource_server";
    const FILTERS: &'static [&'static str] = &[];
    const PATCH: PatchRules = PatchRules {
        updatable: &[
            "name",
            "scopes",
            "signing_alg",
            "signing_secret",
            "allow_offline_access",
            "skip_consent_for_verifiable_first_party_clients",
            "token_lifetime",
            "token_lifetime_for_web",
            "enforce_policies",
            "token_dialect",
        ],
        merged: &[],
    };

    fn repository(adapters: &DataAdapters) -> &dyn Repository<Self> {
        adapters.resource_servers.as_ref()
    }
}

/// The body of `POST /api/v2/resource-servers`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewResourceServer {
    identifier: String,
    name: Option<String>,
    #[serde(default)]
    scopes: Vec<ResourceServerScope>,
    signing_alg: Option<String>,
    signing_secret: Option<String>,
    #[serde(default)]
    allow_offline_access: bool,
    #[serde(default)]
    skip_consent_for_verifiable_first_party_clients: bool,
    token_lifetime: Option<u64>,
    token_lifetime_for_web: Option<u64>,
    #[serde(default)]
    enforce_policies: bool,
    token_dialect: Option<String>,
}

impl NewResourceServer {
    /// The API to store, with Auth0's defaults: named after its identifier, RS256, one day.
    fn into_resource_server(self, now: Timestamp) -> ResourceServer {
        ResourceServer {
            id: random::id("rs"),
            name: self.name.unwrap_or_else(|| self.identifier.clone()),
            identifier: self.identifier,
            scopes: self.scopes,
            signing_alg: Some(self.signing_alg.unwrap_or_else(|| "RS256".into())),
            signing_secret: self.signing_secret,
            allow_offline_access: self.allow_offline_access,
            skip_consent_for_verifiable_first_party_clients: self
                .skip_consent_for_verifiable_first_party_clients,
            token_lifetime: Some(self.token_lifetime.unwrap_or(DEFAULT_ACCESS_TOKEN_LIFETIME)),
            token_lifetime_for_web: self.token_lifetime_for_web,
            enforce_policies: self.enforce_policies,
            token_dialect: self.token_dialect,
            is_system: false,
            created_at: now,
            updated_at: now,
        }
    }
}

/// `POST /api/v2/resource-servers`.
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody,
) -> Result<(StatusCode, Json<ResourceServer>), ApiError> {
    let tenant = caller.tenant_for(&scope::<ResourceServer>("create"))?;
    let new_api: NewResourceServer = body.parse()?;
    require_non_empty("identifier", &new_api.identifier)?;
    resource::create(
        &state,
        tenant,
        new_api.into_resource_server(Timestamp::now()),
    )
    .await
}

/// `PATCH /api/v2/resource-servers/{id}`; a system API only lets its token settings change.
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<Json<ResourceServer>, ApiError> {
    let tenant = caller.tenant_for(&scope::<ResourceServer>("update"))?;
    let body = body.into_object()?;
    let stored = find::<ResourceServer>(&state, tenant, &id).await?;
    let rules = if stored.is_system {
        &SYSTEM_PATCH
    } else {
        &ResourceServer::PATCH
    };
    let patched = rules.check(body)?.apply(&stored)?;
    Ok(Json(
        state
            .adapters
            .resource_servers
            .update(tenant, patched)
            .await?,
    ))
}

/// `DELETE /api/v2/resource-servers/{id}`: 204, except for a system API, which must stay.
pub async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let tenant = caller.tenant_for(&scope::<ResourceServer>("delete"))?;
    let stored = state.adapters.resource_servers.get(tenant, &id).await?;
    if stored.is_some_and(|api| api.is_system) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "You cannot delete a system resource server.",
        )
        .with_code("operation_not_supported"));
    }
    state.adapters.resource_servers.remove(tenant, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
