//! Organizations (Auth0 B2B): members, invitations and enabled connections.

use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use super::Metadata;
use crate::time::Timestamp;

#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct OrganizationColors {
    pub primary: Option<String>,
    pub page_background: Option<String>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct OrganizationBranding {
    pub logo_url: Option<String>,
    pub colors: Option<OrganizationColors>,
}

/// An organization, shaped like Auth0's `/api/v2/organizations` resource.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Organization {
    pub id: String,
    /// Unique within the tenant; lower-case letters, digits, `-` and `_` in Auth0.
    pub name: String,
    pub display_name: Option<String>,
    pub branding: Option<OrganizationBranding>,
    #[serde(default)]
    pub metadata: Metadata,
    /// Kept for ordering; not part of Auth0's shape, so never in an answer.
    #[schemars(skip)]
    pub created_at: Timestamp,
    #[schemars(skip)]
    pub updated_at: Timestamp,
}

/// A user's membership of an organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct OrganizationMember {
    pub organization_id: String,
    pub user_id: String,
    pub created_at: Timestamp,
}

/// A connection enabled for an organization (`/organizations/{id}/enabled_connections`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct OrganizationConnection {
    pub connection_id: String,
    #[serde(default)]
    pub assign_membership_on_login: bool,
    #[serde(default = "default_true")]
    pub show_as_button: bool,
    #[serde(default)]
    pub is_signup_enabled: bool,
}

fn default_true() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Inviter {
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Invitee {
    pub email: String,
}

/// An invitation to join an organization, shaped like Auth0's invitation resource.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Invitation {
    pub id: String,
    pub organization_id: String,
    pub inviter: Inviter,
    pub invitee: Invitee,
    pub client_id: String,
    pub connection_id: Option<String>,
    pub invitation_url: Option<String>,
    pub ticket_id: Option<String>,
    #[serde(default)]
    pub app_metadata: Metadata,
    #[serde(default)]
    pub user_metadata: Metadata,
    #[serde(default)]
    pub roles: Vec<String>,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}
