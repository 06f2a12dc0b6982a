//! `/api/v2/connections`: where identities come from. Names follow Auth0's pattern (letters and
//! digits, single hyphens between them) and are unique within the tenant.

use authhero_core::entities::{Connection, Metadata};
use authhero_core::ports::Repository;
use authhero_core::{DataAdapters, Timestamp};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use super::auth::Caller;
use super::body::{JsonBody, require_non_empty};
use super::patch::PatchRules;
use super::resource::{self, Resource, scope};
use crate::error::ApiError;
use crate::random;
use crate::state::AppState;

/// Auth0's limit on a connection name.
const MAX_NAME_CHARS: usize = 128;

impl Resource for Connection {
    const COLLECTION: &'static str = "connections";
    const MISSING_CODE: &'static str = "inexistent_connection";
    const FILTERS: &'static [&'static str] = &["name", "strategy"];
    const PATCH: PatchRules = PatchRules {
        updatable: &[
            "display_name",
            "options",
            "enabled_clients",
            "realms",
            "is_domain_connection",
            "metadata",
        ],
        merged: &[],
    };

    fn repository(adapters: &DataAdapters) -> &dyn Repository<Self> {
        adapters.connections.as_ref()
    }
}

/// The body of `POST /api/v2/connections`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewConnection {
    name: String,
    strategy: String,
    display_name: Option<String>,
    #[serde(default)]
    options: Metadata,
    #[serde(default)]
    enabled_clients: Vec<String>,
    realms: Option<Vec<String>>,
    #[serde(default)]
    is_domain_connection: bool,
    #[serde(default)]
    metadata: Metadata,
}

impl NewConnection {
    /// The connection to store; its realm defaults to its name, as in Auth0.
    fn into_connection(self, now: Timestamp) -> Connection {
        let realms = self.realms.unwrap_or_else(|| vec![self.name.clone()]);
        Connection {
            id: random::id("con"),
            name: self.name,
            display_name: self.display_name,
            strategy: self.strategy,
            options: self.options,
            enabled_clients: self.enabled_clients,
            realms,
            is_domain_connection: self.is_domain_connection,
            metadata: self.metadata,
            created_at: now,
            updated_at: now,
        }
    }
}

/// `POST /api/v2/connections`.
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody,
) -> Result<(StatusCode, Json<Connection>), ApiError> {
    let tenant = caller.tenant_for(&scope::<Connection>("create"))?;
    let new_connection: NewConnection = body.parse()?;
    check_name(&new_connection.name)?;
    require_non_empty("strategy", &new_connection.strategy)?;
    resource::create(
        &state,
        tenant,
        new_connection.into_connection(Timestamp::now()),
    )
    .await
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
