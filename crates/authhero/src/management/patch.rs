//! PATCH as Auth0 applies it: each field of the body replaces the stored one, metadata objects
//! merge one level deep (`null` removes a key), and the result must still be a valid entity.

use authhero_core::Timestamp;
use authhero_core::ports::Entity;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::body::from_json;
use super::fields::{Field, check_update, merged};
use crate::error::ApiError;

/// A PATCH body that sets only fields its resource lets a PATCH change.
#[derive(Debug)]
pub struct Patch {
    fields: Map<String, Value>,
    merged: Vec<&'static str>,
}

impl Patch {
    /// The body as a patch of a resource with these fields, or Auth0's 400 naming the others.
    pub fn checked(fields: &[Field], body: Map<String, Value>) -> Result<Self, ApiError> {
        check_update(fields, &body)?;
        Ok(Self {
            fields: body,
            merged: merged(fields).collect(),
        })
    }

    /// `stored` with the patch applied and `updated_at` set to now; nothing is written here.
    pub fn apply<E: Entity>(self, stored: &E) -> Result<E, ApiError> {
        let mut document = self.merged_into(stored, E::NAME)?;
        document.insert(
            "updated_at".into(),
            Value::String(Timestamp::now().to_iso()),
        );
        from_json(Value::Object(document))
    }

    /// A setting (`name`) with the patch applied; nothing is written here.
    pub fn apply_to<T: Serialize + DeserializeOwned>(
        self,
        stored: &T,
        name: &str,
    ) -> Result<T, ApiError> {
        from_json(Value::Object(self.merged_into(stored, name)?))
    }

    fn merged_into<T: Serialize>(
        self,
        stored: &T,
        name: &str,
    ) -> Result<Map<String, Value>, ApiError> {
        let mut document = match serde_json::to_value(stored) {
            Ok(Value::Object(document)) => document,
            _ => {
                let message = format!("a stored {name} is not a JSON object");
                return Err(authhero_core::Error::internal(message).into());
            }
        };
        for (field, value) in self.fields {
            let merged = self.merged.contains(&field.as_str());
            match (document.get_mut(&field), value) {
                (Some(Value::Object(current)), Value::Object(changes)) if merged => {
                    merge_one_level(current, changes);
                }
                (_, value) => {
                    document.insert(field, value);
                }
            }
        }
        Ok(document)
    }
}

/// Sets each key of `changes` in `current`; a `null` value removes the key.
fn merge_one_level(current: &mut Map<String, Value>, changes: Map<String, Value>) {
    for (key, value) in changes {
        if value.is_null() {
            current.remove(&key);
        } else {
            current.insert(key, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use authhero_core::entities::User;
    use serde_json::json;

    use super::*;
    use crate::management::fields::field;

    const FIELDS: &[Field] = &[
        field("name"),
        field("app_metadata").merged(),
        field("blocked"),
    ];

    fn user() -> User {
        let mut user = User::new("auth0", "1", "db", Timestamp::now());
        user.name = Some("Jane".into());
        user.app_metadata = json!({"plan": "free", "seats": 3})
            .as_object()
            .cloned()
            .unwrap();
        user
    }

    fn patch(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn replaces_fields_and_merges_metadata() {
        let body = patch(
            json!({"name": null, "blocked": true, "app_metadata": {"plan": "pro", "seats": null, "new": [1]}}),
        );
        let patched = Patch::checked(FIELDS, body)
            .unwrap()
            .apply(&user())
            .unwrap();
        assert_eq!(patched.name, None);
        assert!(patched.blocked);
        assert_eq!(
            Value::Object(patched.app_metadata),
            json!({"plan": "pro", "new": [1]})
        );
    }

    #[test]
    fn refuses_fields_it_may_not_set_and_wrong_types() {
        let other = Patch::checked(FIELDS, patch(json!({"user_id": "auth0|2"}))).unwrap_err();
        assert_eq!(
            other.message,
            "Payload validation error: 'Additional properties not allowed: user_id'."
        );
        let wrong = Patch::checked(FIELDS, patch(json!({"blocked": "yes"})))
            .unwrap()
            .apply(&user())
            .unwrap_err();
        assert_eq!(wrong.status, axum::http::StatusCode::BAD_REQUEST);
    }
}
