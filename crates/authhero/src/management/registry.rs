//! The Management API as data: every endpoint once, with its verb, path, scope, body and reply.
//! The router, the scopes the API defines (and the bootstrap client is granted) and the OpenAPI
//! document are all read from this list, so none of them is kept by hand.

use std::collections::BTreeSet;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::MethodRouter;
use schemars::{Schema, SchemaGenerator};
use tower_http::limit::RequestBodyLimitLayer;

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
    /// `multipart/form-data` with these fields (file uploads).
    Multipart(Shape),
}

/// What an endpoint answers with on success.
#[derive(Debug, Clone, Copy)]
pub enum Reply {
    /// 200 with this JSON.
    Ok(Shape),
    /// 201 with this JSON.
    Created(Shape),
    /// 202, no body: accepted, finished in the background.
    Accepted,
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
    /// The largest body it takes; Auth0 refuses bodies over one megabyte (413).
    pub max_body_bytes: usize,
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
            max_body_bytes: $crate::management::registry::MAX_BODY_BYTES,
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

    /// The same endpoint, taking bodies up to `bytes`.
    pub fn accepting(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
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

/// Auth0 refuses bodies over one megabyte (413).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Scopes a token may carry that no endpoint requires on its own: they widen what an endpoint
/// shows (`read:client_keys` shows client secrets).
const WIDENING_SCOPES: &[&str] = &["read:client_keys"];

/// Every scope `endpoints` need, and those that widen what they show, sorted.
pub fn scopes(endpoints: &[Endpoint]) -> Vec<String> {
    let mut scopes: BTreeSet<&str> = WIDENING_SCOPES.iter().copied().collect();
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
            .route_layer(DefaultBodyLimit::max(endpoint.max_body_bytes))
            .route_layer(RequestBodyLimitLayer::new(endpoint.max_body_bytes))
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
        for endpoint in crate::management::catalogue() {
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
        for scope in scopes(&crate::management::catalogue()) {
            let (action, collection) = scope.split_once(':').unwrap_or_default();
            assert!(
                ["read", "create", "update", "delete", "blacklist"].contains(&action)
                    && !collection.is_empty(),
                "{scope}"
            );
        }
    }
}
