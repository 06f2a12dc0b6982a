//! What the workloads need, created through the Management API as an operator would: an
//! application, users, the tenant's signing algorithm.

use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use super::client::Client;
use super::flows::CALLBACK;
use super::{ADMIN_ID, ADMIN_SECRET, urlencode};

/// The domain of the seeded users' emails.
pub const USER_DOMAIN: &str = "bench.example";

/// A Management API caller with the bootstrap admin's token.
#[derive(Debug, Clone)]
pub struct Admin {
    client: Client,
    pub token: String,
}

/// An application's credentials.
#[derive(Debug, Clone)]
pub struct App {
    pub client_id: String,
    pub client_secret: String,
}

impl Admin {
    pub fn new(client: Client, audience: &str) -> Result<Admin> {
        let body = format!(
            "grant_type=client_credentials&client_id={ADMIN_ID}&client_secret={ADMIN_SECRET}&audience={}",
            urlencode(audience)
        );
        let tokens = client.post_form("/oauth/token", &body)?.json()?;
        let token = tokens["access_token"]
            .as_str()
            .context("no management token")?
            .to_owned();
        Ok(Admin { client, token })
    }

    fn post(&self, path: &str, body: Value) -> Result<Value> {
        self.client
            .send_json("POST", path, &body, &self.token)?
            .json()
            .with_context(|| format!("POST {path}"))
    }

    /// A regular web application for the code flow, the password grant and the bench callback.
    pub fn create_app(&self) -> Result<App> {
        let app = self.post(
            "/api/v2/clients",
            json!({
                "name": "bench app",
                "app_type": "regular_web",
                "callbacks": [CALLBACK],
                "grant_types": ["authorization_code", "password"],
            }),
        )?;
        Ok(App {
            client_id: app["client_id"].as_str().context("no client_id")?.into(),
            client_secret: app["client_secret"]
                .as_str()
                .context("no client_secret")?
                .into(),
        })
    }

    /// The tenant's token-signing algorithm: RS256, ES256 or EdDSA.
    pub fn set_signing_alg(&self, algorithm: &str) -> Result<()> {
        self.client
            .send_json(
                "PATCH",
                "/api/v2/tenants/settings",
                &json!({ "signing_alg": algorithm }),
                &self.token,
            )?
            .json()
            .map(drop)
    }

    /// Lets the flow workers' address log one user in many times at once: brute-force
    /// protection counts each attempt before its password is checked, so sixteen concurrent
    /// logins of one account from one address would otherwise block it.
    pub fn allowlist_loopback(&self) -> Result<()> {
        self.client
            .send_json(
                "PATCH",
                "/api/v2/attack-protection/brute-force-protection",
                &json!({ "allowlist": ["127.0.0.1", "::1"] }),
                &self.token,
            )?
            .json()
            .map(drop)
    }

    /// A database user with a password (hashed as the server is configured to).
    pub fn create_password_user(&self, email: &str, password: &str) -> Result<()> {
        self.post(
            "/api/v2/users",
            json!({
                "connection": "Username-Password-Authentication",
                "email": email,
                "password": password,
                "email_verified": true,
            }),
        )
        .map(drop)
    }

    /// `count` users `posted-<n>@bench.example` in a passwordless email connection (nothing to
    /// hash), created by `workers` parallel callers.
    pub fn create_users(&self, count: usize, workers: usize) -> Result<()> {
        self.post(
            "/api/v2/connections",
            json!({ "name": "email", "strategy": "email" }),
        )?;
        let next = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..workers)
                .map(|_| {
                    scope.spawn(|| -> Result<()> {
                        loop {
                            let n = next.fetch_add(1, Ordering::Relaxed);
                            if n >= count {
                                return Ok(());
                            }
                            self.post(
                                "/api/v2/users",
                                json!({
                                    "connection": "email",
                                    "email": format!("posted-{n}@{USER_DOMAIN}"),
                                    "name": format!("Bench User {n}"),
                                    "email_verified": true,
                                    "user_metadata": { "plan": if n.is_multiple_of(10) { "pro" } else { "free" } },
                                }),
                            )?;
                        }
                    })
                })
                .collect();
            for handle in handles {
                match handle.join() {
                    Ok(result) => result?,
                    Err(_) => bail!("a seeding worker panicked"),
                }
            }
            Ok(())
        })
    }

    /// `count` users `user-<n>@bench.example` (id `auth0|user-<n>`) imported into the database
    /// connection through `jobs/users-imports`, `per_file` rows to a job, each with a bcrypt
    /// `custom_password_hash` (one hash for all: the import stores hashes, it never computes
    /// them). Returns once every job has completed with every row inserted.
    pub fn import_users(&self, count: usize, per_file: usize) -> Result<()> {
        let connection_id = self.database_connection_id()?;
        let hash = bcrypt::hash("bench imported password", 10)?;
        let mut first = 0;
        while first < count {
            let last = (first + per_file).min(count);
            let rows: Vec<Value> = (first..last)
                .map(|n| {
                    json!({
                        "user_id": format!("user-{n}"),
                        "email": format!("user-{n}@{USER_DOMAIN}"),
                        "email_verified": true,
                        "name": format!("Bench User {n}"),
                        "user_metadata": { "plan": if n.is_multiple_of(10) { "pro" } else { "free" } },
                        "custom_password_hash": {
                            "algorithm": "bcrypt",
                            "hash": { "value": hash },
                        },
                    })
                })
                .collect();
            let file = serde_json::to_vec(&rows)?;
            let job = self
                .client
                .send_multipart(
                    "/api/v2/jobs/users-imports",
                    &[("connection_id", &connection_id)],
                    ("users", &file),
                    &self.token,
                )?
                .json()?;
            let id = job["id"].as_str().context("no job id")?;
            self.await_job(id, last - first)?;
            first = last;
        }
        Ok(())
    }

    fn database_connection_id(&self) -> Result<String> {
        let connections = self
            .client
            .get(
                "/api/v2/connections?strategy=auth0&name=Username-Password-Authentication",
                Some(&self.token),
            )?
            .json()?;
        connections[0]["id"]
            .as_str()
            .map(str::to_owned)
            .context("no database connection")
    }

    /// Polls the job until it completes; fails unless it inserted `rows` users.
    fn await_job(&self, id: &str, rows: usize) -> Result<()> {
        loop {
            let job = self
                .client
                .get(&format!("/api/v2/jobs/{id}"), Some(&self.token))?
                .json()?;
            match job["status"].as_str() {
                Some("completed") => {
                    let inserted = job["summary"]["inserted"].as_u64();
                    if inserted != Some(rows as u64) {
                        bail!("import job {id} inserted {inserted:?} of {rows} rows: {job}");
                    }
                    return Ok(());
                }
                Some("pending" | "processing") => {
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                other => bail!("import job {id} ended {other:?}: {job}"),
            }
        }
    }
}

/// An access token for `username` from the password grant of `app`, valid at `/userinfo`.
pub fn user_access_token(
    client: &Client,
    app: &App,
    username: &str,
    password: &str,
) -> Result<String> {
    let body = format!(
        "grant_type=password&client_id={}&client_secret={}&username={}&password={}&scope=openid%20email",
        urlencode(&app.client_id),
        urlencode(&app.client_secret),
        urlencode(username),
        urlencode(password)
    );
    let tokens = client.post_form("/oauth/token", &body)?.json()?;
    tokens["access_token"]
        .as_str()
        .map(str::to_owned)
        .context("no access_token")
}
