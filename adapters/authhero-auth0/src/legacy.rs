//! The legacy Auth0 tenant, read through its public APIs.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use authhero_core::entities::User;
use authhero_core::ports::{LegacyRefreshGrant, LegacyUsersRepository};
use authhero_core::{Error, Result};
use base64::Engine;
use reqwest::{RequestBuilder, Response, StatusCode, Url};
use serde::Deserialize;
use serde_json::json;

use crate::token::TokenCache;

/// The grant Auth0 checks a password with against one named connection (realm).
const PASSWORD_REALM: &str = "http://auth0.com/oauth/grant-type/password-realm";

/// Where the legacy tenant is and how to call it.
#[derive(Clone)]
pub struct Auth0Settings {
    /// The tenant's domain, `example.eu.auth0.com`: it names the Management API audience.
    pub domain: String,
    /// A client of the legacy tenant allowed the client-credentials grant for its Management
    /// API (with `read:users`) and the password-realm grant.
    pub client_id: String,
    pub client_secret: String,
    /// The legacy database connection, used as the password-realm's realm. The local
    /// connection with the same name imports its users.
    pub connection: String,
    /// Overrides `https://<domain>` as the address called (a proxy, or a local test server).
    pub base_url: Option<String>,
    /// How long one look-up, password check or exchange may take in all.
    pub timeout: Duration,
}

/// Without the secret, so settings can be logged.
impl std::fmt::Debug for Auth0Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auth0Settings")
            .field("domain", &self.domain)
            .field("client_id", &self.client_id)
            .field("connection", &self.connection)
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Auth0Settings {
    pub const DEFAULT_CONNECTION: &'static str = "Username-Password-Authentication";
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);

    pub fn new(domain: &str, client_id: &str, client_secret: &str) -> Self {
        Self {
            domain: domain.to_owned(),
            client_id: client_id.to_owned(),
            client_secret: client_secret.to_owned(),
            connection: Self::DEFAULT_CONNECTION.to_owned(),
            base_url: None,
            timeout: Self::DEFAULT_TIMEOUT,
        }
    }
}

/// Why the legacy adapter could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("the legacy Auth0 address {0:?} is not a URL")]
    BaseUrl(String),
    #[error("cannot set up the HTTP client: {0}")]
    Client(#[from] reqwest::Error),
}

/// A legacy Auth0 tenant serving one local tenant; see the crate documentation.
#[derive(Debug)]
pub struct Auth0Legacy {
    http: reqwest::Client,
    base: Url,
    settings: Auth0Settings,
    tenant_id: String,
    token: TokenCache,
    requests: AtomicU64,
}

impl Auth0Legacy {
    /// The legacy tenant whose users local tenant `tenant_id` imports.
    pub fn new(settings: Auth0Settings, tenant_id: &str) -> Result<Self, SettingsError> {
        let address = settings
            .base_url
            .clone()
            .unwrap_or_else(|| format!("https://{}", settings.domain));
        let base = Url::parse(&address).map_err(|_| SettingsError::BaseUrl(address.clone()))?;
        if base.cannot_be_a_base() {
            return Err(SettingsError::BaseUrl(address));
        }
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self {
            http,
            base,
            settings,
            tenant_id: tenant_id.to_owned(),
            token: TokenCache::default(),
            requests: AtomicU64::new(0),
        })
    }

    /// How many HTTP requests the adapter has sent to the legacy tenant.
    pub fn requests_sent(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Whether this adapter answers for the local tenant and connection.
    fn serves(&self, tenant_id: &str, connection: &str) -> bool {
        tenant_id == self.tenant_id && connection == self.settings.connection
    }

    fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    /// Sends the request within the configured time; unreachable or slow is temporary.
    async fn send(&self, request: RequestBuilder) -> Result<Response> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        request.send().await.map_err(Error::unavailable)
    }

    /// Runs one port call within the configured time in all.
    async fn within_time<T>(&self, call: impl Future<Output = Result<T>>) -> Result<T> {
        tokio::time::timeout(self.settings.timeout, call)
            .await
            .unwrap_or_else(|_| {
                Err(Error::unavailable_because(format!(
                    "the legacy Auth0 tenant did not answer within {:?}",
                    self.settings.timeout
                )))
            })
    }

    /// A `/oauth/token` request: `Some` of the tokens when granted, None when the legacy
    /// tenant refuses the grant itself (wrong password, unknown or spent token).
    async fn token_request(&self, form: serde_json::Value) -> Result<Option<TokenAnswer>> {
        let response = self
            .send(self.http.post(self.url(&["oauth", "token"])).json(&form))
            .await?;
        let status = response.status();
        if status.is_success() {
            return response.json().await.map(Some).map_err(Error::unavailable);
        }
        let refusal: Refusal = response.json().await.unwrap_or_default();
        // Refusals of the user's credentials: wrong ones (invalid_grant), a user blocked there
        // (unauthorized), one who needs a second factor there (mfa_required), a pair blocked by
        // Auth0's brute-force protection (too_many_attempts). A rate limit on the tenant, or
        // any other answer, is not the user's fault and stays temporary.
        let refused = matches!(
            (status, refusal.error.as_deref()),
            (
                StatusCode::FORBIDDEN | StatusCode::BAD_REQUEST,
                Some("invalid_grant" | "unauthorized" | "mfa_required")
            ) | (StatusCode::TOO_MANY_REQUESTS, Some("too_many_attempts"))
        );
        if refused {
            return Ok(None);
        }
        Err(unexpected("/oauth/token", status, &refusal))
    }

    /// The Management API token, from the cache or freshly granted.
    async fn management_token(&self) -> Result<String> {
        if let Some(token) = self.token.get() {
            return Ok(token);
        }
        let audience = format!("https://{}/api/v2/", self.settings.domain);
        let granted = self
            .token_request(json!({
                "grant_type": "client_credentials",
                "client_id": self.settings.client_id,
                "client_secret": self.settings.client_secret,
                "audience": audience,
            }))
            .await?
            .ok_or_else(|| {
                Error::unavailable_because("the legacy tenant refused the client credentials")
            })?;
        self.token
            .keep(&granted.access_token, granted.expires_in.unwrap_or(0));
        Ok(granted.access_token)
    }

    /// A Management API read; None on 404.
    async fn management_get<T: for<'de> Deserialize<'de>>(
        &self,
        url: Url,
        what: &str,
    ) -> Result<Option<T>> {
        let token = self.management_token().await?;
        let response = self.send(self.http.get(url).bearer_auth(token)).await?;
        let status = response.status();
        if status == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if status == StatusCode::UNAUTHORIZED {
            self.token.forget();
        }
        if !status.is_success() {
            let refusal: Refusal = response.json().await.unwrap_or_default();
            return Err(unexpected(what, status, &refusal));
        }
        response.json().await.map(Some).map_err(Error::unavailable)
    }

    /// The legacy user with this id, if it belongs to the legacy connection.
    async fn user_by_id(&self, user_id: &str) -> Result<Option<User>> {
        let url = self.url(&["api", "v2", "users", user_id]);
        let user: Option<User> = self.management_get(url, "GET /api/v2/users/{id}").await?;
        Ok(user.filter(|user| self.in_connection(user)))
    }

    fn in_connection(&self, user: &User) -> bool {
        user.identities
            .iter()
            .any(|identity| identity.connection == self.settings.connection)
    }

    /// Whose tokens these are: the ID token's `sub` (received straight from the token endpoint
    /// over TLS, which OpenID Connect Core §3.1.3.7 accepts in place of a signature check), or
    /// else `/userinfo`'s.
    async fn subject(&self, tokens: &TokenAnswer) -> Result<String> {
        if let Some(sub) = tokens.id_token.as_deref().and_then(id_token_subject) {
            return Ok(sub);
        }
        let response = self
            .send(
                self.http
                    .get(self.url(&["userinfo"]))
                    .bearer_auth(&tokens.access_token),
            )
            .await?;
        let status = response.status();
        if !status.is_success() {
            return Err(unexpected("/userinfo", status, &Refusal::default()));
        }
        let claims: Subject = response.json().await.map_err(Error::unavailable)?;
        Ok(claims.sub)
    }

    async fn profile_of(&self, tokens: &TokenAnswer) -> Result<Option<User>> {
        let sub = self.subject(tokens).await?;
        self.user_by_id(&sub).await
    }
}

#[async_trait]
impl LegacyUsersRepository for Auth0Legacy {
    async fn find_by_email(
        &self,
        tenant_id: &str,
        connection: &str,
        email: &str,
    ) -> Result<Option<User>> {
        if !self.serves(tenant_id, connection) {
            return Ok(None);
        }
        self.within_time(async {
            let mut url = self.url(&["api", "v2", "users-by-email"]);
            url.query_pairs_mut().append_pair("email", email);
            let users: Vec<User> = self
                .management_get(url, "GET /api/v2/users-by-email")
                .await?
                .unwrap_or_default();
            Ok(users.into_iter().find(|user| self.in_connection(user)))
        })
        .await
    }

    async fn verify_password(
        &self,
        tenant_id: &str,
        connection: &str,
        username: &str,
        password: &str,
    ) -> Result<Option<User>> {
        if !self.serves(tenant_id, connection) {
            return Ok(None);
        }
        self.within_time(async {
            let granted = self
                .token_request(json!({
                    "grant_type": PASSWORD_REALM,
                    "realm": self.settings.connection,
                    "username": username,
                    "password": password,
                    "client_id": self.settings.client_id,
                    "client_secret": self.settings.client_secret,
                    "scope": "openid",
                }))
                .await?;
            match granted {
                Some(tokens) => self.profile_of(&tokens).await,
                None => Ok(None),
            }
        })
        .await
    }

    async fn exchange_refresh_token(
        &self,
        tenant_id: &str,
        client_id: &str,
        client_secret: Option<&str>,
        refresh_token: &str,
    ) -> Result<Option<LegacyRefreshGrant>> {
        if tenant_id != self.tenant_id {
            return Ok(None);
        }
        self.within_time(async {
            let mut form = json!({
                "grant_type": "refresh_token",
                "client_id": client_id,
                "refresh_token": refresh_token,
            });
            if let Some(secret) = client_secret {
                form["client_secret"] = secret.into();
            }
            let Some(tokens) = self.token_request(form).await? else {
                return Ok(None);
            };
            let user = self.profile_of(&tokens).await?;
            Ok(user.map(|user| LegacyRefreshGrant {
                user,
                scope: tokens.scope.clone(),
                audience: api_audience(&tokens.access_token),
            }))
        })
        .await
    }
}

#[derive(Debug, Deserialize)]
struct TokenAnswer {
    access_token: String,
    id_token: Option<String>,
    expires_in: Option<u64>,
    scope: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct Refusal {
    error: Option<String>,
    error_description: Option<String>,
    message: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Subject {
    sub: String,
}

/// A JWT's payload, read without checking its signature (see [`Auth0Legacy::subject`]).
fn unverified_claims(jwt: &str) -> Option<serde_json::Value> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn id_token_subject(id_token: &str) -> Option<String> {
    let claims = unverified_claims(id_token)?;
    claims["sub"].as_str().map(str::to_owned)
}

/// The API an access token is for: its `aud`, less Auth0's `/userinfo` audience. An opaque
/// token (no API) has none.
fn api_audience(access_token: &str) -> Option<String> {
    let claims = unverified_claims(access_token)?;
    let audiences = match &claims["aud"] {
        serde_json::Value::String(audience) => vec![audience.as_str()],
        serde_json::Value::Array(audiences) => audiences
            .iter()
            .filter_map(serde_json::Value::as_str)
            .collect(),
        _ => Vec::new(),
    };
    audiences
        .into_iter()
        .find(|audience| !audience.ends_with("/userinfo"))
        .map(str::to_owned)
}

/// An answer the legacy tenant should not give: a broken setting (wrong credentials, missing
/// grant or scope) or an outage. Temporary for the user, who is told to try again later;
/// logged for the operator.
fn unexpected(what: &str, status: StatusCode, refusal: &Refusal) -> Error {
    let detail = refusal
        .error_description
        .as_deref()
        .or(refusal.message.as_deref())
        .or(refusal.error.as_deref())
        .unwrap_or("no description");
    tracing::error!(%status, detail, "the legacy Auth0 tenant refused {what}");
    Error::unavailable_because(format!("legacy tenant: {what} answered {status}: {detail}"))
}
