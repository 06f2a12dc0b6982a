//! `POST /oauth/token`: client authentication and the grants.

use authhero_core::entities::{Client, ClientGrant, ResourceServer};
use authhero_core::{ListParams, Query};
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};

use super::form::Params;
use crate::error::OAuthError;
use crate::random::constant_time_eq;
use crate::state::AppState;
use crate::tokens::{self, DEFAULT_ACCESS_TOKEN_LIFETIME};

/// A client that presented its credentials (or is public and presented none).
#[derive(Debug)]
pub struct CallingClient {
    pub tenant_id: String,
    pub client: Client,
    /// True when the client proved a secret; public clients never do.
    pub authenticated: bool,
}

pub async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    params: Params,
) -> Result<Json<Value>, OAuthError> {
    let grant_type = params.require("grant_type")?.to_owned();
    let caller = authenticate_client(&state, &headers, &params).await?;
    let response = match grant_type.as_str() {
        "client_credentials" => client_credentials(&state, &caller, &params).await?,
        other => {
            return Err(OAuthError::unsupported_grant_type(format!(
                "Unsupported grant type: {other}"
            )));
        }
    };
    Ok(Json(response))
}

/// Finds the client from `client_secret_basic` or `client_secret_post` credentials, or a bare
/// `client_id` for a public client. Secrets are compared in constant time.
pub async fn authenticate_client(
    state: &AppState,
    headers: &HeaderMap,
    params: &Params,
) -> Result<CallingClient, OAuthError> {
    let basic = basic_credentials(headers)?;
    let (client_id, secret) = match basic {
        Some(_) if params.get("client_secret").is_some() => {
            return Err(OAuthError::invalid_request(
                "Use one client authentication method, not two.",
            ));
        }
        Some((id, secret)) => {
            if params.get("client_id").is_some_and(|body_id| body_id != id) {
                return Err(OAuthError::invalid_request(
                    "client_id does not match the Authorization header.",
                ));
            }
            (id, Some(secret))
        }
        None => (
            params.require("client_id")?.to_owned(),
            params.get("client_secret").map(str::to_owned),
        ),
    };
    let (tenant_id, client) = state.client(&client_id).await?;
    let authenticated = match (&secret, &client.client_secret) {
        (Some(given), Some(expected)) if constant_time_eq(given, expected) => true,
        (Some(_), _) => return Err(OAuthError::invalid_client("Wrong client credentials.")),
        (None, _) => false,
    };
    Ok(CallingClient {
        tenant_id,
        client,
        authenticated,
    })
}

/// `Authorization: Basic base64(urlencode(id):urlencode(secret))`, when present.
fn basic_credentials(headers: &HeaderMap) -> Result<Option<(String, String)>, OAuthError> {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    let malformed = || OAuthError::invalid_client("Malformed Authorization header.");
    let text = value.to_str().map_err(|_| malformed())?;
    let Some(encoded) = text
        .strip_prefix("Basic ")
        .or_else(|| text.strip_prefix("basic "))
    else {
        return Err(malformed());
    };
    let decoded = STANDARD.decode(encoded.trim()).map_err(|_| malformed())?;
    let decoded = String::from_utf8(decoded).map_err(|_| malformed())?;
    let (id, secret) = decoded.split_once(':').ok_or_else(malformed)?;
    let unescape = |part: &str| -> String {
        url::form_urlencoded::parse(format!("v={part}").as_bytes())
            .map(|(_, v)| v.into_owned())
            .collect()
    };
    Ok(Some((unescape(id), unescape(secret))))
}

/// The client's grant for `audience`, if it has one.
async fn client_grant(
    state: &AppState,
    tenant_id: &str,
    client_id: &str,
    audience: &str,
) -> Result<Option<ClientGrant>, OAuthError> {
    let q = Query::And(vec![
        Query::equals("client_id", client_id)?,
        Query::equals("audience", audience)?,
    ]);
    let page = state
        .adapters
        .client_grants
        .list(tenant_id, &ListParams::default().with_query(q))
        .await?;
    Ok(page.items.into_iter().next())
}

/// The API whose identifier is `audience`.
pub async fn resource_server(
    state: &AppState,
    tenant_id: &str,
    audience: &str,
) -> Result<Option<ResourceServer>, OAuthError> {
    let q = Query::equals("identifier", audience)?;
    let page = state
        .adapters
        .resource_servers
        .list(tenant_id, &ListParams::default().with_query(q))
        .await?;
    Ok(page.items.into_iter().next())
}

/// `client_credentials`: a machine-to-machine token for an API the client was granted.
async fn client_credentials(
    state: &AppState,
    caller: &CallingClient,
    params: &Params,
) -> Result<Value, OAuthError> {
    if !caller.authenticated {
        return Err(OAuthError::invalid_client(
            "client_credentials needs the client's secret.",
        ));
    }
    let tenant = state.adapters.tenants.get(&caller.tenant_id).await?;
    let audience = match params.get("audience") {
        Some(audience) => audience.to_owned(),
        None => tenant
            .and_then(|tenant| tenant.default_audience)
            .ok_or_else(|| OAuthError::access_denied("No audience parameter was provided, and no default audience has been configured"))?,
    };
    let api = resource_server(state, &caller.tenant_id, &audience)
        .await?
        .ok_or_else(|| OAuthError::access_denied(format!("Service not found: {audience}")))?;
    let grant = client_grant(
        state,
        &caller.tenant_id,
        &caller.client.client_id,
        &audience,
    )
    .await?
    .ok_or_else(|| {
        OAuthError::access_denied(format!(
            "Client has not been granted scopes for audience: {audience}"
        ))
    })?;
    let scopes: Vec<&str> = match params.get("scope") {
        Some(requested) => requested
            .split(' ')
            .filter(|scope| grant.scope.iter().any(|granted| granted == scope))
            .collect(),
        None => grant.scope.iter().map(String::as_str).collect(),
    };
    let scope = scopes.join(" ");
    let lifetime = api.token_lifetime.unwrap_or(DEFAULT_ACCESS_TOKEN_LIFETIME);
    let mut claims = Map::new();
    claims.insert(
        "sub".into(),
        format!("{}@clients", caller.client.client_id).into(),
    );
    claims.insert("aud".into(), audience.clone().into());
    claims.insert("scope".into(), scope.clone().into());
    claims.insert("gty".into(), "client-credentials".into());
    claims.insert("azp".into(), caller.client.client_id.clone().into());
    if api.enforce_policies && api.token_dialect.as_deref() == Some("access_token_authz") {
        claims.insert("permissions".into(), json!(scopes));
    }
    let access_token = tokens::sign(state, claims, lifetime).await?;
    Ok(json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": lifetime,
        "scope": scope,
    }))
}
