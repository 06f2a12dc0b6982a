//! `POST /passwordless/start`: Auth0's start of a passwordless login, mailing a one-time code.
//! The answer is the same whether or not an account has the address.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use serde_json::{Value, json};

use super::client_auth;
use crate::client_ip::ClientIp;
use crate::error::OAuthError;
use crate::flows::{Params, grants, passwordless};
use crate::random;
use crate::state::{AppState, Issuer};

pub async fn start(
    State(state): State<AppState>,
    issuer: Issuer,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    params: Params,
) -> Result<Json<Value>, OAuthError> {
    let credentials = client_auth::credentials(&headers, &params)?;
    let caller = grants::authenticate_client(&state, credentials).await?;
    if !issuer.admits(&caller.tenant_id) {
        return Err(OAuthError::invalid_client("Unknown client."));
    }
    let connection = params.require("connection")?;
    let email = params.require("email")?;
    // Auth0's default is a link; this server sends codes only, so it must be asked for.
    let send = params.get("send").unwrap_or("link");
    let email = passwordless::begin(&state, &caller, connection, email, send, &ip).await?;
    // Auth0's shape; the id is fresh each time, so it tells nothing about the account.
    Ok(Json(
        json!({ "_id": random::hex_id(), "email": email, "email_verified": false }),
    ))
}
