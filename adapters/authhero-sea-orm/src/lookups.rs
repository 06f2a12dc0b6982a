//! Repositories that are plain documents plus one operation of their own: the cross-tenant
//! look-ups (clients, custom domains), tenants, signing keys, refresh-token families and the
//! log's retention.

use async_trait::async_trait;
use authhero_core::entities::{
    Client, ClientGrant, CustomDomain, Log, RefreshToken, ResourceServer, SigningKey, Tenant,
};
use authhero_core::list::{ListPage, ListParams};
use authhero_core::ports::{
    ClientGrantsRepository, ClientsRepository, CustomDomainsRepository, LogsRepository,
    RefreshTokensRepository, ResourceServersRepository, SigningKeysRepository, TenantsRepository,
};
use authhero_core::{Result, Timestamp};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query, SelectStatement};

use crate::document::{DocumentStore, Documents, Pools, check_document, parse};
use crate::schema;

impl Documents<Client> {
    pub fn clients(pools: Pools) -> Self {
        Documents::new(pools, &schema::CLIENTS)
    }
}

impl Documents<CustomDomain> {
    pub fn custom_domains(pools: Pools) -> Self {
        Documents::new(pools, &schema::CUSTOM_DOMAINS)
    }
}

impl Documents<ClientGrant> {
    pub fn client_grants(pools: Pools) -> Self {
        Documents::new(pools, &schema::CLIENT_GRANTS)
    }
}

impl Documents<ResourceServer> {
    pub fn resource_servers(pools: Pools) -> Self {
        Documents::new(pools, &schema::RESOURCE_SERVERS)
    }
}

impl Documents<RefreshToken> {
    pub fn refresh_tokens(pools: Pools) -> Self {
        Documents::new(pools, &schema::REFRESH_TOKENS)
    }
}

/// The tenant and document of the single row where `column = value`, in any tenant.
async fn find_anywhere<T: serde::de::DeserializeOwned>(
    store: &DocumentStore,
    column: &'static str,
    value: &str,
) -> Result<Option<(String, T)>> {
    let mut select = Query::select();
    select
        .columns(["tenant_id", "body"])
        .from(store.table.name)
        .and_where(Expr::col(column).eq(value));
    let row = store
        .db
        .query_one(&select)
        .await
        .map_err(|error| store.db_error(error))?;
    let Some(row) = row else { return Ok(None) };
    let tenant_id: String = row
        .try_get("", "tenant_id")
        .map_err(|error| store.db_error(error))?;
    let body: String = row
        .try_get("", "body")
        .map_err(|error| store.db_error(error))?;
    Ok(Some((tenant_id, parse(store.table.entity, &body)?)))
}

#[async_trait]
impl ClientsRepository for Documents<Client> {
    async fn find_by_client_id(&self, client_id: &str) -> Result<Option<(String, Client)>> {
        find_anywhere(&self.store, "client_id", client_id).await
    }
}

#[async_trait]
impl CustomDomainsRepository for Documents<CustomDomain> {
    async fn find_by_domain(&self, domain: &str) -> Result<Option<(String, CustomDomain)>> {
        find_anywhere(&self.store, "domain", &domain.to_lowercase()).await
    }
}

#[async_trait]
impl ClientGrantsRepository for Documents<ClientGrant> {
    async fn find(
        &self,
        tenant_id: &str,
        client_id: &str,
        audience: &str,
    ) -> Result<Option<ClientGrant>> {
        let mut select = Query::select();
        select
            .column("body")
            .from(self.store.table.name)
            .and_where(Expr::col("tenant_id").eq(tenant_id))
            .and_where(Expr::col("client_id").eq(client_id))
            .and_where(Expr::col("audience").eq(audience));
        first_body(&self.store, &select).await
    }
}

#[async_trait]
impl ResourceServersRepository for Documents<ResourceServer> {
    async fn find_by_identifier(
        &self,
        tenant_id: &str,
        identifier: &str,
    ) -> Result<Option<ResourceServer>> {
        let mut select = Query::select();
        select
            .column("body")
            .from(self.store.table.name)
            .and_where(Expr::col("tenant_id").eq(tenant_id))
            .and_where(Expr::col("identifier").eq(identifier));
        first_body(&self.store, &select).await
    }
}

/// The document of the first row `select` finds.
async fn first_body<T: serde::de::DeserializeOwned>(
    store: &DocumentStore,
    select: &SelectStatement,
) -> Result<Option<T>> {
    let row = store
        .db
        .query_one(select)
        .await
        .map_err(|error| store.db_error(error))?;
    let Some(row) = row else { return Ok(None) };
    let body: String = row
        .try_get("", "body")
        .map_err(|error| store.db_error(error))?;
    parse(store.table.entity, &body).map(Some)
}

#[async_trait]
impl RefreshTokensRepository for Documents<RefreshToken> {
    async fn remove_family(&self, tenant_id: &str, family_id: &str) -> Result<u64> {
        let mut delete = Query::delete();
        delete
            .and_where(Expr::col("tenant_id").eq(tenant_id))
            .and_where(Expr::col("family_id").eq(family_id));
        self.store.delete_matching(delete).await
    }

    async fn claim_rotation(&self, tenant_id: &str, token: RefreshToken) -> Result<bool> {
        let Some(rotated_at) = token.rotated_at else {
            return Err(authhero_core::Error::invalid("a rotation needs rotated_at"));
        };
        let body = check_document(self.store.table.entity, &token)?;
        let mut claim = Query::update();
        claim
            .table(self.store.table.name)
            .value("rotated_at", rotated_at.to_iso())
            .value("body", body)
            .and_where(Expr::col("tenant_id").eq(tenant_id))
            .and_where(Expr::col("id").eq(token.id.as_str()))
            .and_where(Expr::col("rotated_at").is_null());
        let result = self
            .store
            .db
            .execute(&claim)
            .await
            .map_err(|error| self.store.db_error(error))?;
        Ok(result.rows_affected() == 1)
    }
}

/// Log events removed per statement: a large backlog goes in many short writes, so SQLite's
/// one writer is never held for long and logins go on meanwhile.
const LOGS_REMOVED_AT_ONCE: u64 = 1000;

#[async_trait]
impl LogsRepository for Documents<Log> {
    async fn remove_before(&self, tenant_id: &str, before: Timestamp) -> Result<u64> {
        let mut removed = 0;
        loop {
            let mut oldest = Query::select();
            oldest
                .column("log_id")
                .from(self.store.table.name)
                .and_where(Expr::col("tenant_id").eq(tenant_id))
                .and_where(Expr::col("date").lt(before.to_iso()))
                .order_by("date", Order::Asc)
                .limit(LOGS_REMOVED_AT_ONCE);
            let ids = self
                .store
                .db
                .query_all(&oldest)
                .await
                .map_err(|error| self.store.db_error(error))?
                .into_iter()
                .map(|row| row.try_get::<String>("", "log_id"))
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(|error| self.store.db_error(error))?;
            if ids.is_empty() {
                return Ok(removed);
            }
            let mut delete = Query::delete();
            delete
                .and_where(Expr::col("tenant_id").eq(tenant_id))
                .and_where(Expr::col("log_id").is_in(ids));
            let deleted = self.store.delete_matching(delete).await?;
            if deleted == 0 {
                // Another node removed them meanwhile.
                return Ok(removed);
            }
            removed += deleted;
        }
    }
}

/// Tenants: documents with no tenant scope.
#[derive(Debug)]
pub(crate) struct Tenants {
    store: DocumentStore,
}

impl Tenants {
    pub fn new(pools: Pools) -> Self {
        Self {
            store: DocumentStore::new(pools, &schema::TENANTS),
        }
    }
}

#[async_trait]
impl TenantsRepository for Tenants {
    async fn create(&self, tenant: Tenant) -> Result<Tenant> {
        self.store.insert(None, &tenant).await?;
        Ok(tenant)
    }

    async fn get(&self, id: &str) -> Result<Option<Tenant>> {
        self.store.get_as(None, id).await
    }

    async fn list(&self, params: &ListParams) -> Result<ListPage<Tenant>> {
        self.store.list_as(None, params).await
    }

    async fn update(&self, tenant: Tenant) -> Result<Tenant> {
        self.store.update_as(None, tenant).await
    }

    async fn remove(&self, id: &str) -> Result<bool> {
        self.store.delete(None, id).await
    }
}

/// Signing keys: documents with no tenant scope.
#[derive(Debug)]
pub(crate) struct SigningKeys {
    store: DocumentStore,
}

impl SigningKeys {
    pub fn new(pools: Pools) -> Self {
        Self {
            store: DocumentStore::new(pools, &schema::SIGNING_KEYS),
        }
    }
}

#[async_trait]
impl SigningKeysRepository for SigningKeys {
    async fn create(&self, key: SigningKey) -> Result<SigningKey> {
        self.store.insert(None, &key).await?;
        Ok(key)
    }

    async fn get(&self, kid: &str) -> Result<Option<SigningKey>> {
        self.store.get_as(None, kid).await
    }

    async fn list(&self) -> Result<Vec<SigningKey>> {
        let mut select = Query::select();
        select
            .column("body")
            .from(self.store.table.name)
            .order_by("created_at", Order::Asc)
            .order_by("kid", Order::Asc);
        let rows = self
            .store
            .db
            .query_all(&select)
            .await
            .map_err(|error| self.store.db_error(error))?;
        rows.iter()
            .map(|row| {
                let body: String = row
                    .try_get("", "body")
                    .map_err(|error| self.store.db_error(error))?;
                parse("signing key", &body)
            })
            .collect()
    }

    async fn update(&self, key: SigningKey) -> Result<SigningKey> {
        self.store.update_as(None, key).await
    }
}
