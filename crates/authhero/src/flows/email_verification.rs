//! Email verification: a single-use link that marks a user's email verified when opened (at
//! `/u/email-verification`), made for an administrator to hand over (Auth0's email verification
//! ticket) or mailed to the user (Auth0's verification email job).
//!
//! The ticket is one of [`super::user_tickets`], so a link works once and only until it expires.

use authhero_core::entities::{CodeType, User};

use super::logs::{self, EventType};
use super::mail;
use super::user_tickets::{self, Options};
use crate::email::SendError;
use crate::state::AppState;

/// Seconds a verification link stays usable (Auth0's default: five days).
pub const TICKET_LIFETIME: i64 = 432_000;

/// Why a verification email was not sent.
#[derive(Debug, thiserror::Error)]
pub enum SendFailure {
    #[error(transparent)]
    Storage(#[from] authhero_core::Error),
    #[error(transparent)]
    Send(#[from] SendError),
    #[error("the user has no email address")]
    NoEmail,
}

impl SendFailure {
    /// What a tenant's administrator is told, in the job and the log. A transport's own words
    /// (an SMTP server's reply, an address it could not reach) stay in the server's log, so a
    /// tenant's provider settings cannot be used to probe the network.
    pub fn public_reason(&self) -> &'static str {
        match self {
            SendFailure::NoEmail => "The user has no email address.",
            SendFailure::Send(_) => "The email could not be sent: check the email provider.",
            SendFailure::Storage(_) => "The email could not be sent: try again later.",
        }
    }
}

/// Creates a verification ticket for `user`, valid `lifetime` seconds, and returns its link.
/// After verifying, the page sends the user to the options' `result_url` when there is one.
pub async fn ticket_link(
    state: &AppState,
    tenant_id: &str,
    user: &User,
    client_id: Option<&str>,
    options: &Options,
    lifetime: i64,
) -> authhero_core::Result<String> {
    user_tickets::issue(
        state,
        tenant_id,
        user_tickets::EMAIL_VERIFICATION,
        user,
        client_id,
        options,
        lifetime,
    )
    .await
}

/// Mails `user` a verification link, and logs whether it went (`svr`, `fvr`). The tenant's
/// `verify_email` template, when enabled, words the message and may set the link's
/// `resultUrl`, lifetime and `includeEmailInRedirect`.
pub async fn send_email(
    state: &AppState,
    tenant_id: &str,
    user: &User,
    client_id: Option<&str>,
) -> Result<(), SendFailure> {
    let sent: Result<(), SendFailure> = async {
        let to = user.email.clone().ok_or(SendFailure::NoEmail)?;
        let template = mail::template(state, tenant_id, mail::Kind::VerifyEmail).await?;
        let (options, lifetime) = Options::of_template(template.as_ref(), TICKET_LIFETIME);
        let link = ticket_link(state, tenant_id, user, client_id, &options, lifetime).await?;
        let client = match client_id {
            Some(client_id) => state.adapters.clients.get(tenant_id, client_id).await?,
            None => None,
        };
        let message = mail::Message {
            kind: mail::Kind::VerifyEmail,
            to,
            variables: mail::link_variables(&link, user, client.as_ref()),
        };
        mail::send(state, tenant_id, template.as_ref(), message).await?;
        Ok(())
    }
    .await;
    let kind = match sent {
        Ok(()) => EventType::SuccessVerificationEmailRequest,
        Err(_) => EventType::FailedVerificationEmailRequest,
    };
    let mut log = logs::event(kind, state.now());
    log.client_id = client_id.map(str::to_owned);
    if let Err(failure) = &sent {
        tracing::warn!(tenant_id, %failure, "a verification email was not sent");
        log.description = Some(failure.public_reason().into());
    }
    logs::record(state, tenant_id, logs::about(log, user));
    sent
}

/// After a signup: mails the new user a verification link in the background, unless the
/// tenant turned its `verify_email` template off (Auth0 sends it while the template is
/// enabled, as it is by default). The signup never waits for, nor fails by, the email.
pub fn send_after_signup(state: &AppState, tenant_id: &str, user: &User, client_id: &str) {
    if user.email_verified || user.email.is_none() {
        return;
    }
    let (state, tenant_id, user, client_id) = (
        state.clone(),
        tenant_id.to_owned(),
        user.clone(),
        client_id.to_owned(),
    );
    tokio::spawn(async move {
        let name = mail::Kind::VerifyEmail.template_name();
        let turned_off = match state.adapters.email_templates.get(&tenant_id, name).await {
            Ok(template) => template.is_some_and(|template| !template.enabled),
            Err(error) => {
                tracing::warn!(tenant_id, %error, "reading the verification email template");
                return;
            }
        };
        if !turned_off {
            // A failure is logged (`fvr`) by `send_email` itself.
            let _ = send_email(&state, &tenant_id, &user, Some(&client_id)).await;
        }
    });
}

/// A ticket that was honoured.
#[derive(Debug)]
pub struct Verified {
    /// Where the ticket's creator asked the user to be sent next.
    pub result_url: Option<String>,
    /// The user's email, when the ticket's creator asked for it in that address.
    pub email: Option<String>,
}

/// Consumes the ticket and marks its user's email verified; None when the ticket is unknown,
/// used, expired or its user gone, whichever it is.
pub async fn verify(state: &AppState, ticket: &str) -> authhero_core::Result<Option<Verified>> {
    let Some((tenant_id, code_id)) = user_tickets::parse(ticket) else {
        return Ok(None);
    };
    if state.adapters.tenants.get(tenant_id).await?.is_none() {
        return Ok(None);
    }
    let consumed = state
        .adapters
        .codes
        .consume(
            tenant_id,
            &code_id,
            CodeType::EmailVerification,
            state.now(),
        )
        .await?;
    let Some(code) = consumed else {
        let mut log = logs::event(EventType::FailedVerificationEmail, state.now());
        log.description = Some("The verification link is invalid, used or expired".into());
        logs::record(state, tenant_id, log);
        return Ok(None);
    };
    let options = Options::of(&code);
    let user = match &code.user_id {
        Some(user_id) => state.adapters.users.get(tenant_id, user_id).await?,
        None => None,
    };
    let Some(mut user) = user else {
        return Ok(None);
    };
    user.email_verified = true;
    user.updated_at = state.now();
    let user = state.adapters.users.update(tenant_id, user).await?;
    let mut log = logs::event(EventType::SuccessVerificationEmail, state.now());
    log.description = Some("Email verified".into());
    log.client_id = code.client_id;
    logs::record(state, tenant_id, logs::about(log, &user));
    Ok(Some(Verified {
        result_url: options.result_url,
        email: user.email.filter(|_| options.include_email),
    }))
}
