//! JSON request bodies: malformed JSON and payloads that break a request's schema are refused
//! with Auth0's messages (`Invalid request payload JSON format`, `Payload validation error: ...`).

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::ApiError;

/// A request body that is syntactically valid JSON; its shape is checked by [`JsonBody::parse`].
#[derive(Debug)]
pub struct JsonBody(Value);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let Json(value) = Json::<Value>::from_request(request, state)
            .await
            .map_err(rejected_body)?;
        Ok(Self(value))
    }
}

impl JsonBody {
    /// The body as it was sent, whatever its JSON type.
    pub fn into_value(self) -> Value {
        self.0
    }

    /// The body as a JSON object (a PATCH), or a 400 for any other JSON value.
    pub fn into_object(self) -> Result<Map<String, Value>, ApiError> {
        match self.0 {
            Value::Object(object) => Ok(object),
            other => Err(payload_error(format!(
                "Expected type object but found type {}",
                json_type(&other)
            ))),
        }
    }
}

/// Deserializes `value`, reporting the first problem as Auth0 does, with the property it is on.
pub fn from_json<T: DeserializeOwned>(value: Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(|error| {
        let serde_message = error.inner().to_string();
        let mut path = error.path().to_string();
        if let Some(field) = quoted_after(&serde_message, "unknown field `") {
            // The path ends at the unknown field itself; Auth0 names the object that holds it.
            path = parent_path(&path, field);
        }
        let detail = describe(&serde_message);
        if path == "." {
            payload_error(detail)
        } else {
            ApiError::bad_request(format!(
                "Payload validation error: '{detail}' on property {path}."
            ))
        }
    })
}

/// `path` without its last segment, `field`; `.` for the top level.
fn parent_path(path: &str, field: &str) -> String {
    match path
        .strip_suffix(field)
        .map(|parent| parent.trim_end_matches('.'))
    {
        Some(parent) if !parent.is_empty() => parent.to_owned(),
        _ => ".".to_owned(),
    }
}

/// `Payload validation error: '<detail>'.`, Auth0's 400 for a body that breaks the schema.
pub fn payload_error(detail: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request(format!("Payload validation error: '{detail}'."))
}

/// Refuses an empty string where Auth0's schema sets a minimum length of 1.
pub fn require_non_empty(property: &str, value: &str) -> Result<(), ApiError> {
    if value.is_empty() {
        return Err(ApiError::bad_request(format!(
            "Payload validation error: 'String is too short (0 chars), minimum 1' on property {property}."
        )));
    }
    Ok(())
}

/// How Auth0 (hapi) answers a body that cannot be read as JSON.
fn rejected_body(rejection: JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::JsonSyntaxError(_) | JsonRejection::JsonDataError(_) => ApiError::new(
            StatusCode::BAD_REQUEST,
            "Invalid request payload JSON format",
        ),
        JsonRejection::MissingJsonContentType(_) => {
            ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "Unsupported Media Type")
        }
        other => ApiError::new(other.status(), other.body_text()),
    }
}

/// Rewrites serde's wording into the JSON-schema wording Auth0's messages use.
fn describe(serde_message: &str) -> String {
    if let Some(field) = quoted_after(serde_message, "unknown field `") {
        return format!("Additional properties not allowed: {field}");
    }
    if let Some(field) = quoted_after(serde_message, "missing field `") {
        return format!("Missing required property: {field}");
    }
    if let Some(variant) = quoted_after(serde_message, "unknown variant `") {
        return format!("No enum match for: \"{variant}\"");
    }
    if let Some(rest) = serde_message.strip_prefix("invalid type: ")
        && let Some((found, expected)) = rest.split_once(", expected ")
    {
        return format!(
            "Expected type {} but found type {}",
            schema_type(expected),
            schema_type(found)
        );
    }
    serde_message.to_owned()
}

/// The text between `prefix` and the next backtick, when `message` starts with `prefix`.
fn quoted_after<'a>(message: &'a str, prefix: &str) -> Option<&'a str> {
    message
        .strip_prefix(prefix)
        .and_then(|rest| rest.split('`').next())
}

/// A JSON-schema type name for serde's description of a value or of an expected type.
fn schema_type(serde_text: &str) -> &str {
    const NAMES: &[(&str, &str)] = &[
        ("string", "string"),
        ("str", "string"),
        ("char", "string"),
        ("bool", "boolean"),
        ("integer", "integer"),
        ("u8", "integer"),
        ("u16", "integer"),
        ("u32", "integer"),
        ("u64", "integer"),
        ("i32", "integer"),
        ("i64", "integer"),
        ("floating point", "number"),
        ("f64", "number"),
        ("sequence", "array"),
        ("map", "object"),
        ("struct", "object"),
        ("null", "null"),
        ("unit", "null"),
    ];
    let text = serde_text
        .trim_start_matches("a ")
        .trim_start_matches("an ");
    NAMES
        .iter()
        .find(|(serde_name, _)| text.starts_with(serde_name))
        .map_or(serde_text, |(_, schema_name)| schema_name)
}

pub fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(number) if number.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "only the deserializer reads these fields")]
    struct Thing {
        name: String,
        #[serde(default)]
        tags: Vec<String>,
        count: Option<u64>,
    }

    fn message(value: Value) -> String {
        from_json::<Thing>(value).unwrap_err().message
    }

    #[test]
    fn names_unknown_fields() {
        assert_eq!(
            message(json!({"name": "a", "colour": "red"})),
            "Payload validation error: 'Additional properties not allowed: colour'."
        );
    }

    #[test]
    fn names_the_object_holding_an_unknown_field() {
        assert_eq!(parent_path("colour", "colour"), ".");
        assert_eq!(parent_path("scopes[0].colour", "colour"), "scopes[0]");
    }

    #[test]
    fn names_missing_fields() {
        assert_eq!(
            message(json!({})),
            "Payload validation error: 'Missing required property: name'."
        );
    }

    #[test]
    fn names_wrong_types_and_where() {
        assert_eq!(
            message(json!({"name": 5})),
            "Payload validation error: 'Expected type string but found type integer' on property name."
        );
        assert_eq!(
            message(json!({"name": "a", "tags": ["x", true]})),
            "Payload validation error: 'Expected type string but found type boolean' on property tags[1]."
        );
        assert_eq!(
            message(json!({"name": "a", "count": "many"})),
            "Payload validation error: 'Expected type integer but found type string' on property count."
        );
        let array = JsonBody(json!([1])).into_object().unwrap_err();
        assert_eq!(
            array.message,
            "Payload validation error: 'Expected type object but found type array'."
        );
    }
}
