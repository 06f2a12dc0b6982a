//! Custom domains by host, cached: every request resolves its host. Any write through the layer
//! clears the cache (a domain's status or owner may change), and such writes are rare.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use authhero_core::entities::CustomDomain;
use authhero_core::ports::{CustomDomainsRepository, Repository};
use authhero_core::{Error, ListPage, ListParams, Result};
use moka::future::Cache;

#[derive(Debug)]
pub(crate) struct CachedCustomDomains {
    inner: Arc<dyn CustomDomainsRepository>,
    by_domain: Cache<String, Option<(String, CustomDomain)>>,
}

impl CachedCustomDomains {
    pub fn new(
        inner: Arc<dyn CustomDomainsRepository>,
        time_to_live: Duration,
        capacity: u64,
    ) -> Self {
        let by_domain = Cache::builder()
            .time_to_live(time_to_live)
            .max_capacity(capacity)
            .build();
        Self { inner, by_domain }
    }

    pub async fn forget_all(&self) {
        self.by_domain.invalidate_all();
    }
}

#[async_trait]
impl Repository<CustomDomain> for CachedCustomDomains {
    async fn create(&self, tenant_id: &str, entity: CustomDomain) -> Result<CustomDomain> {
        let created = self.inner.create(tenant_id, entity).await;
        self.forget_all().await;
        created
    }

    async fn get(&self, tenant_id: &str, id: &str) -> Result<Option<CustomDomain>> {
        self.inner.get(tenant_id, id).await
    }

    async fn list(&self, tenant_id: &str, params: &ListParams) -> Result<ListPage<CustomDomain>> {
        self.inner.list(tenant_id, params).await
    }

    async fn update(&self, tenant_id: &str, entity: CustomDomain) -> Result<CustomDomain> {
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
impl CustomDomainsRepository for CachedCustomDomains {
    async fn find_by_domain(&self, domain: &str) -> Result<Option<(String, CustomDomain)>> {
        let inner = self.inner.clone();
        let key = domain.to_lowercase();
        self.by_domain
            .try_get_with(key.clone(), async move { inner.find_by_domain(&key).await })
            .await
            .map_err(|error: Arc<Error>| (*error).clone())
    }
}
