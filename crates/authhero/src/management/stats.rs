//! `/api/v2/stats`: counts read from the tenant log, as Auth0 reports them: users who logged in
//! during the last 30 days, and logins and signups per day.

use std::collections::{BTreeMap, HashSet};

use authhero_core::entities::Log;
use authhero_core::query::{Bound, FieldPath, Pattern};
use authhero_core::{ListParams, Query, Timestamp};
use axum::Json;
use axum::extract::{RawQuery, State};
use serde_json::{Value, json};

use super::auth::Caller;
use super::listing::{ListQuery, invalid_query, query_error};
use super::openapi;
use super::registry::{Body, Endpoint, Reply, endpoint};
use crate::error::ApiError;
use crate::flows::logs::EventType;
use crate::paging::every_page;
use crate::state::AppState;

const ACTIVE_DAYS: i64 = 30;
const SECONDS_PER_DAY: i64 = 86_400;
/// The longest range `/stats/daily` counts.
const MAX_DAILY_DAYS: i64 = 92;

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(Get "/stats/active-users", "read:stats",
            "Count the users who logged in during the last 30 days", active_users,
            Body::None => Reply::Ok(openapi::any_json)),
        endpoint!(Get "/stats/daily", "read:stats", "Logins and signups per day", daily,
            Body::None => Reply::Ok(openapi::any_json))
        .reading(&["from", "to"]),
    ]
}

/// The log events of these types from `since` to `until` (`YYYY-MM-DD…` strings, inclusive).
async fn events(
    state: &AppState,
    tenant: &str,
    kinds: &[EventType],
    since: String,
    until: Option<String>,
) -> Result<Vec<Log>, ApiError> {
    let type_field = FieldPath::parse("type").map_err(invalid_query)?;
    let of_kind = Query::Or(
        kinds
            .iter()
            .map(|kind| Query::Match {
                field: Some(type_field.clone()),
                pattern: Pattern::Exact(kind.code().to_owned()),
            })
            .collect(),
    );
    let in_range = Query::Range {
        field: FieldPath::parse("date").map_err(invalid_query)?,
        lower: Bound::Included(since),
        upper: until.map_or(Bound::Unbounded, Bound::Included),
    };
    let filter = Query::And(vec![of_kind, in_range]);
    let filter = &filter;
    let logs = &state.adapters.logs;
    every_page::<_, ApiError, _, _>(|page| async move {
        let params = ListParams {
            q: Some(filter.clone()),
            ..page
        };
        Ok(logs.list(tenant, &params).await.map_err(query_error)?.items)
    })
    .await
}

/// `GET /api/v2/stats/active-users`: a bare number.
async fn active_users(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<usize>, ApiError> {
    let since = state.now().plus_seconds(-ACTIVE_DAYS * SECONDS_PER_DAY);
    let logins = events(
        &state,
        caller.tenant(),
        &[EventType::SuccessLogin],
        since.to_iso(),
        None,
    )
    .await?;
    let users: HashSet<&str> = logins
        .iter()
        .filter_map(|log| log.user_id.as_deref())
        .collect();
    Ok(Json(users.len()))
}

/// `YYYY-MM-DD`, the day of `at`.
fn date_of(at: Timestamp) -> String {
    at.to_iso().chars().take(10).collect()
}

/// A `YYYYMMDD` parameter as the ISO date it names.
fn day(query: &ListQuery, name: &str) -> Result<Option<String>, ApiError> {
    let Some(text) = query.get(name) else {
        return Ok(None);
    };
    let refused = || invalid_query(format!("{name} must be a date as YYYYMMDD"));
    let (Some(year), Some(month), Some(day)) = (text.get(..4), text.get(4..6), text.get(6..))
    else {
        return Err(refused());
    };
    let iso = format!("{year}-{month}-{day}");
    let digits = text.len() == 8 && text.chars().all(|c| c.is_ascii_digit());
    if !digits || Timestamp::parse(&format!("{iso}T00:00:00Z")).is_none() {
        return Err(refused());
    }
    Ok(Some(iso))
}

/// `GET /api/v2/stats/daily?from=YYYYMMDD&to=YYYYMMDD`: one entry per day with events.
async fn daily(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> Result<Json<Vec<Value>>, ApiError> {
    let query = ListQuery::parse(query.as_deref(), &["from", "to"])?;
    let from = day(&query, "from")?;
    let to = day(&query, "to")?;
    let since = from.unwrap_or_else(|| {
        let start = state.now().plus_seconds(-ACTIVE_DAYS * SECONDS_PER_DAY);
        date_of(start)
    });
    let until = to.map(|to| format!("{to}T23:59:59.999Z"));
    // Counting reads the range's events, so a range is bounded.
    let start = Timestamp::parse(&format!("{since}T00:00:00Z"));
    let end = until
        .as_deref()
        .and_then(Timestamp::parse)
        .unwrap_or(state.now());
    let span = start.map_or(i64::MAX, |start| end.unix_seconds() - start.unix_seconds());
    if span > MAX_DAILY_DAYS * SECONDS_PER_DAY {
        return Err(invalid_query(format!(
            "from and to may be at most {MAX_DAILY_DAYS} days apart"
        )));
    }
    let kinds = [EventType::SuccessLogin, EventType::SuccessSignup];
    let logs = events(&state, caller.tenant(), &kinds, since, until).await?;
    let mut days: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for log in &logs {
        let date = date_of(log.date);
        let counts = days.entry(date).or_default();
        if log.kind == EventType::SuccessLogin.code() {
            counts.0 += 1;
        } else {
            counts.1 += 1;
        }
    }
    let now = state.now().to_iso();
    Ok(Json(
        days.into_iter()
            .map(|(date, (logins, signups))| {
                json!({
                    "date": format!("{date}T00:00:00.000Z"),
                    "logins": logins,
                    "signups": signups,
                    "leaked_passwords": 0,
                    "updated_at": now,
                    "created_at": now,
                })
            })
            .collect(),
    ))
}
