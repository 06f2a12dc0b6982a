//! What the Management API's resources share: fetching one by id (or Auth0's 404), listing a page,
//! creating (201), patching and deleting (204), each behind its `<action>:<collection>` scope.

use authhero_core::ports::{Entity, Repository};
use authhero_core::{DataAdapters, Query};
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::auth::Caller;
use super::body::JsonBody;
use super::listing::{ListQuery, page_reply, query_error};
use super::patch::PatchRules;
use crate::error::ApiError;
use crate::state::AppState;

/// An entity the Management API serves under `/api/v2/<collection>`.
pub trait Resource: Entity {
    /// The plural name in scopes (`read:client_grants`) and in lists with totals.
    const COLLECTION: &'static str;
    /// The `errorCode` of Auth0's 404, e.g. `inexistent_user`.
    const MISSING_CODE: &'static str;
    /// The list filters that compare a field for equality (`?audience=...`).
    const FILTERS: &'static [&'static str];
    /// What a PATCH may change.
    const PATCH: PatchRules;

    fn repository(adapters: &DataAdapters) -> &dyn Repository<Self>;

    /// The resource as this caller may read it (secrets need scopes of their own).
    fn redacted_for(self, _caller: &Caller) -> Self {
        self
    }

    /// The filter a list request's parameters ask for; by default equality on each of
    /// [`Resource::FILTERS`] given.
    fn list_filter(query: &ListQuery) -> Result<Option<Query>, ApiError> {
        query.equality_filter(Self::FILTERS)
    }
}

/// The scope an action on `R` needs, e.g. `update:users`.
pub fn scope<R: Resource>(action: &str) -> String {
    format!("{action}:{}", R::COLLECTION)
}

/// Auth0's 404 for a missing resource: `The user does not exist.`, `inexistent_user`.
pub fn not_found<R: Resource>() -> ApiError {
    ApiError::not_found(format!("The {} does not exist.", R::NAME)).with_code(R::MISSING_CODE)
}

/// The stored resource, or Auth0's 404.
pub async fn find<R: Resource>(state: &AppState, tenant: &str, id: &str) -> Result<R, ApiError> {
    R::repository(&state.adapters)
        .get(tenant, id)
        .await?
        .ok_or_else(not_found::<R>)
}

/// `GET /api/v2/<collection>/{id}`.
pub async fn get_one<R: Resource>(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<serde_json::Value>, ApiError> {
    let tenant = caller.tenant_for(&scope::<R>("read"))?;
    let query = ListQuery::parse(query.as_deref(), &[])?;
    query.one(find::<R>(&state, tenant, &id).await?.redacted_for(&caller))
}

/// `GET /api/v2/<collection>`, with the resource's equality filters.
pub async fn list<R: Resource>(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let tenant = caller.tenant_for(&scope::<R>("read"))?;
    let query = ListQuery::parse(query.as_deref(), R::FILTERS)?;
    let mut params = query.params()?;
    params.q = R::list_filter(&query)?;
    let page = R::repository(&state.adapters)
        .list(tenant, &params)
        .await
        .map_err(query_error)?
        .map(|resource| resource.redacted_for(&caller));
    page_reply(R::COLLECTION, &query, &params, page)
}

/// Stores a new resource and answers 201 with it.
pub async fn create<R: Resource>(
    state: &AppState,
    tenant: &str,
    resource: R,
) -> Result<(StatusCode, Json<R>), ApiError> {
    let created = R::repository(&state.adapters)
        .create(tenant, resource)
        .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// `PATCH /api/v2/<collection>/{id}` for resources without rules of their own.
pub async fn update<R: Resource>(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<Json<R>, ApiError> {
    let tenant = caller.tenant_for(&scope::<R>("update"))?;
    let patch = R::PATCH.check(body.into_object()?)?;
    let stored = find::<R>(&state, tenant, &id).await?;
    let patched = patch.apply(&stored)?;
    let updated = R::repository(&state.adapters)
        .update(tenant, patched)
        .await?;
    Ok(Json(updated.redacted_for(&caller)))
}

/// `DELETE /api/v2/<collection>/{id}`: 204 whether or not it existed, as Auth0 answers.
pub async fn remove<R: Resource>(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let tenant = caller.tenant_for(&scope::<R>("delete"))?;
    R::repository(&state.adapters).remove(tenant, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
