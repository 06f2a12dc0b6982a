//! `/api/v2/jobs`: bulk user imports, and reading any job (exports and verification emails
//! have modules of their own). The file is uploaded as Auth0 takes it (multipart, the
//! users in a JSON array) and imported in the background; the job reports its status and
//! summary, and `/errors` the rows that failed. A job whose server stopped while it ran reads
//! as failed.

use async_trait::async_trait;
use authhero_core::DataAdapters;
use authhero_core::entities::{Connection, Job};
use authhero_core::ports::Repository;
use axum::Json;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use serde_json::Value;

use super::auth::Caller;
use super::fields::Field;
use super::listing::ListQuery;
use super::openapi;
use super::registry::{Body, Endpoint, Reply, endpoint};
use super::resource::{Resource, find, shown};
use crate::error::ApiError;
use crate::flows::{imports, jobs};
use crate::random;
use crate::state::AppState;

/// The largest users file an import takes (Auth0 takes 500 KB; moving a whole tenant in one
/// file is worth more here).
pub const MAX_IMPORT_BYTES: usize = 64 * 1024 * 1024;

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(Post "/jobs/users-imports", "create:users", "Import users from a file",
            create_import, Body::Multipart(upload_form) => Reply::Created(openapi::one::<Job>))
        .accepting(MAX_IMPORT_BYTES),
        endpoint!(Get "/jobs/{id}", "read:users", "Get a job", get_job,
            Body::None => Reply::Ok(openapi::one::<Job>)),
        endpoint!(Get "/jobs/{id}/errors", "read:users", "List a job's failed rows", errors,
            Body::None => Reply::Ok(openapi::any_json)),
    ]
}

#[async_trait]
impl Resource for Job {
    const PATH: &'static str = "/jobs";
    const COLLECTION: &'static str = "users";
    const MISSING_CODE: &'static str = "inexistent_job";
    const FILTERS: &'static [&'static str] = &[];
    const ID_FIELD: &'static str = "id";
    /// Jobs are made by their own endpoints, from uploads.
    const FIELDS: &'static [Field] = &[];

    fn repository(adapters: &DataAdapters) -> &dyn Repository<Self> {
        adapters.jobs.as_ref()
    }

    fn new_id() -> String {
        random::id("job")
    }

    /// A job is shown without its rows' errors, which have their own endpoint, and without
    /// its download secret's digest.
    fn redacted_for(mut self, _caller: &Caller) -> Self {
        self.errors.clear();
        self.download_digest = None;
        self.heartbeat_at = None;
        self
    }
}

/// The form of an import upload.
fn upload_form(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "object",
        "required": ["users", "connection_id"],
        "properties": {
            "users": {"type": "string", "format": "binary", "description": "A JSON array of users in Auth0's import format."},
            "connection_id": {"type": "string"},
            "upsert": {"type": "boolean"},
            "external_id": {"type": "string"},
            "send_completion_email": {"type": "boolean"},
        },
    })
}

/// The parts of an import upload.
#[derive(Debug, Default)]
struct Upload {
    users: Option<Vec<u8>>,
    connection_id: Option<String>,
    upsert: bool,
    external_id: Option<String>,
    send_completion_email: bool,
}

fn flag(name: &str, value: &str) -> Result<bool, ApiError> {
    match value {
        "true" => Ok(true),
        "false" | "" => Ok(false),
        _ => Err(ApiError::bad_request(format!(
            "Payload validation error: 'Expected type boolean but found type string' on property {name}."
        ))),
    }
}

async fn read_upload(mut multipart: Multipart) -> Result<Upload, ApiError> {
    let unreadable = |error: axum::extract::multipart::MultipartError| {
        ApiError::new(
            error.status(),
            format!("The upload cannot be read: {}", error.body_text()),
        )
    };
    let mut upload = Upload::default();
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "users" => upload.users = Some(field.bytes().await.map_err(unreadable)?.to_vec()),
            "connection_id" => upload.connection_id = Some(field.text().await.map_err(unreadable)?),
            "upsert" => upload.upsert = flag("upsert", &field.text().await.map_err(unreadable)?)?,
            "external_id" => upload.external_id = Some(field.text().await.map_err(unreadable)?),
            "send_completion_email" => {
                upload.send_completion_email = flag(
                    "send_completion_email",
                    &field.text().await.map_err(unreadable)?,
                )?;
            }
            other => {
                return Err(ApiError::bad_request(format!(
                    "Payload validation error: 'Additional properties not allowed: {other}'."
                )));
            }
        }
    }
    Ok(upload)
}

/// `POST /api/v2/jobs/users-imports`: 201 with the pending job; the import runs after.
async fn create_import(
    State(state): State<AppState>,
    caller: Caller,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<Job>), ApiError> {
    let tenant = caller.tenant().to_owned();
    let multipart = multipart.map_err(|rejection| {
        ApiError::new(
            rejection.status(),
            format!(
                "Expected a multipart/form-data upload: {}",
                rejection.body_text()
            ),
        )
    })?;
    let upload = read_upload(multipart).await?;
    let missing = |name: &str| {
        ApiError::bad_request(format!(
            "Payload validation error: 'Missing required property: {name}'."
        ))
    };
    let connection_id = upload
        .connection_id
        .ok_or_else(|| missing("connection_id"))?;
    let file = upload.users.ok_or_else(|| missing("users"))?;
    let connection = find::<Connection>(&state, &tenant, &connection_id).await?;
    if !imports::imports_into(&connection) {
        return Err(ApiError::bad_request(
            "Users can only be imported into a database connection.",
        ));
    }
    let rows = imports::rows_of(&file).map_err(ApiError::bad_request)?;
    let job = imports::new_job(
        &connection,
        upload.upsert,
        upload.external_id,
        upload.send_completion_email,
        &state,
    );
    let job = state.adapters.jobs.create(&tenant, job).await?;
    tokio::spawn(imports::run(
        state.clone(),
        tenant,
        connection,
        rows,
        job.clone(),
    ));
    Ok((StatusCode::CREATED, Json(job)))
}

/// `GET /api/v2/jobs/{id}`: the job as it stands; one whose server went away while it ran
/// reads as failed (`flows::jobs`).
async fn get_job(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let tenant = caller.tenant();
    let query = ListQuery::parse(query.as_deref(), &[])?;
    let job = jobs::current(find::<Job>(&state, tenant, &id).await?, state.now());
    query.one(shown(job, &caller)?)
}

/// `GET /api/v2/jobs/{id}/errors`: each failed row, with why.
async fn errors(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let job = find::<Job>(&state, caller.tenant(), &id).await?;
    Ok(Json(serde_json::to_value(job.errors).unwrap_or_default()))
}
