//! A cache layer: wraps any [`DataAdapters`] and serves the look-ups every request makes (a
//! client by `client_id`, an API by identifier, a client's grant for an API, a custom domain by
//! host, a tenant by id) from memory, with moka.
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

mod client_grants;
mod clients;
mod custom_domains;
mod forgetful;
mod resource_servers;
mod tenants;

use std::sync::Arc;
use std::time::Duration;

use authhero_core::{DataAdapters, Layer};

use crate::client_grants::CachedClientGrants;
use crate::clients::CachedClients;
use crate::custom_domains::CachedCustomDomains;
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
        let ttl = self.time_to_live;
        let clients = Arc::new(CachedClients::new(inner.clients.clone(), ttl, CAPACITY));
        let client_grants = Arc::new(CachedClientGrants::new(
            inner.client_grants.clone(),
            ttl,
            CAPACITY,
        ));
        let resource_servers = Arc::new(CachedResourceServers::new(
            inner.resource_servers.clone(),
            ttl,
            CAPACITY,
        ));
        let custom_domains = Arc::new(CachedCustomDomains::new(
            inner.custom_domains.clone(),
            ttl,
            CAPACITY,
        ));
        let tenants = Arc::new(CachedTenants::new(
            inner.tenants.clone(),
            ttl,
            CAPACITY,
            clients.clone(),
            client_grants.clone(),
            resource_servers.clone(),
            custom_domains.clone(),
        ));
        DataAdapters {
            tenants,
            clients,
            client_grants,
            resource_servers,
            custom_domains,
            ..inner
        }
    }
}
