//! Values a tenant has one of, each read with GET (Auth0's defaults until first changed) and
//! changed with PATCH: branding, prompt settings, and the three attack protection settings.

use async_trait::async_trait;
use authhero_core::entities::{
    Branding, BreachedPasswordDetection, BruteForceProtection, PromptSettings,
    SuspiciousIpThrottling, Tenant,
};
use axum::Json;
use axum::extract::State;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::auth::Caller;
use super::body::JsonBody;
use super::fields::{Field, field};
use super::openapi;
use super::patch::Patch;
use super::registry::{Body, Endpoint, Reply, endpoint};
use crate::error::ApiError;
use crate::state::AppState;

/// A tenant's one value of a kind, at `/api/v2<PATH>`.
#[async_trait]
pub trait Setting: Serialize + DeserializeOwned + JsonSchema + Send + Sync + 'static {
    const PATH: &'static str;
    /// Scopes are `read:<this>` and `update:<this>`.
    const SCOPE: &'static str;
    const NAME: &'static str;
    /// What a PATCH may change.
    const FIELDS: &'static [Field];

    /// Auth0's value for a tenant that never set one.
    fn initial() -> Self;

    async fn load(state: &AppState, tenant_id: &str) -> Result<Option<Self>, ApiError>;

    async fn store(state: &AppState, tenant_id: &str, value: Self) -> Result<Self, ApiError>;
}

/// GET and PATCH of `S`.
pub fn endpoints<S: Setting>() -> Vec<Endpoint> {
    vec![
        endpoint!(Get S::PATH, format!("read:{}", S::SCOPE), format!("Get {}", S::NAME),
            get::<S>, Body::None => Reply::Ok(openapi::one::<S>)),
        endpoint!(Patch S::PATH, format!("update:{}", S::SCOPE), format!("Update {}", S::NAME),
            update::<S>, Body::Json(patch_body::<S>) => Reply::Ok(openapi::one::<S>)),
    ]
}

fn patch_body<S: Setting>(generator: &mut SchemaGenerator) -> Schema {
    openapi::body_of::<S>(generator, S::FIELDS, false)
}

async fn current<S: Setting>(state: &AppState, tenant_id: &str) -> Result<S, ApiError> {
    Ok(S::load(state, tenant_id).await?.unwrap_or_else(S::initial))
}

async fn get<S: Setting>(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<S>, ApiError> {
    Ok(Json(current::<S>(&state, caller.tenant()).await?))
}

async fn update<S: Setting>(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody,
) -> Result<Json<S>, ApiError> {
    let tenant = caller.tenant();
    let patch = Patch::checked(S::FIELDS, body.into_object()?)?;
    let patched = patch.apply_to(&current::<S>(&state, tenant).await?, S::NAME)?;
    Ok(Json(S::store(&state, tenant, patched).await?))
}

#[async_trait]
impl Setting for Branding {
    const PATH: &'static str = "/branding";
    const SCOPE: &'static str = "branding";
    const NAME: &'static str = "branding";
    const FIELDS: &'static [Field] = &[
        field("colors"),
        field("logo_url"),
        field("favicon_url"),
        field("font"),
    ];

    fn initial() -> Self {
        Self::default()
    }

    async fn load(state: &AppState, tenant_id: &str) -> Result<Option<Self>, ApiError> {
        Ok(state.adapters.branding.get(tenant_id).await?)
    }

    async fn store(state: &AppState, tenant_id: &str, value: Self) -> Result<Self, ApiError> {
        Ok(state.adapters.branding.set(tenant_id, value).await?)
    }
}

#[async_trait]
impl Setting for PromptSettings {
    const PATH: &'static str = "/prompts";
    const SCOPE: &'static str = "prompts";
    const NAME: &'static str = "prompt settings";
    const FIELDS: &'static [Field] = &[
        field("universal_login_experience"),
        field("identifier_first"),
        field("webauthn_platform_first_factor"),
    ];

    /// Auth0's tenants start on the new Universal Login experience.
    fn initial() -> Self {
        Self {
            universal_login_experience: Some("new".into()),
            ..Self::default()
        }
    }

    async fn load(state: &AppState, tenant_id: &str) -> Result<Option<Self>, ApiError> {
        Ok(state.adapters.prompt_settings.get(tenant_id).await?)
    }

    async fn store(state: &AppState, tenant_id: &str, value: Self) -> Result<Self, ApiError> {
        Ok(state.adapters.prompt_settings.set(tenant_id, value).await?)
    }
}

/// The tenant, or Auth0's 404.
async fn tenant(state: &AppState, tenant_id: &str) -> Result<Tenant, ApiError> {
    state
        .adapters
        .tenants
        .get(tenant_id)
        .await?
        .ok_or_else(|| ApiError::not_found("The tenant does not exist."))
}

/// An attack protection setting, kept in the tenant itself.
macro_rules! attack_protection {
    ($type:ty, $path:literal, $name:literal, $field:ident, [$($fields:literal),*]) => {
        #[async_trait]
        impl Setting for $type {
            const PATH: &'static str = $path;
            const SCOPE: &'static str = "attack_protection";
            const NAME: &'static str = $name;
            const FIELDS: &'static [Field] = &[$(field($fields)),*];

            fn initial() -> Self {
                Self::default()
            }

            async fn load(state: &AppState, tenant_id: &str) -> Result<Option<Self>, ApiError> {
                Ok(tenant(state, tenant_id).await?.attack_protection.$field)
            }

            async fn store(
                state: &AppState,
                tenant_id: &str,
                value: Self,
            ) -> Result<Self, ApiError> {
                let mut tenant = tenant(state, tenant_id).await?;
                tenant.attack_protection.$field = Some(value.clone());
                tenant.updated_at = state.now();
                state.adapters.tenants.update(tenant).await?;
                Ok(value)
            }
        }
    };
}

attack_protection!(
    BruteForceProtection,
    "/attack-protection/brute-force-protection",
    "brute-force protection",
    brute_force_protection,
    ["enabled", "shields", "allowlist", "mode", "max_attempts"]
);
attack_protection!(
    BreachedPasswordDetection,
    "/attack-protection/breached-password-detection",
    "breached password detection",
    breached_password_detection,
    [
        "enabled",
        "shields",
        "admin_notification_frequency",
        "method",
        "stage"
    ]
);
attack_protection!(
    SuspiciousIpThrottling,
    "/attack-protection/suspicious-ip-throttling",
    "suspicious IP throttling",
    suspicious_ip_throttling,
    ["enabled", "shields", "allowlist", "stage"]
);

/// Every setting's endpoints.
pub fn all_endpoints() -> Vec<Endpoint> {
    [
        endpoints::<Branding>(),
        endpoints::<PromptSettings>(),
        endpoints::<BruteForceProtection>(),
        endpoints::<BreachedPasswordDetection>(),
        endpoints::<SuspiciousIpThrottling>(),
    ]
    .concat()
}
