//! PostgreSQL indexes for prefix search (`q=email:jo*`) on users' email and name. PostgreSQL
//! walks a b-tree for a prefix only under the "C" collation, so the prefix is also queried as a
//! range of `column COLLATE "C"`, which these expression indexes serve. SQLite and MySQL use
//! their existing indexes and get nothing here.

use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0003_postgres_prefix_indexes"
    }
}

/// (index, column) of each expression index.
const INDEXES: [(&str, &str); 2] = [
    ("ix_users_tenant_id_email_c", "email"),
    ("ix_users_tenant_id_name_c", "name"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        for (index, column) in INDEXES {
            manager
                .get_connection()
                .execute_unprepared(&format!(
                    r#"CREATE INDEX IF NOT EXISTS {index} ON users (tenant_id, ({column} COLLATE "C"))"#
                ))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        for (index, _) in INDEXES {
            manager
                .get_connection()
                .execute_unprepared(&format!("DROP INDEX IF EXISTS {index}"))
                .await?;
        }
        Ok(())
    }
}
