//! Custom domains by host, cached: every request resolves its host. Any write through the layer
//! clears the cache (a domain's status or owner may change), and such writes are rare.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use authhero_core::entities::CustomDomain;
use authhero_core::ports::CustomDomainsRepository;
use authhero_core::{Error, Result};
use moka::future::Cache;

use crate::forgetful::repository_forgetting_on_write;

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

repository_forgetting_on_write!(CachedCustomDomains, CustomDomain);

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
