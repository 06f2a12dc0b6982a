//! What the in-process test files share: sending requests to the router, reading replies, and
//! the small parsers of redirects, forms and JWTs.

// Each test file is its own crate and uses only part of this module.
#![allow(dead_code)]

pub mod legacy;

use std::collections::HashMap;

use anyhow::{Context, anyhow, ensure};
use authhero::bootstrap::{BootstrapOptions, bootstrap};
use authhero_core::entities::{Connection, Password, PasswordAlgorithm, User};
use authhero_core::{DataAdapters, Timestamp};
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

/// A response, read whole.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> anyhow::Result<Value> {
        serde_json::from_str(&self.body).with_context(|| format!("not JSON: {}", self.body))
    }

    /// The OAuth error body, after checking the reply is `status` with OAuth error `error`.
    pub fn oauth_error(
        &self,
        status: StatusCode,
        error: &str,
        what: &str,
    ) -> anyhow::Result<Value> {
        ensure!(
            self.status == status,
            "{what}: {} {}",
            self.status,
            self.body
        );
        let body = self.json()?;
        ensure!(body["error"] == error, "{what}: {body}");
        Ok(body)
    }

    /// The reply itself, when it is a 200.
    pub fn ok(self) -> anyhow::Result<Self> {
        ensure!(
            self.status == StatusCode::OK,
            "{} {}",
            self.status,
            self.body
        );
        Ok(self)
    }

    pub fn location(&self) -> Option<&str> {
        self.headers
            .get(header::LOCATION)
            .and_then(|value| value.to_str().ok())
    }

    /// The `Location`, which must be there.
    pub fn redirect(&self) -> anyhow::Result<&str> {
        self.location()
            .with_context(|| format!("no redirect: {} {}", self.status, self.body))
    }

    /// `name=value` pairs of the cookies this reply sets.
    pub fn cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .filter_map(|value| value.split(';').next().map(str::to_owned))
            .collect()
    }
}

pub async fn send(router: &Router, request: Request<Body>) -> anyhow::Result<Reply> {
    let response = router.clone().oneshot(request).await?;
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response
        .into_body()
        .collect()
        .await
        .map_err(|error| anyhow!("{error}"))?
        .to_bytes();
    Ok(Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    })
}

pub async fn get(router: &Router, uri: &str, cookies: &[String]) -> anyhow::Result<Reply> {
    let mut request = Request::get(uri);
    if !cookies.is_empty() {
        request = request.header(header::COOKIE, cookies.join("; "));
    }
    send(router, request.body(Body::empty())?).await
}

pub async fn post_form(
    router: &Router,
    uri: &str,
    fields: &[(&str, &str)],
    cookies: &[String],
) -> anyhow::Result<Reply> {
    let mut request =
        Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if !cookies.is_empty() {
        request = request.header(header::COOKIE, cookies.join("; "));
    }
    send(router, request.body(Body::from(urlencoded(fields)))?).await
}

pub fn urlencoded(fields: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish()
}

/// The query (or fragment) parameters of a redirect.
pub fn redirect_params(location: &str) -> HashMap<String, String> {
    let tail = location
        .split_once(['?', '#'])
        .map(|(_, tail)| tail)
        .unwrap_or_default();
    url::form_urlencoded::parse(tail.as_bytes())
        .into_owned()
        .collect()
}

/// The value of a hidden field of an HTML form.
pub fn hidden_value(html: &str, name: &str) -> anyhow::Result<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).context("hidden field missing")? + marker.len();
    let end = html[start..].find('"').context("unterminated value")?;
    Ok(html[start..start + end].to_owned())
}

/// The claims of a JWT, unverified.
pub fn claims(jwt: &str) -> anyhow::Result<Value> {
    let payload = jwt.split('.').nth(1).context("not a JWT")?;
    Ok(serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload)?)?)
}

/// A migrated in-memory SQLite database, bootstrapped for `issuer` with the Management API
/// client `admin` / `admin-secret`: its adapters and the tenant's id.
pub async fn bootstrapped(issuer: &str) -> anyhow::Result<(DataAdapters, String)> {
    let database = authhero_sea_orm::Database::connect("sqlite::memory:").await?;
    database.migrate().await?;
    let adapters = database.adapters();
    let options = BootstrapOptions {
        admin_client_id: Some("admin".into()),
        admin_client_secret: Some("admin-secret".into()),
        ..BootstrapOptions::default()
    };
    let tenant = bootstrap(&adapters, issuer, options)
        .await?
        .context("bootstrap")?
        .tenant_id;
    Ok((adapters, tenant))
}

/// Stores `user` with a verified email and a bcrypt hash of `password`.
pub async fn create_user(
    adapters: &DataAdapters,
    tenant: &str,
    mut user: User,
    password: &str,
) -> anyhow::Result<User> {
    let now = Timestamp::now();
    user.email_verified = true;
    let user = adapters.users.create(tenant, user).await?;
    let hash = authhero::passwords::hash(password.into(), PasswordAlgorithm::Bcrypt).await?;
    let password = Password {
        user_id: user.user_id.clone(),
        hash,
        algorithm: PasswordAlgorithm::Bcrypt,
        created_at: now,
        updated_at: now,
        history: Vec::new(),
    };
    adapters.passwords.create(tenant, password).await?;
    Ok(user)
}

/// Changes the bootstrapped database connection with `edit` and stores it.
pub async fn edit_default_connection(
    adapters: &DataAdapters,
    tenant: &str,
    edit: impl FnOnce(&mut Connection),
) -> anyhow::Result<Connection> {
    let mut connection = adapters
        .connections
        .list(tenant, &authhero_core::ListParams::default())
        .await?
        .items
        .into_iter()
        .find(|connection| connection.name == "Username-Password-Authentication")
        .context("no default connection")?;
    edit(&mut connection);
    Ok(adapters.connections.update(tenant, connection).await?)
}

/// Enables `clients` on the bootstrapped database connection (an empty list enables no client).
pub async fn enable_on_default_connection(
    adapters: &DataAdapters,
    tenant: &str,
    clients: &[&str],
) -> anyhow::Result<()> {
    edit_default_connection(adapters, tenant, |connection| {
        for client in clients {
            if !connection.enabled_clients.iter().any(|id| id == client) {
                connection.enabled_clients.push((*client).to_owned());
            }
        }
    })
    .await?;
    Ok(())
}
