//! Brute-force protection's counters: one row per tenant, identifier and IP with its count of
//! consecutive failed password logins, removed with its tenant.

use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0004_login_failures"
    }
}

/// The identifier is as long as the user columns it names (email, username, phone number); the
/// key stays within MySQL's 3072-byte index limit in utf8mb4.
const IDENTIFIER_LEN: u32 = 255;
const IP_LEN: u32 = 64;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table.table("login_failures").if_not_exists();
        if manager.get_database_backend() == DbBackend::MySql {
            // Binary collation, as every other table: exact, case-sensitive keys.
            table
                .engine("InnoDB")
                .character_set("utf8mb4")
                .collate("utf8mb4_bin");
        }
        table
            .col(ColumnDef::new("tenant_id").string_len(64).not_null())
            .col(
                ColumnDef::new("identifier")
                    .string_len(IDENTIFIER_LEN)
                    .not_null(),
            )
            .col(ColumnDef::new("ip").string_len(IP_LEN).not_null())
            .col(ColumnDef::new("failures").big_integer().not_null())
            .col(ColumnDef::new("last_failed_at").string_len(24).not_null())
            .primary_key(Index::create().col("tenant_id").col("identifier").col("ip"))
            .foreign_key(
                ForeignKey::create()
                    .name("fk_login_failures_tenant")
                    .from("login_failures", "tenant_id")
                    .to("tenants", "id")
                    .on_delete(ForeignKeyAction::Cascade),
            );
        manager.create_table(table.to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("login_failures").if_exists().to_owned())
            .await
    }
}
