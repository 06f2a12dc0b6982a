//! Schema migrations. They run at start-up, are idempotent, and are serialized across processes.

mod m0001_initial;
mod m0002_refresh_token_rotation;
mod m0003_postgres_prefix_indexes;
mod m0004_login_failures;
mod m0005_enabled_clients_explicit;
mod m0006_jobs;
mod m0007_linked_users;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement, TransactionTrait};
use sea_orm_migration::{MigrationTrait, MigratorTrait};

pub(crate) struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_initial::Migration),
            Box::new(m0002_refresh_token_rotation::Migration),
            Box::new(m0003_postgres_prefix_indexes::Migration),
            Box::new(m0004_login_failures::Migration),
            Box::new(m0005_enabled_clients_explicit::Migration),
            Box::new(m0006_jobs::Migration),
            Box::new(m0007_linked_users::Migration),
        ]
    }

    fn migration_table_name() -> sea_orm::DynIden {
        "authhero_migrations".into()
    }
}

/// Brings the schema up to date. Many nodes may start at once against one PostgreSQL or MySQL
/// database, so the run holds a database lock; SQLite's single writer serializes it already.
pub(crate) async fn run(db: &DatabaseConnection) -> Result<(), DbErr> {
    match db.get_database_backend() {
        DbBackend::Postgres => {
            let txn = db.begin().await?;
            txn.execute_unprepared("SELECT pg_advisory_xact_lock(7365012458113)")
                .await?;
            Migrator::up(&txn, None).await?;
            txn.commit().await
        }
        DbBackend::MySql => {
            // GET_LOCK belongs to one session; a transaction pins the connection that holds it.
            // MySQL commits DDL implicitly, so the transaction serves only as that pin.
            let txn = db.begin().await?;
            let lock = Statement::from_string(
                DbBackend::MySql,
                "SELECT GET_LOCK('authhero_migrations', 60) AS locked",
            );
            let locked = txn
                .query_one_raw(lock)
                .await?
                .map(|row| row.try_get::<i64>("", "locked"))
                .transpose()?;
            if locked != Some(1) {
                return Err(DbErr::Custom(
                    "another node held the migration lock for 60 seconds".into(),
                ));
            }
            let result = Migrator::up(&txn, None).await;
            txn.execute_unprepared("SELECT RELEASE_LOCK('authhero_migrations')")
                .await?;
            txn.commit().await?;
            result
        }
        _ => Migrator::up(db, None).await,
    }
}
