//! An encryption layer: client secrets and the private halves of signing keys are sealed with
//! AES-256-GCM under a key from configuration before they reach the store, and opened on the
//! way back, so a copy of the database holds no usable client credential and cannot mint
//! tokens. Client secrets are sealed rather than hashed because Auth0 shows a client's secret
//! again to callers with `read:client_keys`.
//!
//! Everything else passes straight through. A value stored before the layer was added (no
//! `sealed:` prefix) is read as it is and sealed on its next write.
//!
//! ```no_run
//! # fn demo(adapters: authhero_core::DataAdapters) -> Result<(), authhero_encryption::KeyError> {
//! use authhero_core::Layer;
//! let key = authhero_encryption::SecretKey::parse("base64url of 32 random bytes")?;
//! let sealed = authhero_encryption::EncryptionLayer::new(key).layer(adapters);
//! # let _ = sealed;
//! # Ok(())
//! # }
//! ```

mod clients;
mod key;
mod signing_keys;

use std::sync::Arc;

use authhero_core::{DataAdapters, Layer};

pub use crate::key::{KeyError, SecretKey};

/// Builds the sealing adapters; see the crate documentation.
#[derive(Debug, Clone)]
pub struct EncryptionLayer {
    key: SecretKey,
}

impl EncryptionLayer {
    pub fn new(key: SecretKey) -> Self {
        Self { key }
    }
}

impl Layer for EncryptionLayer {
    fn layer(&self, inner: DataAdapters) -> DataAdapters {
        let clients = Arc::new(clients::SealedClients::new(
            inner.clients.clone(),
            self.key.clone(),
        ));
        let signing_keys = Arc::new(signing_keys::SealedSigningKeys::new(
            inner.signing_keys.clone(),
            self.key.clone(),
        ));
        DataAdapters {
            clients,
            signing_keys,
            ..inner
        }
    }
}
