//! `/api/v2/logs`: the tenant log, newest first unless `sort` says otherwise, searched with
//! Auth0's `q` (the SDK's `search`), e.g. `type:s` or `date:[2024-01-01 TO 2024-02-01]`.

use async_trait::async_trait;
use authhero_core::entities::Log;
use authhero_core::ports::Repository;
use authhero_core::{DataAdapters, Query, Sort};
use axum::extract::{RawQuery, State};
use axum::response::Response;

use super::auth::Caller;
use super::fields::Field;
use super::listing::{ListQuery, invalid_query, page_reply, query_error};
use super::openapi;
use super::registry::{Body, Endpoint, Reply, endpoint};
use super::resource::{self, Resource};
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
    let mut params = query.params()?;
    if let Some(q) = query.get("q").or_else(|| query.get("search")) {
        params = params.with_query(Query::parse(q).map_err(invalid_query)?);
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
    page_reply(Log::COLLECTION, &query, &params, page)
}
