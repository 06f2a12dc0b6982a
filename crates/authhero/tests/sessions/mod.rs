//! Sessions, refresh tokens and grants through the Management API: read without secrets,
//! listed per user, revoked together, and invisible to another tenant.

use anyhow::Context;
use authhero_core::Timestamp;
use authhero_core::entities::{Grant, RefreshToken, Session, SessionClient};
use axum::http::{Method, StatusCode};
use serde_json::json;

use super::{Api, user_path};

fn session(id: &str, user_id: &str, now: Timestamp) -> Session {
    Session {
        id: id.into(),
        user_id: user_id.into(),
        created_at: now,
        updated_at: now,
        authenticated_at: now,
        last_interacted_at: now,
        expires_at: Some(now.plus_seconds(3600)),
        idle_expires_at: None,
        device: Default::default(),
        clients: vec![SessionClient {
            client_id: "admin".into(),
        }],
        authentication: Vec::new(),
        revoked_at: None,
        secret_hash: Some("digest-of-the-cookie".into()),
    }
}

fn refresh_token(id: &str, user_id: &str, session_id: &str, now: Timestamp) -> RefreshToken {
    RefreshToken {
        id: id.into(),
        family_id: id.into(),
        client_id: "admin".into(),
        user_id: user_id.into(),
        session_id: Some(session_id.into()),
        audience: None,
        scope: Some("openid offline_access".into()),
        created_at: now,
        expires_at: None,
        idle_expires_at: None,
        last_exchanged_at: None,
        auth_time: None,
        rotated_at: None,
    }
}

#[tokio::test]
async fn sessions_and_refresh_tokens_are_read_listed_and_revoked() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let user = api.create_user("sessions@example.com", json!({})).await?;
    let user_id = user.str("user_id")?.to_owned();
    let now = Timestamp::now();
    let tenant = api.tenant.clone();
    for id in ["sess-1", "sess-2"] {
        api.adapters
            .sessions
            .create(&tenant, session(id, &user_id, now))
            .await?;
    }
    api.adapters
        .refresh_tokens
        .create(&tenant, refresh_token("rt-1", &user_id, "sess-1", now))
        .await?;
    api.adapters
        .refresh_tokens
        .create(&tenant, refresh_token("rt-2", &user_id, "sess-2", now))
        .await?;

    let one = api
        .get("/api/v2/sessions/sess-1")
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(one.body["user_id"], user_id.as_str());
    assert!(one.body.get("secret_hash").is_none(), "{}", one.body);
    let listed = api
        .get(&format!("{}/sessions", user_path(&user_id)))
        .await?
        .expect(StatusCode::OK)?;
    let sessions = listed.body["sessions"].as_array().context("sessions")?;
    assert_eq!(sessions.len(), 2, "{}", listed.body);
    assert!(!listed.body.to_string().contains("digest-of-the-cookie"));
    let tokens = api
        .get(&format!("{}/refresh-tokens", user_path(&user_id)))
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(tokens.body["tokens"].as_array().map(Vec::len), Some(2));

    let other = api.other_tenant_token().await?;
    api.call(Method::GET, "/api/v2/sessions/sess-1", Some(&other), None)
        .await?
        .expect_error(StatusCode::NOT_FOUND, Some("inexistent_session"))?;
    api.call(
        Method::POST,
        "/api/v2/sessions/sess-1/revoke",
        Some(&other),
        None,
    )
    .await?
    .expect(StatusCode::NOT_FOUND)?;

    api.post("/api/v2/sessions/sess-1/revoke", json!(null))
        .await?
        .expect(StatusCode::ACCEPTED)?;
    api.get("/api/v2/sessions/sess-1")
        .await?
        .expect(StatusCode::NOT_FOUND)?;
    api.get("/api/v2/refresh-tokens/rt-1")
        .await?
        .expect(StatusCode::NOT_FOUND)?;
    api.get("/api/v2/refresh-tokens/rt-2")
        .await?
        .expect(StatusCode::OK)?;
    api.delete(&format!("{}/refresh-tokens", user_path(&user_id)))
        .await?
        .expect(StatusCode::NO_CONTENT)?;
    api.get("/api/v2/refresh-tokens/rt-2")
        .await?
        .expect(StatusCode::NOT_FOUND)?;
    api.delete(&format!("{}/sessions", user_path(&user_id)))
        .await?
        .expect(StatusCode::NO_CONTENT)?;
    api.get("/api/v2/sessions/sess-2")
        .await?
        .expect(StatusCode::NOT_FOUND)?;
    api.get("/api/v2/users/auth0%7Cnobody/sessions")
        .await?
        .expect_error(StatusCode::NOT_FOUND, Some("inexistent_user"))?;
    Ok(())
}

#[tokio::test]
async fn grants_are_listed_by_user_and_removed() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let now = Timestamp::now();
    let a = api.create_user("a@example.com", json!({})).await?;
    let a = a.str("user_id")?.to_owned();
    let b = api.create_user("b@example.com", json!({})).await?;
    let b = b.str("user_id")?.to_owned();
    let apis = ["https://one.example.com/", "https://two.example.com/"];
    for (id, user, audience) in [
        ("gr-1", &a, apis[0]),
        ("gr-2", &a, apis[1]),
        ("gr-3", &b, apis[0]),
    ] {
        api.adapters
            .grants
            .create(
                &api.tenant,
                Grant {
                    id: id.into(),
                    user_id: user.into(),
                    client_id: "admin".into(),
                    audience: audience.into(),
                    scope: vec!["read:things".into()],
                    created_at: now,
                },
            )
            .await?;
    }
    let of_a = api
        .get(&format!(
            "/api/v2/grants?user_id={}&client_id=admin",
            a.replace('|', "%7C")
        ))
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(of_a.items()?.len(), 2, "{}", of_a.body);
    assert_eq!(of_a.items()?[0]["clientID"], "admin");
    api.delete("/api/v2/grants/gr-3")
        .await?
        .expect(StatusCode::NO_CONTENT)?;
    api.delete(&format!("/api/v2/grants?user_id={}", a.replace('|', "%7C")))
        .await?
        .expect(StatusCode::NO_CONTENT)?;
    assert!(api.get("/api/v2/grants").await?.items()?.is_empty());
    api.delete("/api/v2/grants")
        .await?
        .expect(StatusCode::BAD_REQUEST)?;
    Ok(())
}
