//! Start-up against real databases: migrations build the schema from nothing, are idempotent,
//! survive many nodes starting at once, and an SQLite file keeps its data across restarts.

use std::time::{SystemTime, UNIX_EPOCH};

use authhero_core::entities::Tenant;
use authhero_core::{ListParams, Timestamp};
use authhero_sea_orm::Database;
use sea_orm::{ConnectionTrait, DbBackend, Statement};

fn unique(prefix: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("{prefix}_{}_{nanos}", std::process::id())
}

/// Several nodes start at once on an empty schema; every one must come up with the whole schema.
async fn concurrent_first_start(url: &str) -> anyhow::Result<()> {
    const NODES: usize = 6;
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(NODES));
    let mut nodes = tokio::task::JoinSet::new();
    for _ in 0..NODES {
        let (url, barrier) = (url.to_owned(), barrier.clone());
        nodes.spawn(async move {
            let database = Database::connect(&url).await?;
            // Connected first, so the migrations themselves overlap.
            barrier.wait().await;
            database.migrate().await?;
            anyhow::Ok(database)
        });
    }
    let mut started = Vec::new();
    while let Some(node) = nodes.join_next().await {
        started.push(node??);
    }
    for database in &started {
        let adapters = database.adapters();
        let tenant = adapters
            .tenants
            .create(Tenant::new(unique("ten"), Timestamp::now()))
            .await?;
        anyhow::ensure!(
            adapters.tenants.get(&tenant.id).await?.is_some(),
            "node cannot read its tenant"
        );
        database.migrate().await?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_first_start_by_many_nodes() -> anyhow::Result<()> {
    let Ok(base) = std::env::var("AUTHHERO_TEST_POSTGRES_URL") else {
        return Ok(());
    };
    let admin = sea_orm::Database::connect(base.as_str()).await?;
    let schema = unique("migrate");
    admin
        .execute_unprepared(&format!("CREATE SCHEMA {schema}"))
        .await?;
    let separator = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{separator}options=-c%20search_path%3D{schema}");
    let mut outcome = concurrent_first_start(&url).await;
    if outcome.is_ok() {
        outcome = prefix_indexes_exist(&admin, &schema).await;
    }
    admin
        .execute_unprepared(&format!("DROP SCHEMA {schema} CASCADE"))
        .await?;
    outcome
}

/// m0003: users' email and name have the `COLLATE "C"` indexes prefix search walks.
async fn prefix_indexes_exist(
    admin: &sea_orm::DatabaseConnection,
    schema: &str,
) -> anyhow::Result<()> {
    let rows = admin
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = 'users'",
            [schema.into()],
        ))
        .await?;
    for (index, column) in [
        ("ix_users_tenant_id_email_c", "email"),
        ("ix_users_tenant_id_name_c", "name"),
    ] {
        let definition = rows
            .iter()
            .find(|row| row.try_get::<String>("", "indexname").ok().as_deref() == Some(index))
            .map(|row| row.try_get::<String>("", "indexdef"))
            .transpose()?
            .ok_or_else(|| anyhow::anyhow!("no index {index}"))?;
        anyhow::ensure!(
            definition.contains(&format!("{column} COLLATE \"C\"")),
            "{definition}"
        );
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mysql_first_start_by_many_nodes() -> anyhow::Result<()> {
    let Ok(base) = std::env::var("AUTHHERO_TEST_MYSQL_URL") else {
        return Ok(());
    };
    let admin = sea_orm::Database::connect(base.as_str()).await?;
    let database = unique("migrate");
    admin
        .execute_unprepared(&format!("CREATE DATABASE {database}"))
        .await?;
    let Some((server, _)) = base.rsplit_once('/') else {
        anyhow::bail!("{base} names no database")
    };
    let outcome = concurrent_first_start(&format!("{server}/{database}")).await;
    admin
        .execute_unprepared(&format!("DROP DATABASE {database}"))
        .await?;
    outcome
}

#[tokio::test]
async fn sqlite_file_is_created_kept_and_in_wal_mode() -> anyhow::Result<()> {
    let path = std::env::temp_dir().join(format!("{}.db", unique("authhero")));
    let path_text = path.to_string_lossy().into_owned();
    let tenant = Tenant::new("persisted", Timestamp::now());
    {
        let database = Database::connect(&path_text).await?;
        database.migrate().await?;
        database.adapters().tenants.create(tenant.clone()).await?;
    }
    let database = Database::connect(&format!("sqlite://{path_text}")).await?;
    database.migrate().await?;
    let tenants = database
        .adapters()
        .tenants
        .list(&ListParams::default())
        .await?;
    anyhow::ensure!(
        tenants.items == vec![tenant],
        "the file lost its tenant: {:?}",
        tenants.items
    );
    let connection = sea_orm::Database::connect(format!("sqlite://{path_text}")).await?;
    let row = connection
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA journal_mode",
        ))
        .await?
        .ok_or_else(|| anyhow::anyhow!("no journal mode"))?;
    let mode: String = row.try_get_by_index(0)?;
    anyhow::ensure!(mode == "wal", "journal mode is {mode}");
    drop(connection);
    drop(database);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{path_text}{suffix}"));
    }
    Ok(())
}

/// m0005: a database from before it read an empty `enabled_clients` as every client. The
/// upgrade fills such lists with the tenant's clients, once; a list emptied later stays empty.
#[tokio::test]
async fn upgrading_fills_empty_enabled_clients_once() -> anyhow::Result<()> {
    use authhero_adapter_tests::fixtures;
    let path = std::env::temp_dir().join(format!("{}.db", unique("upgrade")));
    let url = format!("sqlite://{}", path.display());
    let database = Database::connect(&url).await?;
    database.migrate().await?;
    let adapters = database.adapters();
    let tenant = adapters
        .tenants
        .create(Tenant::new(unique("ten"), Timestamp::now()))
        .await?;
    for client in ["app-one", "app-two"] {
        adapters
            .clients
            .create(&tenant.id, fixtures::client(client))
            .await?;
    }
    let mut open = fixtures::connection("con_open", "open");
    open.enabled_clients.clear();
    adapters.connections.create(&tenant.id, open).await?;
    let mut chosen = fixtures::connection("con_chosen", "chosen");
    chosen.enabled_clients = vec!["app-two".into()];
    adapters.connections.create(&tenant.id, chosen).await?;

    // As a database from before m0005 would be: the migration not yet applied.
    let raw = sea_orm::Database::connect(url.as_str()).await?;
    raw.execute_unprepared(
        "DELETE FROM authhero_migrations WHERE version = 'm0005_enabled_clients_explicit'",
    )
    .await?;
    database.migrate().await?;
    let enabled = |id: &'static str| {
        let adapters = adapters.clone();
        let tenant = tenant.id.clone();
        async move {
            let connection = adapters
                .connections
                .get(&tenant, id)
                .await?
                .ok_or_else(|| anyhow::anyhow!("{id} missing"))?;
            anyhow::Ok(connection.enabled_clients)
        }
    };
    anyhow::ensure!(
        enabled("con_open").await? == ["app-one", "app-two"],
        "an empty list was not filled: {:?}",
        enabled("con_open").await?
    );
    anyhow::ensure!(
        enabled("con_chosen").await? == ["app-two"],
        "a chosen list changed"
    );

    // Emptied after the upgrade: it means no client now, and another start keeps it so.
    let mut emptied = adapters
        .connections
        .get(&tenant.id, "con_open")
        .await?
        .ok_or_else(|| anyhow::anyhow!("con_open missing"))?;
    emptied.enabled_clients.clear();
    adapters.connections.update(&tenant.id, emptied).await?;
    database.migrate().await?;
    anyhow::ensure!(enabled("con_open").await?.is_empty(), "m0005 ran twice");
    drop((raw, database));
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    Ok(())
}
