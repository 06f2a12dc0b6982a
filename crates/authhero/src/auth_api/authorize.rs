//! `GET /authorize`: validates the request, answers at once from a live session (SSO, silent
//! authentication), or sends the browser to the login page.

use authhero_core::Timestamp;
use authhero_core::entities::{
    AuthorizationParams, Client, Code, CodeType, LoginSession, Session, User,
};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde_json::{Map, Value};

use super::authorize_request::{
    AuthorizeQuery, AuthorizeRequest, Refusal, ResponseMode, ResponseType, response_mode,
};
use super::issue::{self, Grant};
use crate::cookies;
use crate::html;
use crate::random;
use crate::secrets;
use crate::state::{AppState, Issuer};

/// Seconds an `/authorize` transaction may wait for the user to log in.
const LOGIN_SESSION_LIFETIME: i64 = 1_800;
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

    pub fn into_response(self) -> Response {
        match self.mode {
            ResponseMode::Query | ResponseMode::Fragment => {
                let encoded = url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(
                        self.fields
                            .iter()
                            .map(|(name, value)| (*name, value.as_str())),
                    )
                    .finish();
                let separator = match self.mode {
                    ResponseMode::Fragment => '#',
                    _ if self.redirect_uri.contains('?') => '&',
                    _ => '?',
                };
                found(&format!("{}{separator}{encoded}", self.redirect_uri))
            }
            ResponseMode::FormPost => {
                let page = html::form_post(&self.redirect_uri, &self.fields);
                ([(header::CACHE_CONTROL, "no-store")], Html(page)).into_response()
            }
            ResponseMode::WebMessage => {
                let origin = url::Url::parse(&self.redirect_uri)
                    .map(|url| url.origin().ascii_serialization())
                    .unwrap_or_default();
                let response: Map<String, Value> = self
                    .fields
                    .into_iter()
                    .map(|(name, value)| (name.to_owned(), value.into()))
                    .collect();
                let (page, script) = html::web_message(&origin, &Value::Object(response));
                let policy = crate::security_headers::web_message_policy(&script, &origin);
                (
                    [
                        (header::CACHE_CONTROL, "no-store".to_owned()),
                        (header::CONTENT_SECURITY_POLICY, policy),
                    ],
                    Html(page),
                )
                    .into_response()
            }
        }
    }
}

/// A 302 redirect, as Auth0 answers (axum's `Redirect::to` is a 303).
pub fn found(location: &str) -> Response {
    (
        StatusCode::FOUND,
        [
            (header::LOCATION, location.to_owned()),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
    )
        .into_response()
}

pub async fn authorize(
    State(state): State<AppState>,
    issuer: Issuer,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    match handle(
        &state,
        &issuer,
        &headers,
        query.as_deref().unwrap_or_default(),
    )
    .await
    {
        Ok(response) | Err(response) => response,
    }
}

async fn handle(
    state: &AppState,
    issuer: &Issuer,
    headers: &HeaderMap,
    query: &str,
) -> Result<Response, Response> {
    let bad = |description: &str| {
        html::error_page(StatusCode::BAD_REQUEST, "invalid_request", description)
    };
    let query = AuthorizeQuery::parse(query).map_err(refused)?;
    let (tenant_id, client) = state
        .adapters
        .clients
        .find_by_client_id(query.client_id())
        .await
        .map_err(|_| {
            html::error_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "server_error",
                "Try again later.",
            )
        })?
        .ok_or_else(|| bad("Unknown client."))?;
    if !issuer.admits(&tenant_id) {
        return Err(bad("Unknown client."));
    }
    let AuthorizeRequest {
        params: authorization,
        mode,
    } = query.validate(&client).map_err(refused)?;
    let fail = |error: &str, description: &str| {
        ClientResponse::error(&authorization, mode, error, description).into_response()
    };
    if let Some(audience) = authorization.audience.as_deref()
        && audience != format!("{}userinfo", issuer.url)
    {
        let known = state
            .adapters
            .resource_servers
            .find_by_identifier(&tenant_id, audience)
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
            .login_connection(&tenant_id, connection, &client.client_id)
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
    let session = match live_session(state, &tenant_id, headers).await {
        Some((session, user))
            if session_serves(state, &tenant_id, &client, &authorization, &user).await =>
        {
            Some((session, user))
        }
        _ => None,
    };
    // `max_age=0` asks for a login now, as `prompt=login` does (OIDC Core §3.1.2.1), even when
    // the session began within the same second.
    let fresh_enough = |session: &Session| match authorization.max_age {
        Some(0) => false,
        Some(max_age) => {
            let age = Timestamp::now().unix_seconds() - session.authenticated_at.unix_seconds();
            u64::try_from(age).unwrap_or(0) <= max_age
        }
        None => true,
    };
    if let Some((session, user)) =
        session.filter(|(session, _)| !prompts.contains(&"login") && fresh_enough(session))
    {
        let delivered = complete(
            state,
            &issuer.url,
            &tenant_id,
            &client,
            &authorization,
            &session,
            &user,
        )
        .await
        .map_err(|(error, description)| fail(error, &description))?;
        return Ok(delivered.into_response());
    }
    if prompts.contains(&"none") {
        return Err(fail("login_required", "Login required"));
    }
    let login = LoginSession {
        id: random::token(18),
        authorization,
        csrf_token: random::token(18),
        session_id: None,
        user_id: None,
        ip: None,
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned),
        created_at: Timestamp::now(),
        updated_at: Timestamp::now(),
        expires_at: Timestamp::now().plus_seconds(LOGIN_SESSION_LIFETIME),
    };
    let login = state
        .adapters
        .login_sessions
        .create(&tenant_id, login)
        .await
        .map_err(|_| bad("Try again."))?;
    let transaction = format!("{tenant_id}.{}", login.id);
    let cookie = cookies::set(
        cookies::LOGIN,
        &transaction,
        "/u",
        LOGIN_SESSION_LIFETIME,
        state.secure_cookies(),
    );
    let mut response = found(&format!("/u/login?state={transaction}"));
    if let Ok(value) = cookie.parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}

/// Whether a session's user may be signed in to `client` without logging in again: their
/// connection is enabled for the client and is the one the request names, if it names one.
/// Otherwise SSO would open a connection the client was never given.
async fn session_serves(
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

/// The response to a refused request: an error page, or an OAuth error at the client's
/// `redirect_uri`.
fn refused(refusal: Refusal) -> Response {
    match refusal {
        Refusal::Page(description) => {
            html::error_page(StatusCode::BAD_REQUEST, "invalid_request", &description)
        }
        Refusal::Redirect {
            params,
            mode,
            error,
            description,
        } => ClientResponse::error(&params, mode, error, &description).into_response(),
    }
}

/// The session the request's cookie proves: its id names the session and its secret matches
/// the stored digest. A cookie holding only a `sid` (which every token carries) proves nothing.
pub async fn cookie_session(
    state: &AppState,
    tenant_id: &str,
    headers: &HeaderMap,
) -> Option<Session> {
    let (id, secret) = cookies::read_session(headers)?;
    let session = state.adapters.sessions.get(tenant_id, &id).await.ok()??;
    let stored = session.secret_hash.as_deref()?;
    secrets::matches(&secret, stored).then_some(session)
}

/// The browser's session in this tenant and its user, when the session cookie proves a live one.
pub async fn live_session(
    state: &AppState,
    tenant_id: &str,
    headers: &HeaderMap,
) -> Option<(Session, User)> {
    let session = cookie_session(state, tenant_id, headers).await?;
    let now = Timestamp::now();
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

/// Issues what `response_type` asks for to a signed-in user, as a response for the client.
pub async fn complete(
    state: &AppState,
    issuer: &str,
    tenant_id: &str,
    client: &Client,
    params: &AuthorizationParams,
    session: &Session,
    user: &User,
) -> Result<ClientResponse, (&'static str, String)> {
    let response_type = ResponseType::parse(params.response_type.as_deref()).ok_or((
        "unsupported_response_type",
        "unsupported response_type".to_owned(),
    ))?;
    let mode = response_mode(params, Some(&response_type));
    let scope = params.scope.clone().unwrap_or_else(|| "openid".into());
    let custom_claims = issue::post_login(state, tenant_id, client, user)
        .await
        .map_err(|error| (error.error, error.description))?;
    let grant = Grant {
        issuer,
        tenant_id,
        client,
        user,
        scope: &scope,
        audience: params.audience.as_deref(),
        nonce: params.nonce.as_deref(),
        session_id: Some(&session.id),
        auth_time: Some(session.authenticated_at),
        custom_claims: &custom_claims,
    };
    let server_error = |error: crate::error::OAuthError| ("server_error", error.description);
    let mut fields: Vec<(&'static str, String)> = Vec::new();
    let mut code_id = None;
    if response_type.code {
        let now = Timestamp::now();
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
            audience: params.audience.clone(),
            auth_time: Some(session.authenticated_at),
            custom_claims: custom_claims.clone(),
            created_at: now,
            expires_at: now.plus_seconds(CODE_LIFETIME),
            used_at: None,
        };
        state
            .adapters
            .codes
            .create(tenant_id, code)
            .await
            .map_err(|error| server_error(error.into()))?;
        fields.push(("code", code_value.clone()));
        code_id = Some(code_value);
    }
    let mut access = None;
    if response_type.token {
        let issued = issue::access_token(state, &grant, None)
            .await
            .map_err(server_error)?;
        fields.push(("access_token", issued.token.clone()));
        fields.push(("token_type", "Bearer".into()));
        fields.push(("expires_in", issued.lifetime.to_string()));
        access = Some(issued.token);
    }
    if response_type.id_token {
        let token = issue::id_token(state, &grant, access.as_deref(), code_id.as_deref())
            .await
            .map_err(server_error)?;
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
