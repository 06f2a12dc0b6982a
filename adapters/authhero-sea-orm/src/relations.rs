//! Relationship tables: role and user permissions, user roles, organization members and
//! organization connections. Plain columns; assignments are idempotent upserts.

use async_trait::async_trait;
use authhero_core::entities::{
    OrganizationConnection, OrganizationMember, Permission, Role, RoleAssignment,
};
use authhero_core::list::{ListPage, ListParams, Pagination};
use authhero_core::ports::{
    OrganizationConnectionsRepository, OrganizationMembersRepository, PermissionsRepository,
    UserRolesRepository,
};
use authhero_core::{Error, Result, Timestamp};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Order, Query, SelectStatement};
use sea_orm::{ConnectionTrait, DatabaseConnection, QueryResult, TransactionTrait};

use crate::document::{check_document, parse};
use crate::error::map_db_error;

/// Tenant-wide roles are stored with this organization id, so it can be part of the key.
const NO_ORGANIZATION: &str = "";

/// Inserts rows of string columns, keeping rows that are already there.
async fn insert_missing(
    db: &impl ConnectionTrait,
    table: &'static str,
    entity: &'static str,
    columns: &[&'static str],
    rows: Vec<Vec<String>>,
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut insert = Query::insert();
    insert.into_table(table).columns(columns.to_vec());
    for row in rows {
        insert
            .values(row.into_iter().map(Expr::val))
            .map_err(|error| Error::internal(error.to_string()))?;
    }
    insert.on_conflict(
        OnConflict::columns(columns.iter().take(columns.len() - 1).copied())
            .do_nothing_on(["tenant_id"])
            .to_owned(),
    );
    db.execute(&insert)
        .await
        .map_err(|error| map_db_error(entity, error))?;
    Ok(())
}

/// Runs a page of `select` (already filtered) ordered by `order`, with totals when asked.
/// Relationship lists page by `page`/`per_page` only, as Auth0's do; `q` and `sort` are refused.
async fn page(
    db: &DatabaseConnection,
    entity: &'static str,
    mut select: SelectStatement,
    order: &[Expr],
    params: &ListParams,
) -> Result<(Vec<QueryResult>, Option<u64>)> {
    params.validate()?;
    if params.q.is_some() || params.sort.is_some() {
        return Err(Error::invalid(format!("{entity} lists take no q or sort")));
    }
    if matches!(params.pagination, Pagination::Checkpoint(_)) {
        return Err(Error::invalid(format!(
            "{entity} lists page with page and per_page"
        )));
    }
    let total = if params.include_totals {
        let mut count = select.clone();
        count
            .clear_selects()
            .expr_as(Expr::cust("COUNT(*)"), "total");
        let row = db
            .query_one(&count)
            .await
            .map_err(|error| map_db_error(entity, error))?;
        let total = match row {
            Some(row) => row
                .try_get::<i64>("", "total")
                .map_err(|error| map_db_error(entity, error))?,
            None => 0,
        };
        Some(u64::try_from(total).unwrap_or_default())
    } else {
        None
    };
    let (offset, limit) = params.offset_and_limit();
    for expr in order {
        select.order_by_expr(expr.clone(), Order::Asc);
    }
    select.offset(offset).limit(limit);
    let rows = db
        .query_all(&select)
        .await
        .map_err(|error| map_db_error(entity, error))?;
    Ok((rows, total))
}

fn text(row: &QueryResult, entity: &'static str, column: &str) -> Result<String> {
    row.try_get::<String>("", column)
        .map_err(|error| map_db_error(entity, error))
}

/// Permissions held by the owner (a role or a user) in `table`, keyed by `owner_column`.
#[derive(Debug)]
pub(crate) struct Permissions {
    db: DatabaseConnection,
    table: &'static str,
    owner_column: &'static str,
}

impl Permissions {
    pub fn of_roles(db: DatabaseConnection) -> Self {
        Self {
            db,
            table: "role_permissions",
            owner_column: "role_id",
        }
    }

    pub fn of_users(db: DatabaseConnection) -> Self {
        Self {
            db,
            table: "user_permissions",
            owner_column: "user_id",
        }
    }

    async fn assign(&self, tenant_id: &str, owner: &str, permissions: &[Permission]) -> Result<()> {
        for permission in permissions {
            check_lengths(&[&permission.resource_server_identifier], 255)?;
            check_lengths(&[&permission.permission_name], 191)?;
        }
        let now = Timestamp::now().to_iso();
        let rows = permissions
            .iter()
            .map(|permission| {
                vec![
                    tenant_id.to_owned(),
                    owner.to_owned(),
                    permission.resource_server_identifier.clone(),
                    permission.permission_name.clone(),
                    now.clone(),
                ]
            })
            .collect();
        let columns = [
            "tenant_id",
            self.owner_column,
            "resource_server_identifier",
            "permission_name",
            "created_at",
        ];
        insert_missing(&self.db, self.table, "permission", &columns, rows).await
    }

    async fn remove(&self, tenant_id: &str, owner: &str, permissions: &[Permission]) -> Result<()> {
        let txn = self
            .db
            .begin()
            .await
            .map_err(|error| map_db_error("permission", error))?;
        for permission in permissions {
            let mut delete = Query::delete();
            delete
                .from_table(self.table)
                .and_where(Expr::col("tenant_id").eq(tenant_id))
                .and_where(Expr::col(self.owner_column).eq(owner))
                .and_where(
                    Expr::col("resource_server_identifier")
                        .eq(permission.resource_server_identifier.as_str()),
                )
                .and_where(Expr::col("permission_name").eq(permission.permission_name.as_str()));
            txn.execute(&delete)
                .await
                .map_err(|error| map_db_error("permission", error))?;
        }
        txn.commit()
            .await
            .map_err(|error| map_db_error("permission", error))
    }

    async fn list(
        &self,
        tenant_id: &str,
        owner: &str,
        params: &ListParams,
    ) -> Result<ListPage<Permission>> {
        let mut select = Query::select();
        select
            .columns(["resource_server_identifier", "permission_name"])
            .from(self.table)
            .and_where(Expr::col("tenant_id").eq(tenant_id))
            .and_where(Expr::col(self.owner_column).eq(owner));
        let order = [
            Expr::col("resource_server_identifier"),
            Expr::col("permission_name"),
        ];
        let (rows, total) = page(&self.db, "permission", select, &order, params).await?;
        let items = rows
            .iter()
            .map(|row| {
                Ok(Permission {
                    resource_server_identifier: text(
                        row,
                        "permission",
                        "resource_server_identifier",
                    )?,
                    permission_name: text(row, "permission", "permission_name")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(ListPage {
            items,
            total,
            next: None,
        })
    }
}

fn check_lengths(values: &[&str], max: usize) -> Result<()> {
    for value in values {
        if value.is_empty() || value.chars().count() > max {
            return Err(Error::invalid(format!(
                "values must be 1 to {max} characters"
            )));
        }
    }
    Ok(())
}

#[async_trait]
impl PermissionsRepository for Permissions {
    async fn assign(
        &self,
        tenant_id: &str,
        owner_id: &str,
        permissions: &[Permission],
    ) -> Result<()> {
        Permissions::assign(self, tenant_id, owner_id, permissions).await
    }
    async fn remove(
        &self,
        tenant_id: &str,
        owner_id: &str,
        permissions: &[Permission],
    ) -> Result<()> {
        Permissions::remove(self, tenant_id, owner_id, permissions).await
    }
    async fn list(
        &self,
        tenant_id: &str,
        owner_id: &str,
        params: &ListParams,
    ) -> Result<ListPage<Permission>> {
        Permissions::list(self, tenant_id, owner_id, params).await
    }
}

#[derive(Debug)]
pub(crate) struct UserRoles {
    db: DatabaseConnection,
}

impl UserRoles {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

#[async_trait]
impl UserRolesRepository for UserRoles {
    async fn assign(
        &self,
        tenant_id: &str,
        user_id: &str,
        role_ids: &[String],
        organization_id: Option<&str>,
    ) -> Result<()> {
        let organization = organization_id.unwrap_or(NO_ORGANIZATION);
        let now = Timestamp::now().to_iso();
        let rows = role_ids
            .iter()
            .map(|role_id| {
                vec![
                    tenant_id.to_owned(),
                    user_id.to_owned(),
                    organization.to_owned(),
                    role_id.clone(),
                    now.clone(),
                ]
            })
            .collect();
        let columns = [
            "tenant_id",
            "user_id",
            "organization_id",
            "role_id",
            "created_at",
        ];
        insert_missing(&self.db, "user_roles", "role assignment", &columns, rows).await
    }

    async fn remove(
        &self,
        tenant_id: &str,
        user_id: &str,
        role_ids: &[String],
        organization_id: Option<&str>,
    ) -> Result<()> {
        if role_ids.is_empty() {
            return Ok(());
        }
        let mut delete = Query::delete();
        delete
            .from_table("user_roles")
            .and_where(Expr::col("tenant_id").eq(tenant_id))
            .and_where(Expr::col("user_id").eq(user_id))
            .and_where(Expr::col("organization_id").eq(organization_id.unwrap_or(NO_ORGANIZATION)))
            .and_where(Expr::col("role_id").is_in(role_ids.iter().map(String::as_str)));
        self.db
            .execute(&delete)
            .await
            .map_err(|error| map_db_error("role assignment", error))?;
        Ok(())
    }

    async fn list(
        &self,
        tenant_id: &str,
        user_id: &str,
        organization_id: Option<&str>,
        params: &ListParams,
    ) -> Result<ListPage<Role>> {
        let mut select = Query::select();
        select
            .column(("roles", "body"))
            .from("user_roles")
            .inner_join(
                "roles",
                Expr::col(("roles", "tenant_id"))
                    .equals(("user_roles", "tenant_id"))
                    .and(Expr::col(("roles", "id")).equals(("user_roles", "role_id"))),
            )
            .and_where(Expr::col(("user_roles", "tenant_id")).eq(tenant_id))
            .and_where(Expr::col(("user_roles", "user_id")).eq(user_id))
            .and_where(
                Expr::col(("user_roles", "organization_id"))
                    .eq(organization_id.unwrap_or(NO_ORGANIZATION)),
            );
        let (rows, total) = page(
            &self.db,
            "role",
            select,
            &[Expr::col(("roles", "name"))],
            params,
        )
        .await?;
        let items = rows
            .iter()
            .map(|row| parse("role", &text(row, "role", "body")?))
            .collect::<Result<Vec<Role>>>()?;
        Ok(ListPage {
            items,
            total,
            next: None,
        })
    }

    async fn list_by_role(
        &self,
        tenant_id: &str,
        role_id: &str,
        params: &ListParams,
    ) -> Result<ListPage<RoleAssignment>> {
        let mut select = Query::select();
        select
            .columns(["user_id", "role_id", "organization_id", "created_at"])
            .from("user_roles")
            .and_where(Expr::col("tenant_id").eq(tenant_id))
            .and_where(Expr::col("role_id").eq(role_id));
        let (rows, total) = page(
            &self.db,
            "role assignment",
            select,
            &[Expr::col("user_id"), Expr::col("organization_id")],
            params,
        )
        .await?;
        let items = rows
            .iter()
            .map(|row| {
                let organization_id = text(row, "role assignment", "organization_id")?;
                Ok(RoleAssignment {
                    user_id: text(row, "role assignment", "user_id")?,
                    role_id: text(row, "role assignment", "role_id")?,
                    organization_id: (organization_id != NO_ORGANIZATION)
                        .then_some(organization_id),
                    created_at: timestamp(row, "role assignment")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(ListPage {
            items,
            total,
            next: None,
        })
    }
}

fn timestamp(row: &QueryResult, entity: &'static str) -> Result<Timestamp> {
    let text = text(row, entity, "created_at")?;
    Timestamp::parse(&text)
        .ok_or_else(|| Error::internal(format!("stored {entity} has a bad created_at: {text}")))
}

#[derive(Debug)]
pub(crate) struct OrganizationMembers {
    db: DatabaseConnection,
}

impl OrganizationMembers {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    async fn members(
        &self,
        filter_column: &'static str,
        tenant_id: &str,
        value: &str,
        params: &ListParams,
    ) -> Result<ListPage<OrganizationMember>> {
        let mut select = Query::select();
        select
            .columns(["organization_id", "user_id", "created_at"])
            .from("organization_members")
            .and_where(Expr::col("tenant_id").eq(tenant_id))
            .and_where(Expr::col(filter_column).eq(value));
        let (rows, total) = page(
            &self.db,
            "member",
            select,
            &[Expr::col("organization_id"), Expr::col("user_id")],
            params,
        )
        .await?;
        let items = rows
            .iter()
            .map(|row| {
                Ok(OrganizationMember {
                    organization_id: text(row, "member", "organization_id")?,
                    user_id: text(row, "member", "user_id")?,
                    created_at: timestamp(row, "member")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(ListPage {
            items,
            total,
            next: None,
        })
    }
}

#[async_trait]
impl OrganizationMembersRepository for OrganizationMembers {
    async fn add(&self, tenant_id: &str, organization_id: &str, user_ids: &[String]) -> Result<()> {
        let now = Timestamp::now().to_iso();
        let rows = user_ids
            .iter()
            .map(|user_id| {
                vec![
                    tenant_id.to_owned(),
                    organization_id.to_owned(),
                    user_id.clone(),
                    now.clone(),
                ]
            })
            .collect();
        let columns = ["tenant_id", "organization_id", "user_id", "created_at"];
        insert_missing(&self.db, "organization_members", "member", &columns, rows).await
    }

    async fn remove(
        &self,
        tenant_id: &str,
        organization_id: &str,
        user_ids: &[String],
    ) -> Result<()> {
        if user_ids.is_empty() {
            return Ok(());
        }
        let txn = self
            .db
            .begin()
            .await
            .map_err(|error| map_db_error("member", error))?;
        for table in ["user_roles", "organization_members"] {
            let mut delete = Query::delete();
            delete
                .from_table(table)
                .and_where(Expr::col("tenant_id").eq(tenant_id))
                .and_where(Expr::col("organization_id").eq(organization_id))
                .and_where(Expr::col("user_id").is_in(user_ids.iter().map(String::as_str)));
            txn.execute(&delete)
                .await
                .map_err(|error| map_db_error("member", error))?;
        }
        txn.commit()
            .await
            .map_err(|error| map_db_error("member", error))
    }

    async fn list(
        &self,
        tenant_id: &str,
        organization_id: &str,
        params: &ListParams,
    ) -> Result<ListPage<OrganizationMember>> {
        self.members("organization_id", tenant_id, organization_id, params)
            .await
    }

    async fn list_by_user(
        &self,
        tenant_id: &str,
        user_id: &str,
        params: &ListParams,
    ) -> Result<ListPage<OrganizationMember>> {
        self.members("user_id", tenant_id, user_id, params).await
    }
}

#[derive(Debug)]
pub(crate) struct OrganizationConnections {
    db: DatabaseConnection,
}

impl OrganizationConnections {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    fn select(tenant_id: &str, organization_id: &str) -> SelectStatement {
        let mut select = Query::select();
        select
            .column("body")
            .from("organization_connections")
            .and_where(Expr::col("tenant_id").eq(tenant_id))
            .and_where(Expr::col("organization_id").eq(organization_id));
        select
    }

    async fn bodies(&self, select: &SelectStatement) -> Result<Vec<OrganizationConnection>> {
        let rows = self
            .db
            .query_all(select)
            .await
            .map_err(|error| map_db_error("organization connection", error))?;
        rows.iter()
            .map(|row| {
                parse(
                    "organization connection",
                    &text(row, "organization connection", "body")?,
                )
            })
            .collect()
    }
}

#[async_trait]
impl OrganizationConnectionsRepository for OrganizationConnections {
    async fn set(
        &self,
        tenant_id: &str,
        organization_id: &str,
        connection: OrganizationConnection,
    ) -> Result<OrganizationConnection> {
        let body = check_document("organization connection", &connection)?;
        let mut insert = Query::insert();
        insert
            .into_table("organization_connections")
            .columns(["tenant_id", "organization_id", "connection_id", "body"])
            .values([
                Expr::val(tenant_id),
                Expr::val(organization_id),
                Expr::val(connection.connection_id.as_str()),
                Expr::val(body),
            ])
            .map_err(|error| Error::internal(error.to_string()))?
            .on_conflict(
                OnConflict::columns(["tenant_id", "organization_id", "connection_id"])
                    .update_column("body")
                    .to_owned(),
            );
        self.db
            .execute(&insert)
            .await
            .map_err(|error| map_db_error("organization connection", error))?;
        Ok(connection)
    }

    async fn get(
        &self,
        tenant_id: &str,
        organization_id: &str,
        connection_id: &str,
    ) -> Result<Option<OrganizationConnection>> {
        let mut select = Self::select(tenant_id, organization_id);
        select.and_where(Expr::col("connection_id").eq(connection_id));
        Ok(self.bodies(&select).await?.into_iter().next())
    }

    async fn remove(
        &self,
        tenant_id: &str,
        organization_id: &str,
        connection_id: &str,
    ) -> Result<bool> {
        let mut delete = Query::delete();
        delete
            .from_table("organization_connections")
            .and_where(Expr::col("tenant_id").eq(tenant_id))
            .and_where(Expr::col("organization_id").eq(organization_id))
            .and_where(Expr::col("connection_id").eq(connection_id));
        let result = self
            .db
            .execute(&delete)
            .await
            .map_err(|error| map_db_error("organization connection", error))?;
        Ok(result.rows_affected() > 0)
    }

    async fn list(
        &self,
        tenant_id: &str,
        organization_id: &str,
    ) -> Result<Vec<OrganizationConnection>> {
        let mut select = Self::select(tenant_id, organization_id);
        select.order_by("connection_id", Order::Asc);
        self.bodies(&select).await
    }
}
