//! Brute-force protection's counters, each failure added by one upsert so concurrent failures
//! on every node add up exactly.

use async_trait::async_trait;
use authhero_core::entities::LoginFailure;
use authhero_core::ports::LoginFailuresRepository;
use authhero_core::{Error, Result, Timestamp};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Order, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection, QueryResult, TransactionTrait};

use crate::error::map_db_error;

const TABLE: &str = "login_failures";
const ENTITY: &str = "login failure";
/// The column lengths of m0004.
const IDENTIFIER_LEN: usize = 255;
const IP_LEN: usize = 64;

#[derive(Debug)]
pub(crate) struct LoginFailures {
    db: DatabaseConnection,
}

impl LoginFailures {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

/// Refuses what no row can hold, before it reaches the database (PostgreSQL cannot store NUL).
fn check(name: &str, value: &str, max_len: usize) -> Result<()> {
    if value.is_empty() || value.chars().count() > max_len || value.contains('\0') {
        return Err(Error::invalid(format!(
            "login failure {name} must be 1 to {max_len} characters without NUL"
        )));
    }
    Ok(())
}

fn check_key(identifier: &str, ip: &str) -> Result<()> {
    check("identifier", identifier, IDENTIFIER_LEN)?;
    check("ip", ip, IP_LEN)
}

fn db_error(error: sea_orm::DbErr) -> Error {
    map_db_error(ENTITY, error)
}

fn failures(row: &QueryResult) -> Result<u32> {
    let count: i64 = row.try_get("", "failures").map_err(db_error)?;
    u32::try_from(count)
        .map_err(|_| Error::internal(format!("login failures out of range: {count}")))
}

#[async_trait]
impl LoginFailuresRepository for LoginFailures {
    async fn record(
        &self,
        tenant_id: &str,
        identifier: &str,
        ip: &str,
        now: Timestamp,
    ) -> Result<u32> {
        check_key(identifier, ip)?;
        let now = now.to_iso();
        // One statement either creates the row or adds to it, holding the row's lock until the
        // commit, so the count read back in the same transaction is this failure's.
        let mut upsert = Query::insert();
        upsert
            .into_table(TABLE)
            .columns([
                "tenant_id",
                "identifier",
                "ip",
                "failures",
                "last_failed_at",
            ])
            .values([
                Expr::val(tenant_id),
                Expr::val(identifier),
                Expr::val(ip),
                Expr::val(1_i64),
                Expr::val(now.as_str()),
            ])
            .map_err(|error| Error::internal(error.to_string()))?
            .on_conflict(
                OnConflict::columns(["tenant_id", "identifier", "ip"])
                    .value("failures", Expr::col((TABLE, "failures")).add(1))
                    .value("last_failed_at", Expr::val(now.as_str()))
                    .to_owned(),
            );
        let mut select = Query::select();
        select
            .column("failures")
            .from(TABLE)
            .and_where(Expr::col("tenant_id").eq(tenant_id))
            .and_where(Expr::col("identifier").eq(identifier))
            .and_where(Expr::col("ip").eq(ip));
        let txn = self.db.begin().await.map_err(db_error)?;
        txn.execute(&upsert).await.map_err(db_error)?;
        let row = txn.query_one(&select).await.map_err(db_error)?;
        txn.commit().await.map_err(db_error)?;
        let row = row.ok_or_else(|| Error::internal("recorded login failure vanished"))?;
        failures(&row)
    }

    async fn clear(&self, tenant_id: &str, identifier: &str, ip: &str) -> Result<bool> {
        check_key(identifier, ip)?;
        let mut delete = Query::delete();
        delete
            .from_table(TABLE)
            .and_where(Expr::col("tenant_id").eq(tenant_id))
            .and_where(Expr::col("identifier").eq(identifier))
            .and_where(Expr::col("ip").eq(ip));
        let result = self.db.execute(&delete).await.map_err(db_error)?;
        Ok(result.rows_affected() > 0)
    }

    async fn list(&self, tenant_id: &str, identifiers: &[String]) -> Result<Vec<LoginFailure>> {
        for identifier in identifiers {
            check("identifier", identifier, IDENTIFIER_LEN)?;
        }
        if identifiers.is_empty() {
            return Ok(Vec::new());
        }
        let mut select = Query::select();
        select
            .columns(["identifier", "ip", "failures", "last_failed_at"])
            .from(TABLE)
            .and_where(Expr::col("tenant_id").eq(tenant_id))
            .and_where(Expr::col("identifier").is_in(identifiers.iter().map(String::as_str)))
            .order_by("identifier", Order::Asc)
            .order_by("ip", Order::Asc);
        let rows = self.db.query_all(&select).await.map_err(db_error)?;
        rows.iter()
            .map(|row| {
                let text = |column: &str| row.try_get::<String>("", column).map_err(db_error);
                let last_failed_at = text("last_failed_at")?;
                Ok(LoginFailure {
                    identifier: text("identifier")?,
                    ip: text("ip")?,
                    failures: failures(row)?,
                    last_failed_at: Timestamp::parse(&last_failed_at).ok_or_else(|| {
                        Error::internal(format!("stored time does not parse: {last_failed_at}"))
                    })?,
                })
            })
            .collect()
    }

    async fn clear_identifiers(&self, tenant_id: &str, identifiers: &[String]) -> Result<u64> {
        for identifier in identifiers {
            check("identifier", identifier, IDENTIFIER_LEN)?;
        }
        if identifiers.is_empty() {
            return Ok(0);
        }
        let mut delete = Query::delete();
        delete
            .from_table(TABLE)
            .and_where(Expr::col("tenant_id").eq(tenant_id))
            .and_where(Expr::col("identifier").is_in(identifiers.iter().map(String::as_str)));
        let result = self.db.execute(&delete).await.map_err(db_error)?;
        Ok(result.rows_affected())
    }
}
