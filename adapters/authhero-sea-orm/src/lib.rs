//! AuthHero's SQL adapter: every port of `authhero-core` on sea-orm, for SQLite (the embedded
//! default), PostgreSQL and MySQL/MariaDB, with migrations that build the schema from nothing.
//!
//! ```no_run
//! # async fn demo() -> Result<(), authhero_sea_orm::AdapterError> {
//! let database = authhero_sea_orm::Database::connect("sqlite::memory:").await?;
//! database.migrate().await?;
//! let adapters = database.adapters();
//! # let _ = adapters;
//! # Ok(())
//! # }
//! ```

mod codes;
mod document;
mod error;
mod filter;
mod login_failures;
mod lookups;
mod migration;
mod relations;
mod schema;
mod settings;
mod users;

use std::sync::Arc;
use std::time::Duration;

use authhero_core::DataAdapters;
use authhero_core::entities::*;
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, DatabaseConnection, DbBackend, DbErr};

use crate::document::Documents;
use crate::lookups::{SigningKeys, Tenants};
use crate::relations::{OrganizationConnections, OrganizationMembers, Permissions, UserRoles};
use crate::settings::{CustomTexts, Setting};

/// Why the database could not be opened or prepared.
#[derive(Debug, thiserror::Error)]
pub enum AdapterError {
    #[error("cannot connect to the database: {0}")]
    Connect(#[source] DbErr),
    #[error("cannot migrate the database schema: {0}")]
    Migrate(#[source] DbErr),
}

/// An open database: the pool every repository shares.
#[derive(Debug, Clone)]
pub struct Database {
    connection: DatabaseConnection,
}

impl Database {
    /// Opens `url`: `sqlite://path/to/file.db` or a bare file path (created if missing),
    /// `sqlite::memory:`, `postgres://...` or `mysql://...`.
    ///
    /// SQLite runs in WAL mode with foreign keys on and case-sensitive `LIKE` (as the other
    /// backends compare). It keeps sea-orm's single pooled connection: SQLite has one writer,
    /// and one connection makes every transaction serializable without busy errors.
    pub async fn connect(url: &str) -> Result<Self, AdapterError> {
        let url = if url.contains(':') {
            url.to_owned()
        } else {
            format!("sqlite://{url}")
        };
        let mut options = ConnectOptions::new(url);
        options
            .sqlx_logging(false)
            // sqlx pings every connection it hands out by default: a second round trip per
            // query (on SQLite, through its worker thread). Only a connection idle long enough
            // for a server or proxy to have dropped it is checked.
            .test_before_acquire_if_idle_for(Duration::from_secs(30))
            .map_sqlx_sqlite_opts(|sqlite| {
                sqlite
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .pragma("case_sensitive_like", "ON")
            });
        let connection = sea_orm::Database::connect(options)
            .await
            .map_err(AdapterError::Connect)?;
        Ok(Self { connection })
    }

    /// [`Database::connect`], then [`Database::migrate`].
    pub async fn open(url: &str) -> Result<Self, AdapterError> {
        let database = Self::connect(url).await?;
        database.migrate().await?;
        Ok(database)
    }

    /// Creates or upgrades the schema. Idempotent, and safe when many nodes start at once.
    pub async fn migrate(&self) -> Result<(), AdapterError> {
        migration::run(&self.connection)
            .await
            .map_err(AdapterError::Migrate)
    }

    pub fn backend(&self) -> DbBackend {
        self.connection.get_database_backend()
    }

    /// Every port, backed by this database. Each error names the port call it came from.
    pub fn adapters(&self) -> DataAdapters {
        let db = || self.connection.clone();
        let adapters = DataAdapters {
            tenants: Arc::new(Tenants::new(db())),
            clients: Arc::new(Documents::<Client>::clients(db())),
            client_grants: Arc::new(Documents::<ClientGrant>::client_grants(db())),
            connections: Arc::new(Documents::<Connection>::new(db(), &schema::CONNECTIONS)),
            resource_servers: Arc::new(Documents::<ResourceServer>::resource_servers(db())),
            users: Arc::new(users::Users::new(db())),
            passwords: Arc::new(Documents::<Password>::new(db(), &schema::PASSWORDS)),
            roles: Arc::new(Documents::<Role>::new(db(), &schema::ROLES)),
            role_permissions: Arc::new(Permissions::of_roles(db())),
            user_permissions: Arc::new(Permissions::of_users(db())),
            user_roles: Arc::new(UserRoles::new(db())),
            organizations: Arc::new(Documents::<Organization>::new(db(), &schema::ORGANIZATIONS)),
            organization_members: Arc::new(OrganizationMembers::new(db())),
            organization_connections: Arc::new(OrganizationConnections::new(db())),
            invitations: Arc::new(Documents::<Invitation>::new(db(), &schema::INVITATIONS)),
            sessions: Arc::new(Documents::<Session>::new(db(), &schema::SESSIONS)),
            login_sessions: Arc::new(Documents::<LoginSession>::new(
                db(),
                &schema::LOGIN_SESSIONS,
            )),
            codes: Arc::new(Documents::<Code>::new(db(), &schema::CODES)),
            refresh_tokens: Arc::new(Documents::<RefreshToken>::refresh_tokens(db())),
            grants: Arc::new(Documents::<Grant>::new(db(), &schema::GRANTS)),
            authentication_methods: Arc::new(Documents::<AuthenticationMethod>::new(
                db(),
                &schema::AUTHENTICATION_METHODS,
            )),
            signing_keys: Arc::new(SigningKeys::new(db())),
            logs: Arc::new(Documents::<Log>::new(db(), &schema::LOGS)),
            jobs: Arc::new(Documents::<Job>::new(db(), &schema::JOBS)),
            branding: Arc::new(Setting::<Branding>::new(db(), "branding")),
            themes: Arc::new(Documents::<Theme>::new(db(), &schema::THEMES)),
            prompt_settings: Arc::new(Setting::<PromptSettings>::new(db(), "prompt_settings")),
            universal_login_templates: Arc::new(Setting::<UniversalLoginTemplate>::new(
                db(),
                "universal_login_template",
            )),
            custom_texts: Arc::new(CustomTexts::new(db())),
            email_providers: Arc::new(Setting::<EmailProvider>::new(db(), "email_provider")),
            email_templates: Arc::new(Documents::<EmailTemplate>::new(
                db(),
                &schema::EMAIL_TEMPLATES,
            )),
            hooks: Arc::new(Documents::<Hook>::new(db(), &schema::HOOKS)),
            custom_domains: Arc::new(Documents::<CustomDomain>::custom_domains(db())),
            login_failures: Arc::new(login_failures::LoginFailures::new(db())),
            legacy_users: Arc::new(authhero_core::ports::NoLegacyUsers),
        };
        adapters.named()
    }
}
