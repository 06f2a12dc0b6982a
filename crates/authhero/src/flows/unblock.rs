//! Unblocking by email, brute-force protection's `user_notification` shield: when a login's
//! failure blocks a user's identifier, the user is mailed a single-use link (a ticket, as for
//! a password reset) that lifts every block of their identifiers.

use authhero_core::entities::{CodeType, User};
use authhero_core::{ListParams, Query};

use super::user_tickets::{self, Options};
use super::{brute_force, mail};
use crate::email::SendError;
use crate::state::AppState;

/// Seconds an unblock link stays usable: one day.
const TICKET_LIFETIME: i64 = 86_400;

#[derive(Debug, thiserror::Error)]
enum NotifyError {
    #[error(transparent)]
    Storage(#[from] authhero_core::Error),
    #[error(transparent)]
    Send(#[from] SendError),
    #[error(transparent)]
    Query(#[from] authhero_core::QueryError),
}

/// In the background, mails the user of `connection` who logs in as `identifier` a link to
/// unblock their account, when the tenant wants users told; nothing when no user has it, and
/// nothing the caller waits for, so the login's answer tells nothing either way.
pub fn notify(state: &AppState, tenant_id: &str, connection: &str, identifier: &str) {
    let (state, tenant_id, connection, identifier) = (
        state.clone(),
        tenant_id.to_owned(),
        connection.to_owned(),
        identifier.to_owned(),
    );
    tokio::spawn(async move {
        if let Err(error) = send_link(&state, &tenant_id, &connection, &identifier).await {
            tracing::warn!(tenant_id, %error, "an unblock email was not sent");
        }
    });
}

async fn send_link(
    state: &AppState,
    tenant_id: &str,
    connection: &str,
    identifier: &str,
) -> Result<(), NotifyError> {
    if !brute_force::notifies_users(state, tenant_id).await? {
        return Ok(());
    }
    let field = if identifier.contains('@') {
        "email"
    } else {
        "username"
    };
    let q = Query::And(vec![
        Query::equals(field, brute_force::normalize(identifier))?,
        Query::equals("connection", connection)?,
    ]);
    let found = state
        .adapters
        .users
        .list(tenant_id, &ListParams::default().with_query(q))
        .await?;
    let Some(user) = found.items.into_iter().next() else {
        return Ok(());
    };
    let Some(to) = user.email.clone() else {
        return Ok(());
    };
    let template = mail::template(state, tenant_id, mail::Kind::BlockedAccount).await?;
    let link = user_tickets::issue(
        state,
        tenant_id,
        user_tickets::UNBLOCK,
        &user,
        None,
        &Options::default(),
        TICKET_LIFETIME,
    )
    .await?;
    let message = mail::Message {
        kind: mail::Kind::BlockedAccount,
        to,
        variables: mail::link_variables(&link, &user, None),
    };
    mail::send(state, tenant_id, template.as_ref(), message).await?;
    Ok(())
}

/// Consumes an unblock ticket and lifts every block of its user's identifiers: the user, or
/// None when the ticket is unknown, used or expired, or its user gone.
pub async fn unblock(state: &AppState, ticket: &str) -> authhero_core::Result<Option<User>> {
    let Some((tenant_id, code_id)) = user_tickets::parse(ticket) else {
        return Ok(None);
    };
    let consumed = state
        .adapters
        .codes
        .consume(tenant_id, &code_id, CodeType::UnblockAccount, state.now())
        .await?;
    let Some(user_id) = consumed.and_then(|code| code.user_id) else {
        return Ok(None);
    };
    let Some(user) = state.adapters.users.get(tenant_id, &user_id).await? else {
        return Ok(None);
    };
    brute_force::unblock(state, tenant_id, &brute_force::identifiers(&user)).await?;
    Ok(Some(user))
}
