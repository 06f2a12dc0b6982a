//! Clients (Auth0 "applications") and the client grants that let them call APIs.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use crate::time::Timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AppType {
    Native,
    Spa,
    RegularWeb,
    NonInteractive,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TokenEndpointAuthMethod {
    None,
    ClientSecretPost,
    ClientSecretBasic,
}

#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct JwtConfiguration {
    pub alg: Option<String>,
    pub lifetime_in_seconds: Option<u64>,
    pub secret_encoded: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RefreshTokenRotation {
    Rotating,
    NonRotating,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RefreshTokenExpiration {
    Expiring,
    NonExpiring,
}

/// Auth0's `refresh_token` object on a client.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RefreshTokenConfig {
    pub rotation_type: RefreshTokenRotation,
    pub expiration_type: RefreshTokenExpiration,
    /// Seconds a just-rotated token may still be exchanged (network retries).
    pub leeway: Option<u64>,
    pub token_lifetime: Option<u64>,
    pub infinite_token_lifetime: Option<bool>,
    pub idle_token_lifetime: Option<u64>,
    pub infinite_idle_token_lifetime: Option<bool>,
}

impl RefreshTokenConfig {
    /// What Auth0 gives a new single-page app: rotation with reuse detection and no leeway,
    /// 30 days absolute and 15 days idle.
    pub fn rotating() -> Self {
        Self {
            rotation_type: RefreshTokenRotation::Rotating,
            expiration_type: RefreshTokenExpiration::Expiring,
            leeway: Some(0),
            token_lifetime: Some(2_592_000),
            infinite_token_lifetime: Some(false),
            idle_token_lifetime: Some(1_296_000),
            infinite_idle_token_lifetime: Some(false),
        }
    }
}

/// An application, shaped like Auth0's `/api/v2/clients` resource.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Client {
    /// Unique across all tenants: `/authorize` and `/oauth/token` find the tenant from it.
    pub client_id: String,
    pub name: String,
    pub description: Option<String>,
    pub client_secret: Option<String>,
    pub app_type: Option<AppType>,
    pub logo_uri: Option<String>,
    /// Absent is first party, as Auth0 creates applications; a third party must ask consent.
    #[serde(default = "default_true")]
    pub is_first_party: bool,
    #[serde(default = "default_true")]
    pub oidc_conformant: bool,
    #[serde(default)]
    pub callbacks: Vec<String>,
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    #[serde(default)]
    pub web_origins: Vec<String>,
    #[serde(default)]
    pub allowed_logout_urls: Vec<String>,
    #[serde(default)]
    pub allowed_clients: Vec<String>,
    #[serde(default)]
    pub grant_types: Vec<String>,
    pub token_endpoint_auth_method: Option<TokenEndpointAuthMethod>,
    pub jwt_configuration: Option<JwtConfiguration>,
    pub refresh_token: Option<RefreshTokenConfig>,
    /// Auth0 restricts client metadata to string values.
    #[serde(default)]
    pub client_metadata: BTreeMap<String, String>,
    pub organization_usage: Option<String>,
    pub organization_require_behavior: Option<String>,
    #[serde(default)]
    pub sso_disabled: bool,
    #[serde(default)]
    pub cross_origin_authentication: bool,
    /// Whether the client, authenticated, may name its own user's IP in `auth0-forwarded-for`
    /// at the token endpoint (a backend logging users in), for brute-force protection.
    #[serde(default)]
    pub is_token_endpoint_ip_header_trusted: bool,
    pub initiate_login_uri: Option<String>,
    /// Auth0's custom login page, kept as set (the login pages are this server's own).
    #[serde(default)]
    pub custom_login_page_on: bool,
    pub custom_login_page: Option<String>,
    /// Kept for ordering; not part of Auth0's shape, so never in an answer.
    #[schemars(skip)]
    pub created_at: Timestamp,
    #[schemars(skip)]
    pub updated_at: Timestamp,
}

fn default_true() -> bool {
    true
}

impl Client {
    pub fn new(client_id: impl Into<String>, name: impl Into<String>, now: Timestamp) -> Self {
        Self {
            client_id: client_id.into(),
            name: name.into(),
            description: None,
            client_secret: None,
            app_type: None,
            logo_uri: None,
            is_first_party: true,
            oidc_conformant: true,
            callbacks: Vec::new(),
            allowed_origins: Vec::new(),
            web_origins: Vec::new(),
            allowed_logout_urls: Vec::new(),
            allowed_clients: Vec::new(),
            grant_types: Vec::new(),
            token_endpoint_auth_method: None,
            jwt_configuration: None,
            refresh_token: None,
            client_metadata: BTreeMap::new(),
            organization_usage: None,
            organization_require_behavior: None,
            sso_disabled: false,
            cross_origin_authentication: false,
            is_token_endpoint_ip_header_trusted: false,
            initiate_login_uri: None,
            custom_login_page_on: false,
            custom_login_page: None,
            created_at: now,
            updated_at: now,
        }
    }
}

/// Permission for a client to get tokens for an API (`/api/v2/client-grants`).
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ClientGrant {
    pub id: String,
    pub client_id: String,
    /// The resource server's identifier.
    pub audience: String,
    #[serde(default)]
    pub scope: Vec<String>,
    pub organization_usage: Option<String>,
    pub allow_any_organization: Option<bool>,
    /// The organizations the grant is associated with (`/organizations/{id}/client-grants`);
    /// not part of Auth0's shape of a grant, so never in an answer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(skip)]
    pub organization_ids: Vec<String>,
    /// Kept for ordering; not part of Auth0's shape, so never in an answer.
    #[schemars(skip)]
    pub created_at: Timestamp,
    #[schemars(skip)]
    pub updated_at: Timestamp,
}
