//! `/api/v2/clients`: applications. A new client gets a random 32-character `client_id` and, unless
//! it is public (`token_endpoint_auth_method: none`), a random secret; an application moved
//! from another tenant may bring its own of both instead.

use std::collections::BTreeMap;

use authhero_core::entities::{
    AppType, Client, JwtConfiguration, RefreshTokenConfig, TokenEndpointAuthMethod,
};
use authhero_core::ports::Repository;
use authhero_core::{DataAdapters, Query, Timestamp};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;

use super::auth::Caller;
use super::body::{JsonBody, require_non_empty};
use super::listing::{ListQuery, invalid_query};
use super::patch::PatchRules;
use super::resource::{self, Resource, scope};
use crate::error::ApiError;
use crate::paging::every_page;
use crate::random;
use crate::state::AppState;

impl Resource for Client {
    const COLLECTION: &'static str = "clients";
    const MISSING_CODE: &'static str = "inexistent_client";
    const FILTERS: &'static [&'static str] = &["app_type", "is_first_party", "is_global"];
    const PATCH: PatchRules = PatchRules {
        updatable: &[
            "name",
            "description",
            "app_type",
            "logo_uri",
            "is_first_party",
            "oidc_conformant",
            "callbacks",
            "allowed_origins",
            "web_origins",
            "allowed_logout_urls",
            "allowed_clients",
            "grant_types",
            "token_endpoint_auth_method",
            "jwt_configuration",
            "refresh_token",
            "client_metadata",
            "organization_usage",
            "organization_require_behavior",
            "sso_disabled",
            "cross_origin_authentication",
            "is_token_endpoint_ip_header_trusted",
            "initiate_login_uri",
        ],
        merged: &[],
    };

    /// Auth0 shows a client's secret only to tokens with `read:client_keys`.
    fn redacted_for(mut self, caller: &Caller) -> Self {
        if !caller.has("read:client_keys") {
            self.client_secret = None;
        }
        self
    }

    fn repository(adapters: &DataAdapters) -> &dyn Repository<Self> {
        adapters.clients.as_ref()
    }

    /// Auth0's filters: `app_type` (a comma-separated list), `is_first_party`, and
    /// `is_global`, true only of Auth0's own global client, which this server has not.
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
        if query.flag("is_global")? == Some(true) {
            clauses.push(Query::equals("is_global", "true").map_err(invalid_query)?);
        }
        Ok(match clauses.len() {
            0 => None,
            1 => clauses.pop(),
            _ => Some(Query::And(clauses)),
        })
    }
}

/// The body of `POST /api/v2/clients`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewClient {
    name: String,
    /// Given only when moving an application here with the credentials it already ships (an
    /// AuthHero extension; Auth0 always generates them).
    client_id: Option<String>,
    client_secret: Option<String>,
    description: Option<String>,
    app_type: Option<AppType>,
    logo_uri: Option<String>,
    #[serde(default = "yes")]
    is_first_party: bool,
    #[serde(default = "yes")]
    oidc_conformant: bool,
    #[serde(default)]
    callbacks: Vec<String>,
    #[serde(default)]
    allowed_origins: Vec<String>,
    #[serde(default)]
    web_origins: Vec<String>,
    #[serde(default)]
    allowed_logout_urls: Vec<String>,
    #[serde(default)]
    allowed_clients: Vec<String>,
    #[serde(default)]
    grant_types: Vec<String>,
    token_endpoint_auth_method: Option<TokenEndpointAuthMethod>,
    jwt_configuration: Option<JwtConfiguration>,
    refresh_token: Option<RefreshTokenConfig>,
    #[serde(default)]
    client_metadata: BTreeMap<String, String>,
    organization_usage: Option<String>,
    organization_require_behavior: Option<String>,
    #[serde(default)]
    sso_disabled: bool,
    #[serde(default)]
    cross_origin_authentication: bool,
    #[serde(default)]
    is_token_endpoint_ip_header_trusted: bool,
    initiate_login_uri: Option<String>,
}

const MAX_CLIENT_ID: usize = 128;
const MIN_CLIENT_SECRET: usize = 32;
const MAX_CLIENT_SECRET: usize = 512;

fn yes() -> bool {
    true
}

impl NewClient {
    /// Given credentials must be usable as they are: an id of URL-safe characters, and a
    /// secret long enough to resist guessing, only for a client that authenticates.
    fn check_credentials(&self) -> Result<(), ApiError> {
        if let Some(client_id) = &self.client_id {
            let url_safe = client_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~'));
            if client_id.is_empty() || client_id.len() > MAX_CLIENT_ID || !url_safe {
                return Err(ApiError::bad_request(format!(
                    "client_id must be 1 to {MAX_CLIENT_ID} letters, digits or -_.~"
                )));
            }
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

    /// The client to store, with fresh credentials unless given; Auth0's default method is
    /// `client_secret_post`.
    fn into_client(self, now: Timestamp) -> Client {
        let method = self
            .token_endpoint_auth_method
            .unwrap_or(TokenEndpointAuthMethod::ClientSecretPost);
        let client_secret = (method != TokenEndpointAuthMethod::None)
            .then(|| self.client_secret.unwrap_or_else(|| random::token(48)));
        // New single-page apps rotate their refresh tokens, as Auth0 sets them up.
        let refresh_token = self
            .refresh_token
            .or_else(|| (self.app_type == Some(AppType::Spa)).then(RefreshTokenConfig::rotating));
        Client {
            client_id: self.client_id.unwrap_or_else(|| random::token(24)),
            name: self.name,
            description: self.description,
            client_secret,
            app_type: self.app_type,
            logo_uri: self.logo_uri,
            is_first_party: self.is_first_party,
            oidc_conformant: self.oidc_conformant,
            callbacks: self.callbacks,
            allowed_origins: self.allowed_origins,
            web_origins: self.web_origins,
            allowed_logout_urls: self.allowed_logout_urls,
            allowed_clients: self.allowed_clients,
            grant_types: self.grant_types,
            token_endpoint_auth_method: Some(method),
            jwt_configuration: self.jwt_configuration,
            refresh_token,
            client_metadata: self.client_metadata,
            organization_usage: self.organization_usage,
            organization_require_behavior: self.organization_require_behavior,
            sso_disabled: self.sso_disabled,
            cross_origin_authentication: self.cross_origin_authentication,
            is_token_endpoint_ip_header_trusted: self.is_token_endpoint_ip_header_trusted,
            initiate_login_uri: self.initiate_login_uri,
            created_at: now,
            updated_at: now,
        }
    }
}

/// `POST /api/v2/clients`.
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody,
) -> Result<(StatusCode, Json<Client>), ApiError> {
    let tenant = caller.tenant_for(&scope::<Client>("create"))?;
    let new_client: NewClient = body.parse()?;
    require_non_empty("name", &new_client.name)?;
    new_client.check_credentials()?;
    // A given id may be served from elsewhere than this store (a configuration bundle): taken
    // anywhere is taken.
    if let Some(client_id) = &new_client.client_id
        && state
            .adapters
            .clients
            .find_by_client_id(client_id)
            .await?
            .is_some()
    {
        return Err(
            ApiError::new(StatusCode::CONFLICT, "The client already exists.").with_code("conflict"),
        );
    }
    let created =
        resource::create(&state, tenant, new_client.into_client(Timestamp::now())).await?;
    enable_on_every_connection(&state, tenant, &created.1.client_id).await?;
    Ok(created)
}

/// `POST /api/v2/clients/{id}/rotate-secret`: a new secret, in the client it answers with; the
/// old one stops working at once, as in Auth0.
pub async fn rotate_secret(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Client>, ApiError> {
    let tenant = caller.tenant_for("update:client_keys")?;
    let mut client = resource::find::<Client>(&state, tenant, &id).await?;
    client.client_secret = Some(random::token(48));
    client.updated_at = state.now();
    let rotated = state.adapters.clients.update(tenant, client).await?;
    Ok(Json(rotated))
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
