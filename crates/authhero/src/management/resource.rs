//! A Management API resource as one declaration ([`Resource`]): its path, field list, filters,
//! rules and store. From it come the five endpoints Auth0 gives most resources (list, create,
//! get, update, delete), each answering as Auth0 does: the page, 201, the resource or Auth0's
//! 404, the patched resource, and 204.

use async_trait::async_trait;
use authhero_core::ports::{Entity, Repository};
use authhero_core::{DataAdapters, Query, Timestamp};
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use schemars::JsonSchema;
use serde_json::{Map, Value};

use super::auth::Caller;
use super::body::{JsonBody, from_json};
use super::fields::{Field, check_create};
use super::listing::{ListQuery, page_reply, query_error};
use super::openapi;
use super::patch::Patch;
use super::registry::{Body, Endpoint, Reply, endpoint};
use crate::error::ApiError;
use crate::state::AppState;

/// An entity the Management API serves under `/api/v2/<path>`.
#[async_trait]
pub trait Resource: Entity + JsonSchema {
    /// Where it lives, e.g. `/client-grants`.
    const PATH: &'static str;
    /// The plural name in scopes (`read:client_grants`) and in lists with totals.
    const COLLECTION: &'static str;
    /// The `errorCode` of Auth0's 404, e.g. `inexistent_user`.
    const MISSING_CODE: &'static str;
    /// The fields a create body and a PATCH may carry.
    const FIELDS: &'static [Field];
    /// The list filters that compare a field for equality (`?audience=...`).
    const FILTERS: &'static [&'static str];
    /// The stored field holding the id, which the server picks unless a body may give it.
    const ID_FIELD: &'static str;
    /// Fields stored for the server's own use (ordering) that Auth0's shape has not; never in
    /// an answer, nor in the OpenAPI schema (`#[schemars(skip)]` on the entity).
    const HIDDEN: &'static [&'static str] = &[];

    fn repository(adapters: &DataAdapters) -> &dyn Repository<Self>;

    /// A fresh id for a new resource.
    fn new_id() -> String;

    /// Fills in what a create body left out and Auth0 derives from what it gave.
    fn complete(_body: &mut Map<String, Value>) {}

    /// Refuses (400) a resource, new or patched, that breaks a rule its fields cannot state.
    fn check(&self) -> Result<(), ApiError> {
        Ok(())
    }

    /// Refuses a resource that names others the tenant does not have: a new one, or a patched
    /// one (`stored` is what it replaces).
    async fn admit(
        &self,
        _state: &AppState,
        _tenant: &str,
        _stored: Option<&Self>,
    ) -> Result<(), ApiError> {
        Ok(())
    }

    /// What a create does besides storing the resource.
    async fn created(&self, _state: &AppState, _tenant: &str) -> Result<(), ApiError> {
        Ok(())
    }

    /// The fields a PATCH of this stored resource may change.
    fn updatable(&self) -> &'static [Field] {
        Self::FIELDS
    }

    /// Refuses to delete this stored resource.
    fn check_removal(&self) -> Result<(), ApiError> {
        Ok(())
    }

    /// False for a stored resource folded into another (a linked user), which every endpoint
    /// treats as missing.
    fn stands_alone(&self) -> bool {
        true
    }

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

/// The resource as an answer to this caller: redacted, and without the fields it keeps only for
/// the server ([`Resource::HIDDEN`]).
pub fn shown<R: Resource>(resource: R, caller: &Caller) -> Result<Value, ApiError> {
    let mut value = serde_json::to_value(resource.redacted_for(caller))
        .map_err(|error| authhero_core::Error::internal(error.to_string()))?;
    if let Value::Object(fields) = &mut value {
        for hidden in R::HIDDEN {
            fields.remove(*hidden);
        }
    }
    Ok(value)
}

/// Each resource of the page [`shown`] to this caller.
pub fn shown_page<R: Resource>(
    page: authhero_core::ListPage<R>,
    caller: &Caller,
) -> Result<authhero_core::ListPage<Value>, ApiError> {
    let items = page
        .items
        .into_iter()
        .map(|resource| shown(resource, caller))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(authhero_core::ListPage {
        items,
        total: page.total,
        next: page.next,
    })
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
        .filter(R::stands_alone)
        .ok_or_else(not_found::<R>)
}

/// `R`'s five endpoints.
pub fn crud<R: Resource>() -> Vec<Endpoint> {
    vec![
        list_endpoint::<R>(),
        create_endpoint::<R>(),
        get_endpoint::<R>(),
        update_endpoint::<R>(),
        delete_endpoint::<R>(),
    ]
}

pub fn list_endpoint<R: Resource>() -> Endpoint {
    endpoint!(Get R::PATH, scope::<R>("read"), format!("List {}", R::COLLECTION),
        list::<R>, Body::None => Reply::Ok(openapi::page_of::<R>))
    .reading(R::FILTERS)
    .paged()
}

pub fn create_endpoint<R: Resource>() -> Endpoint {
    endpoint!(Post R::PATH, scope::<R>("create"), format!("Create a {}", R::NAME),
        create::<R>, Body::Json(openapi::create_body::<R>) => Reply::Created(openapi::one::<R>))
}

pub fn get_endpoint<R: Resource>() -> Endpoint {
    endpoint!(Get format!("{}/{{id}}", R::PATH), scope::<R>("read"), format!("Get a {}", R::NAME),
        get_one::<R>, Body::None => Reply::Ok(openapi::one::<R>))
}

pub fn update_endpoint<R: Resource>() -> Endpoint {
    endpoint!(Patch format!("{}/{{id}}", R::PATH), scope::<R>("update"), format!("Update a {}", R::NAME),
        update::<R>, Body::Json(openapi::update_body::<R>) => Reply::Ok(openapi::one::<R>))
}

pub fn delete_endpoint<R: Resource>() -> Endpoint {
    endpoint!(Delete format!("{}/{{id}}", R::PATH), scope::<R>("delete"), format!("Delete a {}", R::NAME),
        remove::<R>, Body::None => Reply::NoContent)
}

/// `GET /api/v2/<path>/{id}`.
pub async fn get_one<R: Resource>(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let query = ListQuery::parse(query.as_deref(), &[])?;
    query.one(shown(
        find::<R>(&state, caller.tenant(), &id).await?,
        &caller,
    )?)
}

/// `GET /api/v2/<path>`, with the resource's filters.
pub async fn list<R: Resource>(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let query = ListQuery::parse(query.as_deref(), R::FILTERS)?;
    let mut params = query.params()?;
    params.q = R::list_filter(&query)?;
    let page = R::repository(&state.adapters)
        .list(caller.tenant(), &params)
        .await
        .map_err(query_error)?;
    page_reply(R::COLLECTION, &query, &params, shown_page(page, &caller)?)
}

/// The resource a create body describes, with the server's id and timestamps; nothing is
/// written here.
pub fn new_resource<R: Resource>(
    mut body: Map<String, Value>,
    now: Timestamp,
) -> Result<R, ApiError> {
    check_create(R::FIELDS, &body)?;
    R::complete(&mut body);
    body.entry(R::ID_FIELD)
        .or_insert_with(|| Value::String(R::new_id()));
    body.insert("created_at".into(), Value::String(now.to_iso()));
    body.insert("updated_at".into(), Value::String(now.to_iso()));
    let resource: R = from_json(Value::Object(body))?;
    resource.check()?;
    Ok(resource)
}

/// `POST /api/v2/<path>`: 201 with the stored resource.
pub async fn create<R: Resource>(
    State(state): State<AppState>,
    caller: Caller,
    body: JsonBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let tenant = caller.tenant();
    let resource: R = new_resource(body.into_object()?, state.now())?;
    resource.admit(&state, tenant, None).await?;
    let created = R::repository(&state.adapters)
        .create(tenant, resource)
        .await?;
    created.created(&state, tenant).await?;
    Ok((StatusCode::CREATED, Json(shown(created, &caller)?)))
}

/// `PATCH /api/v2/<path>/{id}`: each field given replaces the stored one (metadata merges).
pub async fn update<R: Resource>(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<Json<Value>, ApiError> {
    let tenant = caller.tenant();
    let mut body = body.into_object()?;
    let stored = find::<R>(&state, tenant, &id).await?;
    drop_unchanged_fixed(&mut body, R::FIELDS, &stored)?;
    let patched: R = Patch::checked(stored.updatable(), body)?.apply(&stored)?;
    patched.check()?;
    patched.admit(&state, tenant, Some(&stored)).await?;
    let updated = R::repository(&state.adapters)
        .update(tenant, patched)
        .await?;
    Ok(Json(shown(updated, &caller)?))
}

/// Removes fields a PATCH may not change but repeats as stored: tools send back what they read
/// (the deploy CLI PATCHes an email template with its own name).
fn drop_unchanged_fixed<R: Resource>(
    body: &mut Map<String, Value>,
    fields: &[Field],
    stored: &R,
) -> Result<(), ApiError> {
    let stored = serde_json::to_value(stored)
        .map_err(|error| authhero_core::Error::internal(error.to_string()))?;
    body.retain(|name, value| {
        let fixed = fields
            .iter()
            .any(|field| field.name == name && !field.updatable());
        // A secret is never compared: the answer would tell a guess right from wrong.
        let secret = name.contains("secret");
        !(fixed && !secret && stored.get(name) == Some(value))
    });
    Ok(())
}

/// `DELETE /api/v2/<path>/{id}`: 204 whether or not it existed, as Auth0 answers.
pub async fn remove<R: Resource>(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let repository = R::repository(&state.adapters);
    if let Some(stored) = repository.get(caller.tenant(), &id).await? {
        stored.check_removal()?;
    }
    repository.remove(caller.tenant(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
