//! A tenant: the unit of isolation. Everything else belongs to exactly one.

use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use crate::entities::{AttackProtection, Metadata, SigningAlgorithm};
use crate::time::Timestamp;

/// Tenant settings, shaped like Auth0's `GET /api/v2/tenants/settings` plus the tenant's id.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Tenant {
    pub id: String,
    pub friendly_name: Option<String>,
    pub picture_url: Option<String>,
    pub support_email: Option<String>,
    pub support_url: Option<String>,
    #[serde(default)]
    pub allowed_logout_urls: Vec<String>,
    /// Hours a session lives at most.
    pub session_lifetime: Option<f64>,
    /// Hours a session lives without activity.
    pub idle_session_lifetime: Option<f64>,
    pub default_audience: Option<String>,
    pub default_directory: Option<String>,
    #[serde(default)]
    pub enabled_locales: Vec<String>,
    /// What the tenant's access and ID tokens are signed with; absent is RS256.
    pub signing_alg: Option<SigningAlgorithm>,
    /// Auth0's feature flags, kept as set (this server acts on none of them yet).
    #[serde(default)]
    pub flags: Metadata,
    pub default_redirection_uri: Option<String>,
    pub sandbox_version: Option<String>,
    /// Auth0's hosted page settings, kept as set.
    pub error_page: Option<Metadata>,
    pub guardian_mfa_page: Option<Metadata>,
    pub change_password: Option<Metadata>,
    pub device_flow: Option<Metadata>,
    /// Kept with the tenant; served under `/api/v2/attack-protection`, not with the settings.
    #[serde(default)]
    pub attack_protection: AttackProtection,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Tenant {
    pub fn new(id: impl Into<String>, now: Timestamp) -> Self {
        Self {
            id: id.into(),
            friendly_name: None,
            picture_url: None,
            support_email: None,
            support_url: None,
            allowed_logout_urls: Vec::new(),
            session_lifetime: None,
            idle_session_lifetime: None,
            default_audience: None,
            default_directory: None,
            enabled_locales: Vec::new(),
            signing_alg: None,
            flags: Metadata::new(),
            default_redirection_uri: None,
            sandbox_version: None,
            error_page: None,
            guardian_mfa_page: None,
            change_password: None,
            device_flow: None,
            attack_protection: AttackProtection::default(),
            created_at: now,
            updated_at: now,
        }
    }
}
