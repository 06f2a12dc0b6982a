//! Refresh tokens get a `rotated_at` column, so a rotation is claimed by one conditional UPDATE
//! and two concurrent exchanges of one token cannot both succeed.

use sea_orm_migration::prelude::*;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0002_refresh_token_rotation"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let column = ColumnDef::new("rotated_at")
            .string_len(24)
            .null()
            .to_owned();
        manager
            .alter_table(
                Table::alter()
                    .table("refresh_tokens")
                    .add_column(column)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("refresh_tokens")
                    .drop_column("rotated_at")
                    .to_owned(),
            )
            .await
    }
}
