//! The login transaction a screen works in: resumed from its `state`, with its application and
//! the tenant's look. A posted form must also carry the transaction's CSRF token and come with
//! its `SameSite` cookie, so a cross-site post cannot act in anyone's name.

use authhero_core::entities::{Client, Connection, LoginSession};
use authhero_core::{ListParams, Query};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;

use crate::cookies;
use crate::flows::Params;
use crate::flows::authenticate::DEFAULT_DATABASE;
use crate::flows::throttle::Throttled;
use crate::flows::{login, passwordless};
use crate::pages::{LanguageWishes, Look, error_page};
use crate::random::constant_time_eq;
use crate::state::{AppState, Issuer};

/// A live login transaction and what its screens show.
#[derive(Debug)]
pub struct Transaction {
    pub tenant_id: String,
    pub reference: String,
    pub login: LoginSession,
    pub client: Option<Client>,
    pub look: Look,
}

/// The transaction `reference` names, if it is live and this host serves its tenant;
/// otherwise the "expired" page.
pub async fn resume(
    state: &AppState,
    issuer: &Issuer,
    headers: &HeaderMap,
    reference: Option<&str>,
) -> Result<Transaction, Response> {
    let expired = || {
        error_page(
            &Look::plain(&LanguageWishes::of(headers, None)),
            StatusCode::BAD_REQUEST,
            "expired",
            "invalid_request",
            None,
        )
    };
    let reference = reference.ok_or_else(expired)?;
    let (tenant_id, login) = login::resume(state, reference).await.ok_or_else(expired)?;
    if !issuer.admits(&tenant_id) {
        return Err(expired());
    }
    let client = state
        .adapters
        .clients
        .get(&tenant_id, &login.authorization.client_id)
        .await
        .ok()
        .flatten();
    let wishes = LanguageWishes::of(headers, login.authorization.ui_locales.as_deref());
    let look = Look::of(state, &tenant_id, client.as_ref(), &wishes).await;
    Ok(Transaction {
        tenant_id,
        reference: reference.to_owned(),
        login,
        client,
        look,
    })
}

/// A posted form: its transaction, once its CSRF token and cookie check out.
pub async fn resume_posted(
    state: &AppState,
    issuer: &Issuer,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(Transaction, Params), Response> {
    let Ok(form) = Params::from_urlencoded(body) else {
        return Err(error_page(
            &Look::plain(&LanguageWishes::of(headers, None)),
            StatusCode::BAD_REQUEST,
            "malformed",
            "invalid_request",
            None,
        ));
    };
    let transaction = resume(state, issuer, headers, form.get("state")).await?;
    let bound = cookies::read(headers, cookies::LOGIN)
        .is_some_and(|cookie| constant_time_eq(&cookie, &transaction.reference));
    let csrf = form
        .get("csrf")
        .is_some_and(|token| constant_time_eq(token, &transaction.login.csrf_token));
    if !bound || !csrf {
        return Err(error_page(
            &transaction.look,
            StatusCode::FORBIDDEN,
            "csrf",
            "access_denied",
            None,
        ));
    }
    Ok((transaction, form))
}

impl Transaction {
    /// The database connection this login uses: the one `/authorize` named, else the default.
    pub fn connection_name(&self) -> String {
        self.login
            .authorization
            .connection
            .clone()
            .unwrap_or_else(|| DEFAULT_DATABASE.to_owned())
    }

    /// The connection, if the application may use it; `Ok(None)` when it may not.
    pub async fn connection(&self, state: &AppState) -> authhero_core::Result<Option<Connection>> {
        state
            .login_connection(
                &self.tenant_id,
                &self.connection_name(),
                &self.login.authorization.client_id,
            )
            .await
    }

    /// The passwordless email connection this login may use: the one `/authorize` named, else
    /// the first the application has enabled.
    pub async fn email_connection(
        &self,
        state: &AppState,
    ) -> authhero_core::Result<Option<Connection>> {
        let q = Query::equals("strategy", passwordless::EMAIL_STRATEGY)?;
        let found = state
            .adapters
            .connections
            .list(&self.tenant_id, &ListParams::default().with_query(q))
            .await?;
        let client_id = &self.login.authorization.client_id;
        let named = self.login.authorization.connection.as_deref();
        let mut enabled = found
            .items
            .into_iter()
            .filter(|connection| connection.enabled_clients.contains(client_id));
        Ok(match named {
            Some(name) => enabled.find(|connection| connection.name == name),
            None => enabled.next(),
        })
    }

    /// The identifier kept for this login (its `login_hint`), which the screens prefill.
    pub fn hint(&self) -> &str {
        self.login
            .authorization
            .login_hint
            .as_deref()
            .unwrap_or_default()
    }

    /// The kept identifier, when there is one: what the password and code screens are for.
    pub fn identifier(&self) -> Option<String> {
        let hint = self.hint().trim();
        (!hint.is_empty()).then(|| hint.to_owned())
    }

    /// Keeps what the user typed as the transaction's `login_hint`, for the next screen.
    pub async fn remember_identifier(
        &mut self,
        state: &AppState,
        identifier: &str,
    ) -> authhero_core::Result<()> {
        self.login.authorization.login_hint = Some(identifier.to_owned());
        state
            .adapters
            .login_sessions
            .update(&self.tenant_id, self.login.clone())
            .await?;
        Ok(())
    }

    /// A screen's URL within this transaction, e.g. `/u/signup?state=…`.
    pub fn url(&self, path: &str) -> String {
        let state: String =
            url::form_urlencoded::byte_serialize(self.reference.as_bytes()).collect();
        format!("{path}?state={state}")
    }

    /// Suspicious IP throttling's page: a 429 saying when to try again.
    pub fn throttled(&self, throttled: Throttled) -> Response {
        let mut page = self.error(
            StatusCode::TOO_MANY_REQUESTS,
            "suspicious-ip",
            "too_many_attempts",
        );
        page.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from(throttled.retry_after),
        );
        page
    }

    /// The error page in this transaction's look.
    pub fn error(&self, status: StatusCode, reason: &str, error: &str) -> Response {
        error_page(&self.look, status, reason, error, None)
    }
}
