//! `/api/v2/connections`: where identities come from. Names follow Auth0's pattern (letters and
//! digits, single hyphens between them) and are unique within the tenant.

use async_trait::async_trait;
use authhero_core::DataAdapters;
use authhero_core::entities::Connection;
use authhero_core::ports::Repository;
use serde_json::{Map, Value};

use super::body::require_non_empty;
use super::fields::{Field, field};
use super::registry::Endpoint;
use super::resource::{self, Resource};
use crate::error::ApiError;
use crate::random;

/// Auth0's limit on a connection name.
const MAX_NAME_CHARS: usize = 128;

pub fn endpoints() -> Vec<Endpoint> {
    resource::crud::<Connection>()
}

#[async_trait]
impl Resource for Connection {
    const PATH: &'static str = "/connections";
    const COLLECTION: &'static str = "connections";
    const MISSING_CODE: &'static str = "inexistent_connection";
    const FILTERS: &'static [&'static str] = &["name", "strategy"];
    const ID_FIELD: &'static str = "id";
    const FIELDS: &'static [Field] = &[
        field("name").required().fixed(),
        field("strategy").required().fixed(),
        field("display_name"),
        field("options"),
        field("enabled_clients"),
        field("realms"),
        field("is_domain_connection"),
        field("metadata"),
    ];

    fn repository(adapters: &DataAdapters) -> &dyn Repository<Self> {
        adapters.connections.as_ref()
    }

    fn new_id() -> String {
        random::id("con")
    }

    /// A connection's realm defaults to its name, as in Auth0.
    fn complete(body: &mut Map<String, Value>) {
        if let Some(name) = body.get("name").cloned() {
            body.entry("realms")
                .or_insert_with(|| Value::Array(vec![name]));
        }
    }

    fn check(&self) -> Result<(), ApiError> {
        check_name(&self.name)?;
        require_non_empty("strategy", &self.strategy)
    }
}

/// Auth0's rule for connection names: `^[a-zA-Z0-9](-?[a-zA-Z0-9])*$`, at most 128 characters.
fn check_name(name: &str) -> Result<(), ApiError> {
    let well_formed = name.len() <= MAX_NAME_CHARS
        && name
            .split('-')
            .all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric()));
    if well_formed {
        return Ok(());
    }
    Err(ApiError::bad_request(format!(
        "Payload validation error: 'String does not match pattern ^[a-zA-Z0-9](-?[a-zA-Z0-9])*$: {name}' on property name."
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_auth0s_pattern() {
        for good in [
            "Username-Password-Authentication",
            "google-oauth2",
            "a",
            "a1-b2",
        ] {
            assert!(check_name(good).is_ok(), "{good}");
        }
        for bad in ["", "-a", "a-", "a--b", "a b", "ä", &"a".repeat(129)] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }
}
