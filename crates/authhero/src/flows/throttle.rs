//! Suspicious IP throttling, as the tenant's `attack-protection/suspicious-ip-throttling` sets
//! it: per IP and across accounts, failed logins (`pre-login`) and signups
//! (`pre-user-registration`) are limited, and so are reset requests and passwordless starts,
//! which send mail as signups do and take their stage's limit. Over the limit, the request is
//! refused until the IP's window ends (a 429 with `Retry-After`).
//!
//! A stage allows `max_attempts`, regained one per `rate` milliseconds; here that is counted in
//! fixed windows of `max_attempts × rate`, so a full allowance returns at each window's end.
//! The counts are brute-force protection's counters (`LoginFailuresRepository`), keyed by
//! stage, window and IP, so every node on one database shares them.

use authhero_core::entities::SuspiciousIpThrottling;
use authhero_core::{Result, Timestamp};

use crate::state::AppState;

/// What is counted per IP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Failed logins, whatever the account (passwords and one-time codes).
    FailedLogin,
    Signup,
    ResetRequest,
    PasswordlessStart,
}

impl Stage {
    /// The tenant setting's stage whose limits apply.
    fn setting(self) -> &'static str {
        match self {
            Stage::FailedLogin => "pre-login",
            Stage::Signup | Stage::ResetRequest | Stage::PasswordlessStart => {
                "pre-user-registration"
            }
        }
    }

    fn key(self) -> &'static str {
        match self {
            Stage::FailedLogin => "login",
            Stage::Signup => "signup",
            Stage::ResetRequest => "reset",
            Stage::PasswordlessStart => "passwordless",
        }
    }
}

/// Refused: the IP may try again after this many seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttled {
    pub retry_after: u64,
}

/// A stage's limit: attempts per window, and the window in seconds.
#[derive(Debug, Clone, Copy)]
struct Limit {
    max_attempts: u32,
    window: i64,
}

/// The limit `ip` is held to at `stage` in this tenant; None when it is not throttled (off, no
/// `block` shield, or an allowlisted IP).
async fn limit(state: &AppState, tenant_id: &str, stage: Stage, ip: &str) -> Result<Option<Limit>> {
    let settings = state
        .adapters
        .tenants
        .get(tenant_id)
        .await?
        .and_then(|tenant| tenant.attack_protection.suspicious_ip_throttling)
        .unwrap_or_default();
    Ok(limit_of(&settings, stage, ip))
}

fn limit_of(settings: &SuspiciousIpThrottling, stage: Stage, ip: &str) -> Option<Limit> {
    let blocks = settings.enabled && settings.shields.iter().any(|shield| shield == "block");
    let allowed = settings.allowlist.iter().any(|listed| listed == ip);
    if !blocks || allowed {
        return None;
    }
    let defaults = SuspiciousIpThrottling::default();
    let number = |settings: &SuspiciousIpThrottling, name: &str| {
        settings
            .stage
            .get(stage.setting())
            .and_then(|stage| stage.get(name))
            .and_then(serde_json::Value::as_u64)
    };
    let read = |name: &str| number(settings, name).or_else(|| number(&defaults, name));
    let max_attempts = u32::try_from(read("max_attempts")?).ok()?.max(1);
    let rate_ms = read("rate")?.max(1);
    let window = i64::try_from(u64::from(max_attempts).saturating_mul(rate_ms) / 1000)
        .unwrap_or(i64::MAX)
        .max(1);
    Some(Limit {
        max_attempts,
        window,
    })
}

/// The counter of `ip` at `stage` in the window `now` falls in, and the seconds that window
/// has left.
fn counter(stage: Stage, ip: &str, limit: Limit, now: Timestamp) -> (String, u64) {
    let seconds = now.unix_seconds().max(0);
    let window = seconds / limit.window;
    let left = limit.window - seconds % limit.window;
    (
        format!("throttle:{}:{window}:{ip}", stage.key()),
        u64::try_from(left).unwrap_or(1),
    )
}

/// Whether `ip` may still try at `stage`, without counting this try (for failed logins, which
/// count only once they fail).
pub async fn check(
    state: &AppState,
    tenant_id: &str,
    stage: Stage,
    ip: &str,
) -> Result<std::result::Result<(), Throttled>> {
    let Some(limit) = limit(state, tenant_id, stage, ip).await? else {
        return Ok(Ok(()));
    };
    let (key, left) = counter(stage, ip, limit, state.now());
    let counted = state
        .adapters
        .login_failures
        .list(tenant_id, std::slice::from_ref(&key))
        .await?
        .into_iter()
        .map(|pair| pair.failures)
        .max()
        .unwrap_or(0);
    Ok(if counted >= limit.max_attempts {
        Err(Throttled { retry_after: left })
    } else {
        Ok(())
    })
}

/// Counts one try of `ip` at `stage`, and whether it was within the limit. Counting first, in
/// one atomic step, means concurrent tries cannot all slip under it.
pub async fn count(
    state: &AppState,
    tenant_id: &str,
    stage: Stage,
    ip: &str,
) -> Result<std::result::Result<(), Throttled>> {
    let Some(limit) = limit(state, tenant_id, stage, ip).await? else {
        return Ok(Ok(()));
    };
    let now = state.now();
    let (key, left) = counter(stage, ip, limit, now);
    let counted = state
        .adapters
        .login_failures
        .record(tenant_id, &key, ip, now)
        .await?;
    if counted == 1 {
        // A new window: the previous one's counter is done with.
        let previous = now.plus_seconds(-limit.window);
        let (old, _) = counter(stage, ip, limit, previous);
        state
            .adapters
            .login_failures
            .clear(tenant_id, &old, ip)
            .await?;
    }
    Ok(if counted > limit.max_attempts {
        Err(Throttled { retry_after: left })
    } else {
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn settings(value: serde_json::Value) -> SuspiciousIpThrottling {
        serde_json::from_value(value).unwrap_or_default()
    }

    #[test]
    fn limits_follow_the_setting_and_auth0s_defaults() {
        let defaults = SuspiciousIpThrottling::default();
        let login = limit_of(&defaults, Stage::FailedLogin, "192.0.2.1")
            .map(|l| (l.max_attempts, l.window));
        assert_eq!(login, Some((100, 86_400)));
        let signup =
            limit_of(&defaults, Stage::Signup, "192.0.2.1").map(|l| (l.max_attempts, l.window));
        assert_eq!(signup, Some((50, 60)));
        let custom = settings(json!({
            "enabled": true, "shields": ["block"], "allowlist": ["192.0.2.9"],
            "stage": {"pre-login": {"max_attempts": 3, "rate": 20_000}},
        }));
        let limited =
            limit_of(&custom, Stage::FailedLogin, "192.0.2.1").map(|l| (l.max_attempts, l.window));
        assert_eq!(limited, Some((3, 60)));
        assert!(limit_of(&custom, Stage::FailedLogin, "192.0.2.9").is_none());
        let notify_only = settings(json!({
            "enabled": true, "shields": ["admin_notification"], "allowlist": [], "stage": {},
        }));
        assert!(limit_of(&notify_only, Stage::FailedLogin, "192.0.2.1").is_none());
    }

    #[test]
    fn windows_are_fixed_and_say_what_is_left() {
        let limit = Limit {
            max_attempts: 3,
            window: 60,
        };
        let at = |seconds: i64| Timestamp::from_unix_seconds(seconds).expect("a valid time");
        let (first, left) = counter(Stage::Signup, "192.0.2.1", limit, at(600));
        assert_eq!(left, 60);
        let (same, left) = counter(Stage::Signup, "192.0.2.1", limit, at(659));
        assert_eq!((same.as_str(), left), (first.as_str(), 1));
        let (next, _) = counter(Stage::Signup, "192.0.2.1", limit, at(660));
        assert_ne!(next, first);
    }
}
