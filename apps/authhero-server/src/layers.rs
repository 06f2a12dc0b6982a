//! The adapter stack the server runs on, from the top: cache → migration (with a legacy Auth0
//! tenant configured) → fallback to a configuration bundle (with one configured) → encryption
//! → SQL.

use std::time::Duration;

use anyhow::Context;
use authhero::bootstrap::DEFAULT_TENANT;
use authhero_auth0::{Auth0Legacy, Auth0Settings, MigrationLayer};
use authhero_cache::CacheLayer;
use authhero_core::entities::{Client, Connection, ResourceServer};
use authhero_core::ports::Entity;
use authhero_core::{DataAdapters, Layer, ListParams, Query, Timestamp};
use authhero_encryption::{EncryptionLayer, SecretKey};
use authhero_fallback::{Bundle, FallbackLayer};
use authhero_sea_orm::Database;

use crate::config::Settings;
use crate::secret_key;

/// Every layer the settings ask for, over `database`.
pub async fn stack(
    settings: &Settings,
    database: &Database,
    key: SecretKey,
) -> anyhow::Result<DataAdapters> {
    // Client secrets are sealed before they reach the database.
    let sealed = EncryptionLayer::new(key).layer(database.adapters());
    secret_key::check_opens(&sealed).await?;
    let mut adapters = sealed;
    if let Some(path) = &settings.config_bundle {
        adapters = behind_bundle(path, adapters).await?;
    }
    if let Some(legacy) = &settings.legacy_auth0 {
        let source = Auth0Legacy::new(legacy.clone(), DEFAULT_TENANT)?;
        tracing::info!(
            domain = legacy.domain,
            connection = legacy.connection,
            "users are imported from a legacy Auth0 tenant on first use"
        );
        adapters = MigrationLayer::new(source).layer(adapters);
    }
    // Clients and APIs are read on every token request; keep them in memory briefly. Short,
    // because other nodes sharing the database only see each other's changes after it.
    Ok(CacheLayer::new(Duration::from_secs(10)).layer(adapters))
}

/// The bundle's clients, connections, APIs and branding, in memory behind `primary`.
async fn behind_bundle(
    path: &std::path::Path,
    primary: DataAdapters,
) -> anyhow::Result<DataAdapters> {
    let now = Timestamp::now();
    let bundle = Bundle::read(path, now)?;
    let memory = Database::open("sqlite::memory:").await?;
    let secondary = memory.adapters();
    bundle
        .write_into(&secondary, DEFAULT_TENANT, now)
        .await
        .with_context(|| format!("loading {}", path.display()))?;
    tracing::info!(
        path = %path.display(),
        clients = bundle.clients.len(),
        connections = bundle.connections.len(),
        "configuration bundle loaded"
    );
    let entities = [
        Client::NAME,
        Connection::NAME,
        ResourceServer::NAME,
        "branding",
    ];
    Ok(FallbackLayer::new(secondary).only(&entities).layer(primary))
}

/// Sets Auth0's `import_mode` on the local connection that takes the legacy tenant's users,
/// so the flows check its unknown users against the legacy tenant.
pub async fn import_into_connection(
    adapters: &DataAdapters,
    legacy: &Auth0Settings,
) -> anyhow::Result<()> {
    let by_name =
        ListParams::default().with_query(Query::equals("name", legacy.connection.as_str())?);
    let found = adapters.connections.list(DEFAULT_TENANT, &by_name).await?;
    let Some(mut connection) = found
        .items
        .into_iter()
        .find(|connection| connection.name == legacy.connection)
    else {
        tracing::warn!(
            connection = legacy.connection,
            "no local connection of the legacy connection's name: nobody is imported"
        );
        return Ok(());
    };
    // Set once; an operator's explicit `false` (the migration is over) stands.
    if connection.options.contains_key("import_mode") {
        return Ok(());
    }
    connection
        .options
        .insert("import_mode".into(), serde_json::Value::Bool(true));
    connection.updated_at = Timestamp::now();
    match adapters
        .connections
        .update(DEFAULT_TENANT, connection)
        .await
    {
        Ok(_) => Ok(()),
        // Served from a configuration bundle, which is read-only: its file decides.
        Err(error) if error.is_not_found() => {
            tracing::warn!(
                connection = legacy.connection,
                "the importing connection is not in the database: set import_mode in its bundle"
            );
            Ok(())
        }
        Err(error) => Err(error.into()),
    }
}
