//! `POST /api/v2/jobs/users-exports`, and the download its job's `location` points to: a
//! gzipped file of the tenant's users (`json`, one per line, or `csv`), written as it is read.

use authhero_core::entities::{Connection, ExportField, Job};
use axum::Json;
use axum::body::Body as ResponseBody;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;

use super::auth::Caller;
use super::body::{JsonBody, from_json, payload_error};
use super::openapi;
use super::registry::{Body, Endpoint, Reply, endpoint};
use super::resource::{find, shown};
use crate::error::ApiError;
use crate::flows::exports::{self, Format, Writer};
use crate::state::AppState;

/// The most fields one export may ask for.
const MAX_FIELDS: usize = 100;

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(Post "/jobs/users-exports", "read:users", "Export users to a file",
            create_export, Body::Json(request_body) => Reply::Created(openapi::one::<Job>)),
    ]
}

/// The body Auth0 takes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Request {
    connection_id: Option<String>,
    format: Option<String>,
    limit: Option<u64>,
    #[serde(default)]
    fields: Vec<ExportField>,
}

fn request_body(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "object",
        "properties": {
            "connection_id": {"type": "string"},
            "format": {"type": "string", "enum": ["json", "csv"]},
            "limit": {"type": "integer", "minimum": 1},
            "fields": {
                "type": "array",
                "maxItems": MAX_FIELDS,
                "items": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string", "minLength": 1},
                        "export_as": {"type": "string", "minLength": 1},
                    },
                    "required": ["name"],
                    "additionalProperties": false,
                },
            },
        },
        "additionalProperties": false,
    })
}

/// 201 with the job, completed: its `location` is the download, valid for an hour.
async fn create_export(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let tenant = caller.tenant();
    let request: Request = from_json(Value::Object(body.into_object()?))?;
    let format = match request.format.as_deref() {
        None => Format::Csv,
        Some(name) => {
            Format::named(name).ok_or_else(|| payload_error("format must be json or csv"))?
        }
    };
    if request.limit == Some(0) {
        return Err(payload_error("limit must be at least 1"));
    }
    if request.fields.len() > MAX_FIELDS {
        return Err(payload_error(format!("at most {MAX_FIELDS} fields")));
    }
    if request
        .fields
        .iter()
        .any(|field| field.name.is_empty() || field.export_as.as_deref().is_some_and(str::is_empty))
    {
        return Err(payload_error(
            "a field's name and export_as must not be empty",
        ));
    }
    let connection = match &request.connection_id {
        Some(id) => Some(find::<Connection>(&state, tenant, id).await?),
        None => None,
    };
    let job = exports::new_job(
        &state,
        tenant,
        connection.as_ref(),
        format,
        request.limit,
        request.fields,
    );
    let job = state.adapters.jobs.create(tenant, job).await?;
    Ok((StatusCode::CREATED, Json(shown(job, &caller)?)))
}

/// `GET /exports/{file}`: the export, streamed; 404 for a link that is unknown, another job's
/// or expired, whichever it is.
pub async fn download(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let found = match exports::downloadable(&state, &file).await {
        Ok(found) => found,
        Err(error) => return ApiError::from(error).into_response(),
    };
    let Some((tenant_id, job)) = found else {
        return ApiError::not_found("The export does not exist or its link has expired.")
            .into_response();
    };
    let writer = match Writer::new(state, tenant_id, &job) {
        Ok(writer) => writer,
        Err(error) => return ApiError::from(error).into_response(),
    };
    // A failure ends the stream with an error, so the client sees a cut-off download.
    let chunks = futures_util::stream::unfold(Some(writer), |writer| async move {
        let mut writer = writer?;
        match writer.next_chunk().await {
            Ok(Some(chunk)) => Some((Ok(chunk), Some(writer))),
            Ok(None) => None,
            Err(error) => {
                tracing::warn!(%error, "a user export stopped");
                Some((Err(error), None))
            }
        }
    });
    (
        [
            (header::CONTENT_TYPE, "application/gzip"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        ResponseBody::from_stream(chunks),
    )
        .into_response()
}
