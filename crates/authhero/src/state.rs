//! The state every flow and handler shares: the adapters, the issuer, the clock, and the
//! in-memory key cache.

use std::sync::{Arc, OnceLock};

use authhero_core::entities::{Client, Connection, PasswordAlgorithm};
use authhero_core::{DataAdapters, ListParams, Query, Timestamp};
use bytes::Bytes;

use crate::domain_probe::DomainProbe;
use crate::email::Mailers;
use crate::flows::{Clock, FlowError};
use crate::hooks::Hooks;
use crate::keys::KeyCache;

#[derive(Debug)]
pub struct Inner {
    pub adapters: DataAdapters,
    /// `https://host[:port]/`, always with the trailing slash, as Auth0 prints it.
    pub issuer: String,
    pub keys: KeyCache,
    pub hooks: Arc<dyn Hooks>,
    /// Where email goes: the server's sender, and tenants' own SMTP servers.
    pub mailers: Mailers,
    /// How custom domains are reached for verification; without one they stay pending.
    pub domain_probe: Option<Arc<dyn DomainProbe>>,
    /// How new passwords are hashed; stored hashes of either algorithm keep verifying.
    pub password_algorithm: PasswordAlgorithm,
    /// The configured issuer's discovery document, rendered on first use.
    pub discovery: OnceLock<Bytes>,
    pub clock: Arc<dyn Clock>,
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
        mailers: Mailers,
        domain_probe: Option<Arc<dyn DomainProbe>>,
        password_algorithm: PasswordAlgorithm,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let keys = KeyCache::new(adapters.signing_keys.clone());
        Self(Arc::new(Inner {
            adapters,
            issuer,
            keys,
            hooks,
            mailers,
            domain_probe,
            password_algorithm,
            discovery: OnceLock::new(),
            clock,
        }))
    }

    /// The current time, from the configured clock.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Cookies carry `Secure` (and `SameSite=None`) when the issuer is served over https.
    pub fn secure_cookies(&self) -> bool {
        self.issuer.starts_with("https://")
    }

    /// The client and its tenant; an unknown `client_id` is `invalid_client`.
    pub async fn client(&self, client_id: &str) -> Result<(String, Client), FlowError> {
        self.adapters
            .clients
            .find_by_client_id(client_id)
            .await?
            .ok_or_else(|| FlowError::invalid_client("Unknown client."))
    }

    /// The tenant's connection called exactly `name`, if there is one.
    pub async fn connection_named(
        &self,
        tenant_id: &str,
        name: &str,
    ) -> authhero_core::Result<Option<Connection>> {
        let by_name = ListParams::default().with_query(Query::equals("name", name)?);
        let found = self.adapters.connections.list(tenant_id, &by_name).await?;
        Ok(found
            .items
            .into_iter()
            .find(|connection| connection.name == name))
    }

    /// The connection `name` if `client_id` may log users in through it: the connection lists
    /// the client in `enabled_clients`. An empty list enables no client, as in Auth0.
    pub async fn login_connection(
        &self,
        tenant_id: &str,
        name: &str,
        client_id: &str,
    ) -> authhero_core::Result<Option<Connection>> {
        Ok(self
            .connection_named(tenant_id, name)
            .await?
            .filter(|connection| connection.enabled_clients.iter().any(|id| id == client_id)))
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

/// Whom a request addresses: the issuer URL it is served under and, on a custom domain, the
/// tenant that domain belongs to. On any other host it is the configured issuer, and the tenant
/// follows from the client, the token or the only tenant.
#[derive(Debug, Clone)]
pub struct Issuer {
    /// `https://host[:port]/`, with the trailing slash.
    pub url: String,
    pub tenant_id: Option<String>,
}

impl Issuer {
    /// The tenant a client belongs to may serve this request: on a custom domain only its own.
    pub fn admits(&self, tenant_id: &str) -> bool {
        self.tenant_id.as_deref().is_none_or(|own| own == tenant_id)
    }
}
