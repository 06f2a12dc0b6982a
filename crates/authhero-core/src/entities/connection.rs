//! Connections: the sources of identities (database, social, passwordless, enterprise).

use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use super::Metadata;
use crate::time::Timestamp;

/// A connection, shaped like Auth0's `/api/v2/connections` resource.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Connection {
    pub id: String,
    /// Unique within the tenant, e.g. `Username-Password-Authentication`.
    pub name: String,
    pub display_name: Option<String>,
    /// `auth0`, `email`, `sms`, `google-oauth2`, `oidc`, `samlp`, ...
    pub strategy: String,
    /// Strategy-specific settings; their shape differs per strategy, as in Auth0.
    #[serde(default)]
    pub options: Metadata,
    #[serde(default)]
    pub enabled_clients: Vec<String>,
    #[serde(default)]
    pub realms: Vec<String>,
    #[serde(default)]
    pub is_domain_connection: bool,
    #[serde(default)]
    pub metadata: Metadata,
    /// Kept for ordering; not part of Auth0's shape, so never in an answer.
    #[schemars(skip)]
    pub created_at: Timestamp,
    #[schemars(skip)]
    pub updated_at: Timestamp,
}
