//! Permissions in Management API bodies and lists, shared by roles and users: a body names
//! scopes of the tenant's APIs, each of which must exist; a list shows each with its API's name
//! and the scope's description.

use std::collections::HashMap;

use authhero_core::ListPage;
use authhero_core::entities::{Permission, ResourceServer};
use schemars::{Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};

use super::ids::checked_length;
use crate::error::ApiError;
use crate::state::AppState;

/// The body of a POST or DELETE of permissions.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PermissionsBody {
    pub permissions: Vec<Permission>,
}

/// The schema of [`PermissionsBody`].
pub fn permissions_body(generator: &mut SchemaGenerator) -> Schema {
    let permission = generator.subschema_for::<Permission>();
    json_schema!({
        "type": "object",
        "required": ["permissions"],
        "properties": {"permissions": {"type": "array", "minItems": 1, "items": permission}},
        "additionalProperties": false,
    })
}

/// A permission as Auth0 lists it.
#[derive(Debug, Serialize)]
pub struct DescribedPermission {
    resource_server_identifier: String,
    permission_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    resource_server_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
}

/// `permissions`, when there is at least one and each is a scope an API of the tenant defines;
/// otherwise Auth0's 400 (or 404 for an API the tenant does not have).
pub async fn checked_permissions(
    state: &AppState,
    tenant: &str,
    permissions: Vec<Permission>,
) -> Result<Vec<Permission>, ApiError> {
    checked_length("permissions", permissions.len())?;
    let apis = apis_of(state, tenant, &permissions).await?;
    for permission in &permissions {
        let api = apis
            .get(&permission.resource_server_identifier)
            .ok_or_else(|| {
                ApiError::not_found(format!(
                    "Resource server {} does not exist.",
                    permission.resource_server_identifier
                ))
                .with_code("inexistent_resource_server")
            })?;
        if !api
            .scopes
            .iter()
            .any(|scope| scope.value == permission.permission_name)
        {
            return Err(ApiError::bad_request(format!(
                "Permission {} does not exist on resource server {}.",
                permission.permission_name, permission.resource_server_identifier
            )));
        }
    }
    Ok(permissions)
}

/// The page with each permission's API name and scope description.
pub async fn described(
    state: &AppState,
    tenant: &str,
    page: ListPage<Permission>,
) -> Result<ListPage<DescribedPermission>, ApiError> {
    let apis = apis_of(state, tenant, &page.items).await?;
    Ok(page.map(|permission| {
        let api = apis.get(&permission.resource_server_identifier);
        let description = api.and_then(|api| {
            api.scopes
                .iter()
                .find(|scope| scope.value == permission.permission_name)
                .and_then(|scope| scope.description.clone())
        });
        DescribedPermission {
            resource_server_name: api.map(|api| api.name.clone()),
            description,
            resource_server_identifier: permission.resource_server_identifier,
            permission_name: permission.permission_name,
        }
    }))
}

/// The tenant's APIs that `permissions` name, by identifier.
async fn apis_of(
    state: &AppState,
    tenant: &str,
    permissions: &[Permission],
) -> Result<HashMap<String, ResourceServer>, ApiError> {
    let mut apis = HashMap::new();
    for permission in permissions {
        let identifier = &permission.resource_server_identifier;
        if apis.contains_key(identifier) {
            continue;
        }
        if let Some(api) = state
            .adapters
            .resource_servers
            .find_by_identifier(tenant, identifier)
            .await?
        {
            apis.insert(identifier.clone(), api);
        }
    }
    Ok(apis)
}
