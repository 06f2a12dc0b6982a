//! Resource servers by (tenant, identifier), cached. Any write through the layer clears the cache:
//! an update may change an identifier, and API writes are rare.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use authhero_core::entities::ResourceServer;
use authhero_core::ports::ResourceServersRepository;
use authhero_core::{Error, Result};
use moka::future::Cache;

use crate::forgetful::repository_forgetting_on_write;

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

repository_forgetting_on_write!(CachedResourceServers, ResourceServer);

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
