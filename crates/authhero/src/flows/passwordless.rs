//! Passwordless login by email: a six-digit one-time code mailed to the address, which proves
//! the address when given back. The user of the `email` connection with that address logs in,
//! created on first use as Auth0 does (unless the connection disables signups).
//!
//! A code is stored only as the digest of its connection, address and digits, lives three
//! minutes (Auth0's default), and is consumed atomically, so it works once. Guesses count
//! against brute-force protection like passwords, per address and IP.

use authhero_core::entities::{Client, Code, CodeType, Connection, EmailTemplate, User};
use authhero_core::{ListParams, Query};

use super::brute_force::Admission;
use super::grants::CallingClient;
use super::logs::{self, EventType};
use super::throttle::{self, Stage, Throttled};
use super::{FlowError, brute_force, mail, user_links, users, validation};
use crate::email::SendError;
use crate::random;
use crate::secrets;
use crate::state::AppState;

/// Seconds a code may be used (Auth0's default OTP expiry).
pub const CODE_LIFETIME: i64 = 180;
/// Digits in a code.
const CODE_DIGITS: usize = 6;

/// Auth0's strategy for passwordless email connections.
pub const EMAIL_STRATEGY: &str = "email";

/// Why a code was not sent.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Storage(#[from] authhero_core::Error),
    #[error(transparent)]
    Send(#[from] SendError),
}

/// What giving back a code came to.
#[derive(Debug)]
pub enum Verified {
    User(Box<User>),
    /// The code is wrong, used or expired (which one is not said).
    Wrong,
    /// The address failed too often from this IP.
    Blocked,
    /// The IP failed too often across accounts (suspicious IP throttling).
    Throttled(Throttled),
    /// No user has the address, and the connection takes no signups.
    SignupDisabled,
}

/// A six-digit code from the CSPRNG, uniformly (rejecting the bytes that would bias it).
fn new_code() -> String {
    let mut digits = String::with_capacity(CODE_DIGITS);
    while digits.len() < CODE_DIGITS {
        for byte in random::bytes(CODE_DIGITS) {
            if byte < 250 && digits.len() < CODE_DIGITS {
                digits.push(char::from(b'0' + byte % 10));
            }
        }
    }
    digits
}

/// What a code is stored under: its digits bound to the connection and address.
fn code_id(connection: &str, email: &str, code: &str) -> String {
    secrets::digest(&format!("otp:{connection}:{email}:{}", code.trim()))
}

/// `/passwordless/start` for `caller`: checks the request, then mails the code in the
/// background, so neither the answer nor its timing depends on the address. Only codes are
/// sent (`send=code`); magic links are not built yet.
pub async fn begin(
    state: &AppState,
    caller: &CallingClient,
    connection: &str,
    email: &str,
    send: &str,
    ip: &str,
) -> Result<String, FlowError> {
    caller.require_authentication()?;
    if let Err(throttled) =
        throttle::count(state, &caller.tenant_id, Stage::PasswordlessStart, ip).await?
    {
        return Err(FlowError::throttled(throttled));
    }
    if send != "code" {
        return Err(FlowError::invalid_request(
            "Only send=code is supported: magic links are not available on this server.",
        ));
    }
    let email = validation::email(email)
        .map_err(|_| FlowError::invalid_request("The email address is not valid."))?;
    let connection = state
        .login_connection(&caller.tenant_id, connection, &caller.client.client_id)
        .await?
        .filter(|connection| connection.strategy == EMAIL_STRATEGY)
        .ok_or_else(|| {
            FlowError::invalid_request(
                "The connection is not an email connection enabled for this client.",
            )
        })?;
    send_in_background(state, &caller.tenant_id, &caller.client, connection, &email);
    Ok(email)
}

/// Mails a new code for `email` (normalized) at `connection` without waiting; a failure is
/// logged.
pub fn send_in_background(
    state: &AppState,
    tenant_id: &str,
    client: &Client,
    connection: Connection,
    email: &str,
) {
    let (state, tenant_id, client, email) = (
        state.clone(),
        tenant_id.to_owned(),
        client.clone(),
        email.to_owned(),
    );
    tokio::spawn(async move {
        if let Err(error) = start(&state, &tenant_id, &client, &connection, &email).await {
            tracing::warn!(tenant_id, %error, "a passwordless code was not sent");
        }
    });
}

/// Mails a new code for `email` (normalized) at `connection`, whether or not a user has the
/// address: the answer never tells.
async fn start(
    state: &AppState,
    tenant_id: &str,
    client: &Client,
    connection: &Connection,
    email: &str,
) -> Result<(), StartError> {
    let code = new_code();
    let now = state.now();
    let stored = Code {
        code_id: code_id(&connection.name, email, &code),
        code_type: CodeType::Otp,
        login_session_id: None,
        session_id: None,
        user_id: None,
        client_id: Some(client.client_id.clone()),
        redirect_uri: None,
        code_challenge: None,
        code_challenge_method: None,
        nonce: None,
        scope: None,
        audience: None,
        auth_time: None,
        custom_claims: Default::default(),
        created_at: now,
        expires_at: now.plus_seconds(CODE_LIFETIME),
        used_at: None,
    };
    state.adapters.codes.create(tenant_id, stored).await?;
    let mut variables = serde_json::Map::new();
    variables.insert("code".into(), code.into());
    variables.insert("email".into(), email.into());
    variables.insert("application".into(), mail::application_variables(client));
    let message = mail::Message {
        kind: mail::Kind::PasswordlessCode,
        to: email.to_owned(),
        variables,
    };
    let template = connection_template(connection);
    mail::send(state, tenant_id, template.as_ref(), message).await?;
    let mut log = logs::event(EventType::CodeLinkSent, now);
    log.client_id = Some(client.client_id.clone());
    log.connection = Some(connection.name.clone());
    log.user_name = Some(email.to_owned());
    logs::record(state, tenant_id, log);
    Ok(())
}

/// Checks `code` for `email` at `connection`, from `ip`: the user it proves, found or created.
pub async fn verify(
    state: &AppState,
    tenant_id: &str,
    connection: &Connection,
    email: &str,
    code: &str,
    ip: &str,
) -> authhero_core::Result<Verified> {
    if let Err(throttled) = throttle::check(state, tenant_id, Stage::FailedLogin, ip).await? {
        return Ok(Verified::Throttled(throttled));
    }
    if code.trim().is_empty() {
        return Ok(Verified::Wrong);
    }
    match brute_force::admitted(state, tenant_id, email, ip).await {
        Ok(Admission::Refused) => return Ok(Verified::Blocked),
        Ok(_) => {}
        Err(error) if error.is_invalid() => return Ok(Verified::Wrong),
        Err(error) => return Err(error),
    }
    let id = code_id(&connection.name, email, code);
    let consumed = state
        .adapters
        .codes
        .consume(tenant_id, &id, CodeType::Otp, state.now())
        .await?;
    if consumed.is_none() {
        // Over the limit or not, it is the next attempt that is refused.
        let _next_is_refused = throttle::count(state, tenant_id, Stage::FailedLogin, ip).await?;
        return Ok(Verified::Wrong);
    }
    brute_force::succeeded(state, tenant_id, email, ip).await?;
    let user = match user_of(state, tenant_id, connection, email).await? {
        Some(user) => user,
        None if signups_disabled(connection) => return Ok(Verified::SignupDisabled),
        None => {
            let mut user = User::new(
                EMAIL_STRATEGY,
                &random::hex_id(),
                &connection.name,
                state.now(),
            );
            user.email = Some(email.to_owned());
            user.email_verified = true;
            user.name = Some(email.to_owned());
            user.nickname = email.split('@').next().map(str::to_owned);
            match users::create(&state.adapters, tenant_id, user, None, state.now()).await {
                Ok(user) => user,
                // Created by a concurrent login with another code: use theirs.
                Err(error) if error.is_conflict() => user_of(state, tenant_id, connection, email)
                    .await?
                    .ok_or(error)?,
                Err(error) => return Err(error),
            }
        }
    };
    let user = user_links::primary_of(state, tenant_id, user).await?;
    Ok(Verified::User(Box::new(user)))
}

/// The connection's own wording of the email (`options.email`: `from`, `subject`, `body`, in
/// Liquid), as Auth0 keeps it for passwordless connections.
fn connection_template(connection: &Connection) -> Option<EmailTemplate> {
    let email = connection.options.get("email")?;
    let text = |name: &str| email.get(name).and_then(serde_json::Value::as_str);
    Some(EmailTemplate {
        template: mail::Kind::PasswordlessCode.template_name().to_owned(),
        body: text("body")?.to_owned(),
        from: text("from").unwrap_or_default().to_owned(),
        subject: text("subject").unwrap_or_default().to_owned(),
        syntax: "liquid".to_owned(),
        result_url: None,
        url_lifetime_in_seconds: None,
        include_email_in_redirect: None,
        enabled: true,
    })
}

fn signups_disabled(connection: &Connection) -> bool {
    connection.options.get("disable_signup") == Some(&serde_json::Value::Bool(true))
}

/// The user of `connection` with this email, marked verified now if it was not.
async fn user_of(
    state: &AppState,
    tenant_id: &str,
    connection: &Connection,
    email: &str,
) -> authhero_core::Result<Option<User>> {
    let q = Query::And(vec![
        Query::equals("email", email)?,
        Query::equals("connection", &connection.name)?,
    ]);
    let found = state
        .adapters
        .users
        .list(tenant_id, &ListParams::default().with_query(q))
        .await?;
    let Some(mut user) = found.items.into_iter().next() else {
        return Ok(None);
    };
    if !user.email_verified {
        user.email_verified = true;
        user.updated_at = state.now();
        user = state.adapters.users.update(tenant_id, user).await?;
    }
    Ok(Some(user))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits_and_vary() {
        let codes: Vec<String> = (0..50).map(|_| new_code()).collect();
        assert!(
            codes
                .iter()
                .all(|code| code.len() == 6 && code.chars().all(|c| c.is_ascii_digit()))
        );
        let mut distinct = codes.clone();
        distinct.sort();
        distinct.dedup();
        assert!(distinct.len() > 45, "{codes:?}");
    }

    #[test]
    fn a_code_is_bound_to_its_connection_and_address() {
        let id = code_id("email", "jane@example.com", "123456");
        assert_eq!(id, code_id("email", "jane@example.com", " 123456 "));
        assert_ne!(id, code_id("email", "john@example.com", "123456"));
        assert_ne!(id, code_id("other", "jane@example.com", "123456"));
    }
}
