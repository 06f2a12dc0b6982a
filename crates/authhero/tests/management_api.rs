//! The Management API in-process, on an in-memory SQLite database: a create-read-update-delete
//! round trip of every resource in Auth0's shapes, and every refusal (401, 403, 400, 404, 409)
//! answered in Auth0's error shape without writing anything.

mod accounts;
mod imports;
mod logs;
mod organizations;
mod rbac;
mod sessions;
mod signing_keys;
mod support;
mod tenant_config;

use anyhow::{Context, anyhow, ensure};
use authhero::bootstrap::{BootstrapOptions, bootstrap};
use authhero_core::{DataAdapters, ListParams};
use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

const ISSUER: &str = "http://localhost:3000/";
const MANAGEMENT_AUDIENCE: &str = "https://localhost:3000/api/v2/";
const ADMIN_ID: &str = "admin";
const ADMIN_SECRET: &str = "admin-secret";
const DATABASE: &str = "Username-Password-Authentication";
const PASSWORD: &str = "Correct horse battery staple";

/// The router on a fresh database, and a token holding every Management API scope.
struct Api {
    router: Router,
    adapters: DataAdapters,
    tenant: String,
    admin_token: String,
}

/// A response: its status and its JSON body (`Null` when empty).
#[derive(Debug)]
struct Reply {
    status: StatusCode,
    body: Value,
}

impl Reply {
    fn str(&self, field: &str) -> anyhow::Result<&str> {
        self.body[field]
            .as_str()
            .with_context(|| format!("no string {field} in {}", self.body))
    }

    fn items(&self) -> anyhow::Result<&Vec<Value>> {
        self.body
            .as_array()
            .with_context(|| format!("not an array: {}", self.body))
    }

    /// Asserts the status, then returns self for reading the body.
    fn expect(self, status: StatusCode) -> anyhow::Result<Self> {
        ensure!(
            self.status == status,
            "expected {status}, got {}: {}",
            self.status,
            self.body
        );
        Ok(self)
    }

    /// Asserts an Auth0 error: status, `statusCode`, `error`, a message and the `errorCode`.
    fn expect_error(self, status: StatusCode, code: Option<&str>) -> anyhow::Result<Self> {
        let reply = self.expect(status)?;
        ensure!(
            reply.body["statusCode"] == status.as_u16(),
            "{}",
            reply.body
        );
        ensure!(
            reply.body["error"] == status.canonical_reason().unwrap_or_default(),
            "{}",
            reply.body
        );
        ensure!(
            reply.str("message").is_ok_and(|m| !m.is_empty()),
            "{}",
            reply.body
        );
        ensure!(
            reply.body["errorCode"].as_str() == code,
            "errorCode {:?} expected, got {}",
            code,
            reply.body
        );
        Ok(reply)
    }

    fn expect_message(self, message: &str) -> anyhow::Result<Self> {
        ensure!(
            self.body["message"] == message,
            "message {message:?} expected, got {}",
            self.body
        );
        Ok(self)
    }
}

impl Api {
    async fn start() -> anyhow::Result<Api> {
        Self::start_with(|_| {}).await
    }

    /// The router on a fresh database whose ports `change` may replace.
    async fn start_with(change: impl FnOnce(&mut DataAdapters)) -> anyhow::Result<Api> {
        Self::start_configured(change, |authhero| authhero).await
    }

    /// The router on a fresh database, built by `configure` as well.
    async fn start_configured(
        change: impl FnOnce(&mut DataAdapters),
        configure: impl FnOnce(authhero::AuthHero) -> authhero::AuthHero,
    ) -> anyhow::Result<Api> {
        let database = authhero_sea_orm::Database::connect("sqlite::memory:").await?;
        database.migrate().await?;
        let mut adapters = database.adapters();
        change(&mut adapters);
        let options = BootstrapOptions {
            admin_client_id: Some(ADMIN_ID.into()),
            admin_client_secret: Some(ADMIN_SECRET.into()),
            ..BootstrapOptions::default()
        };
        let seeded = bootstrap(&adapters, ISSUER, options)
            .await?
            .context("bootstrap")?;
        let router = configure(authhero::AuthHero::new(adapters.clone()).issuer(ISSUER)?).router();
        let mut api = Api {
            router,
            adapters,
            tenant: seeded.tenant_id,
            admin_token: String::new(),
        };
        api.admin_token = api.token_for(ADMIN_ID, ADMIN_SECRET).await?;
        Ok(api)
    }

    /// A client_credentials token for the Management API.
    async fn token_for(&self, client_id: &str, secret: &str) -> anyhow::Result<String> {
        let form = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "client_credentials")
            .append_pair("client_id", client_id)
            .append_pair("client_secret", secret)
            .append_pair("audience", MANAGEMENT_AUDIENCE)
            .finish();
        let request = Request::post("/oauth/token")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form))?;
        let reply = self.send(request).await?.expect(StatusCode::OK)?;
        Ok(reply.str("access_token")?.to_owned())
    }

    async fn send(&self, request: Request<Body>) -> anyhow::Result<Reply> {
        let response = self.router.clone().oneshot(request).await?;
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .map_err(|error| anyhow!("{error}"))?
            .to_bytes();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).with_context(|| {
                format!("{status}: not JSON: {}", String::from_utf8_lossy(&bytes))
            })?
        };
        Ok(Reply { status, body })
    }

    /// A request with `token` (if any) and a raw JSON body (if any).
    async fn call(
        &self,
        method: Method,
        uri: &str,
        token: Option<&str>,
        body: Option<String>,
    ) -> anyhow::Result<Reply> {
        let mut request = Request::builder().method(method).uri(uri);
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let body = match body {
            Some(json) => {
                request = request.header(header::CONTENT_TYPE, "application/json");
                Body::from(json)
            }
            None => Body::empty(),
        };
        self.send(request.body(body)?).await
    }

    async fn get(&self, uri: &str) -> anyhow::Result<Reply> {
        self.call(Method::GET, uri, Some(&self.admin_token), None)
            .await
    }

    async fn post(&self, uri: &str, body: Value) -> anyhow::Result<Reply> {
        self.call(
            Method::POST,
            uri,
            Some(&self.admin_token),
            Some(body.to_string()),
        )
        .await
    }

    async fn patch(&self, uri: &str, body: Value) -> anyhow::Result<Reply> {
        self.call(
            Method::PATCH,
            uri,
            Some(&self.admin_token),
            Some(body.to_string()),
        )
        .await
    }

    async fn delete(&self, uri: &str) -> anyhow::Result<Reply> {
        self.call(Method::DELETE, uri, Some(&self.admin_token), None)
            .await
    }

    /// How many entities a list holds, read through the API with totals.
    async fn total(&self, collection_path: &str) -> anyhow::Result<u64> {
        let reply = self
            .get(&format!("{collection_path}?include_totals=true"))
            .await?
            .expect(StatusCode::OK)?;
        reply.body["total"]
            .as_u64()
            .with_context(|| format!("no total: {}", reply.body))
    }

    /// Creates an M2M client and grants it `scopes` on the Management API, through the API.
    async fn m2m_client_with(&self, scopes: &[&str]) -> anyhow::Result<(String, String)> {
        let client = self
            .post("/api/v2/clients", json!({"name": "Reader", "app_type": "non_interactive", "grant_types": ["client_credentials"]}))
            .await?
            .expect(StatusCode::CREATED)?;
        let client_id = client.str("client_id")?.to_owned();
        let secret = client.str("client_secret")?.to_owned();
        self.post(
            "/api/v2/client-grants",
            json!({"client_id": client_id, "audience": MANAGEMENT_AUDIENCE, "scope": scopes}),
        )
        .await?
        .expect(StatusCode::CREATED)?;
        Ok((client_id, secret))
    }

    async fn create_user(&self, email: &str, app_metadata: Value) -> anyhow::Result<Reply> {
        self.post(
            "/api/v2/users",
            json!({"connection": DATABASE, "email": email, "password": PASSWORD, "app_metadata": app_metadata}),
        )
        .await
    }
}

/// `/api/v2/users/<id>` with the `|` of the id escaped.
fn user_path(user_id: &str) -> String {
    let escaped: String = url::form_urlencoded::byte_serialize(user_id.as_bytes()).collect();
    format!("/api/v2/users/{escaped}")
}

#[tokio::test]
async fn clients_round_trip() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let spa = api
        .post(
            "/api/v2/clients",
            json!({"name": "SPA", "app_type": "spa", "token_endpoint_auth_method": "none", "callbacks": ["https://app.example.com/cb"]}),
        )
        .await?
        .expect(StatusCode::CREATED)?;
    let spa_id = spa.str("client_id")?.to_owned();
    assert_eq!(spa_id.len(), 32);
    assert!(spa.body.get("client_secret").is_none(), "{}", spa.body);
    assert_eq!(spa.body["callbacks"], json!(["https://app.example.com/cb"]));
    // Auth0's clients carry no timestamps; the server keeps its own for ordering.
    assert!(spa.body.get("created_at").is_none(), "{}", spa.body);

    let web = api
        .post("/api/v2/clients", json!({"name": "Web"}))
        .await?
        .expect(StatusCode::CREATED)?;
    assert_eq!(web.str("client_secret")?.len(), 64);
    assert_eq!(web.body["token_endpoint_auth_method"], "client_secret_post");

    let path = format!("/api/v2/clients/{spa_id}");
    let fetched = api.get(&path).await?.expect(StatusCode::OK)?;
    assert_eq!(fetched.body, spa.body);

    let patched = api
        .patch(
            &path,
            json!({"name": "Renamed", "client_metadata": {"tier": "gold"}, "description": null}),
        )
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(patched.body["name"], "Renamed");
    assert_eq!(patched.body["client_metadata"], json!({"tier": "gold"}));
    assert_eq!(patched.body["callbacks"], spa.body["callbacks"]);
    assert_eq!(api.get(&path).await?.body, patched.body);

    let listed = api.get("/api/v2/clients").await?.expect(StatusCode::OK)?;
    assert_eq!(listed.items()?.len(), 3, "admin, SPA and Web");
    let totals = api
        .get("/api/v2/clients?include_totals=true&per_page=2&page=1")
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(totals.body["clients"].as_array().map(Vec::len), Some(1));
    assert_eq!(totals.body["start"], 2);
    assert_eq!(totals.body["limit"], 2);
    assert_eq!(totals.body["length"], 1);
    assert_eq!(totals.body["total"], 3);

    let deleted = api.delete(&path).await?.expect(StatusCode::NO_CONTENT)?;
    assert_eq!(deleted.body, Value::Null);
    api.get(&path)
        .await?
        .expect_error(StatusCode::NOT_FOUND, Some("inexistent_client"))?;
    Ok(())
}

/// Issue 8: a new application is enabled on every existing connection (Auth0's default), since
/// an empty `enabled_clients` enables none; and a new SPA rotates its refresh tokens.
#[tokio::test]
async fn a_client_moved_from_another_tenant_keeps_its_credentials() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let secret = "moved-secret-0123456789abcdef0123456789abcdef";
    let moved = api
        .post(
            "/api/v2/clients",
            json!({"name": "Moved", "client_id": "aBcD1234moved", "client_secret": secret}),
        )
        .await?
        .expect(StatusCode::CREATED)?;
    assert_eq!(moved.str("client_id")?, "aBcD1234moved");
    assert_eq!(moved.str("client_secret")?, secret);
    // The application authenticates with the secret it already ships.
    api.post(
        "/api/v2/client-grants",
        json!({"client_id": "aBcD1234moved", "audience": MANAGEMENT_AUDIENCE, "scope": ["read:clients"]}),
    )
    .await?
    .expect(StatusCode::CREATED)?;
    api.token_for("aBcD1234moved", secret).await?;
    assert!(
        api.token_for("aBcD1234moved", "a-wrong-secret")
            .await
            .is_err()
    );
    let taken = api
        .post(
            "/api/v2/clients",
            json!({"name": "Again", "client_id": "aBcD1234moved", "client_secret": secret}),
        )
        .await?;
    assert_eq!(taken.status, StatusCode::CONFLICT, "{}", taken.body);
    for bad in [
        json!({"name": "Short", "client_secret": "only-31-characters-long-secret!"}),
        json!({"name": "Blank", "client_id": ""}),
        json!({"name": "Odd", "client_id": "has space"}),
        json!({"name": "Public", "token_endpoint_auth_method": "none", "client_secret": secret}),
    ] {
        let refused = api.post("/api/v2/clients", bad.clone()).await?;
        assert_eq!(
            refused.status,
            StatusCode::BAD_REQUEST,
            "{bad}: {}",
            refused.body
        );
    }
    assert_eq!(
        api.total("/api/v2/clients").await?,
        2,
        "admin and Moved only"
    );
    Ok(())
}

#[tokio::test]
async fn rotating_a_secret_retires_the_old_one_at_once() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let (client_id, old) = api.m2m_client_with(&["read:clients"]).await?;
    let reader = api.token_for(&client_id, &old).await?;
    let path = format!("/api/v2/clients/{client_id}/rotate-secret");
    api.call(Method::POST, &path, Some(&reader), None)
        .await?
        .expect_error(StatusCode::FORBIDDEN, Some("insufficient_scope"))?;

    let rotated = api.post(&path, json!({})).await?.expect(StatusCode::OK)?;
    let new = rotated.str("client_secret")?.to_owned();
    assert_eq!(rotated.str("client_id")?, client_id);
    assert!(new != old && new.len() == 64, "{new}");
    assert!(
        api.token_for(&client_id, &old).await.is_err(),
        "the old secret still works"
    );
    api.token_for(&client_id, &new).await?;
    api.post("/api/v2/clients/no-such-client/rotate-secret", json!({}))
        .await?
        .expect_error(StatusCode::NOT_FOUND, Some("inexistent_client"))?;
    Ok(())
}

#[tokio::test]
async fn users_by_email_finds_every_user_with_the_email() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let created = api
        .create_user("Mixed.Case@example.com", json!({}))
        .await?
        .expect(StatusCode::CREATED)?;
    api.create_user("other@example.com", json!({}))
        .await?
        .expect(StatusCode::CREATED)?;
    let found = api
        .get("/api/v2/users-by-email?email=mixed.case%40EXAMPLE.com")
        .await?
        .expect(StatusCode::OK)?;
    let users = found.body.as_array().context("a bare array")?;
    assert_eq!(users.len(), 1, "{}", found.body);
    assert_eq!(users[0]["user_id"], created.body["user_id"]);
    let none = api
        .get("/api/v2/users-by-email?email=nobody%40example.com")
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(none.body, json!([]));
    let selected = api
        .get("/api/v2/users-by-email?email=mixed.case%40example.com&fields=user_id&colour=red")
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(selected.body, json!([{"user_id": created.body["user_id"]}]));
    let missing = api.get("/api/v2/users-by-email").await?;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST, "{}", missing.body);
    Ok(())
}

#[tokio::test]
async fn new_clients_are_enabled_on_connections_and_spas_rotate() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let spa = api
        .post("/api/v2/clients", json!({"name": "SPA", "app_type": "spa"}))
        .await?
        .expect(StatusCode::CREATED)?;
    let spa_id = spa.str("client_id")?.to_owned();
    assert_eq!(spa.body["refresh_token"]["rotation_type"], "rotating");
    assert_eq!(spa.body["refresh_token"]["leeway"], 0);
    let web = api
        .post(
            "/api/v2/clients",
            json!({"name": "Web", "app_type": "regular_web", "is_token_endpoint_ip_header_trusted": true}),
        )
        .await?
        .expect(StatusCode::CREATED)?;
    assert!(web.body.get("refresh_token").is_none(), "{}", web.body);
    assert_eq!(web.body["is_token_endpoint_ip_header_trusted"], true);
    assert_eq!(spa.body["is_token_endpoint_ip_header_trusted"], false);
    let web_id = web.str("client_id")?.to_owned();
    let connections = api
        .get("/api/v2/connections")
        .await?
        .expect(StatusCode::OK)?;
    let database = connections
        .items()?
        .iter()
        .find(|connection| connection["name"] == "Username-Password-Authentication")
        .context("no default connection")?
        .clone();
    let enabled = database["enabled_clients"]
        .as_array()
        .context("enabled_clients")?;
    for id in [&spa_id, &web_id] {
        assert!(enabled.contains(&json!(id)), "{id} not enabled: {database}");
    }
    // A connection made later enables only the clients it names.
    let later = api
        .post(
            "/api/v2/connections",
            json!({"name": "later", "strategy": "auth0"}),
        )
        .await?
        .expect(StatusCode::CREATED)?;
    assert_eq!(later.body["enabled_clients"], json!([]));
    Ok(())
}

#[tokio::test]
async fn connections_round_trip() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let created = api
        .post("/api/v2/connections", json!({"name": "partners", "strategy": "auth0", "options": {"requires_username": true}}))
        .await?
        .expect(StatusCode::CREATED)?;
    let id = created.str("id")?.to_owned();
    assert!(id.starts_with("con_"), "{id}");
    assert_eq!(created.body["realms"], json!(["partners"]));

    let by_strategy = api
        .get("/api/v2/connections?strategy=auth0")
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(by_strategy.items()?.len(), 2);
    let by_name = api
        .get("/api/v2/connections?name=partners")
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(by_name.items()?.len(), 1);
    let totals = api
        .get("/api/v2/connections?include_totals=true")
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(totals.body["connections"].as_array().map(Vec::len), Some(2));
    assert_eq!(totals.body["total"], 2);

    let path = format!("/api/v2/connections/{id}");
    let patched = api
        .patch(
            &path,
            json!({"display_name": "Partners", "options": {"disable_signup": true}}),
        )
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(patched.body["display_name"], "Partners");
    assert_eq!(
        patched.body["options"],
        json!({"disable_signup": true}),
        "options are replaced whole"
    );
    api.patch(&path, json!({"name": "other"}))
        .await?
        .expect_error(StatusCode::BAD_REQUEST, Some("invalid_body"))?;

    api.post(
        "/api/v2/connections",
        json!({"name": "partners", "strategy": "auth0"}),
    )
    .await?
    .expect_error(StatusCode::CONFLICT, Some("conflict"))?;
    api.post(
        "/api/v2/connections",
        json!({"name": "not a name", "strategy": "auth0"}),
    )
    .await?
    .expect_error(StatusCode::BAD_REQUEST, Some("invalid_body"))?;

    api.delete(&path).await?.expect(StatusCode::NO_CONTENT)?;
    api.get(&path)
        .await?
        .expect_error(StatusCode::NOT_FOUND, Some("inexistent_connection"))?;
    Ok(())
}

#[tokio::test]
async fn resource_servers_round_trip() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let created = api
        .post(
            "/api/v2/resource-servers",
            json!({"identifier": "https://api.example.com/", "scopes": [{"value": "read:things", "description": "Read things"}]}),
        )
        .await?
        .expect(StatusCode::CREATED)?;
    let id = created.str("id")?.to_owned();
    assert_eq!(created.body["name"], "https://api.example.com/");
    assert_eq!(created.body["signing_alg"], "RS256");
    assert_eq!(created.body["scopes"][0]["value"], "read:things");

    let path = format!("/api/v2/resource-servers/{id}");
    assert_eq!(
        api.get(&path).await?.expect(StatusCode::OK)?.body,
        created.body
    );
    let patched = api
        .patch(&path, json!({"name": "Things API", "token_lifetime": 600}))
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(patched.body["name"], "Things API");
    assert_eq!(patched.body["token_lifetime"], 600);
    api.patch(&path, json!({"identifier": "https://other.example.com/"}))
        .await?
        .expect_error(StatusCode::BAD_REQUEST, Some("invalid_body"))?;

    let totals = api
        .get("/api/v2/resource-servers?include_totals=true")
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(
        totals.body["resource_servers"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(totals.body["total"], 2);

    api.post(
        "/api/v2/resource-servers",
        json!({"identifier": "https://api.example.com/"}),
    )
    .await?
    .expect_error(StatusCode::CONFLICT, Some("conflict"))?;

    api.delete(&path).await?.expect(StatusCode::NO_CONTENT)?;
    api.get(&path)
        .await?
        .expect_error(StatusCode::NOT_FOUND, Some("inexistent_resource_server"))?;
    Ok(())
}

#[tokio::test]
async fn the_management_api_itself_is_protected() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let listed = api
        .get("/api/v2/resource-servers")
        .await?
        .expect(StatusCode::OK)?;
    let management = listed
        .items()?
        .iter()
        .find(|api| api["identifier"] == MANAGEMENT_AUDIENCE)
        .context("no Management API")?;
    let path = format!(
        "/api/v2/resource-servers/{}",
        management["id"].as_str().unwrap_or_default()
    );
    api.delete(&path)
        .await?
        .expect_error(StatusCode::FORBIDDEN, Some("operation_not_supported"))?;
    api.patch(&path, json!({"scopes": []}))
        .await?
        .expect_error(StatusCode::BAD_REQUEST, Some("invalid_body"))?;
    api.patch(&path, json!({"token_lifetime": 3600}))
        .await?
        .expect(StatusCode::OK)?;
    Ok(())
}

#[tokio::test]
async fn client_grants_round_trip() -> anyhow::Result<()> {
    let api = Api::start().await?;
    api.post(
        "/api/v2/resource-servers",
        json!({"identifier": "https://api.example.com/", "scopes": [{"value": "read:things"}, {"value": "write:things"}]}),
    )
    .await?
    .expect(StatusCode::CREATED)?;
    let client = api
        .post("/api/v2/clients", json!({"name": "Worker"}))
        .await?
        .expect(StatusCode::CREATED)?;
    let client_id = client.str("client_id")?.to_owned();

    let grant = json!({"client_id": client_id, "audience": "https://api.example.com/", "scope": ["read:things"]});
    let created = api
        .post("/api/v2/client-grants", grant.clone())
        .await?
        .expect(StatusCode::CREATED)?;
    let id = created.str("id")?.to_owned();
    assert!(id.starts_with("cgr_"), "{id}");
    assert_eq!(created.body["scope"], json!(["read:things"]));
    api.post("/api/v2/client-grants", grant)
        .await?
        .expect_error(StatusCode::CONFLICT, Some("conflict"))?;

    let filtered = api
        .get(&format!(
            "/api/v2/client-grants?client_id={client_id}&audience=https%3A%2F%2Fapi.example.com%2F"
        ))
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(filtered.items()?.len(), 1);
    assert_eq!(filtered.items()?[0]["id"], id.as_str());
    let totals = api
        .get("/api/v2/client-grants?include_totals=true")
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(
        totals.body["client_grants"].as_array().map(Vec::len),
        Some(2),
        "admin's and Worker's"
    );
    assert_eq!(totals.body["total"], 2);

    let path = format!("/api/v2/client-grants/{id}");
    api.patch(&path, json!({"scope": ["delete:everything"]}))
        .await?
        .expect_error(StatusCode::BAD_REQUEST, Some("invalid_body"))?;
    let patched = api
        .patch(&path, json!({"scope": ["read:things", "write:things"]}))
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(
        patched.body["scope"],
        json!(["read:things", "write:things"])
    );
    assert_eq!(
        api.get(&path).await?.expect(StatusCode::OK)?.body,
        patched.body
    );

    api.post(
        "/api/v2/client-grants",
        json!({"client_id": "nobody", "audience": "https://api.example.com/", "scope": []}),
    )
    .await?
    .expect_error(StatusCode::NOT_FOUND, Some("inexistent_client"))?;
    api.post(
        "/api/v2/client-grants",
        json!({"client_id": client_id, "audience": "https://nowhere.example.com/", "scope": []}),
    )
    .await?
    .expect_error(StatusCode::NOT_FOUND, Some("inexistent_resource_server"))?;

    api.delete(&path).await?.expect(StatusCode::NO_CONTENT)?;
    api.get(&path)
        .await?
        .expect_error(StatusCode::NOT_FOUND, Some("inexistent_client_grant"))?;
    Ok(())
}

#[tokio::test]
async fn users_round_trip() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let created = api
        .create_user("Jane@Example.com", json!({"plan": "free", "seats": 3}))
        .await?
        .expect(StatusCode::CREATED)?;
    let user_id = created.str("user_id")?.to_owned();
    assert!(user_id.starts_with("auth0|"), "{user_id}");
    assert_eq!(created.body["email"], "jane@example.com");
    assert_eq!(created.body["identities"][0]["connection"], DATABASE);
    assert_eq!(created.body["identities"][0]["provider"], "auth0");
    assert!(created.body.get("password").is_none(), "{}", created.body);
    let stored = api
        .adapters
        .passwords
        .get(&api.tenant, &user_id)
        .await?
        .context("no password")?;
    assert!(authhero::passwords::verify(PASSWORD.into(), stored.hash).await?);

    let path = user_path(&user_id);
    assert_eq!(
        api.get(&path).await?.expect(StatusCode::OK)?.body,
        created.body
    );

    let patched = api
        .patch(
            &path,
            json!({
                "app_metadata": {"plan": "pro", "seats": null},
                "user_metadata": {"theme": "dark"},
                "name": "Jane Doe",
                "password": "A new long password",
            }),
        )
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(patched.body["app_metadata"], json!({"plan": "pro"}));
    assert_eq!(patched.body["user_metadata"], json!({"theme": "dark"}));
    assert_eq!(patched.body["name"], "Jane Doe");
    assert_ne!(patched.body["updated_at"], created.body["updated_at"]);
    let stored = api
        .adapters
        .passwords
        .get(&api.tenant, &user_id)
        .await?
        .context("no password")?;
    assert!(authhero::passwords::verify("A new long password".into(), stored.hash).await?);

    let renamed = api
        .patch(&path, json!({"email": "Jane.Doe@Example.com"}))
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(renamed.body["email"], "jane.doe@example.com");
    api.patch(&path, json!({"email": "not-an-email"}))
        .await?
        .expect_error(StatusCode::BAD_REQUEST, Some("invalid_body"))?;
    api.patch(&path, json!({"user_id": "auth0|someone-else"}))
        .await?
        .expect_error(StatusCode::BAD_REQUEST, Some("invalid_body"))?;
    api.create_user("JANE.DOE@example.com", json!({}))
        .await?
        .expect_error(StatusCode::CONFLICT, Some("auth0_idp_error"))?
        .expect_message("The user already exists.")?;

    api.delete(&path).await?.expect(StatusCode::NO_CONTENT)?;
    api.delete(&path).await?.expect(StatusCode::NO_CONTENT)?;
    api.get(&path)
        .await?
        .expect_error(StatusCode::NOT_FOUND, Some("inexistent_user"))?
        .expect_message("The user does not exist.")?;
    ensure!(
        api.adapters
            .passwords
            .get(&api.tenant, &user_id)
            .await?
            .is_none()
    );
    Ok(())
}

/// Issue 8, item 9: emails are trimmed, validated and compared without case, and passwords meet
/// the connection's policy ("good" unless it says otherwise), on create and on PATCH.
#[tokio::test]
async fn users_need_a_valid_email_and_a_password_their_policy_accepts() -> anyhow::Result<()> {
    let api = Api::start().await?;
    for email in [
        "a@",
        "@b",
        "a b@c.d",
        "a@@b.c",
        "a@b@c.d",
        "a@b..c",
        "a\u{200b}@c.d",
    ] {
        api.post(
            "/api/v2/users",
            json!({"connection": DATABASE, "email": email, "password": PASSWORD}),
        )
        .await?
        .expect_error(StatusCode::BAD_REQUEST, Some("invalid_body"))?
        .expect_message(&format!(
            "Payload validation error: 'Object didn't pass validation for format email: {email}' on property email."
        ))?;
    }
    for weak in ["12345678", "abcdefgh", "abcdEFGH", "Ab1!"] {
        api.post(
            "/api/v2/users",
            json!({"connection": DATABASE, "email": "weak@example.com", "password": weak}),
        )
        .await?
        .expect_error(StatusCode::BAD_REQUEST, Some("invalid_body"))?
        .expect_message("PasswordStrengthError: Password is too weak")?;
    }
    assert_eq!(
        api.total("/api/v2/users").await?,
        0,
        "a refusal wrote a user"
    );

    let created = api
        .create_user(" Sam@Example.com\t", json!({}))
        .await?
        .expect(StatusCode::CREATED)?;
    assert_eq!(created.body["email"], "sam@example.com");
    api.create_user("SAM@example.com ", json!({}))
        .await?
        .expect_error(StatusCode::CONFLICT, Some("auth0_idp_error"))?;
    let path = user_path(created.str("user_id")?);
    api.patch(&path, json!({"password": "12345678"}))
        .await?
        .expect_error(StatusCode::BAD_REQUEST, Some("invalid_body"))?
        .expect_message("PasswordStrengthError: Password is too weak")?;
    api.patch(&path, json!({"email": "sam@"}))
        .await?
        .expect_error(StatusCode::BAD_REQUEST, Some("invalid_body"))?;
    let stored = api
        .adapters
        .passwords
        .get(&api.tenant, created.str("user_id")?)
        .await?
        .context("no password")?;
    assert!(authhero::passwords::verify(PASSWORD.into(), stored.hash).await?);

    // A connection that asks for "excellent" refuses what "good" accepts, on create and PATCH.
    support::edit_default_connection(&api.adapters, &api.tenant, |connection| {
        connection
            .options
            .insert("passwordPolicy".into(), json!("excellent"));
    })
    .await?;
    let good = "abcdEF12";
    api.post(
        "/api/v2/users",
        json!({"connection": DATABASE, "email": "eve@example.com", "password": good}),
    )
    .await?
    .expect_error(StatusCode::BAD_REQUEST, Some("invalid_body"))?;
    api.patch(&path, json!({"password": good}))
        .await?
        .expect_error(StatusCode::BAD_REQUEST, Some("invalid_body"))?;
    api.patch(&path, json!({"password": "abcdEF12gh"}))
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(api.total("/api/v2/users").await?, 1);
    Ok(())
}

/// A connection's `password_dictionary` (the common passwords and its own words) and
/// `password_no_personal_info` are honoured by user creation, PATCH and public signup, in
/// Auth0's words, and only once enabled.
#[tokio::test]
async fn dictionary_and_personal_data_options_refuse_passwords() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let connection = api.database_id().await?;
    let client = password_client(&api).await?;
    let create = |email: &str, password: &str| json!({"connection": DATABASE, "email": email, "password": password, "name": "Jane Doe"});
    // Off by default: a common password that meets the strength rules is taken.
    api.post("/api/v2/users", create("first@example.com", "Password123"))
        .await?
        .expect(StatusCode::CREATED)?;
    api.patch(
        &format!("/api/v2/connections/{connection}"),
        json!({"options": {
            "passwordPolicy": "good",
            "password_dictionary": {"enable": true, "dictionary": ["Acme-Rocket-2024"]},
            "password_no_personal_info": {"enable": true},
        }}),
    )
    .await?
    .expect(StatusCode::OK)?;
    for (password, message) in [
        (
            "Password123",
            "PasswordDictionaryError: Password is too common",
        ),
        (
            "acme-rocket-2024",
            "PasswordDictionaryError: Password is too common",
        ),
        (
            "Is-JANE DOE-1",
            "PasswordNoUserInfoError: Password contains user information",
        ),
        (
            "Secret-janed-9",
            "PasswordNoUserInfoError: Password contains user information",
        ),
    ] {
        api.post("/api/v2/users", create("janed@example.com", password))
            .await?
            .expect_error(StatusCode::BAD_REQUEST, Some("invalid_body"))?
            .expect_message(message)?;
    }
    assert_eq!(
        api.total("/api/v2/users").await?,
        1,
        "a refusal wrote a user"
    );
    let jane = api
        .post(
            "/api/v2/users",
            create("janed@example.com", "Unrelated-Words-7"),
        )
        .await?
        .expect(StatusCode::CREATED)?;
    api.patch(
        &user_path(jane.str("user_id")?),
        json!({"password": "Qwerty123"}),
    )
    .await?
    .expect_error(StatusCode::BAD_REQUEST, Some("invalid_body"))?
    .expect_message("PasswordDictionaryError: Password is too common")?;

    let signup = |password: &str| {
        let body = json!({
            "client_id": client.0, "email": "signup@example.com", "password": password,
            "connection": DATABASE,
        });
        Request::post("/dbconnections/signup")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
    };
    for (password, name, message) in [
        (
            "Password123",
            "PasswordDictionaryError",
            "Password is too common",
        ),
        (
            "signup-Secret-1",
            "PasswordNoUserInfoError",
            "Password contains user information",
        ),
    ] {
        let refused = api.send(signup(password)?).await?;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
        assert_eq!(refused.body["name"], name);
        assert_eq!(refused.body["code"], "invalid_password");
        assert_eq!(refused.body["message"], message);
    }
    let accepted = api.send(signup("Unrelated-Words-7")?).await?;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    Ok(())
}

/// With `password_history`, a PATCH may not set any of the user's last `size` passwords (the
/// current one included), only that many hashes are kept, and none while it is off.
#[tokio::test]
async fn password_history_refuses_recent_passwords() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let connection = api.database_id().await?;
    let user = api
        .create_user("history@example.com", json!({}))
        .await?
        .expect(StatusCode::CREATED)?;
    let user_id = user.str("user_id")?.to_owned();
    let path = user_path(&user_id);
    // Off: the same password again is taken, and no old hash is kept.
    api.patch(&path, json!({"password": PASSWORD}))
        .await?
        .expect(StatusCode::OK)?;
    let history_len = |api: &Api| {
        let adapters = api.adapters.clone();
        let tenant = api.tenant.clone();
        let user_id = user_id.clone();
        async move {
            let stored = adapters.passwords.get(&tenant, &user_id).await?;
            anyhow::Ok(stored.context("no password")?.history.len())
        }
    };
    assert_eq!(history_len(&api).await?, 0);

    api.patch(
        &format!("/api/v2/connections/{connection}"),
        json!({"options": {"passwordPolicy": "good", "password_history": {"enable": true, "size": 2}}}),
    )
    .await?
    .expect(StatusCode::OK)?;
    let change = |password: &'static str| api.patch(&path, json!({"password": password}));
    change(PASSWORD)
        .await?
        .expect_error(StatusCode::BAD_REQUEST, Some("invalid_body"))?
        .expect_message("PasswordHistoryError: Password has previously been used")?;
    change("Second-password-2").await?.expect(StatusCode::OK)?;
    change(PASSWORD)
        .await?
        .expect_error(StatusCode::BAD_REQUEST, Some("invalid_body"))?;
    change("Third-password-3").await?.expect(StatusCode::OK)?;
    assert_eq!(
        history_len(&api).await?,
        1,
        "more hashes kept than size asks"
    );
    // The first has left the last two: it may come back.
    change(PASSWORD).await?.expect(StatusCode::OK)?;
    let stored = api
        .adapters
        .passwords
        .get(&api.tenant, &user_id)
        .await?
        .context("no password")?;
    assert!(authhero::passwords::verify(PASSWORD.into(), stored.hash).await?);
    Ok(())
}

#[tokio::test]
async fn users_search_pages_and_sorts() -> anyhow::Result<()> {
    let api = Api::start().await?;
    for (email, plan) in [
        ("ann@example.com", "pro"),
        ("bob@example.com", "free"),
        ("cy@example.com", "pro"),
    ] {
        api.create_user(email, json!({"plan": plan}))
            .await?
            .expect(StatusCode::CREATED)?;
    }
    let bob = api
        .get("/api/v2/users?q=email%3A%22bob%40example.com%22&search_engine=v3")
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(bob.items()?.len(), 1);
    assert_eq!(bob.items()?[0]["email"], "bob@example.com");

    let pro = api
        .get("/api/v2/users?q=app_metadata.plan%3Apro&sort=email%3A-1")
        .await?
        .expect(StatusCode::OK)?;
    let emails: Vec<&Value> = pro.items()?.iter().map(|user| &user["email"]).collect();
    assert_eq!(
        emails,
        [&json!("cy@example.com"), &json!("ann@example.com")]
    );

    let first_page = api
        .get("/api/v2/users?per_page=2&page=0&include_totals=true&sort=email%3A1")
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(first_page.body["users"].as_array().map(Vec::len), Some(2));
    assert_eq!(first_page.body["users"][0]["email"], "ann@example.com");
    assert_eq!(
        (
            &first_page.body["start"],
            &first_page.body["limit"],
            &first_page.body["length"],
            &first_page.body["total"]
        ),
        (&json!(0), &json!(2), &json!(2), &json!(3))
    );
    api.get("/api/v2/users?q=email%3A(")
        .await?
        .expect_error(StatusCode::BAD_REQUEST, Some("invalid_query_string"))?;
    Ok(())
}

#[tokio::test]
async fn every_call_needs_a_valid_bearer_token() -> anyhow::Result<()> {
    let api = Api::start().await?;
    for (method, uri) in [
        (Method::GET, "/api/v2/users"),
        (Method::POST, "/api/v2/clients"),
        (Method::DELETE, "/api/v2/connections/con_x"),
    ] {
        api.call(method, uri, None, None)
            .await?
            .expect_error(StatusCode::UNAUTHORIZED, None)?
            .expect_message("Missing authentication")?;
    }
    api.call(Method::GET, "/api/v2/users", Some("not-a-jwt"), None)
        .await?
        .expect_error(StatusCode::UNAUTHORIZED, None)?
        .expect_message("Invalid token")?;
    let tampered = format!("{}x", api.admin_token);
    api.call(Method::GET, "/api/v2/users", Some(&tampered), None)
        .await?
        .expect_error(StatusCode::UNAUTHORIZED, None)?
        .expect_message("Invalid token")?;
    let basic = Request::get("/api/v2/users")
        .header(header::AUTHORIZATION, "Basic YWRtaW46YWRtaW4tc2VjcmV0")
        .body(Body::empty())?;
    api.send(basic)
        .await?
        .expect_error(StatusCode::UNAUTHORIZED, None)?
        .expect_message("Missing authentication")?;
    let other_tenant = Request::get("/api/v2/users")
        .header(header::AUTHORIZATION, format!("Bearer {}", api.admin_token))
        .header("tenant-id", "another-tenant")
        .body(Body::empty())?;
    api.send(other_tenant)
        .await?
        .expect_error(StatusCode::FORBIDDEN, Some("invalid_tenant"))?;
    let same_tenant = Request::get("/api/v2/users")
        .header(header::AUTHORIZATION, format!("Bearer {}", api.admin_token))
        .header("tenant-id", api.tenant.as_str())
        .body(Body::empty())?;
    api.send(same_tenant).await?.expect(StatusCode::OK)?;
    Ok(())
}

#[tokio::test]
async fn a_token_may_do_only_what_its_scopes_allow() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let (client_id, secret) = api.m2m_client_with(&["read:users"]).await?;
    let reader = api.token_for(&client_id, &secret).await?;
    api.call(Method::GET, "/api/v2/users", Some(&reader), None)
        .await?
        .expect(StatusCode::OK)?;
    let body =
        json!({"connection": DATABASE, "email": "x@example.com", "password": PASSWORD}).to_string();
    api.call(Method::POST, "/api/v2/users", Some(&reader), Some(body))
        .await?
        .expect_error(StatusCode::FORBIDDEN, Some("insufficient_scope"))?
        .expect_message("Insufficient scope, expected any of: create:users")?;
    api.call(Method::GET, "/api/v2/clients", Some(&reader), None)
        .await?
        .expect_error(StatusCode::FORBIDDEN, Some("insufficient_scope"))?
        .expect_message("Insufficient scope, expected any of: read:clients")?;
    assert_eq!(
        api.total("/api/v2/users").await?,
        0,
        "the refused create wrote nothing"
    );
    Ok(())
}

#[tokio::test]
async fn bad_bodies_are_400s_that_write_nothing() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let token = Some(api.admin_token.as_str());
    api.call(
        Method::POST,
        "/api/v2/clients",
        token,
        Some("{\"name\": ".into()),
    )
    .await?
    .expect_error(StatusCode::BAD_REQUEST, None)?
    .expect_message("Invalid request payload JSON format")?;
    let cases = [
        (
            "/api/v2/clients",
            json!({"name": "A", "colour": "red"}),
            "Payload validation error: 'Additional properties not allowed: colour'.",
        ),
        (
            "/api/v2/clients",
            json!({"name": 5}),
            "Payload validation error: 'Expected type string but found type integer' on property name.",
        ),
        (
            "/api/v2/clients",
            json!({"description": "no name"}),
            "Payload validation error: 'Missing required property: name'.",
        ),
        (
            "/api/v2/clients",
            json!({"name": ""}),
            "Payload validation error: 'String is too short (0 chars), minimum 1' on property name.",
        ),
        (
            "/api/v2/clients",
            json!({"name": "A", "app_type": "robot"}),
            "Payload validation error: 'No enum match for: \"robot\"' on property app_type.",
        ),
        (
            "/api/v2/clients",
            json!(["name"]),
            "Payload validation error: 'Expected type object but found type array'.",
        ),
        (
            "/api/v2/connections",
            json!({"name": "db"}),
            "Payload validation error: 'Missing required property: strategy'.",
        ),
        (
            "/api/v2/resource-servers",
            json!({"name": "API"}),
            "Payload validation error: 'Missing required property: identifier'.",
        ),
        (
            "/api/v2/resource-servers",
            json!({"identifier": "x", "scopes": [{"value": 1}]}),
            "Payload validation error: 'Expected type string but found type integer' on property scopes[0].value.",
        ),
        (
            "/api/v2/client-grants",
            json!({"client_id": ADMIN_ID, "audience": MANAGEMENT_AUDIENCE}),
            "Payload validation error: 'Missing required property: scope'.",
        ),
        (
            "/api/v2/users",
            json!({"connection": DATABASE, "email": "a@example.com"}),
            "Payload validation error: 'Missing required property: password'.",
        ),
        (
            "/api/v2/users",
            json!({"connection": DATABASE, "password": PASSWORD}),
            "Payload validation error: 'Missing required property: email'.",
        ),
        (
            "/api/v2/users",
            json!({"connection": DATABASE, "email": "a.example.com", "password": PASSWORD}),
            "Payload validation error: 'Object didn't pass validation for format email: a.example.com' on property email.",
        ),
        (
            "/api/v2/users",
            json!({"connection": DATABASE, "email": "a@example.com", "password": PASSWORD, "app_metadata": []}),
            "Payload validation error: 'Expected type object but found type array' on property app_metadata.",
        ),
    ];
    for (uri, body, message) in cases {
        api.post(uri, body)
            .await?
            .expect_error(StatusCode::BAD_REQUEST, Some("invalid_body"))?
            .expect_message(message)?;
    }
    api.post(
        "/api/v2/users",
        json!({"connection": "nowhere", "email": "a@example.com", "password": PASSWORD}),
    )
    .await?
    .expect_error(StatusCode::BAD_REQUEST, Some("inexistent_connection"))?;
    api.post(
        "/api/v2/users",
        json!({"connection": DATABASE, "email": "a@example.com", "password": "short"}),
    )
    .await?
    .expect_error(StatusCode::BAD_REQUEST, Some("invalid_body"))?
    .expect_message("PasswordStrengthError: Password is too weak")?;
    let user = api
        .create_user("kept@example.com", json!({"plan": "free"}))
        .await?
        .expect(StatusCode::CREATED)?;
    let path = user_path(user.str("user_id")?);
    api.patch(&path, json!({"blocked": "yes"}))
        .await?
        .expect_error(StatusCode::BAD_REQUEST, Some("invalid_body"))?
        .expect_message("Payload validation error: 'Expected type boolean but found type string' on property blocked.")?;
    api.patch(
        &path,
        json!({"app_metadata": {"plan": "pro"}, "logins_count": 7}),
    )
    .await?
    .expect_error(StatusCode::BAD_REQUEST, Some("invalid_body"))?;

    assert_eq!(
        api.total("/api/v2/clients").await?,
        1,
        "only the admin client"
    );
    assert_eq!(api.total("/api/v2/connections").await?, 1);
    assert_eq!(api.total("/api/v2/resource-servers").await?, 1);
    assert_eq!(api.total("/api/v2/client-grants").await?, 1);
    assert_eq!(api.total("/api/v2/users").await?, 1);
    assert_eq!(
        api.get(&path).await?.body["app_metadata"],
        json!({"plan": "free"}),
        "refused patches wrote nothing"
    );
    let users = api
        .adapters
        .users
        .list(&api.tenant, &ListParams::default())
        .await?;
    assert_eq!(users.items.len(), 1);
    Ok(())
}

#[tokio::test]
async fn lists_ignore_unknown_parameters_and_honour_fields_and_checkpoints() -> anyhow::Result<()> {
    let api = Api::start().await?;
    for name in ["One", "Two", "Three"] {
        api.post("/api/v2/clients", json!({"name": name}))
            .await?
            .expect(StatusCode::CREATED)?;
    }
    // What Auth0's tools send, known here or not, is never a 400.
    for uri in [
        "/api/v2/clients?is_global=false&colour=red",
        "/api/v2/clients?q=name%3Ax",
        "/api/v2/users?search_engine=v3&colour=red",
        "/api/v2/user-blocks?identifier=a&consider_brute_force_enablement=true&other=b",
    ] {
        api.get(uri).await?.expect(StatusCode::OK)?;
    }

    let only = api
        .get("/api/v2/clients?fields=client_id,name&include_fields=true")
        .await?
        .expect(StatusCode::OK)?;
    for client in only.items()? {
        let mut keys: Vec<&str> = client
            .as_object()
            .context("a client object")?
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(keys, ["client_id", "name"], "{client}");
    }
    let without = api
        .get("/api/v2/clients?fields=callbacks,name&include_fields=false")
        .await?
        .expect(StatusCode::OK)?;
    for client in without.items()? {
        assert!(client.get("name").is_none() && client.get("callbacks").is_none());
        assert!(client.get("client_id").is_some(), "{client}");
    }
    let admin = api
        .get("/api/v2/clients/admin?fields=name")
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(admin.body, json!({"name": admin.body["name"]}));

    // Checkpoint paging: pages of `take`, each naming the next, until the last names none.
    let mut seen = Vec::new();
    let mut uri = "/api/v2/clients?take=2".to_owned();
    loop {
        let page = api.get(&uri).await?.expect(StatusCode::OK)?;
        let items = page.body["clients"].as_array().context("clients")?;
        assert!(items.len() <= 2, "{}", page.body);
        seen.extend(items.iter().map(|client| client["client_id"].clone()));
        match page.body["next"].as_str() {
            Some(next) => {
                let next: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
                uri = format!("/api/v2/clients?take=2&from={next}");
            }
            None => break,
        }
    }
    assert_eq!(seen.len(), 4, "admin and three more: {seen:?}");
    seen.sort_by_key(ToString::to_string);
    seen.dedup();
    assert_eq!(seen.len(), 4, "no client twice");

    // Auth0's client filters.
    api.post(
        "/api/v2/clients",
        json!({"name": "Single", "app_type": "spa"}),
    )
    .await?
    .expect(StatusCode::CREATED)?;
    api.post(
        "/api/v2/clients",
        json!({"name": "Worker", "app_type": "non_interactive", "is_first_party": false}),
    )
    .await?
    .expect(StatusCode::CREATED)?;
    let names = |reply: Reply| -> anyhow::Result<Vec<String>> {
        let mut names: Vec<String> = reply
            .items()?
            .iter()
            .filter_map(|client| client["name"].as_str().map(str::to_owned))
            .collect();
        names.sort();
        Ok(names)
    };
    let spas = api
        .get("/api/v2/clients?app_type=spa")
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(names(spas)?, ["Single"]);
    let either = api
        .get("/api/v2/clients?app_type=spa,non_interactive")
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(names(either)?, ["AuthHero Admin (M2M)", "Single", "Worker"]);
    let third_party = api
        .get("/api/v2/clients?is_first_party=false")
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(names(third_party)?, ["Worker"]);
    let global = api
        .get("/api/v2/clients?is_global=true")
        .await?
        .expect(StatusCode::OK)?;
    // Auth0's global client stands for the tenant (the deploy CLI reads it); it is no stored client.
    assert_eq!(names(global)?, ["All Applications"]);
    let not_global = api
        .get("/api/v2/clients?is_global=false")
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(not_global.items()?.len(), 6);
    api.get("/api/v2/clients?is_first_party=maybe")
        .await?
        .expect_error(StatusCode::BAD_REQUEST, Some("invalid_query_string"))?;
    Ok(())
}

#[tokio::test]
async fn bad_list_parameters_are_invalid_query_strings() -> anyhow::Result<()> {
    let api = Api::start().await?;
    for query in [
        "per_page=101",
        "per_page=0",
        "per_page=ten",
        "page=-1",
        "include_totals=maybe",
        "sort=email",
        "sort=shoe_size%3A1",
        "page=1&page=2",
        "take=101",
        "take=0",
        "fields=email&include_fields=maybe",
    ] {
        api.get(&format!("/api/v2/users?{query}"))
            .await?
            .expect_error(StatusCode::BAD_REQUEST, Some("invalid_query_string"))?;
    }
    api.get("/api/v2/users?per_page=ten")
        .await?
        .expect_message("Query validation error: 'Expected type integer but found type string' on property per_page.")?;
    Ok(())
}

#[tokio::test]
async fn missing_things_are_404s() -> anyhow::Result<()> {
    let api = Api::start().await?;
    for (path, code) in [
        ("/api/v2/clients/nope", "inexistent_client"),
        ("/api/v2/connections/con_nope", "inexistent_connection"),
        (
            "/api/v2/resource-servers/rs_nope",
            "inexistent_resource_server",
        ),
        ("/api/v2/client-grants/cgr_nope", "inexistent_client_grant"),
        ("/api/v2/users/auth0%7Cnope", "inexistent_user"),
    ] {
        api.get(path)
            .await?
            .expect_error(StatusCode::NOT_FOUND, Some(code))?;
        api.patch(path, json!({}))
            .await?
            .expect_error(StatusCode::NOT_FOUND, Some(code))?;
    }
    api.get("/api/v2/nothing-here")
        .await?
        .expect_error(StatusCode::NOT_FOUND, None)?;
    Ok(())
}

#[tokio::test]
async fn tenant_settings_read_and_update() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let settings = api
        .get("/api/v2/tenants/settings")
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(settings.body["friendly_name"], "AuthHero");
    for unshown in ["id", "created_at", "updated_at", "signing_alg"] {
        assert!(settings.body.get(unshown).is_none(), "{}", settings.body);
    }
    let keys_before = api.adapters.signing_keys.list().await?.len();

    let patched = api
        .patch(
            "/api/v2/tenants/settings",
            json!({
                "friendly_name": "Acme",
                "support_email": "help@acme.example.com",
                "allowed_logout_urls": ["https://acme.example.com/"],
                "session_lifetime": 72,
                "idle_session_lifetime": 2.5,
                "default_audience": "https://api.acme.example.com/",
                "enabled_locales": ["en", "fr"],
                "signing_alg": "ES256",
            }),
        )
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(patched.body["friendly_name"], "Acme");
    assert_eq!(patched.body["signing_alg"], "ES256");
    assert_eq!(patched.body["idle_session_lifetime"], 2.5);
    assert_eq!(patched.body["enabled_locales"], json!(["en", "fr"]));
    assert!(patched.body.get("id").is_none(), "{}", patched.body);
    assert_eq!(
        api.get("/api/v2/tenants/settings").await?.body,
        patched.body
    );
    let keys = api.adapters.signing_keys.list().await?;
    assert_eq!(keys.len(), keys_before + 1, "one ES256 key made");
    assert!(
        keys.iter()
            .any(|key| key.algorithm == authhero_core::entities::SigningAlgorithm::ES256)
    );

    // `null` clears a setting; signing falls back to RS256, which has its key.
    let cleared = api
        .patch(
            "/api/v2/tenants/settings",
            json!({"signing_alg": null, "support_email": null}),
        )
        .await?
        .expect(StatusCode::OK)?;
    assert!(
        cleared.body.get("signing_alg").is_none(),
        "{}",
        cleared.body
    );
    assert!(cleared.body.get("support_email").is_none());
    assert_eq!(cleared.body["friendly_name"], "Acme");
    assert_eq!(
        api.adapters.signing_keys.list().await?.len(),
        keys_before + 1
    );
    Ok(())
}

#[tokio::test]
async fn bad_tenant_settings_are_400s_that_write_nothing() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let before = api
        .get("/api/v2/tenants/settings")
        .await?
        .expect(StatusCode::OK)?;
    let keys_before = api.adapters.signing_keys.list().await?.len();
    for (body, message) in [
        (
            json!({"signing_alg": "HS256"}),
            "Payload validation error: 'No enum match for: \"HS256\"' on property signing_alg.",
        ),
        (
            json!({"signing_alg": "es256", "friendly_name": "Changed"}),
            "Payload validation error: 'No enum match for: \"es256\"' on property signing_alg.",
        ),
        (
            json!({"signing_alg": 256}),
            "Payload validation error: 'Expected type string but found type integer' on property signing_alg.",
        ),
        (
            json!({"session_lifetime": "long", "signing_alg": "EdDSA"}),
            "Payload validation error: 'Expected type number but found type string' on property session_lifetime.",
        ),
        (
            json!({"id": "other", "signing_alg": "EdDSA"}),
            "Payload validation error: 'Additional properties not allowed: id'.",
        ),
        (
            json!({"sandbox_mode": "18"}),
            "Payload validation error: 'Additional properties not allowed: sandbox_mode'.",
        ),
    ] {
        api.patch("/api/v2/tenants/settings", body)
            .await?
            .expect_error(StatusCode::BAD_REQUEST, Some("invalid_body"))?
            .expect_message(message)?;
    }
    api.call(
        Method::PATCH,
        "/api/v2/tenants/settings",
        Some(&api.admin_token),
        Some("[\"ES256\"]".into()),
    )
    .await?
    .expect_error(StatusCode::BAD_REQUEST, Some("invalid_body"))?;
    let after = api.get("/api/v2/tenants/settings").await?;
    assert_eq!(
        after.body, before.body,
        "a refused PATCH changed the settings"
    );
    assert_eq!(
        api.adapters.signing_keys.list().await?.len(),
        keys_before,
        "a refused PATCH made a key"
    );
    Ok(())
}

#[tokio::test]
async fn tenant_settings_need_their_scopes() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let (client_id, secret) = api.m2m_client_with(&["read:tenant_settings"]).await?;
    let reader = api.token_for(&client_id, &secret).await?;
    api.call(Method::GET, "/api/v2/tenants/settings", Some(&reader), None)
        .await?
        .expect(StatusCode::OK)?;
    let body = json!({"signing_alg": "EdDSA"}).to_string();
    api.call(
        Method::PATCH,
        "/api/v2/tenants/settings",
        Some(&reader),
        Some(body),
    )
    .await?
    .expect_error(StatusCode::FORBIDDEN, Some("insufficient_scope"))?
    .expect_message("Insufficient scope, expected any of: update:tenant_settings")?;
    let (client_id, secret) = api.m2m_client_with(&["read:users"]).await?;
    let other = api.token_for(&client_id, &secret).await?;
    api.call(Method::GET, "/api/v2/tenants/settings", Some(&other), None)
        .await?
        .expect_error(StatusCode::FORBIDDEN, Some("insufficient_scope"))?
        .expect_message("Insufficient scope, expected any of: read:tenant_settings")?;
    api.call(Method::GET, "/api/v2/tenants/settings", None, None)
        .await?
        .expect_error(StatusCode::UNAUTHORIZED, None)?;
    let settings = api.get("/api/v2/tenants/settings").await?;
    assert!(
        settings.body.get("signing_alg").is_none(),
        "the refused PATCH wrote"
    );
    Ok(())
}

#[tokio::test]
async fn bootstrap_gives_an_existing_databases_admin_the_new_scopes() -> anyhow::Result<()> {
    let api = Api::start().await?;
    // A database bootstrapped before tenant settings existed: neither the Management API nor
    // the admin's grant has their scopes. Another client holds only some of the old scopes.
    let (partial, _) = api.m2m_client_with(&["read:users"]).await?;
    let new_scopes = ["read:tenant_settings", "update:tenant_settings"];
    let mut management = api
        .adapters
        .resource_servers
        .find_by_identifier(&api.tenant, MANAGEMENT_AUDIENCE)
        .await?
        .context("management API")?;
    management
        .scopes
        .retain(|scope| !new_scopes.contains(&scope.value.as_str()));
    api.adapters
        .resource_servers
        .update(&api.tenant, management)
        .await?;
    let mut grant = api
        .adapters
        .client_grants
        .find(&api.tenant, ADMIN_ID, MANAGEMENT_AUDIENCE)
        .await?
        .context("admin grant")?;
    grant
        .scope
        .retain(|scope| !new_scopes.contains(&scope.as_str()));
    api.adapters
        .client_grants
        .update(&api.tenant, grant)
        .await?;

    let options = BootstrapOptions::default();
    assert!(bootstrap(&api.adapters, ISSUER, options).await?.is_none());

    let management = api
        .adapters
        .resource_servers
        .find_by_identifier(&api.tenant, MANAGEMENT_AUDIENCE)
        .await?
        .context("management API")?;
    let mut defined: Vec<String> = management
        .scopes
        .iter()
        .map(|scope| scope.value.clone())
        .collect();
    defined.sort();
    assert_eq!(defined, authhero::bootstrap::management_scopes());
    let admin = api
        .adapters
        .client_grants
        .find(&api.tenant, ADMIN_ID, MANAGEMENT_AUDIENCE)
        .await?
        .context("admin grant")?;
    let mut held = admin.scope.clone();
    held.sort();
    assert_eq!(held, authhero::bootstrap::management_scopes());
    let partial = api
        .adapters
        .client_grants
        .find(&api.tenant, &partial, MANAGEMENT_AUDIENCE)
        .await?
        .context("partial grant")?;
    assert_eq!(
        partial.scope,
        ["read:users"],
        "a partial grant gained scopes"
    );
    // The admin's next token carries them.
    let token = api.token_for(ADMIN_ID, ADMIN_SECRET).await?;
    api.call(Method::GET, "/api/v2/tenants/settings", Some(&token), None)
        .await?
        .expect(StatusCode::OK)?;
    Ok(())
}

/// `/api/v2/user-blocks/<id>` with the `|` of the id escaped.
fn blocks_path(user_id: &str) -> String {
    let escaped: String = url::form_urlencoded::byte_serialize(user_id.as_bytes()).collect();
    format!("/api/v2/user-blocks/{escaped}")
}

/// A client allowed the password grant on the database connection, for logging users in.
async fn password_client(api: &Api) -> anyhow::Result<(String, String)> {
    let client = api
        .post(
            "/api/v2/clients",
            json!({"name": "Login", "app_type": "regular_web", "grant_types": ["password"]}),
        )
        .await?
        .expect(StatusCode::CREATED)?;
    // A new client is enabled on every existing connection, the database one included.
    let client_id = client.str("client_id")?.to_owned();
    let secret = client.str("client_secret")?.to_owned();
    Ok((client_id, secret))
}

/// The status of a password-grant login (from no peer address: the IP `unknown`).
async fn password_login(
    api: &Api,
    (client_id, secret): &(String, String),
    username: &str,
    password: &str,
) -> anyhow::Result<StatusCode> {
    let form = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "password")
        .append_pair("client_id", client_id)
        .append_pair("client_secret", secret)
        .append_pair("username", username)
        .append_pair("password", password)
        .finish();
    let request = Request::post("/oauth/token")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form))?;
    Ok(api.send(request).await?.status)
}

/// Ten wrong passwords: brute-force protection's threshold.
async fn fail_ten_times(
    api: &Api,
    client: &(String, String),
    username: &str,
) -> anyhow::Result<()> {
    for _ in 0..10 {
        let status = password_login(api, client, username, "not the password").await?;
        ensure!(status == StatusCode::FORBIDDEN, "wrong password: {status}");
    }
    Ok(())
}

#[tokio::test]
async fn user_blocks_of_a_user_are_listed_and_lifted() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let client = password_client(&api).await?;
    let user = api
        .create_user("Blocked@Example.com", json!({}))
        .await?
        .expect(StatusCode::CREATED)?;
    let path = blocks_path(user.str("user_id")?);
    let none = json!({"blocked_for": []});
    assert_eq!(api.get(&path).await?.expect(StatusCode::OK)?.body, none);

    for _ in 0..9 {
        password_login(&api, &client, "blocked@example.com", "wrong").await?;
    }
    assert_eq!(
        api.get(&path).await?.expect(StatusCode::OK)?.body,
        none,
        "nine failures are no block"
    );
    password_login(&api, &client, "blocked@example.com", "wrong").await?;
    assert_eq!(
        api.get(&path).await?.expect(StatusCode::OK)?.body,
        json!({"blocked_for": [{
            "identifier": "blocked@example.com",
            "ip": "unknown",
            "connection": "Username-Password-Authentication",
        }]})
    );
    assert_eq!(
        password_login(&api, &client, "blocked@example.com", PASSWORD).await?,
        StatusCode::TOO_MANY_REQUESTS
    );

    api.delete(&path).await?.expect(StatusCode::NO_CONTENT)?;
    assert_eq!(api.get(&path).await?.expect(StatusCode::OK)?.body, none);
    assert_eq!(
        password_login(&api, &client, "blocked@example.com", PASSWORD).await?,
        StatusCode::OK,
        "the lifted block still refuses"
    );

    // Auth0's 404 for a user that does not exist.
    let missing = blocks_path("auth0|nobody");
    api.get(&missing)
        .await?
        .expect_error(StatusCode::NOT_FOUND, Some("inexistent_user"))?;
    api.delete(&missing)
        .await?
        .expect_error(StatusCode::NOT_FOUND, Some("inexistent_user"))?;
    Ok(())
}

#[tokio::test]
async fn user_blocks_of_an_identifier_are_listed_and_lifted() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let client = password_client(&api).await?;
    api.create_user("known@example.com", json!({}))
        .await?
        .expect(StatusCode::CREATED)?;
    fail_ten_times(&api, &client, "known@example.com").await?;
    // An identifier of no user is blocked alike.
    fail_ten_times(&api, &client, "ghost@example.com").await?;

    let ghost = api
        .get("/api/v2/user-blocks?identifier=Ghost%40Example.com")
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(
        ghost.body,
        json!({"blocked_for": [{"identifier": "ghost@example.com", "ip": "unknown"}]})
    );
    assert_eq!(
        api.get("/api/v2/user-blocks?identifier=someone%40example.com")
            .await?
            .expect(StatusCode::OK)?
            .body,
        json!({"blocked_for": []})
    );
    assert_eq!(
        password_login(&api, &client, "known@example.com", PASSWORD).await?,
        StatusCode::TOO_MANY_REQUESTS
    );
    api.delete("/api/v2/user-blocks?identifier=known%40example.com")
        .await?
        .expect(StatusCode::NO_CONTENT)?;
    assert_eq!(
        password_login(&api, &client, "known@example.com", PASSWORD).await?,
        StatusCode::OK,
        "the lifted block still refuses"
    );
    let still = api
        .get("/api/v2/user-blocks?identifier=ghost%40example.com")
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(
        still.body, ghost.body,
        "lifting one identifier lifted another"
    );

    for (method, uri) in [
        (Method::GET, "/api/v2/user-blocks"),
        (Method::DELETE, "/api/v2/user-blocks"),
        (Method::GET, "/api/v2/user-blocks?identifier="),
        (Method::GET, "/api/v2/user-blocks?identifier=a&identifier=b"),
    ] {
        api.call(method, uri, Some(&api.admin_token), None)
            .await?
            .expect_error(StatusCode::BAD_REQUEST, Some("invalid_query_string"))?;
    }
    Ok(())
}

#[tokio::test]
async fn user_blocks_need_their_scopes() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let user = api
        .create_user("scoped@example.com", json!({}))
        .await?
        .expect(StatusCode::CREATED)?;
    let by_id = blocks_path(user.str("user_id")?);
    let by_identifier = "/api/v2/user-blocks?identifier=scoped%40example.com";
    let (client_id, secret) = api.m2m_client_with(&["read:users"]).await?;
    let reader = api.token_for(&client_id, &secret).await?;
    let (client_id, secret) = api.m2m_client_with(&["update:users"]).await?;
    let updater = api.token_for(&client_id, &secret).await?;
    for uri in [by_id.as_str(), by_identifier] {
        api.call(Method::GET, uri, Some(&reader), None)
            .await?
            .expect(StatusCode::OK)?;
        api.call(Method::DELETE, uri, Some(&reader), None)
            .await?
            .expect_error(StatusCode::FORBIDDEN, Some("insufficient_scope"))?
            .expect_message("Insufficient scope, expected any of: update:users")?;
        api.call(Method::GET, uri, Some(&updater), None)
            .await?
            .expect_error(StatusCode::FORBIDDEN, Some("insufficient_scope"))?
            .expect_message("Insufficient scope, expected any of: read:users")?;
        api.call(Method::DELETE, uri, Some(&updater), None)
            .await?
            .expect(StatusCode::NO_CONTENT)?;
        api.call(Method::GET, uri, None, None)
            .await?
            .expect_error(StatusCode::UNAUTHORIZED, None)?;
    }
    Ok(())
}
