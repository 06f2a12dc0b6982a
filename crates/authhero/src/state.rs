//! The state every handler shares: the adapters, the issuer, and the in-memory key cache.

use std::sync::Arc;

use authhero_core::DataAdapters;
use authhero_core::entities::Client;

use crate::email::EmailSender;
use crate::error::OAuthError;
use crate::hooks::Hooks;
use crate::keys::KeyCache;

#[derive(Debug)]
pub struct Inner {
    pub adapters: DataAdapters,
    /// `https://host[:port]/`, always with the trailing slash, as Auth0 prints it.
    pub issuer: String,
    pub keys: KeyCache,
    pub hooks: Arc<dyn Hooks>,
    pub email_sender: Option<Arc<dyn EmailSender>>,
}

/// Cheap to clone: one `Arc`.
#[derive(Debug, Clone)]
pub struct AppState(pub Arc<Inner>);

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn new(
        adapters: DataAdapters,
        issuer: String,
        hooks: Arc<dyn Hooks>,
        email_sender: Option<Arc<dyn EmailSender>>,
    ) -> Self {
        let keys = KeyCache::new(adapters.signing_keys.clone());
        Self(Arc::new(Inner {
            adapters,
            issuer,
            keys,
            hooks,
            email_sender,
        }))
    }

    /// Cookies carry `Secure` (and `SameSite=None`) when the issuer is served over https.
    pub fn secure_cookies(&self) -> bool {
        self.issuer.starts_with("https://")
    }

    /// The Management API audience of this issuer: `https://host[:port]/api/v2/`, as Auth0's.
    pub fn management_audience(&self) -> String {
        management_audience(&self.issuer)
    }

    /// The client and its tenant; an unknown `client_id` is `invalid_client`.
    pub async fn client(&self, client_id: &str) -> Result<(String, Client), OAuthError> {
        self.adapters
            .clients
            .find_by_client_id(client_id)
            .await?
            .ok_or_else(|| OAuthError::invalid_client("Unknown client."))
    }
}

/// `https://<issuer host[:port]>/api/v2/`, whatever the issuer's scheme.
pub fn management_audience(issuer: &str) -> String {
    let host = url::Url::parse(issuer)
        .ok()
        .and_then(|url| {
            url.host_str().map(|host| match url.port() {
                Some(port) => format!("{host}:{port}"),
                None => host.to_owned(),
            })
        })
        .unwrap_or_else(|| "localhost".to_owned());
    format!("https://{host}/api/v2/")
}
