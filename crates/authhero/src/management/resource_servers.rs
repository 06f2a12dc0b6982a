//! `/api/v2/resource-servers`: APIs, the audiences access tokens are issued for. The identifier
//! is unique within the tenant and cannot change; a system API (the Management API) cannot be
//! deleted and only its token settings can be changed.

use async_trait::async_trait;
use authhero_core::DataAdapters;
use authhero_core::entities::ResourceServer;
use authhero_core::ports::Repository;
use axum::http::StatusCode;
use serde_json::{Map, Value};

use super::body::require_non_empty;
use super::fields::{Field, field};
use super::registry::Endpoint;
use super::resource::{self, Resource};
use crate::error::ApiError;
use crate::random;
use crate::tokens::DEFAULT_ACCESS_TOKEN_LIFETIME;

pub fn endpoints() -> Vec<Endpoint> {
    resource::crud::<ResourceServer>()
}

/// What a PATCH may change on a system API such as the Management API, as in Auth0.
const SYSTEM_FIELDS: &[Field] = &[
    field("token_lifetime"),
    field("skip_consent_for_verifiable_first_party_clients"),
];

#[async_trait]
impl Resource for ResourceServer {
    const PATH: &'static str = "/resource-servers";
    const COLLECTION: &'static str = "resource_servers";
    const MISSING_CODE: &'static str = "inexistent_resource_server";
    const FILTERS: &'static [&'static str] = &[];
    const ID_FIELD: &'static str = "id";
    const HIDDEN: &'static [&'static str] = &["created_at", "updated_at"];
    const FIELDS: &'static [Field] = &[
        field("identifier").required().fixed(),
        field("name"),
        field("scopes"),
        field("signing_alg"),
        field("signing_secret"),
        field("allow_offline_access"),
        field("skip_consent_for_verifiable_first_party_clients"),
        field("token_lifetime"),
        field("token_lifetime_for_web"),
        field("enforce_policies"),
        field("token_dialect"),
    ];

    fn repository(adapters: &DataAdapters) -> &dyn Repository<Self> {
        adapters.resource_servers.as_ref()
    }

    fn new_id() -> String {
        random::id("rs")
    }

    /// Auth0's defaults: named after its identifier, RS256, one day.
    fn complete(body: &mut Map<String, Value>) {
        if let Some(identifier) = body.get("identifier").cloned() {
            body.entry("name").or_insert(identifier);
        }
        body.entry("signing_alg")
            .or_insert_with(|| Value::String("RS256".into()));
        body.entry("token_lifetime")
            .or_insert_with(|| Value::from(DEFAULT_ACCESS_TOKEN_LIFETIME));
    }

    fn check(&self) -> Result<(), ApiError> {
        require_non_empty("identifier", &self.identifier)
    }

    /// A system API only lets its token settings change.
    fn updatable(&self) -> &'static [Field] {
        if self.is_system {
            SYSTEM_FIELDS
        } else {
            Self::FIELDS
        }
    }

    /// A system API must stay.
    fn check_removal(&self) -> Result<(), ApiError> {
        if self.is_system {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "You cannot delete a system resource server.",
            )
            .with_code("operation_not_supported"));
        }
        Ok(())
    }
}
