//! Organizations: Auth0's round trip (by id and by name), members and their roles, enabled
//! connections, refusals that write nothing, and tenant isolation.

use anyhow::Context;
use axum::http::{Method, StatusCode};
use serde_json::json;

use super::{Api, user_path};

#[tokio::test]
async fn organizations_round_trip_with_members_roles_and_connections() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let created = api
        .post(
            "/api/v2/organizations",
            json!({"name": "acme", "display_name": "Acme", "metadata": {"tier": "gold"}}),
        )
        .await?
        .expect(StatusCode::CREATED)?;
    let id = created.str("id")?.to_owned();
    assert!(id.starts_with("org_"), "{id}");
    let path = format!("/api/v2/organizations/{id}");
    let by_name = api
        .get("/api/v2/organizations/name/acme")
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(by_name.body["id"], id.as_str());
    let patched = api
        .patch(&path, json!({"display_name": "Acme Inc."}))
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(patched.body["display_name"], "Acme Inc.");
    assert_eq!(patched.body["metadata"]["tier"], "gold");
    let listed = api
        .get("/api/v2/organizations?include_totals=true")
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(listed.body["total"], 1, "{}", listed.body);

    let user = api.create_user("member@example.com", json!({})).await?;
    let user_id = user.str("user_id")?.to_owned();
    let members = format!("{path}/members");
    api.post(&members, json!({"members": [user_id]}))
        .await?
        .expect(StatusCode::NO_CONTENT)?;
    let listed = api
        .get(&format!("{members}?take=50"))
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(listed.body["members"][0]["email"], "member@example.com");
    let of_user = api
        .get(&format!("{}/organizations", user_path(&user_id)))
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(of_user.items()?[0]["name"], "acme");

    let role = api
        .post("/api/v2/roles", json!({"name": "org-admin"}))
        .await?
        .expect(StatusCode::CREATED)?;
    let role_id = role.str("id")?.to_owned();
    let member_roles = format!("{members}/{}/roles", urlencode(&user_id));
    api.post(&member_roles, json!({"roles": [role_id]}))
        .await?
        .expect(StatusCode::NO_CONTENT)?;
    let roles = api.get(&member_roles).await?.expect(StatusCode::OK)?;
    assert_eq!(roles.items()?[0]["name"], "org-admin");
    // A member role is not a tenant-wide role.
    let tenant_wide = api
        .get(&format!("{}/roles", user_path(&user_id)))
        .await?
        .expect(StatusCode::OK)?;
    assert!(tenant_wide.items()?.is_empty(), "{}", tenant_wide.body);

    let connections = api
        .get("/api/v2/connections?name=Username-Password-Authentication")
        .await?
        .expect(StatusCode::OK)?;
    let connection_id = connections.items()?[0]["id"]
        .as_str()
        .context("connection id")?
        .to_owned();
    let enabled = format!("{path}/enabled_connections");
    let added = api
        .post(
            &enabled,
            json!({"connection_id": connection_id, "assign_membership_on_login": true}),
        )
        .await?
        .expect(StatusCode::CREATED)?;
    assert_eq!(added.body["connection"]["strategy"], "auth0");
    let one = format!("{enabled}/{connection_id}");
    let changed = api
        .patch(&one, json!({"show_as_button": false}))
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(changed.body["show_as_button"], false);
    assert_eq!(changed.body["assign_membership_on_login"], true);
    assert_eq!(api.get(&enabled).await?.items()?.len(), 1);
    api.delete(&one).await?.expect(StatusCode::NO_CONTENT)?;
    api.get(&one).await?.expect(StatusCode::NOT_FOUND)?;

    api.delete_with(&members, json!({"members": [user_id]}))
        .await?
        .expect(StatusCode::NO_CONTENT)?;
    assert!(api.get(&members).await?.items()?.is_empty());
    api.delete(&path).await?.expect(StatusCode::NO_CONTENT)?;
    api.get(&path)
        .await?
        .expect_error(StatusCode::NOT_FOUND, Some("inexistent_organization"))?;
    Ok(())
}

#[tokio::test]
async fn bad_organization_requests_write_nothing_and_tenants_stay_apart() -> anyhow::Result<()> {
    let api = Api::start().await?;
    for bad in [
        json!({"name": "Upper"}),
        json!({"name": "has space"}),
        json!({"name": "a".repeat(51)}),
        json!({"display_name": "no name"}),
        json!({"name": "ok", "owner": "me"}),
    ] {
        api.post("/api/v2/organizations", bad.clone())
            .await?
            .expect(StatusCode::BAD_REQUEST)
            .with_context(|| format!("{bad}"))?;
    }
    assert_eq!(api.total("/api/v2/organizations").await?, 0);
    let created = api
        .post("/api/v2/organizations", json!({"name": "mine"}))
        .await?
        .expect(StatusCode::CREATED)?;
    api.post("/api/v2/organizations", json!({"name": "mine"}))
        .await?
        .expect(StatusCode::CONFLICT)?;
    let path = format!("/api/v2/organizations/{}", created.str("id")?);
    api.post(
        &format!("{path}/members"),
        json!({"members": ["auth0|nobody"]}),
    )
    .await?
    .expect_error(StatusCode::NOT_FOUND, Some("inexistent_user"))?;
    api.post(
        &format!("{path}/enabled_connections"),
        json!({"connection_id": "con_nope"}),
    )
    .await?
    .expect(StatusCode::NOT_FOUND)?;

    let other = api.other_tenant_token().await?;
    for (method, uri) in [
        (Method::GET, path.clone()),
        (Method::GET, "/api/v2/organizations/name/mine".to_owned()),
        (Method::GET, format!("{path}/members")),
    ] {
        api.call(method, &uri, Some(&other), None)
            .await?
            .expect_error(StatusCode::NOT_FOUND, Some("inexistent_organization"))
            .with_context(|| uri.clone())?;
    }
    Ok(())
}

fn urlencode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}
