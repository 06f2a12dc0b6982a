//! The token endpoint's grants, apart from HTTP: client authentication from presented
//! credentials, then `client_credentials`, `authorization_code` (PKCE, single use, a replay
//! revokes what the code issued), `refresh_token` (rotation with reuse detection), `password`,
//! and Auth0's `password-realm` and passwordless `otp`.

use authhero_core::entities::{
    Client, ClientGrant, CodeType, RefreshTokenRotation, SigningAlgorithm, TokenEndpointAuthMethod,
    User,
};
use base64::Engine;
use serde_json::{Map, Value, json};

use super::authenticate::{Attempt, DEFAULT_DATABASE, authenticate};
use super::issue::{self, Grant, Lineage, resource_server};
use super::logs::{self, EventType};
use super::passwordless::{self, Verified};
use super::{
    ErrorKind, FlowError, Params, brute_force, grant_types, migration, user_links, validation,
};
use crate::hooks::{CredentialsExchange, CustomClaims, merge_custom_claims};
use crate::random::constant_time_eq;
use crate::secrets;
use crate::state::{AppState, Issuer};
use crate::tokens::{self, DEFAULT_ACCESS_TOKEN_LIFETIME};

/// A client that presented its credentials (or is public and presented none).
#[derive(Debug)]
pub struct CallingClient {
    pub tenant_id: String,
    pub client: Client,
    /// True when the client proved a secret; public clients never do.
    pub authenticated: bool,
}

/// Authenticates the client and runs the grant it asks for.
pub async fn grant(
    state: &AppState,
    issuer: &Issuer,
    credentials: Credentials,
    params: &Params,
    origin: Origin<'_>,
) -> Result<Value, FlowError> {
    let grant_type = params.require("grant_type")?.to_owned();
    let caller = authenticate_client(state, credentials).await?;
    if !issuer.admits(&caller.tenant_id) {
        return Err(FlowError::invalid_client("Unknown client."));
    }
    let known = matches!(
        grant_type.as_str(),
        "client_credentials"
            | "authorization_code"
            | "refresh_token"
            | "password"
            | "http://auth0.com/oauth/grant-type/password-realm"
            | PASSWORDLESS_OTP
    );
    if known && !grant_types::allows(&caller.client, &grant_type) {
        return Err(FlowError::unauthorized_client(grant_types::refusal(
            &grant_type,
        )));
    }
    let response = match grant_type.as_str() {
        "client_credentials" => client_credentials(state, issuer, &caller, params).await,
        "authorization_code" => authorization_code(state, issuer, &caller, params).await,
        "refresh_token" => refresh_token(state, issuer, &caller, params).await,
        "password" => password(state, issuer, &caller, params, None, origin.ip(&caller)).await,
        "http://auth0.com/oauth/grant-type/password-realm" => {
            let realm = params.require("realm")?.to_owned();
            password(
                state,
                issuer,
                &caller,
                params,
                Some(&realm),
                origin.ip(&caller),
            )
            .await
        }
        PASSWORDLESS_OTP => {
            passwordless_otp(state, issuer, &caller, params, origin.ip(&caller)).await
        }
        other => {
            return Err(FlowError::unsupported_grant_type(format!(
                "Unsupported grant type: {other}"
            )));
        }
    };
    log_exchange(state, &caller, &grant_type, params, origin, &response);
    response
}

/// Logs a token exchange: `seccft`, `seacft`, `sertft`, `sepft` or their failures.
fn log_exchange(
    state: &AppState,
    caller: &CallingClient,
    grant_type: &str,
    params: &Params,
    origin: Origin<'_>,
    response: &Result<Value, FlowError>,
) {
    let (succeeded, failed) = match grant_type {
        "client_credentials" => (
            EventType::SuccessExchangeClientCredentials,
            EventType::FailedExchangeClientCredentials,
        ),
        "authorization_code" => (
            EventType::SuccessExchangeAuthorizationCode,
            EventType::FailedExchangeAuthorizationCode,
        ),
        "refresh_token" => (
            EventType::SuccessExchangeRefreshToken,
            EventType::FailedExchangeRefreshToken,
        ),
        PASSWORDLESS_OTP => (
            EventType::SuccessExchangePasswordlessOtp,
            EventType::FailedExchangePasswordlessOtp,
        ),
        _ => (
            EventType::SuccessExchangePassword,
            EventType::FailedExchangePassword,
        ),
    };
    let kind = if response.is_ok() { succeeded } else { failed };
    let mut log = logs::event(kind, state.now());
    log.client_id = Some(caller.client.client_id.clone());
    log.client_name = Some(caller.client.name.clone());
    log.ip = Some(origin.ip(caller).to_owned());
    log.audience = params.get("audience").map(str::to_owned);
    log.scope = params.get("scope").map(str::to_owned);
    if let Err(error) = response {
        log.description = Some(error.description.clone());
    }
    logs::record(state, &caller.tenant_id, log);
}

impl CallingClient {
    /// Whether the client has a secret to prove (anything but a public SPA or native app).
    fn is_confidential(&self) -> bool {
        self.client.token_endpoint_auth_method != Some(TokenEndpointAuthMethod::None)
    }

    /// What a grant to `user` through this client always holds; each grant adds the rest.
    fn grant_to<'a>(
        &'a self,
        issuer: &'a Issuer,
        user: &'a User,
        scope: &'a str,
        custom_claims: &'a CustomClaims,
    ) -> Grant<'a> {
        Grant {
            issuer: &issuer.url,
            tenant_id: &self.tenant_id,
            client: &self.client,
            user,
            scope,
            audience: None,
            nonce: None,
            session_id: None,
            auth_time: None,
            custom_claims,
        }
    }

    /// A confidential client must have proved its secret, whatever else it presented.
    pub fn require_authentication(&self) -> Result<(), FlowError> {
        if self.is_confidential() && !self.authenticated {
            return Err(FlowError::invalid_client(
                "Client authentication is required.",
            ));
        }
        Ok(())
    }
}

/// Where a token request comes from, for brute-force protection: the TCP peer, and the user's
/// IP a backend may name in `auth0-forwarded-for`.
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    pub peer: &'a str,
    pub forwarded: Option<&'a str>,
}

impl<'a> Origin<'a> {
    /// The IP a password attempt counts under: the forwarded one only for a client that proved
    /// its secret and is trusted for the header (Auth0's `is_token_endpoint_ip_header_trusted`);
    /// anyone else could name any address and never be blocked.
    fn ip(&self, caller: &CallingClient) -> &'a str {
        match self.forwarded {
            Some(forwarded)
                if caller.authenticated && caller.client.is_token_endpoint_ip_header_trusted =>
            {
                forwarded
            }
            _ => self.peer,
        }
    }
}

/// What a client presented to authenticate: its id, and its secret unless it is public.
#[derive(Debug)]
pub struct Credentials {
    pub client_id: String,
    pub secret: Option<String>,
}

/// The client these credentials name, authenticated when they carry its secret (compared in
/// constant time); a wrong secret is `invalid_client`.
pub async fn authenticate_client(
    state: &AppState,
    credentials: Credentials,
) -> Result<CallingClient, FlowError> {
    let (tenant_id, client) = state.client(&credentials.client_id).await?;
    let authenticated = match (&credentials.secret, &client.client_secret) {
        (Some(given), Some(expected)) if constant_time_eq(given, expected) => true,
        (Some(_), _) => return Err(FlowError::invalid_client("Wrong client credentials.")),
        (None, _) => false,
    };
    Ok(CallingClient {
        tenant_id,
        client,
        authenticated,
    })
}

/// The client's grant for `audience`, if it has one.
async fn client_grant(
    state: &AppState,
    tenant_id: &str,
    client_id: &str,
    audience: &str,
) -> Result<Option<ClientGrant>, FlowError> {
    Ok(state
        .adapters
        .client_grants
        .find(tenant_id, client_id, audience)
        .await?)
}

/// `client_credentials`: a machine-to-machine token for an API the client was granted.
async fn client_credentials(
    state: &AppState,
    issuer: &Issuer,
    caller: &CallingClient,
    params: &Params,
) -> Result<Value, FlowError> {
    if !caller.authenticated {
        return Err(FlowError::invalid_client(
            "client_credentials needs the client's secret.",
        ));
    }
    // One tenant look-up (from memory under the cache layer) for the default audience and the
    // signing algorithm.
    let tenant = state.adapters.tenants.get(&caller.tenant_id).await?;
    let algorithm = tenant
        .as_ref()
        .and_then(|tenant| tenant.signing_alg)
        .unwrap_or(SigningAlgorithm::RS256);
    let audience = match params.get("audience") {
        Some(audience) => audience.to_owned(),
        None => tenant
            .and_then(|tenant| tenant.default_audience)
            .ok_or_else(|| FlowError::access_denied("No audience parameter was provided, and no default audience has been configured"))?,
    };
    let api = resource_server(state, &caller.tenant_id, &audience)
        .await?
        .ok_or_else(|| FlowError::access_denied(format!("Service not found: {audience}")))?;
    let grant = client_grant(
        state,
        &caller.tenant_id,
        &caller.client.client_id,
        &audience,
    )
    .await?
    .ok_or_else(|| {
        FlowError::access_denied(format!(
            "Client has not been granted scopes for audience: {audience}"
        ))
    })?;
    let scopes: Vec<&str> = match params.get("scope") {
        Some(requested) => requested
            .split(' ')
            .filter(|scope| grant.scope.iter().any(|granted| granted == scope))
            .collect(),
        None => grant.scope.iter().map(String::as_str).collect(),
    };
    let scope = scopes.join(" ");
    let lifetime = api.token_lifetime.unwrap_or(DEFAULT_ACCESS_TOKEN_LIFETIME);
    let mut claims = Map::new();
    claims.insert(
        "sub".into(),
        format!("{}@clients", caller.client.client_id).into(),
    );
    claims.insert("aud".into(), audience.clone().into());
    claims.insert("scope".into(), scope.clone().into());
    claims.insert("gty".into(), "client-credentials".into());
    claims.insert("azp".into(), caller.client.client_id.clone().into());
    if api.enforce_policies && api.token_dialect.as_deref() == Some("access_token_authz") {
        claims.insert("permissions".into(), json!(scopes));
    }
    let event = CredentialsExchange {
        tenant_id: &caller.tenant_id,
        client: &caller.client,
        audience: &audience,
        scope: &scope,
    };
    let custom = state
        .hooks
        .credentials_exchange(&event)
        .await
        .map_err(|denied| FlowError::access_denied(denied.0))?;
    merge_custom_claims(&mut claims, &custom);
    let access_token = tokens::sign(state, algorithm, &issuer.url, claims, lifetime).await?;
    Ok(json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": lifetime,
        "scope": scope,
    }))
}

/// The user a grant is for (the primary, for a user since linked into another); a removed or
/// blocked user gets nothing.
async fn grant_user(state: &AppState, tenant_id: &str, user_id: &str) -> Result<User, FlowError> {
    let user = state
        .adapters
        .users
        .get(tenant_id, user_id)
        .await?
        .ok_or_else(|| FlowError::invalid_grant("The user no longer exists."))?;
    let user = user_links::primary_of(state, tenant_id, user).await?;
    if user.blocked {
        return Err(FlowError::invalid_grant("user is blocked"));
    }
    Ok(user)
}

/// The token response for a user grant: access token, ID token when `openid` was granted, and a
/// refresh token when `offline_access` was. `scope` is what was granted.
async fn user_tokens(
    state: &AppState,
    grant: &Grant<'_>,
    gty: Option<&str>,
    lineage: Lineage<'_>,
) -> Result<Value, FlowError> {
    let access = issue::access_token(state, grant, gty).await?;
    let refresh = issue::refresh_token(state, grant, lineage).await?;
    let scope = match refresh {
        Some(_) => access.scope.clone(),
        None => without_offline_access(&access.scope),
    };
    let mut response = json!({
        "access_token": access.token,
        "token_type": "Bearer",
        "expires_in": access.lifetime,
        "scope": scope,
    });
    if grant.has_scope("openid") {
        response["id_token"] = issue::id_token(state, grant, None, None).await?.into();
    }
    if let Some(refresh) = refresh {
        response["refresh_token"] = refresh.into();
    }
    Ok(response)
}

/// `scope` less `offline_access`: what was granted when no refresh token came with it.
fn without_offline_access(scope: &str) -> String {
    scope
        .split(' ')
        .filter(|scope| *scope != "offline_access")
        .collect::<Vec<_>>()
        .join(" ")
}

/// A code presented again after it was exchanged: the tokens it gave may be in an attacker's
/// hands, so its refresh tokens are revoked (RFC 6749 §4.1.2). Access tokens are signed and
/// stateless; they expire on their own.
async fn revoke_replayed_code(
    state: &AppState,
    caller: &CallingClient,
    code_id: &str,
) -> Result<(), FlowError> {
    let Some(code) = state.adapters.codes.get(&caller.tenant_id, code_id).await? else {
        return Ok(());
    };
    let replayed = code.code_type == CodeType::AuthorizationCode
        && code.used_at.is_some()
        && code.client_id.as_deref() == Some(caller.client.client_id.as_str());
    if replayed {
        state
            .adapters
            .refresh_tokens
            .remove_family(&caller.tenant_id, code_id)
            .await?;
    }
    Ok(())
}

/// `authorization_code`: exchanges a code once, checking client, redirect_uri and PKCE.
async fn authorization_code(
    state: &AppState,
    issuer: &Issuer,
    caller: &CallingClient,
    params: &Params,
) -> Result<Value, FlowError> {
    let code_id = secrets::digest(params.require("code")?);
    let now = state.now();
    let consumed = state
        .adapters
        .codes
        .consume(
            &caller.tenant_id,
            &code_id,
            CodeType::AuthorizationCode,
            now,
        )
        .await?;
    let Some(code) = consumed else {
        revoke_replayed_code(state, caller, &code_id).await?;
        return Err(FlowError::invalid_grant("Invalid authorization code"));
    };
    if code.client_id.as_deref() != Some(caller.client.client_id.as_str()) {
        return Err(FlowError::invalid_grant("Invalid authorization code"));
    }
    if code.redirect_uri.is_some() && params.get("redirect_uri") != code.redirect_uri.as_deref() {
        return Err(FlowError::invalid_grant(
            "redirect_uri does not match the one of the authorization request",
        ));
    }
    caller.require_authentication()?;
    match code.code_challenge.as_deref() {
        Some(challenge) => {
            let verifier = params
                .get("code_verifier")
                .ok_or_else(|| FlowError::invalid_grant("Missing code_verifier"))?;
            if !pkce_matches(challenge, code.code_challenge_method.as_deref(), verifier) {
                return Err(FlowError::invalid_grant("Failed to verify code verifier"));
            }
        }
        // RFC 9700 §4.8: a verifier for a code issued without a challenge is a downgrade attempt.
        None if params.get("code_verifier").is_some() => {
            return Err(FlowError::invalid_grant(
                "code_verifier given for a code issued without code_challenge",
            ));
        }
        None if !caller.authenticated => {
            return Err(FlowError::invalid_client(
                "Client authentication is required without PKCE",
            ));
        }
        None => {}
    }
    let user_id = code
        .user_id
        .as_deref()
        .ok_or_else(|| FlowError::invalid_grant("Invalid authorization code"))?;
    let user = grant_user(state, &caller.tenant_id, user_id).await?;
    let scope = code.scope.clone().unwrap_or_else(|| "openid".into());
    let grant = Grant {
        audience: code.audience.as_deref(),
        nonce: code.nonce.as_deref(),
        session_id: code.session_id.as_deref(),
        auth_time: code.auth_time,
        ..caller.grant_to(issuer, &user, &scope, &code.custom_claims)
    };
    user_tokens(state, &grant, None, Lineage::Code(&code_id)).await
}

/// RFC 7636: `S256` compares BASE64URL(SHA256(verifier)); `plain` compares the verifier itself.
fn pkce_matches(challenge: &str, method: Option<&str>, verifier: &str) -> bool {
    if verifier.len() < 43 || verifier.len() > 128 {
        return false;
    }
    match method {
        Some("S256") => {
            let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, verifier.as_bytes());
            constant_time_eq(
                &base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest.as_ref()),
                challenge,
            )
        }
        _ => constant_time_eq(verifier, challenge),
    }
}

/// `refresh_token`: a new access token; with rotation, a new refresh token in the same family,
/// and a reused rotated token revokes the whole family.
async fn refresh_token(
    state: &AppState,
    issuer: &Issuer,
    caller: &CallingClient,
    params: &Params,
) -> Result<Value, FlowError> {
    let presented = params.require("refresh_token")?;
    let invalid = || FlowError::invalid_grant("Unknown or invalid refresh token.");
    let Some(mut token) = state
        .adapters
        .refresh_tokens
        .get(&caller.tenant_id, &secrets::digest(presented))
        .await?
    else {
        return legacy_refresh_token(state, issuer, caller, params, presented).await;
    };
    if token.client_id != caller.client.client_id {
        return Err(invalid());
    }
    caller.require_authentication()?;
    let now = state.now();
    if token.expires_at.is_some_and(|expires| expires <= now) {
        return Err(invalid());
    }
    let config = caller.client.refresh_token.as_ref();
    // Public clients (SPAs, native apps) cannot keep a token secret: without a setting of their
    // own they rotate, with reuse detection (RFC 9700 §2.2.2), as Auth0 sets up new SPAs.
    let rotating = match config {
        Some(config) => config.rotation_type == RefreshTokenRotation::Rotating,
        None => !caller.is_confidential(),
    };
    if let Some(rotated_at) = token.rotated_at {
        // A rotated token may be replayed only within the client's leeway (network retries).
        let leeway = config.and_then(|config| config.leeway).unwrap_or(0);
        let elapsed = u64::try_from(now.unix_seconds() - rotated_at.unix_seconds()).unwrap_or(0);
        if leeway == 0 || elapsed > leeway {
            // Reuse of a rotated token: someone holds a stolen copy. End the whole family.
            state
                .adapters
                .refresh_tokens
                .remove_family(&caller.tenant_id, &token.family_id)
                .await?;
            return Err(invalid());
        }
    }
    let user = grant_user(state, &caller.tenant_id, &token.user_id).await?;
    let granted = token.scope.clone().unwrap_or_default();
    let scope = match params.get("scope") {
        Some(requested) => {
            let narrowed: Vec<&str> = requested
                .split(' ')
                .filter(|scope| granted.split(' ').any(|g| g == *scope))
                .collect();
            narrowed.join(" ")
        }
        None => granted,
    };
    // Hooks run on every exchange, as Auth0 runs post-login Actions on refresh.
    let custom_claims = issue::post_login(state, &caller.tenant_id, &caller.client, &user).await?;
    let (audience, session_id) = (token.audience.clone(), token.session_id.clone());
    let grant = Grant {
        audience: audience.as_deref(),
        session_id: session_id.as_deref(),
        auth_time: token.auth_time,
        ..caller.grant_to(issuer, &user, &scope, &custom_claims)
    };
    let access = issue::access_token(state, &grant, None).await?;
    let mut response = json!({
        "access_token": access.token,
        "token_type": "Bearer",
        "expires_in": access.lifetime,
        "scope": access.scope,
    });
    if grant.has_scope("openid") {
        response["id_token"] = issue::id_token(state, &grant, None, None).await?.into();
    }
    token.last_exchanged_at = Some(now);
    if rotating {
        let parent = match token.rotated_at {
            // A replay within the leeway: its rotation was claimed before.
            Some(_) => {
                let parent = token.clone();
                state
                    .adapters
                    .refresh_tokens
                    .update(&caller.tenant_id, token)
                    .await?;
                parent
            }
            None => {
                token.rotated_at = Some(now);
                let parent = token.clone();
                if !state
                    .adapters
                    .refresh_tokens
                    .claim_rotation(&caller.tenant_id, token)
                    .await?
                {
                    // A concurrent exchange rotated it first: only a retry within the leeway
                    // may go on; otherwise this is reuse, and the family ends.
                    let leeway = config.and_then(|config| config.leeway).unwrap_or(0);
                    if leeway == 0 {
                        state
                            .adapters
                            .refresh_tokens
                            .remove_family(&caller.tenant_id, &parent.family_id)
                            .await?;
                        return Err(invalid());
                    }
                }
                parent
            }
        };
        let offline = Grant {
            scope: &format!("{scope} offline_access"),
            ..grant.clone()
        };
        if let Some(next) = issue::refresh_token(state, &offline, Lineage::Rotates(&parent)).await?
        {
            response["refresh_token"] = next.into();
        }
    } else {
        state
            .adapters
            .refresh_tokens
            .update(&caller.tenant_id, token)
            .await?;
    }
    Ok(response)
}

/// A refresh token this server never issued: perhaps a legacy provider's, redeemed there once
/// for a local one (see [`migration::redeem_refresh_token`]).
async fn legacy_refresh_token(
    state: &AppState,
    issuer: &Issuer,
    caller: &CallingClient,
    params: &Params,
    presented: &str,
) -> Result<Value, FlowError> {
    caller.require_authentication()?;
    let secret = caller
        .is_confidential()
        .then_some(caller.client.client_secret.as_deref())
        .flatten();
    let redeemed = migration::redeem_refresh_token(
        state,
        &caller.tenant_id,
        &caller.client,
        secret,
        presented,
    )
    .await?;
    let Some(redeemed) = redeemed else {
        return Err(FlowError::invalid_grant(
            "Unknown or invalid refresh token.",
        ));
    };
    let user = redeemed.user;
    if user.blocked {
        return Err(FlowError::invalid_grant("user is blocked"));
    }
    let custom_claims = issue::post_login(state, &caller.tenant_id, &caller.client, &user).await?;
    // What the legacy tenant granted, narrowed by the request as any refresh is, never widened;
    // the token was for offline use, and so is its local successor.
    let granted = redeemed.scope.unwrap_or_else(|| "openid".to_owned());
    let mut scope: Vec<&str> = match params.get("scope") {
        Some(requested) => requested
            .split(' ')
            .filter(|scope| granted.split(' ').any(|g| g == *scope))
            .collect(),
        None => granted
            .split(' ')
            .filter(|scope| !scope.is_empty())
            .collect(),
    };
    if !scope.contains(&"offline_access") {
        scope.push("offline_access");
    }
    let scope = scope.join(" ");
    let grant = Grant {
        audience: redeemed.audience.as_deref(),
        ..caller.grant_to(issuer, &user, &scope, &custom_claims)
    };
    user_tokens(state, &grant, None, Lineage::New).await
}

/// `password` and Auth0's `password-realm`: a first-party client signs a user in directly.
async fn password(
    state: &AppState,
    issuer: &Issuer,
    caller: &CallingClient,
    params: &Params,
    realm: Option<&str>,
    ip: &str,
) -> Result<Value, FlowError> {
    caller.require_authentication()?;
    let username = params.require("username")?;
    let secret = params.require("password")?;
    // Without a realm, the tenant's `default_directory`, as in Auth0 (here with the bootstrap
    // database as the default's default).
    let tenant = state.adapters.tenants.get(&caller.tenant_id).await?;
    let default_directory = tenant.and_then(|tenant| tenant.default_directory);
    let connection = realm
        .or(default_directory.as_deref())
        .unwrap_or(DEFAULT_DATABASE);
    let enabled = state
        .login_connection(&caller.tenant_id, connection, &caller.client.client_id)
        .await?;
    if enabled.is_none() {
        return Err(FlowError::unauthorized_client(
            "The connection is not enabled for this client.",
        ));
    }
    let user =
        match authenticate(state, &caller.tenant_id, connection, username, secret, ip).await? {
            Attempt::User(user) => *user,
            Attempt::Wrong => return Err(FlowError::invalid_grant("Wrong email or password.")),
            Attempt::Throttled(throttled) => return Err(FlowError::throttled(throttled)),
            Attempt::Blocked => {
                return Err(FlowError::new(
                    ErrorKind::TooManyAttempts,
                    brute_force::BLOCKED_DESCRIPTION,
                ));
            }
        };
    if user.blocked {
        return Err(FlowError::new(ErrorKind::Unauthorized, "user is blocked"));
    }
    let custom_claims = issue::post_login(state, &caller.tenant_id, &caller.client, &user).await?;
    // No `openid` unless asked for: then there is no ID token, as with Auth0.
    let scope = params.get("scope").unwrap_or_default().to_owned();
    let audience =
        issue::audience_or_default(state, &caller.tenant_id, params.get("audience")).await?;
    let grant = Grant {
        audience: audience.as_deref(),
        auth_time: Some(state.now()),
        ..caller.grant_to(issuer, &user, &scope, &custom_claims)
    };
    user_tokens(state, &grant, Some("password"), Lineage::New).await
}

/// Auth0's grant for a passwordless one-time code.
const PASSWORDLESS_OTP: &str = "http://auth0.com/oauth/grant-type/passwordless/otp";

/// A passwordless code for `username` (an email) at the `realm` connection: the user's tokens.
async fn passwordless_otp(
    state: &AppState,
    issuer: &Issuer,
    caller: &CallingClient,
    params: &Params,
    ip: &str,
) -> Result<Value, FlowError> {
    caller.require_authentication()?;
    let realm = params.require("realm")?;
    let otp = params.require("otp")?;
    let email = validation::email(params.require("username")?)
        .map_err(|_| FlowError::invalid_grant("Wrong email or verification code."))?;
    let connection = state
        .login_connection(&caller.tenant_id, realm, &caller.client.client_id)
        .await?
        .filter(|connection| connection.strategy == passwordless::EMAIL_STRATEGY)
        .ok_or_else(|| {
            FlowError::unauthorized_client("The connection is not enabled for this client.")
        })?;
    let verified =
        passwordless::verify(state, &caller.tenant_id, &connection, &email, otp, ip).await?;
    let user = match verified {
        Verified::User(user) => *user,
        Verified::Wrong => {
            return Err(FlowError::invalid_grant(
                "Wrong email or verification code.",
            ));
        }
        Verified::Blocked => {
            return Err(FlowError::new(
                ErrorKind::TooManyAttempts,
                brute_force::BLOCKED_DESCRIPTION,
            ));
        }
        Verified::Throttled(throttled) => return Err(FlowError::throttled(throttled)),
        Verified::SignupDisabled => {
            return Err(FlowError::new(
                ErrorKind::AccessDenied,
                "Public signup is disabled.",
            ));
        }
    };
    if user.blocked {
        return Err(FlowError::new(ErrorKind::Unauthorized, "user is blocked"));
    }
    let custom_claims = issue::post_login(state, &caller.tenant_id, &caller.client, &user).await?;
    let scope = params.get("scope").unwrap_or_default().to_owned();
    let audience =
        issue::audience_or_default(state, &caller.tenant_id, params.get("audience")).await?;
    let grant = Grant {
        audience: audience.as_deref(),
        auth_time: Some(state.now()),
        ..caller.grant_to(issuer, &user, &scope, &custom_claims)
    };
    user_tokens(state, &grant, Some("otp"), Lineage::New).await
}

/// RFC 7009: revokes the refresh token and every token rotated from it. An unknown token, or
/// one of another client, is answered like a revoked one (§2.2).
pub async fn revoke(
    state: &AppState,
    caller: &CallingClient,
    token: &str,
) -> Result<(), FlowError> {
    caller.require_authentication()?;
    if let Some(found) = state
        .adapters
        .refresh_tokens
        .get(&caller.tenant_id, &secrets::digest(token))
        .await?
        && found.client_id == caller.client.client_id
    {
        state
            .adapters
            .refresh_tokens
            .remove_family(&caller.tenant_id, &found.family_id)
            .await?;
    }
    Ok(())
}
