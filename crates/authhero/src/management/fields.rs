//! A resource's field list: which fields a create body may (or must) carry and which a PATCH may
//! change. Both bodies, their checks and their OpenAPI schemas come from this one list; fields
//! of the stored resource that are not in it (ids, timestamps) are the server's to set.

use serde_json::{Map, Value};

use super::body::payload_error;
use crate::error::ApiError;

/// One field a request body may carry.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub on_create: OnCreate,
    pub on_update: OnUpdate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnCreate {
    Required,
    Optional,
    /// Not in a create body; only a PATCH sets it.
    Refused,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnUpdate {
    /// A PATCH replaces the stored value.
    Replaced,
    /// A PATCH merges an object one level deep (`null` removes a key): `app_metadata`.
    Merged,
    /// Set when the resource is created, never changed after.
    Refused,
}

/// A field a create body may carry and a PATCH may replace.
pub const fn field(name: &'static str) -> Field {
    Field {
        name,
        on_create: OnCreate::Optional,
        on_update: OnUpdate::Replaced,
    }
}

impl Field {
    /// A create body must carry it.
    pub const fn required(mut self) -> Self {
        self.on_create = OnCreate::Required;
        self
    }

    /// A PATCH may not change it.
    pub const fn fixed(mut self) -> Self {
        self.on_update = OnUpdate::Refused;
        self
    }

    /// A PATCH merges it instead of replacing it.
    pub const fn merged(mut self) -> Self {
        self.on_update = OnUpdate::Merged;
        self
    }

    /// Only a PATCH may set it.
    pub const fn update_only(mut self) -> Self {
        self.on_create = OnCreate::Refused;
        self
    }

    pub fn creatable(&self) -> bool {
        self.on_create != OnCreate::Refused
    }

    pub fn updatable(&self) -> bool {
        self.on_update != OnUpdate::Refused
    }
}

/// Refuses a create body with a field the list does not allow, or without a required one.
pub fn check_create(fields: &[Field], body: &Map<String, Value>) -> Result<(), ApiError> {
    refuse_others(body, |name| {
        fields
            .iter()
            .any(|field| field.name == name && field.creatable())
    })?;
    match fields
        .iter()
        .find(|field| field.on_create == OnCreate::Required && !body.contains_key(field.name))
    {
        Some(missing) => Err(payload_error(format!(
            "Missing required property: {}",
            missing.name
        ))),
        None => Ok(()),
    }
}

/// Refuses a PATCH body with a field the list does not let a PATCH change.
pub fn check_update(fields: &[Field], body: &Map<String, Value>) -> Result<(), ApiError> {
    refuse_others(body, |name| {
        fields
            .iter()
            .any(|field| field.name == name && field.updatable())
    })
}

/// The fields a PATCH merges rather than replaces.
pub fn merged(fields: &[Field]) -> impl Iterator<Item = &'static str> + '_ {
    fields
        .iter()
        .filter(|field| field.on_update == OnUpdate::Merged)
        .map(|field| field.name)
}

/// Auth0's 400 naming every field of `body` that `allowed` refuses.
fn refuse_others(
    body: &Map<String, Value>,
    allowed: impl Fn(&str) -> bool,
) -> Result<(), ApiError> {
    let others: Vec<&str> = body
        .keys()
        .map(String::as_str)
        .filter(|name| !allowed(name))
        .collect();
    if others.is_empty() {
        return Ok(());
    }
    Err(payload_error(format!(
        "Additional properties not allowed: {}",
        others.join(",")
    )))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const FIELDS: &[Field] = &[
        field("name").required(),
        field("identifier").required().fixed(),
        field("app_metadata").merged(),
        field("blocked").update_only(),
    ];

    fn body(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn a_create_body_needs_its_required_fields_and_no_others() {
        assert!(check_create(FIELDS, &body(json!({"name": "a", "identifier": "b"}))).is_ok());
        assert_eq!(
            check_create(FIELDS, &body(json!({"name": "a"})))
                .unwrap_err()
                .message,
            "Payload validation error: 'Missing required property: identifier'."
        );
        assert_eq!(
            check_create(
                FIELDS,
                &body(json!({"name": "a", "identifier": "b", "blocked": true}))
            )
            .unwrap_err()
            .message,
            "Payload validation error: 'Additional properties not allowed: blocked'."
        );
    }

    #[test]
    fn a_patch_changes_only_updatable_fields() {
        assert!(check_update(FIELDS, &body(json!({"blocked": true, "name": "c"}))).is_ok());
        assert_eq!(
            check_update(FIELDS, &body(json!({"identifier": "x", "id": "y"})))
                .unwrap_err()
                .message,
            "Payload validation error: 'Additional properties not allowed: id,identifier'."
        );
        assert_eq!(merged(FIELDS).collect::<Vec<_>>(), ["app_metadata"]);
    }
}
