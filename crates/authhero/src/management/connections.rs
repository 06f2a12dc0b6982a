//! `/api/v2/connections`: where identities come from. Names follow Auth0's pattern (letters and
//! digits, single hyphens between them) and are unique within the tenant.

use async_trait::async_trait;
use authhero_core::entities::{Client, Connection};
use authhero_core::ports::Repository;
use authhero_core::{DataAdapters, ListParams, Pagination, Query};
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::auth::Caller;
use super::body::{JsonBody, from_json, payload_error, require_non_empty};
use super::fields::{Field, field};
use super::listing::{ListQuery, invalid_query, page_in_memory, page_reply};
use super::openapi;
use super::registry::{Body, Endpoint, Reply, endpoint};
use super::resource::{self, Resource, find};
use crate::error::ApiError;
use crate::flows::user_links;
use crate::paging::every_page;
use crate::random;
use crate::state::AppState;

/// Auth0's limit on a connection name.
const MAX_NAME_CHARS: usize = 128;

pub fn endpoints() -> Vec<Endpoint> {
    let mut endpoints = resource::crud::<Connection>();
    endpoints.extend([
        endpoint!(Get "/connections/{id}/clients", "read:connections",
            "List the clients a connection is enabled for", enabled_clients,
            Body::None => Reply::Ok(openapi::any_page))
        .paged(),
        endpoint!(Patch "/connections/{id}/clients", "update:connections",
            "Enable or disable a connection for clients", change_enabled_clients,
            Body::Json(client_changes_body) => Reply::NoContent),
        endpoint!(Get "/connections/{id}/status", "read:connections",
            "Check a connection's status", status, Body::None => Reply::Ok(openapi::any_json)),
        endpoint!(Delete "/connections/{id}/users", "delete:users",
            "Delete a database connection's user by email", remove_user_by_email,
            Body::None => Reply::NoContent)
        .reading(&["email"]),
        endpoint!(Get "/clients/{id}/connections", "read:connections",
            "List the connections enabled for a client", client_connections,
            Body::None => Reply::Ok(openapi::page_of::<Connection>))
        .paged(),
    ]);
    endpoints
}

/// Auth0's limit on the changes one PATCH of a connection's clients makes.
const MAX_CLIENT_CHANGES: usize = 50;

/// One change of `PATCH /api/v2/connections/{id}/clients`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClientChange {
    client_id: String,
    status: bool,
}

fn client_changes_body(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "array",
        "maxItems": MAX_CLIENT_CHANGES,
        "items": {
            "type": "object",
            "required": ["client_id", "status"],
            "properties": {"client_id": {"type": "string"}, "status": {"type": "boolean"}},
            "additionalProperties": false,
        },
    })
}

/// `GET /api/v2/connections/{id}/clients`: `{clients: [{client_id}], next}`, by checkpoint.
async fn enabled_clients(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let connection = find::<Connection>(&state, caller.tenant(), &id).await?;
    let query = ListQuery::parse(query.as_deref(), &[])?;
    let take = match query.params()?.pagination {
        Pagination::Checkpoint(checkpoint) => checkpoint.take,
        Pagination::Offset { per_page, .. } => per_page,
    };
    let start = match query.get("from") {
        None => 0,
        Some(from) => from
            .parse::<usize>()
            .map_err(|_| invalid_query("from is not a checkpoint this list gave"))?,
    };
    let take = usize::try_from(take).unwrap_or(usize::MAX);
    let items: Vec<Value> = connection
        .enabled_clients
        .iter()
        .skip(start)
        .take(take)
        .map(|client_id| json!({ "client_id": client_id }))
        .collect();
    let end = start.saturating_add(items.len());
    let mut answer = json!({ "clients": items });
    if end < connection.enabled_clients.len() {
        answer["next"] = Value::String(end.to_string());
    }
    Ok(Json(answer).into_response())
}

/// `PATCH /api/v2/connections/{id}/clients`: a list of `{client_id, status}`; each named client
/// must exist, or nothing changes. 204.
async fn change_enabled_clients(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<StatusCode, ApiError> {
    let tenant = caller.tenant();
    let changes: Vec<ClientChange> = from_json(body.into_value())?;
    if changes.len() > MAX_CLIENT_CHANGES {
        return Err(payload_error(format!(
            "Array is too long ({}), maximum {MAX_CLIENT_CHANGES}",
            changes.len()
        )));
    }
    let mut connection = find::<Connection>(&state, tenant, &id).await?;
    for change in &changes {
        find::<Client>(&state, tenant, &change.client_id).await?;
    }
    for change in changes {
        let enabled = connection.enabled_clients.contains(&change.client_id);
        if change.status && !enabled {
            connection.enabled_clients.push(change.client_id);
        } else if !change.status {
            connection
                .enabled_clients
                .retain(|client| *client != change.client_id);
        }
    }
    connection.updated_at = state.now();
    state
        .adapters
        .connections
        .update(tenant, connection)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v2/connections/{id}/status`: every connection this server has is served by the
/// server itself, so one that exists is online.
async fn status(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    find::<Connection>(&state, caller.tenant(), &id).await?;
    Ok(Json(json!({})))
}

/// `DELETE /api/v2/connections/{id}/users?email=`: the database connection's user with this
/// email; 204 whether or not there was one.
async fn remove_user_by_email(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<StatusCode, ApiError> {
    let tenant = caller.tenant();
    let connection = find::<Connection>(&state, tenant, &id).await?;
    if connection.strategy != "auth0" {
        return Err(ApiError::bad_request(
            "Only a database connection's users can be deleted by email.",
        ));
    }
    let query = ListQuery::parse(query.as_deref(), &["email"])?;
    let email = query
        .get("email")
        .ok_or_else(|| invalid_query("Missing required property: email"))?
        .trim()
        .to_lowercase();
    let filter = Query::And(vec![
        Query::equals("email", email).map_err(invalid_query)?,
        Query::equals("connection", &connection.name).map_err(invalid_query)?,
    ]);
    let found = state
        .adapters
        .users
        .list(tenant, &ListParams::default().with_query(filter))
        .await?;
    for user in found.items {
        user_links::remove(&state, tenant, &user.user_id).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v2/clients/{id}/connections`: the connections enabled for the client.
async fn client_connections(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let tenant = caller.tenant();
    find::<Client>(&state, tenant, &id).await?;
    let query = ListQuery::parse(query.as_deref(), &["strategy"])?;
    let params = query.params()?;
    let adapters = &state.adapters;
    let every = every_page::<_, ApiError, _, _>(|page| async move {
        Ok(adapters.connections.list(tenant, &page).await?.items)
    })
    .await?;
    let strategy = query.get("strategy");
    let items = every
        .into_iter()
        .filter(|connection| connection.enabled_clients.contains(&id))
        .filter(|connection| strategy.is_none_or(|wanted| connection.strategy == wanted))
        .map(|connection| resource::shown(connection, &caller))
        .collect::<Result<Vec<_>, _>>()?;
    page_reply(
        "connections",
        &query,
        &params,
        page_in_memory(items, &params)?,
    )
}

#[async_trait]
impl Resource for Connection {
    const PATH: &'static str = "/connections";
    const COLLECTION: &'static str = "connections";
    const MISSING_CODE: &'static str = "inexistent_connection";
    const FILTERS: &'static [&'static str] = &["name", "strategy"];
    const ID_FIELD: &'static str = "id";
    const HIDDEN: &'static [&'static str] = &["created_at", "updated_at"];
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
