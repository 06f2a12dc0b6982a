//! Client grants by (tenant, client, audience), cached: every `client_credentials` token needs
//! one. Any write through the layer clears the cache; grant writes are rare.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use authhero_core::entities::ClientGrant;
use authhero_core::ports::ClientGrantsRepository;
use authhero_core::{Error, Result};
use moka::future::Cache;

use crate::forgetful::repository_forgetting_on_write;

type Key = (String, String, String);

#[derive(Debug)]
pub(crate) struct CachedClientGrants {
    inner: Arc<dyn ClientGrantsRepository>,
    by_client_and_audience: Cache<Key, Option<ClientGrant>>,
}

impl CachedClientGrants {
    pub fn new(
        inner: Arc<dyn ClientGrantsRepository>,
        time_to_live: Duration,
        capacity: u64,
    ) -> Self {
        let by_client_and_audience = Cache::builder()
            .time_to_live(time_to_live)
            .max_capacity(capacity)
            .build();
        Self {
            inner,
            by_client_and_audience,
        }
    }

    pub async fn forget_all(&self) {
        self.by_client_and_audience.invalidate_all();
    }
}

repository_forgetting_on_write!(CachedClientGrants, ClientGrant);

#[async_trait]
impl ClientGrantsRepository for CachedClientGrants {
    async fn find(
        &self,
        tenant_id: &str,
        client_id: &str,
        audience: &str,
    ) -> Result<Option<ClientGrant>> {
        let inner = self.inner.clone();
        let key = (
            tenant_id.to_owned(),
            client_id.to_owned(),
            audience.to_owned(),
        );
        self.by_client_and_audience
            .try_get_with(key.clone(), async move {
                inner.find(&key.0, &key.1, &key.2).await
            })
            .await
            .map_err(|error: Arc<Error>| (*error).clone())
    }
}
