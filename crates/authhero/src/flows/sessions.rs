//! Browser sessions: proving one from its cookie's secret, and ending them.

use authhero_core::entities::{Session, User};
use authhero_core::{ListParams, Query};

use crate::secrets;
use crate::state::AppState;

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
    if session.revoked_at.is_some() || session.expires_at.is_some_and(|expires| expires <= now) {
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

/// Ends a session; a failure is logged, since the browser's cookie is cleared regardless.
pub async fn end(state: &AppState, tenant_id: &str, session: &Session) {
    if let Err(error) = state.adapters.sessions.remove(tenant_id, &session.id).await {
        tracing::warn!(%error, "could not remove a session at logout");
    }
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
