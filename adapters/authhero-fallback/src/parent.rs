//! A parent tenant's clients and connections, seen from its child tenants: the secondary that
//! lets them inherit both, without the parent's secrets.

use std::sync::Arc;

use async_trait::async_trait;
use authhero_core::entities::{Client, Connection};
use authhero_core::ports::{ClientsRepository, Entity, Repository};
use authhero_core::{DataAdapters, Error, ListPage, ListParams, Result};

/// `adapters` with clients and connections read from tenant `parent_id` when one of `children`
/// asks (any other tenant finds nothing), without their secrets: a child's administrators may
/// see the parent's applications but not hold their credentials. They are read-only: writing
/// them through this view is refused, and behind a [`crate::FallbackLayer`] writes go to the
/// child's own store anyway.
///
/// ```no_run
/// # fn demo(database: authhero_core::DataAdapters) {
/// use authhero_core::Layer;
/// use authhero_core::entities::{Client, Connection};
/// use authhero_core::ports::Entity;
/// let parent = authhero_fallback::parent_tenant("main", &["shop", "blog"], &database);
/// let inheriting = authhero_fallback::FallbackLayer::new(parent)
///     .only(&[Client::NAME, Connection::NAME])
///     .layer(database);
/// # let _ = inheriting;
/// # }
/// ```
pub fn parent_tenant(parent_id: &str, children: &[&str], adapters: &DataAdapters) -> DataAdapters {
    let children: Vec<String> = children.iter().map(|child| (*child).to_owned()).collect();
    DataAdapters {
        clients: Arc::new(InParent {
            inner: adapters.clients.clone(),
            parent_id: parent_id.to_owned(),
            children: children.clone(),
        }),
        connections: Arc::new(InParent {
            inner: adapters.connections.clone(),
            parent_id: parent_id.to_owned(),
            children,
        }),
        ..adapters.clone()
    }
}

#[derive(Debug)]
struct InParent<P: ?Sized> {
    inner: Arc<P>,
    parent_id: String,
    children: Vec<String>,
}

impl<P: ?Sized> InParent<P> {
    fn inherits(&self, tenant_id: &str) -> bool {
        self.children.iter().any(|child| child == tenant_id)
    }
}

/// What a child may see of a parent's entity.
trait WithoutSecrets {
    fn without_secrets(self) -> Self;
}

impl WithoutSecrets for Client {
    fn without_secrets(mut self) -> Self {
        self.client_secret = None;
        self
    }
}

impl WithoutSecrets for Connection {
    fn without_secrets(mut self) -> Self {
        self.options.remove("client_secret");
        self
    }
}

fn read_only(entity: &'static str) -> Error {
    Error::invalid(format!("a parent tenant's {entity}s are read-only here"))
}

/// `Repository<$entity>` for `InParent<$port>`: reads address the parent, writes are refused.
macro_rules! read_from_parent {
    ($port:ty, $entity:ty) => {
        #[async_trait]
        impl Repository<$entity> for InParent<$port> {
            async fn create(&self, _: &str, _: $entity) -> Result<$entity> {
                Err(read_only(<$entity>::NAME))
            }

            async fn get(&self, tenant_id: &str, id: &str) -> Result<Option<$entity>> {
                if !self.inherits(tenant_id) {
                    return Ok(None);
                }
                let found = self.inner.get(&self.parent_id, id).await?;
                Ok(found.map(WithoutSecrets::without_secrets))
            }

            async fn list(
                &self,
                tenant_id: &str,
                params: &ListParams,
            ) -> Result<ListPage<$entity>> {
                if !self.inherits(tenant_id) {
                    return Ok(ListPage {
                        items: Vec::new(),
                        total: params.include_totals.then_some(0),
                        next: None,
                    });
                }
                let page = self.inner.list(&self.parent_id, params).await?;
                Ok(page.map(WithoutSecrets::without_secrets))
            }

            async fn update(&self, _: &str, _: $entity) -> Result<$entity> {
                Err(read_only(<$entity>::NAME))
            }

            async fn remove(&self, _: &str, _: &str) -> Result<bool> {
                Err(read_only(<$entity>::NAME))
            }
        }
    };
}

read_from_parent!(dyn Repository<Connection>, Connection);
read_from_parent!(dyn ClientsRepository, Client);

#[async_trait]
impl ClientsRepository for InParent<dyn ClientsRepository> {
    async fn find_by_client_id(&self, client_id: &str) -> Result<Option<(String, Client)>> {
        let found = self.inner.find_by_client_id(client_id).await?;
        Ok(found
            .filter(|(tenant_id, _)| *tenant_id == self.parent_id)
            .map(|(tenant_id, client)| (tenant_id, client.without_secrets())))
    }
}
