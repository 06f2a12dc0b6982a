//! Client grants associated with organizations, in Auth0's shape:
//! `/organizations/{id}/client-grants` (list, associate, remove) and
//! `/client-grants/{id}/organizations`. The association is kept on the grant
//! (`organization_ids`), so removing a grant removes its associations; an organization that is
//! gone no longer shows.

use authhero_core::entities::{ClientGrant, Organization};
use authhero_core::list::{Checkpoint, Pagination};
use authhero_core::{ListPage, ListParams};
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use serde_json::Value;

use super::auth::Caller;
use super::body::{JsonBody, from_json};
use super::listing::{ListQuery, page_in_memory, page_reply};
use super::openapi;
use super::registry::{Body, Endpoint, Reply, endpoint};
use super::resource::{find, shown, shown_page};
use crate::error::ApiError;
use crate::state::AppState;

/// The filters Auth0 documents on an organization's client grants.
const FILTERS: &[&str] = &["audience", "client_id", "grant_ids"];

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint!(Get "/organizations/{id}/client-grants", "read:organization_client_grants",
            "List an organization's client grants", list_grants,
            Body::None => Reply::Ok(openapi::page_of::<ClientGrant>))
        .reading(FILTERS)
        .paged(),
        endpoint!(Post "/organizations/{id}/client-grants", "create:organization_client_grants",
            "Associate a client grant with an organization", associate,
            Body::Json(association_body) => Reply::Created(openapi::one::<ClientGrant>)),
        endpoint!(Delete "/organizations/{id}/client-grants/{grant_id}",
            "delete:organization_client_grants",
            "Remove a client grant from an organization", dissociate,
            Body::None => Reply::NoContent),
        endpoint!(Get "/client-grants/{id}/organizations", "read:organization_client_grants",
            "List a client grant's organizations", list_organizations,
            Body::None => Reply::Ok(openapi::page_of::<Organization>))
        .paged(),
    ]
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Association {
    grant_id: String,
}

fn association_body(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "object",
        "properties": {"grant_id": {"type": "string", "minLength": 1}},
        "required": ["grant_id"],
        "additionalProperties": false,
    })
}

/// Every client grant of the tenant, a page at a time: a tenant has few.
async fn all_grants(state: &AppState, tenant: &str) -> Result<Vec<ClientGrant>, ApiError> {
    let mut grants = Vec::new();
    let mut from = None;
    loop {
        let params = ListParams {
            pagination: Pagination::Checkpoint(Checkpoint {
                from: from.take(),
                take: authhero_core::list::MAX_PAGE_SIZE,
            }),
            include_totals: false,
            sort: None,
            q: None,
        };
        let page: ListPage<ClientGrant> =
            state.adapters.client_grants.list(tenant, &params).await?;
        from = page.items.last().map(|grant| grant.id.clone());
        let more = page.next.is_some();
        grants.extend(page.items);
        if !more || from.is_none() {
            return Ok(grants);
        }
    }
}

async fn list_grants(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let tenant = caller.tenant();
    find::<Organization>(&state, tenant, &id).await?;
    let query = ListQuery::parse(query.as_deref(), FILTERS)?;
    let params = query.params()?;
    let wanted: Option<Vec<&str>> = query
        .get("grant_ids")
        .map(|ids| ids.split(',').map(str::trim).collect());
    let grants: Vec<ClientGrant> = all_grants(&state, tenant)
        .await?
        .into_iter()
        .filter(|grant| grant.organization_ids.contains(&id))
        .filter(|grant| {
            query
                .get("audience")
                .is_none_or(|audience| grant.audience == audience)
        })
        .filter(|grant| {
            query
                .get("client_id")
                .is_none_or(|client_id| grant.client_id == client_id)
        })
        .filter(|grant| {
            wanted
                .as_ref()
                .is_none_or(|ids| ids.contains(&grant.id.as_str()))
        })
        .collect();
    let page = shown_page(page_in_memory(grants, &params)?, &caller)?;
    page_reply("client_grants", &query, &params, page)
}

async fn associate(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    body: JsonBody,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let tenant = caller.tenant();
    let request: Association = from_json(Value::Object(body.into_object()?))?;
    find::<Organization>(&state, tenant, &id).await?;
    let mut grant = find::<ClientGrant>(&state, tenant, &request.grant_id).await?;
    if !grant.organization_ids.contains(&id) {
        grant.organization_ids.push(id);
        grant.updated_at = state.now();
        grant = state.adapters.client_grants.update(tenant, grant).await?;
    }
    Ok((StatusCode::CREATED, Json(shown(grant, &caller)?)))
}

async fn dissociate(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, grant_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let tenant = caller.tenant();
    find::<Organization>(&state, tenant, &id).await?;
    let mut grant = find::<ClientGrant>(&state, tenant, &grant_id).await?;
    if grant.organization_ids.contains(&id) {
        grant
            .organization_ids
            .retain(|organization| *organization != id);
        grant.updated_at = state.now();
        state.adapters.client_grants.update(tenant, grant).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

async fn list_organizations(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let tenant = caller.tenant();
    let grant = find::<ClientGrant>(&state, tenant, &id).await?;
    let query = ListQuery::parse(query.as_deref(), &[])?;
    let params = query.params()?;
    let mut organizations = Vec::with_capacity(grant.organization_ids.len());
    for organization_id in &grant.organization_ids {
        if let Some(organization) = state
            .adapters
            .organizations
            .get(tenant, organization_id)
            .await?
        {
            organizations.push(organization);
        }
    }
    let page = shown_page(page_in_memory(organizations, &params)?, &caller)?;
    page_reply("organizations", &query, &params, page)
}
