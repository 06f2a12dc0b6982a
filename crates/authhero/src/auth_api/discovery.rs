//! Discovery documents and the JWKS.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::error::OAuthError;
use crate::state::{AppState, Issuer};

/// `/.well-known/openid-configuration` (also served as the RFC 8414 metadata).
/// On a custom domain the document names that domain, as Auth0's does. The configured issuer's
/// document never changes, so it is rendered once.
pub async fn openid_configuration(State(state): State<AppState>, issuer: Issuer) -> Response {
    let body = match issuer.tenant_id {
        None => state
            .discovery
            .get_or_init(|| Bytes::from(document(&issuer.url).to_string()))
            .clone(),
        Some(_) => Bytes::from(document(&issuer.url).to_string()),
    };
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn document(issuer: &str) -> Value {
    json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}authorize"),
        "token_endpoint": format!("{issuer}oauth/token"),
        "userinfo_endpoint": format!("{issuer}userinfo"),
        "jwks_uri": format!("{issuer}.well-known/jwks.json"),
        "revocation_endpoint": format!("{issuer}oauth/revoke"),
        "end_session_endpoint": format!("{issuer}oidc/logout"),
        "scopes_supported": ["openid", "profile", "offline_access", "name", "given_name", "family_name",
            "nickname", "email", "email_verified", "picture", "created_at", "identities", "phone", "address"],
        "response_types_supported": ["code", "token", "id_token", "code token", "code id_token",
            "token id_token", "code token id_token"],
        "response_modes_supported": ["query", "fragment", "form_post", "web_message"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials", "password",
            "http://auth0.com/oauth/grant-type/password-realm",
            "http://auth0.com/oauth/grant-type/passwordless/otp"],
        "code_challenge_methods_supported": ["S256", "plain"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256", "ES256", "EdDSA"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "claims_supported": ["aud", "auth_time", "created_at", "email", "email_verified", "exp",
            "family_name", "given_name", "iat", "identities", "iss", "name", "nickname",
            "phone_number", "picture", "sub"],
        "request_uri_parameter_supported": false,
        "request_parameter_supported": false,
    })
}

/// `/.well-known/jwks.json`: the public halves of every unrevoked key.
pub async fn jwks(State(state): State<AppState>) -> Result<Response, OAuthError> {
    let keys = state.keys.get().await?;
    Ok((
        [
            (header::CACHE_CONTROL, "public, max-age=15"),
            (header::CONTENT_TYPE, "application/json"),
        ],
        keys.jwks_document(),
    )
        .into_response())
}
