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

use crate::document::{Documents, Pools};
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

/// An open database: the pool every repository shares, and on an SQLite file a second pool of
/// read-only connections for plain reads.
#[derive(Debug, Clone)]
pub struct Database {
    connection: DatabaseConnection,
    reader: DatabaseConnection,
}

/// Read-only connections beside an SQLite file's one writer: sqlx runs each SQLite connection
/// on a thread of its own, so with one connection every read waits its turn on one core.
const SQLITE_READERS: u32 = 2;

impl Database {
    /// Opens `url`: `sqlite://path/to/file.db` or a bare file path (created if missing),
    /// `sqlite::memory:`, `postgres://...` or `mysql://...`.
    ///
    /// SQLite runs in WAL mode with foreign keys on and case-sensitive `LIKE` (as the other
    /// backends compare). Writes keep sea-orm's single pooled connection: SQLite has one
    /// writer, and one connection makes every transaction serializable without busy errors. On
    /// a file, plain reads go to read-only connections, which WAL lets read beside the writer
    /// and which see every write committed before they start.
    pub async fn connect(url: &str) -> Result<Self, AdapterError> {
        let url = if url.contains(':') {
            url.to_owned()
        } else {
            format!("sqlite://{url}")
        };
        let connection = Self::pool(&url, false).await?;
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let reader = match connection.get_database_backend() {
            DbBackend::Sqlite if !in_memory => Self::pool(&url, true).await?,
            _ => connection.clone(),
        };
        Ok(Self { connection, reader })
    }

    /// A pool on `url`; for SQLite, `read_only` makes it the readers'.
    async fn pool(url: &str, read_only: bool) -> Result<DatabaseConnection, AdapterError> {
        let mut options = ConnectOptions::new(url.to_owned());
        if read_only {
            options.max_connections(SQLITE_READERS);
        }
        options
            .sqlx_logging(false)
            // sqlx pings every connection it hands out by default: a second round trip per
            // query (on SQLite, through its worker thread). Only a connection idle long enough
            // for a server or proxy to have dropped it is checked.
            .test_before_acquire_if_idle_for(Duration::from_secs(30))
            .map_sqlx_sqlite_opts(move |sqlite| {
                let sqlite = sqlite
                    .foreign_keys(true)
                    .pragma("case_sensitive_like", "ON");
                match read_only {
                    true => sqlite.read_only(true),
                    false => sqlite
                        .create_if_missing(true)
                        .journal_mode(SqliteJournalMode::Wal)
                        .synchronous(SqliteSynchronous::Normal),
                }
            });
        sea_orm::Database::connect(options)
            .await
            .map_err(AdapterError::Connect)
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
        let pools = || Pools {
            write: self.connection.clone(),
            read: self.reader.clone(),
        };
        let adapters = DataAdapters {
            tenants: Arc::new(Tenants::new(pools())),
            clients: Arc::new(Documents::<Client>::clients(pools())),
            client_grants: Arc::new(Documents::<ClientGrant>::client_grants(pools())),
            connections: Arc::new(Documents::<Connection>::new(pools(), &schema::CONNECTIONS)),
            resource_servers: Arc::new(Documents::<ResourceServer>::resource_servers(pools())),
            users: Arc::new(users::Users::new(pools())),
            passwords: Arc::new(Documents::<Password>::new(pools(), &schema::PASSWORDS)),
            roles: Arc::new(Documents::<Role>::new(pools(), &schema::ROLES)),
            role_permissions: Arc::new(Permissions::of_roles(db())),
            user_permissions: Arc::new(Permissions::of_users(db())),
            user_roles: Arc::new(UserRoles::new(db())),
            organizations: Arc::new(Documents::<Organization>::new(
                pools(),
                &schema::ORGANIZATIONS,
            )),
            organization_members: Arc::new(OrganizationMembers::new(db())),
            organization_connections: Arc::new(OrganizationConnections::new(db())),
            invitations: Arc::new(Documents::<Invitation>::new(pools(), &schema::INVITATIONS)),
            sessions: Arc::new(Documents::<Session>::new(pools(), &schema::SESSIONS)),
            login_sessions: Arc::new(Documents::<LoginSession>::new(
                pools(),
                &schema::LOGIN_SESSIONS,
            )),
            codes: Arc::new(Documents::<Code>::new(pools(), &schema::CODES)),
            refresh_tokens: Arc::new(Documents::<RefreshToken>::refresh_tokens(pools())),
            grants: Arc::new(Documents::<Grant>::new(pools(), &schema::GRANTS)),
            authentication_methods: Arc::new(Documents::<AuthenticationMethod>::new(
                pools(),
                &schema::AUTHENTICATION_METHODS,
            )),
            signing_keys: Arc::new(SigningKeys::new(pools())),
            logs: Arc::new(Documents::<Log>::new(pools(), &schema::LOGS)),
            jobs: Arc::new(Documents::<Job>::new(pools(), &schema::JOBS)),
            branding: Arc::new(Setting::<Branding>::new(db(), "branding")),
            themes: Arc::new(Documents::<Theme>::new(pools(), &schema::THEMES)),
            prompt_settings: Arc::new(Setting::<PromptSettings>::new(db(), "prompt_settings")),
            universal_login_templates: Arc::new(Setting::<UniversalLoginTemplate>::new(
                db(),
                "universal_login_template",
            )),
            custom_texts: Arc::new(CustomTexts::new(db())),
            email_providers: Arc::new(Setting::<EmailProvider>::new(db(), "email_provider")),
            email_templates: Arc::new(Documents::<EmailTemplate>::new(
                pools(),
                &schema::EMAIL_TEMPLATES,
            )),
            hooks: Arc::new(Documents::<Hook>::new(pools(), &schema::HOOKS)),
            custom_domains: Arc::new(Documents::<CustomDomain>::custom_domains(pools())),
            login_failures: Arc::new(login_failures::LoginFailures::new(db())),
            legacy_users: Arc::new(authhero_core::ports::NoLegacyUsers),
        };
        adapters.named()
    }
}
