//! `/api/v2/tenants/settings`: the caller's tenant, in Auth0's tenant settings shape. Setting
//! `signing_alg` to an algorithm without a key makes the key first, so the tenant's next token
//! can be signed with it.

use authhero_core::Timestamp;
use authhero_core::entities::{SigningAlgorithm, Tenant};
use axum::Json;
use axum::extract::State;
use schemars::JsonSchema;
use serde_json::{Map, Value};

use super::auth::Caller;
use super::body::JsonBody;
use super::fields::{Field, field};
use super::openapi;
use super::patch::Patch;
use super::registry::{Body, Endpoint, Reply, endpoint};
use crate::error::ApiError;
use crate::keys;
use crate::state::AppState;

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(Get "/tenants/settings", "read:tenant_settings", "Get tenant settings", get,
            Body::None => Reply::Ok(settings_reply)),
        endpoint!(Patch "/tenants/settings", "update:tenant_settings", "Update tenant settings",
            update, Body::Json(settings_body) => Reply::Ok(settings_reply)),
    ]
}

/// The tenant's schema without what [`settings`] leaves out.
fn settings_reply(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let mut schema = Tenant::json_schema(generator);
    if let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        for field in NOT_SETTINGS {
            properties.remove(*field);
        }
    }
    if let Some(required) = schema.get_mut("required").and_then(Value::as_array_mut) {
        required.retain(|field| {
            !field
                .as_str()
                .is_some_and(|name| NOT_SETTINGS.contains(&name))
        });
    }
    schema
}

fn settings_body(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
    openapi::body_of::<Tenant>(generator, SETTINGS, false)
}

/// The Auth0 tenant settings the tenant has, and the token signing algorithm.
const SETTINGS: &[Field] = &[
    field("friendly_name"),
    field("picture_url"),
    field("support_email"),
    field("support_url"),
    field("allowed_logout_urls"),
    field("session_lifetime"),
    field("idle_session_lifetime"),
    field("default_audience"),
    field("default_directory"),
    field("enabled_locales"),
    field("signing_alg"),
    field("flags"),
    field("default_redirection_uri"),
    field("sandbox_version"),
    field("error_page"),
    field("guardian_mfa_page"),
    field("change_password"),
    field("device_flow"),
];

/// Lifetimes Auth0 also takes in minutes; they are kept in hours, as Auth0 shows them.
const IN_MINUTES: &[(&str, &str)] = &[
    ("session_lifetime_in_minutes", "session_lifetime"),
    ("idle_session_lifetime_in_minutes", "idle_session_lifetime"),
];

/// The body with each lifetime given in minutes turned into hours.
fn in_hours(mut body: Map<String, Value>) -> Result<Map<String, Value>, ApiError> {
    for (minutes_field, hours_field) in IN_MINUTES {
        let Some(minutes) = body.remove(*minutes_field) else {
            continue;
        };
        let minutes = minutes
            .as_f64()
            .filter(|minutes| *minutes >= 0.0)
            .ok_or_else(|| {
                ApiError::bad_request(format!(
                    "Payload validation error: 'Expected type number' on property {minutes_field}."
                ))
            })?;
        body.insert((*hours_field).into(), Value::from(minutes / 60.0));
    }
    Ok(body)
}

/// Fields of the stored tenant that Auth0's settings do not carry.
const NOT_SETTINGS: &[&str] = &["id", "attack_protection", "created_at", "updated_at"];

/// `GET /api/v2/tenants/settings`.
async fn get(State(state): State<AppState>, caller: Caller) -> Result<Json<Value>, ApiError> {
    let tenant_id = caller.tenant();
    let tenant = find(&state, tenant_id).await?;
    Ok(Json(settings(&tenant)?))
}

/// `PATCH /api/v2/tenants/settings`: the settings after the change.
async fn update(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody,
) -> Result<Json<Value>, ApiError> {
    let tenant_id = caller.tenant();
    let patch = Patch::checked(SETTINGS, in_hours(body.into_object()?)?)?;
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
