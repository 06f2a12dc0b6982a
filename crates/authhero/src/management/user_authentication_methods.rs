//! A user's MFA enrolments: `/api/v2/users/{id}/authentication-methods` (list, create, replace
//! all, delete all; get, update and delete one), `DELETE /users/{id}/authenticators`,
//! `DELETE /users/{id}/multifactor/{provider}`, `POST /users/{id}/recovery-code-regeneration`
//! and `POST /users/{id}/multifactor/actions/invalidate-remember-browser`. Secrets (a TOTP
//! secret, a recovery code's digest) are shown only in the answer that creates them.

use authhero_core::entities::{AuthenticationMethod, AuthenticationMethodType, User};
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::auth::Caller;
use super::body::{JsonBody, from_json, payload_error};
use super::listing::{ListQuery, page_in_memory, page_reply};
use super::openapi;
use super::registry::{Body, Endpoint, Reply, endpoint};
use super::resource::find;
use crate::error::ApiError;
use crate::flows::{authentication_methods, validation};
use crate::random;
use crate::state::AppState;

const METHODS: &str = "/users/{id}/authentication-methods";
const METHOD: &str = "/users/{id}/authentication-methods/{authentication_method_id}";

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(Get METHODS, "read:authentication_methods",
            "List a user's authentication methods", list,
            Body::None => Reply::Ok(openapi::any_page))
        .paged(),
        endpoint!(Post METHODS, "create:authentication_methods",
            "Create an authentication method", create,
            Body::Json(create_body) => Reply::Created(openapi::any_object)),
        endpoint!(Put METHODS, "update:authentication_methods",
            "Replace a user's authentication methods", replace,
            Body::Json(replace_body) => Reply::Ok(openapi::any_json)),
        endpoint!(Delete METHODS, "delete:authentication_methods",
            "Delete a user's authentication methods", remove_all,
            Body::None => Reply::NoContent),
        endpoint!(Get METHOD, "read:authentication_methods",
            "Get an authentication method", get_one,
            Body::None => Reply::Ok(openapi::any_object)),
        endpoint!(Patch METHOD, "update:authentication_methods",
            "Update an authentication method", update,
            Body::Json(update_body) => Reply::Ok(openapi::any_object)),
        endpoint!(Delete METHOD, "delete:authentication_methods",
            "Delete an authentication method", remove_one,
            Body::None => Reply::NoContent),
        endpoint!(Delete "/users/{id}/authenticators", "delete:guardian_enrollments",
            "Delete a user's authenticators", remove_all,
            Body::None => Reply::NoContent),
        endpoint!(Delete "/users/{id}/multifactor/{provider}", "update:users",
            "Delete a user's multifactor provider", remove_provider,
            Body::None => Reply::NoContent),
        endpoint!(Post "/users/{id}/recovery-code-regeneration", "update:users",
            "Generate a new recovery code", regenerate_recovery_code,
            Body::None => Reply::Ok(recovery_code_answer)),
        endpoint!(Post "/users/{id}/multifactor/actions/invalidate-remember-browser",
            "update:users", "Invalidate remembered browsers", invalidate_remember_browser,
            Body::None => Reply::NoContent),
    ]
}

/// The fields each type a body may create takes; the first ones listed are required.
fn fields_of(
    kind: AuthenticationMethodType,
) -> Option<(&'static [&'static str], &'static [&'static str])> {
    use AuthenticationMethodType::*;
    Some(match kind {
        Phone => (
            &["phone_number"],
            &["name", "preferred_authentication_method"],
        ),
        Email => (&["email"], &["name"]),
        Totp => (&["totp_secret"], &["name"]),
        WebauthnRoaming => (
            &["key_id", "public_key"],
            &["name", "relying_party_identifier"],
        ),
        Passkey => (
            &["key_id", "public_key"],
            &[
                "name",
                "relying_party_identifier",
                "aaguid",
                "credential_device_type",
                "credential_backed_up",
                "identity_user_id",
                "user_agent",
                "user_handle",
                "transports",
            ],
        ),
        WebauthnPlatform | RecoveryCode => return None,
    })
}

/// A create body: the type and what it takes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewMethod {
    #[serde(rename = "type")]
    kind: AuthenticationMethodType,
    name: Option<String>,
    phone_number: Option<String>,
    preferred_authentication_method: Option<authhero_core::entities::PhoneDelivery>,
    email: Option<String>,
    totp_secret: Option<String>,
    key_id: Option<String>,
    public_key: Option<String>,
    relying_party_identifier: Option<String>,
    aaguid: Option<String>,
    credential_device_type: Option<String>,
    credential_backed_up: Option<bool>,
    identity_user_id: Option<String>,
    user_agent: Option<String>,
    user_handle: Option<String>,
    transports: Option<Vec<String>>,
}

fn create_body(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "object",
        "required": ["type"],
        "properties": {
            "type": {"type": "string", "enum": ["phone", "email", "totp", "webauthn-roaming", "passkey"]},
            "name": {"type": "string", "maxLength": 255},
            "phone_number": {"type": "string", "pattern": "^\\+[1-9][0-9]{1,14}$"},
            "preferred_authentication_method": {"type": "string", "enum": ["sms", "voice"]},
            "email": {"type": "string", "format": "email"},
            "totp_secret": {"type": "string", "pattern": "^[A-Z2-7]{16,128}$"},
            "key_id": {"type": "string", "minLength": 1, "maxLength": 1024},
            "public_key": {"type": "string", "minLength": 1, "maxLength": 4096},
            "relying_party_identifier": {"type": "string", "maxLength": 255},
            "aaguid": {"type": "string", "maxLength": 255},
            "credential_device_type": {"type": "string", "enum": ["single_device", "multi_device"]},
            "credential_backed_up": {"type": "boolean"},
            "identity_user_id": {"type": "string", "maxLength": 255},
            "user_agent": {"type": "string", "maxLength": 1024},
            "user_handle": {"type": "string", "maxLength": 1024},
            "transports": {"type": "array", "items": {"type": "string", "maxLength": 32}, "maxItems": 8},
        },
        "additionalProperties": false,
    })
}

fn replace_body(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "array",
        "maxItems": 20,
        "items": {
            "type": "object",
            "required": ["type"],
            "properties": {
                "type": {"type": "string", "enum": ["phone", "email", "totp"]},
                "name": {"type": "string", "maxLength": 255},
                "phone_number": {"type": "string", "pattern": "^\\+[1-9][0-9]{1,14}$"},
                "preferred_authentication_method": {"type": "string", "enum": ["sms", "voice"]},
                "email": {"type": "string", "format": "email"},
                "totp_secret": {"type": "string", "pattern": "^[A-Z2-7]{16,128}$"},
            },
            "additionalProperties": false,
        },
    })
}

fn update_body(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "object",
        "properties": {
            "name": {"type": "string", "maxLength": 255},
            "preferred_authentication_method": {"type": "string", "enum": ["sms", "voice"]},
        },
        "additionalProperties": false,
    })
}

fn recovery_code_answer(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "object",
        "required": ["recovery_code"],
        "properties": {"recovery_code": {"type": "string"}},
    })
}

/// `GET /api/v2/users/{id}/authentication-methods`: a bare array, or with `include_totals`
/// `{start, limit, total, authenticators}`.
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let tenant = caller.tenant();
    find::<User>(&state, tenant, &id).await?;
    let query = ListQuery::parse(query.as_deref(), &[])?;
    let params = query.params()?;
    let methods = authentication_methods::of_user(&state, tenant, &id).await?;
    let shown = methods.into_iter().map(|method| shown(method, false));
    let page = page_in_memory(shown.collect::<Result<Vec<_>, _>>()?, &params)?;
    page_reply("authenticators", &query, &params, page)
}

/// `POST /api/v2/users/{id}/authentication-methods`: 201 with the method, confirmed.
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let tenant = caller.tenant();
    find::<User>(&state, tenant, &id).await?;
    let method = new_method(&state, &id, body.into_value(), false)?;
    let created = state
        .adapters
        .authentication_methods
        .create(tenant, method)
        .await?;
    Ok((StatusCode::CREATED, Json(shown(created, true)?)))
}

/// `PUT /api/v2/users/{id}/authentication-methods`: the user's methods become those given
/// (phone, email, totp); 200 with them.
async fn replace(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<Json<Value>, ApiError> {
    let tenant = caller.tenant();
    find::<User>(&state, tenant, &id).await?;
    let Value::Array(items) = body.into_value() else {
        return Err(payload_error("Expected type array"));
    };
    // Every item is checked before anything is removed, so a bad one changes nothing.
    let methods = items
        .into_iter()
        .map(|item| new_method(&state, &id, item, true))
        .collect::<Result<Vec<_>, _>>()?;
    authentication_methods::remove(&state, tenant, &id, None).await?;
    let mut created = Vec::with_capacity(methods.len());
    for method in methods {
        let method = state
            .adapters
            .authentication_methods
            .create(tenant, method)
            .await?;
        created.push(shown(method, true)?);
    }
    Ok(Json(Value::Array(created)))
}

/// `DELETE /api/v2/users/{id}/authentication-methods` and `/authenticators`: 204.
async fn remove_all(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let tenant = caller.tenant();
    find::<User>(&state, tenant, &id).await?;
    authentication_methods::remove(&state, tenant, &id, None).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v2/users/{id}/authentication-methods/{authentication_method_id}`.
async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, method_id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let method = method_of(&state, caller.tenant(), &id, &method_id).await?;
    Ok(Json(shown(method, false)?))
}

/// The body of a PATCH: only the name and a phone's delivery change.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MethodUpdate {
    name: Option<String>,
    preferred_authentication_method: Option<authhero_core::entities::PhoneDelivery>,
}

/// `PATCH /api/v2/users/{id}/authentication-methods/{authentication_method_id}`.
async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, method_id)): Path<(String, String)>,
    body: JsonBody,
) -> Result<Json<Value>, ApiError> {
    let tenant = caller.tenant();
    let change: MethodUpdate = from_json(Value::Object(body.into_object()?))?;
    let mut method = method_of(&state, tenant, &id, &method_id).await?;
    if let Some(name) = change.name {
        method.name = Some(checked_name(name)?);
    }
    if let Some(delivery) = change.preferred_authentication_method {
        if method.kind != AuthenticationMethodType::Phone {
            return Err(payload_error(
                "preferred_authentication_method applies to phone methods only",
            ));
        }
        method.preferred_authentication_method = Some(delivery);
    }
    let updated = state
        .adapters
        .authentication_methods
        .update(tenant, method)
        .await?;
    Ok(Json(shown(updated, false)?))
}

/// `DELETE /api/v2/users/{id}/authentication-methods/{authentication_method_id}`: 204.
async fn remove_one(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, method_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let tenant = caller.tenant();
    method_of(&state, tenant, &id, &method_id).await?;
    state
        .adapters
        .authentication_methods
        .remove(tenant, &method_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /api/v2/users/{id}/multifactor/{provider}`: `google-authenticator` removes the
/// user's TOTP enrolments; `duo` has none here. 204.
async fn remove_provider(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, provider)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let tenant = caller.tenant();
    let kinds: &[AuthenticationMethodType] = match provider.as_str() {
        "google-authenticator" => &[AuthenticationMethodType::Totp],
        "duo" => &[],
        _ => {
            return Err(ApiError::bad_request(
                "Path validation error: 'provider must be one of duo, google-authenticator'.",
            )
            .with_code("invalid_uri"));
        }
    };
    find::<User>(&state, tenant, &id).await?;
    authentication_methods::remove(&state, tenant, &id, Some(kinds)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v2/users/{id}/recovery-code-regeneration`: 200 `{recovery_code}`; the old code
/// stops working.
async fn regenerate_recovery_code(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let tenant = caller.tenant();
    find::<User>(&state, tenant, &id).await?;
    let code = authentication_methods::regenerate_recovery_code(&state, tenant, &id).await?;
    Ok(Json(json!({ "recovery_code": code })))
}

/// `POST /api/v2/users/{id}/multifactor/actions/invalidate-remember-browser`: 204. The login
/// pages remember no browser for MFA, so there is nothing to forget.
async fn invalidate_remember_browser(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    find::<User>(&state, caller.tenant(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The user's method `method_id`, or Auth0's 404 (also for another user's method).
async fn method_of(
    state: &AppState,
    tenant: &str,
    user_id: &str,
    method_id: &str,
) -> Result<AuthenticationMethod, ApiError> {
    find::<User>(state, tenant, user_id).await?;
    state
        .adapters
        .authentication_methods
        .get(tenant, method_id)
        .await?
        .filter(|method| method.user_id == user_id)
        .ok_or_else(|| {
            ApiError::not_found("The authentication method does not exist.")
                .with_code("inexistent_authentication_method")
        })
}

/// The method a create (or, `replacing`, a PUT) item describes, checked for its type's fields.
fn new_method(
    state: &AppState,
    user_id: &str,
    body: Value,
    replacing: bool,
) -> Result<AuthenticationMethod, ApiError> {
    let Value::Object(fields) = body else {
        return Err(payload_error("Expected type object"));
    };
    let request: NewMethod = from_json(Value::Object(fields.clone()))?;
    let creatable = !replacing
        || matches!(
            request.kind,
            AuthenticationMethodType::Phone
                | AuthenticationMethodType::Email
                | AuthenticationMethodType::Totp
        );
    let Some((required, optional)) = fields_of(request.kind).filter(|_| creatable) else {
        return Err(payload_error(
            "type must be one of phone, email, totp, webauthn-roaming, passkey",
        ));
    };
    check_fields(&fields, required, optional)?;
    let email = request
        .email
        .map(|email| {
            validation::email(&email)
                .map_err(|_| payload_error(format!("email is not a valid email address: {email}")))
        })
        .transpose()?;
    if let Some(phone) = &request.phone_number
        && !is_e164(phone)
    {
        return Err(payload_error(
            "phone_number must be in E.164 format, e.g. +14155550100",
        ));
    }
    if let Some(secret) = &request.totp_secret
        && !is_base32(secret)
    {
        return Err(payload_error(
            "totp_secret must be base32 (A-Z, 2-7), 16 to 128 characters",
        ));
    }
    let mut method = AuthenticationMethod::new(
        random::id(&method_prefix(request.kind)),
        user_id.to_owned(),
        request.kind,
        state.now(),
    );
    method.name = request.name.map(checked_name).transpose()?;
    method.phone_number = request.phone_number;
    method.preferred_authentication_method = request.preferred_authentication_method;
    method.email = email;
    method.totp_secret = request.totp_secret;
    method.key_id = request.key_id;
    method.public_key = request.public_key;
    method.relying_party_identifier = request.relying_party_identifier;
    method.aaguid = request.aaguid;
    method.credential_device_type = request.credential_device_type;
    method.credential_backed_up = request.credential_backed_up;
    method.identity_user_id = request.identity_user_id;
    method.user_agent = request.user_agent;
    method.user_handle = request.user_handle;
    method.transports = request.transports.unwrap_or_default();
    Ok(method)
}

/// Refuses a body missing a field its type needs, or carrying one its type does not take.
fn check_fields(
    fields: &Map<String, Value>,
    required: &[&str],
    optional: &[&str],
) -> Result<(), ApiError> {
    if let Some(missing) = required.iter().find(|name| !fields.contains_key(**name)) {
        return Err(payload_error(format!(
            "Missing required property: {missing}"
        )));
    }
    let foreign = fields.keys().find(|name| {
        name.as_str() != "type"
            && !required.contains(&name.as_str())
            && !optional.contains(&name.as_str())
    });
    match foreign {
        Some(name) => Err(payload_error(format!(
            "{name} does not apply to this type of authentication method"
        ))),
        None => Ok(()),
    }
}

/// Auth0's id prefix for a method of this type, e.g. `phone|dev_…`.
fn method_prefix(kind: AuthenticationMethodType) -> String {
    let kind = serde_json::to_value(kind)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_default();
    format!("{kind}|dev")
}

fn checked_name(name: String) -> Result<String, ApiError> {
    if name.chars().count() > 255 {
        return Err(payload_error("name is longer than 255 characters"));
    }
    Ok(name)
}

fn is_e164(phone: &str) -> bool {
    let Some(digits) = phone.strip_prefix('+') else {
        return false;
    };
    (2..=15).contains(&digits.len())
        && digits.bytes().all(|byte| byte.is_ascii_digit())
        && !digits.starts_with('0')
}

fn is_base32(secret: &str) -> bool {
    (16..=128).contains(&secret.len())
        && secret
            .bytes()
            .all(|byte| byte.is_ascii_uppercase() || (b'2'..=b'7').contains(&byte))
}

/// The method as Auth0 shows it: without its owner and stored secrets; a TOTP secret only in
/// the answer that created it.
fn shown(method: AuthenticationMethod, created: bool) -> Result<Value, ApiError> {
    let mut value = serde_json::to_value(method)
        .map_err(|error| authhero_core::Error::internal(error.to_string()))?;
    if let Value::Object(fields) = &mut value {
        fields.remove("user_id");
        fields.remove("recovery_code_hash");
        fields.remove("sign_count");
        if !created {
            fields.remove("totp_secret");
        }
    }
    Ok(value)
}
