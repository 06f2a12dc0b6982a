//! Browser sessions: how long they live (the tenant's `session_lifetime` and
//! `idle_session_lifetime`), proving one from its cookie's secret, and ending them.

use authhero_core::entities::{Session, Tenant, User};
use authhero_core::{ListParams, Query, Timestamp};

use super::logs::{self, EventType};
use crate::secrets;
use crate::state::AppState;

/// Seconds a browser session lasts without a tenant setting (Auth0's default, 3 days).
pub const SESSION_LIFETIME: i64 = 259_200;
/// Auth0's bound on both lifetimes: a year (8,760 hours).
const LONGEST_HOURS: f64 = 8_760.0;

/// How long a tenant's sessions last: in all, and, when the tenant sets it, without use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifetimes {
    pub absolute: i64,
    pub idle: Option<i64>,
}

impl Lifetimes {
    pub fn of(tenant: Option<&Tenant>) -> Self {
        let seconds = |hours: f64| (hours.clamp(0.0, LONGEST_HOURS) * 3_600.0).round() as i64;
        Self {
            absolute: tenant
                .and_then(|tenant| tenant.session_lifetime)
                .map_or(SESSION_LIFETIME, seconds),
            idle: tenant
                .and_then(|tenant| tenant.idle_session_lifetime)
                .map(seconds),
        }
    }

    /// When a session used at `now` next idles out: never past its absolute end.
    pub fn idle_end(&self, now: Timestamp, expires_at: Option<Timestamp>) -> Option<Timestamp> {
        let idle = now.plus_seconds(self.idle?);
        Some(match expires_at {
            Some(end) if end < idle => end,
            _ => idle,
        })
    }
}

/// The session a session cookie (its id and secret) proves: the id names the session and the
/// secret matches the stored digest. A cookie holding only a `sid` (which every token carries) proves nothing.
pub async fn cookie_session(
    state: &AppState,
    tenant_id: &str,
    cookie: Option<(String, String)>,
) -> Option<Session> {
    let (id, secret) = cookie?;
    let session = state.adapters.sessions.get(tenant_id, &id).await.ok()??;
    let stored = session.secret_hash.as_deref()?;
    secrets::matches(&secret, stored).then_some(session)
}

/// The browser's session in this tenant and its user, when the session cookie proves a live one.
pub async fn live_session(
    state: &AppState,
    tenant_id: &str,
    cookie: Option<(String, String)>,
) -> Option<(Session, User)> {
    let session = cookie_session(state, tenant_id, cookie).await?;
    let now = state.now();
    let ended = |end: Option<Timestamp>| end.is_some_and(|end| end <= now);
    if session.revoked_at.is_some() || ended(session.expires_at) || ended(session.idle_expires_at) {
        return None;
    }
    let user = state
        .adapters
        .users
        .get(tenant_id, &session.user_id)
        .await
        .ok()??;
    (!user.blocked).then_some((session, user))
}

/// Records a use of the session (single sign-on), which moves its idle end on. Only sessions
/// with an idle end are written, so silent renewals cost no write otherwise; a failure is
/// logged, as the use itself succeeded.
pub async fn touch(state: &AppState, tenant_id: &str, session: &Session) {
    if session.idle_expires_at.is_none() {
        return;
    }
    let now = state.now();
    let tenant = state.adapters.tenants.get(tenant_id).await.ok().flatten();
    let mut used = session.clone();
    used.last_interacted_at = now;
    used.updated_at = now;
    used.idle_expires_at = Lifetimes::of(tenant.as_ref()).idle_end(now, session.expires_at);
    if let Err(error) = state.adapters.sessions.update(tenant_id, used).await {
        tracing::warn!(%error, "could not record a session's use");
    }
}

/// Ends a session at logout, and logs it; a failure is traced, since the browser's cookie is
/// cleared regardless.
pub async fn end(state: &AppState, tenant_id: &str, session: &Session) {
    if let Err(error) = state.adapters.sessions.remove(tenant_id, &session.id).await {
        tracing::warn!(%error, "could not remove a session at logout");
    }
    let mut log = logs::event(EventType::SuccessLogout, state.now());
    log.description = Some("User successfully logged out".into());
    log.user_id = Some(session.user_id.clone());
    log.client_id = session
        .clients
        .first()
        .map(|client| client.client_id.clone());
    logs::record(state, tenant_id, log);
}

/// Removes every session of the user, a page at a time.
pub async fn end_all(
    state: &AppState,
    tenant_id: &str,
    user_id: &str,
) -> authhero_core::Result<()> {
    let params = ListParams::default().with_query(Query::equals("user_id", user_id)?);
    loop {
        let page = state.adapters.sessions.list(tenant_id, &params).await?;
        if page.items.is_empty() {
            return Ok(());
        }
        let mut removed = 0_usize;
        for session in &page.items {
            if state
                .adapters
                .sessions
                .remove(tenant_id, &session.id)
                .await?
            {
                removed += 1;
            }
        }
        // Sessions listed but already gone were removed concurrently (e.g. a logout); stop
        // rather than list the same page for ever.
        if removed == 0 {
            return Ok(());
        }
    }
}
