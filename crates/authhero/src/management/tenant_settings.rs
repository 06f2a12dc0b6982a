//! `/api/v2/tenants/settings`: the caller's tenant, in Auth0's tenant settings shape. Setting
//! `signing_alg` to an algorithm without a key makes the key first, so the tenant's next token
//! can be signed with it.

use authhero_core::Timestamp;
use authhero_core::entities::{SigningAlgorithm, Tenant};
use axum::Json;
use axum::extract::State;
use serde_json::Value;

use super::auth::Caller;
use super::body::JsonBody;
use super::patch::PatchRules;
use crate::error::ApiError;
use crate::keys;
use crate::state::AppState;

const READ_SCOPE: &str = "read:tenant_settings";
const UPDATE_SCOPE: &str = "update:tenant_settings";

/// The Auth0 tenant settings the tenant has, and the token signing algorithm.
const PATCH: PatchRules = PatchRules {
    updatable: &[
        "friendly_name",
        "picture_url",
        "support_email",
        "support_url",
        "allowed_logout_urls",
        "session_lifetime",
        "idle_session_lifetime",
        "default_audience",
        "default_directory",
        "enabled_locales",
        "signing_alg",
    ],
    merged: &[],
};

/// Fields of the stored tenant that Auth0's settings do not carry.
const NOT_SETTINGS: &[&str] = &["id", "created_at", "updated_at"];

/// `GET /api/v2/tenants/settings`.
pub async fn get(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    let tenant_id = caller.tenant_for(READ_SCOPE)?;
    let tenant = find(&state, tenant_id).await?;
    Ok(Json(settings(&tenant)?))
}

/// `PATCH /api/v2/tenants/settings`: the settings after the change.
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody,
) -> Result<Json<Value>, ApiError> {
    let tenant_id = caller.tenant_for(UPDATE_SCOPE)?;
    let patch = PATCH.check(body.into_object()?)?;
    let stored = find(&state, tenant_id).await?;
    let patched = patch.apply(&stored)?;
    // The key before the tenant: a token signed right after the switch must find it.
    let algorithm = patched.signing_alg.unwrap_or(SigningAlgorithm::RS256);
    let signing_keys = state.adapters.signing_keys.as_ref();
    if keys::ensure(signing_keys, algorithm, Timestamp::now()).await? {
        state.keys.invalidate().await;
    }
    let updated = state.adapters.tenants.update(patched).await?;
    Ok(Json(settings(&updated)?))
}

async fn find(state: &AppState, tenant_id: &str) -> Result<Tenant, ApiError> {
    state
        .adapters
        .tenants
        .get(tenant_id)
        .await?
        .ok_or_else(|| ApiError::not_found("The tenant does not exist."))
}

/// The tenant as Auth0 shows its settings.
fn settings(tenant: &Tenant) -> Result<Value, ApiError> {
    let mut document = serde_json::to_value(tenant)
        .map_err(|error| authhero_core::Error::internal(error.to_string()))?;
    if let Value::Object(fields) = &mut document {
        for field in NOT_SETTINGS {
            fields.remove(*field);
        }
    }
    Ok(document)
}
