//! Reading every item of a paged list, for the few places that need all of them (a user's
//! permissions, the tenants at start-up).

use authhero_core::ListParams;
use authhero_core::list::MAX_PAGE_SIZE;

/// Every item `fetch` returns, asked for a full page at a time until a page comes back short.
pub(crate) async fn every_page<T, E, F, Fut>(fetch: F) -> Result<Vec<T>, E>
where
    E: From<authhero_core::Error>,
    F: Fn(ListParams) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<T>, E>>,
{
    let mut items = Vec::new();
    for page in 0.. {
        let batch = fetch(ListParams::page(page, MAX_PAGE_SIZE)?).await?;
        let last = batch.len() < MAX_PAGE_SIZE as usize;
        items.extend(batch);
        if last {
            break;
        }
    }
    Ok(items)
}
