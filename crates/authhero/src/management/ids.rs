//! Lists of ids in request bodies (`{"roles": [...]}`, `{"members": [...]}`), checked in length
//! and against the store before anything is written, and the users such lists name, as Auth0
//! shows them in role and organization member lists.

use std::collections::BTreeMap;

use authhero_core::entities::User;
use serde::Serialize;
use serde_json::{Map, Value};

use super::body::{JsonBody, from_json, payload_error};
use super::resource::{Resource, find};
use crate::error::ApiError;
use crate::state::AppState;

/// The most ids or permissions one request may name, so that a body cannot ask for an
/// unbounded run of look-ups.
const MAX_ITEMS: usize = 1000;

/// Auth0's 400 for a list of `length` items where 1 to [`MAX_ITEMS`] are needed.
pub fn checked_length(property: &str, length: usize) -> Result<(), ApiError> {
    if length == 0 {
        return Err(ApiError::bad_request(format!(
            "Payload validation error: 'Array is too short (0), minimum 1' on property {property}."
        )));
    }
    if length > MAX_ITEMS {
        return Err(ApiError::bad_request(format!(
            "Payload validation error: 'Array is too long ({length}), maximum {MAX_ITEMS}' on property {property}."
        )));
    }
    Ok(())
}

/// The ids of a body that holds only `property`, a list of 1 to [`MAX_ITEMS`] strings.
pub fn id_list(body: JsonBody, property: &str) -> Result<Vec<String>, ApiError> {
    let mut object = body.into_object()?;
    let Some(value) = object.remove(property) else {
        return Err(payload_error(format!(
            "Missing required property: {property}"
        )));
    };
    if let Some(other) = object.keys().next() {
        return Err(payload_error(format!(
            "Additional properties not allowed: {other}"
        )));
    }
    let single = Map::from_iter([(property.to_owned(), value)]);
    let mut lists: BTreeMap<String, Vec<String>> = from_json(Value::Object(single))?;
    let ids = lists.remove(property).unwrap_or_default();
    checked_length(property, ids.len())?;
    Ok(ids)
}

/// Auth0's 404 for the first of `ids` the tenant has no `R` for.
pub async fn all_exist<R: Resource>(
    state: &AppState,
    tenant: &str,
    ids: &[String],
) -> Result<(), ApiError> {
    for id in ids {
        find::<R>(state, tenant, id).await?;
    }
    Ok(())
}

/// A user as Auth0 lists the users of a role or the members of an organization.
#[derive(Debug, Serialize)]
pub struct UserSummary {
    user_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    picture: Option<String>,
}

/// The users `ids` name, in order; ids of users since removed are left out.
pub async fn summaries(
    state: &AppState,
    tenant: &str,
    ids: &[String],
) -> Result<Vec<UserSummary>, ApiError> {
    let mut users = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(user) = state.adapters.users.get(tenant, id).await? {
            let User {
                user_id,
                email,
                name,
                picture,
                ..
            } = user;
            users.push(UserSummary {
                user_id,
                email,
                name,
                picture,
            });
        }
    }
    Ok(users)
}
