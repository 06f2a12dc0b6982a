//! User exports (Auth0's `users-exports` job): a gzipped file of a tenant's users, one JSON
//! object per line or CSV, with the chosen fields. The file is written as it is downloaded,
//! a page of users at a time, from the users as they are then: nothing is stored but the job,
//! any node can serve the download, and a large export never sits in memory.
//!
//! The download link is the job's capability: `<tenant>.<job>.<secret>`, of which only the
//! secret's digest is kept, valid for [`LINK_LIFETIME`] seconds.

use std::io::Write as _;

use authhero_core::entities::{Connection, ExportField, Job, User};
use authhero_core::list::{Checkpoint, Pagination};
use authhero_core::{ListParams, Query};
use bytes::Bytes;
use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::{Map, Value};

use super::user_links;
use crate::random;
use crate::secrets;
use crate::state::AppState;

/// Seconds an export's download link works.
pub const LINK_LIFETIME: i64 = 3_600;
/// Users read per page of the download.
const PAGE: u32 = 100;
/// What a CSV export holds when no fields are asked for.
const DEFAULT_CSV_FIELDS: &[&str] = &[
    "user_id",
    "email",
    "email_verified",
    "username",
    "name",
    "given_name",
    "family_name",
    "nickname",
    "picture",
    "blocked",
    "logins_count",
    "last_login",
    "created_at",
    "updated_at",
];

/// An export's file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per line.
    Json,
    Csv,
}

impl Format {
    pub fn named(name: &str) -> Option<Format> {
        match name {
            "json" => Some(Format::Json),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Csv => "csv",
        }
    }
}

/// A completed export job of the tenant's users (of `connection`, when given), with its
/// download link.
pub fn new_job(
    state: &AppState,
    tenant_id: &str,
    connection: Option<&Connection>,
    format: Format,
    limit: Option<u64>,
    fields: Vec<ExportField>,
) -> Job {
    let id = random::id("job");
    let (secret, digest) = secrets::generate(24);
    let now = state.now();
    Job {
        location: Some(format!(
            "{}exports/{tenant_id}.{id}.{secret}.{}.gz",
            state.issuer,
            format.name()
        )),
        location_expires_at: Some(now.plus_seconds(LINK_LIFETIME)),
        download_digest: Some(digest),
        heartbeat_at: None,
        id,
        kind: "users_export".into(),
        status: "completed".into(),
        connection_id: connection.map(|connection| connection.id.clone()),
        connection: connection.map(|connection| connection.name.clone()),
        upsert: false,
        external_id: None,
        send_completion_email: false,
        summary: None,
        status_details: None,
        errors: Vec::new(),
        format: Some(format.name().into()),
        limit,
        fields,
        created_at: now,
    }
}

/// The export a download link names, if the link is this job's and still works.
pub async fn downloadable(
    state: &AppState,
    file: &str,
) -> authhero_core::Result<Option<(String, Job)>> {
    let mut parts = file.splitn(4, '.');
    let (Some(tenant_id), Some(job_id), Some(secret)) = (parts.next(), parts.next(), parts.next())
    else {
        return Ok(None);
    };
    if state.adapters.tenants.get(tenant_id).await?.is_none() {
        return Ok(None);
    }
    let Some(job) = state.adapters.jobs.get(tenant_id, job_id).await? else {
        return Ok(None);
    };
    let live = job.kind == "users_export"
        && job.download_digest.as_deref() == Some(secrets::digest(secret).as_str())
        && job
            .location_expires_at
            .is_some_and(|expires| expires > state.now());
    Ok(live.then(|| (tenant_id.to_owned(), job)))
}

/// Writes the export a page of users at a time, each page's compressed bytes as they come.
#[derive(Debug)]
pub struct Writer {
    state: AppState,
    tenant_id: String,
    query: Query,
    format: Format,
    fields: Vec<ExportField>,
    left: u64,
    from: Option<String>,
    encoder: GzEncoder<Vec<u8>>,
    started: bool,
    finished: bool,
}

impl Writer {
    pub fn new(state: AppState, tenant_id: String, job: &Job) -> authhero_core::Result<Writer> {
        let format = job
            .format
            .as_deref()
            .and_then(Format::named)
            .unwrap_or(Format::Json);
        let query = job
            .connection
            .as_deref()
            .map(|connection| Query::equals("connection", connection))
            .transpose()?;
        let query = user_links::standalone(query);
        let mut fields = job.fields.clone();
        if fields.is_empty() && format == Format::Csv {
            fields = DEFAULT_CSV_FIELDS
                .iter()
                .map(|name| ExportField {
                    name: (*name).to_owned(),
                    export_as: None,
                })
                .collect();
        }
        Ok(Writer {
            state,
            tenant_id,
            query,
            format,
            fields,
            left: job.limit.unwrap_or(u64::MAX),
            from: None,
            encoder: GzEncoder::new(Vec::new(), Compression::default()),
            started: false,
            finished: false,
        })
    }

    /// The next compressed bytes; None once the file is whole.
    pub async fn next_chunk(&mut self) -> std::io::Result<Option<Bytes>> {
        if self.finished {
            return Ok(None);
        }
        if !self.started {
            self.started = true;
            if self.format == Format::Csv {
                let header: Vec<String> = self
                    .fields
                    .iter()
                    .map(|field| csv_cell(field.export_as.as_deref().unwrap_or(&field.name)))
                    .collect();
                writeln!(self.encoder, "{}", header.join(","))?;
            }
        }
        let take = u32::try_from(self.left.min(u64::from(PAGE))).unwrap_or(PAGE);
        let users = if take == 0 {
            Vec::new()
        } else {
            self.page(take).await?
        };
        if users.is_empty() {
            self.finished = true;
            let encoder = std::mem::replace(
                &mut self.encoder,
                GzEncoder::new(Vec::new(), Compression::default()),
            );
            return Ok(Some(Bytes::from(encoder.finish()?)));
        }
        self.left -= users.len() as u64;
        for user in &users {
            let line = self.line(user)?;
            self.encoder.write_all(line.as_bytes())?;
            self.encoder.write_all(b"\n")?;
        }
        Ok(Some(Bytes::from(std::mem::take(self.encoder.get_mut()))))
    }

    async fn page(&mut self, take: u32) -> std::io::Result<Vec<User>> {
        let params = ListParams {
            pagination: Pagination::Checkpoint(Checkpoint {
                from: self.from.clone(),
                take,
            }),
            include_totals: false,
            sort: None,
            q: Some(self.query.clone()),
        };
        let page = self
            .state
            .adapters
            .users
            .list(&self.tenant_id, &params)
            .await
            .map_err(std::io::Error::other)?;
        self.from = page.items.last().map(|user| user.user_id.clone());
        if page.next.is_none() {
            // The last page: stop after it.
            self.left = self.left.min(page.items.len() as u64);
        }
        Ok(page.items)
    }

    fn line(&self, user: &User) -> std::io::Result<String> {
        let document = serde_json::to_value(user).map_err(std::io::Error::other)?;
        Ok(match self.format {
            Format::Json if self.fields.is_empty() => document.to_string(),
            Format::Json => {
                let mut picked = Map::new();
                for field in &self.fields {
                    if let Some(value) = field_value(&document, &field.name) {
                        let key = field.export_as.as_deref().unwrap_or(&field.name);
                        picked.insert(key.to_owned(), value.clone());
                    }
                }
                Value::Object(picked).to_string()
            }
            Format::Csv => self
                .fields
                .iter()
                .map(|field| match field_value(&document, &field.name) {
                    None | Some(Value::Null) => String::new(),
                    Some(Value::String(text)) => csv_cell(text),
                    Some(other) => csv_cell(&other.to_string()),
                })
                .collect::<Vec<_>>()
                .join(","),
        })
    }
}

/// A user field by name, or by a dotted path into one (`user_metadata.plan`).
fn field_value<'a>(document: &'a Value, name: &str) -> Option<&'a Value> {
    name.split('.')
        .try_fold(document, |value, segment| value.get(segment))
}

/// A CSV cell (RFC 4180): quoted when it holds a comma, a quote or a line break.
fn csv_cell(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_only_when_they_must_be() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("two\nlines"), "\"two\nlines\"");
    }

    #[test]
    fn fields_are_found_by_dotted_paths() {
        let user = serde_json::json!({"email": "a@b.c", "user_metadata": {"plan": "pro"}});
        assert_eq!(field_value(&user, "email"), Some(&Value::from("a@b.c")));
        assert_eq!(
            field_value(&user, "user_metadata.plan"),
            Some(&Value::from("pro"))
        );
        assert_eq!(field_value(&user, "user_metadata.none"), None);
    }
}
