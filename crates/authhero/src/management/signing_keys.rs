//! `/api/v2/keys/signing`: the keys tokens are signed with, in Auth0's shape and never with
//! their private half. Rotation makes a new key that signs from then on; the old one stays in
//! the JWKS, so tokens it signed keep verifying, until it is revoked. A key that signs cannot be
//! revoked.
//!
//! Keys are shared by every tenant of a server, so only the administrators of the bootstrap
//! tenant may rotate or revoke them; any tenant may read them, as the JWKS is public anyway.

use authhero_core::entities::{SigningAlgorithm, SigningKey};
use authhero_core::{Timestamp, ports::SigningKeysRepository};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use schemars::JsonSchema;
use serde::Serialize;

use super::auth::Caller;
use super::openapi;
use super::registry::{Body, Endpoint, Reply, endpoint};
use crate::bootstrap::DEFAULT_TENANT;
use crate::error::ApiError;
use crate::keys;
use crate::state::AppState;

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(Get "/keys/signing", "read:signing_keys", "List signing keys", list,
            Body::None => Reply::Ok(openapi::list_of::<PublishedKey>)),
        endpoint!(Get "/keys/signing/{kid}", "read:signing_keys", "Get a signing key", get_one,
            Body::None => Reply::Ok(openapi::one::<PublishedKey>)),
        endpoint!(Post "/keys/signing/rotate", "create:signing_keys", "Rotate the signing key",
            rotate, Body::None => Reply::Created(openapi::one::<KeyReference>)),
        endpoint!(Put "/keys/signing/{kid}/revoke", "update:signing_keys",
            "Revoke a signing key", revoke, Body::None => Reply::Ok(openapi::one::<KeyReference>)),
    ]
}

/// A key as Auth0 shows it.
#[derive(Debug, Serialize, JsonSchema)]
pub struct PublishedKey {
    kid: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    cert: Option<String>,
    /// The SPKI PEM of the public half.
    public_key: String,
    alg: SigningAlgorithm,
    /// Signs new tokens (the newest unrevoked key of its algorithm).
    current: bool,
    next: bool,
    /// Published for verification only.
    previous: bool,
    revoked: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    revoked_at: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    current_since: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fingerprint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    thumbprint: Option<String>,
}

/// What rotation and revocation answer with.
#[derive(Debug, Serialize, JsonSchema)]
pub struct KeyReference {
    kid: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    cert: Option<String>,
}

/// The kid of the key that signs for `algorithm`: the newest unrevoked one.
fn signing_kid(keys: &[SigningKey], algorithm: SigningAlgorithm) -> Option<&str> {
    keys.iter()
        .filter(|key| key.algorithm == algorithm && key.revoked_at.is_none())
        .max_by_key(|key| key.created_at)
        .map(|key| key.kid.as_str())
}

fn published(key: &SigningKey, keys: &[SigningKey]) -> PublishedKey {
    let current = signing_kid(keys, key.algorithm) == Some(key.kid.as_str());
    let revoked = key.revoked_at.is_some();
    PublishedKey {
        kid: key.kid.clone(),
        cert: key.cert.clone(),
        public_key: key.public_key.clone(),
        alg: key.algorithm,
        current,
        next: false,
        previous: !current && !revoked,
        revoked,
        revoked_at: key.revoked_at,
        current_since: current.then_some(key.created_at),
        fingerprint: key.fingerprint.clone(),
        thumbprint: key.thumbprint.clone(),
    }
}

async fn all_keys(state: &AppState) -> Result<Vec<SigningKey>, ApiError> {
    Ok(state.adapters.signing_keys.list().await?)
}

/// Auth0's 404 for a kid there is no key for.
fn missing_key() -> ApiError {
    ApiError::not_found("The signing key does not exist.").with_code("inexistent_key")
}

/// Refuses a change to the shared keys from any tenant but the bootstrap one.
fn check_may_change(caller: &Caller) -> Result<(), ApiError> {
    if caller.tenant() == DEFAULT_TENANT {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::FORBIDDEN,
        "Signing keys are shared by every tenant of this server; only the default tenant may change them.",
    )
    .with_code("operation_not_supported"))
}

/// `GET /api/v2/keys/signing`: a bare array, as in Auth0.
async fn list(
    State(state): State<AppState>,
    _caller: Caller,
) -> Result<Json<Vec<PublishedKey>>, ApiError> {
    let keys = all_keys(&state).await?;
    Ok(Json(keys.iter().map(|key| published(key, &keys)).collect()))
}

/// `GET /api/v2/keys/signing/{kid}`.
async fn get_one(
    State(state): State<AppState>,
    _caller: Caller,
    Path(kid): Path<String>,
) -> Result<Json<PublishedKey>, ApiError> {
    let keys = all_keys(&state).await?;
    let key = keys
        .iter()
        .find(|key| key.kid == kid)
        .ok_or_else(missing_key)?;
    Ok(Json(published(key, &keys)))
}

/// `POST /api/v2/keys/signing/rotate`: a new key for the tenant's algorithm signs from now on.
async fn rotate(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<(StatusCode, Json<KeyReference>), ApiError> {
    check_may_change(&caller)?;
    let tenant = state
        .adapters
        .tenants
        .get(caller.tenant())
        .await?
        .ok_or_else(|| ApiError::not_found("The tenant does not exist."))?;
    let algorithm = tenant.signing_alg.unwrap_or(SigningAlgorithm::RS256);
    let repository: &dyn SigningKeysRepository = state.adapters.signing_keys.as_ref();
    let key = repository
        .create(keys::generate(algorithm, state.now())?)
        .await?;
    state.keys.invalidate().await;
    Ok((
        StatusCode::CREATED,
        Json(KeyReference {
            kid: key.kid,
            cert: key.cert,
        }),
    ))
}

/// `PUT /api/v2/keys/signing/{kid}/revoke`: the key leaves the JWKS; tokens it signed stop
/// verifying.
async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    Path(kid): Path<String>,
) -> Result<Json<KeyReference>, ApiError> {
    check_may_change(&caller)?;
    let keys = all_keys(&state).await?;
    let mut key = keys
        .iter()
        .find(|key| key.kid == kid)
        .cloned()
        .ok_or_else(missing_key)?;
    if signing_kid(&keys, key.algorithm) == Some(kid.as_str()) {
        return Err(ApiError::bad_request(
            "The key signs new tokens: rotate first, then revoke it.",
        ));
    }
    if key.revoked_at.is_none() {
        key.revoked_at = Some(state.now());
        key = state.adapters.signing_keys.update(key).await?;
        state.keys.invalidate().await;
    }
    Ok(Json(KeyReference {
        kid: key.kid,
        cert: key.cert,
    }))
}
