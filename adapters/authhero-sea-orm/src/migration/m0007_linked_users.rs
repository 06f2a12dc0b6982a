//! Account linking: a user linked into another keeps its row, naming the primary user in
//! `linked_to`, so lists can leave it out through an index and its logins find the primary.

use sea_orm_migration::prelude::*;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0007_linked_users"
    }
}

const INDEX: &str = "ix_users_tenant_id_linked_to";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("users")
                    .add_column(ColumnDef::new("linked_to").string_len(191).null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table("users")
                    .col("tenant_id")
                    .col("linked_to")
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name(INDEX).table("users").to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("users")
                    .drop_column("linked_to")
                    .to_owned(),
            )
            .await
    }
}
