//! A user's accounts and enrolments: linking (a linked user logs in as its primary and leaves
//! every list; unlinked, it stands alone again), authentication methods with the multifactor
//! and recovery-code endpoints, and the refusals and tenant isolation of each.

use anyhow::{Context, ensure};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};

use super::{Api, PASSWORD, password_client, user_path};
use crate::support::claims;

/// The `sub` of the access token a password login as `username` gets.
async fn logged_in_subject(
    api: &Api,
    (client_id, secret): &(String, String),
    username: &str,
) -> anyhow::Result<String> {
    let form = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "password")
        .append_pair("client_id", client_id)
        .append_pair("client_secret", secret)
        .append_pair("username", username)
        .append_pair("password", PASSWORD)
        .finish();
    let request = Request::post("/oauth/token")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form))?;
    let reply = api.send(request).await?.expect(StatusCode::OK)?;
    let token = claims(reply.str("access_token")?)?;
    Ok(token["sub"].as_str().context("sub")?.to_owned())
}

/// The id part of `auth0|<id>`.
fn id_part(user_id: &str) -> &str {
    user_id.split_once('|').map_or(user_id, |(_, id)| id)
}

fn identities_path(user_id: &str) -> String {
    format!("{}/identities", user_path(user_id))
}

#[tokio::test]
async fn a_linked_user_logs_in_as_its_primary_until_unlinked() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let client = password_client(&api).await?;
    let primary = api
        .create_user("primary@example.com", json!({"plan": "gold"}))
        .await?
        .expect(StatusCode::CREATED)?;
    let primary_id = primary.str("user_id")?.to_owned();
    let secondary = api
        .create_user("secondary@example.com", json!({"lost": true}))
        .await?
        .expect(StatusCode::CREATED)?;
    let secondary_id = secondary.str("user_id")?.to_owned();
    let users_before = api.total("/api/v2/users").await?;

    let linked = api
        .post(
            &identities_path(&primary_id),
            json!({"provider": "auth0", "user_id": id_part(&secondary_id)}),
        )
        .await?
        .expect(StatusCode::CREATED)?;
    let identities = linked.items()?;
    ensure!(identities.len() == 2, "{}", linked.body);
    ensure!(identities[0]["user_id"] == id_part(&primary_id));
    ensure!(identities[1]["user_id"] == id_part(&secondary_id));
    ensure!(identities[1]["profileData"]["email"] == "secondary@example.com");

    // The secondary is part of the primary now: gone from every look-up and list.
    api.get(&user_path(&secondary_id))
        .await?
        .expect_error(StatusCode::NOT_FOUND, Some("inexistent_user"))?;
    let search = api
        .get("/api/v2/users?q=email:%22secondary@example.com%22")
        .await?
        .expect(StatusCode::OK)?;
    ensure!(search.items()?.is_empty(), "{}", search.body);
    let by_email = api
        .get("/api/v2/users-by-email?email=secondary@example.com")
        .await?
        .expect(StatusCode::OK)?;
    ensure!(by_email.items()?.is_empty(), "{}", by_email.body);
    ensure!(api.total("/api/v2/users").await? == users_before - 1);
    let shown = api
        .get(&user_path(&primary_id))
        .await?
        .expect(StatusCode::OK)?;
    ensure!(shown.body["identities"].as_array().map(Vec::len) == Some(2));
    ensure!(shown.body.get("linked_to").is_none(), "{}", shown.body);

    // Its own email and password still log in, as the primary.
    let subject = logged_in_subject(&api, &client, "secondary@example.com").await?;
    ensure!(subject == primary_id, "logged in as {subject}");
    ensure!(logged_in_subject(&api, &client, "primary@example.com").await? == primary_id);

    let unlinked = api
        .delete(&format!(
            "{}/auth0/{}",
            identities_path(&primary_id),
            id_part(&secondary_id)
        ))
        .await?
        .expect(StatusCode::OK)?;
    ensure!(unlinked.items()?.len() == 1, "{}", unlinked.body);
    let alone = api
        .get(&user_path(&secondary_id))
        .await?
        .expect(StatusCode::OK)?;
    // Auth0 recreates an unlinked account without metadata.
    ensure!(alone.body["app_metadata"] == json!({}), "{}", alone.body);
    ensure!(logged_in_subject(&api, &client, "secondary@example.com").await? == secondary_id);
    ensure!(api.total("/api/v2/users").await? == users_before);
    Ok(())
}

#[tokio::test]
async fn refused_links_write_nothing() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let primary_id = api
        .create_user("one@example.com", json!({}))
        .await?
        .expect(StatusCode::CREATED)?
        .str("user_id")?
        .to_owned();
    let other_id = api
        .create_user("two@example.com", json!({}))
        .await?
        .expect(StatusCode::CREATED)?
        .str("user_id")?
        .to_owned();
    let path = identities_path(&primary_id);
    for (body, status, code) in [
        (
            json!({"provider": "auth0", "user_id": id_part(&primary_id)}),
            StatusCode::BAD_REQUEST,
            Some("invalid_body"),
        ),
        (
            json!({"provider": "auth0", "user_id": "nobody"}),
            StatusCode::BAD_REQUEST,
            Some("invalid_body"),
        ),
        (
            json!({"provider": "auth0"}),
            StatusCode::BAD_REQUEST,
            Some("invalid_body"),
        ),
        (
            json!({"link_with": "not-a-jwt"}),
            StatusCode::BAD_REQUEST,
            Some("invalid_body"),
        ),
        (
            json!({"provider": "auth0", "user_id": id_part(&other_id), "extra": 1}),
            StatusCode::BAD_REQUEST,
            Some("invalid_body"),
        ),
        (
            json!({"provider": "auth0", "user_id": id_part(&other_id), "connection_id": "con_none"}),
            StatusCode::BAD_REQUEST,
            Some("inexistent_connection"),
        ),
    ] {
        api.post(&path, body).await?.expect_error(status, code)?;
    }
    api.post(
        &identities_path("auth0|nobody"),
        json!({"provider": "auth0", "user_id": id_part(&other_id)}),
    )
    .await?
    .expect_error(StatusCode::NOT_FOUND, Some("inexistent_user"))?;
    // The primary's own identity cannot go, nor one it does not have.
    api.delete(&format!("{path}/auth0/{}", id_part(&primary_id)))
        .await?
        .expect_error(StatusCode::BAD_REQUEST, Some("invalid_body"))?;
    api.delete(&format!("{path}/auth0/{}", id_part(&other_id)))
        .await?
        .expect_error(StatusCode::BAD_REQUEST, Some("invalid_body"))?;
    // Another tenant's admin cannot link this tenant's users: they are unknown ids there.
    let other_tenant = api.other_tenant_token().await?;
    api.call(
        Method::POST,
        &path,
        Some(&other_tenant),
        Some(json!({"provider": "auth0", "user_id": id_part(&other_id)}).to_string()),
    )
    .await?
    .expect_error(StatusCode::NOT_FOUND, Some("inexistent_user"))?;

    let primary = api
        .get(&user_path(&primary_id))
        .await?
        .expect(StatusCode::OK)?;
    ensure!(primary.body["identities"].as_array().map(Vec::len) == Some(1));
    api.get(&user_path(&other_id))
        .await?
        .expect(StatusCode::OK)?;
    Ok(())
}

#[tokio::test]
async fn deleting_a_primary_deletes_the_users_linked_into_it() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let primary_id = api
        .create_user("keeper@example.com", json!({}))
        .await?
        .expect(StatusCode::CREATED)?
        .str("user_id")?
        .to_owned();
    let secondary_id = api
        .create_user("kept@example.com", json!({}))
        .await?
        .expect(StatusCode::CREATED)?
        .str("user_id")?
        .to_owned();
    api.post(
        &identities_path(&primary_id),
        json!({"provider": "auth0", "user_id": secondary_id}),
    )
    .await?
    .expect(StatusCode::CREATED)?;
    // An identity may be named whole (`auth0|<id>`) to unlink it, as Auth0 allows; then link
    // it again.
    let whole: String = url::form_urlencoded::byte_serialize(secondary_id.as_bytes()).collect();
    api.delete(&format!("{}/auth0/{whole}", identities_path(&primary_id)))
        .await?
        .expect(StatusCode::OK)?;
    api.get(&user_path(&secondary_id))
        .await?
        .expect(StatusCode::OK)?;
    api.post(
        &identities_path(&primary_id),
        json!({"provider": "auth0", "user_id": secondary_id}),
    )
    .await?
    .expect(StatusCode::CREATED)?;
    // The secondary alone is part of its primary, so deleting it by id deletes nothing.
    api.delete(&user_path(&secondary_id))
        .await?
        .expect(StatusCode::NO_CONTENT)?;
    ensure!(
        api.adapters
            .users
            .get(&api.tenant, &secondary_id)
            .await?
            .is_some()
    );
    api.delete(&user_path(&primary_id))
        .await?
        .expect(StatusCode::NO_CONTENT)?;
    ensure!(
        api.adapters
            .users
            .get(&api.tenant, &primary_id)
            .await?
            .is_none()
    );
    ensure!(
        api.adapters
            .users
            .get(&api.tenant, &secondary_id)
            .await?
            .is_none()
    );
    Ok(())
}

fn methods_path(user_id: &str) -> String {
    format!("{}/authentication-methods", user_path(user_id))
}

/// `path` with the `|` of a method id escaped.
fn method_path(user_id: &str, method_id: &str) -> String {
    let escaped: String = url::form_urlencoded::byte_serialize(method_id.as_bytes()).collect();
    format!("{}/{escaped}", methods_path(user_id))
}

#[tokio::test]
async fn authentication_methods_round_trip() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let user_id = api
        .create_user("mfa@example.com", json!({}))
        .await?
        .expect(StatusCode::CREATED)?
        .str("user_id")?
        .to_owned();
    let path = methods_path(&user_id);
    let totp = api
        .post(
            &path,
            json!({"type": "totp", "name": "Phone app", "totp_secret": "JBSWY3DPEHPK3PXPJBSWY3DP"}),
        )
        .await?
        .expect(StatusCode::CREATED)?;
    ensure!(
        totp.body["type"] == "totp" && totp.body["confirmed"] == true,
        "{}",
        totp.body
    );
    ensure!(totp.body["totp_secret"] == "JBSWY3DPEHPK3PXPJBSWY3DP");
    let totp_id = totp.str("id")?.to_owned();
    let phone = api
        .post(
            &path,
            json!({"type": "phone", "phone_number": "+14155550100", "preferred_authentication_method": "sms"}),
        )
        .await?
        .expect(StatusCode::CREATED)?;
    let phone_id = phone.str("id")?.to_owned();

    let listed = api.get(&path).await?.expect(StatusCode::OK)?;
    ensure!(listed.items()?.len() == 2, "{}", listed.body);
    // The secret is shown once, when created.
    ensure!(
        listed
            .items()?
            .iter()
            .all(|method| method.get("totp_secret").is_none() && method.get("user_id").is_none()),
        "{}",
        listed.body
    );
    let paged = api
        .get(&format!("{path}?include_totals=true&per_page=1"))
        .await?
        .expect(StatusCode::OK)?;
    ensure!(paged.body["total"] == 2, "{}", paged.body);
    ensure!(paged.body["authenticators"].as_array().map(Vec::len) == Some(1));

    let renamed = api
        .patch(
            &method_path(&user_id, &phone_id),
            json!({"name": "Work phone", "preferred_authentication_method": "voice"}),
        )
        .await?
        .expect(StatusCode::OK)?;
    ensure!(renamed.body["name"] == "Work phone");
    ensure!(renamed.body["preferred_authentication_method"] == "voice");
    let one = api
        .get(&method_path(&user_id, &phone_id))
        .await?
        .expect(StatusCode::OK)?;
    ensure!(one.body["phone_number"] == "+14155550100", "{}", one.body);

    // Google Authenticator is the TOTP enrolment; the phone stays.
    api.delete(&format!(
        "{}/multifactor/google-authenticator",
        user_path(&user_id)
    ))
    .await?
    .expect(StatusCode::NO_CONTENT)?;
    api.get(&method_path(&user_id, &totp_id))
        .await?
        .expect_error(
            StatusCode::NOT_FOUND,
            Some("inexistent_authentication_method"),
        )?;

    let code = api
        .post(
            &format!("{}/recovery-code-regeneration", user_path(&user_id)),
            json!({}),
        )
        .await?
        .expect(StatusCode::OK)?;
    let first = code.str("recovery_code")?.to_owned();
    ensure!(first.len() == 24, "{first}");
    let again = api
        .post(
            &format!("{}/recovery-code-regeneration", user_path(&user_id)),
            json!({}),
        )
        .await?
        .expect(StatusCode::OK)?;
    ensure!(again.str("recovery_code")? != first);
    let listed = api.get(&path).await?.expect(StatusCode::OK)?;
    let kinds: Vec<&Value> = listed
        .items()?
        .iter()
        .map(|method| &method["type"])
        .collect();
    ensure!(
        kinds.len() == 2 && kinds.contains(&&json!("recovery-code")),
        "{}",
        listed.body
    );
    ensure!(!listed.body.to_string().contains(&first), "{}", listed.body);

    let replaced = api
        .put(
            &path,
            json!([{"type": "email", "email": "Second@Example.com"}]),
        )
        .await?
        .expect(StatusCode::OK)?;
    ensure!(replaced.items()?.len() == 1, "{}", replaced.body);
    ensure!(api.get(&path).await?.items()?.len() == 1);
    api.delete(&path).await?.expect(StatusCode::NO_CONTENT)?;
    ensure!(api.get(&path).await?.items()?.is_empty());
    api.post(
        &format!(
            "{}/multifactor/actions/invalidate-remember-browser",
            user_path(&user_id)
        ),
        json!({}),
    )
    .await?
    .expect(StatusCode::NO_CONTENT)?;
    Ok(())
}

#[tokio::test]
async fn bad_authentication_methods_are_400s_that_write_nothing() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let user_id = api
        .create_user("strict@example.com", json!({}))
        .await?
        .expect(StatusCode::CREATED)?
        .str("user_id")?
        .to_owned();
    let path = methods_path(&user_id);
    for body in [
        json!({}),
        json!({"type": "sms"}),
        json!({"type": "recovery-code"}),
        json!({"type": "phone"}),
        json!({"type": "phone", "phone_number": "4155550100"}),
        json!({"type": "phone", "phone_number": "+14155550100", "email": "a@b.co"}),
        json!({"type": "email", "email": "not an email"}),
        json!({"type": "totp", "totp_secret": "short"}),
        json!({"type": "totp", "totp_secret": "not-base32-not-base32!"}),
        json!({"type": "webauthn-roaming", "key_id": "k"}),
        json!({"type": "totp", "totp_secret": "JBSWY3DPEHPK3PXP", "name": "x".repeat(256)}),
        json!({"type": "totp", "totp_secret": "JBSWY3DPEHPK3PXP", "unknown": 1}),
        json!([]),
    ] {
        api.post(&path, body.clone())
            .await?
            .expect(StatusCode::BAD_REQUEST)
            .with_context(|| format!("{body}"))?;
    }
    // One bad item in a PUT refuses the whole list, and the methods stay as they were.
    api.post(&path, json!({"type": "email", "email": "kept@example.com"}))
        .await?
        .expect(StatusCode::CREATED)?;
    api.put(
        &path,
        json!([{"type": "email", "email": "new@example.com"}, {"type": "passkey"}]),
    )
    .await?
    .expect(StatusCode::BAD_REQUEST)?;
    let listed = api.get(&path).await?.expect(StatusCode::OK)?;
    ensure!(listed.items()?.len() == 1 && listed.items()?[0]["email"] == "kept@example.com");
    api.delete(&format!("{}/multifactor/sms", user_path(&user_id)))
        .await?
        .expect(StatusCode::BAD_REQUEST)?;
    api.get(&methods_path("auth0|nobody"))
        .await?
        .expect_error(StatusCode::NOT_FOUND, Some("inexistent_user"))?;

    // Another tenant sees neither the user nor its methods.
    let other_tenant = api.other_tenant_token().await?;
    let method_id = listed.items()?[0]["id"].as_str().context("id")?.to_owned();
    for (method, uri) in [
        (Method::GET, path.clone()),
        (Method::GET, method_path(&user_id, &method_id)),
        (Method::DELETE, method_path(&user_id, &method_id)),
        (Method::DELETE, path.clone()),
    ] {
        api.call(method, &uri, Some(&other_tenant), None)
            .await?
            .expect(StatusCode::NOT_FOUND)?;
    }
    ensure!(api.get(&path).await?.items()?.len() == 1);
    Ok(())
}

/// A refresh token the secondary got before it was linked now gets the primary's tokens.
#[tokio::test]
async fn a_linked_users_refresh_token_refreshes_as_the_primary() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let client = api
        .post(
            "/api/v2/clients",
            json!({"name": "Refresher", "app_type": "regular_web", "grant_types": ["password", "refresh_token"]}),
        )
        .await?
        .expect(StatusCode::CREATED)?;
    let (client_id, secret) = (
        client.str("client_id")?.to_owned(),
        client.str("client_secret")?.to_owned(),
    );
    let token = |form: Vec<(&str, String)>| {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        Request::post("/oauth/token")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
    };
    let primary_id = api
        .create_user("keeps@example.com", json!({}))
        .await?
        .expect(StatusCode::CREATED)?
        .str("user_id")?
        .to_owned();
    api.create_user("joins@example.com", json!({}))
        .await?
        .expect(StatusCode::CREATED)?;
    let login = api
        .send(token(vec![
            ("grant_type", "password".into()),
            ("client_id", client_id.clone()),
            ("client_secret", secret.clone()),
            ("username", "joins@example.com".into()),
            ("password", PASSWORD.into()),
            ("scope", "openid offline_access".into()),
        ])?)
        .await?
        .expect(StatusCode::OK)?;
    let refresh_token = login.str("refresh_token")?.to_owned();
    let secondary_id = claims(login.str("access_token")?)?["sub"]
        .as_str()
        .context("sub")?
        .to_owned();
    api.post(
        &identities_path(&primary_id),
        json!({"provider": "auth0", "user_id": id_part(&secondary_id)}),
    )
    .await?
    .expect(StatusCode::CREATED)?;
    let refreshed = api
        .send(token(vec![
            ("grant_type", "refresh_token".into()),
            ("client_id", client_id),
            ("client_secret", secret),
            ("refresh_token", refresh_token),
        ])?)
        .await?
        .expect(StatusCode::OK)?;
    let subject = claims(refreshed.str("access_token")?)?["sub"].clone();
    ensure!(subject == primary_id.as_str(), "refreshed as {subject}");
    Ok(())
}

/// Guardian enrollments are the TOTP and phone methods, seen the older way.
#[tokio::test]
async fn guardian_enrollments_are_the_totp_and_phone_methods() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let user_id = api
        .create_user("guardian@example.com", json!({}))
        .await?
        .expect(StatusCode::CREATED)?
        .str("user_id")?
        .to_owned();
    let path = methods_path(&user_id);
    api.post(
        &path,
        json!({"type": "totp", "totp_secret": "JBSWY3DPEHPK3PXPJBSWY3DP"}),
    )
    .await?
    .expect(StatusCode::CREATED)?;
    let phone_id = api
        .post(&path, json!({"type": "phone", "phone_number": "+14155550100", "preferred_authentication_method": "voice"}))
        .await?
        .expect(StatusCode::CREATED)?
        .str("id")?
        .to_owned();
    api.post(
        &path,
        json!({"type": "email", "email": "guardian@example.com"}),
    )
    .await?
    .expect(StatusCode::CREATED)?;
    let listed = api
        .get(&format!("{}/enrollments", user_path(&user_id)))
        .await?
        .expect(StatusCode::OK)?;
    let mut kinds: Vec<(String, String)> = listed
        .items()?
        .iter()
        .map(|enrollment| {
            (
                enrollment["type"].as_str().unwrap_or_default().to_owned(),
                enrollment["auth_method"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect();
    kinds.sort();
    ensure!(
        kinds
            == [
                ("authenticator".to_owned(), "authenticator".to_owned()),
                ("sms".to_owned(), "voice".to_owned())
            ],
        "{}",
        listed.body
    );
    let escaped: String = url::form_urlencoded::byte_serialize(phone_id.as_bytes()).collect();
    let one = format!("/api/v2/guardian/enrollments/{escaped}");
    let phone = api.get(&one).await?.expect(StatusCode::OK)?;
    ensure!(
        phone.body["phone_number"] == "+14155550100",
        "{}",
        phone.body
    );
    let other_tenant = api.other_tenant_token().await?;
    api.call(Method::GET, &one, Some(&other_tenant), None)
        .await?
        .expect(StatusCode::NOT_FOUND)?;
    api.delete(&one).await?.expect(StatusCode::NO_CONTENT)?;
    api.get(&one)
        .await?
        .expect_error(StatusCode::NOT_FOUND, Some("inexistent_enrollment"))?;
    ensure!(api.get(&path).await?.items()?.len() == 2);
    Ok(())
}
