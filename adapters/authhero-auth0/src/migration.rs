//! The migration layer: installs a legacy provider as the adapters' legacy users, and logs and
//! counts what it answers. Every other port is the inner one, untouched.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use authhero_core::entities::User;
use authhero_core::ports::{LegacyRefreshGrant, LegacyUsersRepository};
use authhero_core::{DataAdapters, Layer, Result};

/// What the legacy provider has answered so far, across the layer's copies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MigrationCounts {
    /// Users it vouched for, to be imported: by email, by password, by refresh token.
    pub found: u64,
    /// Look-ups, password checks and exchanges it refused or found nothing for.
    pub refused: u64,
    /// Calls that failed (down, slow, misconfigured).
    pub failed: u64,
}

#[derive(Debug, Default)]
struct Counters {
    found: AtomicU64,
    refused: AtomicU64,
    failed: AtomicU64,
}

/// Builds the migrating adapters; see the crate documentation.
#[derive(Debug, Clone)]
pub struct MigrationLayer {
    legacy: Arc<dyn LegacyUsersRepository>,
    counters: Arc<Counters>,
}

impl MigrationLayer {
    pub fn new(legacy: impl LegacyUsersRepository + 'static) -> Self {
        Self::shared(Arc::new(legacy))
    }

    /// Over a provider the caller keeps a handle to.
    pub fn shared(legacy: Arc<dyn LegacyUsersRepository>) -> Self {
        Self {
            legacy,
            counters: Arc::default(),
        }
    }

    pub fn counts(&self) -> MigrationCounts {
        MigrationCounts {
            found: self.counters.found.load(Ordering::Relaxed),
            refused: self.counters.refused.load(Ordering::Relaxed),
            failed: self.counters.failed.load(Ordering::Relaxed),
        }
    }
}

impl Layer for MigrationLayer {
    fn layer(&self, inner: DataAdapters) -> DataAdapters {
        DataAdapters {
            legacy_users: Arc::new(Logged {
                legacy: self.legacy.clone(),
                counters: self.counters.clone(),
            }),
            ..inner
        }
    }
}

#[derive(Debug)]
struct Logged {
    legacy: Arc<dyn LegacyUsersRepository>,
    counters: Arc<Counters>,
}

impl Logged {
    /// Counts and logs one answer: who was found, never with what credential.
    fn record<T>(&self, what: &str, answer: &Result<Option<T>>, user: impl Fn(&T) -> &User) {
        let counter = match answer {
            Ok(Some(found)) => {
                let user = user(found);
                tracing::info!(
                    user_id = user.user_id,
                    email = user.email.as_deref().unwrap_or(""),
                    "{what}: the legacy tenant knows the user"
                );
                &self.counters.found
            }
            Ok(None) => &self.counters.refused,
            Err(error) => {
                tracing::warn!(%error, "{what}: the legacy tenant failed");
                &self.counters.failed
            }
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

#[async_trait]
impl LegacyUsersRepository for Logged {
    async fn find_by_email(
        &self,
        tenant_id: &str,
        connection: &str,
        email: &str,
    ) -> Result<Option<User>> {
        let answer = self
            .legacy
            .find_by_email(tenant_id, connection, email)
            .await;
        self.record("look-up by email", &answer, |user| user);
        answer
    }

    async fn verify_password(
        &self,
        tenant_id: &str,
        connection: &str,
        username: &str,
        password: &str,
    ) -> Result<Option<User>> {
        let answer = self
            .legacy
            .verify_password(tenant_id, connection, username, password)
            .await;
        self.record("password login", &answer, |user| user);
        answer
    }

    async fn exchange_refresh_token(
        &self,
        tenant_id: &str,
        client_id: &str,
        client_secret: Option<&str>,
        refresh_token: &str,
    ) -> Result<Option<LegacyRefreshGrant>> {
        let answer = self
            .legacy
            .exchange_refresh_token(tenant_id, client_id, client_secret, refresh_token)
            .await;
        self.record("refresh token", &answer, |grant| &grant.user);
        answer
    }
}
