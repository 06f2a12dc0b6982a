//! `POST /api/v2/jobs/verification-email`: mails a user a link that verifies their email
//! address, in the background; the job reports whether it went.

use authhero_core::entities::{Client, Job, User};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::Value;

use super::auth::Caller;
use super::body::{JsonBody, from_json};
use super::openapi;
use super::registry::{Body, Endpoint, Reply, endpoint};
use super::resource::find;
use crate::error::ApiError;
use crate::flows::email_verification;
use crate::random;
use crate::state::AppState;

pub fn endpoints() -> Vec<Endpoint> {
    vec![endpoint!(Post "/jobs/verification-email", "update:users",
            "Send a verification email", create_job,
            Body::Json(request_body) => Reply::Created(openapi::one::<Job>))]
}

/// The body Auth0 takes. `identity` and `organization_id` are accepted: a user here has one
/// identity, and organizations do not change the email.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Request {
    user_id: String,
    client_id: Option<String>,
    #[expect(
        dead_code,
        reason = "accepted as Auth0 takes it; a user has one identity"
    )]
    identity: Option<Value>,
    #[expect(dead_code, reason = "accepted as Auth0 takes it")]
    organization_id: Option<String>,
}

fn request_body(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "object",
        "properties": {
            "user_id": {"type": "string", "minLength": 1},
            "client_id": {"type": "string"},
            "identity": {
                "type": "object",
                "properties": {
                    "user_id": {"type": "string"},
                    "provider": {"type": "string"},
                    "connection_id": {"type": "string"},
                },
            },
            "organization_id": {"type": "string"},
        },
        "required": ["user_id"],
        "additionalProperties": false,
    })
}

/// 201 with the pending job; the email is sent after.
async fn create_job(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody,
) -> Result<(StatusCode, Json<Job>), ApiError> {
    let tenant = caller.tenant().to_owned();
    let request: Request = from_json(Value::Object(body.into_object()?))?;
    let user = find::<User>(&state, &tenant, &request.user_id).await?;
    if let Some(client_id) = &request.client_id {
        find::<Client>(&state, &tenant, client_id).await?;
    }
    if user.email.is_none() {
        return Err(ApiError::bad_request(
            "The user does not have an email address.",
        ));
    }
    let job = Job {
        id: random::id("job"),
        kind: "verification_email".into(),
        status: "pending".into(),
        connection_id: None,
        connection: user.connection().map(str::to_owned),
        upsert: false,
        external_id: None,
        send_completion_email: false,
        summary: None,
        status_details: None,
        errors: Vec::new(),
        format: None,
        limit: None,
        fields: Vec::new(),
        location: None,
        location_expires_at: None,
        download_digest: None,
        heartbeat_at: None,
        created_at: state.now(),
    };
    let job = state.adapters.jobs.create(&tenant, job).await?;
    tokio::spawn(send(state, tenant, user, request.client_id, job.clone()));
    Ok((StatusCode::CREATED, Json(job)))
}

/// Sends the email and stores how the job ended; every failure ends up in the job.
async fn send(
    state: AppState,
    tenant: String,
    user: User,
    client_id: Option<String>,
    mut job: Job,
) {
    let sent = email_verification::send_email(&state, &tenant, &user, client_id.as_deref()).await;
    match sent {
        Ok(()) => job.status = "completed".into(),
        Err(failure) => {
            job.status = "failed".into();
            job.status_details = Some(failure.public_reason().into());
        }
    }
    if let Err(error) = state.adapters.jobs.update(&tenant, job.clone()).await {
        tracing::error!(%error, job = job.id, "could not store a finished verification email job");
    }
}
