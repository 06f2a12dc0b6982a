//! Per-tenant singletons (branding, prompt settings, email provider) and custom texts, written
//! with one upsert each.

use std::marker::PhantomData;

use async_trait::async_trait;
use authhero_core::entities::CustomText;
use authhero_core::ports::{CustomTextsRepository, TenantSetting};
use authhero_core::{Error, Result};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Order, Query, SelectStatement};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::document::{check_document, parse};
use crate::error::map_db_error;

/// Inserts `body` under the given key columns, or replaces the body of the row already there.
async fn upsert(
    db: &DatabaseConnection,
    table: &'static str,
    entity: &'static str,
    key: &[(&'static str, &str)],
    value: &impl Serialize,
) -> Result<()> {
    let body = check_document(entity, value)?;
    let mut insert = Query::insert();
    let mut columns: Vec<&'static str> = key.iter().map(|(column, _)| *column).collect();
    let mut values: Vec<Expr> = key.iter().map(|(_, value)| Expr::val(*value)).collect();
    columns.push("body");
    values.push(Expr::val(body));
    insert
        .into_table(table)
        .columns(columns.clone())
        .values(values)
        .map_err(|error| Error::internal(error.to_string()))?
        .on_conflict(
            OnConflict::columns(columns[..key.len()].to_vec())
                .update_column("body")
                .to_owned(),
        );
    db.execute(&insert)
        .await
        .map_err(|error| map_db_error(entity, error))?;
    Ok(())
}

async fn bodies<T: DeserializeOwned>(
    db: &DatabaseConnection,
    entity: &'static str,
    select: &SelectStatement,
) -> Result<Vec<T>> {
    let rows = db
        .query_all(select)
        .await
        .map_err(|error| map_db_error(entity, error))?;
    rows.iter()
        .map(|row| {
            let body: String = row
                .try_get("", "body")
                .map_err(|error| map_db_error(entity, error))?;
            parse(entity, &body)
        })
        .collect()
}

async fn delete(
    db: &DatabaseConnection,
    table: &'static str,
    entity: &'static str,
    key: &[(&'static str, &str)],
) -> Result<bool> {
    let mut delete = Query::delete();
    delete.from_table(table);
    for (column, value) in key {
        delete.and_where(Expr::col(*column).eq(*value));
    }
    let result = db
        .execute(&delete)
        .await
        .map_err(|error| map_db_error(entity, error))?;
    Ok(result.rows_affected() > 0)
}

/// One row per tenant and `kind` in `tenant_settings`.
pub(crate) struct Setting<T> {
    db: DatabaseConnection,
    kind: &'static str,
    value: PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for Setting<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Setting")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl<T> Setting<T> {
    pub fn new(db: DatabaseConnection, kind: &'static str) -> Self {
        Self {
            db,
            kind,
            value: PhantomData,
        }
    }
}

#[async_trait]
impl<T> TenantSetting<T> for Setting<T>
where
    T: Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
{
    async fn get(&self, tenant_id: &str) -> Result<Option<T>> {
        let mut select = Query::select();
        select
            .column("body")
            .from("tenant_settings")
            .and_where(Expr::col("tenant_id").eq(tenant_id))
            .and_where(Expr::col("kind").eq(self.kind));
        Ok(bodies(&self.db, self.kind, &select)
            .await?
            .into_iter()
            .next())
    }

    async fn set(&self, tenant_id: &str, value: T) -> Result<T> {
        let key = [("tenant_id", tenant_id), ("kind", self.kind)];
        upsert(&self.db, "tenant_settings", self.kind, &key, &value).await?;
        Ok(value)
    }

    async fn remove(&self, tenant_id: &str) -> Result<bool> {
        delete(
            &self.db,
            "tenant_settings",
            self.kind,
            &[("tenant_id", tenant_id), ("kind", self.kind)],
        )
        .await
    }
}

#[derive(Debug)]
pub(crate) struct CustomTexts {
    db: DatabaseConnection,
}

impl CustomTexts {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

const CUSTOM_TEXT: &str = "custom text";

#[async_trait]
impl CustomTextsRepository for CustomTexts {
    async fn get(
        &self,
        tenant_id: &str,
        prompt: &str,
        language: &str,
    ) -> Result<Option<CustomText>> {
        let mut select = Query::select();
        select
            .column("body")
            .from("custom_texts")
            .and_where(Expr::col("tenant_id").eq(tenant_id))
            .and_where(Expr::col("prompt").eq(prompt))
            .and_where(Expr::col("language").eq(language));
        Ok(bodies(&self.db, CUSTOM_TEXT, &select)
            .await?
            .into_iter()
            .next())
    }

    async fn set(&self, tenant_id: &str, custom_text: CustomText) -> Result<CustomText> {
        for (name, value) in [
            ("prompt", &custom_text.prompt),
            ("language", &custom_text.language),
        ] {
            if value.is_empty() || value.chars().count() > 191 {
                return Err(Error::invalid(format!(
                    "custom text {name} must be 1 to 191 characters"
                )));
            }
        }
        let key = [
            ("tenant_id", tenant_id),
            ("prompt", custom_text.prompt.as_str()),
            ("language", custom_text.language.as_str()),
        ];
        upsert(&self.db, "custom_texts", CUSTOM_TEXT, &key, &custom_text).await?;
        Ok(custom_text)
    }

    async fn remove(&self, tenant_id: &str, prompt: &str, language: &str) -> Result<bool> {
        let key = [
            ("tenant_id", tenant_id),
            ("prompt", prompt),
            ("language", language),
        ];
        delete(&self.db, "custom_texts", CUSTOM_TEXT, &key).await
    }

    async fn list(&self, tenant_id: &str) -> Result<Vec<CustomText>> {
        let mut select = Query::select();
        select
            .column("body")
            .from("custom_texts")
            .and_where(Expr::col("tenant_id").eq(tenant_id))
            .order_by("prompt", Order::Asc)
            .order_by("language", Order::Asc);
        bodies(&self.db, CUSTOM_TEXT, &select).await
    }
}
