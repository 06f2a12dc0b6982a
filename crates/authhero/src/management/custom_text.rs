//! `/api/v2/prompts/{prompt}/custom-text/{language}`: a tenant's own wording for a login
//! prompt's screens, replaced whole by PUT; `{}` until set. Prompt names are Auth0's.

use authhero_core::entities::{CustomText, Metadata};
use axum::Json;
use axum::extract::{Path, State};

use super::auth::Caller;
use super::body::{JsonBody, payload_error};
use super::openapi;
use super::registry::{Body, Endpoint, Reply, endpoint};
use crate::error::ApiError;
use crate::state::AppState;

/// Auth0's prompts that carry custom text.
const PROMPTS: &[&str] = &[
    "login",
    "login-id",
    "login-password",
    "login-passwordless",
    "login-email-verification",
    "signup",
    "signup-id",
    "signup-password",
    "phone-identifier-enrollment",
    "phone-identifier-challenge",
    "email-identifier-challenge",
    "reset-password",
    "custom-form",
    "consent",
    "customized-consent",
    "logout",
    "mfa-push",
    "mfa-otp",
    "mfa-voice",
    "mfa-phone",
    "mfa-webauthn",
    "mfa-sms",
    "mfa-email",
    "mfa-recovery-code",
    "mfa",
    "status",
    "device-flow",
    "email-verification",
    "email-otp-challenge",
    "organizations",
    "invitation",
    "common",
    "passkeys",
    "captcha",
    "brute-force-protection",
];

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(Get "/prompts/{prompt}/custom-text/{language}", "read:prompts",
            "Get a prompt's custom text", get, Body::None => Reply::Ok(openapi::any_object)),
        endpoint!(Put "/prompts/{prompt}/custom-text/{language}", "update:prompts",
            "Set a prompt's custom text", set,
            Body::Json(openapi::any_object) => Reply::Ok(openapi::any_object)),
    ]
}

/// The prompt and language of a path, when both are ones Auth0 knows the shape of.
fn checked(prompt: &str, language: &str) -> Result<(), ApiError> {
    if !PROMPTS.contains(&prompt) {
        return Err(ApiError::bad_request(format!("Invalid prompt: {prompt}")));
    }
    let well_formed = !language.is_empty()
        && language.len() <= 10
        && language
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !well_formed {
        return Err(ApiError::bad_request(format!(
            "Invalid language: {language}"
        )));
    }
    Ok(())
}

/// `GET`: the texts, `{}` when none were set.
async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path((prompt, language)): Path<(String, String)>,
) -> Result<Json<Metadata>, ApiError> {
    checked(&prompt, &language)?;
    let stored = state
        .adapters
        .custom_texts
        .get(caller.tenant(), &prompt, &language)
        .await?;
    Ok(Json(stored.map(|text| text.texts).unwrap_or_default()))
}

/// `PUT`: the body, an object of screens each holding its texts, replaces the stored texts.
async fn set(
    State(state): State<AppState>,
    caller: Caller,
    Path((prompt, language)): Path<(String, String)>,
    body: JsonBody,
) -> Result<Json<Metadata>, ApiError> {
    checked(&prompt, &language)?;
    let texts = body.into_object()?;
    if let Some((screen, _)) = texts.iter().find(|(_, value)| !value.is_object()) {
        return Err(payload_error(format!(
            "Expected type object but found another type on property {screen}"
        )));
    }
    let stored = state
        .adapters
        .custom_texts
        .set(
            caller.tenant(),
            CustomText {
                prompt,
                language,
                texts,
            },
        )
        .await?;
    Ok(Json(stored.texts))
}
