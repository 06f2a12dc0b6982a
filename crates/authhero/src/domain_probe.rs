//! Reaching a custom domain from outside: the port custom-domain verification asks whether a
//! domain answers on its well-known path, through DNS as any client would. The standalone
//! server supplies an HTTP client; without one, domains stay pending.

use async_trait::async_trait;

/// Fetches one short text answer.
#[async_trait]
pub trait DomainProbe: Send + Sync + std::fmt::Debug {
    /// The body of a `GET url`, when it answers 200 with a short text; None for any other
    /// answer, a redirect, or no answer in time.
    async fn fetch(&self, url: &str) -> Option<String>;
}
