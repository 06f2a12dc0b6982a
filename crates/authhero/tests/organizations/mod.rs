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

/// Invitations: created with a ticket and a link built on the application's
/// `initiate_login_uri`, listed (bare and with totals), read and deleted per organization;
/// refused when the body, the application, a role or the organization is wrong, and invisible
/// from another organization or tenant.
#[tokio::test]
async fn invitations_are_created_listed_and_deleted() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let org = api
        .post(
            "/api/v2/organizations",
            json!({"name": "acme", "display_name": "Acme"}),
        )
        .await?
        .expect(StatusCode::CREATED)?;
    let org_id = org.str("id")?.to_owned();
    let other_org = api
        .post("/api/v2/organizations", json!({"name": "globex"}))
        .await?
        .expect(StatusCode::CREATED)?;
    let app = api
        .post(
            "/api/v2/clients",
            json!({"name": "Portal", "initiate_login_uri": "https://portal.example/login"}),
        )
        .await?
        .expect(StatusCode::CREATED)?;
    let client_id = app.str("client_id")?.to_owned();
    let role = api
        .post("/api/v2/roles", json!({"name": "member"}))
        .await?
        .expect(StatusCode::CREATED)?;
    let path = format!("/api/v2/organizations/{org_id}/invitations");
    let created = api
        .post(
            &path,
            json!({"inviter": {"name": "Ann"}, "invitee": {"email": " Bo@Example.com"}, "client_id": client_id,
                   "roles": [role.str("id")?], "ttl_sec": 3600, "app_metadata": {"team": "red"}}),
        )
        .await?
        .expect(StatusCode::CREATED)?;
    assert_eq!(created.body["invitee"]["email"], "bo@example.com");
    assert_eq!(created.body["organization_id"], org_id.as_str());
    let ticket = created.str("ticket_id")?.to_owned();
    let url = url::Url::parse(created.str("invitation_url")?)?;
    assert_eq!(
        url.as_str().split('?').next(),
        Some("https://portal.example/login")
    );
    let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    assert_eq!(
        query,
        [
            ("invitation".to_owned(), ticket),
            ("organization".to_owned(), org_id.clone()),
            ("organization_name".to_owned(), "acme".to_owned()),
        ]
    );
    let id = created.str("id")?.to_owned();
    let one = api
        .get(&format!("{path}/{id}"))
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(one.body["app_metadata"]["team"], "red");
    let listed = api.get(&path).await?.expect(StatusCode::OK)?;
    assert_eq!(listed.items()?.len(), 1);
    let totals = api
        .get(&format!("{path}?include_totals=true&per_page=10"))
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(totals.body["invitations"].as_array().map(Vec::len), Some(1));

    for bad in [
        json!({}),
        json!({"inviter": {"name": "Ann"}, "invitee": {"email": "not-an-email"}, "client_id": client_id}),
        json!({"inviter": {"name": ""}, "invitee": {"email": "c@example.com"}, "client_id": client_id}),
        json!({"inviter": {"name": "Ann"}, "invitee": {"email": "c@example.com"}, "client_id": client_id, "ttl_sec": 99_999_999}),
        json!({"inviter": {"name": "Ann"}, "invitee": {"email": "c@example.com"}, "client_id": client_id, "colour": "red"}),
        json!({"inviter": {"name": "Ann"}, "invitee": {"email": "c@example.com"}, "client_id": "admin"}),
    ] {
        api.post(&path, bad.clone())
            .await?
            .expect(StatusCode::BAD_REQUEST)?;
    }
    for missing in [
        json!({"inviter": {"name": "Ann"}, "invitee": {"email": "c@example.com"}, "client_id": "nope"}),
        json!({"inviter": {"name": "Ann"}, "invitee": {"email": "c@example.com"}, "client_id": client_id, "roles": ["rol_nope"]}),
    ] {
        api.post(&path, missing.clone())
            .await?
            .expect(StatusCode::NOT_FOUND)?;
    }
    assert_eq!(
        api.get(&path).await?.expect(StatusCode::OK)?.items()?.len(),
        1,
        "a refusal wrote"
    );

    // Not another organization's, nor another tenant's.
    let elsewhere = format!(
        "/api/v2/organizations/{}/invitations/{id}",
        other_org.str("id")?
    );
    api.get(&elsewhere).await?.expect(StatusCode::NOT_FOUND)?;
    api.delete(&elsewhere)
        .await?
        .expect(StatusCode::NOT_FOUND)?;
    let other = api.other_tenant_token().await?;
    api.call(Method::GET, &format!("{path}/{id}"), Some(&other), None)
        .await?
        .expect(StatusCode::NOT_FOUND)?;

    api.delete(&format!("{path}/{id}"))
        .await?
        .expect(StatusCode::NO_CONTENT)?;
    api.get(&format!("{path}/{id}"))
        .await?
        .expect(StatusCode::NOT_FOUND)?;
    Ok(())
}

/// A client grant associated with organizations: listed under each (with Auth0's filters),
/// its organizations listed under it, removed from one; unknown ids and another tenant's are
/// 404, and the association never shows in the grant itself.
#[tokio::test]
async fn client_grants_are_associated_with_organizations() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let org = api
        .post("/api/v2/organizations", json!({"name": "acme"}))
        .await?
        .expect(StatusCode::CREATED)?;
    let org_id = org.str("id")?.to_owned();
    let api_server = api
        .post(
            "/api/v2/resource-servers",
            json!({"name": "Docs", "identifier": "https://docs.example/", "scopes": [{"value": "read:docs"}]}),
        )
        .await?
        .expect(StatusCode::CREATED)?;
    let audience = api_server.str("identifier")?.to_owned();
    let client = api
        .post(
            "/api/v2/clients",
            json!({"name": "Worker", "app_type": "non_interactive"}),
        )
        .await?
        .expect(StatusCode::CREATED)?;
    let grant = api
        .post(
            "/api/v2/client-grants",
            json!({"client_id": client.str("client_id")?, "audience": audience, "scope": ["read:docs"], "organization_usage": "allow"}),
        )
        .await?
        .expect(StatusCode::CREATED)?;
    let grant_id = grant.str("id")?.to_owned();
    let path = format!("/api/v2/organizations/{org_id}/client-grants");
    assert!(
        api.get(&path)
            .await?
            .expect(StatusCode::OK)?
            .items()?
            .is_empty()
    );
    let associated = api
        .post(&path, json!({"grant_id": grant_id}))
        .await?
        .expect(StatusCode::CREATED)?;
    assert_eq!(associated.body["id"], grant_id.as_str());
    assert!(
        associated.body.get("organization_ids").is_none(),
        "{}",
        associated.body
    );
    // Twice is once.
    api.post(&path, json!({"grant_id": grant_id}))
        .await?
        .expect(StatusCode::CREATED)?;
    let listed = api.get(&path).await?.expect(StatusCode::OK)?;
    assert_eq!(listed.items()?.len(), 1);
    let by_audience = api
        .get(&format!("{path}?audience=https%3A%2F%2Fother.example%2F"))
        .await?
        .expect(StatusCode::OK)?;
    assert!(by_audience.items()?.is_empty());
    let by_id = api
        .get(&format!("{path}?grant_ids={grant_id}&include_totals=true"))
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(
        by_id.body["client_grants"].as_array().map(Vec::len),
        Some(1)
    );
    // Auth0's SDK sends an array as the parameter repeated.
    let repeated = api
        .get(&format!("{path}?grant_ids=cgr_other&grant_ids={grant_id}"))
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(repeated.items()?.len(), 1);
    let neither = api
        .get(&format!("{path}?grant_ids=cgr_other&grant_ids=cgr_another"))
        .await?
        .expect(StatusCode::OK)?;
    assert!(neither.items()?.is_empty());
    let organizations = api
        .get(&format!("/api/v2/client-grants/{grant_id}/organizations"))
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(organizations.items()?[0]["id"], org_id.as_str());
    let shown = api
        .get(&format!(
            "/api/v2/client-grants?client_id={}",
            client.str("client_id")?
        ))
        .await?
        .expect(StatusCode::OK)?;
    assert!(shown.items()?[0].get("organization_ids").is_none());

    for (body, status) in [
        (json!({}), StatusCode::BAD_REQUEST),
        (
            json!({"grant_id": grant_id, "extra": 1}),
            StatusCode::BAD_REQUEST,
        ),
        (json!({"grant_id": "cgr_nope"}), StatusCode::NOT_FOUND),
    ] {
        api.post(&path, body).await?.expect(status)?;
    }
    api.post(
        "/api/v2/organizations/org_nope/client-grants",
        json!({"grant_id": grant_id}),
    )
    .await?
    .expect(StatusCode::NOT_FOUND)?;
    let other = api.other_tenant_token().await?;
    api.call(Method::GET, &path, Some(&other), None)
        .await?
        .expect(StatusCode::NOT_FOUND)?;

    api.delete(&format!("{path}/{grant_id}"))
        .await?
        .expect(StatusCode::NO_CONTENT)?;
    assert!(
        api.get(&path)
            .await?
            .expect(StatusCode::OK)?
            .items()?
            .is_empty()
    );
    let none = api
        .get(&format!("/api/v2/client-grants/{grant_id}/organizations"))
        .await?
        .expect(StatusCode::OK)?;
    assert!(none.items()?.is_empty());
    Ok(())
}
