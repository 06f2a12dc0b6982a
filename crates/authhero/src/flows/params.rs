//! Request parameters, from a query string, a form body or a JSON body, checked strictly:
//! a repeated parameter is refused (RFC 6749 §3.1), and an empty value counts as absent.

use std::collections::HashMap;

use serde_json::Value;

use super::FlowError;

#[derive(Debug, Default)]
pub struct Params(HashMap<String, String>);

impl Params {
    pub fn from_urlencoded(bytes: &[u8]) -> Result<Self, FlowError> {
        let mut params = HashMap::new();
        for (name, value) in url::form_urlencoded::parse(bytes) {
            if params
                .insert(name.to_string(), value.into_owned())
                .is_some()
            {
                return Err(FlowError::invalid_request(format!(
                    "Parameter {name} was given more than once."
                )));
            }
        }
        Ok(Self(params))
    }

    pub fn from_json(bytes: &[u8]) -> Result<Self, FlowError> {
        let value: Value = serde_json::from_slice(bytes)
            .map_err(|_| FlowError::invalid_request("The body is not valid JSON."))?;
        let Value::Object(object) = value else {
            return Err(FlowError::invalid_request(
                "The body must be a JSON object.",
            ));
        };
        let mut params = HashMap::new();
        for (name, value) in object {
            let text = match value {
                Value::String(text) => text,
                Value::Number(number) => number.to_string(),
                Value::Bool(flag) => flag.to_string(),
                Value::Null => continue,
                // Objects (signup's `user_metadata`) travel as their JSON text.
                Value::Object(object) => Value::Object(object).to_string(),
                Value::Array(_) => {
                    return Err(FlowError::invalid_request(format!(
                        "Parameter {name} must be a string."
                    )));
                }
            };
            params.insert(name, text);
        }
        Ok(Self(params))
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|value| !value.is_empty())
    }

    pub fn require(&self, name: &str) -> Result<&str, FlowError> {
        self.get(name).ok_or_else(|| {
            FlowError::invalid_request(format!("Missing required parameter: {name}"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_repeated_parameters() {
        let error = Params::from_urlencoded(b"scope=a&scope=b").unwrap_err();
        assert_eq!(error.kind, super::super::ErrorKind::InvalidRequest);
    }

    #[test]
    fn empty_values_are_absent() {
        let params = Params::from_urlencoded(b"audience=&scope=openid").unwrap();
        assert_eq!(params.get("audience"), None);
        assert_eq!(params.get("scope"), Some("openid"));
    }

    #[test]
    fn json_must_be_an_object_of_scalars() {
        assert!(Params::from_json(br#"{"grant_type":"client_credentials","n":1}"#).is_ok());
        assert!(Params::from_json(b"[1]").is_err());
        assert!(Params::from_json(br#"{"scope":["a"]}"#).is_err());
        let nested = Params::from_json(br#"{"user_metadata":{"plan":"pro"}}"#).unwrap();
        assert_eq!(nested.get("user_metadata"), Some(r#"{"plan":"pro"}"#));
        assert!(Params::from_json(b"{").is_err());
    }
}
