//! Token signing algorithms per tenant, in-process on an in-memory SQLite database: a tenant that
//! switches to ES256 and then EdDSA through `PATCH /api/v2/tenants/settings` gets machine and user
//! tokens signed that way, each verifying against the JWKS key its `kid` names, while tokens
//! signed before the switch keep working.

mod support;

use std::collections::HashMap;

use anyhow::{Context, ensure};
use authhero::keys;
use authhero_core::entities::*;
use authhero_core::{DataAdapters, Timestamp};
use aws_lc_rs::digest;
use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, header};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Value, json};
use support::{Reply, claims, hidden_value, redirect_params, urlencoded};

const ISSUER: &str = "http://localhost:3000/";
const MANAGEMENT_AUDIENCE: &str = "https://localhost:3000/api/v2/";
const USERINFO: &str = "http://localhost:3000/userinfo";
const CALLBACK: &str = "https://app.example.com/callback";
const API: &str = "https://api.example.com/";
const EMAIL: &str = "jane@example.com";
const PASSWORD: &str = "correct horse battery staple";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

/// The bootstrapped tenant with a SPA, a machine client granted an API, and a user.
struct Server {
    router: Router,
    adapters: DataAdapters,
    tenant: String,
}

impl Server {
    async fn start() -> anyhow::Result<Server> {
        let (adapters, tenant) = support::bootstrapped(ISSUER).await?;
        let now = Timestamp::now();
        let mut spa = Client::new("spa-client", "SPA", now);
        spa.app_type = Some(AppType::Spa);
        spa.token_endpoint_auth_method = Some(TokenEndpointAuthMethod::None);
        spa.callbacks = vec![CALLBACK.into()];
        adapters.clients.create(&tenant, spa).await?;
        support::enable_on_default_connection(&adapters, &tenant, &["spa-client"]).await?;
        let mut machine = Client::new("machine", "Machine", now);
        machine.client_secret = Some("machine-secret".into());
        machine.app_type = Some(AppType::NonInteractive);
        machine.grant_types = vec!["client_credentials".into()];
        adapters.clients.create(&tenant, machine).await?;
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
            allow_offline_access: false,
            skip_consent_for_verifiable_first_party_clients: true,
            token_lifetime: Some(600),
            token_lifetime_for_web: None,
            enforce_policies: false,
            token_dialect: None,
            is_system: false,
            created_at: now,
            updated_at: now,
        };
        adapters.resource_servers.create(&tenant, api).await?;
        let grant = ClientGrant {
            id: "cgr_machine".into(),
            client_id: "machine".into(),
            audience: API.into(),
            scope: vec!["read:things".into()],
            organization_usage: None,
            allow_any_organization: None,
            organization_ids: Vec::new(),
            created_at: now,
            updated_at: now,
        };
        adapters.client_grants.create(&tenant, grant).await?;
        let mut user = User::new("auth0", "jane", "Username-Password-Authentication", now);
        user.email = Some(EMAIL.into());
        support::create_user(&adapters, &tenant, user, PASSWORD).await?;
        let router = authhero::AuthHero::new(adapters.clone())
            .issuer(ISSUER)?
            .router();
        Ok(Server {
            router,
            adapters,
            tenant,
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

    /// A client_credentials access token.
    async fn machine_token(
        &self,
        client: &str,
        secret: &str,
        audience: &str,
    ) -> anyhow::Result<String> {
        let fields = [
            ("grant_type", "client_credentials"),
            ("client_id", client),
            ("client_secret", secret),
            ("audience", audience),
        ];
        let reply = self.post_form("/oauth/token", &fields, &[]).await?.ok()?;
        Ok(reply.json()?["access_token"]
            .as_str()
            .context("no access_token")?
            .to_owned())
    }

    /// A Management API call with the bootstrap admin client's token.
    async fn management(
        &self,
        method: Method,
        uri: &str,
        body: Option<Value>,
    ) -> anyhow::Result<Reply> {
        let token = self
            .machine_token("admin", "admin-secret", MANAGEMENT_AUDIENCE)
            .await?;
        let mut request = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::AUTHORIZATION, format!("Bearer {token}"));
        let body = match body {
            Some(json) => {
                request = request.header(header::CONTENT_TYPE, "application/json");
                Body::from(json.to_string())
            }
            None => Body::empty(),
        };
        self.send(request.body(body)?).await
    }

    async fn switch_to(&self, algorithm: &str) -> anyhow::Result<()> {
        let reply = self
            .management(
                Method::PATCH,
                "/api/v2/tenants/settings",
                Some(json!({ "signing_alg": algorithm })),
            )
            .await?
            .ok()?;
        ensure!(reply.json()?["signing_alg"] == algorithm, "{}", reply.body);
        Ok(())
    }

    /// Signs Jane in to the SPA with `/authorize` and the login form (code + PKCE), with
    /// `response_type`; returns the callback's parameters.
    async fn log_in(&self, response_type: &str) -> anyhow::Result<HashMap<String, String>> {
        let query = urlencoded(&[
            ("client_id", "spa-client"),
            ("redirect_uri", CALLBACK),
            ("response_type", response_type),
            ("scope", "openid profile email"),
            ("nonce", "n-0S6"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ]);
        let start = self.get(&format!("/authorize?{query}"), &[]).await?;
        let login_page = start.redirect()?.to_owned();
        let cookies = start.cookies();
        let form = self.get(&login_page, &cookies).await?.ok()?;
        let state = redirect_params(&login_page)
            .remove("state")
            .context("no state")?;
        let csrf = hidden_value(&form.body, "csrf")?;
        let fields = [
            ("state", state.as_str()),
            ("csrf", csrf.as_str()),
            ("username", EMAIL),
            ("password", PASSWORD),
        ];
        let done = self.post_form("/u/login", &fields, &cookies).await?;
        Ok(redirect_params(done.redirect()?))
    }

    /// The tokens of an authorization-code login: `access_token`, `id_token`.
    async fn code_flow(&self) -> anyhow::Result<Value> {
        let code = self
            .log_in("code")
            .await?
            .remove("code")
            .context("no code")?;
        let fields = [
            ("grant_type", "authorization_code"),
            ("client_id", "spa-client"),
            ("code", code.as_str()),
            ("redirect_uri", CALLBACK),
            ("code_verifier", VERIFIER),
        ];
        self.post_form("/oauth/token", &fields, &[])
            .await?
            .ok()?
            .json()
    }

    async fn userinfo(&self, access_token: &str) -> anyhow::Result<Reply> {
        let request = Request::get("/userinfo")
            .header(header::AUTHORIZATION, format!("Bearer {access_token}"))
            .body(Body::empty())?;
        self.send(request).await
    }

    async fn jwks(&self) -> anyhow::Result<JwkSet> {
        let reply = self.get("/.well-known/jwks.json", &[]).await?.ok()?;
        Ok(serde_json::from_str(&reply.body)?)
    }
}

/// Checks `token` is signed with `alg` by the JWKS key its `kid` names, for `audience`, and
/// returns that key.
fn verify_with_jwks(
    jwks: &JwkSet,
    token: &str,
    alg: Algorithm,
    audience: &str,
) -> anyhow::Result<Jwk> {
    let header = jsonwebtoken::decode_header(token)?;
    ensure!(
        header.alg == alg,
        "header alg {:?}, not {alg:?}",
        header.alg
    );
    ensure!(header.typ.as_deref() == Some("JWT"), "typ {:?}", header.typ);
    let kid = header.kid.context("no kid")?;
    let jwk = jwks
        .find(&kid)
        .with_context(|| format!("no JWKS key {kid}"))?;
    let mut validation = Validation::new(alg);
    validation.set_issuer(&[ISSUER]);
    validation.set_audience(&[audience]);
    jsonwebtoken::decode::<Value>(token, &DecodingKey::from_jwk(jwk)?, &validation)?;
    Ok(jwk.clone())
}

/// A JWK's members as published.
fn members(jwk: &Jwk) -> anyhow::Result<Value> {
    Ok(serde_json::to_value(jwk)?)
}

fn header_alg(token: &str) -> anyhow::Result<Algorithm> {
    Ok(jsonwebtoken::decode_header(token)?.alg)
}

/// Checks each kind of token the tenant issues is signed with `alg` and verifies against the
/// JWKS key its `kid` names, which has the `key_type` members (`kty`, `crv`); returns a user
/// access token for later.
async fn tokens_are_signed_with(
    server: &Server,
    alg: Algorithm,
    key_type: Value,
) -> anyhow::Result<String> {
    let machine = server
        .machine_token("machine", "machine-secret", API)
        .await?;
    let jwks = server.jwks().await?;
    let jwk = members(&verify_with_jwks(&jwks, &machine, alg, API)?)?;
    for (member, value) in key_type.as_object().context("key type")? {
        ensure!(&jwk[member] == value, "{member} of {jwk}");
    }
    ensure!(
        jwk["use"] == "sig" && jwk["alg"] == format!("{alg:?}"),
        "{jwk}"
    );
    ensure!(
        jwk.get("d").is_none(),
        "a private member is published: {jwk}"
    );

    let tokens = server.code_flow().await?;
    let id_token = tokens["id_token"].as_str().context("no id_token")?;
    verify_with_jwks(&jwks, id_token, alg, "spa-client")?;
    let access_token = tokens["access_token"].as_str().context("no access_token")?;
    verify_with_jwks(&jwks, access_token, alg, USERINFO)?;
    let info = server.userinfo(access_token).await?.ok()?.json()?;
    ensure!(info["email"] == EMAIL, "{info}");
    Ok(access_token.to_owned())
}

#[tokio::test]
async fn tenants_sign_with_the_algorithm_they_choose_and_older_tokens_still_verify()
-> anyhow::Result<()> {
    let server = Server::start().await?;
    let rs256 = tokens_are_signed_with(&server, Algorithm::RS256, json!({"kty": "RSA"})).await?;

    server.switch_to("ES256").await?;
    let es256 = tokens_are_signed_with(
        &server,
        Algorithm::ES256,
        json!({"kty": "EC", "crv": "P-256"}),
    )
    .await?;
    server.userinfo(&rs256).await?.ok()?;

    server.switch_to("EdDSA").await?;
    tokens_are_signed_with(
        &server,
        Algorithm::EdDSA,
        json!({"kty": "OKP", "crv": "Ed25519"}),
    )
    .await?;
    server.userinfo(&rs256).await?.ok()?;
    server.userinfo(&es256).await?.ok()?;

    let jwks = server.jwks().await?;
    let mut kinds: Vec<String> = jwks
        .keys
        .iter()
        .map(|jwk| Ok(members(jwk)?["kty"].as_str().unwrap_or_default().to_owned()))
        .collect::<anyhow::Result<_>>()?;
    kinds.sort();
    ensure!(kinds == ["EC", "OKP", "RSA"], "JWKS key types {kinds:?}");

    // Switching back reuses the existing key rather than making another.
    server.switch_to("ES256").await?;
    ensure!(
        server.adapters.signing_keys.list().await?.len() == 3,
        "a key was made for an algorithm that had one"
    );
    ensure!(
        header_alg(
            &server
                .machine_token("machine", "machine-secret", API)
                .await?
        )? == Algorithm::ES256,
        "not ES256 after switching back"
    );
    Ok(())
}

#[tokio::test]
async fn eddsa_id_tokens_hash_code_and_access_token_with_sha512() -> anyhow::Result<()> {
    let server = Server::start().await?;
    server.switch_to("EdDSA").await?;
    let params = server.log_in("code id_token token").await?;
    let id_token = params.get("id_token").context("no id_token")?;
    ensure!(header_alg(id_token)? == Algorithm::EdDSA, "not EdDSA");
    let claims = claims(id_token)?;
    let half_sha512 = |value: &str| {
        let hash = digest::digest(&digest::SHA512, value.as_bytes());
        URL_SAFE_NO_PAD.encode(&hash.as_ref()[..32])
    };
    let code = params.get("code").context("no code")?;
    let access_token = params.get("access_token").context("no access_token")?;
    ensure!(claims["c_hash"] == half_sha512(code), "c_hash {claims}");
    ensure!(
        claims["at_hash"] == half_sha512(access_token),
        "at_hash {claims}"
    );
    Ok(())
}

#[tokio::test]
async fn keys_and_settings_written_by_another_node_are_picked_up() -> anyhow::Result<()> {
    let server = Server::start().await?;
    // The key set is loaded now, with the RS256 key only.
    let before = server
        .machine_token("machine", "machine-secret", API)
        .await?;
    ensure!(header_alg(&before)? == Algorithm::RS256, "not RS256 first");
    // Another node switches the tenant: a new key and the setting, straight in the database.
    keys::ensure(
        server.adapters.signing_keys.as_ref(),
        SigningAlgorithm::ES256,
        Timestamp::now(),
    )
    .await?;
    let mut tenant = server
        .adapters
        .tenants
        .get(&server.tenant)
        .await?
        .context("tenant")?;
    tenant.signing_alg = Some(SigningAlgorithm::ES256);
    server.adapters.tenants.update(tenant).await?;

    let after = server
        .machine_token("machine", "machine-secret", API)
        .await?;
    verify_with_jwks(&server.jwks().await?, &after, Algorithm::ES256, API)?;
    Ok(())
}
