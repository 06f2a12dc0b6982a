//! The `Repository` half shared by caches whose every write clears them: reads pass through,
//! writes pass through and then forget everything cached.

/// Implements `Repository<$entity>` for `$cache`, a struct with an `inner` repository and an
/// async `forget_all`.
macro_rules! repository_forgetting_on_write {
    ($cache:ty, $entity:ty) => {
        #[async_trait::async_trait]
        impl authhero_core::ports::Repository<$entity> for $cache {
            async fn create(
                &self,
                tenant_id: &str,
                entity: $entity,
            ) -> authhero_core::Result<$entity> {
                let created = self.inner.create(tenant_id, entity).await;
                self.forget_all().await;
                created
            }

            async fn get(
                &self,
                tenant_id: &str,
                id: &str,
            ) -> authhero_core::Result<Option<$entity>> {
                self.inner.get(tenant_id, id).await
            }

            async fn list(
                &self,
                tenant_id: &str,
                params: &authhero_core::ListParams,
            ) -> authhero_core::Result<authhero_core::ListPage<$entity>> {
                self.inner.list(tenant_id, params).await
            }

            async fn update(
                &self,
                tenant_id: &str,
                entity: $entity,
            ) -> authhero_core::Result<$entity> {
                let updated = self.inner.update(tenant_id, entity).await;
                self.forget_all().await;
                updated
            }

            async fn remove(&self, tenant_id: &str, id: &str) -> authhero_core::Result<bool> {
                let removed = self.inner.remove(tenant_id, id).await;
                self.forget_all().await;
                removed
            }
        }
    };
}

pub(crate) use repository_forgetting_on_write;
