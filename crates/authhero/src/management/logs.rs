//! `/api/v2/logs`: the tenant log, newest first unless `sort` says otherwise, searched with
//! Auth0's `q` (the SDK's `search`), e.g. `type:s` or `date:[2024-01-01 TO 2024-02-01]`.

use async_trait::async_trait;
use authhero_core::entities::{Log, User};
use authhero_core::ports::Repository;
use authhero_core::{DataAdapters, Query, Sort};
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;

use super::auth::Caller;
use super::fields::Field;
use super::listing::{ListQuery, invalid_query, page_reply, query_error};
use super::openapi;
use super::registry::{Body, Endpoint, Reply, endpoint};
use super::resource::{self, Resource, find};
use crate::error::ApiError;
use crate::random;
use crate::state::AppState;

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(Get "/logs", "read:logs", "Search log events", list,
            Body::None => Reply::Ok(openapi::page_of::<Log>))
        .reading(&["q", "search"])
        .paged(),
        resource::get_endpoint::<Log>(),
        endpoint!(Get "/users/{id}/logs", "read:logs", "List a user's log events", user_logs,
            Body::None => Reply::Ok(openapi::page_of::<Log>))
        .paged(),
    ]
}

#[async_trait]
impl Resource for Log {
    const PATH: &'static str = "/logs";
    const COLLECTION: &'static str = "logs";
    const MISSING_CODE: &'static str = "inexistent_log";
    const FILTERS: &'static [&'static str] = &[];
    const ID_FIELD: &'static str = "log_id";
    /// Logs are written by the server, never through the API.
    const FIELDS: &'static [Field] = &[];

    fn repository(adapters: &DataAdapters) -> &dyn Repository<Self> {
        adapters.logs.as_ref()
    }

    fn new_id() -> String {
        random::hex_id()
    }
}

/// `GET /api/v2/logs`.
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let query = ListQuery::parse(query.as_deref(), &["q", "search"])?;
    let searched = query
        .get("q")
        .or_else(|| query.get("search"))
        .map(Query::parse)
        .transpose()
        .map_err(invalid_query)?;
    newest_first(&state, &caller, &query, searched).await
}

/// `GET /api/v2/users/{id}/logs`: the user's events, newest first.
async fn user_logs(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    find::<User>(&state, caller.tenant(), &id).await?;
    let query = ListQuery::parse(query.as_deref(), &[])?;
    let of_user = Query::equals("user_id", id).map_err(invalid_query)?;
    newest_first(&state, &caller, &query, Some(of_user)).await
}

/// The logs `filter` finds, newest first unless the query sorts them.
async fn newest_first(
    state: &AppState,
    caller: &Caller,
    query: &ListQuery,
    filter: Option<Query>,
) -> Result<Response, ApiError> {
    let mut params = query.params()?;
    if let Some(filter) = filter {
        params = params.with_query(filter);
    }
    if query.get("sort").is_none() {
        params = params.with_sort(Sort::parse("date:-1").map_err(query_error)?);
    }
    let page = state
        .adapters
        .logs
        .list(caller.tenant(), &params)
        .await
        .map_err(query_error)?;
    page_reply(Log::COLLECTION, query, &params, page)
}
