//! Password reset by email: mailing the user a link with a single-use ticket (asked for at
//! `/dbconnections/change_password`), and setting the password whoever holds the ticket chooses
//! (at `/u/reset-password`).
//!
//! The ticket (`<tenant>.<secret>`, the secret being 192 random bits, stored only as its digest)
//! is the capability: it is only sent to the user's address, expires after a day, and is consumed
//! atomically, so it works once.
//! It is also the form's CSRF defence: a cross-site page cannot post a ticket it does not know,
//! and a page that knows one needs no forgery. A reset ends all the user's sessions, so a stolen
//! session dies with the old password.

use authhero_core::entities::{CodeType, User};

use super::logs::{self, EventType};
use super::mail;
use super::user_tickets::{self, Options};
use super::validation::PasswordPolicy;
use super::{brute_force, migration, sessions, users};
use crate::email::SendError;
use crate::passwords;
use crate::state::AppState;

/// Seconds a reset ticket stays usable (Auth0's default: one day).
pub const TICKET_LIFETIME: i64 = 86_400;

/// Why a reset email was not sent.
#[derive(Debug, thiserror::Error)]
enum RequestError {
    #[error(transparent)]
    Storage(#[from] authhero_core::Error),
    #[error(transparent)]
    Send(#[from] SendError),
}

/// Mails a reset link to the user of `connection` with this (lower-cased) email, if there is
/// one. The work runs in the background, so the caller's answer, and how long it takes, never
/// depend on whether the account exists; failures (no way to send, among them) are logged.
pub fn request(
    state: &AppState,
    tenant_id: String,
    client_id: String,
    connection: String,
    email: String,
) {
    let state = state.clone();
    tokio::spawn(async move {
        let sent = send_link(&state, &tenant_id, &client_id, &connection, &email).await;
        if let Err(error) = sent {
            tracing::warn!(tenant_id, %error, "password reset email not sent");
        }
    });
}

/// Creates a reset ticket for the user and mails its link; nothing when there is no such user.
/// The tenant's `reset_email` template, when enabled, words the message and may set the
/// link's `resultUrl` and lifetime.
async fn send_link(
    state: &AppState,
    tenant_id: &str,
    client_id: &str,
    connection: &str,
    email: &str,
) -> Result<(), RequestError> {
    // A user still only in a legacy provider is imported first, as Auth0's import mode does.
    let Some(user) = migration::user_by_email(state, tenant_id, connection, email).await? else {
        return Ok(());
    };
    let template = mail::template(state, tenant_id, mail::Kind::ResetEmail).await?;
    let (options, lifetime) = Options::of_template(template.as_ref(), TICKET_LIFETIME);
    let link = ticket_link(state, tenant_id, &user, Some(client_id), &options, lifetime).await?;
    let to = user.email.clone().unwrap_or_else(|| email.to_owned());
    let client = state.adapters.clients.get(tenant_id, client_id).await?;
    let message = mail::Message {
        kind: mail::Kind::ResetEmail,
        to,
        variables: mail::link_variables(&link, &user, client.as_ref()),
    };
    mail::send(state, tenant_id, template.as_ref(), message).await?;
    Ok(())
}

/// Creates a single-use reset ticket for `user`, valid `lifetime` seconds, and logs the
/// request; the link to the page that honours it. Only the ticket's digest is stored.
pub async fn ticket_link(
    state: &AppState,
    tenant_id: &str,
    user: &User,
    client_id: Option<&str>,
    options: &Options,
    lifetime: i64,
) -> authhero_core::Result<String> {
    let link = user_tickets::issue(
        state,
        tenant_id,
        user_tickets::PASSWORD_RESET,
        user,
        client_id,
        options,
        lifetime,
    )
    .await?;
    let now = state.now();
    let mut log = logs::event(EventType::SuccessChangePasswordRequest, now);
    log.description = Some("Password change request".into());
    log.client_id = client_id.map(str::to_owned);
    logs::record(state, tenant_id, logs::about(log, user));
    Ok(link)
}

/// A password reset ticket that can still be used.
#[derive(Debug)]
pub struct Ticket {
    pub tenant_id: String,
    pub code_id: String,
    user_id: String,
    /// The password policy of the user's connection.
    pub policy: PasswordPolicy,
    /// What the ticket's creator asked of it (a ticket from the Management API).
    pub options: Options,
    /// The user's email, when the options ask for it in `result_url`.
    pub email_for_result: Option<String>,
}

/// The ticket, if it names a password reset that is unused and unexpired, of a user who exists.
pub async fn usable(state: &AppState, ticket: &str) -> authhero_core::Result<Option<Ticket>> {
    let Some((tenant_id, code_id)) = user_tickets::parse(ticket) else {
        return Ok(None);
    };
    let Some(code) = state.adapters.codes.get(tenant_id, &code_id).await? else {
        return Ok(None);
    };
    let options = Options::of(&code);
    let live = code.code_type == CodeType::PasswordReset
        && code.used_at.is_none()
        && code.expires_at > state.now();
    let Some(user_id) = code.user_id.filter(|_| live) else {
        return Ok(None);
    };
    let Some(user) = state.adapters.users.get(tenant_id, &user_id).await? else {
        return Ok(None);
    };
    Ok(Some(Ticket {
        tenant_id: tenant_id.to_owned(),
        code_id,
        policy: PasswordPolicy::of_user(state, tenant_id, &user).await?,
        user_id,
        email_for_result: user.email.filter(|_| options.include_email),
        options,
    }))
}

/// What a reset came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reset {
    Changed,
    /// The ticket was used (or expired) in the meantime, or its user is gone.
    TicketGone,
    /// The password is one the connection's `password_history` remembers; the ticket still works.
    Reused,
}

/// Consumes the ticket, stores the new password (which has passed the policy's other checks)
/// and ends the user's sessions.
pub async fn reset(
    state: &AppState,
    ticket: &Ticket,
    password: &str,
) -> authhero_core::Result<Reset> {
    let (tenant_id, code_id) = (ticket.tenant_id.as_str(), ticket.code_id.as_str());
    let policy = &ticket.policy;
    if policy.refuses_reuse()
        && users::reused(
            state,
            tenant_id,
            &ticket.user_id,
            password,
            policy.remembered_before(),
        )
        .await?
    {
        return Ok(Reset::Reused);
    }
    // Hash first, so a failure here leaves the ticket usable for another try.
    let hash = passwords::hash(password.to_owned(), state.password_algorithm).await?;
    let Some(code) = state
        .adapters
        .codes
        .consume(tenant_id, code_id, CodeType::PasswordReset, state.now())
        .await?
    else {
        return Ok(Reset::TicketGone);
    };
    let Some(user_id) = code.user_id else {
        return Ok(Reset::TicketGone);
    };
    let Some(mut user) = state.adapters.users.get(tenant_id, &user_id).await? else {
        return Ok(Reset::TicketGone);
    };
    if ticket.options.mark_email_verified && !user.email_verified {
        user.email_verified = true;
        user.updated_at = state.now();
        user = state.adapters.users.update(tenant_id, user).await?;
    }
    users::change_password(state, tenant_id, &user_id, hash, policy.remembered_before()).await?;
    sessions::end_all(state, tenant_id, &user_id).await?;
    // As Auth0: a new password lifts the user's brute-force blocks.
    brute_force::unblock(state, tenant_id, &brute_force::identifiers(&user)).await?;
    let mut log = logs::event(EventType::SuccessChangePassword, state.now());
    log.description = Some("Password changed".into());
    logs::record(state, tenant_id, logs::about(log, &user));
    Ok(Reset::Changed)
}
