//! Who calls the Management API: the bearer token is verified for this issuer's Management API
//! audience, its client (`azp`) names the tenant, and its `scope` claim must carry the scope the
//! endpoint is declared with.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Map, Value};

use super::audit::CallRecord;
use crate::error::ApiError;
use crate::state::{AppState, Issuer, management_audience};
use crate::tokens::{self, TokenRejected};

/// The header a caller may send to name the tenant it means; it must be the token's tenant.
const TENANT_HEADER: &str = "tenant-id";

/// What the registry declares of an endpoint, set on its route: the scope it needs and what it
/// does.
#[derive(Debug, Clone)]
pub struct Declared {
    pub scope: String,
    pub summary: String,
}

/// An authenticated Management API caller whose token carries the endpoint's scope.
#[derive(Debug)]
pub struct Caller {
    tenant_id: String,
    /// The token's `scope` claim as it came: a Management API token carries a few hundred,
    /// and each call asks about one or two, so they are not split into a list.
    scope: String,
}

impl Caller {
    /// Whether the caller's token carries `scope`.
    pub fn has(&self, scope: &str) -> bool {
        self.scope
            .split_whitespace()
            .any(|granted| granted == scope)
    }

    /// The tenant the caller acts on.
    pub fn tenant(&self) -> &str {
        &self.tenant_id
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let issuer = Issuer::from_request_parts(parts, state)
            .await
            .map_err(|error| ApiError::new(error.status, error.description))?;
        let token = bearer_token(&parts.headers)?;
        let audience = management_audience(&issuer.url);
        let claims = tokens::verify(state, &issuer.url, token, Some(&audience))
            .await
            .map_err(|rejected| match rejected {
                TokenRejected::Invalid => invalid_token(),
                TokenRejected::Keys(error) => ApiError::from(error),
            })?;
        // Only machine clients call the Management API here: a token issued to a user (even for
        // this audience) carries no Management API rights.
        let machine = claims.get("gty").and_then(Value::as_str) == Some("client-credentials")
            && claims
                .get("sub")
                .and_then(Value::as_str)
                .is_some_and(|sub| sub.ends_with("@clients"));
        if !machine {
            return Err(invalid_token());
        }
        let (tenant_id, client_id) = token_tenant(state, &claims).await?;
        if !issuer.admits(&tenant_id) {
            return Err(invalid_token());
        }
        if let Some(record) = parts.extensions.get::<CallRecord>() {
            record.fill(state, &tenant_id, &client_id);
        }
        check_tenant_header(&parts.headers, &tenant_id)?;
        let caller = Self {
            tenant_id,
            scope: granted_scope(claims),
        };
        // A route the registry did not declare has no scope, and so admits no one.
        let required = parts
            .extensions
            .get::<Declared>()
            .map(|declared| declared.scope.as_str());
        match required {
            Some(scope) if caller.has(scope) => Ok(caller),
            _ => Err(ApiError::forbidden(format!(
                "Insufficient scope, expected any of: {}",
                required.unwrap_or_default()
            ))),
        }
    }
}

/// The token of an `Authorization: Bearer <token>` header.
fn bearer_token(headers: &HeaderMap) -> Result<&str, ApiError> {
    let missing = || ApiError::unauthorized("Missing authentication");
    let value = headers
        .get(AUTHORIZATION)
        .ok_or_else(missing)?
        .to_str()
        .map_err(|_| invalid_token())?;
    let (scheme, token) = value.trim().split_once(' ').ok_or_else(missing)?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(missing());
    }
    Ok(token)
}

/// The tenant of the client the token was issued to, and that client.
async fn token_tenant(
    state: &AppState,
    claims: &Map<String, Value>,
) -> Result<(String, String), ApiError> {
    let client_id = claims
        .get("azp")
        .and_then(Value::as_str)
        .ok_or_else(invalid_token)?;
    let (tenant_id, _client) = state
        .adapters
        .clients
        .find_by_client_id(client_id)
        .await?
        .ok_or_else(invalid_token)?;
    Ok((tenant_id, client_id.to_owned()))
}

fn check_tenant_header(headers: &HeaderMap, tenant_id: &str) -> Result<(), ApiError> {
    match headers.get(TENANT_HEADER) {
        Some(named) if named.as_bytes() != tenant_id.as_bytes() => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "The token was not issued for this tenant.",
        )
        .with_code("invalid_tenant")),
        _ => Ok(()),
    }
}

/// The `scope` claim, taken out of the claims rather than copied.
fn granted_scope(mut claims: Map<String, Value>) -> String {
    match claims.remove("scope") {
        Some(Value::String(scope)) => scope,
        _ => String::new(),
    }
}

fn invalid_token() -> ApiError {
    ApiError::unauthorized("Invalid token")
}
