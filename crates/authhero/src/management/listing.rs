//! List requests and replies: Auth0's query parameters (`page`, `per_page`, `include_totals`,
//! `sort` and each resource's filters) checked into [`ListParams`], and the page sent back as a
//! bare array or, with totals, as `{ "<resource>": [...], start, limit, length, total }`.

use std::collections::HashMap;

use authhero_core::list::DEFAULT_PAGE_SIZE;
use authhero_core::{ListPage, ListParams, Query, Sort};
use axum::Json;
use axum::response::{IntoResponse, Response};
use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::error::ApiError;

/// The parameters every list accepts.
const PAGING_PARAMETERS: &[&str] = &["page", "per_page", "include_totals", "sort"];

/// The query string of a list request, each parameter given at most once.
#[derive(Debug)]
pub struct ListQuery(HashMap<String, String>);

impl ListQuery {
    /// Parses `raw`; parameters other than the paging ones and the resource's own are refused.
    pub fn parse(raw: Option<&str>, own_parameters: &[&str]) -> Result<Self, ApiError> {
        let mut parameters = HashMap::new();
        for (name, value) in url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
            if !PAGING_PARAMETERS.contains(&name.as_ref())
                && !own_parameters.contains(&name.as_ref())
            {
                return Err(invalid_query(format!(
                    "Additional properties not allowed: {name}"
                )));
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
        Ok(Self(parameters))
    }

    /// A parameter's value; an empty value counts as absent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|value| !value.is_empty())
    }

    /// The paging, totals and sort the request asks for, checked against Auth0's bounds.
    pub fn params(&self) -> Result<ListParams, ApiError> {
        let page = self.number("page")?.unwrap_or(0);
        let per_page = self.number("per_page")?.unwrap_or(DEFAULT_PAGE_SIZE);
        let mut params = ListParams::page(page, per_page).map_err(query_error)?;
        if self.flag("include_totals")? {
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

    fn flag(&self, name: &str) -> Result<bool, ApiError> {
        match self.get(name) {
            None | Some("false") => Ok(false),
            Some("true") => Ok(true),
            Some(_) => Err(wrong_type("boolean", name)),
        }
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

/// The page as Auth0 sends it: the bare array, or the totals object when they were asked for.
pub fn page_reply<E: Serialize>(
    resource: &'static str,
    params: &ListParams,
    page: ListPage<E>,
) -> Response {
    if !params.include_totals {
        return Json(page.items).into_response();
    }
    let (start, limit) = params.offset_and_limit();
    Json(PageWithTotals {
        resource,
        start,
        limit,
        total: page.total.unwrap_or_default(),
        items: page.items,
    })
    .into_response()
}

/// `{ "<resource>": [...], "start", "limit", "length", "total" }`.
struct PageWithTotals<E> {
    resource: &'static str,
    start: u64,
    limit: u64,
    total: u64,
    items: Vec<E>,
}

impl<E: Serialize> Serialize for PageWithTotals<E> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(5))?;
        map.serialize_entry(self.resource, &self.items)?;
        map.serialize_entry("start", &self.start)?;
        map.serialize_entry("limit", &self.limit)?;
        map.serialize_entry("length", &self.items.len())?;
        map.serialize_entry("total", &self.total)?;
        map.end()
    }
}
