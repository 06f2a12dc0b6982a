//! Users, whose creation with a password is one transaction: a user never exists without the
//! password it was created with.

use async_trait::async_trait;
use authhero_core::entities::{Password, User};
use authhero_core::ports::{Repository, UsersRepository};
use authhero_core::{ListPage, ListParams, Result};
use sea_orm::{ConnectionTrait, TransactionTrait};

use crate::document::{DocumentStore, Documents};
use crate::schema;

#[derive(Debug)]
pub(crate) struct Users {
    users: Documents<User>,
    passwords: DocumentStore,
}

impl Users {
    pub fn new(db: sea_orm::DatabaseConnection) -> Self {
        Self {
            passwords: DocumentStore::new(db.clone(), &schema::PASSWORDS),
            users: Documents::new(db, &schema::USERS),
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
}
