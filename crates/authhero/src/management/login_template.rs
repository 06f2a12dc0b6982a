//! `/api/v2/branding/templates/universal-login`: the tenant's page template for Universal
//! Login, Liquid HTML that must hold the `auth0:head` and `auth0:widget` tags, as in Auth0. A PUT
//! takes `{"template": …}` or, as Auth0's SDK sends it, the template as a bare JSON string.

use authhero_core::entities::UniversalLoginTemplate;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use super::auth::Caller;
use super::body::{JsonBody, from_json, payload_error};
use super::openapi;
use super::registry::{Body, Endpoint, Reply, endpoint};
use crate::error::ApiError;
use crate::pages::page_template;
use crate::state::AppState;

const PATH: &str = "/branding/templates/universal-login";
/// Auth0's limit on a template, in characters.
const MAX_TEMPLATE_CHARS: usize = 102_400;
/// A template of the longest length, every character escaped in JSON, fits.
const MAX_BODY_BYTES: usize = 1024 * 1024;

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(Get PATH, "read:branding", "Get the Universal Login page template",
            get_template, Body::None => Reply::Ok(openapi::one::<UniversalLoginTemplate>)),
        endpoint!(Put PATH, "update:branding", "Set the Universal Login page template",
            set_template, Body::Json(template_body) => Reply::Created(openapi::one::<UniversalLoginTemplate>))
        .accepting(MAX_BODY_BYTES),
        endpoint!(Delete PATH, "delete:branding", "Delete the Universal Login page template",
            delete_template, Body::None => Reply::NoContent),
    ]
}

/// The body of the PUT.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SetTemplate {
    template: String,
}

fn template_body(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "oneOf": [
            {"type": "string", "maxLength": MAX_TEMPLATE_CHARS},
            {
                "type": "object",
                "properties": {
                    "template": {"type": "string", "maxLength": MAX_TEMPLATE_CHARS},
                },
                "required": ["template"],
                "additionalProperties": false,
            },
        ],
    })
}

fn missing() -> ApiError {
    ApiError::not_found("The template does not exist.").with_code("not_found")
}

async fn get_template(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<UniversalLoginTemplate>, ApiError> {
    let stored = state
        .adapters
        .universal_login_templates
        .get(caller.tenant())
        .await?;
    stored.map(Json).ok_or_else(missing)
}

async fn set_template(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody,
) -> Result<(StatusCode, Json<UniversalLoginTemplate>), ApiError> {
    let request: SetTemplate = match body.into_value() {
        serde_json::Value::String(template) => SetTemplate { template },
        object @ serde_json::Value::Object(_) => from_json(object)?,
        other => {
            return Err(payload_error(format!(
                "Expected type string or object but found type {}",
                super::body::json_type(&other)
            )));
        }
    };
    if request.template.chars().count() > MAX_TEMPLATE_CHARS {
        return Err(payload_error(format!(
            "String is too long, maximum {MAX_TEMPLATE_CHARS}' on property template"
        )));
    }
    page_template::check(&request.template).map_err(ApiError::bad_request)?;
    let stored = state
        .adapters
        .universal_login_templates
        .set(
            caller.tenant(),
            UniversalLoginTemplate {
                body: request.template,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(stored)))
}

async fn delete_template(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<StatusCode, ApiError> {
    state
        .adapters
        .universal_login_templates
        .remove(caller.tenant())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
