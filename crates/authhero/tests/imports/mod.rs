//! Bulk user imports: Auth0's multipart upload and file format, passwords hashed elsewhere
//! (bcrypt, salted SHA-256, PBKDF2, LDAP) that log in and are then re-hashed, rows that fail
//! without stopping the others, upserts, and uploads refused before anything is written.

use std::time::Duration;

use anyhow::{Context, bail};
use authhero_core::entities::PasswordAlgorithm;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};

use super::{Api, DATABASE, Reply, password_client, password_login};

const IMPORTED_PASSWORD: &str = "Imported-password-1";
const BOUNDARY: &str = "authhero-import-boundary";

impl Api {
    /// `POST /api/v2/jobs/users-imports` with these form fields (`users` as a file).
    async fn upload(&self, token: &str, fields: &[(&str, &str)]) -> anyhow::Result<Reply> {
        let mut body = String::new();
        for (name, value) in fields {
            body.push_str(&format!("--{BOUNDARY}\r\n"));
            if *name == "users" {
                body.push_str("Content-Disposition: form-data; name=\"users\"; filename=\"users.json\"\r\nContent-Type: application/json\r\n\r\n");
            } else {
                body.push_str(&format!(
                    "Content-Disposition: form-data; name=\"{name}\"\r\n\r\n"
                ));
            }
            body.push_str(value);
            body.push_str("\r\n");
        }
        body.push_str(&format!("--{BOUNDARY}--\r\n"));
        let request = Request::post("/api/v2/jobs/users-imports")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(Body::from(body))?;
        self.send(request).await
    }

    /// The job once it is no longer pending or processing (within five seconds).
    async fn finished_job(&self, id: &str) -> anyhow::Result<Value> {
        for _ in 0..250 {
            let job = self
                .get(&format!("/api/v2/jobs/{id}"))
                .await?
                .expect(StatusCode::OK)?;
            if job.body["status"] == "completed" || job.body["status"] == "failed" {
                return Ok(job.body);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        bail!("job {id} did not finish")
    }

    pub(crate) async fn database_id(&self) -> anyhow::Result<String> {
        let connections = self
            .get(&format!("/api/v2/connections?name={DATABASE}"))
            .await?
            .expect(StatusCode::OK)?;
        Ok(connections.items()?[0]["id"]
            .as_str()
            .context("connection id")?
            .to_owned())
    }
}

#[tokio::test]
async fn imported_hashes_log_in_and_failed_rows_stop_nothing() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let connection = api.database_id().await?;
    api.create_user("existing@example.com", json!({}))
        .await?
        .expect(StatusCode::CREATED)?;
    let bcrypt =
        authhero::passwords::hash(IMPORTED_PASSWORD.into(), PasswordAlgorithm::Bcrypt).await?;
    let users = json!([
        {"email": "bcrypt@example.com", "email_verified": true, "password_hash": bcrypt,
         "user_id": "auth0|5f0c1b2d3e4f5a6b7c8d9e0f", "app_metadata": {"plan": "gold"}},
        {"email": "sha256@example.com", "custom_password_hash": {
            "algorithm": "sha256",
            "hash": {"value": "818f04e46328a94640daeb157250a7c8731651c9c0f660ff5021f7b2e28379fa", "encoding": "hex"},
            "salt": {"value": "NaCl", "position": "prefix"}}},
        {"email": "pbkdf2@example.com", "custom_password_hash": {"algorithm": "pbkdf2", "hash": {
            "value": "$pbkdf2-sha512$i=1000,l=64$c2FsdHNhbHQ$ap/Ls3QPUuVY9WzR2VLF0mFcIBILJQQ2kFcpu5NS5pa3CFhQP3u4Jjt2GEAgtoqJk/h2SoFt/0PNpquz7mENwg"}}},
        {"email": "ldap@example.com", "custom_password_hash": {"algorithm": "ldap", "hash": {
            "value": "{SSHA}cmHWa5kYXLcvoPqcX20ijUt0yZtwZXBwZXI="}}},
        {"email": "not-an-email", "given_name": "Broken"},
        {"email": "rot13@example.com", "custom_password_hash": {"algorithm": "rot13", "hash": {"value": "x"}}},
        {"email": "existing@example.com", "name": "Duplicate"},
        {"email": "extra@example.com", "favourite_colour": "red"},
    ]);
    let created = api
        .upload(
            &api.admin_token,
            &[
                ("users", &users.to_string()),
                ("connection_id", &connection),
            ],
        )
        .await?
        .expect(StatusCode::CREATED)?;
    assert_eq!(created.body["type"], "users_import");
    assert_eq!(created.body["connection"], DATABASE);
    let id = created.str("id")?.to_owned();
    let job = api.finished_job(&id).await?;
    assert_eq!(job["status"], "completed");
    assert_eq!(
        job["summary"],
        json!({"failed": 4, "updated": 0, "inserted": 4, "total": 8})
    );
    assert!(job.get("errors").is_none(), "{job}");
    let errors = api
        .get(&format!("/api/v2/jobs/{id}/errors"))
        .await?
        .expect(StatusCode::OK)?;
    let codes: Vec<&str> = errors
        .items()?
        .iter()
        .filter_map(|row| row["errors"][0]["code"].as_str())
        .collect();
    assert_eq!(
        codes,
        [
            "INVALID_FORMAT",
            "INVALID_FORMAT",
            "DUPLICATED_USER",
            "OBJECT_ADDITIONAL_PROPERTIES"
        ]
    );
    assert_eq!(errors.items()?[0]["user"]["given_name"], "Broken");
    // A failed row is kept without its hash: the job is readable with read:users.
    assert_eq!(errors.items()?[1]["user"]["email"], "rot13@example.com");
    assert!(
        errors.items()?[1]["user"]
            .get("custom_password_hash")
            .is_none(),
        "{}",
        errors.body
    );

    // The given id and profile are kept.
    let kept = api
        .get("/api/v2/users/auth0%7C5f0c1b2d3e4f5a6b7c8d9e0f")
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(kept.body["app_metadata"]["plan"], "gold");
    assert_eq!(kept.body["email_verified"], true);

    let client = password_client(&api).await?;
    for email in [
        "bcrypt@example.com",
        "sha256@example.com",
        "pbkdf2@example.com",
        "ldap@example.com",
    ] {
        let wrong = password_login(&api, &client, email, "Not-the-password-1").await?;
        assert_eq!(wrong, StatusCode::FORBIDDEN, "{email}");
        let login = password_login(&api, &client, email, IMPORTED_PASSWORD).await?;
        assert_eq!(login, StatusCode::OK, "{email}");
    }
    // A legacy hash is replaced by the server's own at its first use, and still logs in.
    let pbkdf2_user = api
        .get("/api/v2/users-by-email?email=pbkdf2%40example.com")
        .await?
        .expect(StatusCode::OK)?;
    let user_id = pbkdf2_user.items()?[0]["user_id"]
        .as_str()
        .context("user_id")?
        .to_owned();
    let stored = api
        .adapters
        .passwords
        .get(&api.tenant, &user_id)
        .await?
        .context("password")?;
    assert_eq!(stored.algorithm, PasswordAlgorithm::Bcrypt);
    assert!(stored.hash.starts_with("$2"), "{}", stored.hash);
    let again = password_login(&api, &client, "pbkdf2@example.com", IMPORTED_PASSWORD).await?;
    assert_eq!(again, StatusCode::OK);
    Ok(())
}

/// Rows are written in batches; a repeated email, within a batch or across two, and a batch
/// whose write is refused (two rows with one `user_id`) still give every row its own answer.
#[tokio::test]
async fn rows_written_in_batches_each_get_their_answer() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let connection = api.database_id().await?;
    let mut rows: Vec<Value> = (0..2100)
        .map(
            |n| json!({"email": format!("batch-{n}@example.com"), "user_id": format!("batch-{n}")}),
        )
        .collect();
    rows[3] = json!({"email": "batch-2@example.com"});
    rows[1500] = json!({"email": "BATCH-10@example.com"});
    rows[2001]["user_id"] = json!("batch-2000");
    let created = api
        .upload(
            &api.admin_token,
            &[
                ("users", &Value::Array(rows).to_string()),
                ("connection_id", &connection),
            ],
        )
        .await?
        .expect(StatusCode::CREATED)?;
    let id = created.str("id")?.to_owned();
    let job = api.finished_job(&id).await?;
    assert_eq!(
        job["summary"],
        json!({"failed": 3, "updated": 0, "inserted": 2097, "total": 2100})
    );
    let errors = api
        .get(&format!("/api/v2/jobs/{id}/errors"))
        .await?
        .expect(StatusCode::OK)?;
    let failed: Vec<(&str, &str)> = errors
        .items()?
        .iter()
        .filter_map(|row| {
            Some((
                row["user"]["email"].as_str()?,
                row["errors"][0]["code"].as_str()?,
            ))
        })
        .collect();
    assert_eq!(
        failed,
        [
            ("batch-2@example.com", "DUPLICATED_USER"),
            ("BATCH-10@example.com", "DUPLICATED_USER"),
            ("batch-2001@example.com", "DUPLICATED_USER"),
        ]
    );
    for (n, exists) in [
        (0, true),
        (999, true),
        (1000, true),
        (2000, true),
        (2001, false),
        (2099, true),
    ] {
        let found = api
            .get(&format!(
                "/api/v2/users-by-email?email=batch-{n}%40example.com"
            ))
            .await?
            .expect(StatusCode::OK)?;
        assert_eq!(found.items()?.len(), usize::from(exists), "batch-{n}");
    }
    let all = api
        .get("/api/v2/users?include_totals=true&q=email%3Abatch-*&per_page=1")
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(all.body["total"], 2097);
    Ok(())
}

#[tokio::test]
async fn an_upsert_changes_the_users_it_finds() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let connection = api.database_id().await?;
    api.create_user("upsert@example.com", json!({"plan": "free"}))
        .await?
        .expect(StatusCode::CREATED)?;
    let users = json!([
        {"email": "upsert@example.com", "name": "Changed", "app_metadata": {"plan": "pro"}},
        {"email": "fresh@example.com"},
    ]);
    let created = api
        .upload(
            &api.admin_token,
            &[
                ("users", &users.to_string()),
                ("connection_id", &connection),
                ("upsert", "true"),
            ],
        )
        .await?
        .expect(StatusCode::CREATED)?;
    let job = api.finished_job(created.str("id")?).await?;
    assert_eq!(
        job["summary"],
        json!({"failed": 0, "updated": 1, "inserted": 1, "total": 2})
    );
    let changed = api
        .get("/api/v2/users-by-email?email=upsert%40example.com")
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(changed.items()?[0]["name"], "Changed");
    assert_eq!(changed.items()?[0]["app_metadata"]["plan"], "pro");
    Ok(())
}

#[tokio::test]
async fn bad_uploads_are_refused_before_any_job() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let connection = api.database_id().await?;
    let token = api.admin_token.clone();
    let one = json!([{"email": "never@example.com"}]).to_string();
    for (fields, status) in [
        (vec![("users", one.as_str())], StatusCode::BAD_REQUEST),
        (
            vec![("connection_id", connection.as_str())],
            StatusCode::BAD_REQUEST,
        ),
        (
            vec![
                ("users", "{not json"),
                ("connection_id", connection.as_str()),
            ],
            StatusCode::BAD_REQUEST,
        ),
        (
            vec![
                ("users", "{\"email\": \"a@b.c\"}"),
                ("connection_id", connection.as_str()),
            ],
            StatusCode::BAD_REQUEST,
        ),
        (
            vec![("users", one.as_str()), ("connection_id", "con_nope")],
            StatusCode::NOT_FOUND,
        ),
        (
            vec![
                ("users", one.as_str()),
                ("connection_id", connection.as_str()),
                ("upsert", "maybe"),
            ],
            StatusCode::BAD_REQUEST,
        ),
        (
            vec![
                ("users", one.as_str()),
                ("connection_id", connection.as_str()),
                ("colour", "red"),
            ],
            StatusCode::BAD_REQUEST,
        ),
    ] {
        let reply = api.upload(&token, &fields).await?;
        assert_eq!(reply.status, status, "{fields:?}: {reply:?}");
        assert_eq!(reply.body["statusCode"], status.as_u16(), "{reply:?}");
    }
    // Not multipart at all: Auth0's JSON error, not a bare rejection.
    let json_body = api
        .call(
            Method::POST,
            "/api/v2/jobs/users-imports",
            Some(&token),
            Some(json!({"users": []}).to_string()),
        )
        .await?;
    assert_eq!(json_body.body["statusCode"], json_body.status.as_u16());
    assert!(json_body.status.is_client_error());
    let nobody = api
        .get("/api/v2/users-by-email?email=never%40example.com")
        .await?
        .expect(StatusCode::OK)?;
    assert!(nobody.items()?.is_empty());

    // Another tenant's job is an unknown id.
    let created = api
        .upload(&token, &[("users", &one), ("connection_id", &connection)])
        .await?
        .expect(StatusCode::CREATED)?;
    let id = created.str("id")?.to_owned();
    api.finished_job(&id).await?;
    let other = api.other_tenant_token().await?;
    api.call(
        Method::GET,
        &format!("/api/v2/jobs/{id}"),
        Some(&other),
        None,
    )
    .await?
    .expect_error(StatusCode::NOT_FOUND, Some("inexistent_job"))?;
    api.call(
        Method::GET,
        &format!("/api/v2/jobs/{id}/errors"),
        Some(&other),
        None,
    )
    .await?
    .expect(StatusCode::NOT_FOUND)?;
    Ok(())
}

/// The body of a GET of a link of this server, read whole.
async fn download(api: &Api, link: &str) -> anyhow::Result<(StatusCode, Option<String>, Vec<u8>)> {
    use http_body_util::BodyExt;
    let path = link
        .strip_prefix("http://localhost:3000")
        .with_context(|| format!("not this server's link: {link}"))?;
    let request = Request::get(path).body(Body::empty())?;
    let response = tower::ServiceExt::oneshot(api.router.clone(), request).await?;
    let status = response.status();
    let kind = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let body = response.into_body().collect().await?.to_bytes().to_vec();
    Ok((status, kind, body))
}

fn gunzip(bytes: &[u8]) -> anyhow::Result<String> {
    use std::io::Read;
    let mut text = String::new();
    flate2::read::GzDecoder::new(bytes).read_to_string(&mut text)?;
    Ok(text)
}

/// A users export is a gzipped file of the chosen fields (JSON lines or CSV, with `limit`),
/// downloaded from the job's `location` without a token; a forged link finds nothing, and bad
/// bodies are refused.
#[tokio::test]
async fn a_users_export_downloads_the_chosen_fields() -> anyhow::Result<()> {
    let api = Api::start().await?;
    for (email, plan) in [
        ("a@example.com", "pro"),
        ("b@example.com", "free"),
        ("c@example.com", "pro"),
    ] {
        api.create_user(email, json!({"plan": plan}))
            .await?
            .expect(StatusCode::CREATED)?;
    }
    let connection = api.database_id().await?;
    let created = api
        .post(
            "/api/v2/jobs/users-exports",
            json!({"connection_id": connection, "format": "json", "fields": [
                {"name": "email"}, {"name": "app_metadata.plan", "export_as": "plan"}]}),
        )
        .await?
        .expect(StatusCode::CREATED)?;
    assert_eq!(created.body["type"], "users_export");
    assert!(
        created.body.get("download_digest").is_none(),
        "{}",
        created.body
    );
    let id = created.str("id")?.to_owned();
    let job = api.finished_job(&id).await?;
    assert_eq!(job["status"], "completed");
    assert!(job.get("download_digest").is_none(), "{job}");
    let location = job["location"].as_str().context("location")?.to_owned();
    let (status, kind, body) = download(&api, &location).await?;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(kind.as_deref(), Some("application/gzip"));
    let mut lines: Vec<Value> = gunzip(&body)?
        .lines()
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    lines.sort_by_key(|line| line["email"].as_str().map(str::to_owned));
    assert_eq!(
        lines,
        [
            json!({"email": "a@example.com", "plan": "pro"}),
            json!({"email": "b@example.com", "plan": "free"}),
            json!({"email": "c@example.com", "plan": "pro"}),
        ]
    );

    let csv = api
        .post(
            "/api/v2/jobs/users-exports",
            json!({"format": "csv", "limit": 2, "fields": [{"name": "email", "export_as": "Email"}, {"name": "email_verified"}]}),
        )
        .await?
        .expect(StatusCode::CREATED)?;
    let (status, _, body) = download(&api, csv.str("location")?).await?;
    assert_eq!(status, StatusCode::OK);
    let text = gunzip(&body)?;
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows.len(), 3, "{text}");
    assert_eq!(rows[0], "Email,email_verified");
    assert!(
        rows[1..].iter().all(|row| row.ends_with(",false")),
        "{text}"
    );

    // Only the job's own secret opens it.
    let forged = format!("{}x.json.gz", location.trim_end_matches(".json.gz"));
    assert_eq!(download(&api, &forged).await?.0, StatusCode::NOT_FOUND);
    let elsewhere = location.replacen("/exports/default.", "/exports/other.", 1);
    assert_eq!(download(&api, &elsewhere).await?.0, StatusCode::NOT_FOUND);

    for bad in [
        json!({"format": "xml"}),
        json!({"limit": 0}),
        json!({"fields": [{}]}),
        json!({"fields": [{"name": ""}]}),
        json!({"fields": [{"name": "email", "colour": "red"}]}),
        json!({"colour": "red"}),
    ] {
        api.post("/api/v2/jobs/users-exports", bad.clone())
            .await?
            .expect(StatusCode::BAD_REQUEST)?;
    }
    api.post(
        "/api/v2/jobs/users-exports",
        json!({"connection_id": "con_nowhere"}),
    )
    .await?
    .expect(StatusCode::NOT_FOUND)?;
    Ok(())
}

/// A job whose server went away while it ran (its heartbeat quiet for minutes) reads as
/// failed, without the read writing anything; one whose heartbeat is fresh reads as it is.
#[tokio::test]
async fn a_job_whose_server_stopped_reads_as_failed() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let now = authhero_core::Timestamp::now();
    let job = |id: &str,
               heartbeat: authhero_core::Timestamp|
     -> anyhow::Result<authhero_core::entities::Job> {
        Ok(serde_json::from_value(json!({
            "id": id, "type": "users_import", "status": "processing",
            "created_at": now.plus_seconds(-3600), "heartbeat_at": heartbeat,
        }))?)
    };
    api.adapters
        .jobs
        .create(&api.tenant, job("job_stopped", now.plus_seconds(-600))?)
        .await?;
    api.adapters
        .jobs
        .create(&api.tenant, job("job_running", now)?)
        .await?;
    let stopped = api
        .get("/api/v2/jobs/job_stopped")
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(stopped.body["status"], "failed", "{}", stopped.body);
    assert!(stopped.str("status_details")?.contains("went away"));
    assert!(
        stopped.body.get("heartbeat_at").is_none(),
        "{}",
        stopped.body
    );
    let stored = api.adapters.jobs.get(&api.tenant, "job_stopped").await?;
    assert_eq!(stored.map(|job| job.status).as_deref(), Some("processing"));
    let running = api
        .get("/api/v2/jobs/job_running")
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(running.body["status"], "processing", "{}", running.body);
    Ok(())
}
