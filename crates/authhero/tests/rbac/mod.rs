//! Roles and a user's roles and permissions: Auth0's round trips, the refusals that write
//! nothing, and tenant isolation (another tenant's roles are unknown ids).

use anyhow::Context;
use authhero_core::Timestamp;
use authhero_core::entities::{AppType, Client, ClientGrant, Tenant};
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::{Api, MANAGEMENT_AUDIENCE, user_path};

const API: &str = "https://rbac.example.com/";

/// An API defining `read:things` and `write:things`.
async fn things_api(api: &Api) -> anyhow::Result<()> {
    api.post(
        "/api/v2/resource-servers",
        json!({"identifier": API, "name": "Things", "scopes": [
            {"value": "read:things", "description": "Read things"},
            {"value": "write:things"},
        ]}),
    )
    .await?
    .expect(StatusCode::CREATED)?;
    Ok(())
}

fn permission(name: &str) -> Value {
    json!({"resource_server_identifier": API, "permission_name": name})
}

impl Api {
    pub(crate) async fn delete_with(&self, uri: &str, body: Value) -> anyhow::Result<super::Reply> {
        self.call(
            Method::DELETE,
            uri,
            Some(&self.admin_token),
            Some(body.to_string()),
        )
        .await
    }

    /// A token for a second tenant's own admin client, holding every Management API scope.
    pub(crate) async fn other_tenant_token(&self) -> anyhow::Result<String> {
        let now = Timestamp::now();
        let other = self
            .adapters
            .tenants
            .create(Tenant::new("other", now))
            .await?;
        let mut management = self
            .adapters
            .resource_servers
            .find_by_identifier(&self.tenant, MANAGEMENT_AUDIENCE)
            .await?
            .context("management API")?;
        management.id = "rs-other".into();
        self.adapters
            .resource_servers
            .create(&other.id, management.clone())
            .await?;
        let mut client = Client::new("other-admin", "Other admin", now);
        client.app_type = Some(AppType::NonInteractive);
        client.client_secret = Some("other-admin-secret-other-admin-secret".into());
        client.grant_types = vec!["client_credentials".into()];
        self.adapters.clients.create(&other.id, client).await?;
        let scopes = management.scopes.iter().map(|scope| scope.value.clone());
        self.adapters
            .client_grants
            .create(
                &other.id,
                ClientGrant {
                    id: "cgr-other".into(),
                    client_id: "other-admin".into(),
                    audience: MANAGEMENT_AUDIENCE.into(),
                    scope: scopes.collect(),
                    organization_usage: None,
                    allow_any_organization: None,
                    organization_ids: Vec::new(),
                    created_at: now,
                    updated_at: now,
                },
            )
            .await?;
        self.token_for("other-admin", "other-admin-secret-other-admin-secret")
            .await
    }
}

#[tokio::test]
async fn roles_round_trip_with_permissions_and_users() -> anyhow::Result<()> {
    let api = Api::start().await?;
    things_api(&api).await?;
    let role = api
        .post(
            "/api/v2/roles",
            json!({"name": "editor", "description": "Edits"}),
        )
        .await?
        .expect(StatusCode::CREATED)?;
    let id = role.str("id")?.to_owned();
    assert!(id.starts_with("rol_"), "{id}");
    let path = format!("/api/v2/roles/{id}");
    let read = api.get(&path).await?.expect(StatusCode::OK)?;
    assert_eq!(read.body["name"], "editor");
    let patched = api
        .patch(&path, json!({"description": "Edits things"}))
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(patched.body["description"], "Edits things");
    assert_eq!(patched.body["name"], "editor");

    api.post("/api/v2/roles", json!({"name": "viewer"}))
        .await?
        .expect(StatusCode::CREATED)?;
    let filtered = api
        .get("/api/v2/roles?name_filter=edi&include_totals=true")
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(filtered.body["total"], 1, "{}", filtered.body);
    assert_eq!(filtered.body["roles"][0]["id"], id.as_str());

    let permissions = format!("{path}/permissions");
    api.post(
        &permissions,
        json!({"permissions": [permission("read:things"), permission("write:things")]}),
    )
    .await?
    .expect(StatusCode::CREATED)?;
    let listed = api.get(&permissions).await?.expect(StatusCode::OK)?;
    let listed = listed.items()?;
    assert_eq!(listed.len(), 2, "{listed:?}");
    let read = listed
        .iter()
        .find(|item| item["permission_name"] == "read:things")
        .context("read:things listed")?;
    assert_eq!(read["resource_server_name"], "Things");
    assert_eq!(read["description"], "Read things");
    api.delete_with(
        &permissions,
        json!({"permissions": [permission("write:things")]}),
    )
    .await?
    .expect(StatusCode::NO_CONTENT)?;
    let left = api.get(&permissions).await?.expect(StatusCode::OK)?;
    assert_eq!(left.items()?.len(), 1);

    let user = api.create_user("rbac@example.com", json!({})).await?;
    let user_id = user.str("user_id")?.to_owned();
    let second = api.create_user("rbac2@example.com", json!({})).await?;
    let users = format!("{path}/users");
    api.post(&users, json!({"users": [user_id, second.str("user_id")?]}))
        .await?
        .expect(StatusCode::OK)?;
    // By checkpoint, one at a time, as the SDK pages role members.
    let mut emails = Vec::new();
    let mut from = None::<String>;
    for _ in 0..5 {
        let uri = match &from {
            Some(from) => format!("{users}?take=1&from={from}"),
            None => format!("{users}?take=1"),
        };
        let page = api.get(&uri).await?.expect(StatusCode::OK)?;
        for member in page.body["users"].as_array().context("users")? {
            emails.push(member["email"].as_str().unwrap_or_default().to_owned());
        }
        match page.body["next"].as_str() {
            Some(next) => from = Some(next.to_owned()),
            None => break,
        }
    }
    emails.sort();
    assert_eq!(emails, ["rbac2@example.com", "rbac@example.com"]);
    let roles_of_user = api
        .get(&format!("{}/roles", user_path(&user_id)))
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(roles_of_user.items()?[0]["name"], "editor");

    api.delete(&path).await?.expect(StatusCode::NO_CONTENT)?;
    api.get(&path)
        .await?
        .expect_error(StatusCode::NOT_FOUND, Some("inexistent_role"))?;
    Ok(())
}

#[tokio::test]
async fn a_users_roles_and_permissions_round_trip() -> anyhow::Result<()> {
    let api = Api::start().await?;
    things_api(&api).await?;
    let role = api
        .post("/api/v2/roles", json!({"name": "reader"}))
        .await?
        .expect(StatusCode::CREATED)?;
    let role_id = role.str("id")?.to_owned();
    let user = api.create_user("direct@example.com", json!({})).await?;
    let path = user_path(user.str("user_id")?);

    let roles = format!("{path}/roles");
    api.post(&roles, json!({"roles": [role_id]}))
        .await?
        .expect(StatusCode::NO_CONTENT)?;
    let listed = api
        .get(&format!("{roles}?include_totals=true"))
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(listed.body["total"], 1, "{}", listed.body);
    assert_eq!(listed.body["roles"][0]["id"], role_id.as_str());
    api.delete_with(&roles, json!({"roles": [role_id]}))
        .await?
        .expect(StatusCode::NO_CONTENT)?;
    assert!(api.get(&roles).await?.items()?.is_empty());

    let permissions = format!("{path}/permissions");
    api.post(
        &permissions,
        json!({"permissions": [permission("read:things")]}),
    )
    .await?
    .expect(StatusCode::CREATED)?;
    let listed = api.get(&permissions).await?.expect(StatusCode::OK)?;
    assert_eq!(listed.items()?[0]["permission_name"], "read:things");
    api.delete_with(
        &permissions,
        json!({"permissions": [permission("read:things")]}),
    )
    .await?
    .expect(StatusCode::NO_CONTENT)?;
    assert!(api.get(&permissions).await?.items()?.is_empty());
    Ok(())
}

#[tokio::test]
async fn bad_rbac_requests_are_refused_and_write_nothing() -> anyhow::Result<()> {
    let api = Api::start().await?;
    things_api(&api).await?;
    api.post("/api/v2/roles", json!({"name": "dup"}))
        .await?
        .expect(StatusCode::CREATED)?;
    api.post("/api/v2/roles", json!({"name": "dup"}))
        .await?
        .expect(StatusCode::CONFLICT)?;
    for bad in [
        json!({}),
        json!({"name": ""}),
        json!({"name": 5}),
        json!({"name": "x", "colour": "red"}),
    ] {
        api.post("/api/v2/roles", bad.clone())
            .await?
            .expect(StatusCode::BAD_REQUEST)
            .with_context(|| format!("{bad}"))?;
    }
    assert_eq!(api.total("/api/v2/roles").await?, 1);

    let role = api
        .post("/api/v2/roles", json!({"name": "ok"}))
        .await?
        .expect(StatusCode::CREATED)?;
    let permissions = format!("/api/v2/roles/{}/permissions", role.str("id")?);
    api.post(&permissions, json!({"permissions": []}))
        .await?
        .expect(StatusCode::BAD_REQUEST)?;
    // One undefined scope among good ones writes none of them.
    api.post(
        &permissions,
        json!({"permissions": [permission("read:things"), permission("fly:things")]}),
    )
    .await?
    .expect(StatusCode::BAD_REQUEST)?;
    api.post(
        &permissions,
        json!({"permissions": [{"resource_server_identifier": "https://nope/", "permission_name": "x"}]}),
    )
    .await?
    .expect(StatusCode::NOT_FOUND)?;
    assert!(api.get(&permissions).await?.items()?.is_empty());

    let user = api.create_user("refused@example.com", json!({})).await?;
    let user_id = user.str("user_id")?.to_owned();
    let roles = format!("{}/roles", user_path(&user_id));
    api.post(&roles, json!({"roles": ["rol_unknown"]}))
        .await?
        .expect_error(StatusCode::NOT_FOUND, Some("inexistent_role"))?;
    api.post(&roles, json!({"roles": "rol_x"}))
        .await?
        .expect(StatusCode::BAD_REQUEST)?;
    let role_users = format!("/api/v2/roles/{}/users", role.str("id")?);
    api.post(&role_users, json!({"users": [user_id, "auth0|nobody"]}))
        .await?
        .expect(StatusCode::NOT_FOUND)?;
    assert!(api.get(&roles).await?.items()?.is_empty());
    api.get("/api/v2/roles/rol_unknown/permissions")
        .await?
        .expect_error(StatusCode::NOT_FOUND, Some("inexistent_role"))?;
    Ok(())
}

#[tokio::test]
async fn another_tenants_roles_are_unknown_ids() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let role = api
        .post("/api/v2/roles", json!({"name": "mine"}))
        .await?
        .expect(StatusCode::CREATED)?;
    let path = format!("/api/v2/roles/{}", role.str("id")?);
    let other = api.other_tenant_token().await?;
    let as_other = |method: Method, uri: String, body: Option<Value>| {
        let other = other.clone();
        let api = &api;
        async move {
            api.call(
                method,
                &uri,
                Some(&other),
                body.map(|body| body.to_string()),
            )
            .await
        }
    };
    as_other(Method::GET, path.clone(), None)
        .await?
        .expect_error(StatusCode::NOT_FOUND, Some("inexistent_role"))?;
    as_other(Method::PATCH, path.clone(), Some(json!({"name": "theirs"})))
        .await?
        .expect_error(StatusCode::NOT_FOUND, Some("inexistent_role"))?;
    as_other(Method::GET, format!("{path}/permissions"), None)
        .await?
        .expect_error(StatusCode::NOT_FOUND, Some("inexistent_role"))?;
    as_other(Method::DELETE, path.clone(), None)
        .await?
        .expect(StatusCode::NO_CONTENT)?;
    let listed = as_other(Method::GET, "/api/v2/roles".into(), None)
        .await?
        .expect(StatusCode::OK)?;
    assert!(listed.items()?.is_empty(), "{}", listed.body);
    // Still there, unchanged, for its own tenant.
    let mine = api.get(&path).await?.expect(StatusCode::OK)?;
    assert_eq!(mine.body["name"], "mine");
    Ok(())
}
