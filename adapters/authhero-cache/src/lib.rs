//! A cache layer: wraps any [`DataAdapters`] and serves the look-ups every request makes (a
//! client by `client_id`, an API by identifier, a client's grant for an API, a custom domain by
//! host, a tenant by id) from memory, with moka. Misses are cached too, so unknown ids do not
//! reach the database each time.
//!
//! Writes made through the layer forget what was cached for that entity at once; removing a
//! tenant forgets everything, since its clients, grants, APIs and domains go with it. Writes made
//! by another node become visible when the entry's time to live runs out, so keep it short where
//! several nodes share a database. Every other port is the inner one, untouched.
//!
//! ```no_run
//! # fn demo(adapters: authhero_core::DataAdapters) {
//! use authhero_core::Layer;
//! let cached = authhero_cache::CacheLayer::new(std::time::Duration::from_secs(10)).layer(adapters);
//! # let _ = cached;
//! # }
//! ```

use std::any::Any;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use authhero_core::entities::{Client, ClientGrant, CustomDomain, ResourceServer, Tenant};
use authhero_core::layer::{Answer, BoxFuture, Call, Route, RouteEveryPort};
use authhero_core::ports::Entity;
use authhero_core::{DataAdapters, Error, Layer, Result};
use moka::future::Cache;

/// Entries kept per cached entity at most.
const CAPACITY: u64 = 10_000;

/// The reads served from memory, by entity and port method.
const CACHED_READS: &[(&str, &[&str])] = &[
    (Tenant::NAME, &["get"]),
    (Client::NAME, &["get", "find_by_client_id"]),
    (ClientGrant::NAME, &["find"]),
    (ResourceServer::NAME, &["find_by_identifier"]),
    (CustomDomain::NAME, &["find_by_domain"]),
];

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
        let memory = Arc::new(Memory::new(self.time_to_live));
        let routed = DataAdapters::routed(&CacheEveryPort {
            inner: &inner,
            memory,
        });
        DataAdapters {
            tenants: routed.tenants,
            clients: routed.clients,
            client_grants: routed.client_grants,
            resource_servers: routed.resource_servers,
            custom_domains: routed.custom_domains,
            ..inner
        }
    }
}

type Stored = Arc<dyn Any + Send + Sync>;

/// One cache per cached entity, keyed by the entity's generation, the read's method and its
/// arguments. A write moves the generation on, so a read that began before it and finishes
/// after it stores its stale answer under a key no later read asks for.
struct Memory {
    by_entity: HashMap<&'static str, (AtomicU64, Cache<String, Stored>)>,
}

impl Memory {
    fn new(time_to_live: Duration) -> Self {
        let by_entity = CACHED_READS
            .iter()
            .map(|(entity, _)| {
                let cache = Cache::builder()
                    .time_to_live(time_to_live)
                    .max_capacity(CAPACITY)
                    .build();
                (*entity, (AtomicU64::new(0), cache))
            })
            .collect();
        Self { by_entity }
    }

    /// The cache holding this read's answer and the answer's key, if it is a cached read.
    fn for_read(&self, call: &Call<'_>) -> Option<(&Cache<String, Stored>, String)> {
        let (_, operations) = CACHED_READS
            .iter()
            .find(|(entity, _)| *entity == call.entity)?;
        if !operations.contains(&call.operation) {
            return None;
        }
        let arguments = call.arguments?;
        let (generation, cache) = self.by_entity.get(call.entity)?;
        let generation = generation.load(Ordering::Acquire);
        Some((
            cache,
            format!("{generation}:{}{arguments:?}", call.operation),
        ))
    }

    fn forget(&self, call: &Call<'_>) {
        let forget = |(generation, cache): &(AtomicU64, Cache<String, Stored>)| {
            generation.fetch_add(1, Ordering::AcqRel);
            cache.invalidate_all();
        };
        if call.entity == Tenant::NAME && call.operation == "remove" {
            self.by_entity.values().for_each(forget);
        } else if let Some(entry) = self.by_entity.get(call.entity) {
            forget(entry);
        }
    }
}

impl fmt::Debug for Memory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Memory").finish_non_exhaustive()
    }
}

struct CacheEveryPort<'a> {
    inner: &'a DataAdapters,
    memory: Arc<Memory>,
}

impl RouteEveryPort for CacheEveryPort<'_> {
    type Route<P: ?Sized + Send + Sync + fmt::Debug + 'static> = Cached<P>;

    fn route<P: ?Sized + Send + Sync + fmt::Debug + 'static>(
        &self,
        _: &'static str,
        port: fn(&DataAdapters) -> &Arc<P>,
    ) -> Cached<P> {
        Cached {
            inner: port(self.inner).clone(),
            memory: self.memory.clone(),
        }
    }
}

/// One port behind the shared memory.
#[derive(Debug)]
struct Cached<P: ?Sized> {
    inner: Arc<P>,
    memory: Arc<Memory>,
}

impl<P: ?Sized + Send + Sync + fmt::Debug + 'static> Route<P> for Cached<P> {
    fn read<'a, T, F>(&'a self, call: Call<'a>, run: F) -> BoxFuture<'a, Result<T>>
    where
        T: Answer,
        F: Fn(&'a P) -> BoxFuture<'a, Result<T>> + Send + Sync + 'a,
    {
        Box::pin(async move {
            let Some((cache, key)) = self.memory.for_read(&call) else {
                return run(&self.inner).await;
            };
            let stored = cache
                .try_get_with(key, async {
                    run(&self.inner)
                        .await
                        .map(|answer| Arc::new(answer) as Stored)
                })
                .await
                .map_err(|error: Arc<Error>| (*error).clone())?;
            match stored.downcast_ref::<T>() {
                Some(answer) => Ok(answer.clone()),
                // A key names one method, so its answer always has that method's type.
                None => run(&self.inner).await,
            }
        })
    }

    fn write<'a, T, F>(&'a self, call: Call<'a>, run: F) -> BoxFuture<'a, Result<T>>
    where
        T: Send + 'a,
        F: FnOnce(&'a P) -> BoxFuture<'a, Result<T>> + Send + 'a,
    {
        Box::pin(async move {
            let written = run(&self.inner).await;
            // Forgotten whatever the outcome: a failed write may still have changed the store.
            self.memory.forget(&call);
            written
        })
    }
}
