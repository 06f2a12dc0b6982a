//! Users, whose creation with a password is one transaction: a user never exists without the
//! password it was created with.

use async_trait::async_trait;
use authhero_core::entities::{Password, User};
use authhero_core::ports::{Repository, UsersRepository};
use authhero_core::{ListPage, ListParams, Result};
use sea_orm::{ConnectionTrait, TransactionTrait};

use crate::document::{DocumentStore, Documents, Pools};
use crate::schema;

/// Rows in one multi-row insert: a user row binds about twenty values, and this keeps every
/// statement far below the smallest backend's limit on bound values (SQLite's 32,766).
const ROWS_PER_STATEMENT: usize = 500;

#[derive(Debug)]
pub(crate) struct Users {
    users: Documents<User>,
    passwords: DocumentStore,
}

impl Users {
    pub fn new(pools: Pools) -> Self {
        Self {
            passwords: DocumentStore::new(pools.clone(), &schema::PASSWORDS),
            users: Documents::new(pools, &schema::USERS),
        }
    }
}

#[async_trait]
impl Repository<User> for Users {
    async fn create(&self, tenant_id: &str, entity: User) -> Result<User> {
        self.users.create(tenant_id, entity).await
    }

    async fn get(&self, tenant_id: &str, id: &str) -> Result<Option<User>> {
        self.users.get(tenant_id, id).await
    }

    async fn list(&self, tenant_id: &str, params: &ListParams) -> Result<ListPage<User>> {
        self.users.list(tenant_id, params).await
    }

    async fn update(&self, tenant_id: &str, entity: User) -> Result<User> {
        self.users.update(tenant_id, entity).await
    }

    async fn remove(&self, tenant_id: &str, id: &str) -> Result<bool> {
        self.users.remove(tenant_id, id).await
    }
}

#[async_trait]
impl UsersRepository for Users {
    async fn create_with_password(
        &self,
        tenant_id: &str,
        user: User,
        password: Password,
    ) -> Result<User> {
        let users = &self.users.store;
        // Both statements are checked before anything is written.
        let insert_user = users.insert_statement(Some(tenant_id), &user)?;
        let insert_password = self
            .passwords
            .insert_statement(Some(tenant_id), &password)?;
        let txn = users
            .db
            .begin()
            .await
            .map_err(|error| users.db_error(error))?;
        txn.execute(&insert_user)
            .await
            .map_err(|error| users.db_error(error))?;
        txn.execute(&insert_password)
            .await
            .map_err(|error| self.passwords.db_error(error))?;
        txn.commit().await.map_err(|error| users.db_error(error))?;
        Ok(user)
    }

    async fn create_many(
        &self,
        tenant_id: &str,
        users: Vec<(User, Option<Password>)>,
    ) -> Result<()> {
        let store = &self.users.store;
        let (profiles, passwords): (Vec<User>, Vec<Option<Password>>) = users.into_iter().unzip();
        let passwords: Vec<Password> = passwords.into_iter().flatten().collect();
        // Every statement is built, so every row checked, before anything is written.
        let mut statements = Vec::new();
        for chunk in profiles.chunks(ROWS_PER_STATEMENT) {
            statements.push((store, store.insert_rows_statement(Some(tenant_id), chunk)?));
        }
        for chunk in passwords.chunks(ROWS_PER_STATEMENT) {
            statements.push((
                &self.passwords,
                self.passwords
                    .insert_rows_statement(Some(tenant_id), chunk)?,
            ));
        }
        let txn = store
            .db
            .begin()
            .await
            .map_err(|error| store.db_error(error))?;
        for (table, statement) in &statements {
            txn.execute(statement)
                .await
                .map_err(|error| table.db_error(error))?;
        }
        txn.commit().await.map_err(|error| store.db_error(error))
    }
}
