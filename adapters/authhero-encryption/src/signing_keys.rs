//! Signing keys with their private halves sealed in the store: whoever copies the database
//! cannot mint tokens.

use std::sync::Arc;

use async_trait::async_trait;
use authhero_core::entities::SigningKey;
use authhero_core::ports::SigningKeysRepository;
use authhero_core::{Error, Result};

use crate::key::{Purpose, SecretKey};

#[derive(Debug)]
pub(crate) struct SealedSigningKeys {
    inner: Arc<dyn SigningKeysRepository>,
    key: SecretKey,
}

impl SealedSigningKeys {
    pub fn new(inner: Arc<dyn SigningKeysRepository>, key: SecretKey) -> Self {
        Self { inner, key }
    }

    fn seal(&self, mut signing_key: SigningKey) -> Result<SigningKey> {
        if !SecretKey::is_sealed(&signing_key.private_key) {
            signing_key.private_key = self
                .key
                .seal(
                    Purpose::SigningKey,
                    &signing_key.kid,
                    &signing_key.private_key,
                )
                .map_err(|error| Error::internal(error.to_string()))?;
        }
        Ok(signing_key)
    }

    fn open(&self, mut signing_key: SigningKey) -> Result<SigningKey> {
        signing_key.private_key = self
            .key
            .open(
                Purpose::SigningKey,
                &signing_key.kid,
                &signing_key.private_key,
            )
            .ok_or_else(|| {
                Error::internal(format!(
                    "signing key {} does not open with the configured key",
                    signing_key.kid
                ))
            })?;
        Ok(signing_key)
    }
}

#[async_trait]
impl SigningKeysRepository for SealedSigningKeys {
    async fn create(&self, key: SigningKey) -> Result<SigningKey> {
        let stored = self.inner.create(self.seal(key)?).await?;
        self.open(stored)
    }

    async fn get(&self, kid: &str) -> Result<Option<SigningKey>> {
        self.inner
            .get(kid)
            .await?
            .map(|key| self.open(key))
            .transpose()
    }

    async fn list(&self) -> Result<Vec<SigningKey>> {
        self.inner
            .list()
            .await?
            .into_iter()
            .map(|key| self.open(key))
            .collect()
    }

    async fn update(&self, key: SigningKey) -> Result<SigningKey> {
        let stored = self.inner.update(self.seal(key)?).await?;
        self.open(stored)
    }
}
