//! Custom domains: the host names a tenant is served on.

use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use crate::time::Timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CustomDomainStatus {
    PendingVerification,
    Ready,
    Disabled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CustomDomainType {
    Auth0ManagedCerts,
    SelfManagedCerts,
}

/// A custom domain, shaped like Auth0's `/api/v2/custom-domains` resource.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CustomDomain {
    pub custom_domain_id: String,
    /// Unique across tenants: a request's host picks the tenant.
    pub domain: String,
    #[serde(default)]
    pub primary: bool,
    pub status: CustomDomainStatus,
    #[serde(rename = "type")]
    pub kind: CustomDomainType,
    pub custom_client_ip_header: Option<String>,
    pub tls_policy: Option<String>,
    /// What the domain must answer on its well-known path to be verified; never in an answer.
    #[schemars(skip)]
    pub verification_token: Option<String>,
    /// Kept for ordering; not part of Auth0's shape, so never in an answer.
    #[schemars(skip)]
    pub created_at: Timestamp,
    #[schemars(skip)]
    pub updated_at: Timestamp,
}
