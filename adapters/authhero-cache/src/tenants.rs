//! Tenants by id, cached: every token reads its tenant's signing algorithm. A write through the
//! layer forgets that tenant; removing one also clears the other caches, since its clients,
//! grants, APIs and domains go with it.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use authhero_core::entities::Tenant;
use authhero_core::ports::TenantsRepository;
use authhero_core::{Error, ListPage, ListParams, Result};
use moka::future::Cache;

use crate::client_grants::CachedClientGrants;
use crate::clients::CachedClients;
use crate::custom_domains::CachedCustomDomains;
use crate::resource_servers::CachedResourceServers;

#[derive(Debug)]
pub(crate) struct CachedTenants {
    inner: Arc<dyn TenantsRepository>,
    by_id: Cache<String, Option<Tenant>>,
    clients: Arc<CachedClients>,
    client_grants: Arc<CachedClientGrants>,
    resource_servers: Arc<CachedResourceServers>,
    custom_domains: Arc<CachedCustomDomains>,
}

impl CachedTenants {
    pub fn new(
        inner: Arc<dyn TenantsRepository>,
        time_to_live: Duration,
        capacity: u64,
        clients: Arc<CachedClients>,
        client_grants: Arc<CachedClientGrants>,
        resource_servers: Arc<CachedResourceServers>,
        custom_domains: Arc<CachedCustomDomains>,
    ) -> Self {
        let by_id = Cache::builder()
            .time_to_live(time_to_live)
            .max_capacity(capacity)
            .build();
        Self {
            inner,
            by_id,
            clients,
            client_grants,
            resource_servers,
            custom_domains,
        }
    }
}

#[async_trait]
impl TenantsRepository for CachedTenants {
    async fn create(&self, tenant: Tenant) -> Result<Tenant> {
        let id = tenant.id.clone();
        let created = self.inner.create(tenant).await;
        // A look-up before the tenant existed may have cached its absence.
        self.by_id.invalidate(&id).await;
        created
    }

    async fn get(&self, id: &str) -> Result<Option<Tenant>> {
        let inner = self.inner.clone();
        let key = id.to_owned();
        self.by_id
            .try_get_with(key.clone(), async move { inner.get(&key).await })
            .await
            .map_err(|error: Arc<Error>| (*error).clone())
    }

    async fn list(&self, params: &ListParams) -> Result<ListPage<Tenant>> {
        self.inner.list(params).await
    }

    async fn update(&self, tenant: Tenant) -> Result<Tenant> {
        let id = tenant.id.clone();
        let updated = self.inner.update(tenant).await;
        self.by_id.invalidate(&id).await;
        updated
    }

    async fn remove(&self, id: &str) -> Result<bool> {
        let removed = self.inner.remove(id).await;
        self.by_id.invalidate(id).await;
        self.clients.forget_all().await;
        self.client_grants.forget_all().await;
        self.resource_servers.forget_all().await;
        self.custom_domains.forget_all().await;
        removed
    }
}
