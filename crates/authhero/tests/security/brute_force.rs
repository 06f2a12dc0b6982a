//! Finding 3: fifteen wrong passwords, then the right one, succeeded. After ten consecutive
//! failures for one identifier from one IP, that pair is refused on every password path, even
//! with the right password; an identifier that names no user is answered exactly alike.

use std::net::SocketAddr;

use anyhow::{Context, ensure};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};

use crate::support::{Reply, hidden_value, redirect_params, urlencoded};
use crate::{EMAIL, PASSWORD, Server};

const REALM: &str = "http://auth0.com/oauth/grant-type/password-realm";
const DATABASE: &str = "Username-Password-Authentication";
/// What the login page says of a blocked pair (the catalogue's `user-blocked`, Auth0's words).
const BLOCKED_PAGE: &str = "Your account has been blocked after multiple consecutive login attempts. We&#39;ve sent you an email with instructions on how to unblock it.";
const BLOCKED: &str = "Your account has been blocked after multiple consecutive login attempts. We've sent you an email with instructions on how to unblock it.";
const WRONG: &str = "not the password";

/// A form post from `peer` (none: no `ConnectInfo`, as in-process calls come).
async fn post(
    server: &Server,
    uri: &str,
    fields: &[(&str, &str)],
    cookies: &[String],
    peer: Option<&str>,
) -> anyhow::Result<Reply> {
    let mut request = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookies.join("; "))
        .body(Body::from(urlencoded(fields)))?;
    if let Some(peer) = peer {
        let address: SocketAddr = peer.parse()?;
        request.extensions_mut().insert(ConnectInfo(address));
    }
    server.send(request).await
}

/// The `password` grant (realm None) or the `password-realm` grant, for the web client.
async fn grant(
    server: &Server,
    realm: Option<&str>,
    username: &str,
    password: &str,
    peer: Option<&str>,
) -> anyhow::Result<Reply> {
    let mut fields = vec![
        ("client_id", server.web.as_str()),
        ("client_secret", server.web_secret.as_str()),
        ("username", username),
        ("password", password),
    ];
    match realm {
        Some(realm) => fields.extend([("grant_type", REALM), ("realm", realm)]),
        None => fields.push(("grant_type", "password")),
    }
    post(server, "/oauth/token", &fields, &[], peer).await
}

fn expect_blocked(reply: &Reply, what: &str) -> anyhow::Result<()> {
    let body = reply.oauth_error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts", what)?;
    ensure!(body["error_description"] == BLOCKED, "{what}: {body}");
    Ok(())
}

fn expect_wrong(reply: &Reply, what: &str) -> anyhow::Result<()> {
    reply.oauth_error(StatusCode::FORBIDDEN, "invalid_grant", what)?;
    Ok(())
}

/// A login transaction's form: its state, CSRF token and the cookie binding it.
struct LoginForm {
    state: String,
    csrf: String,
    cookies: Vec<String>,
}

impl LoginForm {
    async fn open(server: &Server) -> anyhow::Result<Self> {
        let start = server
            .get(&server.authorize_uri(&server.spa.clone(), &[]), &[])
            .await?;
        let login_page = start.redirect()?.to_owned();
        let cookies = start.cookies();
        let form = server.get(&login_page, &cookies).await?.ok()?;
        Ok(Self {
            state: redirect_params(&login_page)
                .remove("state")
                .context("no state")?,
            csrf: hidden_value(&form.body, "csrf")?,
            cookies,
        })
    }

    async fn submit(
        &self,
        server: &Server,
        username: &str,
        password: &str,
        peer: Option<&str>,
    ) -> anyhow::Result<Reply> {
        let fields = [
            ("state", self.state.as_str()),
            ("csrf", self.csrf.as_str()),
            ("username", username),
            ("password", password),
        ];
        post(server, "/u/login", &fields, &self.cookies, peer).await
    }
}

/// The right password is refused with Auth0's block on all three password paths.
async fn refused_everywhere(server: &Server, peer: Option<&str>) -> anyhow::Result<()> {
    expect_blocked(
        &grant(server, None, EMAIL, PASSWORD, peer).await?,
        "password grant",
    )?;
    expect_blocked(
        &grant(server, Some(DATABASE), EMAIL, PASSWORD, peer).await?,
        "password-realm grant",
    )?;
    let form = LoginForm::open(server).await?;
    let page = form.submit(server, EMAIL, PASSWORD, peer).await?;
    ensure!(
        page.status == StatusCode::TOO_MANY_REQUESTS,
        "/u/login: {} {}",
        page.status,
        page.body
    );
    ensure!(
        page.body.contains(BLOCKED_PAGE),
        "/u/login does not say why: {}",
        page.body
    );
    ensure!(
        page.location().is_none()
            && !page
                .cookies()
                .iter()
                .any(|cookie| cookie.starts_with("authhero_session=")),
        "/u/login logged a blocked pair in"
    );
    Ok(())
}

#[tokio::test]
async fn ten_failures_on_the_password_grant_block_every_path() -> anyhow::Result<()> {
    let server = Server::start().await?;
    // Counted by the identifier as Auth0 compares it: case and surrounding spaces aside.
    for attempt in 0..10 {
        let username = if attempt % 2 == 0 {
            EMAIL.to_owned()
        } else {
            format!(" {} ", EMAIL.to_uppercase())
        };
        expect_wrong(
            &grant(&server, None, &username, WRONG, None).await?,
            "wrong password",
        )?;
    }
    refused_everywhere(&server, None).await
}

#[tokio::test]
async fn ten_failures_on_the_password_realm_grant_block_every_path() -> anyhow::Result<()> {
    let server = Server::start().await?;
    for _ in 0..10 {
        expect_wrong(
            &grant(&server, Some(DATABASE), EMAIL, WRONG, None).await?,
            "wrong password",
        )?;
    }
    refused_everywhere(&server, None).await
}

#[tokio::test]
async fn ten_failures_on_the_login_form_block_every_path() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let form = LoginForm::open(&server).await?;
    for _ in 0..10 {
        let page = form.submit(&server, EMAIL, WRONG, None).await?;
        ensure!(
            page.status == StatusCode::BAD_REQUEST && page.body.contains("Wrong email or password"),
            "{} {}",
            page.status,
            page.body
        );
    }
    refused_everywhere(&server, None).await
}

#[tokio::test]
async fn a_success_before_the_tenth_failure_resets_the_count() -> anyhow::Result<()> {
    let server = Server::start().await?;
    for round in 0..2 {
        for _ in 0..9 {
            expect_wrong(
                &grant(&server, None, EMAIL, WRONG, None).await?,
                "wrong password",
            )?;
        }
        let reply = grant(&server, None, EMAIL, PASSWORD, None).await?;
        ensure!(
            reply.status == StatusCode::OK,
            "round {round}: {} {}",
            reply.status,
            reply.body
        );
    }
    Ok(())
}

#[tokio::test]
async fn a_block_holds_for_one_ip_only() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let attacker = Some("203.0.113.66:40000");
    for _ in 0..10 {
        expect_wrong(
            &grant(&server, None, EMAIL, WRONG, attacker).await?,
            "wrong password",
        )?;
    }
    refused_everywhere(&server, attacker).await?;
    // Another port of the same address is the same client.
    expect_blocked(
        &grant(&server, None, EMAIL, PASSWORD, Some("203.0.113.66:40001")).await?,
        "same IP, another port",
    )?;
    for peer in [Some("198.51.100.4:5000"), Some("[2001:db8::5]:443"), None] {
        let reply = grant(&server, None, EMAIL, PASSWORD, peer).await?;
        ensure!(
            reply.status == StatusCode::OK,
            "{peer:?}: {} {}",
            reply.status,
            reply.body
        );
    }
    Ok(())
}

#[tokio::test]
async fn an_unknown_identifier_is_answered_as_a_real_one() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let mut answers = Vec::new();
    for username in [EMAIL, "nobody@example.com"] {
        let mut replies = Vec::new();
        for _ in 0..11 {
            let reply = grant(&server, None, username, WRONG, None).await?;
            replies.push((reply.status, reply.body));
        }
        answers.push(replies);
    }
    ensure!(
        answers[0] == answers[1],
        "a real and an unknown identifier are told apart: {answers:?}"
    );
    let (status, body) = &answers[1][10];
    ensure!(
        *status == StatusCode::TOO_MANY_REQUESTS && body.contains("too_many_attempts"),
        "the unknown identifier's 11th attempt: {status} {body}"
    );
    let right = grant(&server, None, EMAIL, PASSWORD, None).await?;
    ensure!(
        (right.status, &right.body) == (*status, body),
        "the right password of a blocked real identifier answers otherwise: {} {}",
        right.status,
        right.body
    );
    Ok(())
}

#[tokio::test]
async fn concurrent_guesses_cannot_outrun_the_count() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let fields = urlencoded(&[
        ("grant_type", "password"),
        ("client_id", server.web.as_str()),
        ("client_secret", server.web_secret.as_str()),
        ("username", EMAIL),
        ("password", WRONG),
    ]);
    // Fifty guesses at once: every one is counted before its password is checked, so no more
    // than the threshold are checked at all.
    let mut guesses = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let request = Request::post("/oauth/token")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(fields.clone()))?;
        let router = server.router.clone();
        guesses.spawn(async move { crate::support::send(&router, request).await });
    }
    let mut checked = 0;
    while let Some(reply) = guesses.join_next().await {
        let reply = reply??;
        match reply.status {
            StatusCode::TOO_MANY_REQUESTS => {}
            StatusCode::FORBIDDEN => checked += 1,
            other => anyhow::bail!("{other} {}", reply.body),
        }
    }
    ensure!(
        checked <= 10,
        "{checked} of 50 concurrent guesses had their password checked"
    );
    let right = grant(&server, None, EMAIL, PASSWORD, None).await?;
    expect_blocked(&right, "the right password after the concurrent guesses")?;
    Ok(())
}

/// A password grant of the web client with `auth0-forwarded-for: forwarded`.
async fn forwarded_grant(
    server: &Server,
    forwarded: &str,
    password: &str,
) -> anyhow::Result<Reply> {
    let request = Request::post("/oauth/token")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("auth0-forwarded-for", forwarded)
        .body(Body::from(urlencoded(&[
            ("grant_type", "password"),
            ("client_id", server.web.as_str()),
            ("client_secret", server.web_secret.as_str()),
            ("username", EMAIL),
            ("password", password),
        ])))?;
    server.send(request).await
}

#[tokio::test]
async fn a_trusted_backend_names_its_users_ip() -> anyhow::Result<()> {
    let server = Server::start().await?;
    // Untrusted, the header is ignored: every attempt counts under the backend's own address.
    for attempt in 0..10 {
        let forwarded = format!("198.51.100.{attempt}");
        expect_wrong(
            &forwarded_grant(&server, &forwarded, WRONG).await?,
            "untrusted",
        )?;
    }
    expect_blocked(
        &forwarded_grant(&server, "198.51.100.99", PASSWORD).await?,
        "an untrusted client choosing a new address each time",
    )?;
    server
        .adapters
        .login_failures
        .clear_identifiers(&server.tenant, &[EMAIL.to_owned()])
        .await?;

    // Trusted (Auth0's is_token_endpoint_ip_header_trusted), it counts per named address.
    let mut web = server
        .adapters
        .clients
        .get(&server.tenant, &server.web)
        .await?
        .context("web client")?;
    web.is_token_endpoint_ip_header_trusted = true;
    server.adapters.clients.update(&server.tenant, web).await?;
    for _ in 0..10 {
        expect_wrong(
            &forwarded_grant(&server, "203.0.113.9", WRONG).await?,
            "trusted",
        )?;
    }
    expect_blocked(
        &forwarded_grant(&server, "203.0.113.9", PASSWORD).await?,
        "the named address after ten failures",
    )?;
    let other = forwarded_grant(&server, "203.0.113.10", PASSWORD).await?;
    ensure!(
        other.status == StatusCode::OK,
        "another user of the backend was blocked: {} {}",
        other.status,
        other.body
    );
    Ok(())
}

/// Auth0's words for a throttled IP.
const THROTTLED: &str = "We have detected suspicious login behavior and further attempts will be blocked. Please contact the administrator.";

/// Sets the tenant's suspicious IP throttling: `stage` allows `max_attempts` per `rate` ms.
async fn throttle(
    server: &Server,
    stage: serde_json::Value,
    allowlist: &[&str],
) -> anyhow::Result<()> {
    let mut tenant = server
        .adapters
        .tenants
        .get(&server.tenant)
        .await?
        .context("no tenant")?;
    tenant.attack_protection.suspicious_ip_throttling =
        Some(serde_json::from_value(serde_json::json!({
            "enabled": true,
            "shields": ["admin_notification", "block"],
            "allowlist": allowlist,
            "stage": stage,
        }))?);
    server.adapters.tenants.update(tenant).await?;
    Ok(())
}

fn retry_after(reply: &Reply, what: &str) -> anyhow::Result<u64> {
    let seconds = reply
        .headers
        .get(header::RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok())
        .with_context(|| format!("{what}: no Retry-After in {:?}", reply.headers))?;
    ensure!(
        seconds > 0 && seconds <= 3_600,
        "{what}: Retry-After {seconds}"
    );
    Ok(seconds)
}

#[tokio::test]
async fn an_ip_failing_across_accounts_is_throttled() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let stage = serde_json::json!({"pre-login": {"max_attempts": 3, "rate": 1_200_000}});
    throttle(&server, stage, &["192.0.2.50"]).await?;
    let peer = Some("192.0.2.10:4000");
    for username in ["a@example.com", "b@example.com", EMAIL] {
        let wrong = grant(&server, Some(DATABASE), username, WRONG, peer).await?;
        expect_wrong(&wrong, username)?;
    }
    // The right password no longer helps from there, on any path.
    let refused = grant(&server, Some(DATABASE), EMAIL, PASSWORD, peer).await?;
    let body = refused.oauth_error(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts", "grant")?;
    ensure!(body["error_description"] == THROTTLED, "{body}");
    retry_after(&refused, "grant")?;
    let form = LoginForm::open(&server).await?;
    let page = form.submit(&server, EMAIL, PASSWORD, peer).await?;
    ensure!(
        page.status == StatusCode::TOO_MANY_REQUESTS && page.body.contains("unusual activity"),
        "{} {}",
        page.status,
        page.body
    );
    retry_after(&page, "login page")?;
    // Another IP, and an allowlisted one however often it fails, are not held back.
    let elsewhere = grant(
        &server,
        Some(DATABASE),
        EMAIL,
        PASSWORD,
        Some("192.0.2.11:4000"),
    )
    .await?;
    ensure!(elsewhere.status == StatusCode::OK, "{}", elsewhere.body);
    let listed = Some("192.0.2.50:4000");
    for _ in 0..5 {
        expect_wrong(
            &grant(&server, Some(DATABASE), "c@example.com", WRONG, listed).await?,
            "listed",
        )?;
    }
    let allowed = grant(&server, Some(DATABASE), EMAIL, PASSWORD, listed).await?;
    ensure!(allowed.status == StatusCode::OK, "{}", allowed.body);
    Ok(())
}

#[tokio::test]
async fn signups_and_reset_requests_from_one_ip_are_limited() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let stage = serde_json::json!({"pre-user-registration": {"max_attempts": 2, "rate": 30_000}});
    throttle(&server, stage, &[]).await?;
    let peer = Some("192.0.2.20:4000");
    let signup = |email: &'static str| {
        let server = &server;
        async move {
            post(
                server,
                "/dbconnections/signup",
                &[
                    ("client_id", server.web.as_str()),
                    ("connection", DATABASE),
                    ("email", email),
                    ("password", "Str0ng-enough-pass"),
                ],
                &[],
                peer,
            )
            .await
        }
    };
    for email in ["one@example.com", "two@example.com"] {
        let created = signup(email).await?;
        ensure!(
            created.status == StatusCode::OK,
            "{email}: {}",
            created.body
        );
    }
    let third = signup("three@example.com").await?;
    ensure!(
        third.status == StatusCode::TOO_MANY_REQUESTS,
        "{}",
        third.body
    );
    let body = third.json()?;
    ensure!(
        body["code"] == "too_many_attempts" && body["statusCode"] == 429,
        "{body}"
    );
    retry_after(&third, "signup")?;
    let params = authhero_core::ListParams::default()
        .with_query(authhero_core::Query::equals("email", "three@example.com")?);
    ensure!(
        server
            .adapters
            .users
            .list(&server.tenant, &params)
            .await?
            .items
            .is_empty(),
        "a throttled signup wrote"
    );

    let reset = || {
        let server = &server;
        async move {
            post(
                server,
                "/dbconnections/change_password",
                &[
                    ("client_id", server.web.as_str()),
                    ("connection", DATABASE),
                    ("email", EMAIL),
                ],
                &[],
                peer,
            )
            .await
        }
    };
    // Reset requests have their own count under the same limit.
    for _ in 0..2 {
        let asked = reset().await?;
        ensure!(asked.status == StatusCode::OK, "{}", asked.body);
    }
    let throttled = reset().await?;
    ensure!(
        throttled.status == StatusCode::TOO_MANY_REQUESTS,
        "{}",
        throttled.body
    );
    retry_after(&throttled, "reset request")?;
    Ok(())
}
