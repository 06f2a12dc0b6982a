//! Signing JWTs: access tokens and ID tokens with the claims Auth0 issues, signed with the
//! algorithm the tenant chose; and verifying the ones this server issued.

use authhero_core::entities::SigningAlgorithm;
use aws_lc_rs::digest;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use crate::flows::FlowError;
use crate::keys::Expected;
use crate::state::AppState;

/// Seconds an access token lives when its API sets no lifetime (Auth0's default).
pub const DEFAULT_ACCESS_TOKEN_LIFETIME: u64 = 86_400;
/// Seconds an ID token lives (Auth0's default).
pub const ID_TOKEN_LIFETIME: u64 = 36_000;

/// The algorithm `tenant_id` signs with: its `signing_alg`, else RS256. The tenant look-up is
/// served from memory by the cache layer, so a token costs no extra database round trip.
pub async fn algorithm(state: &AppState, tenant_id: &str) -> Result<SigningAlgorithm, FlowError> {
    Ok(state
        .adapters
        .tenants
        .get(tenant_id)
        .await?
        .and_then(|tenant| tenant.signing_alg)
        .unwrap_or(SigningAlgorithm::RS256))
}

/// Signs `claims` with the newest `algorithm` key, adding `iss`, `iat` and `exp`.
pub async fn sign(
    state: &AppState,
    algorithm: SigningAlgorithm,
    issuer: &str,
    mut claims: Map<String, Value>,
    lifetime: u64,
) -> Result<String, FlowError> {
    let keys = state.keys.signing(algorithm).await?;
    let now = state.now().unix_seconds();
    claims.insert("iss".into(), issuer.into());
    claims.insert("iat".into(), now.into());
    claims.insert(
        "exp".into(),
        now.saturating_add(i64::try_from(lifetime).unwrap_or(i64::MAX))
            .into(),
    );
    Ok(keys.sign(algorithm, &claims)?)
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
    let expected = Expected {
        issuer,
        audience,
        unexpired: true,
    };
    decode(state, token, &expected).await
}

/// The claims of an ID token this server signed, however long ago (`id_token_hint` at logout).
pub async fn verify_ignoring_expiry(
    state: &AppState,
    issuer: &str,
    token: &str,
) -> Result<Map<String, Value>, TokenRejected> {
    let expected = Expected {
        issuer,
        audience: None,
        unexpired: false,
    };
    decode(state, token, &expected).await
}

async fn decode(
    state: &AppState,
    token: &str,
    expected: &Expected<'_>,
) -> Result<Map<String, Value>, TokenRejected> {
    state
        .keys
        .verify(token, expected)
        .await?
        .map_err(|_| TokenRejected::Invalid)
}

/// `at_hash` / `c_hash`: the left half of the hash of the value, base64url (OIDC core
/// 3.3.2.11), with the hash of the ID token's `alg`: SHA-256 for RS256 and ES256, and SHA-512
/// for EdDSA on Ed25519, as oidc-token-hash (oidc-provider's and openid-client's) computes it.
pub fn half_hash(algorithm: SigningAlgorithm, value: &str) -> String {
    let hash = match algorithm {
        SigningAlgorithm::RS256 | SigningAlgorithm::ES256 => &digest::SHA256,
        SigningAlgorithm::EdDSA => &digest::SHA512,
    };
    let hash = digest::digest(hash, value.as_bytes());
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
            half_hash(
                SigningAlgorithm::RS256,
                "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"
            ),
            "77QmUPtjPfzWtF2AnpK9RQ"
        );
        // Ed25519 hashes with SHA-512: its left half is 32 bytes.
        assert_eq!(half_hash(SigningAlgorithm::EdDSA, "code").len(), 43);
        assert_ne!(
            half_hash(SigningAlgorithm::EdDSA, "code"),
            half_hash(SigningAlgorithm::ES256, "code")
        );
    }
}
