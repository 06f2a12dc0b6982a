//! The tenant log: token exchanges, logins and Management API calls each leave an event with
//! Auth0's type code, searchable with `q` and readable by id; another tenant sees none of them;
//! and a log store that fails never fails what it would have recorded.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use async_trait::async_trait;
use authhero_core::entities::Log;
use authhero_core::ports::{LogsRepository, Repository};
use authhero_core::{Error, ListPage, ListParams, Timestamp};
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::{Api, password_client, password_login};

/// The logs `q` finds, once the background writes have landed (up to two seconds).
async fn logs_matching(api: &Api, q: &str, at_least: usize) -> anyhow::Result<Vec<Value>> {
    let uri = format!(
        "/api/v2/logs?q={}",
        url::form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
    );
    for _ in 0..100 {
        let page = api.get(&uri).await?.expect(StatusCode::OK)?;
        let items = page.items()?.clone();
        if items.len() >= at_least {
            return Ok(items);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    bail!("fewer than {at_least} logs match {q}")
}

#[tokio::test]
async fn exchanges_logins_and_api_calls_are_logged() -> anyhow::Result<()> {
    let api = Api::start().await?;
    // Starting the API fetched the admin's token: a client-credentials exchange.
    let exchanges = logs_matching(&api, "type:seccft", 1).await?;
    assert_eq!(exchanges[0]["client_id"], "admin");

    let client = password_client(&api).await?;
    api.create_user("logged@example.com", json!({}))
        .await?
        .expect(StatusCode::CREATED)?;
    let good = password_login(&api, &client, "logged@example.com", super::PASSWORD).await?;
    assert_eq!(good, StatusCode::OK);
    let bad = password_login(&api, &client, "logged@example.com", "wrong").await?;
    assert_eq!(bad, StatusCode::FORBIDDEN);

    let logins = logs_matching(&api, "type:s", 1).await?;
    assert_eq!(logins[0]["user_name"], "logged@example.com");
    let user_id = logins[0]["user_id"].as_str().context("user_id")?.to_owned();
    let of_user = api
        .get(&format!("{}/logs", super::user_path(&user_id)))
        .await?
        .expect(StatusCode::OK)?;
    assert!(
        of_user
            .items()?
            .iter()
            .all(|log| log["user_id"] == user_id.as_str()),
        "{}",
        of_user.body
    );
    assert!(of_user.items()?.iter().any(|log| log["type"] == "s"));
    let active = api
        .get("/api/v2/stats/active-users")
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(active.body, 1);
    let daily = api
        .get("/api/v2/stats/daily")
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(daily.items()?.len(), 1, "{}", daily.body);
    assert!(daily.items()?[0]["logins"].as_u64() >= Some(1));
    api.get("/api/v2/stats/daily?from=2024-01-01")
        .await?
        .expect(StatusCode::BAD_REQUEST)?;
    api.get("/api/v2/stats/daily?from=19700101")
        .await?
        .expect(StatusCode::BAD_REQUEST)?;
    let empty = api
        .get("/api/v2/stats/daily?from=20200101&to=20200102")
        .await?
        .expect(StatusCode::OK)?;
    assert!(empty.items()?.is_empty());
    assert!(
        logins[0]["user_id"]
            .as_str()
            .is_some_and(|id| id.starts_with("auth0|"))
    );
    let failures = logs_matching(&api, "type:f", 1).await?;
    assert_eq!(failures[0]["user_name"], "logged@example.com");
    logs_matching(&api, "type:fepft", 1).await?;

    let calls = logs_matching(&api, "type:sapi", 2).await?;
    assert!(
        calls
            .iter()
            .any(|log| log["description"] == "Create a user"),
        "{calls:?}"
    );
    // As in Auth0, only writes are API operations: the many GETs above left none.
    assert!(
        calls
            .iter()
            .all(|log| log["details"]["request"]["method"] != "GET"),
        "{calls:?}"
    );
    // A write the token's scopes do not cover is a failed API operation.
    let (reader, secret) = api.m2m_client_with(&["read:users"]).await?;
    let token = api.token_for(&reader, &secret).await?;
    api.call(Method::GET, "/api/v2/clients", Some(&token), None)
        .await?
        .expect(StatusCode::FORBIDDEN)?;
    api.call(
        Method::POST,
        "/api/v2/clients",
        Some(&token),
        Some(json!({"name": "refused"}).to_string()),
    )
    .await?
    .expect(StatusCode::FORBIDDEN)?;
    let refused = logs_matching(&api, "type:fapi", 1).await?;
    assert_eq!(refused.len(), 1, "the refused GET was logged: {refused:?}");
    assert_eq!(refused[0]["details"]["request"]["method"], "POST");
    assert_eq!(refused[0]["client_id"], reader.as_str());
    assert_eq!(refused[0]["details"]["response"]["statusCode"], 403);

    // Newest first; one by id; totals.
    let all = api
        .get("/api/v2/logs?include_totals=true&per_page=100")
        .await?
        .expect(StatusCode::OK)?;
    let items = all.body["logs"].as_array().context("logs")?;
    let dates: Vec<&str> = items
        .iter()
        .filter_map(|log| log["date"].as_str())
        .collect();
    let mut newest_first = dates.clone();
    newest_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, newest_first);
    let id = items[0]["log_id"].as_str().context("log_id")?;
    let one = api
        .get(&format!("/api/v2/logs/{id}"))
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(one.body["log_id"], id);
    api.get("/api/v2/logs/nope")
        .await?
        .expect_error(StatusCode::NOT_FOUND, Some("inexistent_log"))?;
    api.get("/api/v2/logs?q=type:(")
        .await?
        .expect(StatusCode::BAD_REQUEST)?;

    let other = api.other_tenant_token().await?;
    let theirs = api
        .call(Method::GET, "/api/v2/logs?q=type:s", Some(&other), None)
        .await?
        .expect(StatusCode::OK)?;
    assert!(theirs.items()?.is_empty(), "{}", theirs.body);
    api.call(
        Method::GET,
        &format!("/api/v2/logs/{id}"),
        Some(&other),
        None,
    )
    .await?
    .expect(StatusCode::NOT_FOUND)?;
    Ok(())
}

/// A log store that refuses every write.
#[derive(Debug)]
struct BrokenLogs;

#[async_trait]
impl Repository<Log> for BrokenLogs {
    async fn create(&self, _: &str, _: Log) -> authhero_core::Result<Log> {
        Err(Error::unavailable_because("the log store is down"))
    }
    async fn get(&self, _: &str, _: &str) -> authhero_core::Result<Option<Log>> {
        Ok(None)
    }
    async fn list(&self, _: &str, _: &ListParams) -> authhero_core::Result<ListPage<Log>> {
        Err(Error::unavailable_because("the log store is down"))
    }
    async fn update(&self, _: &str, _: Log) -> authhero_core::Result<Log> {
        Err(Error::unavailable_because("the log store is down"))
    }
    async fn remove(&self, _: &str, _: &str) -> authhero_core::Result<bool> {
        Err(Error::unavailable_because("the log store is down"))
    }
}

#[async_trait]
impl LogsRepository for BrokenLogs {
    async fn remove_before(&self, _: &str, _: Timestamp) -> authhero_core::Result<u64> {
        Err(Error::unavailable_because("the log store is down"))
    }
}

#[tokio::test]
async fn a_failing_log_store_never_fails_a_login_or_a_call() -> anyhow::Result<()> {
    let api = Api::start_with(|adapters| adapters.logs = Arc::new(BrokenLogs)).await?;
    let client = password_client(&api).await?;
    api.create_user("unlogged@example.com", json!({}))
        .await?
        .expect(StatusCode::CREATED)?;
    let login = password_login(&api, &client, "unlogged@example.com", super::PASSWORD).await?;
    assert_eq!(login, StatusCode::OK);
    api.get("/api/v2/users").await?.expect(StatusCode::OK)?;
    Ok(())
}

/// Pruning removes every tenant's events older than the cut, and only those.
#[tokio::test]
async fn events_past_the_retention_are_pruned() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let now = Timestamp::now();
    let event = |id: &str, date: Timestamp| -> anyhow::Result<Log> {
        Ok(serde_json::from_value(
            json!({"log_id": id, "type": "s", "date": date}),
        )?)
    };
    let logs = &api.adapters.logs;
    logs.create(&api.tenant, event("old", now.plus_seconds(-40 * 86_400))?)
        .await?;
    logs.create(&api.tenant, event("recent", now.plus_seconds(-86_400))?)
        .await?;
    let removed = authhero::prune_logs(&api.adapters, now.plus_seconds(-30 * 86_400)).await?;
    assert_eq!(removed, 1);
    assert!(logs.get(&api.tenant, "old").await?.is_none());
    assert!(logs.get(&api.tenant, "recent").await?.is_some());
    Ok(())
}
