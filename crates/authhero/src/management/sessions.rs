//! Sessions, refresh tokens and consent grants: read, listed per user, and ended. A session is
//! shown without the digest of its cookie's secret; revoking one also ends the refresh tokens
//! issued in it.

use async_trait::async_trait;
use authhero_core::entities::{Grant, RefreshToken, Session, User};
use authhero_core::ports::Repository;
use authhero_core::{DataAdapters, ListParams, Query};
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::auth::Caller;
use super::fields::Field;
use super::listing::{ListQuery, invalid_query, page_reply, query_error};
use super::openapi;
use super::registry::{Body, Endpoint, Reply, endpoint};
use super::resource::{self, Resource, find};
use crate::error::ApiError;
use crate::flows::sessions as session_flows;
use crate::paging::every_page;
use crate::random;
use crate::state::AppState;

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        resource::get_endpoint::<Session>(),
        resource::delete_endpoint::<Session>(),
        endpoint!(Post "/sessions/{id}/revoke", "delete:sessions",
            "Revoke a session and its refresh tokens", revoke_session,
            Body::None => Reply::Accepted),
        endpoint!(Get "/users/{id}/sessions", "read:sessions", "List a user's sessions",
            user_sessions, Body::None => Reply::Ok(openapi::page_of::<Session>))
        .paged(),
        endpoint!(Delete "/users/{id}/sessions", "delete:sessions", "End a user's sessions",
            end_user_sessions, Body::None => Reply::NoContent),
        resource::get_endpoint::<RefreshToken>(),
        resource::delete_endpoint::<RefreshToken>(),
        endpoint!(Get "/users/{id}/refresh-tokens", "read:refresh_tokens",
            "List a user's refresh tokens", user_refresh_tokens,
            Body::None => Reply::Ok(openapi::page_of::<RefreshToken>))
        .paged(),
        endpoint!(Delete "/users/{id}/refresh-tokens", "delete:refresh_tokens",
            "Revoke a user's refresh tokens", revoke_user_refresh_tokens,
            Body::None => Reply::NoContent),
        resource::list_endpoint::<Grant>(),
        resource::delete_endpoint::<Grant>(),
        endpoint!(Delete "/grants", "delete:grants", "Delete a user's grants",
            remove_user_grants, Body::None => Reply::NoContent)
        .reading(&["user_id"]),
    ]
}

#[async_trait]
impl Resource for Session {
    const PATH: &'static str = "/sessions";
    const COLLECTION: &'static str = "sessions";
    const MISSING_CODE: &'static str = "inexistent_session";
    const FILTERS: &'static [&'static str] = &[];
    const ID_FIELD: &'static str = "id";
    /// Sessions are made by logging in, never through the API.
    const FIELDS: &'static [Field] = &[];

    fn repository(adapters: &DataAdapters) -> &dyn Repository<Self> {
        adapters.sessions.as_ref()
    }

    fn new_id() -> String {
        random::token(16)
    }

    fn redacted_for(mut self, _caller: &Caller) -> Self {
        self.secret_hash = None;
        self
    }
}

#[async_trait]
impl Resource for RefreshToken {
    const PATH: &'static str = "/refresh-tokens";
    const COLLECTION: &'static str = "refresh_tokens";
    const MISSING_CODE: &'static str = "inexistent_refresh_token";
    const FILTERS: &'static [&'static str] = &[];
    const ID_FIELD: &'static str = "id";
    /// Refresh tokens are issued by the Auth API, never through the Management API.
    const FIELDS: &'static [Field] = &[];

    fn repository(adapters: &DataAdapters) -> &dyn Repository<Self> {
        adapters.refresh_tokens.as_ref()
    }

    fn new_id() -> String {
        random::token(16)
    }
}

#[async_trait]
impl Resource for Grant {
    const PATH: &'static str = "/grants";
    const COLLECTION: &'static str = "grants";
    const MISSING_CODE: &'static str = "inexistent_grant";
    const FILTERS: &'static [&'static str] = &["user_id", "client_id", "audience"];
    const ID_FIELD: &'static str = "id";
    /// Grants are given by users at consent, never through the API.
    const FIELDS: &'static [Field] = &[];

    fn repository(adapters: &DataAdapters) -> &dyn Repository<Self> {
        adapters.grants.as_ref()
    }

    fn new_id() -> String {
        random::id("gr")
    }

    /// `client_id` filters the stored `clientID`, Auth0's spelling in this resource.
    fn list_filter(query: &ListQuery) -> Result<Option<Query>, ApiError> {
        let mut clauses = Vec::new();
        for (parameter, field) in [
            ("user_id", "user_id"),
            ("client_id", "clientID"),
            ("audience", "audience"),
        ] {
            if let Some(value) = query.get(parameter) {
                clauses.push(Query::equals(field, value).map_err(invalid_query)?);
            }
        }
        Ok(match clauses.len() {
            0 => None,
            1 => clauses.pop(),
            _ => Some(Query::And(clauses)),
        })
    }
}

/// The user's things of one kind, a checkpoint page at a time as Auth0 lists them
/// (`{<collection>: [...], next}`).
async fn of_user<R: Resource>(
    state: &AppState,
    caller: &Caller,
    user_id: &str,
    raw: Option<&str>,
    collection: &'static str,
) -> Result<Response, ApiError> {
    let tenant = caller.tenant();
    find::<User>(state, tenant, user_id).await?;
    let query = ListQuery::parse(raw, &[])?;
    let requested = query.params()?;
    let params = match requested.pagination {
        authhero_core::Pagination::Checkpoint(_) => requested,
        authhero_core::Pagination::Offset { per_page, .. } => {
            ListParams::checkpoint(None, per_page).map_err(query_error)?
        }
    }
    .with_query(Query::equals("user_id", user_id).map_err(invalid_query)?);
    let page = R::repository(&state.adapters)
        .list(tenant, &params)
        .await
        .map_err(query_error)?
        .map(|item| item.redacted_for(caller));
    page_reply(collection, &query, &params, page)
}

async fn user_sessions(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    of_user::<Session>(&state, &caller, &id, query.as_deref(), "sessions").await
}

async fn user_refresh_tokens(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    of_user::<RefreshToken>(&state, &caller, &id, query.as_deref(), "tokens").await
}

/// `POST /api/v2/sessions/{id}/revoke`: the session and the refresh tokens issued in it end.
async fn revoke_session(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let tenant = caller.tenant();
    let session = find::<Session>(&state, tenant, &id).await?;
    let in_session = ListParams::default()
        .with_query(Query::equals("session_id", &session.id).map_err(invalid_query)?);
    remove_every::<RefreshToken>(&state, tenant, in_session).await?;
    state.adapters.sessions.remove(tenant, &session.id).await?;
    Ok(StatusCode::ACCEPTED)
}

async fn end_user_sessions(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let tenant = caller.tenant();
    find::<User>(&state, tenant, &id).await?;
    session_flows::end_all(&state, tenant, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn revoke_user_refresh_tokens(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let tenant = caller.tenant();
    find::<User>(&state, tenant, &id).await?;
    let of_user =
        ListParams::default().with_query(Query::equals("user_id", &id).map_err(invalid_query)?);
    remove_every::<RefreshToken>(&state, tenant, of_user).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /api/v2/grants?user_id=`: every grant of the user.
async fn remove_user_grants(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> Result<StatusCode, ApiError> {
    let query = ListQuery::parse(query.as_deref(), &["user_id"])?;
    let user_id = query
        .get("user_id")
        .ok_or_else(|| invalid_query("Missing required property: user_id"))?;
    let of_user =
        ListParams::default().with_query(Query::equals("user_id", user_id).map_err(invalid_query)?);
    remove_every::<Grant>(&state, caller.tenant(), of_user).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes everything `filter` finds, listed first so removal cannot skip a page.
async fn remove_every<R: Resource>(
    state: &AppState,
    tenant: &str,
    filter: ListParams,
) -> Result<(), ApiError> {
    let repository = R::repository(&state.adapters);
    let filter = &filter;
    let found = every_page::<_, ApiError, _, _>(|params| async move {
        let params = ListParams {
            q: filter.q.clone(),
            ..params
        };
        Ok(repository
            .list(tenant, &params)
            .await
            .map_err(query_error)?
            .items)
    })
    .await?;
    for item in found {
        repository.remove(tenant, item.id()).await?;
    }
    Ok(())
}
