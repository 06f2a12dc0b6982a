//! The Management API token: obtained with the client-credentials grant and kept until shortly
//! before it expires.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Renewed this long before the legacy tenant's stated expiry, so no call carries a token that
/// expires on the way.
const MARGIN: Duration = Duration::from_secs(60);

#[derive(Default)]
pub(crate) struct TokenCache {
    current: Mutex<Option<(String, Instant)>>,
}

/// Without the token.
impl std::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenCache").finish_non_exhaustive()
    }
}

impl TokenCache {
    /// The cached token, if it is still good.
    pub fn get(&self) -> Option<String> {
        let current = self.current.lock().ok()?;
        current
            .as_ref()
            .filter(|(_, good_until)| Instant::now() < *good_until)
            .map(|(token, _)| token.clone())
    }

    /// Keeps `token`, which the legacy tenant says expires in `expires_in` seconds.
    pub fn keep(&self, token: &str, expires_in: u64) {
        let lifetime = Duration::from_secs(expires_in);
        let usable = lifetime.checked_sub(MARGIN).unwrap_or(lifetime / 2);
        if let Ok(mut current) = self.current.lock() {
            *current = Some((token.to_owned(), Instant::now() + usable));
        }
    }

    /// Drops the token, after the legacy tenant refused it.
    pub fn forget(&self) {
        if let Ok(mut current) = self.current.lock() {
            *current = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_kept_until_shortly_before_it_expires() {
        let cache = TokenCache::default();
        assert_eq!(cache.get(), None);
        cache.keep("long", 86_400);
        assert_eq!(cache.get().as_deref(), Some("long"));
        cache.keep("expired", 0);
        assert_eq!(cache.get(), None);
        cache.keep("again", 3_600);
        cache.forget();
        assert_eq!(cache.get(), None);
    }
}
