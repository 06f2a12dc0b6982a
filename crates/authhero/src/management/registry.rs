//! The Management API as data: every endpoint once, with its verb, path, scope, body and reply.
//! The router, the scopes the API defines (and the bootstrap client is granted) and the OpenAPI
//! document are all read from this list, so none of them is kept by hand.

use std::collections::BTreeSet;

use axum::Router;
use axum::routing::MethodRouter;
use schemars::{Schema, SchemaGenerator};

use super::audit::audit;
use super::auth::Declared;
use crate::state::AppState;

/// An HTTP verb the Management API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verb {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Verb {
    /// The verb as OpenAPI names its operations.
    pub fn lower(self) -> &'static str {
        match self {
            Verb::Get => "get",
            Verb::Post => "post",
            Verb::Put => "put",
            Verb::Patch => "patch",
            Verb::Delete => "delete",
        }
    }
}

/// A JSON schema written into the OpenAPI document, from the type it describes.
pub type Shape = fn(&mut SchemaGenerator) -> Schema;

/// What an endpoint takes in its body.
#[derive(Debug, Clone, Copy)]
pub enum Body {
    None,
    Json(Shape),
}

/// What an endpoint answers with on success.
#[derive(Debug, Clone, Copy)]
pub enum Reply {
    /// 200 with this JSON.
    Ok(Shape),
    /// 201 with this JSON.
    Created(Shape),
    /// 204, no body.
    NoContent,
}

/// One operation of the Management API.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub verb: Verb,
    /// Under `/api/v2`, with axum's `{param}` placeholders (which OpenAPI writes the same way).
    pub path: String,
    /// The scope a token needs; checked before the handler runs.
    pub scope: String,
    pub summary: String,
    /// Query parameters the endpoint reads, besides paging and `fields`.
    pub parameters: &'static [&'static str],
    /// Whether paging (`page`, `per_page`, `include_totals`, `from`, `take`) applies.
    pub paged: bool,
    pub body: Body,
    pub reply: Reply,
    pub route: fn() -> MethodRouter<AppState>,
}

/// Builds an [`Endpoint`] whose handler is mounted with the verb it is declared with.
macro_rules! endpoint {
    ($verb:ident $path:expr, $scope:expr, $summary:expr, $handler:expr, $body:expr => $reply:expr) => {
        $crate::management::registry::Endpoint {
            verb: $crate::management::registry::Verb::$verb,
            path: ($path).into(),
            scope: ($scope).into(),
            summary: ($summary).into(),
            parameters: &[],
            paged: false,
            body: $body,
            reply: $reply,
            route: || $crate::management::registry::mount!($verb, $handler),
        }
    };
}

macro_rules! mount {
    (Get, $handler:expr) => {
        axum::routing::get($handler)
    };
    (Post, $handler:expr) => {
        axum::routing::post($handler)
    };
    (Put, $handler:expr) => {
        axum::routing::put($handler)
    };
    (Patch, $handler:expr) => {
        axum::routing::patch($handler)
    };
    (Delete, $handler:expr) => {
        axum::routing::delete($handler)
    };
}

pub(crate) use {endpoint, mount};

impl Endpoint {
    /// The same endpoint, reading these query parameters.
    pub fn reading(mut self, parameters: &'static [&'static str]) -> Self {
        self.parameters = parameters;
        self
    }

    /// The same endpoint, as a paged list.
    pub fn paged(mut self) -> Self {
        self.paged = true;
        self
    }

    /// The full path, `/api/v2/...`.
    pub fn full_path(&self) -> String {
        format!("/api/v2{}", self.path)
    }
}

/// Scopes a token may carry that no endpoint requires on its own: they widen what an endpoint
/// shows (`read:client_keys` shows client secrets).
const WIDENING_SCOPES: &[&str] = &["read:client_keys"];

/// The whole Management API.
pub fn endpoints() -> Vec<Endpoint> {
    super::catalogue()
}

/// Every scope the Management API defines, sorted.
pub fn scopes() -> Vec<String> {
    let mut scopes: BTreeSet<&str> = WIDENING_SCOPES.iter().copied().collect();
    let endpoints = endpoints();
    scopes.extend(endpoints.iter().map(|endpoint| endpoint.scope.as_str()));
    scopes.into_iter().map(str::to_owned).collect()
}

/// The router of `endpoints`, each route behind its scope and logged.
pub fn router(endpoints: &[Endpoint]) -> Router<AppState> {
    endpoints.iter().fold(Router::new(), |router, endpoint| {
        let declared = Declared {
            scope: endpoint.scope.clone(),
            summary: endpoint.summary.clone(),
        };
        let route = (endpoint.route)()
            .route_layer(axum::middleware::from_fn(audit))
            .route_layer(axum::Extension(declared));
        router.route(&endpoint.full_path(), route)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_endpoint_is_declared_twice() {
        let mut seen = BTreeSet::new();
        for endpoint in endpoints() {
            assert!(
                seen.insert((endpoint.path.clone(), endpoint.verb)),
                "{:?} {} twice",
                endpoint.verb,
                endpoint.path
            );
        }
    }

    #[test]
    fn scopes_are_auth0s_action_colon_collection() {
        for scope in scopes() {
            let (action, collection) = scope.split_once(':').unwrap_or_default();
            assert!(
                ["read", "create", "update", "delete", "blacklist"].contains(&action)
                    && !collection.is_empty(),
                "{scope}"
            );
        }
    }
}
