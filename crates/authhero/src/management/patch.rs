//! PATCH as Auth0 applies it: each field of the body replaces the stored one, metadata objects
//! merge one level deep (`null` removes a key), and the result must still be a valid entity.

use authhero_core::Timestamp;
use authhero_core::ports::Entity;
use serde_json::{Map, Value};

use super::body::{from_json, payload_error};
use crate::error::ApiError;

/// Which fields of an entity a PATCH may set.
#[derive(Debug)]
pub struct PatchRules {
    /// Fields the body may carry; ids and server-kept fields are not among them.
    pub updatable: &'static [&'static str],
    /// Object fields merged key by key rather than replaced (`app_metadata`, `user_metadata`).
    pub merged: &'static [&'static str],
}

impl PatchRules {
    /// The body as a patch, when it sets only fields this resource lets a PATCH change.
    pub fn check(&self, body: Map<String, Value>) -> Result<Patch, ApiError> {
        let others: Vec<&str> = body
            .keys()
            .map(String::as_str)
            .filter(|field| !self.updatable.contains(field))
            .collect();
        if !others.is_empty() {
            return Err(payload_error(format!(
                "Additional properties not allowed: {}",
                others.join(",")
            )));
        }
        Ok(Patch {
            fields: body,
            merged: self.merged,
        })
    }
}

/// A PATCH body whose fields were checked against its resource's [`PatchRules`].
#[derive(Debug)]
pub struct Patch {
    fields: Map<String, Value>,
    merged: &'static [&'static str],
}

impl Patch {
    /// `stored` with the patch applied and `updated_at` set to now; nothing is written here.
    pub fn apply<E: Entity>(self, stored: &E) -> Result<E, ApiError> {
        let mut document = match serde_json::to_value(stored) {
            Ok(Value::Object(document)) => document,
            _ => {
                let message = format!("a stored {} is not a JSON object", E::NAME);
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
        document.insert(
            "updated_at".into(),
            Value::String(Timestamp::now().to_iso()),
        );
        from_json(Value::Object(document))
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

    const RULES: PatchRules = PatchRules {
        updatable: &["name", "app_metadata", "blocked"],
        merged: &["app_metadata"],
    };

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
        let patched = RULES.check(body).unwrap().apply(&user()).unwrap();
        assert_eq!(patched.name, None);
        assert!(patched.blocked);
        assert_eq!(
            Value::Object(patched.app_metadata),
            json!({"plan": "pro", "new": [1]})
        );
    }

    #[test]
    fn refuses_fields_it_may_not_set_and_wrong_types() {
        let other = RULES
            .check(patch(json!({"user_id": "auth0|2"})))
            .unwrap_err();
        assert_eq!(
            other.message,
            "Payload validation error: 'Additional properties not allowed: user_id'."
        );
        let wrong = RULES
            .check(patch(json!({"blocked": "yes"})))
            .unwrap()
            .apply(&user())
            .unwrap_err();
        assert_eq!(wrong.status, axum::http::StatusCode::BAD_REQUEST);
    }
}
