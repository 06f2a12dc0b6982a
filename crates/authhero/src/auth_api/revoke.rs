//! `POST /oauth/revoke` (RFC 7009): revokes a refresh token and every token rotated from it.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};

use super::client_auth;
use crate::error::OAuthError;
use crate::flows::{Params, grants};
use crate::state::{AppState, Issuer};

pub async fn revoke(
    State(state): State<AppState>,
    issuer: Issuer,
    headers: HeaderMap,
    params: Params,
) -> Result<StatusCode, OAuthError> {
    let credentials = client_auth::credentials(&headers, &params)?;
    let caller = grants::authenticate_client(&state, credentials).await?;
    if !issuer.admits(&caller.tenant_id) {
        return Err(OAuthError::invalid_client("Unknown client."));
    }
    grants::revoke(&state, &caller, params.require("token")?).await?;
    Ok(StatusCode::OK)
}
