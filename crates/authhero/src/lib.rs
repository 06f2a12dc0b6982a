//! The AuthHero package: the Auth API (OAuth 2.0 / OpenID Connect), the Management API and the
//! login pages, as an axum [`Router`] over `authhero-core`'s ports. The storage adapter is
//! injected, so the same router runs on SQLite, PostgreSQL, MySQL or any stack of layers.
//!
//! ```no_run
//! # async fn demo(adapters: authhero_core::DataAdapters) -> Result<(), Box<dyn std::error::Error>> {
//! let router = authhero::AuthHero::new(adapters).issuer("http://localhost:3000/")?.router();
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//! axum::serve(listener, router).await?;
//! # Ok(())
//! # }
//! ```

mod auth_api;
pub mod bootstrap;
mod client_ip;
mod cookies;
mod domain_probe;
mod email;
mod error;
mod flows;
pub mod hooks;
mod issuer;
pub mod keys;
mod legacy_hashes;
mod management;
mod markup;
mod pages;
mod paging;
pub mod passwords;
mod random;
mod respond;
pub mod secrets;
mod security_headers;
mod serve;
mod state;
mod tokens;
mod universal_login;

use std::sync::Arc;

use authhero_core::DataAdapters;
use authhero_core::entities::PasswordAlgorithm;
use axum::Router;

pub use domain_probe::DomainProbe;
pub use email::{Email, EmailSender, SendError, SmtpConnector, SmtpSettings};
pub use error::{ApiError, OAuthError};
/// The pure checks of an `/authorize` request, public so its benchmark can measure them.
pub use flows::authorize_request;
/// Removes every tenant's log events dated before the given time; the server runs it hourly
/// with its retention (`--log-retention-days`).
pub use flows::logs::prune as prune_logs;
pub use flows::{Clock, SystemClock};
pub use hooks::Hooks;
pub use serve::{HEADER_READ_TIMEOUT, serve};
pub use state::management_audience;

/// Why the package could not be configured.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("the issuer {0:?} is not an absolute http(s) URL")]
    Issuer(String),
}

/// Builds the AuthHero router.
#[derive(Debug)]
pub struct AuthHero {
    adapters: DataAdapters,
    issuer: String,
    hooks: Arc<dyn Hooks>,
    mailers: email::Mailers,
    domain_probe: Option<Arc<dyn DomainProbe>>,
    password_algorithm: PasswordAlgorithm,
    clock: Arc<dyn flows::Clock>,
}

impl AuthHero {
    pub fn new(adapters: DataAdapters) -> Self {
        Self {
            adapters,
            issuer: "http://localhost:3000/".into(),
            hooks: Arc::new(hooks::NoHooks),
            mailers: email::Mailers::default(),
            domain_probe: None,
            password_algorithm: PasswordAlgorithm::Bcrypt,
            clock: Arc::new(flows::SystemClock),
        }
    }

    /// The issuer URL tokens carry (`iss`) and discovery publishes; a trailing `/` is added.
    pub fn issuer(mut self, issuer: &str) -> Result<Self, ConfigError> {
        let url = url::Url::parse(issuer).map_err(|_| ConfigError::Issuer(issuer.into()))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(ConfigError::Issuer(issuer.into()));
        }
        let mut text = url.to_string();
        if !text.ends_with('/') {
            text.push('/');
        }
        self.issuer = text;
        Ok(self)
    }

    /// The application's hooks, called during signup, login and token issuance.
    pub fn hooks(mut self, hooks: Arc<dyn Hooks>) -> Self {
        self.hooks = hooks;
        self
    }

    /// Where email goes (password resets, verification, invitations) unless the tenant set up
    /// an email provider. Without one, nothing is sent.
    pub fn email_sender(mut self, sender: Arc<dyn EmailSender>) -> Self {
        self.mailers.default = Some(sender);
        self
    }

    /// How email reaches the SMTP server a tenant sets up as its email provider
    /// (`/api/v2/emails/provider` with `name: smtp`). Without one, such a tenant's email fails.
    pub fn smtp_connector(mut self, connector: Arc<dyn SmtpConnector>) -> Self {
        self.mailers.smtp = Some(connector);
        self
    }

    /// How custom domains are reached to verify them (`POST /api/v2/custom-domains/{id}/verify`).
    /// Without one, every domain stays `pending_verification`.
    pub fn domain_probe(mut self, probe: Arc<dyn DomainProbe>) -> Self {
        self.domain_probe = Some(probe);
        self
    }

    /// How new passwords are hashed: bcrypt at cost 10 by default (Auth0's, so exports import
    /// as they are), or argon2id at OWASP's minimum. Stored hashes of either kind keep working.
    pub fn password_hashing(mut self, algorithm: PasswordAlgorithm) -> Self {
        self.password_algorithm = algorithm;
        self
    }

    /// Where the flows read the time: the system clock by default; a fixed one in tests.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    pub fn router(self) -> Router {
        let state = state::AppState::new(
            self.adapters,
            self.issuer,
            self.hooks,
            self.mailers,
            self.domain_probe,
            self.password_algorithm,
            self.clock,
        );
        let https = state.secure_cookies();
        let router = auth_api::routes()
            .merge(universal_login::routes())
            .merge(management::routes())
            .with_state(state);
        security_headers::apply(router, https)
    }
}
