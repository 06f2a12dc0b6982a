//! A parent tenant's clients and connections, seen from any other tenant: the secondary that
//! lets child tenants inherit them.

use std::sync::Arc;

use async_trait::async_trait;
use authhero_core::entities::{Client, Connection};
use authhero_core::ports::{ClientsRepository, Entity, Repository};
use authhero_core::{DataAdapters, Error, ListPage, ListParams, Result};

/// `adapters` with clients and connections read from tenant `parent_id`, whichever tenant is
/// asked for. They are read-only: writing them through this view is refused, and behind a
/// [`crate::FallbackLayer`] writes go to the child's own store anyway.
///
/// ```no_run
/// # fn demo(database: authhero_core::DataAdapters) {
/// use authhero_core::Layer;
/// use authhero_core::entities::{Client, Connection};
/// use authhero_core::ports::Entity;
/// let parent = authhero_fallback::parent_tenant("main", &database);
/// let inheriting = authhero_fallback::FallbackLayer::new(parent)
///     .only(&[Client::NAME, Connection::NAME])
///     .layer(database);
/// # let _ = inheriting;
/// # }
/// ```
pub fn parent_tenant(parent_id: &str, adapters: &DataAdapters) -> DataAdapters {
    DataAdapters {
        clients: Arc::new(InParent {
            inner: adapters.clients.clone(),
            parent_id: parent_id.to_owned(),
        }),
        connections: Arc::new(InParent {
            inner: adapters.connections.clone(),
            parent_id: parent_id.to_owned(),
        }),
        ..adapters.clone()
    }
}

#[derive(Debug)]
struct InParent<P: ?Sized> {
    inner: Arc<P>,
    parent_id: String,
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

            async fn get(&self, _: &str, id: &str) -> Result<Option<$entity>> {
                self.inner.get(&self.parent_id, id).await
            }

            async fn list(&self, _: &str, params: &ListParams) -> Result<ListPage<$entity>> {
                self.inner.list(&self.parent_id, params).await
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
        Ok(found.filter(|(tenant_id, _)| *tenant_id == self.parent_id))
    }
}
