//! `/api/v2/clients`: applications. A new client gets a random 32-character `client_id` and, unless
//! it is public (`token_endpoint_auth_method: none`), a random secret; an application moved
//! from another tenant may bring its own of both instead.

use async_trait::async_trait;
use authhero_core::entities::{Client, RefreshTokenConfig, TokenEndpointAuthMethod};
use authhero_core::ports::Repository;
use authhero_core::{DataAdapters, ListPage, Query};
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::auth::Caller;
use super::body::require_non_empty;
use super::fields::{Field, field};
use super::listing::{ListQuery, invalid_query, page_reply};
use super::openapi;
use super::registry::{Body, Endpoint, Reply, endpoint};
use super::resource::{self, Resource};
use crate::error::ApiError;
use crate::paging::every_page;
use crate::random;
use crate::state::AppState;

/// The client endpoints: Auth0's five, and the secret's rotation.
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(Get "/clients", "read:clients", "List clients", list,
            Body::None => Reply::Ok(openapi::page_of::<Client>))
        .reading(Client::FILTERS)
        .paged(),
        resource::create_endpoint::<Client>(),
        resource::get_endpoint::<Client>(),
        resource::update_endpoint::<Client>(),
        resource::delete_endpoint::<Client>(),
        endpoint!(Post "/clients/{id}/rotate-secret", "update:client_keys",
            "Rotate a client secret", rotate_secret, Body::None => Reply::Ok(openapi::one::<Client>)),
    ]
}

/// `GET /api/v2/clients`. With `is_global=true` the answer is Auth0's global client, "All
/// Applications", which stands for the tenant's own settings (the deploy CLI reads the login
/// page from it); this server stores none, so it is the same unconfigured client every time.
async fn list(
    state: State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let query = ListQuery::parse(raw.as_deref(), Client::FILTERS)?;
    if query.flag("is_global")? != Some(true) {
        return resource::list::<Client>(state, caller, RawQuery(raw)).await;
    }
    let params = query.params()?;
    let global = json!({
        "client_id": format!("global-{}", caller.tenant()),
        "name": "All Applications",
        "global": true,
        "is_first_party": true,
        "callbacks": [],
        "custom_login_page_on": false,
    });
    let page = ListPage {
        items: vec![global],
        total: Some(1),
        next: None,
    };
    page_reply(Client::COLLECTION, &query, &params, page)
}

const MAX_CLIENT_ID: usize = 128;
const MIN_CLIENT_SECRET: usize = 32;
const MAX_CLIENT_SECRET: usize = 512;

#[async_trait]
impl Resource for Client {
    const PATH: &'static str = "/clients";
    const COLLECTION: &'static str = "clients";
    const MISSING_CODE: &'static str = "inexistent_client";
    const FILTERS: &'static [&'static str] = &["app_type", "is_first_party", "is_global"];
    const ID_FIELD: &'static str = "client_id";
    const HIDDEN: &'static [&'static str] = &["created_at", "updated_at"];
    const FIELDS: &'static [Field] = &[
        field("name").required(),
        // Given only when moving an application here with the credentials it already ships (an
        // AuthHero extension; Auth0 always generates them). Rotation changes the secret.
        field("client_id").fixed(),
        field("client_secret").fixed(),
        field("description"),
        field("app_type"),
        field("logo_uri"),
        field("is_first_party"),
        field("oidc_conformant"),
        field("callbacks"),
        field("allowed_origins"),
        field("web_origins"),
        field("allowed_logout_urls"),
        field("allowed_clients"),
        field("grant_types"),
        field("token_endpoint_auth_method"),
        field("jwt_configuration"),
        field("refresh_token"),
        field("client_metadata"),
        field("organization_usage"),
        field("organization_require_behavior"),
        field("sso_disabled"),
        field("cross_origin_authentication"),
        field("is_token_endpoint_ip_header_trusted"),
        field("initiate_login_uri"),
        field("custom_login_page_on"),
        field("custom_login_page"),
    ];

    fn repository(adapters: &DataAdapters) -> &dyn Repository<Self> {
        adapters.clients.as_ref()
    }

    fn new_id() -> String {
        random::token(24)
    }

    /// Auth0's defaults: first party, `client_secret_post` with a fresh secret (none for a
    /// public client), and rotating refresh tokens for a single-page app.
    fn complete(body: &mut Map<String, Value>) {
        body.entry("is_first_party").or_insert(Value::Bool(true));
        let method = body
            .entry("token_endpoint_auth_method")
            .or_insert_with(|| Value::String("client_secret_post".into()));
        if method.as_str() != Some("none") {
            body.entry("client_secret")
                .or_insert_with(|| Value::String(random::token(48)));
        }
        if body.get("app_type").and_then(Value::as_str) == Some("spa") {
            body.entry("refresh_token").or_insert_with(|| {
                serde_json::to_value(RefreshTokenConfig::rotating()).unwrap_or_default()
            });
        }
    }

    /// Given credentials must be usable as they are: an id of URL-safe characters, and a
    /// secret long enough to resist guessing, only for a client that authenticates.
    fn check(&self) -> Result<(), ApiError> {
        require_non_empty("name", &self.name)?;
        let url_safe = self
            .client_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~'));
        if self.client_id.is_empty() || self.client_id.len() > MAX_CLIENT_ID || !url_safe {
            return Err(ApiError::bad_request(format!(
                "client_id must be 1 to {MAX_CLIENT_ID} letters, digits or -_.~"
            )));
        }
        if let Some(secret) = &self.client_secret {
            if self.token_endpoint_auth_method == Some(TokenEndpointAuthMethod::None) {
                return Err(ApiError::bad_request(
                    "a client with token_endpoint_auth_method none has no client_secret",
                ));
            }
            let length = secret.chars().count();
            if !(MIN_CLIENT_SECRET..=MAX_CLIENT_SECRET).contains(&length)
                || secret.chars().any(char::is_control)
            {
                return Err(ApiError::bad_request(format!(
                    "client_secret must be {MIN_CLIENT_SECRET} to {MAX_CLIENT_SECRET} characters"
                )));
            }
        }
        Ok(())
    }

    /// A new client's id may be served from elsewhere than this store (a configuration
    /// bundle): taken anywhere is taken. A patched client keeps its own id.
    async fn admit(
        &self,
        state: &AppState,
        _tenant: &str,
        stored: Option<&Self>,
    ) -> Result<(), ApiError> {
        if stored.is_some() {
            return Ok(());
        }
        match state
            .adapters
            .clients
            .find_by_client_id(&self.client_id)
            .await?
        {
            Some(_) => Err(
                ApiError::new(StatusCode::CONFLICT, "The client already exists.")
                    .with_code("conflict"),
            ),
            None => Ok(()),
        }
    }

    /// Auth0 enables a new application on every existing connection (the tenant's default
    /// `enable_client_connections`); later ones list their clients themselves.
    async fn created(&self, state: &AppState, tenant: &str) -> Result<(), ApiError> {
        enable_on_every_connection(state, tenant, &self.client_id).await
    }

    /// Auth0 shows a client's secret only to tokens with `read:client_keys`.
    fn redacted_for(mut self, caller: &Caller) -> Self {
        if !caller.has("read:client_keys") {
            self.client_secret = None;
        }
        self
    }

    /// Auth0's filters: `app_type` (a comma-separated list) and `is_first_party`; stored
    /// clients are never global.
    fn list_filter(query: &ListQuery) -> Result<Option<Query>, ApiError> {
        let mut clauses = Vec::new();
        if let Some(types) = query.get("app_type") {
            let any_type = types
                .split(',')
                .map(|app_type| Query::equals("app_type", app_type.trim()))
                .collect::<Result<Vec<_>, _>>()
                .map_err(invalid_query)?;
            clauses.push(Query::Or(any_type));
        }
        if let Some(first_party) = query.flag("is_first_party")? {
            clauses.push(
                Query::equals("is_first_party", first_party.to_string()).map_err(invalid_query)?,
            );
        }
        Ok(match clauses.len() {
            0 => None,
            1 => clauses.pop(),
            _ => Some(Query::And(clauses)),
        })
    }
}

/// `POST /api/v2/clients/{id}/rotate-secret`: a new secret, in the client it answers with; the
/// old one stops working at once, as in Auth0.
async fn rotate_secret(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let tenant = caller.tenant();
    let mut client = resource::find::<Client>(&state, tenant, &id).await?;
    client.client_secret = Some(random::token(48));
    client.updated_at = state.now();
    let rotated = state.adapters.clients.update(tenant, client).await?;
    // The new secret is the answer: `update:client_keys` is enough to see it, as in Auth0.
    let secret = rotated.client_secret.clone();
    let mut answer = resource::shown(rotated, &caller)?;
    if let (Value::Object(fields), Some(secret)) = (&mut answer, secret) {
        fields.insert("client_secret".into(), Value::String(secret));
    }
    Ok(Json(answer))
}

/// Auth0 enables a new application on every existing connection (the tenant's default
/// `enable_client_connections`); later ones list their clients themselves.
async fn enable_on_every_connection(
    state: &AppState,
    tenant: &str,
    client_id: &str,
) -> Result<(), ApiError> {
    let connections = every_page::<_, ApiError, _, _>(|params| async move {
        Ok(state
            .adapters
            .connections
            .list(tenant, &params)
            .await?
            .items)
    })
    .await?;
    for mut connection in connections {
        if !connection.enabled_clients.iter().any(|id| id == client_id) {
            connection.enabled_clients.push(client_id.to_owned());
            state
                .adapters
                .connections
                .update(tenant, connection)
                .await?;
        }
    }
    Ok(())
}
