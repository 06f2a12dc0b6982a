//! `/api/v2/tickets`: single-use links for an administrator to hand over. `password-change`
//! opens the password reset page for one user, honoured like an emailed reset link;
//! `email-verification` marks the user's email verified when opened. Each works once, until it
//! expires.

use authhero_core::entities::{Connection, User};
use authhero_core::{ListParams, Query};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use super::auth::Caller;
use super::body::{JsonBody, from_json, payload_error};
use super::listing::invalid_query;
use super::openapi;
use super::registry::{Body, Endpoint, Reply, endpoint};
use super::resource::{find, not_found};
use crate::error::ApiError;
use crate::flows::user_tickets::{self, Options};
use crate::flows::{email_verification, password_reset};
use crate::state::AppState;

/// Auth0's default lifetime of a change password ticket: five days.
const DEFAULT_TTL: i64 = 432_000;
/// The longest a ticket may live here.
const MAX_TTL: i64 = user_tickets::MAX_LIFETIME;

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(Post "/tickets/password-change", "create:user_tickets",
            "Create a password change ticket", password_change,
            Body::Json(ticket_body) => Reply::Created(openapi::any_object)),
        endpoint!(Post "/tickets/email-verification", "create:user_tickets",
            "Create an email verification ticket", email_verification_ticket,
            Body::Json(verification_body) => Reply::Created(openapi::any_object)),
    ]
}

/// The body of `POST /api/v2/tickets/email-verification`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EmailVerification {
    user_id: String,
    result_url: Option<String>,
    client_id: Option<String>,
    #[expect(
        dead_code,
        reason = "accepted as Auth0 takes it; organizations do not change the email"
    )]
    organization_id: Option<String>,
    ttl_sec: Option<i64>,
    #[serde(default, rename = "includeEmailInRedirect")]
    include_email_in_redirect: bool,
    #[expect(
        dead_code,
        reason = "accepted as Auth0 takes it; a user has one identity"
    )]
    identity: Option<Value>,
}

fn verification_body(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "object",
        "properties": {
            "user_id": {"type": "string", "minLength": 1},
            "result_url": {"type": "string", "format": "uri"},
            "client_id": {"type": "string"},
            "organization_id": {"type": "string"},
            "ttl_sec": {"type": "integer", "minimum": 0},
            "includeEmailInRedirect": {"type": "boolean"},
            "identity": {
                "type": "object",
                "properties": {"user_id": {"type": "string"}, "provider": {"type": "string"}},
            },
        },
        "required": ["user_id"],
        "additionalProperties": false,
    })
}

/// `POST /api/v2/tickets/email-verification`: 201 `{ticket}`.
async fn email_verification_ticket(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let tenant = caller.tenant();
    let request: EmailVerification = from_json(Value::Object(body.into_object()?))?;
    let ttl = ticket_lifetime(request.ttl_sec, email_verification::TICKET_LIFETIME)?;
    checked_result_url(request.result_url.as_deref())?;
    let user = find::<User>(&state, tenant, &request.user_id).await?;
    if let Some(client_id) = &request.client_id {
        find::<authhero_core::entities::Client>(&state, tenant, client_id).await?;
    }
    let options = Options {
        result_url: request.result_url,
        include_email: request.include_email_in_redirect,
        mark_email_verified: false,
    };
    let ticket = email_verification::ticket_link(
        &state,
        tenant,
        &user,
        request.client_id.as_deref(),
        &options,
        ttl,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(json!({ "ticket": ticket }))))
}

/// Refuses a `result_url` that is not an http or https URL.
fn checked_result_url(result_url: Option<&str>) -> Result<(), ApiError> {
    match result_url {
        Some(result_url)
            if !url::Url::parse(result_url)
                .is_ok_and(|url| matches!(url.scheme(), "https" | "http")) =>
        {
            Err(payload_error("result_url must be an http or https URL"))
        }
        _ => Ok(()),
    }
}

/// `ttl_sec` as a ticket's lifetime: `default` when absent or 0, at most thirty days.
fn ticket_lifetime(ttl_sec: Option<i64>, default: i64) -> Result<i64, ApiError> {
    match ttl_sec {
        None | Some(0) => Ok(default),
        Some(seconds) if (1..=MAX_TTL).contains(&seconds) => Ok(seconds),
        Some(_) => Err(payload_error(format!(
            "ttl_sec must be 0 to {MAX_TTL} seconds"
        ))),
    }
}

/// The body of `POST /api/v2/tickets/password-change`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PasswordChange {
    user_id: Option<String>,
    email: Option<String>,
    connection_id: Option<String>,
    client_id: Option<String>,
    #[expect(
        dead_code,
        reason = "accepted as Auth0 takes it; organizations do not scope resets"
    )]
    organization_id: Option<String>,
    /// Where the user goes after the change; without it the page says it is done.
    result_url: Option<String>,
    ttl_sec: Option<i64>,
    #[serde(default)]
    mark_email_as_verified: bool,
    #[serde(default, rename = "includeEmailInRedirect")]
    include_email_in_redirect: bool,
}

fn ticket_body(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "object",
        "properties": {
            "user_id": {"type": "string"},
            "email": {"type": "string"},
            "connection_id": {"type": "string"},
            "client_id": {"type": "string"},
            "organization_id": {"type": "string"},
            "result_url": {"type": "string", "format": "uri"},
            "ttl_sec": {"type": "integer", "minimum": 0},
            "mark_email_as_verified": {"type": "boolean"},
            "includeEmailInRedirect": {"type": "boolean"},
        },
        "additionalProperties": false,
    })
}

/// `POST /api/v2/tickets/password-change`: 201 `{ticket}`.
async fn password_change(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let tenant = caller.tenant();
    let request: PasswordChange = from_json(Value::Object(body.into_object()?))?;
    let ttl = ticket_lifetime(request.ttl_sec, DEFAULT_TTL)?;
    checked_result_url(request.result_url.as_deref())?;
    let user = ticket_user(&state, tenant, &request).await?;
    if let Some(client_id) = &request.client_id {
        find::<authhero_core::entities::Client>(&state, tenant, client_id).await?;
    }
    let options = Options {
        result_url: request.result_url,
        include_email: request.include_email_in_redirect,
        mark_email_verified: request.mark_email_as_verified,
    };
    let ticket = password_reset::ticket_link(
        &state,
        tenant,
        &user,
        request.client_id.as_deref(),
        &options,
        ttl,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(json!({ "ticket": ticket }))))
}

/// The user a ticket is for: by `user_id`, or by `email` within `connection_id`.
async fn ticket_user(
    state: &AppState,
    tenant: &str,
    request: &PasswordChange,
) -> Result<User, ApiError> {
    match (&request.user_id, &request.email, &request.connection_id) {
        (Some(user_id), None, None) => find::<User>(state, tenant, user_id).await,
        (None, Some(email), Some(connection_id)) => {
            let connection = find::<Connection>(state, tenant, connection_id).await?;
            let filter = Query::And(vec![
                Query::equals("email", email.trim().to_lowercase()).map_err(invalid_query)?,
                Query::equals("connection", &connection.name).map_err(invalid_query)?,
            ]);
            let found = state
                .adapters
                .users
                .list(tenant, &ListParams::default().with_query(filter))
                .await?;
            found.items.into_iter().next().ok_or_else(not_found::<User>)
        }
        _ => Err(payload_error(
            "Either user_id, or email and connection_id, are required",
        )),
    }
}
