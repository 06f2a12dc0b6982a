//! List requests and replies: Auth0's query parameters (`page`/`per_page`/`include_totals`,
//! checkpoint `from`/`take`, `sort`, `fields`/`include_fields` and each resource's filters)
//! checked into [`ListParams`], and the page sent back as a bare array, with totals as
//! `{ "<resource>": [...], start, limit, length, total }`, or by checkpoint as
//! `{ "<resource>": [...], next }`. Parameters a list does not know are ignored, as Auth0
//! ignores them.

use std::collections::HashMap;

use authhero_core::list::DEFAULT_PAGE_SIZE;
use authhero_core::{ListPage, ListParams, Pagination, Query, Sort};
use axum::Json;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::ApiError;

/// The parameters every list, and every read, understands.
const COMMON_PARAMETERS: &[&str] = &[
    "page",
    "per_page",
    "include_totals",
    "from",
    "take",
    "sort",
    "fields",
    "include_fields",
];

/// Parameters Auth0 takes as arrays, which its SDKs send repeated (`grant_ids=a&grant_ids=b`):
/// read as one comma-separated list.
const ARRAY_PARAMETERS: &[&str] = &["grant_ids"];

/// The query string of a list request or a read, each parameter given at most once (an array
/// parameter as often as it likes).
#[derive(Debug)]
pub struct ListQuery {
    parameters: HashMap<String, String>,
    fields: Option<Fields>,
}

/// Auth0's `fields` (comma-separated top-level fields) and `include_fields` (true: keep only
/// those; false: leave them out).
#[derive(Debug)]
struct Fields {
    names: Vec<String>,
    include: bool,
}

impl ListQuery {
    /// Parses `raw`: the common parameters and the resource's own; others are ignored.
    pub fn parse(raw: Option<&str>, own_parameters: &[&str]) -> Result<Self, ApiError> {
        let mut parameters: HashMap<String, String> = HashMap::new();
        for (name, value) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
            if !COMMON_PARAMETERS.contains(&name.as_ref())
                && !own_parameters.contains(&name.as_ref())
            {
                continue;
            }
            if let Some(earlier) = parameters.get_mut(name.as_ref())
                && ARRAY_PARAMETERS.contains(&name.as_ref())
            {
                earlier.push(',');
                earlier.push_str(&value);
                continue;
            }
            if parameters
                .insert(name.to_string(), value.into_owned())
                .is_some()
            {
                return Err(invalid_query(format!(
                    "Parameter {name} was given more than once"
                )));
            }
        }
        let mut query = Self {
            parameters,
            fields: None,
        };
        if let Some(names) = query.get("fields") {
            let names = names
                .split(',')
                .map(str::trim)
                .filter(|name| !name.is_empty())
                .map(str::to_owned)
                .collect();
            let include = match query.get("include_fields") {
                None | Some("true") => true,
                Some("false") => false,
                Some(_) => return Err(wrong_type("boolean", "include_fields")),
            };
            query.fields = Some(Fields { names, include });
        }
        Ok(query)
    }

    /// A parameter's value; an empty value counts as absent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.parameters
            .get(name)
            .map(String::as_str)
            .filter(|value| !value.is_empty())
    }

    /// The paging, totals and sort the request asks for, checked against Auth0's bounds:
    /// checkpoint paging when `from` or `take` is given, else offset paging.
    pub fn params(&self) -> Result<ListParams, ApiError> {
        let mut params = if self.get("from").is_some() || self.get("take").is_some() {
            let take = self.number("take")?.unwrap_or(DEFAULT_PAGE_SIZE);
            let from = self.get("from").map(str::to_owned);
            ListParams::checkpoint(from, take).map_err(query_error)?
        } else {
            let page = self.number("page")?.unwrap_or(0);
            let per_page = self.number("per_page")?.unwrap_or(DEFAULT_PAGE_SIZE);
            ListParams::page(page, per_page).map_err(query_error)?
        };
        if self.flag("include_totals")? == Some(true)
            && matches!(params.pagination, Pagination::Offset { .. })
        {
            params = params.with_totals();
        }
        if let Some(sort) = self.get("sort") {
            params = params.with_sort(Sort::parse(sort).map_err(query_error)?);
        }
        Ok(params)
    }

    /// Equality on each of `fields` the request gives a value for, all of them required.
    pub fn equality_filter(&self, fields: &[&str]) -> Result<Option<Query>, ApiError> {
        let mut clauses = fields
            .iter()
            .filter_map(|field| self.get(field).map(|value| (field, value)))
            .map(|(field, value)| Query::equals(field, value))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|error| query_error(error.into()))?;
        Ok(match clauses.len() {
            0 => None,
            1 => clauses.pop(),
            _ => Some(Query::And(clauses)),
        })
    }

    fn number(&self, name: &str) -> Result<Option<u32>, ApiError> {
        self.get(name)
            .map(|text| text.parse::<u32>().map_err(|_| wrong_type("integer", name)))
            .transpose()
    }

    /// A boolean parameter, if given; anything but `true` or `false` is refused.
    pub fn flag(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.get(name) {
            None => Ok(None),
            Some("false") => Ok(Some(false)),
            Some("true") => Ok(Some(true)),
            Some(_) => Err(wrong_type("boolean", name)),
        }
    }
}

impl ListQuery {
    /// `value` (one resource, or an array of them) with only the fields the request selects.
    pub fn select_fields(&self, value: &mut Value) {
        let Some(fields) = &self.fields else {
            return;
        };
        let keep = |name: &String| fields.names.contains(name) == fields.include;
        match value {
            Value::Object(object) => object.retain(|name, _| keep(name)),
            Value::Array(items) => {
                for item in items {
                    if let Value::Object(object) = item {
                        object.retain(|name, _| keep(name));
                    }
                }
            }
            _ => {}
        }
    }

    /// One resource as the request asks for it (`fields`, `include_fields`).
    pub fn one<E: Serialize>(&self, resource: E) -> Result<Json<Value>, ApiError> {
        let mut value = serde_json::to_value(resource)
            .map_err(|error| ApiError::from(authhero_core::Error::internal(error.to_string())))?;
        self.select_fields(&mut value);
        Ok(Json(value))
    }
}

/// The page `params` ask for of a short list read whole (a client's connections, an
/// organization's), with its total; by checkpoint, `next` is the offset of the following page.
pub fn page_in_memory<T>(all: Vec<T>, params: &ListParams) -> Result<ListPage<T>, ApiError> {
    let total = u64::try_from(all.len()).unwrap_or(u64::MAX);
    let (start, take) = match &params.pagination {
        Pagination::Offset { page, per_page } => (
            usize::try_from(u64::from(*page) * u64::from(*per_page)).unwrap_or(usize::MAX),
            usize::try_from(*per_page).unwrap_or(usize::MAX),
        ),
        Pagination::Checkpoint(checkpoint) => {
            let start = match &checkpoint.from {
                None => 0,
                Some(from) => from
                    .parse::<usize>()
                    .map_err(|_| invalid_query("from is not a checkpoint this list gave"))?,
            };
            (
                start,
                usize::try_from(checkpoint.take).unwrap_or(usize::MAX),
            )
        }
    };
    let length = all.len();
    let items: Vec<T> = all.into_iter().skip(start).take(take).collect();
    let end = start.saturating_add(items.len());
    let next = matches!(params.pagination, Pagination::Checkpoint(_))
        .then(|| end.to_string())
        .filter(|_| end < length);
    Ok(ListPage {
        items,
        total: Some(total),
        next,
    })
}

/// A page of a list whose store pages only by offset (a relationship), fetched by `fetch`,
/// whichever way the request pages.
pub async fn by_offset<T, F, Fut>(params: &ListParams, fetch: F) -> Result<ListPage<T>, ApiError>
where
    F: FnOnce(ListParams) -> Fut,
    Fut: Future<Output = authhero_core::Result<ListPage<T>>>,
{
    let (checkpoint, offset) = PagedCheckpoint::of(params)?;
    let page = fetch(offset).await.map_err(query_error)?;
    Ok(checkpoint.next(page))
}

/// A list whose store pages only by offset, read by checkpoint: the checkpoint this server hands
/// out as `next` is the number of the following page.
#[derive(Debug)]
struct PagedCheckpoint {
    /// The page of a checkpoint request; None when the request paged by offset.
    page: Option<u32>,
    take: u32,
}

impl PagedCheckpoint {
    /// The offset paging to ask the store for.
    fn of(params: &ListParams) -> Result<(Self, ListParams), ApiError> {
        let Pagination::Checkpoint(checkpoint) = &params.pagination else {
            return Ok((
                Self {
                    page: None,
                    take: 0,
                },
                params.clone(),
            ));
        };
        let page = match &checkpoint.from {
            None => 0,
            Some(from) => from
                .parse::<u32>()
                .map_err(|_| invalid_query("from is not a checkpoint this list gave"))?,
        };
        let offset = ListParams::page(page, checkpoint.take).map_err(query_error)?;
        Ok((
            Self {
                page: Some(page),
                take: checkpoint.take,
            },
            offset,
        ))
    }

    /// The store's page with the checkpoint of the next one, when it was full.
    fn next<T>(&self, mut page: ListPage<T>) -> ListPage<T> {
        if let Some(current) = self.page {
            let full = u32::try_from(page.items.len()).is_ok_and(|length| length >= self.take);
            page.next = full.then(|| (current + 1).to_string());
        }
        page
    }
}

/// Auth0's 400 for a query string that breaks the list's rules.
pub fn invalid_query(detail: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request(format!("Query validation error: '{detail}'."))
        .with_code("invalid_query_string")
}

fn wrong_type(expected: &str, parameter: &str) -> ApiError {
    ApiError::bad_request(format!(
        "Query validation error: 'Expected type {expected} but found type string' on property {parameter}."
    ))
    .with_code("invalid_query_string")
}

/// A port's refusal of list parameters (unknown sort or `q` field, page too large) is the
/// query string's fault; anything else keeps its own status.
pub fn query_error(error: authhero_core::Error) -> ApiError {
    if error.is_invalid() {
        return invalid_query(error.message().to_owned());
    }
    ApiError::from(error)
}

/// The page as Auth0 sends it: the bare array; the totals object when they were asked for; by
/// checkpoint, the items and the `next` checkpoint (absent on the last page). Each item keeps
/// only the fields the request selects.
pub fn page_reply<E: Serialize>(
    resource: &'static str,
    query: &ListQuery,
    params: &ListParams,
    page: ListPage<E>,
) -> Result<Response, ApiError> {
    let mut items = serde_json::to_value(page.items)
        .map_err(|error| ApiError::from(authhero_core::Error::internal(error.to_string())))?;
    query.select_fields(&mut items);
    let length = items.as_array().map_or(0, Vec::len);
    let mut reply = Map::new();
    if let Pagination::Checkpoint(_) = params.pagination {
        reply.insert(resource.to_owned(), items);
        if let Some(next) = page.next {
            reply.insert("next".to_owned(), next.into());
        }
        return Ok(Json(reply).into_response());
    }
    if !params.include_totals {
        return Ok(Json(items).into_response());
    }
    let (start, limit) = params.offset_and_limit();
    reply.insert(resource.to_owned(), items);
    reply.insert("start".to_owned(), start.into());
    reply.insert("limit".to_owned(), limit.into());
    reply.insert("length".to_owned(), length.into());
    reply.insert("total".to_owned(), page.total.unwrap_or_default().into());
    Ok(Json(reply).into_response())
}
