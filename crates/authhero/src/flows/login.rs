//! A login from `/authorize` to the client's answer: starting the transaction, resuming it
//! from the login page, deciding whether a session may answer without a login, and completing
//! it with a browser session and the code or tokens `response_type` asks for.

use authhero_core::entities::{
    AuthenticationRecord, AuthorizationParams, Client, Code, CodeType, LoginSession, Session,
    SessionClient, SessionDevice, User,
};

use super::FlowError;
use super::authorize_request::{
    AuthorizeRequest, ResponseMode, ResponseType, mode_for, response_mode,
};
use super::issue::{self, Grant};
use crate::random;
use crate::secrets;
use crate::state::AppState;

/// Seconds an `/authorize` transaction may wait for the user to log in.
pub const LOGIN_SESSION_LIFETIME: i64 = 1_800;
/// Seconds an authorization code stays exchangeable.
const CODE_LIFETIME: i64 = 300;

/// A response to deliver to the client's `redirect_uri`, by the requested response mode.
#[derive(Debug)]
pub struct ClientResponse {
    pub redirect_uri: String,
    pub mode: ResponseMode,
    pub fields: Vec<(&'static str, String)>,
}

impl ClientResponse {
    /// An OAuth error sent back to the client, with the request's `state`.
    pub fn error(
        params: &AuthorizationParams,
        mode: ResponseMode,
        error: &str,
        description: &str,
    ) -> Self {
        let mut fields = vec![
            ("error", error.to_owned()),
            ("error_description", description.to_owned()),
        ];
        if let Some(state) = &params.state {
            fields.push(("state", state.clone()));
        }
        Self {
            redirect_uri: params.redirect_uri.clone().unwrap_or_default(),
            mode,
            fields,
        }
    }
}

/// What an `/authorize` request comes to, once validated.
#[derive(Debug)]
pub enum Authorized {
    /// Answered from the browser's session (SSO, silent authentication).
    Answer(ClientResponse),
    /// The user must log in: the login transaction's reference.
    LogIn { reference: String },
    /// The session's user must consent first: the transaction (holding the user) to do it in.
    Consent { reference: String },
}

/// Decides a validated `/authorize` request: refuses an unknown audience or a connection the
/// client lacks; answers from a session that may serve it (fresh enough, not `prompt=login`,
/// its user's connection enabled for the client); else `login_required` for `prompt=none`,
/// or a new login transaction. A refusal is the error to deliver to the client.
pub async fn authorize(
    state: &AppState,
    issuer: &str,
    tenant_id: &str,
    client: &Client,
    request: AuthorizeRequest,
    session_cookie: Option<(String, String)>,
    user_agent: Option<String>,
) -> Result<Authorized, ClientResponse> {
    let AuthorizeRequest {
        params: authorization,
        mode,
    } = request;
    let fail = |error: &str, description: &str| {
        ClientResponse::error(&authorization, mode, error, description)
    };
    if let Some(audience) = authorization.audience.as_deref()
        && audience != format!("{issuer}userinfo")
    {
        let known = state
            .adapters
            .resource_servers
            .find_by_identifier(tenant_id, audience)
            .await;
        if !matches!(known, Ok(Some(_))) {
            return Err(fail(
                "access_denied",
                &format!("Service not found: {audience}"),
            ));
        }
    }
    if let Some(connection) = authorization.connection.as_deref() {
        let enabled = state
            .login_connection(tenant_id, connection, &client.client_id)
            .await;
        if !matches!(enabled, Ok(Some(_))) {
            return Err(fail(
                "invalid_request",
                "the connection is not enabled for this client",
            ));
        }
    }
    let prompt = authorization.prompt.clone().unwrap_or_default();
    let prompts: Vec<&str> = prompt.split(' ').collect();
    let now = state.now();
    // `max_age=0` asks for a login now, as `prompt=login` does (OIDC Core §3.1.2.1), even when
    // the session began within the same second.
    let fresh_enough = |session: &Session| match authorization.max_age {
        Some(0) => false,
        Some(max_age) => {
            let age = now.unix_seconds() - session.authenticated_at.unix_seconds();
            u64::try_from(age).unwrap_or(0) <= max_age
        }
        None => true,
    };
    if !prompts.contains(&"login")
        && let Some((session, user)) =
            super::sessions::live_session(state, tenant_id, session_cookie).await
        && fresh_enough(&session)
        && session_serves(state, tenant_id, client, &authorization, &user).await
    {
        let to_ask = super::consent::to_ask(
            state,
            issuer,
            tenant_id,
            client,
            &user.user_id,
            &authorization,
        )
        .await
        .map_err(|error| fail(error.kind.code(), &error.description))?;
        if !to_ask.is_empty() {
            if prompts.contains(&"none") {
                return Err(fail("consent_required", "Consent required"));
            }
            let (mut login, reference) = start(state, tenant_id, authorization.clone(), user_agent)
                .await
                .map_err(|error| fail(error.kind.code(), &error.description))?;
            login.user_id = Some(user.user_id.clone());
            state
                .adapters
                .login_sessions
                .update(tenant_id, login)
                .await
                .map_err(|error| {
                    let error = FlowError::from(error);
                    fail(error.kind.code(), &error.description)
                })?;
            return Ok(Authorized::Consent { reference });
        }
        super::sessions::touch(state, tenant_id, &session).await;
        return complete(
            state,
            issuer,
            tenant_id,
            client,
            &authorization,
            &session,
            &user,
        )
        .await
        .map(Authorized::Answer)
        .map_err(|error| fail(error.kind.code(), &error.description));
    }
    if prompts.contains(&"none") {
        return Err(fail("login_required", "Login required"));
    }
    match start(state, tenant_id, authorization.clone(), user_agent).await {
        Ok((_, reference)) => Ok(Authorized::LogIn { reference }),
        Err(error) => Err(fail(error.kind.code(), &error.description)),
    }
}

/// Starts a login transaction for a validated `/authorize` request: what the login page
/// completes. Its reference (`<tenant>.<id>`) is the page's `state` and the transaction cookie.
pub async fn start(
    state: &AppState,
    tenant_id: &str,
    authorization: AuthorizationParams,
    user_agent: Option<String>,
) -> Result<(LoginSession, String), FlowError> {
    let now = state.now();
    let login = LoginSession {
        id: random::token(18),
        authorization,
        csrf_token: random::token(18),
        session_id: None,
        user_id: None,
        ip: None,
        user_agent,
        created_at: now,
        updated_at: now,
        expires_at: now.plus_seconds(LOGIN_SESSION_LIFETIME),
    };
    let login = state
        .adapters
        .login_sessions
        .create(tenant_id, login)
        .await?;
    let reference = format!("{tenant_id}.{}", login.id);
    Ok((login, reference))
}

/// The login transaction a reference (`<tenant>.<login session id>`) names, if still live.
pub async fn resume(state: &AppState, reference: &str) -> Option<(String, LoginSession)> {
    let (tenant_id, id) = reference.rsplit_once('.')?;
    let login = state
        .adapters
        .login_sessions
        .get(tenant_id, id)
        .await
        .ok()??;
    (login.expires_at > state.now()).then(|| (tenant_id.to_owned(), login))
}

/// Whether a session's user may be signed in to `client` without logging in again: their
/// connection is enabled for the client and is the one the request names, if it names one.
/// Otherwise SSO would open a connection the client was never given.
pub async fn session_serves(
    state: &AppState,
    tenant_id: &str,
    client: &Client,
    authorization: &AuthorizationParams,
    user: &User,
) -> bool {
    let Some(connection) = user.connection() else {
        return false;
    };
    if authorization
        .connection
        .as_deref()
        .is_some_and(|named| named != connection)
    {
        return false;
    }
    matches!(
        state
            .login_connection(tenant_id, connection, &client.client_id)
            .await,
        Ok(Some(_))
    )
}

/// Issues what `response_type` asks for to a signed-in user, as a response for the client.
pub async fn complete(
    state: &AppState,
    issuer: &str,
    tenant_id: &str,
    client: &Client,
    params: &AuthorizationParams,
    session: &Session,
    user: &User,
) -> Result<ClientResponse, FlowError> {
    let response_type = ResponseType::parse(params.response_type.as_deref())
        .ok_or_else(|| FlowError::invalid_request("unsupported response_type"))?;
    let mode = response_mode(params, Some(&response_type));
    let scope = params.scope.clone().unwrap_or_else(|| "openid".into());
    let custom_claims = issue::post_login(state, tenant_id, client, user).await?;
    let audience = issue::audience_or_default(state, tenant_id, params.audience.as_deref()).await?;
    let grant = Grant {
        issuer,
        tenant_id,
        client,
        user,
        scope: &scope,
        audience: audience.as_deref(),
        nonce: params.nonce.as_deref(),
        session_id: Some(&session.id),
        auth_time: Some(session.authenticated_at),
        custom_claims: &custom_claims,
    };
    let mut fields: Vec<(&'static str, String)> = Vec::new();
    let mut code_id = None;
    if response_type.code {
        let now = state.now();
        // The client gets the code; only its digest is stored.
        let (code_value, code_digest) = secrets::generate(24);
        let code = Code {
            code_id: code_digest,
            code_type: CodeType::AuthorizationCode,
            login_session_id: None,
            session_id: Some(session.id.clone()),
            user_id: Some(user.user_id.clone()),
            client_id: Some(client.client_id.clone()),
            redirect_uri: params.redirect_uri.clone(),
            code_challenge: params.code_challenge.clone(),
            code_challenge_method: params.code_challenge.as_ref().map(|_| {
                params
                    .code_challenge_method
                    .clone()
                    .unwrap_or_else(|| "plain".into())
            }),
            nonce: params.nonce.clone(),
            scope: Some(scope.clone()),
            audience: audience.clone(),
            auth_time: Some(session.authenticated_at),
            custom_claims: custom_claims.clone(),
            created_at: now,
            expires_at: now.plus_seconds(CODE_LIFETIME),
            used_at: None,
        };
        state.adapters.codes.create(tenant_id, code).await?;
        fields.push(("code", code_value.clone()));
        code_id = Some(code_value);
    }
    let mut access = None;
    if response_type.token {
        let issued = issue::access_token(state, &grant, None).await?;
        fields.push(("access_token", issued.token.clone()));
        fields.push(("token_type", "Bearer".into()));
        fields.push(("expires_in", issued.lifetime.to_string()));
        access = Some(issued.token);
    }
    if response_type.id_token {
        let token = issue::id_token(state, &grant, access.as_deref(), code_id.as_deref()).await?;
        fields.push(("id_token", token));
    }
    if let Some(state_param) = &params.state {
        fields.push(("state", state_param.clone()));
    }
    Ok(ClientResponse {
        redirect_uri: params.redirect_uri.clone().unwrap_or_default(),
        mode,
        fields,
    })
}

/// What a completed login gives the browser: the answer for the client, and the session cookie
/// (the session's id and its secret, which appears nowhere else).
#[derive(Debug)]
pub struct LoggedIn {
    pub answer: ClientResponse,
    pub session_id: String,
    pub session_secret: String,
    /// Seconds the session lives at most: the cookie's too.
    pub session_lifetime: i64,
}

/// Completes a login transaction for an authenticated user: starts the browser session, records
/// the login, ends the transaction, and answers the client (an error there goes to the client
/// as its response mode asks).
pub async fn finish(
    state: &AppState,
    issuer: &str,
    tenant_id: &str,
    login: &LoginSession,
    mut user: User,
    user_agent: Option<String>,
) -> Result<LoggedIn, FlowError> {
    let now = state.now();
    let (secret, secret_hash) = secrets::generate(32);
    let tenant = state.adapters.tenants.get(tenant_id).await?;
    let lifetimes = super::sessions::Lifetimes::of(tenant.as_ref());
    let expires_at = Some(now.plus_seconds(lifetimes.absolute));
    let session = Session {
        id: random::token(18),
        user_id: user.user_id.clone(),
        created_at: now,
        updated_at: now,
        authenticated_at: now,
        last_interacted_at: now,
        expires_at,
        idle_expires_at: lifetimes.idle_end(now, expires_at),
        device: SessionDevice {
            initial_user_agent: user_agent.clone(),
            last_user_agent: user_agent,
            ..SessionDevice::default()
        },
        clients: vec![SessionClient {
            client_id: login.authorization.client_id.clone(),
        }],
        authentication: vec![AuthenticationRecord {
            name: "pwd".into(),
            timestamp: now,
            kind: None,
        }],
        revoked_at: None,
        secret_hash: Some(secret_hash),
    };
    let session = state.adapters.sessions.create(tenant_id, session).await?;
    user.last_login = Some(now);
    user.logins_count += 1;
    user.updated_at = now;
    let user = state.adapters.users.update(tenant_id, user).await?;
    state
        .adapters
        .login_sessions
        .remove(tenant_id, &login.id)
        .await?;
    let Some((_, client)) = state
        .adapters
        .clients
        .find_by_client_id(&login.authorization.client_id)
        .await?
    else {
        return Err(authhero_core::Error::not_found("client").into());
    };
    let answer = match complete(
        state,
        issuer,
        tenant_id,
        &client,
        &login.authorization,
        &session,
        &user,
    )
    .await
    {
        Ok(answer) => answer,
        Err(error) => ClientResponse::error(
            &login.authorization,
            mode_for(&login.authorization),
            error.kind.code(),
            &error.description,
        ),
    };
    Ok(LoggedIn {
        answer,
        session_id: session.id,
        session_secret: secret,
        session_lifetime: lifetimes.absolute,
    })
}
