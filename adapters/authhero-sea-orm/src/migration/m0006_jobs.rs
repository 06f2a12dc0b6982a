//! Background jobs: one document per job, with its id and creation time as columns, removed
//! with its tenant.

use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0006_jobs"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let mut table = Table::create();
        table.table("jobs").if_not_exists();
        let mut body = ColumnDef::new("body");
        if backend == DbBackend::MySql {
            // Binary collation, as every other table; LONGTEXT, as a job's errors may be long.
            table
                .engine("InnoDB")
                .character_set("utf8mb4")
                .collate("utf8mb4_bin");
            body.custom("LONGTEXT");
        } else {
            body.text();
        }
        table
            .col(ColumnDef::new("tenant_id").string_len(64).not_null())
            .col(ColumnDef::new("id").string_len(191).not_null())
            .col(ColumnDef::new("created_at").string_len(24).not_null())
            .col(body.not_null())
            .primary_key(Index::create().col("tenant_id").col("id"))
            .foreign_key(
                ForeignKey::create()
                    .name("fk_jobs_tenant")
                    .from("jobs", "tenant_id")
                    .to("tenants", "id")
                    .on_delete(ForeignKeyAction::Cascade),
            );
        manager.create_table(table.to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("jobs").if_exists().to_owned())
            .await
    }
}
