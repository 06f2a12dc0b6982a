//! The tenant log: what happened (Auth0's event type codes), to whom and through which client.
//! Events are written off the caller's path: a log write that fails or is slow never fails or
//! slows the login, grant or API call it records, and a store that falls behind drops events
//! rather than holding them all. Events past the retention are pruned ([`prune`]).

use std::sync::{Arc, LazyLock};

use authhero_core::entities::{Log, User};
use authhero_core::{DataAdapters, ListParams, Timestamp};
use tokio::sync::Semaphore;

use crate::random;
use crate::state::AppState;

/// An Auth0 log event type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    SuccessLogin,
    FailedLogin,
    /// Too many failed logins for one identifier from one IP.
    BlockedAccount,
    /// Too many failed logins from one IP across accounts (suspicious IP throttling).
    BlockedIp,
    SuccessSignup,
    FailedSignup,
    SuccessLogout,
    SuccessChangePassword,
    SuccessChangePasswordRequest,
    SuccessExchangeClientCredentials,
    FailedExchangeClientCredentials,
    SuccessExchangeAuthorizationCode,
    FailedExchangeAuthorizationCode,
    SuccessExchangeRefreshToken,
    FailedExchangeRefreshToken,
    SuccessExchangePassword,
    FailedExchangePassword,
    SuccessApiOperation,
    FailedApiOperation,
    /// A verification email was sent.
    SuccessVerificationEmailRequest,
    FailedVerificationEmailRequest,
    /// A user's email was verified by its link.
    SuccessVerificationEmail,
    FailedVerificationEmail,
    /// A passwordless code (or link) was sent.
    CodeLinkSent,
    SuccessExchangePasswordlessOtp,
    FailedExchangePasswordlessOtp,
}

impl EventType {
    /// Auth0's code, the log's `type`.
    pub fn code(self) -> &'static str {
        match self {
            EventType::SuccessLogin => "s",
            EventType::FailedLogin => "f",
            EventType::BlockedAccount => "limit_wc",
            EventType::BlockedIp => "limit_mu",
            EventType::SuccessSignup => "ss",
            EventType::FailedSignup => "fs",
            EventType::SuccessLogout => "slo",
            EventType::SuccessChangePassword => "scp",
            EventType::SuccessChangePasswordRequest => "scpr",
            EventType::SuccessExchangeClientCredentials => "seccft",
            EventType::FailedExchangeClientCredentials => "feccft",
            EventType::SuccessExchangeAuthorizationCode => "seacft",
            EventType::FailedExchangeAuthorizationCode => "feacft",
            EventType::SuccessExchangeRefreshToken => "sertft",
            EventType::FailedExchangeRefreshToken => "fertft",
            EventType::SuccessExchangePassword => "sepft",
            EventType::FailedExchangePassword => "fepft",
            EventType::SuccessApiOperation => "sapi",
            EventType::FailedApiOperation => "fapi",
            EventType::SuccessVerificationEmailRequest => "svr",
            EventType::FailedVerificationEmailRequest => "fvr",
            EventType::SuccessVerificationEmail => "sv",
            EventType::FailedVerificationEmail => "fv",
            EventType::CodeLinkSent => "cls",
            EventType::SuccessExchangePasswordlessOtp => "sepotpft",
            EventType::FailedExchangePasswordlessOtp => "fepotpft",
        }
    }
}

/// A new event of `kind` at `now`, to be filled in and [`record`]ed.
pub fn event(kind: EventType, now: Timestamp) -> Log {
    Log {
        // Time first, so ids sort as the events happened (checkpoint paging follows them).
        log_id: format!(
            "{:020}{}",
            now.as_datetime().timestamp_millis().max(0),
            random::hex_id()
        ),
        date: now,
        kind: kind.code().to_owned(),
        description: None,
        ip: None,
        user_agent: None,
        client_id: None,
        client_name: None,
        user_id: None,
        user_name: None,
        connection: None,
        connection_id: None,
        strategy: None,
        strategy_type: None,
        audience: None,
        scope: None,
        hostname: None,
        is_mobile: false,
        details: None,
    }
}

/// The event with the user it is about.
pub fn about(mut log: Log, user: &User) -> Log {
    log.user_id = Some(user.user_id.clone());
    log.user_name = user.email.clone().or_else(|| user.username.clone());
    log.connection = user.connection().map(str::to_owned);
    log
}

/// The most log writes in flight at once. When the store is slower than events arrive (a flood
/// of failed logins), further events are dropped rather than queued without end.
const MAX_WRITES_IN_FLIGHT: usize = 1024;

static WRITES_IN_FLIGHT: LazyLock<Arc<Semaphore>> =
    LazyLock::new(|| Arc::new(Semaphore::new(MAX_WRITES_IN_FLIGHT)));

/// Writes the event in the background; a failure is traced, never returned.
pub fn record(state: &AppState, tenant_id: &str, log: Log) {
    let Ok(permit) = WRITES_IN_FLIGHT.clone().try_acquire_owned() else {
        tracing::warn!(
            tenant_id,
            kind = log.kind,
            "a log event was dropped: the store is behind"
        );
        return;
    };
    let logs = state.adapters.logs.clone();
    let tenant_id = tenant_id.to_owned();
    tokio::spawn(async move {
        let _permit = permit;
        if let Err(error) = logs.create(&tenant_id, log).await {
            tracing::warn!(%error, tenant_id, "a log event was not written");
        }
    });
}

/// Tenants read per page while pruning.
const TENANTS_PER_PAGE: u32 = 100;

/// Removes every tenant's events dated before `before` (the log's retention); how many. Any
/// node may run it at any time: a removal that overlaps another removes nothing twice.
pub async fn prune(adapters: &DataAdapters, before: Timestamp) -> authhero_core::Result<u64> {
    let mut removed = 0;
    let mut from = None;
    loop {
        let page = adapters
            .tenants
            .list(&ListParams::checkpoint(from, TENANTS_PER_PAGE)?)
            .await?;
        for tenant in &page.items {
            removed += adapters.logs.remove_before(&tenant.id, before).await?;
        }
        match page.next {
            Some(next) => from = Some(next),
            None => return Ok(removed),
        }
    }
}
