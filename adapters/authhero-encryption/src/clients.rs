//! Clients with their secrets sealed in the store and open to the callers of the layer.

use std::sync::Arc;

use async_trait::async_trait;
use authhero_core::entities::Client;
use authhero_core::ports::{ClientsRepository, Repository};
use authhero_core::{Error, ListPage, ListParams, Result};

use crate::key::{Purpose, SecretKey};

#[derive(Debug)]
pub(crate) struct SealedClients {
    inner: Arc<dyn ClientsRepository>,
    key: SecretKey,
}

impl SealedClients {
    pub fn new(inner: Arc<dyn ClientsRepository>, key: SecretKey) -> Self {
        Self { inner, key }
    }

    fn seal(&self, mut client: Client) -> Result<Client> {
        if let Some(secret) = &client.client_secret
            && !SecretKey::is_sealed(secret)
        {
            let sealed = self
                .key
                .seal(Purpose::ClientSecret, &client.client_id, secret)
                .map_err(|error| Error::internal(error.to_string()))?;
            client.client_secret = Some(sealed);
        }
        Ok(client)
    }

    /// The client as stored, with its secret opened. A secret that does not open (sealed under
    /// another key) is an error, not a missing secret: authenticating against it must fail
    /// loudly rather than treat the client as public.
    fn open(&self, mut client: Client) -> Result<Client> {
        if let Some(stored) = &client.client_secret {
            let opened = self
                .key
                .open(Purpose::ClientSecret, &client.client_id, stored)
                .ok_or_else(|| {
                    Error::internal(format!(
                        "the secret of client {} does not open with the configured key",
                        client.client_id
                    ))
                })?;
            client.client_secret = Some(opened);
        }
        Ok(client)
    }
}

#[async_trait]
impl Repository<Client> for SealedClients {
    async fn create(&self, tenant_id: &str, entity: Client) -> Result<Client> {
        let stored = self.inner.create(tenant_id, self.seal(entity)?).await?;
        self.open(stored)
    }

    async fn get(&self, tenant_id: &str, id: &str) -> Result<Option<Client>> {
        self.inner
            .get(tenant_id, id)
            .await?
            .map(|client| self.open(client))
            .transpose()
    }

    async fn list(&self, tenant_id: &str, params: &ListParams) -> Result<ListPage<Client>> {
        let page = self.inner.list(tenant_id, params).await?;
        let items = page
            .items
            .into_iter()
            .map(|client| self.open(client))
            .collect::<Result<Vec<_>>>()?;
        Ok(ListPage { items, ..page })
    }

    async fn update(&self, tenant_id: &str, entity: Client) -> Result<Client> {
        let stored = self.inner.update(tenant_id, self.seal(entity)?).await?;
        self.open(stored)
    }

    async fn remove(&self, tenant_id: &str, id: &str) -> Result<bool> {
        self.inner.remove(tenant_id, id).await
    }
}

#[async_trait]
impl ClientsRepository for SealedClients {
    async fn find_by_client_id(&self, client_id: &str) -> Result<Option<(String, Client)>> {
        self.inner
            .find_by_client_id(client_id)
            .await?
            .map(|(tenant_id, client)| Ok((tenant_id, self.open(client)?)))
            .transpose()
    }
}
