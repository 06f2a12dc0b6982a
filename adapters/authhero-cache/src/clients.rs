//! Clients by `client_id`, cached (misses too, so unknown ids do not reach the database each time).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use authhero_core::entities::Client;
use authhero_core::ports::{ClientsRepository, Repository};
use authhero_core::{Error, ListPage, ListParams, Result};
use moka::future::Cache;

type Found = Option<(String, Client)>;

#[derive(Debug)]
pub(crate) struct CachedClients {
    inner: Arc<dyn ClientsRepository>,
    by_client_id: Cache<String, Found>,
}

impl CachedClients {
    pub fn new(inner: Arc<dyn ClientsRepository>, time_to_live: Duration, capacity: u64) -> Self {
        let by_client_id = Cache::builder()
            .time_to_live(time_to_live)
            .max_capacity(capacity)
            .build();
        Self {
            inner,
            by_client_id,
        }
    }

    pub async fn forget_all(&self) {
        self.by_client_id.invalidate_all();
    }
}

#[async_trait]
impl Repository<Client> for CachedClients {
    async fn create(&self, tenant_id: &str, entity: Client) -> Result<Client> {
        let client_id = entity.client_id.clone();
        let created = self.inner.create(tenant_id, entity).await;
        self.by_client_id.invalidate(&client_id).await;
        created
    }

    async fn get(&self, tenant_id: &str, id: &str) -> Result<Option<Client>> {
        let found = self.find_by_client_id(id).await?;
        Ok(found
            .filter(|(owner, _)| owner == tenant_id)
            .map(|(_, client)| client))
    }

    async fn list(&self, tenant_id: &str, params: &ListParams) -> Result<ListPage<Client>> {
        self.inner.list(tenant_id, params).await
    }

    async fn update(&self, tenant_id: &str, entity: Client) -> Result<Client> {
        let client_id = entity.client_id.clone();
        let updated = self.inner.update(tenant_id, entity).await;
        self.by_client_id.invalidate(&client_id).await;
        updated
    }

    async fn remove(&self, tenant_id: &str, id: &str) -> Result<bool> {
        let removed = self.inner.remove(tenant_id, id).await;
        self.by_client_id.invalidate(id).await;
        removed
    }
}

#[async_trait]
impl ClientsRepository for CachedClients {
    async fn find_by_client_id(&self, client_id: &str) -> Result<Option<(String, Client)>> {
        let inner = self.inner.clone();
        let key = client_id.to_owned();
        self.by_client_id
            .try_get_with(
                key.clone(),
                async move { inner.find_by_client_id(&key).await },
            )
            .await
            .map_err(|error: Arc<Error>| (*error).clone())
    }
}
