//! Resource servers by (tenant, identifier), cached. Any write through the layer clears the cache:
//! an update may change an identifier, and API writes are rare.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use authhero_core::entities::ResourceServer;
use authhero_core::ports::{Repository, ResourceServersRepository};
use authhero_core::{Error, ListPage, ListParams, Result};
use moka::future::Cache;

#[derive(Debug)]
pub(crate) struct CachedResourceServers {
    inner: Arc<dyn ResourceServersRepository>,
    by_identifier: Cache<(String, String), Option<ResourceServer>>,
}

impl CachedResourceServers {
    pub fn new(
        inner: Arc<dyn ResourceServersRepository>,
        time_to_live: Duration,
        capacity: u64,
    ) -> Self {
        let by_identifier = Cache::builder()
            .time_to_live(time_to_live)
            .max_capacity(capacity)
            .build();
        Self {
            inner,
            by_identifier,
        }
    }

    pub async fn forget_all(&self) {
        self.by_identifier.invalidate_all();
    }
}

#[async_trait]
impl Repository<ResourceServer> for CachedResourceServers {
    async fn create(&self, tenant_id: &str, entity: ResourceServer) -> Result<ResourceServer> {
        let created = self.inner.create(tenant_id, entity).await;
        self.forget_all().await;
        created
    }

    async fn get(&self, tenant_id: &str, id: &str) -> Result<Option<ResourceServer>> {
        self.inner.get(tenant_id, id).await
    }

    async fn list(&self, tenant_id: &str, params: &ListParams) -> Result<ListPage<ResourceServer>> {
        self.inner.list(tenant_id, params).await
    }

    async fn update(&self, tenant_id: &str, entity: ResourceServer) -> Result<ResourceServer> {
        let updated = self.inner.update(tenant_id, entity).await;
        self.forget_all().await;
        updated
    }

    async fn remove(&self, tenant_id: &str, id: &str) -> Result<bool> {
        let removed = self.inner.remove(tenant_id, id).await;
        self.forget_all().await;
        removed
    }
}

#[async_trait]
impl ResourceServersRepository for CachedResourceServers {
    async fn find_by_identifier(
        &self,
        tenant_id: &str,
        identifier: &str,
    ) -> Result<Option<ResourceServer>> {
        let inner = self.inner.clone();
        let key = (tenant_id.to_owned(), identifier.to_owned());
        self.by_identifier
            .try_get_with(key.clone(), async move {
                inner.find_by_identifier(&key.0, &key.1).await
            })
            .await
            .map_err(|error: Arc<Error>| (*error).clone())
    }
}
