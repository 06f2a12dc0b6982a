//! Resource servers (Auth0 "APIs"): the audiences access tokens are issued for.

use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use crate::time::Timestamp;

#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ResourceServerScope {
    pub value: String,
    pub description: Option<String>,
}

/// An API, shaped like Auth0's `/api/v2/resource-servers` resource.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ResourceServer {
    pub id: String,
    pub name: String,
    /// The audience; unique within the tenant.
    pub identifier: String,
    #[serde(default)]
    pub scopes: Vec<ResourceServerScope>,
    pub signing_alg: Option<String>,
    pub signing_secret: Option<String>,
    #[serde(default)]
    pub allow_offline_access: bool,
    #[serde(default)]
    pub skip_consent_for_verifiable_first_party_clients: bool,
    pub token_lifetime: Option<u64>,
    pub token_lifetime_for_web: Option<u64>,
    /// RBAC: when true, tokens carry only the permissions the user was given.
    #[serde(default)]
    pub enforce_policies: bool,
    /// `access_token` or `access_token_authz` (adds `permissions`).
    pub token_dialect: Option<String>,
    #[serde(default)]
    pub is_system: bool,
    /// Kept for ordering; not part of Auth0's shape, so never in an answer.
    #[schemars(skip)]
    pub created_at: Timestamp,
    #[schemars(skip)]
    pub updated_at: Timestamp,
}
