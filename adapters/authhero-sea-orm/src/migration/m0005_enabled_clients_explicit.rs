//! Connections used to read an empty `enabled_clients` as "every client"; it now means none, as
//! in Auth0. So that an upgrade locks nobody out, every connection stored with an empty list
//! gets the clients its tenant has at upgrade time, which is what it enabled until then. Runs
//! once, like every migration: lists emptied later keep their meaning.

use sea_orm::ConnectionTrait;
use sea_orm_migration::prelude::*;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0005_enabled_clients_explicit"
    }
}

fn malformed(error: serde_json::Error) -> DbErr {
    DbErr::Custom(format!("a stored connection is not JSON: {error}"))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let connections = db
            .query_all(
                Query::select()
                    .columns(["tenant_id", "id", "body"])
                    .from("connections"),
            )
            .await?;
        for row in connections {
            let tenant_id: String = row.try_get("", "tenant_id")?;
            let id: String = row.try_get("", "id")?;
            let body: String = row.try_get("", "body")?;
            let mut document: serde_json::Value = serde_json::from_str(&body).map_err(malformed)?;
            let empty = document
                .get("enabled_clients")
                .and_then(serde_json::Value::as_array)
                .is_none_or(Vec::is_empty);
            if !empty {
                continue;
            }
            let clients: Vec<String> = db
                .query_all(
                    Query::select()
                        .column("client_id")
                        .from("clients")
                        .and_where(Expr::col("tenant_id").eq(tenant_id.as_str()))
                        .order_by("created_at", Order::Asc),
                )
                .await?
                .into_iter()
                .map(|row| row.try_get::<String>("", "client_id"))
                .collect::<Result<_, _>>()?;
            if clients.is_empty() {
                continue;
            }
            document["enabled_clients"] = clients.into();
            db.execute(
                Query::update()
                    .table("connections")
                    .value("body", document.to_string())
                    .and_where(Expr::col("tenant_id").eq(tenant_id.as_str()))
                    .and_where(Expr::col("id").eq(id.as_str())),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        // The lists it filled are indistinguishable from ones set by hand; leave them.
        Ok(())
    }
}
