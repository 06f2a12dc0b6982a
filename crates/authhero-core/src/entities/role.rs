//! Roles and permissions (Auth0 RBAC).

use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use crate::time::Timestamp;

/// A role, shaped like Auth0's `/api/v2/roles` resource.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Role {
    pub id: String,
    /// Unique within the tenant.
    pub name: String,
    pub description: Option<String>,
    /// Kept for ordering; not part of Auth0's shape, so never in an answer.
    #[schemars(skip)]
    pub created_at: Timestamp,
    #[schemars(skip)]
    pub updated_at: Timestamp,
}

/// One scope of one API, granted to a role or directly to a user.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct Permission {
    pub resource_server_identifier: String,
    pub permission_name: String,
}

impl Permission {
    pub fn new(
        resource_server_identifier: impl Into<String>,
        permission_name: impl Into<String>,
    ) -> Self {
        Self {
            resource_server_identifier: resource_server_identifier.into(),
            permission_name: permission_name.into(),
        }
    }
}

/// A role given to a user, tenant-wide or within one organization.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RoleAssignment {
    pub user_id: String,
    pub role_id: String,
    /// None for a tenant-wide role; Some for an organization member role.
    pub organization_id: Option<String>,
    pub created_at: Timestamp,
}
