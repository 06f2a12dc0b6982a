//! Bulk user imports (Auth0's `users-imports` job): each row of Auth0's import format becomes a
//! user of one database connection, with its password hash as the other system made it. A row
//! that fails is recorded with why and never stops the others; with `upsert`, a row whose email
//! the connection has already changes that user instead.

use authhero_core::entities::{
    Connection, Job, JobErrorDetail, JobRowError, JobSummary, Password, User,
};
use std::collections::HashSet;

use authhero_core::list::Pagination;
use authhero_core::{ListParams, Query};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::validation;
use super::{jobs, users};
use crate::legacy_hashes;
use crate::random;
use crate::state::AppState;

/// The fields a row of Auth0's import format may carry.
const ROW_FIELDS: &[&str] = &[
    "email",
    "email_verified",
    "user_id",
    "username",
    "given_name",
    "family_name",
    "name",
    "nickname",
    "picture",
    "blocked",
    "password_hash",
    "custom_password_hash",
    "app_metadata",
    "user_metadata",
    "phone_number",
    "phone_verified",
];

/// Fields of a row that are not profile fields of the user as given.
const NOT_PROFILE: &[&str] = &["user_id", "password_hash", "custom_password_hash"];

/// The most JSON of failed rows a job keeps (a stored document is at most 1 MiB); the summary
/// still counts every failure.
const MAX_KEPT_ERROR_BYTES: usize = 512 * 1024;

/// Fields of a failed row that are never kept: the job is readable with `read:users`, and a
/// hash is a secret.
const NEVER_KEPT: &[&str] = &["password_hash", "custom_password_hash"];

/// What one row came to.
enum Outcome {
    Inserted,
    Updated,
}

/// Rows imported together, in one write of the new users: a write's commit waits for the
/// database's log to reach the disk (on PostgreSQL, several milliseconds), so few large writes
/// beat many small ones.
const BATCH_ROWS: usize = 1000;
/// Emails looked up at once (an upsert's): the largest page a list returns, so one page holds
/// every user a look-up can find.
const LOOKUP_ROWS: usize = authhero_core::list::MAX_PAGE_SIZE as usize;

/// Runs the import of `rows` into `connection`, then stores the finished job. Called in the
/// background; every failure ends up in the job, never in a caller. Each row stays JSON text
/// until its batch is read, so a large file is held once, as text, not as a tree.
pub async fn run(
    state: AppState,
    tenant_id: String,
    connection: Connection,
    rows: Vec<Box<RawValue>>,
    mut job: Job,
) {
    jobs::start(&mut job, state.now());
    if let Err(error) = state.adapters.jobs.update(&tenant_id, job.clone()).await {
        tracing::warn!(%error, job = job.id, "could not mark an import job as processing");
    }
    let mut summary = JobSummary {
        total: u64::try_from(rows.len()).unwrap_or(u64::MAX),
        ..JobSummary::default()
    };
    let mut kept_bytes = 0;
    for raw in rows.chunks(BATCH_ROWS) {
        // The file was parsed whole when it was accepted, so every row parses.
        let batch: Vec<Value> = raw
            .iter()
            .map(|row| serde_json::from_str(row.get()).unwrap_or(Value::Null))
            .collect();
        let batch = batch.as_slice();
        let outcomes = import_batch(&state, &tenant_id, &connection, batch, job.upsert).await;
        if jobs::beat(&mut job, state.now()) {
            // Without the errors kept so far: they are stored once, with the finished job.
            let mut alive = job.clone();
            alive.errors.clear();
            if let Err(error) = state.adapters.jobs.update(&tenant_id, alive).await {
                tracing::warn!(%error, job = job.id, "could not stamp an import job's heartbeat");
            }
        }
        for (row, outcome) in batch.iter().zip(outcomes) {
            match outcome {
                Ok(Outcome::Inserted) => summary.inserted += 1,
                Ok(Outcome::Updated) => summary.updated += 1,
                Err(detail) => {
                    summary.failed += 1;
                    let mut user = row.clone();
                    if let Value::Object(fields) = &mut user {
                        fields.retain(|name, _| !NEVER_KEPT.contains(&name.as_str()));
                    }
                    let error = JobRowError {
                        user,
                        errors: vec![detail],
                    };
                    let size = serde_json::to_vec(&error).map_or(usize::MAX, |json| json.len());
                    if kept_bytes + size <= MAX_KEPT_ERROR_BYTES {
                        kept_bytes += size;
                        job.errors.push(error);
                    }
                }
            }
        }
    }
    job.status = "completed".into();
    job.summary = Some(summary);
    if let Err(error) = state.adapters.jobs.update(&tenant_id, job.clone()).await {
        // Without its rows' errors, so that the job at least reports how it ended.
        tracing::error!(%error, job = job.id, "could not store a finished import job");
        job.errors.clear();
        job.status_details = Some("The failed rows could not be kept.".into());
        if let Err(error) = state.adapters.jobs.update(&tenant_id, job.clone()).await {
            tracing::error!(%error, job = job.id, "could not store a finished import job");
        }
    }
}

fn row_error(code: &str, message: impl Into<String>, path: Option<&str>) -> JobErrorDetail {
    JobErrorDetail {
        code: code.to_owned(),
        message: message.into(),
        path: path.map(str::to_owned),
    }
}

/// A row that passed its checks, ready to be stored.
struct Checked<'a> {
    fields: &'a Map<String, Value>,
    email: String,
    password: Option<legacy_hashes::Imported>,
}

/// Imports a batch of rows; what each came to, in order. Rows whose email is new to the batch
/// (and, with `upsert`, to the connection) are written together; the others (updates,
/// repeats), and every row of a batch whose write was refused, go one at a time, so that each
/// gets its own answer.
async fn import_batch(
    state: &AppState,
    tenant_id: &str,
    connection: &Connection,
    rows: &[Value],
    upsert: bool,
) -> Vec<Result<Outcome, JobErrorDetail>> {
    let mut outcomes: Vec<Option<Result<Outcome, JobErrorDetail>>> =
        rows.iter().map(|_| None).collect();
    let mut checked = Vec::new();
    for (index, row) in rows.iter().enumerate() {
        match check(row) {
            Ok(row) => checked.push((index, row)),
            Err(detail) => outcomes[index] = Some(Err(detail)),
        }
    }
    // Without `upsert` a taken email is refused by the store itself (the write fails and the
    // batch goes row by row), so only an upsert looks the emails up first.
    let emails: Vec<&str> = match upsert {
        true => checked.iter().map(|(_, row)| row.email.as_str()).collect(),
        false => Vec::new(),
    };
    let known = match emails_in_use(state, tenant_id, connection, &emails).await {
        Ok(known) => known,
        Err(detail) => return rows.iter().map(|_| Err(detail.clone())).collect(),
    };
    let mut seen = HashSet::new();
    let (mut one_by_one, mut together) = (Vec::new(), Vec::new());
    for (index, row) in checked {
        // Emails are compared as the store compares them: case-insensitively.
        let folded = row.email.to_lowercase();
        if known.contains(&folded) || !seen.insert(folded) {
            one_by_one.push((index, row));
        } else {
            together.push((index, row));
        }
    }
    let mut new_users = Vec::new();
    let mut written = Vec::new();
    for (index, row) in together {
        match new_user(state, connection, &row) {
            Ok(user) => {
                new_users.push(user);
                written.push((index, row));
            }
            Err(detail) => outcomes[index] = Some(Err(detail)),
        }
    }
    if !new_users.is_empty() {
        match state.adapters.users.create_many(tenant_id, new_users).await {
            Ok(()) => {
                for (index, _) in &written {
                    outcomes[*index] = Some(Ok(Outcome::Inserted));
                }
            }
            Err(error) => {
                if !error.is_conflict() {
                    tracing::warn!(%error, "a batch of imported users could not be stored");
                }
                one_by_one.extend(written);
            }
        }
    }
    // In file order, so that of two rows with one email the first is the one inserted.
    one_by_one.sort_by_key(|(index, _)| *index);
    for (index, row) in one_by_one {
        outcomes[index] = Some(import_one(state, tenant_id, connection, &row, upsert).await);
    }
    outcomes
        .into_iter()
        .map(|outcome| {
            outcome
                .unwrap_or_else(|| Err(row_error("INTERNAL_ERROR", "The row was not read", None)))
        })
        .collect()
}

/// The row's checks that need nothing stored: its fields, its email, its password hash.
fn check(row: &Value) -> Result<Checked<'_>, JobErrorDetail> {
    let Value::Object(fields) = row else {
        return Err(row_error("INVALID_FORMAT", "A row must be an object", None));
    };
    if let Some(unknown) = fields
        .keys()
        .find(|field| !ROW_FIELDS.contains(&field.as_str()))
    {
        return Err(row_error(
            "OBJECT_ADDITIONAL_PROPERTIES",
            format!("Additional properties not allowed: {unknown}"),
            Some(unknown),
        ));
    }
    let email = match fields.get("email") {
        Some(Value::String(email)) => validation::email(email).map_err(|_| {
            row_error(
                "INVALID_FORMAT",
                "Object didn't pass validation for format email",
                Some("email"),
            )
        })?,
        Some(_) => {
            return Err(row_error(
                "INVALID_TYPE",
                "Expected type string",
                Some("email"),
            ));
        }
        None => {
            return Err(row_error(
                "OBJECT_MISSING_REQUIRED_PROPERTY",
                "Missing required property: email",
                Some("email"),
            ));
        }
    };
    Ok(Checked {
        fields,
        email,
        password: password_of(fields)?,
    })
}

fn storage_error(error: authhero_core::Error) -> JobErrorDetail {
    tracing::warn!(%error, "an import row could not be stored");
    row_error(
        "INTERNAL_ERROR",
        "The user could not be stored; try the row again",
        None,
    )
}

/// Imports one checked row on its own: an update with `upsert`, else an insert.
async fn import_one(
    state: &AppState,
    tenant_id: &str,
    connection: &Connection,
    row: &Checked<'_>,
    upsert: bool,
) -> Result<Outcome, JobErrorDetail> {
    match user_with_email(state, tenant_id, connection, &row.email).await? {
        Some(_) if !upsert => Err(row_error(
            "DUPLICATED_USER",
            "The user already exists",
            Some("email"),
        )),
        Some(existing) => {
            let updated = with_profile(&existing, row.fields, &row.email)?;
            state
                .adapters
                .users
                .update(tenant_id, updated)
                .await
                .map_err(storage_error)?;
            if let Some(imported) = &row.password {
                users::set_hash(
                    state,
                    tenant_id,
                    &existing.user_id,
                    imported.hash.clone(),
                    imported.algorithm,
                )
                .await
                .map_err(storage_error)?;
            }
            Ok(Outcome::Updated)
        }
        None => {
            let (user, password) = new_user(state, connection, row)?;
            let created = match password {
                Some(password) => {
                    state
                        .adapters
                        .users
                        .create_with_password(tenant_id, user, password)
                        .await
                }
                None => state.adapters.users.create(tenant_id, user).await,
            };
            match created {
                Ok(_) => Ok(Outcome::Inserted),
                Err(error) if error.is_conflict() => Err(row_error(
                    "DUPLICATED_USER",
                    "The user already exists",
                    Some("user_id"),
                )),
                Err(error) => Err(storage_error(error)),
            }
        }
    }
}

/// The user a row creates, with its password when it carries a hash.
fn new_user(
    state: &AppState,
    connection: &Connection,
    row: &Checked<'_>,
) -> Result<(User, Option<Password>), JobErrorDetail> {
    let id = match row.fields.get("user_id") {
        None => random::hex_id(),
        Some(Value::String(id)) if !id.is_empty() => {
            // Auth0 exports carry the full id (`auth0|…`); the part after the provider is kept.
            id.rsplit_once('|')
                .map_or(id.as_str(), |(_, own)| own)
                .to_owned()
        }
        Some(_) => {
            return Err(row_error(
                "INVALID_TYPE",
                "user_id must be a non-empty string",
                Some("user_id"),
            ));
        }
    };
    let now = state.now();
    let fresh = User::new(&connection.strategy, &id, &connection.name, now);
    let user = with_profile(&fresh, row.fields, &row.email)?;
    let password = row.password.as_ref().map(|imported| Password {
        user_id: user.user_id.clone(),
        hash: imported.hash.clone(),
        algorithm: imported.algorithm,
        created_at: now,
        updated_at: now,
        history: Vec::new(),
    });
    Ok((user, password))
}

/// The row's password hash as stored here: `password_hash` is bcrypt; `custom_password_hash`
/// any other kind Auth0 takes.
fn password_of(
    fields: &Map<String, Value>,
) -> Result<Option<legacy_hashes::Imported>, JobErrorDetail> {
    fn refused(path: &'static str) -> impl Fn(legacy_hashes::Refused) -> JobErrorDetail {
        move |why| row_error("INVALID_FORMAT", why.to_string(), Some(path))
    }
    if let Some(custom) = fields.get("custom_password_hash") {
        return legacy_hashes::from_auth0(custom)
            .map(Some)
            .map_err(refused("custom_password_hash"));
    }
    match fields.get("password_hash") {
        None => Ok(None),
        Some(hash) => {
            let as_custom = serde_json::json!({"algorithm": "bcrypt", "hash": {"value": hash}});
            legacy_hashes::from_auth0(&as_custom)
                .map(Some)
                .map_err(refused("password_hash"))
        }
    }
}

/// The connection's user with `email`, if there is one.
async fn user_with_email(
    state: &AppState,
    tenant_id: &str,
    connection: &Connection,
    email: &str,
) -> Result<Option<User>, JobErrorDetail> {
    let internal = |error: authhero_core::Error| {
        tracing::warn!(%error, "an import row's user could not be looked up");
        row_error(
            "INTERNAL_ERROR",
            "The user could not be looked up; try the row again",
            None,
        )
    };
    let filter = Query::And(vec![
        Query::equals("email", email).map_err(|error| internal(error.into()))?,
        Query::equals("connection", &connection.name).map_err(|error| internal(error.into()))?,
    ]);
    let found = state
        .adapters
        .users
        .list(tenant_id, &ListParams::default().with_query(filter))
        .await
        .map_err(internal)?;
    Ok(found.items.into_iter().next())
}

/// Which of `emails` the connection's users already have.
async fn emails_in_use(
    state: &AppState,
    tenant_id: &str,
    connection: &Connection,
    emails: &[&str],
) -> Result<HashSet<String>, JobErrorDetail> {
    let mut known = HashSet::new();
    let internal = |error: authhero_core::Error| {
        tracing::warn!(%error, "an import batch's users could not be looked up");
        row_error(
            "INTERNAL_ERROR",
            "The user could not be looked up; try the row again",
            None,
        )
    };
    for chunk in emails.chunks(LOOKUP_ROWS) {
        let mut any_email = Vec::new();
        for email in chunk {
            any_email.push(Query::equals("email", *email).map_err(|error| internal(error.into()))?);
        }
        let filter = Query::And(vec![
            Query::Or(any_email),
            Query::equals("connection", &connection.name)
                .map_err(|error| internal(error.into()))?,
        ]);
        let params = ListParams {
            pagination: Pagination::Offset {
                page: 0,
                per_page: u32::try_from(chunk.len()).unwrap_or(u32::MAX),
            },
            ..ListParams::default()
        }
        .with_query(filter);
        let found = state
            .adapters
            .users
            .list(tenant_id, &params)
            .await
            .map_err(internal)?;
        known.extend(
            found
                .items
                .into_iter()
                .filter_map(|user| user.email.map(|email| email.to_lowercase())),
        );
    }
    Ok(known)
}

/// `user` with the row's profile fields set over it, typed as a user's.
fn with_profile(
    user: &User,
    fields: &Map<String, Value>,
    email: &str,
) -> Result<User, JobErrorDetail> {
    let invalid = |why: String| row_error("INVALID_TYPE", why, None);
    let Ok(Value::Object(mut document)) = serde_json::to_value(user) else {
        return Err(invalid("a user is not a JSON object".into()));
    };
    for (field, value) in fields {
        if !NOT_PROFILE.contains(&field.as_str()) {
            document.insert(field.clone(), value.clone());
        }
    }
    document.insert("email".into(), Value::String(email.to_owned()));
    serde_json::from_value(Value::Object(document)).map_err(|error| invalid(error.to_string()))
}

/// A pending users-import job of `connection`.
pub fn new_job(
    connection: &Connection,
    upsert: bool,
    external_id: Option<String>,
    send_completion_email: bool,
    state: &AppState,
) -> Job {
    Job {
        id: random::id("job"),
        kind: "users_import".into(),
        status: "pending".into(),
        connection_id: Some(connection.id.clone()),
        connection: Some(connection.name.clone()),
        upsert,
        external_id,
        send_completion_email,
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
    }
}

/// The users a file of Auth0's import format holds (a JSON array), each as its JSON text.
pub fn rows_of(file: &[u8]) -> Result<Vec<Box<RawValue>>, String> {
    serde_json::from_slice::<Vec<Box<RawValue>>>(file).map_err(|error| match error.classify() {
        serde_json::error::Category::Data => {
            "The users file must hold a JSON array of users".into()
        }
        _ => format!("The users file is not valid JSON: {error}"),
    })
}

/// Whether an import may target this connection: Auth0 imports into database connections.
pub fn imports_into(connection: &Connection) -> bool {
    connection.strategy == "auth0"
}
