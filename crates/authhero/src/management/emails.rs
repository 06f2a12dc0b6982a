//! `/api/v2/email-templates` and `/api/v2/emails/provider`: the tenant's email templates (one
//! per Auth0 template name, Liquid checked when written) and the provider that sends them
//! (`flows::mail` uses both). A provider's credentials are stored but never shown again.

use async_trait::async_trait;
use authhero_core::DataAdapters;
use authhero_core::entities::{EmailProvider, EmailTemplate};
use authhero_core::ports::Repository;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::Value;

use super::auth::Caller;
use super::body::{JsonBody, from_json};
use super::fields::{Field, check_create, field};
use super::openapi;
use super::patch::Patch;
use super::registry::{Body, Endpoint, Reply, endpoint};
use super::resource::{self, Resource, new_resource};
use crate::error::ApiError;
use crate::flows::mail;
use crate::state::AppState;

/// Auth0's template names.
const TEMPLATES: &[&str] = &[
    "verify_email",
    "verify_email_by_code",
    "reset_email",
    "reset_email_by_code",
    "welcome_email",
    "blocked_account",
    "stolen_credentials",
    "enrollment_email",
    "mfa_oob_code",
    "user_invitation",
    "change_password",
    "password_reset",
    "async_approval",
];

/// Auth0's provider names.
const PROVIDERS: &[&str] = &[
    "mandrill",
    "sendgrid",
    "sparkpost",
    "ses",
    "mailgun",
    "smtp",
    "azure_cs",
    "ms365",
    "custom",
];

/// The provider's fields a create may carry and a PATCH change.
const PROVIDER_FIELDS: &[Field] = &[
    field("name").required(),
    field("enabled"),
    field("default_from_address"),
    field("credentials"),
    field("settings"),
];

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        resource::create_endpoint::<EmailTemplate>(),
        resource::get_endpoint::<EmailTemplate>(),
        resource::update_endpoint::<EmailTemplate>(),
        endpoint!(Put "/email-templates/{id}", "update:email_templates",
            "Set an email template", replace_template,
            Body::Json(openapi::create_body::<EmailTemplate>) => Reply::Ok(openapi::one::<EmailTemplate>)),
        endpoint!(Get "/emails/provider", "read:email_provider", "Get the email provider",
            get_provider, Body::None => Reply::Ok(openapi::one::<EmailProvider>)),
        endpoint!(Post "/emails/provider", "create:email_provider", "Set up the email provider",
            create_provider, Body::Json(provider_body) => Reply::Created(openapi::one::<EmailProvider>)),
        endpoint!(Patch "/emails/provider", "update:email_provider",
            "Change the email provider", update_provider,
            Body::Json(provider_body) => Reply::Ok(openapi::one::<EmailProvider>)),
        endpoint!(Delete "/emails/provider", "delete:email_provider",
            "Remove the email provider", remove_provider, Body::None => Reply::NoContent),
    ]
}

#[async_trait]
impl Resource for EmailTemplate {
    const PATH: &'static str = "/email-templates";
    const COLLECTION: &'static str = "email_templates";
    const MISSING_CODE: &'static str = "inexistent_email_template";
    const FILTERS: &'static [&'static str] = &[];
    const ID_FIELD: &'static str = "template";
    const FIELDS: &'static [Field] = &[
        field("template").required().fixed(),
        field("body").required(),
        field("from").required(),
        field("subject").required(),
        field("syntax").required(),
        field("resultUrl"),
        field("urlLifetimeInSeconds"),
        field("includeEmailInRedirect"),
        field("enabled").required(),
    ];

    fn repository(adapters: &DataAdapters) -> &dyn Repository<Self> {
        adapters.email_templates.as_ref()
    }

    /// Never used: a template is created under its name.
    fn new_id() -> String {
        String::new()
    }

    fn check(&self) -> Result<(), ApiError> {
        if !TEMPLATES.contains(&self.template.as_str()) {
            return Err(ApiError::bad_request(format!(
                "Payload validation error: 'No enum match for: \"{}\"' on property template.",
                self.template
            )));
        }
        if self.syntax != "liquid" {
            return Err(ApiError::bad_request(
                "Payload validation error: 'No enum match for syntax: only liquid is supported' on property syntax.",
            ));
        }
        for (property, text) in [("body", &self.body), ("subject", &self.subject)] {
            mail::check_template(text).map_err(|why| {
                ApiError::bad_request(format!(
                    "Payload validation error: 'Invalid Liquid: {why}' on property {property}."
                ))
            })?;
        }
        Ok(())
    }
}

/// `PUT /api/v2/email-templates/{name}`: the template, created or replaced whole.
async fn replace_template(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    body: JsonBody,
) -> Result<Json<EmailTemplate>, ApiError> {
    let tenant = caller.tenant();
    let mut body = body.into_object()?;
    match body.get("template") {
        None => {
            body.insert("template".into(), Value::String(name.clone()));
        }
        Some(given) if given.as_str() != Some(name.as_str()) => {
            return Err(ApiError::bad_request(
                "The template in the body is not the one in the path.",
            ));
        }
        Some(_) => {}
    }
    let template: EmailTemplate = new_resource(body, state.now())?;
    let templates = &state.adapters.email_templates;
    let stored = match templates.get(tenant, &name).await? {
        Some(_) => templates.update(tenant, template).await?,
        None => templates.create(tenant, template).await?,
    };
    Ok(Json(stored))
}

fn provider_body(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
    openapi::body_of::<EmailProvider>(generator, PROVIDER_FIELDS, true)
}

/// The provider as Auth0 shows it: without its credentials.
fn shown(mut provider: EmailProvider) -> Json<EmailProvider> {
    provider.credentials.clear();
    Json(provider)
}

/// A provider Auth0 knows; an `smtp` one must name its server, as email goes through it.
fn check_provider(provider: &EmailProvider) -> Result<(), ApiError> {
    if !PROVIDERS.contains(&provider.name.as_str()) {
        return Err(ApiError::bad_request(format!(
            "Payload validation error: 'No enum match for: \"{}\"' on property name.",
            provider.name
        )));
    }
    if provider.name == "smtp" {
        mail::smtp_settings(provider).map_err(|why| {
            ApiError::bad_request(format!(
                "Payload validation error: '{why}' on property credentials."
            ))
        })?;
    }
    Ok(())
}

fn missing_provider() -> ApiError {
    ApiError::not_found("There is no email provider.").with_code("inexistent_email_provider")
}

async fn get_provider(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<EmailProvider>, ApiError> {
    let provider = state.adapters.email_providers.get(caller.tenant()).await?;
    provider.map(shown).ok_or_else(missing_provider)
}

/// `POST /api/v2/emails/provider`: 201; a tenant has one provider, so a second is a 409.
async fn create_provider(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody,
) -> Result<(StatusCode, Json<EmailProvider>), ApiError> {
    let tenant = caller.tenant();
    let body = body.into_object()?;
    check_create(PROVIDER_FIELDS, &body)?;
    let provider: EmailProvider = from_json(Value::Object(body))?;
    check_provider(&provider)?;
    let providers = &state.adapters.email_providers;
    if providers.get(tenant).await?.is_some() {
        return Err(
            ApiError::new(StatusCode::CONFLICT, "An email provider is already set up.")
                .with_code("email_provider_conflict"),
        );
    }
    let stored = providers.set(tenant, provider).await?;
    Ok((StatusCode::CREATED, shown(stored)))
}

async fn update_provider(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody,
) -> Result<Json<EmailProvider>, ApiError> {
    let tenant = caller.tenant();
    let patch = Patch::checked(PROVIDER_FIELDS, body.into_object()?)?;
    let providers = &state.adapters.email_providers;
    let stored = providers.get(tenant).await?.ok_or_else(missing_provider)?;
    let patched: EmailProvider = patch.apply_to(&stored, "email provider")?;
    check_provider(&patched)?;
    Ok(shown(providers.set(tenant, patched).await?))
}

async fn remove_provider(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<StatusCode, ApiError> {
    state
        .adapters
        .email_providers
        .remove(caller.tenant())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
