//! Tenants pass through; removing one clears the caches, since its clients, grants, APIs and
//! domains go with it.

use std::sync::Arc;

use async_trait::async_trait;
use authhero_core::entities::Tenant;
use authhero_core::ports::TenantsRepository;
use authhero_core::{ListPage, ListParams, Result};

use crate::client_grants::CachedClientGrants;
use crate::clients::CachedClients;
use crate::custom_domains::CachedCustomDomains;
use crate::resource_servers::CachedResourceServers;

#[derive(Debug)]
pub(crate) struct CachedTenants {
    pub inner: Arc<dyn TenantsRepository>,
    pub clients: Arc<CachedClients>,
    pub client_grants: Arc<CachedClientGrants>,
    pub resource_servers: Arc<CachedResourceServers>,
    pub custom_domains: Arc<CachedCustomDomains>,
}

#[async_trait]
impl TenantsRepository for CachedTenants {
    async fn create(&self, tenant: Tenant) -> Result<Tenant> {
        self.inner.create(tenant).await
    }

    async fn get(&self, id: &str) -> Result<Option<Tenant>> {
        self.inner.get(id).await
    }

    async fn list(&self, params: &ListParams) -> Result<ListPage<Tenant>> {
        self.inner.list(params).await
    }

    async fn update(&self, tenant: Tenant) -> Result<Tenant> {
        self.inner.update(tenant).await
    }

    async fn remove(&self, id: &str) -> Result<bool> {
        let removed = self.inner.remove(id).await;
        self.clients.forget_all().await;
        self.client_grants.forget_all().await;
        self.resource_servers.forget_all().await;
        self.custom_domains.forget_all().await;
        removed
    }
}
