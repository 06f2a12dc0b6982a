//! Single-use codes, consumed with one conditional UPDATE so exactly one consumer wins.

use async_trait::async_trait;
use authhero_core::entities::{Code, CodeType};
use authhero_core::ports::CodesRepository;
use authhero_core::{Result, Timestamp};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Query};

use crate::document::Documents;

#[async_trait]
impl CodesRepository for Documents<Code> {
    async fn consume(
        &self,
        tenant_id: &str,
        code_id: &str,
        code_type: CodeType,
        now: Timestamp,
    ) -> Result<Option<Code>> {
        let Some(mut code) = self.store.get_as::<Code>(Some(tenant_id), code_id).await? else {
            return Ok(None);
        };
        if code.code_type != code_type || code.used_at.is_some() || code.expires_at <= now {
            return Ok(None);
        }
        code.used_at = Some(now);
        let body = serde_json::to_string(&code)
            .map_err(|error| authhero_core::Error::internal(error.to_string()).caused_by(error))?;
        // The claim: only a row that is still unused turns used, so one UPDATE decides the winner.
        let mut claim = Query::update();
        claim
            .table(self.store.table.name)
            .value("used_at", now.to_iso())
            .value("body", body)
            .and_where(Expr::col("tenant_id").eq(tenant_id))
            .and_where(Expr::col("code_id").eq(code_id))
            .and_where(Expr::col("code_type").eq(code_type.as_str()))
            .and_where(Expr::col("used_at").is_null())
            .and_where(Expr::col("expires_at").gt(now.to_iso()));
        let result = self
            .store
            .db
            .execute(&claim)
            .await
            .map_err(|error| self.store.db_error(error))?;
        Ok((result.rows_affected() == 1).then_some(code))
    }
}
