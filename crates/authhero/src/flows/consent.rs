//! Consent: what a user agreed an application may have. A third-party application (one that is
//! not `is_first_party`), or any request with `prompt=consent`, needs the user's consent to the
//! scopes it asks for; what the user accepts is kept as a grant (`/api/v2/grants`) per user,
//! application and audience, so the next login asks only for scopes not yet granted.

use authhero_core::entities::{AuthorizationParams, Client, Grant};
use authhero_core::{ListParams, Query};

use super::FlowError;
use crate::random;
use crate::state::AppState;

/// The audience a grant is kept under: the API asked for, else the issuer's userinfo.
fn audience(issuer: &str, authorization: &AuthorizationParams) -> String {
    authorization
        .audience
        .clone()
        .unwrap_or_else(|| format!("{issuer}userinfo"))
}

/// The scopes the request asks for, in order, without repeats.
pub fn requested(authorization: &AuthorizationParams) -> Vec<String> {
    let mut scopes: Vec<String> = Vec::new();
    for scope in authorization
        .scope
        .as_deref()
        .unwrap_or_default()
        .split_whitespace()
    {
        if !scopes.iter().any(|known| known == scope) {
            scopes.push(scope.to_owned());
        }
    }
    scopes
}

async fn existing(
    state: &AppState,
    tenant_id: &str,
    user_id: &str,
    client_id: &str,
    audience: &str,
) -> Result<Option<Grant>, FlowError> {
    let q = Query::And(vec![
        Query::equals("user_id", user_id)?,
        Query::equals("client_id", client_id)?,
        Query::equals("audience", audience)?,
    ]);
    let found = state
        .adapters
        .grants
        .list(tenant_id, &ListParams::default().with_query(q))
        .await?;
    Ok(found.items.into_iter().next())
}

/// The scopes the user must still consent to for this request; empty when none must be asked.
pub async fn to_ask(
    state: &AppState,
    issuer: &str,
    tenant_id: &str,
    client: &Client,
    user_id: &str,
    authorization: &AuthorizationParams,
) -> Result<Vec<String>, FlowError> {
    let prompted = authorization
        .prompt
        .as_deref()
        .is_some_and(|prompt| prompt.split_whitespace().any(|item| item == "consent"));
    if client.is_first_party && !prompted {
        return Ok(Vec::new());
    }
    let scopes = requested(authorization);
    if prompted {
        return Ok(scopes);
    }
    let audience = audience(issuer, authorization);
    let granted = existing(state, tenant_id, user_id, &client.client_id, &audience)
        .await?
        .map(|grant| grant.scope)
        .unwrap_or_default();
    Ok(scopes
        .into_iter()
        .filter(|scope| !granted.contains(scope))
        .collect())
}

/// Keeps the user's consent to the request's scopes, added to what they granted before.
pub async fn record(
    state: &AppState,
    issuer: &str,
    tenant_id: &str,
    client_id: &str,
    user_id: &str,
    authorization: &AuthorizationParams,
) -> Result<(), FlowError> {
    let audience = audience(issuer, authorization);
    let scopes = requested(authorization);
    match existing(state, tenant_id, user_id, client_id, &audience).await? {
        Some(mut grant) => {
            for scope in scopes {
                if !grant.scope.contains(&scope) {
                    grant.scope.push(scope);
                }
            }
            state.adapters.grants.update(tenant_id, grant).await?;
        }
        None => {
            let grant = Grant {
                id: random::id("gr"),
                user_id: user_id.to_owned(),
                client_id: client_id.to_owned(),
                audience,
                scope: scopes,
                created_at: state.now(),
            };
            state.adapters.grants.create(tenant_id, grant).await?;
        }
    }
    Ok(())
}
