//! Signing JWTs: access tokens and ID tokens with the claims Auth0 issues.

use authhero_core::Timestamp;
use aws_lc_rs::digest;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use crate::error::OAuthError;
use crate::state::AppState;

/// Seconds an access token lives when its API sets no lifetime (Auth0's default).
pub const DEFAULT_ACCESS_TOKEN_LIFETIME: u64 = 86_400;
/// Seconds an ID token lives (Auth0's default).
pub const ID_TOKEN_LIFETIME: u64 = 36_000;

/// Signs `claims` with the current key, adding `iss`, `iat` and `exp`.
pub async fn sign(
    state: &AppState,
    issuer: &str,
    mut claims: Map<String, Value>,
    lifetime: u64,
) -> Result<String, OAuthError> {
    let keys = state.keys.get().await?;
    let now = Timestamp::now().unix_seconds();
    claims.insert("iss".into(), issuer.into());
    claims.insert("iat".into(), now.into());
    claims.insert(
        "exp".into(),
        now.saturating_add(i64::try_from(lifetime).unwrap_or(i64::MAX))
            .into(),
    );
    // The JWS is assembled here rather than by jsonwebtoken::encode, which parses the RSA key
    // anew for every token: that parse cost several times the signature itself.
    let payload =
        serde_json::to_vec(&claims).map_err(|error| OAuthError::server_error(error.to_string()))?;
    let message = format!(
        "{}.{}",
        keys.active.encoded_header,
        URL_SAFE_NO_PAD.encode(payload)
    );
    let signature = keys.active.sign(message.as_bytes())?;
    Ok(format!("{message}.{}", URL_SAFE_NO_PAD.encode(signature)))
}

/// Why a presented token was refused.
#[derive(Debug, thiserror::Error)]
pub enum TokenRejected {
    #[error("the token is malformed, expired, or not signed by this issuer for this audience")]
    Invalid,
    #[error(transparent)]
    Keys(#[from] authhero_core::Error),
}

/// The claims of a JWT this server signed, checked for signature, `iss`, `exp` and, when
/// given, `aud` (a string or an array containing it).
pub async fn verify(
    state: &AppState,
    issuer: &str,
    token: &str,
    audience: Option<&str>,
) -> Result<Map<String, Value>, TokenRejected> {
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_issuer(&[issuer]);
    validation.leeway = 0;
    match audience {
        Some(audience) => validation.set_audience(&[audience]),
        None => validation.validate_aud = false,
    }
    decode(state, token, &validation).await
}

/// The claims of an ID token this server signed, however long ago (`id_token_hint` at logout).
pub async fn verify_ignoring_expiry(
    state: &AppState,
    issuer: &str,
    token: &str,
) -> Result<Map<String, Value>, TokenRejected> {
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_issuer(&[issuer]);
    validation.validate_exp = false;
    validation.validate_aud = false;
    validation.required_spec_claims.remove("exp");
    decode(state, token, &validation).await
}

/// Checks `token` against the key its `kid` names and `validation`.
async fn decode(
    state: &AppState,
    token: &str,
    validation: &jsonwebtoken::Validation,
) -> Result<Map<String, Value>, TokenRejected> {
    let header = jsonwebtoken::decode_header(token).map_err(|_| TokenRejected::Invalid)?;
    let keys = state.keys.get().await?;
    let key = header
        .kid
        .as_ref()
        .and_then(|kid| keys.verifying.get(kid))
        .ok_or(TokenRejected::Invalid)?;
    let data = jsonwebtoken::decode::<Map<String, Value>>(token, key, validation)
        .map_err(|_| TokenRejected::Invalid)?;
    Ok(data.claims)
}

/// `at_hash` / `c_hash`: the left half of the SHA-256 of the value, base64url (OIDC core 3.3.2.11).
pub fn half_hash(value: &str) -> String {
    let hash = digest::digest(&digest::SHA256, value.as_bytes());
    let bytes = hash.as_ref();
    URL_SAFE_NO_PAD.encode(bytes.get(..bytes.len() / 2).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_hash_matches_the_oidc_example() {
        // OpenID Connect Core, appendix A.3: access token and its at_hash.
        assert_eq!(
            half_hash("jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"),
            "77QmUPtjPfzWtF2AnpK9RQ"
        );
    }
}
