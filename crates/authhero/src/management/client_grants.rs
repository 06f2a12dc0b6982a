//! `/api/v2/client-grants`: which APIs a client may get tokens for, with which scopes. A grant
//! names an existing client and API, asks only for scopes the API defines, and is unique per
//! client and audience.

use async_trait::async_trait;
use authhero_core::DataAdapters;
use authhero_core::entities::{Client, ClientGrant, ResourceServer};
use authhero_core::ports::Repository;

use super::body::payload_error;
use super::fields::{Field, field};
use super::registry::Endpoint;
use super::resource::{self, Resource, find, not_found};
use crate::error::ApiError;
use crate::random;
use crate::state::AppState;

pub fn endpoints() -> Vec<Endpoint> {
    resource::crud::<ClientGrant>()
}

#[async_trait]
impl Resource for ClientGrant {
    const PATH: &'static str = "/client-grants";
    const COLLECTION: &'static str = "client_grants";
    const MISSING_CODE: &'static str = "inexistent_client_grant";
    const FILTERS: &'static [&'static str] = &["client_id", "audience"];
    const ID_FIELD: &'static str = "id";
    const HIDDEN: &'static [&'static str] = &["created_at", "updated_at", "organization_ids"];
    const FIELDS: &'static [Field] = &[
        field("client_id").required().fixed(),
        field("audience").required().fixed(),
        field("scope").required(),
        field("organization_usage"),
        field("allow_any_organization"),
    ];

    fn repository(adapters: &DataAdapters) -> &dyn Repository<Self> {
        adapters.client_grants.as_ref()
    }

    fn new_id() -> String {
        random::id("cgr")
    }

    /// The client and the API must exist, and the scopes must be ones the API defines.
    async fn admit(
        &self,
        state: &AppState,
        tenant: &str,
        stored: Option<&Self>,
    ) -> Result<(), ApiError> {
        if stored.is_none() {
            find::<Client>(state, tenant, &self.client_id).await?;
        }
        let api = api_for(state, tenant, &self.audience).await?;
        check_scopes(&api, &self.scope)
    }
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
