//! `/api/v2/prompts/{prompt}/custom-text/{language}`: a tenant's own wording for a login
//! prompt's screens, replaced whole by PUT; `{}` until set.

use authhero_core::entities::{CustomText, Metadata};
use axum::Json;
use axum::extract::{Path, State};

use super::auth::Caller;
use super::body::{JsonBody, payload_error};
use super::openapi;
use super::registry::{Body, Endpoint, Reply, endpoint};
use crate::error::ApiError;
use crate::state::AppState;

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(Get "/prompts/{prompt}/custom-text/{language}", "read:prompts",
            "Get a prompt's custom text", get, Body::None => Reply::Ok(openapi::any_object)),
        endpoint!(Put "/prompts/{prompt}/custom-text/{language}", "update:prompts",
            "Set a prompt's custom text", set,
            Body::Json(openapi::any_object) => Reply::Ok(openapi::any_object)),
    ]
}

/// A prompt's name as Auth0 writes them (`login-id`, `mfa-push`): lower-case words joined by
/// hyphens. Which prompts the login pages show their text on is theirs to say.
fn is_prompt_name(prompt: &str) -> bool {
    !prompt.is_empty()
        && prompt.len() <= 50
        && prompt
            .split('-')
            .all(|word| !word.is_empty() && word.chars().all(|c| c.is_ascii_lowercase()))
}

/// The prompt and language of a path, when both are ones Auth0 knows the shape of.
fn checked(prompt: &str, language: &str) -> Result<(), ApiError> {
    if !is_prompt_name(prompt) {
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
