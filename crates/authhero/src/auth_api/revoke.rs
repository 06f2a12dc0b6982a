//! `POST /oauth/revoke` (RFC 7009): revokes a refresh token and every token rotated from it.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};

use super::form::Params;
use super::token::authenticate_client;
use crate::error::OAuthError;
use crate::state::{AppState, Issuer};

pub async fn revoke(
    State(state): State<AppState>,
    issuer: Issuer,
    headers: HeaderMap,
    params: Params,
) -> Result<StatusCode, OAuthError> {
    let caller = authenticate_client(&state, &headers, &params).await?;
    if !issuer.admits(&caller.tenant_id) {
        return Err(OAuthError::invalid_client("Unknown client."));
    }
    let confidential = caller.client.token_endpoint_auth_method
        != Some(authhero_core::entities::TokenEndpointAuthMethod::None);
    if confidential && !caller.authenticated {
        return Err(OAuthError::invalid_client(
            "Client authentication is required.",
        ));
    }
    let token = params.require("token")?;
    // An unknown token, or one of another client, is answered like a revoked one (RFC 7009 §2.2).
    if let Some(found) = state
        .adapters
        .refresh_tokens
        .get(&caller.tenant_id, &crate::secrets::digest(token))
        .await?
        && found.client_id == caller.client.client_id
    {
        state
            .adapters
            .refresh_tokens
            .remove_family(&caller.tenant_id, &found.family_id)
            .await?;
    }
    Ok(StatusCode::OK)
}
