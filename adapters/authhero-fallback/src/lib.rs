//! A fallback layer: reads that miss in the primary adapters (nothing found: no entity, an empty
//! list) or find them temporarily down are answered by a secondary set; every write goes to the
//! primary only. Which entities fall back is configurable.
//!
//! A list falls back only when the primary has nothing at all on its first page, so lists are
//! never merged: a tenant's own connections replace the inherited or bundled ones. While the
//! primary is down, what the secondary lacks is still an outage (temporary), unless the
//! secondary is a full [`FallbackLayer::replica`].
//!
//! Two uses, each with a helper here:
//! - a read-only configuration bundle behind a database: clients, connections, APIs and
//!   branding kept in a JSON or YAML file ([`Bundle`]), loaded into an in-memory adapter that
//!   serves as the secondary;
//! - a child tenant inheriting clients and connections from a parent tenant ([`parent_tenant`]).
//!
//! ```no_run
//! # fn demo(database: authhero_core::DataAdapters, bundle: authhero_core::DataAdapters) {
//! use authhero_core::Layer;
//! use authhero_core::entities::{Client, Connection};
//! use authhero_core::ports::Entity;
//! let layered = authhero_fallback::FallbackLayer::new(bundle)
//!     .only(&[Client::NAME, Connection::NAME])
//!     .layer(database);
//! # let _ = layered;
//! # }
//! ```

mod bundle;
mod parent;

use std::fmt;
use std::sync::Arc;

use authhero_core::layer::{Answer, BoxFuture, Call, Route, RouteEveryPort};
use authhero_core::{DataAdapters, Layer, Result};

pub use crate::bundle::{Bundle, BundleError};
pub use crate::parent::parent_tenant;

/// Builds the fallback adapters over a primary set; see the crate documentation.
#[derive(Debug, Clone)]
pub struct FallbackLayer {
    secondary: DataAdapters,
    /// Entity names (`Entity::NAME`) that fall back; None: all of them.
    only: Option<Vec<&'static str>>,
    replica: bool,
}

impl FallbackLayer {
    /// Every entity's reads fall back to `secondary`.
    pub fn new(secondary: DataAdapters) -> Self {
        Self {
            secondary,
            only: None,
            replica: false,
        }
    }

    /// The secondary holds everything the primary does (a read replica): while the primary is
    /// down, the secondary's misses are answers too. Without this, a secondary that holds only
    /// part (a bundle, a parent tenant) cannot say something does not exist, so the primary's
    /// error stands.
    pub fn replica(mut self) -> Self {
        self.replica = true;
        self
    }

    /// Only these entities' reads fall back; the other ports are the primary's, untouched.
    pub fn only(mut self, entities: &[&'static str]) -> Self {
        self.only = Some(entities.to_vec());
        self
    }

    fn falls_back(&self, entity: &str) -> bool {
        self.only.as_ref().is_none_or(|only| only.contains(&entity))
    }
}

impl Layer for FallbackLayer {
    fn layer(&self, inner: DataAdapters) -> DataAdapters {
        DataAdapters::routed(&FallbackEveryPort {
            layer: self,
            primary: &inner,
        })
    }
}

struct FallbackEveryPort<'a> {
    layer: &'a FallbackLayer,
    primary: &'a DataAdapters,
}

impl RouteEveryPort for FallbackEveryPort<'_> {
    type Route<P: ?Sized + Send + Sync + fmt::Debug + 'static> = Fallback<P>;

    fn route<P: ?Sized + Send + Sync + fmt::Debug + 'static>(
        &self,
        entity: &'static str,
        port: fn(&DataAdapters) -> &Arc<P>,
    ) -> Fallback<P> {
        Fallback {
            primary: port(self.primary).clone(),
            secondary: self
                .layer
                .falls_back(entity)
                .then(|| port(&self.layer.secondary).clone()),
            replica: self.layer.replica,
        }
    }
}

/// One port of the primary and, if its entity falls back, the same port of the secondary.
#[derive(Debug)]
struct Fallback<P: ?Sized> {
    primary: Arc<P>,
    secondary: Option<Arc<P>>,
    replica: bool,
}

impl<P: ?Sized + Send + Sync + fmt::Debug + 'static> Route<P> for Fallback<P> {
    fn read<'a, T, F>(&'a self, call: Call<'a>, run: F) -> BoxFuture<'a, Result<T>>
    where
        T: Answer,
        F: Fn(&'a P) -> BoxFuture<'a, Result<T>> + Send + Sync + 'a,
    {
        Box::pin(async move {
            let primary = run(&self.primary).await;
            let Some(secondary) = &self.secondary else {
                return primary;
            };
            let answered = match &primary {
                Ok(answer) => !answer.is_miss(),
                Err(error) => !(error.is_not_found() || error.is_temporary()),
            };
            // Past a list's first page, an empty page means the primary's list ended.
            if answered || (call.later_page && primary.is_ok()) {
                return primary;
            }
            let secondary = run(secondary).await;
            match primary {
                // A primary that is down is replaced by a replica, whose every answer stands.
                Err(down) if down.is_temporary() && self.replica => secondary,
                // A partial secondary's find stands; its miss says nothing, so the primary's
                // error does.
                Err(down) if down.is_temporary() => match secondary {
                    Ok(answer) if !answer.is_miss() => Ok(answer),
                    _ => Err(down),
                },
                // A miss: the secondary's find wins; its miss, or its failure, must not replace
                // what the primary answered.
                primary => match secondary {
                    Ok(answer) if !answer.is_miss() => Ok(answer),
                    Ok(_) => primary,
                    Err(error) => {
                        tracing::warn!(%error, ?call, "fallback read failed");
                        primary
                    }
                },
            }
        })
    }

    fn write<'a, T, F>(&'a self, _: Call<'a>, run: F) -> BoxFuture<'a, Result<T>>
    where
        T: Send + 'a,
        F: FnOnce(&'a P) -> BoxFuture<'a, Result<T>> + Send + 'a,
    {
        run(&self.primary)
    }
}
