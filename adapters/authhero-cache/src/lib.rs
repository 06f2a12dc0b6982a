//! A cache layer: wraps any [`DataAdapters`] and serves the look-ups every token request makes
//! (a client by `client_id`, an API by identifier) from memory, with moka.
//!
//! Writes made through the layer invalidate what they touch at once. Writes made by another node
//! become visible when the entry's time to live runs out, so keep it short where several nodes
//! share a database. Everything else passes straight through.
//!
//! ```no_run
//! # fn demo(adapters: authhero_core::DataAdapters) {
//! use authhero_core::Layer;
//! let cached = authhero_cache::CacheLayer::new(std::time::Duration::from_secs(10)).layer(adapters);
//! # let _ = cached;
//! # }
//! ```

mod clients;
mod resource_servers;
mod tenants;

use std::sync::Arc;
use std::time::Duration;

use authhero_core::{DataAdapters, Layer};

use crate::clients::CachedClients;
use crate::resource_servers::CachedResourceServers;
use crate::tenants::CachedTenants;

/// Entries kept per cache at most.
const CAPACITY: u64 = 10_000;

/// Builds the cached adapters; see the crate documentation.
#[derive(Debug, Clone)]
pub struct CacheLayer {
    time_to_live: Duration,
}

impl CacheLayer {
    pub fn new(time_to_live: Duration) -> Self {
        Self { time_to_live }
    }
}

impl Layer for CacheLayer {
    fn layer(&self, inner: DataAdapters) -> DataAdapters {
        let clients = Arc::new(CachedClients::new(
            inner.clients.clone(),
            self.time_to_live,
            CAPACITY,
        ));
        let resource_servers = Arc::new(CachedResourceServers::new(
            inner.resource_servers.clone(),
            self.time_to_live,
            CAPACITY,
        ));
        let tenants = Arc::new(CachedTenants::new(
            inner.tenants.clone(),
            clients.clone(),
            resource_servers.clone(),
        ));
        DataAdapters {
            tenants,
            clients,
            resource_servers,
            ..inner
        }
    }
}
