//! The Auth API in-process, on an in-memory SQLite database: the OAuth/OIDC flows end to end and
//! every security rule the server must keep.

mod lazy_migration;
mod security;
mod support;
mod universal_login;

use std::collections::HashMap;

use anyhow::{Context, bail, ensure};
use authhero::bootstrap::{BootstrapOptions, bootstrap};
use authhero_core::entities::*;
use authhero_core::{DataAdapters, ListParams, Timestamp};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use base64::Engine;
use serde_json::Value;
use support::{Reply, claims, hidden_value, redirect_params};

const ISSUER: &str = "http://localhost:3000/";
const CALLBACK: &str = "https://app.example.com/callback";
const API: &str = "https://api.example.com/";
const EMAIL: &str = "jane@example.com";
const PASSWORD: &str = "correct horse battery staple";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

struct Server {
    router: Router,
    adapters: DataAdapters,
    tenant: String,
    spa: String,
    web: String,
    web_secret: String,
    user_id: String,
}

/// The redirect's parameters, after checking it carries OAuth error `error`.
fn redirect_error(
    reply: &Reply,
    error: &str,
    what: &str,
) -> anyhow::Result<HashMap<String, String>> {
    let params = redirect_params(
        reply
            .location()
            .with_context(|| format!("{what}: no redirect"))?,
    );
    ensure!(
        params.get("error").map(String::as_str) == Some(error),
        "{what}: {params:?}"
    );
    Ok(params)
}

impl Server {
    async fn start() -> anyhow::Result<Server> {
        Self::start_with(std::sync::Arc::new(authhero::hooks::NoHooks)).await
    }

    async fn start_with(hooks: std::sync::Arc<dyn authhero::Hooks>) -> anyhow::Result<Server> {
        Self::start_configured(hooks, PasswordAlgorithm::Bcrypt).await
    }

    async fn start_configured(
        hooks: std::sync::Arc<dyn authhero::Hooks>,
        password_hashing: PasswordAlgorithm,
    ) -> anyhow::Result<Server> {
        let (adapters, tenant) = support::bootstrapped(ISSUER).await?;
        let now = Timestamp::now();

        let mut spa = Client::new("spa-client", "SPA", now);
        spa.app_type = Some(AppType::Spa);
        spa.token_endpoint_auth_method = Some(TokenEndpointAuthMethod::None);
        spa.callbacks = vec![CALLBACK.into()];
        spa.allowed_logout_urls = vec!["https://app.example.com/bye".into()];
        spa.refresh_token = Some(RefreshTokenConfig {
            rotation_type: RefreshTokenRotation::Rotating,
            expiration_type: RefreshTokenExpiration::Expiring,
            leeway: Some(0),
            token_lifetime: Some(86_400),
            infinite_token_lifetime: None,
            idle_token_lifetime: None,
            infinite_idle_token_lifetime: None,
        });
        adapters.clients.create(&tenant, spa).await?;
        let mut web = Client::new("web-client", "Web", now);
        web.client_secret = Some("web-secret".into());
        web.grant_types = [
            "authorization_code",
            "implicit",
            "refresh_token",
            "client_credentials",
            "password",
            "http://auth0.com/oauth/grant-type/password-realm",
        ]
        .map(String::from)
        .to_vec();
        web.callbacks = vec![CALLBACK.into()];
        adapters.clients.create(&tenant, web).await?;
        support::enable_on_default_connection(&adapters, &tenant, &["spa-client", "web-client"])
            .await?;

        let api = ResourceServer {
            id: "rs_api".into(),
            name: "API".into(),
            identifier: API.into(),
            scopes: vec![ResourceServerScope {
                value: "read:things".into(),
                description: None,
            }],
            signing_alg: None,
            signing_secret: None,
            allow_offline_access: true,
            skip_consent_for_verifiable_first_party_clients: true,
            token_lifetime: Some(600),
            token_lifetime_for_web: None,
            enforce_policies: true,
            token_dialect: Some("access_token_authz".into()),
            is_system: false,
            created_at: now,
            updated_at: now,
        };
        adapters.resource_servers.create(&tenant, api).await?;
        adapters
            .client_grants
            .create(
                &tenant,
                ClientGrant {
                    id: "cgr_web".into(),
                    client_id: "web-client".into(),
                    audience: API.into(),
                    scope: vec!["read:things".into()],
                    organization_usage: None,
                    allow_any_organization: None,
                    organization_ids: Vec::new(),
                    created_at: now,
                    updated_at: now,
                },
            )
            .await?;

        let mut user = User::new("auth0", "jane", "Username-Password-Authentication", now);
        user.email = Some(EMAIL.into());
        user.name = Some("Jane Doe".into());
        let user = support::create_user(&adapters, &tenant, user, PASSWORD).await?;
        let router = authhero::AuthHero::new(adapters.clone())
            .issuer(ISSUER)?
            .hooks(hooks)
            .password_hashing(password_hashing)
            .router();
        Ok(Server {
            router,
            adapters,
            tenant,
            spa: "spa-client".into(),
            web: "web-client".into(),
            web_secret: "web-secret".into(),
            user_id: user.user_id,
        })
    }

    async fn send(&self, request: Request<Body>) -> anyhow::Result<Reply> {
        support::send(&self.router, request).await
    }

    async fn get(&self, uri: &str, cookies: &[String]) -> anyhow::Result<Reply> {
        support::get(&self.router, uri, cookies).await
    }

    async fn post_form(
        &self,
        uri: &str,
        fields: &[(&str, &str)],
        cookies: &[String],
    ) -> anyhow::Result<Reply> {
        support::post_form(&self.router, uri, fields, cookies).await
    }

    async fn token(&self, fields: &[(&str, &str)]) -> anyhow::Result<Reply> {
        self.post_form("/oauth/token", fields, &[]).await
    }

    /// `/authorize` with the SPA's defaults and `extra` parameters.
    fn authorize_uri(&self, client_id: &str, extra: &[(&str, &str)]) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query
            .append_pair("client_id", client_id)
            .append_pair("redirect_uri", CALLBACK);
        let has = |name: &str| extra.iter().any(|(key, _)| *key == name);
        if !has("response_type") {
            query.append_pair("response_type", "code");
        }
        if !has("scope") {
            query.append_pair("scope", "openid profile email offline_access");
        }
        if !has("code_challenge") && client_id == self.spa {
            query
                .append_pair("code_challenge", CHALLENGE)
                .append_pair("code_challenge_method", "S256");
        }
        query.extend_pairs(extra);
        format!("/authorize?{}", query.finish())
    }

    /// Runs `/authorize` and the login form; returns the final redirect and the session cookie.
    async fn log_in(
        &self,
        client_id: &str,
        extra: &[(&str, &str)],
    ) -> anyhow::Result<(Reply, Vec<String>)> {
        let start = self.get(&self.authorize_uri(client_id, extra), &[]).await?;
        ensure!(
            start.status == StatusCode::FOUND,
            "authorize: {} {}",
            start.status,
            start.body
        );
        let login_page = start.location().context("no login redirect")?.to_owned();
        let login_cookies = start.cookies();
        let form = self.get(&login_page, &login_cookies).await?;
        ensure!(form.status == StatusCode::OK, "login page: {}", form.status);
        let state = redirect_params(&login_page)
            .remove("state")
            .context("no state")?;
        let csrf = hidden_value(&form.body, "csrf")?;
        let done = self
            .post_form(
                "/u/login",
                &[
                    ("state", &state),
                    ("csrf", &csrf),
                    ("username", EMAIL),
                    ("password", PASSWORD),
                ],
                &login_cookies,
            )
            .await?;
        let session = done
            .cookies()
            .into_iter()
            .filter(|cookie| cookie.starts_with("authhero_session="))
            .collect();
        Ok((done, session))
    }

    /// Logs in and returns an authorization code for the SPA.
    async fn code(&self) -> anyhow::Result<String> {
        let (done, _) = self.log_in(&self.spa.clone(), &[("state", "xyz")]).await?;
        ensure!(
            done.status == StatusCode::FOUND,
            "login: {} {}",
            done.status,
            done.body
        );
        let params = redirect_params(done.location().context("no callback")?);
        ensure!(
            params.get("state").map(String::as_str) == Some("xyz"),
            "state lost: {params:?}"
        );
        params.get("code").cloned().context("no code")
    }

    async fn exchange(&self, code: &str, verifier: &str) -> anyhow::Result<Reply> {
        self.token(&[
            ("grant_type", "authorization_code"),
            ("client_id", &self.spa),
            ("code", code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", verifier),
        ])
        .await
    }
}

#[tokio::test]
async fn discovery_and_jwks_verify_issued_tokens() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let discovery = server
        .get("/.well-known/openid-configuration", &[])
        .await?
        .json()?;
    ensure!(
        discovery["issuer"] == ISSUER,
        "issuer {}",
        discovery["issuer"]
    );
    ensure!(
        discovery["token_endpoint"] == "http://localhost:3000/oauth/token",
        "token endpoint"
    );
    let jwks = server.get("/.well-known/jwks.json", &[]).await?.json()?;
    let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(jwks["keys"][0].clone())?;

    let reply = server
        .token(&[
            ("grant_type", "client_credentials"),
            ("client_id", &server.web),
            ("client_secret", &server.web_secret),
            ("audience", API),
        ])
        .await?;
    ensure!(
        reply.status == StatusCode::OK,
        "{} {}",
        reply.status,
        reply.body
    );
    let token = reply.json()?["access_token"]
        .as_str()
        .context("no token")?
        .to_owned();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&[API]);
    validation.set_issuer(&[ISSUER]);
    let decoded = jsonwebtoken::decode::<Value>(
        &token,
        &jsonwebtoken::DecodingKey::from_jwk(&jwk)?,
        &validation,
    )?;
    let header = jsonwebtoken::decode_header(&token)?;
    ensure!(header.kid == jwk.common.key_id, "kid {:?}", header.kid);
    ensure!(
        decoded.claims["sub"] == "web-client@clients",
        "sub {}",
        decoded.claims["sub"]
    );
    ensure!(decoded.claims["gty"] == "client-credentials", "gty");
    ensure!(decoded.claims["azp"] == "web-client", "azp");
    ensure!(decoded.claims["scope"] == "read:things", "scope");
    ensure!(
        decoded.claims["permissions"] == serde_json::json!(["read:things"]),
        "permissions"
    );
    ensure!(
        decoded.claims["exp"].as_i64().unwrap_or(0) - decoded.claims["iat"].as_i64().unwrap_or(0)
            == 600,
        "lifetime"
    );
    Ok(())
}

#[tokio::test]
async fn client_credentials_needs_a_grant_and_the_right_secret() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let wrong = server
        .token(&[
            ("grant_type", "client_credentials"),
            ("client_id", "web-client"),
            ("client_secret", "nope"),
            ("audience", API),
        ])
        .await?;
    ensure!(
        wrong.status == StatusCode::UNAUTHORIZED && wrong.json()?["error"] == "invalid_client",
        "{}",
        wrong.body
    );
    let request = Request::post("/oauth/token")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(
            header::AUTHORIZATION,
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode("web-client:web-secret")
            ),
        )
        .body(Body::from(format!(
            "grant_type=client_credentials&audience={}",
            urlencode(API)
        )))?;
    let reply = server.send(request).await?;
    ensure!(
        reply.status == StatusCode::OK,
        "client_secret_basic: {} {}",
        reply.status,
        reply.body
    );
    let ungranted = server
        .token(&[
            ("grant_type", "client_credentials"),
            ("client_id", "web-client"),
            ("client_secret", "web-secret"),
            ("audience", "https://localhost:3000/api/v2/"),
        ])
        .await?;
    ensure!(
        ungranted.status == StatusCode::FORBIDDEN && ungranted.json()?["error"] == "access_denied",
        "{}",
        ungranted.body
    );
    let public = server
        .token(&[
            ("grant_type", "client_credentials"),
            ("client_id", "spa-client"),
            ("audience", API),
        ])
        .await?;
    ensure!(
        public.status == StatusCode::FORBIDDEN && public.json()?["error"] == "unauthorized_client",
        "public client: {}",
        public.body
    );
    Ok(())
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[tokio::test]
async fn code_flow_with_pkce_issues_verified_tokens_and_userinfo() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let (done, session) = server
        .log_in(&server.spa.clone(), &[("state", "s1"), ("nonce", "n-0S6")])
        .await?;
    ensure!(
        done.status == StatusCode::FOUND,
        "{} {}",
        done.status,
        done.body
    );
    ensure!(!session.is_empty(), "no session cookie");
    let code = redirect_params(done.location().context("callback")?)
        .remove("code")
        .context("code")?;
    let reply = server.exchange(&code, VERIFIER).await?;
    ensure!(
        reply.status == StatusCode::OK,
        "{} {}",
        reply.status,
        reply.body
    );
    let body = reply.json()?;
    let id_token = claims(body["id_token"].as_str().context("id_token")?)?;
    ensure!(
        id_token["sub"] == server.user_id.as_str() && id_token["aud"] == "spa-client",
        "{id_token}"
    );
    ensure!(
        id_token["nonce"] == "n-0S6"
            && id_token["email"] == EMAIL
            && id_token["name"] == "Jane Doe",
        "{id_token}"
    );
    ensure!(
        id_token["auth_time"].is_i64() && id_token["sid"].is_string(),
        "{id_token}"
    );
    ensure!(
        body["refresh_token"].is_string(),
        "offline_access gave no refresh token: {body}"
    );
    let access = claims(body["access_token"].as_str().context("access")?)?;
    ensure!(
        access["aud"] == "http://localhost:3000/userinfo",
        "aud {}",
        access["aud"]
    );

    let request = Request::get("/userinfo")
        .header(
            header::AUTHORIZATION,
            format!(
                "Bearer {}",
                body["access_token"].as_str().unwrap_or_default()
            ),
        )
        .body(Body::empty())?;
    let info = server.send(request).await?;
    ensure!(
        info.status == StatusCode::OK,
        "userinfo {} {}",
        info.status,
        info.body
    );
    let info = info.json()?;
    ensure!(
        info["sub"] == server.user_id.as_str()
            && info["email"] == EMAIL
            && info["email_verified"] == true,
        "{info}"
    );
    let anonymous = server.get("/userinfo", &[]).await?;
    ensure!(
        anonymous.status == StatusCode::UNAUTHORIZED,
        "userinfo without a token: {}",
        anonymous.status
    );
    let user = server
        .adapters
        .users
        .get(&server.tenant, &server.user_id)
        .await?
        .context("user")?;
    ensure!(
        user.logins_count == 1 && user.last_login.is_some(),
        "login not recorded"
    );
    Ok(())
}

#[tokio::test]
async fn unregistered_redirect_uri_is_an_error_page_never_a_redirect() -> anyhow::Result<()> {
    let server = Server::start().await?;
    for uri in [
        "/authorize?client_id=spa-client&response_type=code&redirect_uri=https://evil.example.com/cb",
        "/authorize?client_id=spa-client&response_type=code&redirect_uri=https://app.example.com/callback/../x",
        "/authorize?client_id=spa-client&response_type=code&redirect_uri=https://app.example.com/callbackx",
        "/authorize?client_id=spa-client&response_type=code",
        "/authorize?client_id=nobody&response_type=code&redirect_uri=https://app.example.com/callback",
    ] {
        let reply = server.get(uri, &[]).await?;
        ensure!(
            reply.status == StatusCode::BAD_REQUEST,
            "{uri}: {}",
            reply.status
        );
        ensure!(
            reply.location().is_none(),
            "{uri} redirected to {:?}",
            reply.location()
        );
    }
    Ok(())
}

#[tokio::test]
async fn codes_are_single_use() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let code = server.code().await?;
    ensure!(
        server.exchange(&code, VERIFIER).await?.status == StatusCode::OK,
        "first exchange"
    );
    let replay = server.exchange(&code, VERIFIER).await?;
    ensure!(
        replay.status == StatusCode::FORBIDDEN && replay.json()?["error"] == "invalid_grant",
        "replay: {}",
        replay.body
    );
    Ok(())
}

#[tokio::test]
async fn expired_codes_are_refused() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let code = server.code().await?;
    let digest = authhero::secrets::digest(&code);
    let mut stored = server
        .adapters
        .codes
        .get(&server.tenant, &digest)
        .await?
        .context("stored code")?;
    server
        .adapters
        .codes
        .remove(&server.tenant, &digest)
        .await?;
    stored.expires_at = Timestamp::now().plus_seconds(-1);
    server.adapters.codes.create(&server.tenant, stored).await?;
    let reply = server.exchange(&code, VERIFIER).await?;
    ensure!(
        reply.status == StatusCode::FORBIDDEN && reply.json()?["error"] == "invalid_grant",
        "{}",
        reply.body
    );
    Ok(())
}

#[tokio::test]
async fn a_wrong_pkce_verifier_fails() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let code = server.code().await?;
    let wrong = server
        .exchange(&code, "wrong-verifier-wrong-verifier-wrong-verifier-x")
        .await?;
    ensure!(
        wrong.status == StatusCode::FORBIDDEN && wrong.json()?["error"] == "invalid_grant",
        "{}",
        wrong.body
    );
    let code = server.code().await?;
    let missing = server
        .token(&[
            ("grant_type", "authorization_code"),
            ("client_id", "spa-client"),
            ("code", &code),
            ("redirect_uri", CALLBACK),
        ])
        .await?;
    ensure!(
        missing.status == StatusCode::FORBIDDEN,
        "no verifier: {}",
        missing.body
    );
    Ok(())
}

#[tokio::test]
async fn public_clients_without_pkce_are_refused() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let uri = format!(
        "/authorize?client_id=spa-client&response_type=code&redirect_uri={}&state=abc",
        urlencode(CALLBACK)
    );
    let reply = server.get(&uri, &[]).await?;
    ensure!(reply.status == StatusCode::FOUND, "{}", reply.status);
    let params = redirect_error(&reply, "invalid_request", "authorize")?;
    ensure!(
        params.get("state").map(String::as_str) == Some("abc"),
        "state"
    );
    Ok(())
}

#[tokio::test]
async fn the_login_form_refuses_cross_site_posts() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let start = server
        .get(&server.authorize_uri("spa-client", &[]), &[])
        .await?;
    let login_page = start.location().context("login redirect")?.to_owned();
    let cookies = start.cookies();
    let form = server.get(&login_page, &cookies).await?;
    let state = redirect_params(&login_page)
        .remove("state")
        .context("state")?;
    let csrf = hidden_value(&form.body, "csrf")?;
    let credentials = [("username", EMAIL), ("password", PASSWORD)];
    let without_cookie = server
        .post_form(
            "/u/login",
            &[
                ("state", &state),
                ("csrf", &csrf),
                credentials[0],
                credentials[1],
            ],
            &[],
        )
        .await?;
    ensure!(
        without_cookie.status == StatusCode::FORBIDDEN,
        "no cookie: {}",
        without_cookie.status
    );
    let wrong_token = server
        .post_form(
            "/u/login",
            &[
                ("state", &state),
                ("csrf", "forged"),
                credentials[0],
                credentials[1],
            ],
            &cookies,
        )
        .await?;
    ensure!(
        wrong_token.status == StatusCode::FORBIDDEN,
        "wrong csrf: {}",
        wrong_token.status
    );
    let sessions = server
        .adapters
        .sessions
        .list(&server.tenant, &ListParams::default())
        .await?;
    ensure!(sessions.items.is_empty(), "a forged post created a session");
    let wrong_password = server
        .post_form(
            "/u/login",
            &[
                ("state", &state),
                ("csrf", &csrf),
                ("username", EMAIL),
                ("password", "nope"),
            ],
            &cookies,
        )
        .await?;
    ensure!(
        wrong_password.status == StatusCode::BAD_REQUEST
            && wrong_password.body.contains("Wrong email or password"),
        "wrong password"
    );
    Ok(())
}

#[tokio::test]
async fn sessions_give_sso_and_prompt_none() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let silent = server
        .get(
            &server.authorize_uri("spa-client", &[("prompt", "none"), ("state", "q")]),
            &[],
        )
        .await?;
    redirect_error(&silent, "login_required", "authorize")?;

    let (_, session) = server.log_in("spa-client", &[]).await?;
    let again = server
        .get(
            &server.authorize_uri("web-client", &[("prompt", "none")]),
            &session,
        )
        .await?;
    let params = redirect_params(again.location().context("location")?);
    ensure!(
        params.contains_key("code"),
        "SSO to another client: {params:?}"
    );
    let forced = server
        .get(
            &server.authorize_uri("spa-client", &[("prompt", "login")]),
            &session,
        )
        .await?;
    ensure!(
        forced
            .location()
            .is_some_and(|location| location.starts_with("/u/login")),
        "prompt=login ignored"
    );

    let web_message = server
        .get(
            &server.authorize_uri(
                "spa-client",
                &[
                    ("prompt", "none"),
                    ("response_mode", "web_message"),
                    ("state", "w"),
                ],
            ),
            &session,
        )
        .await?;
    ensure!(
        web_message.status == StatusCode::OK && web_message.body.contains("authorization_response"),
        "web_message"
    );
    ensure!(
        web_message.body.contains("\"https://app.example.com\""),
        "web_message target origin"
    );

    let logout = server
        .get(
            "/v2/logout?client_id=spa-client&returnTo=https://app.example.com/bye",
            &session,
        )
        .await?;
    ensure!(
        logout.status == StatusCode::FOUND
            && logout.location() == Some("https://app.example.com/bye"),
        "logout"
    );
    let after = server
        .get(
            &server.authorize_uri("spa-client", &[("prompt", "none")]),
            &session,
        )
        .await?;
    redirect_error(&after, "login_required", "session outlived logout")?;
    let refused = server
        .get(
            "/v2/logout?client_id=spa-client&returnTo=https://evil.example.com/",
            &[],
        )
        .await?;
    ensure!(
        refused.status == StatusCode::BAD_REQUEST && refused.location().is_none(),
        "unlisted returnTo"
    );
    Ok(())
}

#[tokio::test]
async fn hybrid_and_form_post_responses() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let (_, session) = server.log_in("spa-client", &[]).await?;
    let hybrid = server
        .get(
            &server.authorize_uri(
                "spa-client",
                &[("response_type", "code id_token token"), ("nonce", "n1")],
            ),
            &session,
        )
        .await?;
    let location = hybrid.location().context("location")?;
    ensure!(
        location.contains('#'),
        "hybrid must use the fragment: {location}"
    );
    let params = redirect_params(location);
    let id_token = claims(params.get("id_token").context("id_token")?)?;
    ensure!(
        id_token["c_hash"].is_string()
            && id_token["at_hash"].is_string()
            && id_token["nonce"] == "n1",
        "{id_token}"
    );
    let no_nonce = server
        .get(
            &server.authorize_uri("spa-client", &[("response_type", "id_token")]),
            &session,
        )
        .await?;
    redirect_error(&no_nonce, "invalid_request", "id_token without nonce")?;
    let form_post = server
        .get(
            &server.authorize_uri("spa-client", &[("response_mode", "form_post")]),
            &session,
        )
        .await?;
    ensure!(
        form_post.status == StatusCode::OK && form_post.body.contains("name=\"code\""),
        "form_post"
    );
    ensure!(
        form_post.body.contains(&format!("action=\"{CALLBACK}\"")),
        "form_post target"
    );
    Ok(())
}

#[tokio::test]
async fn refresh_rotation_and_reuse_revokes_the_family() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let code = server.code().await?;
    let first = server.exchange(&code, VERIFIER).await?.json()?;
    let original = first["refresh_token"]
        .as_str()
        .context("refresh token")?
        .to_owned();
    let rotated = server
        .token(&[
            ("grant_type", "refresh_token"),
            ("client_id", "spa-client"),
            ("refresh_token", &original),
        ])
        .await?;
    ensure!(rotated.status == StatusCode::OK, "{}", rotated.body);
    let next = rotated.json()?["refresh_token"]
        .as_str()
        .context("rotated token")?
        .to_owned();
    ensure!(next != original, "rotation returned the same token");
    let rotated_body = rotated.json()?;
    let id_token = claims(
        rotated_body["id_token"]
            .as_str()
            .context("id token on refresh")?,
    )?;
    ensure!(
        id_token["auth_time"].is_i64(),
        "refresh lost auth_time: {id_token}"
    );
    let old_row = server
        .adapters
        .refresh_tokens
        .get(&server.tenant, &authhero::secrets::digest(&original))
        .await?
        .context("original")?;
    let new_row = server
        .adapters
        .refresh_tokens
        .get(&server.tenant, &authhero::secrets::digest(&next))
        .await?
        .context("rotated")?;
    ensure!(
        new_row.expires_at == old_row.expires_at,
        "rotation extended the family's life"
    );
    ensure!(
        new_row.family_id == old_row.family_id,
        "rotation left the family"
    );
    let reuse = server
        .token(&[
            ("grant_type", "refresh_token"),
            ("client_id", "spa-client"),
            ("refresh_token", &original),
        ])
        .await?;
    ensure!(
        reuse.status == StatusCode::FORBIDDEN && reuse.json()?["error"] == "invalid_grant",
        "reuse: {}",
        reuse.body
    );
    let after = server
        .token(&[
            ("grant_type", "refresh_token"),
            ("client_id", "spa-client"),
            ("refresh_token", &next),
        ])
        .await?;
    ensure!(
        after.status == StatusCode::FORBIDDEN,
        "the family survived a reuse: {}",
        after.body
    );
    Ok(())
}

#[tokio::test]
async fn revocation_ends_a_refresh_token() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let code = server.code().await?;
    let tokens = server.exchange(&code, VERIFIER).await?.json()?;
    let refresh = tokens["refresh_token"]
        .as_str()
        .context("refresh token")?
        .to_owned();
    let revoked = server
        .post_form(
            "/oauth/revoke",
            &[("client_id", "spa-client"), ("token", &refresh)],
            &[],
        )
        .await?;
    ensure!(
        revoked.status == StatusCode::OK,
        "revoke: {} {}",
        revoked.status,
        revoked.body
    );
    let used = server
        .token(&[
            ("grant_type", "refresh_token"),
            ("client_id", "spa-client"),
            ("refresh_token", &refresh),
        ])
        .await?;
    ensure!(
        used.status == StatusCode::FORBIDDEN,
        "revoked token still works"
    );
    Ok(())
}

#[tokio::test]
async fn signup_then_password_realm_login() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let signup = |email: &'static str, password: &'static str| {
        let body = serde_json::json!({
            "client_id": "web-client", "email": email, "password": password,
            "connection": "Username-Password-Authentication"
        });
        Request::post("/dbconnections/signup")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
    };
    let created = server
        .send(signup("New.User@Example.com", "Long enough password")?)
        .await?;
    ensure!(
        created.status == StatusCode::OK,
        "{} {}",
        created.status,
        created.body
    );
    ensure!(
        created.json()?["email"] == "new.user@example.com",
        "{}",
        created.body
    );
    let again = server
        .send(signup("new.user@example.com", "Long enough password")?)
        .await?;
    ensure!(
        again.status == StatusCode::BAD_REQUEST && again.json()?["code"] == "user_exists",
        "{}",
        again.body
    );
    let weak = server.send(signup("weak@example.com", "short")?).await?;
    ensure!(
        weak.status == StatusCode::BAD_REQUEST && weak.json()?["code"] == "invalid_password",
        "{}",
        weak.body
    );

    let login = server
        .token(&[
            (
                "grant_type",
                "http://auth0.com/oauth/grant-type/password-realm",
            ),
            ("client_id", "web-client"),
            ("client_secret", "web-secret"),
            ("username", "new.user@example.com"),
            ("password", "Long enough password"),
            ("realm", "Username-Password-Authentication"),
            ("scope", "openid email"),
        ])
        .await?;
    ensure!(
        login.status == StatusCode::OK,
        "{} {}",
        login.status,
        login.body
    );
    let access = claims(login.json()?["access_token"].as_str().context("token")?)?;
    ensure!(access["gty"] == "password", "{access}");
    let wrong = server
        .token(&[
            ("grant_type", "password"),
            ("client_id", "web-client"),
            ("client_secret", "web-secret"),
            ("username", "new.user@example.com"),
            ("password", "not it"),
        ])
        .await?;
    ensure!(
        wrong.status == StatusCode::FORBIDDEN && wrong.json()?["error"] == "invalid_grant",
        "{}",
        wrong.body
    );

    let ask = |email: &str| {
        let body = format!(
            "client_id=web-client&connection=Username-Password-Authentication&email={}",
            urlencode(email)
        );
        Request::post("/dbconnections/change_password")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
    };
    let known = server.send(ask("new.user@example.com")?).await?;
    let unknown = server.send(ask("nobody@example.com")?).await?;
    ensure!(
        known.status == StatusCode::OK
            && known.body == unknown.body
            && known.status == unknown.status,
        "change_password leaks"
    );
    Ok(())
}

#[tokio::test]
async fn malformed_token_requests_are_4xx_and_write_nothing() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let form = |body: &str| {
        Request::post("/oauth/token")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body.to_owned()))
    };
    let cases: Vec<(&str, Request<Body>, StatusCode, &str)> = vec![
        (
            "missing grant_type",
            form("client_id=web-client")?,
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            "repeated parameter",
            form("grant_type=client_credentials&grant_type=password&client_id=web-client")?,
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            "unknown grant",
            form("grant_type=magic&client_id=web-client&client_secret=web-secret")?,
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
        ),
        (
            "unknown client",
            form("grant_type=client_credentials&client_id=ghost&client_secret=x")?,
            StatusCode::UNAUTHORIZED,
            "invalid_client",
        ),
        (
            "bad JSON",
            Request::post("/oauth/token")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from("{not json"))?,
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            "JSON array",
            Request::post("/oauth/token")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from("[]"))?,
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            "no content type",
            Request::post("/oauth/token").body(Body::from("grant_type=client_credentials"))?,
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            "code missing",
            form("grant_type=authorization_code&client_id=spa-client")?,
            StatusCode::BAD_REQUEST,
            "invalid_request",
        ),
        (
            "unknown code",
            form("grant_type=authorization_code&client_id=spa-client&code=nope&code_verifier=x")?,
            StatusCode::FORBIDDEN,
            "invalid_grant",
        ),
    ];
    for (name, request, status, error) in cases {
        let reply = server.send(request).await?;
        ensure!(
            reply.status == status,
            "{name}: {} {}",
            reply.status,
            reply.body
        );
        ensure!(reply.json()?["error"] == error, "{name}: {}", reply.body);
    }
    let huge = form(&format!(
        "grant_type=client_credentials&pad={}",
        "x".repeat(100_000)
    ))?;
    let reply = server.send(huge).await?;
    ensure!(
        reply.status == StatusCode::PAYLOAD_TOO_LARGE,
        "oversized body: {}",
        reply.status
    );
    let tokens = server
        .adapters
        .refresh_tokens
        .list(&server.tenant, &ListParams::default())
        .await?;
    ensure!(
        tokens.items.is_empty(),
        "a refused request wrote a refresh token"
    );
    if server
        .adapters
        .codes
        .get(&server.tenant, "nope")
        .await?
        .is_some()
    {
        bail!("a refused request wrote a code");
    }
    Ok(())
}

#[tokio::test]
async fn rbac_limits_user_tokens_to_held_permissions() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let now = Timestamp::now();
    let role = Role {
        id: "rol_reader".into(),
        name: "reader".into(),
        description: None,
        created_at: now,
        updated_at: now,
    };
    server.adapters.roles.create(&server.tenant, role).await?;
    server
        .adapters
        .role_permissions
        .assign(
            &server.tenant,
            "rol_reader",
            &[Permission::new(API, "read:things")],
        )
        .await?;
    server
        .adapters
        .user_roles
        .assign(
            &server.tenant,
            &server.user_id,
            &["rol_reader".into()],
            None,
        )
        .await?;

    let scope = "openid read:things write:things";
    let (done, _) = server
        .log_in("spa-client", &[("audience", API), ("scope", scope)])
        .await?;
    let code = redirect_params(done.location().context("callback")?)
        .remove("code")
        .context("code")?;
    let reply = server.exchange(&code, VERIFIER).await?;
    ensure!(reply.status == StatusCode::OK, "{}", reply.body);
    let access = claims(
        reply.json()?["access_token"]
            .as_str()
            .context("access token")?,
    )?;
    ensure!(
        access["scope"] == "openid read:things",
        "scope {}",
        access["scope"]
    );
    ensure!(
        access["permissions"] == serde_json::json!(["read:things"]),
        "permissions {}",
        access["permissions"]
    );
    ensure!(
        access["aud"] == serde_json::json!([API, "http://localhost:3000/userinfo"]),
        "aud {}",
        access["aud"]
    );

    let unknown = server
        .get(
            &server.authorize_uri(
                "spa-client",
                &[("audience", "https://nowhere.example.com/")],
            ),
            &[],
        )
        .await?;
    redirect_error(&unknown, "access_denied", "unknown audience")?;
    Ok(())
}

#[tokio::test]
async fn bootstrap_creates_the_first_user_when_asked() -> anyhow::Result<()> {
    let database = authhero_sea_orm::Database::connect("sqlite::memory:").await?;
    database.migrate().await?;
    let adapters = database.adapters();
    let options = BootstrapOptions {
        admin_email: Some("Admin@Example.com".into()),
        admin_password: Some("a long admin password".into()),
        ..BootstrapOptions::default()
    };
    let seeded = bootstrap(&adapters, ISSUER, options)
        .await?
        .context("bootstrap")?;
    ensure!(seeded.generated_secret.is_some(), "no secret was generated");
    let q = authhero_core::Query::parse("email:admin@example.com")?;
    let users = adapters
        .users
        .list(&seeded.tenant_id, &ListParams::default().with_query(q))
        .await?;
    let user = users.items.first().context("no first user")?;
    let stored = adapters
        .passwords
        .get(&seeded.tenant_id, &user.user_id)
        .await?
        .context("no password")?;
    ensure!(
        authhero::passwords::verify("a long admin password".into(), stored.hash).await?,
        "password does not verify"
    );
    ensure!(
        bootstrap(&adapters, ISSUER, BootstrapOptions::default())
            .await?
            .is_none(),
        "bootstrapped twice"
    );
    Ok(())
}

/// Hooks that refuse some signups and logins and add claims, as an application's would.
#[derive(Debug)]
struct TestHooks;

#[async_trait::async_trait]
impl authhero::Hooks for TestHooks {
    async fn pre_user_registration(
        &self,
        event: &authhero::hooks::Registration<'_>,
    ) -> Result<(), authhero::hooks::Denied> {
        match event.user.email.as_deref() {
            Some(email) if email.ends_with("@spam.example") => {
                Err(authhero::hooks::Denied("No spam, thanks.".into()))
            }
            _ => Ok(()),
        }
    }

    async fn post_login(
        &self,
        event: &authhero::hooks::Login<'_>,
    ) -> Result<authhero::hooks::CustomClaims, authhero::hooks::Denied> {
        if event.client.client_id == "web-client" {
            return Err(authhero::hooks::Denied("Not from this app.".into()));
        }
        let mut claims = authhero::hooks::CustomClaims::new();
        claims.insert(
            "https://example.com/roles".into(),
            serde_json::json!(["admin"]),
        );
        claims.insert("iss".into(), "https://evil.example.com/".into());
        Ok(claims)
    }

    async fn credentials_exchange(
        &self,
        event: &authhero::hooks::CredentialsExchange<'_>,
    ) -> Result<authhero::hooks::CustomClaims, authhero::hooks::Denied> {
        let mut claims = authhero::hooks::CustomClaims::new();
        claims.insert(
            "https://example.com/tier".into(),
            event.client.client_id.clone().into(),
        );
        Ok(claims)
    }
}

#[tokio::test]
async fn hooks_refuse_and_add_claims() -> anyhow::Result<()> {
    let server = Server::start_with(std::sync::Arc::new(TestHooks)).await?;
    let signup = serde_json::json!({
        "client_id": "spa-client", "email": "bot@spam.example", "password": "Long enough password",
        "connection": "Username-Password-Authentication"
    });
    let request = Request::post("/dbconnections/signup")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(signup.to_string()))?;
    let refused = server.send(request).await?;
    ensure!(
        refused.status == StatusCode::BAD_REQUEST
            && refused.json()?["description"] == "No spam, thanks.",
        "{}",
        refused.body
    );
    let q = authhero_core::Query::parse("email:bot@spam.example")?;
    let stored = server
        .adapters
        .users
        .list(&server.tenant, &ListParams::default().with_query(q))
        .await?;
    ensure!(stored.items.is_empty(), "a refused signup stored a user");

    let code = server.code().await?;
    let tokens = server.exchange(&code, VERIFIER).await?.json()?;
    for name in ["access_token", "id_token"] {
        let token = claims(tokens[name].as_str().context("token")?)?;
        ensure!(
            token["https://example.com/roles"] == serde_json::json!(["admin"]),
            "{name}: {token}"
        );
        ensure!(token["iss"] == ISSUER, "{name}: a hook overrode iss");
    }
    let refresh = tokens["refresh_token"].as_str().context("refresh")?;
    let refreshed = server
        .token(&[
            ("grant_type", "refresh_token"),
            ("client_id", "spa-client"),
            ("refresh_token", refresh),
        ])
        .await?
        .json()?;
    let access = claims(
        refreshed["access_token"]
            .as_str()
            .context("refreshed access")?,
    )?;
    ensure!(
        access["https://example.com/roles"] == serde_json::json!(["admin"]),
        "refresh lost the hook claims"
    );

    let denied = server
        .token(&[
            ("grant_type", "password"),
            ("client_id", "web-client"),
            ("client_secret", "web-secret"),
            ("username", EMAIL),
            ("password", PASSWORD),
        ])
        .await?;
    ensure!(
        denied.status == StatusCode::FORBIDDEN
            && denied.json()?["error_description"] == "Not from this app.",
        "{}",
        denied.body
    );
    let (_, session) = server.log_in("spa-client", &[]).await?;
    let sso = server
        .get(
            &server.authorize_uri("web-client", &[("prompt", "none")]),
            &session,
        )
        .await?;
    redirect_error(&sso, "access_denied", "post-login denial on SSO")?;

    let m2m = server
        .token(&[
            ("grant_type", "client_credentials"),
            ("client_id", "web-client"),
            ("client_secret", "web-secret"),
            ("audience", API),
        ])
        .await?
        .json()?;
    let access = claims(m2m["access_token"].as_str().context("m2m token")?)?;
    ensure!(
        access["https://example.com/tier"] == "web-client",
        "{access}"
    );
    Ok(())
}

#[tokio::test]
async fn a_custom_domain_is_its_tenant_and_its_issuer() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let now = Timestamp::now();
    let domain = CustomDomain {
        custom_domain_id: "cd_1".into(),
        domain: "Login.Example.org".into(),
        primary: true,
        status: CustomDomainStatus::Ready,
        kind: CustomDomainType::SelfManagedCerts,
        custom_client_ip_header: None,
        tls_policy: None,
        verification_token: None,
        created_at: now,
        updated_at: now,
    };
    server
        .adapters
        .custom_domains
        .create(&server.tenant, domain)
        .await?;
    server
        .adapters
        .tenants
        .create(Tenant::new("other", now))
        .await?;
    let mut stranger = Client::new("other-client", "Other tenant's client", now);
    stranger.client_secret = Some("other-secret".into());
    server.adapters.clients.create("other", stranger).await?;

    let on_domain =
        |request: axum::http::request::Builder| request.header(header::HOST, "login.example.org");
    let discovery = server
        .send(on_domain(Request::get("/.well-known/openid-configuration")).body(Body::empty())?)
        .await?;
    let discovery = discovery.json()?;
    ensure!(
        discovery["issuer"] == "https://login.example.org/",
        "issuer {}",
        discovery["issuer"]
    );
    ensure!(
        discovery["authorization_endpoint"] == "https://login.example.org/authorize",
        "{discovery}"
    );

    let body = format!(
        "grant_type=client_credentials&client_id=web-client&client_secret=web-secret&audience={}",
        urlencode(API)
    );
    let token = |body: String| {
        on_domain(Request::post("/oauth/token"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
    };
    let reply = server.send(token(body)?).await?;
    ensure!(reply.status == StatusCode::OK, "{}", reply.body);
    let access = claims(reply.json()?["access_token"].as_str().context("token")?)?;
    ensure!(
        access["iss"] == "https://login.example.org/",
        "iss {}",
        access["iss"]
    );

    let foreign = "grant_type=client_credentials&client_id=other-client&client_secret=other-secret&audience=x".to_owned();
    let reply = server.send(token(foreign)?).await?;
    ensure!(
        reply.status == StatusCode::UNAUTHORIZED,
        "another tenant's client on this domain: {}",
        reply.body
    );
    let page = server
        .send(
            on_domain(Request::get(format!(
                "/authorize?client_id=other-client&response_type=code&redirect_uri={}",
                urlencode(CALLBACK)
            )))
            .body(Body::empty())?,
        )
        .await?;
    ensure!(
        page.status == StatusCode::BAD_REQUEST && page.location().is_none(),
        "authorize for another tenant's client"
    );

    let signup = serde_json::json!({
        "client_id": "other-client", "email": "x@example.com", "password": "Long enough password",
        "connection": "Username-Password-Authentication"
    });
    let foreign_signup = on_domain(Request::post("/dbconnections/signup"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(signup.to_string()))?;
    let reply = server.send(foreign_signup).await?;
    ensure!(
        reply.status == StatusCode::BAD_REQUEST,
        "signup through another tenant's domain: {}",
        reply.body
    );
    let plain = server
        .get("/.well-known/openid-configuration", &[])
        .await?
        .json()?;
    ensure!(
        plain["issuer"] == ISSUER,
        "other hosts keep the configured issuer"
    );
    Ok(())
}

#[tokio::test]
async fn browser_apps_may_call_the_token_endpoints_across_origins() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let preflight = Request::options("/oauth/token")
        .header(header::ORIGIN, "https://app.example.com")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(
            header::ACCESS_CONTROL_REQUEST_HEADERS,
            "content-type,auth0-client",
        )
        .body(Body::empty())?;
    let reply = server.send(preflight).await?;
    ensure!(reply.status.is_success(), "preflight {}", reply.status);
    let allowed = reply
        .headers
        .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
        .and_then(|value| value.to_str().ok());
    ensure!(
        allowed == Some("https://app.example.com"),
        "allow-origin {allowed:?}"
    );
    ensure!(
        reply
            .headers
            .get(header::ACCESS_CONTROL_ALLOW_CREDENTIALS)
            .is_none(),
        "credentials must not be allowed"
    );
    let jwks = Request::get("/.well-known/jwks.json")
        .header(header::ORIGIN, "https://app.example.com")
        .body(Body::empty())?;
    let reply = server.send(jwks).await?;
    ensure!(
        reply
            .headers
            .contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN),
        "jwks without CORS"
    );
    let login = Request::get("/u/login")
        .header(header::ORIGIN, "https://app.example.com")
        .body(Body::empty())?;
    let reply = server.send(login).await?;
    ensure!(
        !reply
            .headers
            .contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN),
        "the login page must not be readable cross-origin"
    );
    Ok(())
}

#[tokio::test]
async fn clients_use_only_their_grant_types_and_users_get_no_management_rights()
-> anyhow::Result<()> {
    let server = Server::start().await?;
    // The SPA has Auth0's SPA defaults: no password grant, no client credentials.
    let password = server
        .token(&[
            ("grant_type", "password"),
            ("client_id", "spa-client"),
            ("username", EMAIL),
            ("password", PASSWORD),
        ])
        .await?;
    ensure!(
        password.status == StatusCode::FORBIDDEN
            && password.json()?["error"] == "unauthorized_client",
        "{}",
        password.body
    );
    let mut locked = server
        .adapters
        .clients
        .get(&server.tenant, "spa-client")
        .await?
        .context("spa")?;
    locked.grant_types = vec!["authorization_code".into()];
    server
        .adapters
        .clients
        .update(&server.tenant, locked)
        .await?;
    let implicit = server
        .get(
            &server.authorize_uri(
                "spa-client",
                &[("response_type", "token"), ("response_mode", "fragment")],
            ),
            &[],
        )
        .await?;
    redirect_error(&implicit, "unauthorized_client", "implicit allowed")?;

    // A user asking for the Management API (or for scopes an API does not define) gets none of them.
    let management = "https://localhost:3000/api/v2/";
    let reply = server
        .token(&[
            ("grant_type", "password"),
            ("client_id", "web-client"),
            ("client_secret", "web-secret"),
            ("username", EMAIL),
            ("password", PASSWORD),
            ("audience", management),
            ("scope", "openid read:users delete:users"),
        ])
        .await?;
    ensure!(reply.status == StatusCode::OK, "{}", reply.body);
    let token = reply.json()?["access_token"]
        .as_str()
        .context("token")?
        .to_owned();
    ensure!(
        claims(&token)?["scope"] == "openid",
        "user token scopes {}",
        claims(&token)?["scope"]
    );
    let request = Request::get("/api/v2/users")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())?;
    let refused = server.send(request).await?;
    ensure!(
        refused.status == StatusCode::UNAUTHORIZED,
        "a user token reached the Management API: {}",
        refused.status
    );
    let undefined = server
        .token(&[
            ("grant_type", "password"),
            ("client_id", "web-client"),
            ("client_secret", "web-secret"),
            ("username", EMAIL),
            ("password", PASSWORD),
            ("audience", API),
            ("scope", "read:things admin:everything"),
        ])
        .await?;
    let scope = claims(
        undefined.json()?["access_token"]
            .as_str()
            .context("token")?,
    )?["scope"]
        .clone();
    ensure!(
        scope == "read:things" || scope == "",
        "undefined scope granted: {scope}"
    );

    // A confidential client must authenticate at the token endpoint, PKCE or not.
    let code = {
        let (done, _) = server
            .log_in(
                "web-client",
                &[
                    ("code_challenge", CHALLENGE),
                    ("code_challenge_method", "S256"),
                ],
            )
            .await?;
        redirect_params(done.location().context("callback")?)
            .remove("code")
            .context("code")?
    };
    let unauthenticated = server
        .token(&[
            ("grant_type", "authorization_code"),
            ("client_id", "web-client"),
            ("code", &code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", VERIFIER),
        ])
        .await?;
    ensure!(
        unauthenticated.status == StatusCode::UNAUTHORIZED,
        "confidential client without its secret: {}",
        unauthenticated.body
    );
    Ok(())
}

#[tokio::test]
async fn client_secrets_need_read_client_keys() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let management = "https://localhost:3000/api/v2/";
    let now = Timestamp::now();
    let grant = ClientGrant {
        id: "cgr_reader".into(),
        client_id: "web-client".into(),
        audience: management.into(),
        scope: vec!["read:clients".into()],
        organization_usage: None,
        allow_any_organization: None,
        organization_ids: Vec::new(),
        created_at: now,
        updated_at: now,
    };
    server
        .adapters
        .client_grants
        .create(&server.tenant, grant)
        .await?;
    let list = |token: String| {
        Request::get("/api/v2/clients")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
    };
    let reader = server
        .token(&[
            ("grant_type", "client_credentials"),
            ("client_id", "web-client"),
            ("client_secret", "web-secret"),
            ("audience", management),
        ])
        .await?
        .json()?["access_token"]
        .as_str()
        .context("reader token")?
        .to_owned();
    let clients = server.send(list(reader)?).await?.json()?;
    let clients = clients.as_array().context("a list")?;
    ensure!(
        !clients.is_empty()
            && clients
                .iter()
                .all(|client| client.get("client_secret").is_none()),
        "secrets shown without read:client_keys"
    );
    let admin = server
        .token(&[
            ("grant_type", "client_credentials"),
            ("client_id", "admin"),
            ("client_secret", "admin-secret"),
            ("audience", management),
        ])
        .await?
        .json()?["access_token"]
        .as_str()
        .context("admin token")?
        .to_owned();
    let clients = server.send(list(admin)?).await?.json()?;
    let shown = clients
        .as_array()
        .context("a list")?
        .iter()
        .any(|client| client.get("client_secret").is_some());
    ensure!(shown, "read:client_keys should show secrets");
    Ok(())
}

#[tokio::test]
async fn blocked_users_and_logout_defaults_behave_as_auth0() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let logout = server.get("/v2/logout?client_id=spa-client", &[]).await?;
    ensure!(
        logout.status == StatusCode::FOUND
            && logout.location() == Some("https://app.example.com/bye"),
        "logout without returnTo"
    );

    let mut user = server
        .adapters
        .users
        .get(&server.tenant, &server.user_id)
        .await?
        .context("user")?;
    user.blocked = true;
    server.adapters.users.update(&server.tenant, user).await?;
    let (done, session) = server.log_in("spa-client", &[("state", "b1")]).await?;
    ensure!(session.is_empty(), "a blocked user got a session");
    let params = redirect_params(done.location().context("the app must hear of it")?);
    ensure!(
        params.get("error").map(String::as_str) == Some("unauthorized"),
        "{params:?}"
    );
    ensure!(
        params.get("error_description").map(String::as_str) == Some("user is blocked"),
        "{params:?}"
    );
    ensure!(
        params.get("state").map(String::as_str) == Some("b1"),
        "{params:?}"
    );
    let password = server
        .token(&[
            ("grant_type", "password"),
            ("client_id", "web-client"),
            ("client_secret", "web-secret"),
            ("username", EMAIL),
            ("password", PASSWORD),
        ])
        .await?;
    ensure!(
        password.status == StatusCode::UNAUTHORIZED && password.json()?["error"] == "unauthorized",
        "{}",
        password.body
    );
    Ok(())
}

#[tokio::test]
async fn signup_metadata_and_form_posted_oidc_logout() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let body = serde_json::json!({
        "client_id": "spa-client", "email": "meta@example.com", "password": "Long enough password",
        "connection": "Username-Password-Authentication", "user_metadata": { "plan": "pro" }
    });
    let request = Request::post("/dbconnections/signup")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))?;
    let created = server.send(request).await?;
    ensure!(created.status == StatusCode::OK, "{}", created.body);
    let q = authhero_core::Query::parse("email:meta@example.com")?;
    let users = server
        .adapters
        .users
        .list(&server.tenant, &ListParams::default().with_query(q))
        .await?;
    let user = users.items.first().context("signed-up user")?;
    ensure!(
        user.user_metadata.get("plan") == Some(&serde_json::json!("pro")),
        "{:?}",
        user.user_metadata
    );

    let (done, session) = server.log_in("spa-client", &[("nonce", "n")]).await?;
    let code = redirect_params(done.location().context("callback")?)
        .remove("code")
        .context("code")?;
    let id_token = server.exchange(&code, VERIFIER).await?.json()?["id_token"]
        .as_str()
        .context("id token")?
        .to_owned();
    let logout = server
        .post_form(
            "/oidc/logout",
            &[
                ("id_token_hint", &id_token),
                ("post_logout_redirect_uri", "https://app.example.com/bye"),
                ("state", "s9"),
            ],
            &session,
        )
        .await?;
    ensure!(
        logout.status == StatusCode::FOUND,
        "{} {}",
        logout.status,
        logout.body
    );
    ensure!(
        logout.location() == Some("https://app.example.com/bye?state=s9"),
        "{:?}",
        logout.location()
    );
    Ok(())
}

#[tokio::test]
async fn argon2id_hashing_is_chosen_by_the_server_and_bcrypt_users_keep_working()
-> anyhow::Result<()> {
    let server = Server::start_configured(
        std::sync::Arc::new(authhero::hooks::NoHooks),
        PasswordAlgorithm::Argon2id,
    )
    .await?;
    let body = serde_json::json!({
        "client_id": "web-client", "email": "argon@example.com",
        "password": "Long enough password", "connection": "Username-Password-Authentication"
    });
    let request = Request::post("/dbconnections/signup")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))?;
    let created = server.send(request).await?;
    ensure!(created.status == StatusCode::OK, "{}", created.body);
    let q = authhero_core::Query::parse("email:argon@example.com")?;
    let users = server
        .adapters
        .users
        .list(&server.tenant, &ListParams::default().with_query(q))
        .await?;
    let user = users.items.first().context("signed-up user")?;
    let stored = server
        .adapters
        .passwords
        .get(&server.tenant, &user.user_id)
        .await?
        .context("stored password")?;
    ensure!(
        stored.algorithm == PasswordAlgorithm::Argon2id && stored.hash.starts_with("$argon2id$"),
        "{stored:?}"
    );
    // The new argon2id user and the seeded bcrypt user both log in.
    for (email, password) in [
        ("argon@example.com", "Long enough password"),
        (EMAIL, PASSWORD),
    ] {
        let login = server
            .token(&[
                ("grant_type", "password"),
                ("client_id", "web-client"),
                ("client_secret", "web-secret"),
                ("username", email),
                ("password", password),
            ])
            .await?;
        ensure!(login.status == StatusCode::OK, "{email}: {}", login.body);
    }
    Ok(())
}

#[tokio::test]
async fn tenant_defaults_pick_the_audience_and_the_password_directory() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let mut tenant = server
        .adapters
        .tenants
        .get(&server.tenant)
        .await?
        .context("tenant")?;
    tenant.default_audience = Some(API.into());
    tenant.default_directory = Some("Other-Database".into());
    server.adapters.tenants.update(tenant).await?;
    let audience_of = |reply: &Reply| -> anyhow::Result<Value> {
        let token = reply.json()?["access_token"]
            .as_str()
            .context("no access token")?
            .to_owned();
        Ok(claims(&token)?["aud"].clone())
    };
    let names_api = |aud: &Value| {
        aud == API
            || aud
                .as_array()
                .is_some_and(|all| all.iter().any(|a| a == API))
    };

    // The code flow without an audience is for the default API.
    let code = server.code().await?;
    let exchanged = server.exchange(&code, VERIFIER).await?.ok()?;
    let aud = audience_of(&exchanged)?;
    ensure!(names_api(&aud), "code flow audience: {aud}");

    // The password grant without a realm uses the default directory.
    let now = Timestamp::now();
    let other = Connection {
        id: "con_other".into(),
        name: "Other-Database".into(),
        display_name: None,
        strategy: "auth0".into(),
        options: Default::default(),
        enabled_clients: vec![server.web.clone()],
        realms: vec!["Other-Database".into()],
        is_domain_connection: false,
        metadata: Default::default(),
        created_at: now,
        updated_at: now,
    };
    server
        .adapters
        .connections
        .create(&server.tenant, other)
        .await?;
    let mut user = User::new("auth0", "other", "Other-Database", now);
    user.email = Some("other@example.com".into());
    support::create_user(&server.adapters, &server.tenant, user, PASSWORD).await?;
    let server = &server;
    let password = move |username: &'static str| async move {
        let fields = [
            ("grant_type", "password"),
            ("client_id", "web-client"),
            ("client_secret", "web-secret"),
            ("username", username),
            ("password", PASSWORD),
        ];
        server.token(&fields).await
    };
    let in_directory = password("other@example.com").await?.ok()?;
    let aud = audience_of(&in_directory)?;
    ensure!(names_api(&aud), "password grant audience: {aud}");
    password(EMAIL).await?.oauth_error(
        StatusCode::FORBIDDEN,
        "invalid_grant",
        "a user of another connection",
    )?;
    Ok(())
}

/// A connection with Auth0's `disable_signup` takes no public signup; its users are made by an
/// administrator.
#[tokio::test]
async fn a_connection_with_signup_disabled_refuses_signups() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let mut connection = server
        .adapters
        .connections
        .list(&server.tenant, &authhero_core::ListParams::default())
        .await?
        .items
        .into_iter()
        .find(|connection| connection.name == "Username-Password-Authentication")
        .context("database connection")?;
    connection
        .options
        .insert("disable_signup".into(), serde_json::Value::Bool(true));
    server
        .adapters
        .connections
        .update(&server.tenant, connection)
        .await?;
    let body = serde_json::json!({
        "client_id": "web-client", "email": "walk-in@example.com", "password": "Long enough password",
        "connection": "Username-Password-Authentication"
    });
    let refused = server
        .send(
            Request::post("/dbconnections/signup")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))?,
        )
        .await?;
    ensure!(
        refused.status == StatusCode::BAD_REQUEST
            && refused.json()?["code"] == "operation_not_allowed",
        "{} {}",
        refused.status,
        refused.body
    );
    let found = server
        .adapters
        .users
        .list(
            &server.tenant,
            &authhero_core::ListParams::default().with_query(authhero_core::Query::equals(
                "email",
                "walk-in@example.com",
            )?),
        )
        .await?;
    ensure!(found.items.is_empty(), "a refused signup wrote a user");
    Ok(())
}
