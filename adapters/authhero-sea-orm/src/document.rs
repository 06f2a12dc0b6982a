//! The generic store behind every entity table: one JSON document per row, plus the promoted
//! columns that [`crate::schema`] derives from it.

use std::marker::PhantomData;

use async_trait::async_trait;
use authhero_core::list::{ListPage, ListParams, Pagination, SortOrder};
use authhero_core::ports::{Entity, Repository};
use authhero_core::{Error, Result};
use sea_orm::sea_query::{
    DeleteStatement, Expr, ExprTrait, InsertStatement, NullOrdering, Order, Query, SelectStatement,
    Value,
};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value as Json;

use crate::error::{corrupt, map_db_error};
use crate::filter;
use crate::schema::{Column, ColumnKind, Table};

/// The largest document stored: Auth0's own metadata limits sit far below it.
const MAX_DOCUMENT_BYTES: usize = 1024 * 1024;

/// The pools a store uses: writes and transactions on `write`, plain reads on `read`. They are
/// one pool except on an SQLite file, whose read-only connections read beside its one writer.
#[derive(Debug, Clone)]
pub(crate) struct Pools {
    pub write: DatabaseConnection,
    pub read: DatabaseConnection,
}

/// Reads and writes the documents of one table, optionally scoped to a tenant.
#[derive(Debug, Clone)]
pub(crate) struct DocumentStore {
    /// Writes, transactions, and reads that must see them at once.
    pub db: DatabaseConnection,
    /// Plain reads: a get, a list, a count.
    reader: DatabaseConnection,
    pub table: &'static Table,
}

impl DocumentStore {
    pub fn new(pools: Pools, table: &'static Table) -> Self {
        Self {
            db: pools.write,
            reader: pools.read,
            table,
        }
    }

    pub fn backend(&self) -> sea_orm::DbBackend {
        self.db.get_database_backend()
    }

    pub fn db_error(&self, error: sea_orm::DbErr) -> Error {
        map_db_error(self.table.entity, error)
    }

    /// Inserts the document; `Conflict` when its key or a unique column is taken.
    pub async fn insert(&self, tenant_id: Option<&str>, document: &impl Serialize) -> Result<()> {
        let insert = self.insert_statement(tenant_id, document)?;
        self.db
            .execute(&insert)
            .await
            .map_err(|error| self.db_error(error))?;
        Ok(())
    }

    /// The statement that inserts the document, checked (lengths, NUL, size) before any write.
    pub fn insert_statement(
        &self,
        tenant_id: Option<&str>,
        document: &impl Serialize,
    ) -> Result<InsertStatement> {
        self.insert_rows_statement(tenant_id, std::slice::from_ref(document))
    }

    /// One statement inserting every document (at least one), each checked before any write.
    pub fn insert_rows_statement<T: Serialize>(
        &self,
        tenant_id: Option<&str>,
        documents: &[T],
    ) -> Result<InsertStatement> {
        let mut insert = Query::insert();
        insert.into_table(self.table.name);
        for (index, document) in documents.iter().enumerate() {
            let row = Row::from_document(self.table, document)?;
            let mut columns = Vec::new();
            let mut values: Vec<Expr> = Vec::new();
            if let Some(tenant_id) = tenant_id {
                columns.push("tenant_id");
                values.push(Expr::val(tenant_id));
            }
            for (name, value) in row.values {
                columns.push(name);
                values.push(Expr::val(value));
            }
            columns.push("body");
            values.push(Expr::val(row.body));
            if index == 0 {
                insert.columns(columns);
            }
            insert
                .values(values)
                .map_err(|error| Error::internal(error.to_string()))?;
        }
        Ok(insert)
    }

    /// The stored document with this key, as JSON text.
    pub async fn fetch(&self, tenant_id: Option<&str>, key: &str) -> Result<Option<String>> {
        let mut select = Query::select();
        select
            .column("body")
            .from(self.table.name)
            .and_where(Expr::col(self.table.key.name).eq(key));
        self.scope(&mut select, tenant_id);
        let row = self
            .reader
            .query_one(&select)
            .await
            .map_err(|error| self.db_error(error))?;
        row.map(|row| {
            row.try_get::<String>("", "body")
                .map_err(|error| self.db_error(error))
        })
        .transpose()
    }

    /// Replaces the document with the same key; false when there is none.
    pub async fn replace(
        &self,
        tenant_id: Option<&str>,
        document: &impl Serialize,
    ) -> Result<bool> {
        let row = Row::from_document(self.table, document)?;
        let mut update = Query::update();
        update.table(self.table.name);
        for (name, value) in row.values {
            if name != self.table.key.name {
                update.value(name, value);
            }
        }
        update
            .value("body", row.body)
            .and_where(Expr::col(self.table.key.name).eq(row.key));
        if let Some(tenant_id) = tenant_id {
            update.and_where(Expr::col("tenant_id").eq(tenant_id));
        }
        let result = self
            .db
            .execute(&update)
            .await
            .map_err(|error| self.db_error(error))?;
        Ok(result.rows_affected() > 0)
    }

    /// Deletes the document with this key; false when there was none.
    pub async fn delete(&self, tenant_id: Option<&str>, key: &str) -> Result<bool> {
        let mut delete = Query::delete();
        delete.and_where(Expr::col(self.table.key.name).eq(key));
        if let Some(tenant_id) = tenant_id {
            delete.and_where(Expr::col("tenant_id").eq(tenant_id));
        }
        Ok(self.delete_matching(delete).await? > 0)
    }

    /// Deletes the rows of this table that match `delete`'s conditions (the caller scopes them
    /// to a tenant); how many there were.
    pub async fn delete_matching(&self, mut delete: DeleteStatement) -> Result<u64> {
        delete.from_table(self.table.name);
        let result = self
            .db
            .execute(&delete)
            .await
            .map_err(|error| self.db_error(error))?;
        Ok(result.rows_affected())
    }

    /// One page of documents, filtered by `q`, sorted, with totals when asked.
    pub async fn list(
        &self,
        tenant_id: Option<&str>,
        params: &ListParams,
    ) -> Result<ListPage<String>> {
        params.validate()?;
        let mut select = Query::select();
        select.from(self.table.name);
        self.scope(&mut select, tenant_id);
        if let Some(q) = &params.q {
            select.cond_where(filter::condition(self.table, self.backend(), q)?);
        }
        let key = self.table.key.name;
        match &params.pagination {
            Pagination::Offset { .. } => {
                let total = if params.include_totals {
                    Some(self.count(&select).await?)
                } else {
                    None
                };
                let prefix = match &params.sort {
                    None => params
                        .q
                        .as_ref()
                        .and_then(|q| filter::prefix_column(self.table, q)),
                    Some(_) => None,
                };
                let (offset, limit) = params.offset_and_limit();
                select.column("body");
                if let Some(column) = prefix {
                    // In the order of the index the prefix walks (PostgreSQL's is under "C",
                    // see migration m0003); every match has the column, so no NULLS clause,
                    // which SQLite would satisfy by sorting.
                    let walked = match self.backend() {
                        sea_orm::DbBackend::Postgres => {
                            Expr::cust(format!("(\"{}\" COLLATE \"C\")", column.name))
                        }
                        _ => Expr::col(column.name),
                    };
                    select
                        .order_by_expr(walked, Order::Asc)
                        .order_by(key, Order::Asc);
                } else {
                    let (column, descending) = match &params.sort {
                        Some(sort) => (
                            filter::sort_column(self.table, &sort.field)?.name,
                            sort.order == SortOrder::Descending,
                        ),
                        None => (self.table.default_sort, self.table.default_descending),
                    };
                    let order = if descending { Order::Desc } else { Order::Asc };
                    // Without statistics SQLite walks the sort column's index and filters
                    // every row of the tenant; `+column` keeps it on the index that serves the
                    // filter.
                    let sort = if params.q.is_some() && self.backend() == sea_orm::DbBackend::Sqlite
                    {
                        Expr::cust(format!("+\"{column}\""))
                    } else {
                        Expr::col(column)
                    };
                    select
                        .order_by_expr_with_nulls(sort, order.clone(), NullOrdering::Last)
                        .order_by(key, order);
                }
                select.offset(offset).limit(limit);
                let items = self.bodies(&select).await?;
                Ok(ListPage {
                    items,
                    total,
                    next: None,
                })
            }
            Pagination::Checkpoint(checkpoint) => {
                if let Some(from) = &checkpoint.from {
                    select.and_where(Expr::col(key).gt(from.as_str()));
                }
                select
                    .column(key)
                    .column("body")
                    .order_by(key, Order::Asc)
                    .limit(u64::from(checkpoint.take) + 1);
                let rows = self
                    .reader
                    .query_all(&select)
                    .await
                    .map_err(|error| self.db_error(error))?;
                let more = rows.len() > checkpoint.take as usize;
                let mut items = Vec::with_capacity(rows.len());
                let mut last_key = None;
                for row in rows.into_iter().take(checkpoint.take as usize) {
                    last_key = Some(
                        row.try_get::<String>("", key)
                            .map_err(|error| self.db_error(error))?,
                    );
                    items.push(
                        row.try_get::<String>("", "body")
                            .map_err(|error| self.db_error(error))?,
                    );
                }
                Ok(ListPage {
                    items,
                    total: None,
                    next: if more { last_key } else { None },
                })
            }
        }
    }

    /// The stored document with this key, parsed.
    pub async fn get_as<T: DeserializeOwned>(
        &self,
        tenant_id: Option<&str>,
        key: &str,
    ) -> Result<Option<T>> {
        let body = self.fetch(tenant_id, key).await?;
        body.map(|body| parse(self.table.entity, &body)).transpose()
    }

    /// One page of documents, parsed.
    pub async fn list_as<T: DeserializeOwned>(
        &self,
        tenant_id: Option<&str>,
        params: &ListParams,
    ) -> Result<ListPage<T>> {
        let page = self.list(tenant_id, params).await?;
        let items = page
            .items
            .iter()
            .map(|body| parse(self.table.entity, body))
            .collect::<Result<Vec<T>>>()?;
        Ok(ListPage {
            items,
            total: page.total,
            next: page.next,
        })
    }

    /// Replaces the stored document with `value`; `NotFound` when there is none.
    pub async fn update_as<T: Serialize>(&self, tenant_id: Option<&str>, value: T) -> Result<T> {
        if self.replace(tenant_id, &value).await? {
            Ok(value)
        } else {
            Err(Error::not_found(self.table.entity))
        }
    }

    fn scope(&self, select: &mut SelectStatement, tenant_id: Option<&str>) {
        if let Some(tenant_id) = tenant_id {
            select.and_where(Expr::col("tenant_id").eq(tenant_id));
        }
    }

    async fn count(&self, filtered: &SelectStatement) -> Result<u64> {
        let mut count = filtered.clone();
        count.expr_as(Expr::cust("COUNT(*)"), "total");
        let row = self
            .reader
            .query_one(&count)
            .await
            .map_err(|error| self.db_error(error))?;
        let total = match row {
            Some(row) => row
                .try_get::<i64>("", "total")
                .map_err(|error| self.db_error(error))?,
            None => 0,
        };
        Ok(u64::try_from(total).unwrap_or_default())
    }

    async fn bodies(&self, select: &SelectStatement) -> Result<Vec<String>> {
        let rows = self
            .reader
            .query_all(select)
            .await
            .map_err(|error| self.db_error(error))?;
        rows.iter()
            .map(|row| {
                row.try_get::<String>("", "body")
                    .map_err(|error| self.db_error(error))
            })
            .collect()
    }
}

/// A document checked and split into its promoted column values and its JSON text.
struct Row {
    key: String,
    values: Vec<(&'static str, Value)>,
    body: String,
}

/// The document as JSON, refused when it cannot be stored the same on every backend.
fn to_json(entity: &'static str, document: &impl Serialize) -> Result<(Json, String)> {
    let json = serde_json::to_value(document).map_err(|error| Error::invalid(error.to_string()))?;
    check_text(&json)?;
    let body = json.to_string();
    if body.len() > MAX_DOCUMENT_BYTES {
        return Err(Error::invalid(format!(
            "{entity} is {} bytes; at most {MAX_DOCUMENT_BYTES} are stored",
            body.len()
        )));
    }
    Ok((json, body))
}

/// The JSON text of a document stored without promoted columns.
pub(crate) fn check_document(entity: &'static str, document: &impl Serialize) -> Result<String> {
    to_json(entity, document).map(|(_, body)| body)
}

impl Row {
    fn from_document(table: &'static Table, document: &impl Serialize) -> Result<Row> {
        let (json, body) = to_json(table.entity, document)?;
        let key = match promoted_value(table, &table.key, &json)? {
            Value::String(Some(key)) => key,
            _ => return Err(Error::invalid(format!("{} needs an id", table.entity))),
        };
        if key.is_empty() {
            return Err(Error::invalid(format!(
                "{} id must not be empty",
                table.entity
            )));
        }
        let mut values = vec![(table.key.name, Value::from(key.clone()))];
        for column in table.columns {
            values.push((column.name, promoted_value(table, column, &json)?));
        }
        Ok(Row { key, values, body })
    }
}

fn promoted_value(table: &Table, column: &Column, json: &Json) -> Result<Value> {
    let found = json
        .pointer(column.pointer)
        .filter(|value| !value.is_null());
    let Some(found) = found else {
        if column.required {
            return Err(Error::invalid(format!(
                "{} needs {}",
                table.entity, column.name
            )));
        }
        return Ok(null_of(column.kind));
    };
    let wrong_type = || {
        Error::invalid(format!(
            "{}.{} has the wrong type",
            table.entity, column.name
        ))
    };
    Ok(match column.kind {
        ColumnKind::Text | ColumnKind::Folded | ColumnKind::Timestamp => {
            let text = found.as_str().ok_or_else(wrong_type)?;
            if text.chars().count() > column.max_len {
                return Err(Error::invalid(format!(
                    "{}.{} is longer than {} characters",
                    table.entity, column.name, column.max_len
                )));
            }
            if column.kind == ColumnKind::Folded {
                Value::from(text.to_lowercase())
            } else {
                Value::from(text.to_owned())
            }
        }
        ColumnKind::Integer => Value::from(found.as_i64().ok_or_else(wrong_type)?),
        ColumnKind::Boolean => Value::from(found.as_bool().ok_or_else(wrong_type)?),
    })
}

fn null_of(kind: ColumnKind) -> Value {
    match kind {
        ColumnKind::Text | ColumnKind::Folded | ColumnKind::Timestamp => Value::String(None),
        ColumnKind::Integer => Value::BigInt(None),
        ColumnKind::Boolean => Value::Bool(None),
    }
}

/// NUL cannot be stored in PostgreSQL text; refuse it everywhere so every backend agrees.
fn check_text(json: &Json) -> Result<()> {
    let has_nul = |text: &str| text.contains('\0');
    match json {
        Json::String(text) if has_nul(text) => {
            Err(Error::invalid("text must not contain NUL characters"))
        }
        Json::Array(items) => items.iter().try_for_each(check_text),
        Json::Object(members) => members.iter().try_for_each(|(name, value)| {
            if has_nul(name) {
                return Err(Error::invalid("text must not contain NUL characters"));
            }
            check_text(value)
        }),
        _ => Ok(()),
    }
}

pub(crate) fn parse<T: DeserializeOwned>(entity: &'static str, body: &str) -> Result<T> {
    serde_json::from_str(body).map_err(|error| corrupt(entity, error))
}

/// `Repository<E>` over a [`DocumentStore`].
#[derive(Debug)]
pub(crate) struct Documents<E> {
    pub store: DocumentStore,
    entity: PhantomData<fn() -> E>,
}

impl<E> Documents<E> {
    pub fn new(pools: Pools, table: &'static Table) -> Self {
        Self {
            store: DocumentStore::new(pools, table),
            entity: PhantomData,
        }
    }
}

#[async_trait]
impl<E: Entity> Repository<E> for Documents<E> {
    async fn create(&self, tenant_id: &str, entity: E) -> Result<E> {
        self.store.insert(Some(tenant_id), &entity).await?;
        Ok(entity)
    }

    async fn get(&self, tenant_id: &str, id: &str) -> Result<Option<E>> {
        self.store.get_as(Some(tenant_id), id).await
    }

    async fn list(&self, tenant_id: &str, params: &ListParams) -> Result<ListPage<E>> {
        self.store.list_as(Some(tenant_id), params).await
    }

    async fn update(&self, tenant_id: &str, entity: E) -> Result<E> {
        self.store.update_as(Some(tenant_id), entity).await
    }

    async fn remove(&self, tenant_id: &str, id: &str) -> Result<bool> {
        self.store.delete(Some(tenant_id), id).await
    }
}
