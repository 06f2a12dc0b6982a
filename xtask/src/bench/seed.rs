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

    /// `count` users `user-<n>@bench.example` in a passwordless email connection (nothing to
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
                                    "email": format!("user-{n}@{USER_DOMAIN}"),
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
