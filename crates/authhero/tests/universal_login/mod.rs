//! The login screens in their states: empty, invalid input, wrong password, blocked, expired
//! transaction, each language, and the tenant's branding and custom text.

use anyhow::{Context, ensure};
use authhero_core::entities::{Branding, BrandingColors, CustomText, PromptSettings};
use authhero_core::{ListParams, Query};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::json;

use crate::support::{self, Reply, hidden_value, redirect_params};
use crate::{CALLBACK, EMAIL, PASSWORD, Server};

/// A strong password under the default ("good") policy.
const NEW_PASSWORD: &str = "Tr0ub4dor&3-horse";

/// One `/authorize` transaction, walked through its screens.
struct Transaction<'a> {
    server: &'a Server,
    state: String,
    cookies: Vec<String>,
    /// Where `/authorize` sent the browser.
    first: String,
}

impl<'a> Transaction<'a> {
    async fn start(server: &'a Server, extra: &[(&str, &str)]) -> anyhow::Result<Self> {
        let start = server
            .get(&server.authorize_uri(&server.spa, extra), &[])
            .await?;
        ensure!(start.status == StatusCode::FOUND, "{}", start.body);
        let first = start.location().context("no redirect")?.to_owned();
        let state = redirect_params(&first)
            .remove("state")
            .context("no state")?;
        Ok(Self {
            server,
            state,
            cookies: start.cookies(),
            first,
        })
    }

    fn uri(&self, path: &str) -> String {
        format!("{path}?state={}", self.state)
    }

    /// `GET path?state=…`, with `accept_language` if given.
    async fn open(&self, path: &str, accept_language: Option<&str>) -> anyhow::Result<Reply> {
        let mut request =
            Request::get(self.uri(path)).header(header::COOKIE, self.cookies.join("; "));
        if let Some(languages) = accept_language {
            request = request.header(header::ACCEPT_LANGUAGE, languages);
        }
        self.server.send(request.body(Body::empty())?).await
    }

    /// Posts `fields` to `path` with the transaction's `state` and the CSRF token its page shows.
    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> anyhow::Result<Reply> {
        let page = self.open(path, None).await?;
        let csrf = hidden_value(&page.body, "csrf")?;
        let mut all = vec![("state", self.state.as_str()), ("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.server.post_form(path, &all, &self.cookies).await
    }
}

fn expect(reply: &Reply, status: StatusCode, texts: &[&str], what: &str) -> anyhow::Result<()> {
    ensure!(
        reply.status == status,
        "{what}: {} {}",
        reply.status,
        reply.body
    );
    for text in texts {
        ensure!(
            reply.body.contains(text),
            "{what}: no {text:?} in {}",
            reply.body
        );
    }
    Ok(())
}

/// The login ended at the application with a code.
fn logged_in(reply: &Reply, what: &str) -> anyhow::Result<()> {
    let location = reply
        .location()
        .with_context(|| format!("{what}: {}", reply.body))?;
    ensure!(
        location.starts_with(CALLBACK) && redirect_params(location).contains_key("code"),
        "{what}: {location}"
    );
    Ok(())
}

#[tokio::test]
async fn identifier_first_asks_for_the_identifier_then_the_password() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let settings = PromptSettings {
        identifier_first: true,
        ..PromptSettings::default()
    };
    server
        .adapters
        .prompt_settings
        .set(&server.tenant, settings)
        .await?;
    let login = Transaction::start(&server, &[("login_hint", "hint@example.com")]).await?;
    let combined = login.open("/u/login", None).await?;
    ensure!(
        combined.location() == Some(login.uri("/u/login/identifier").as_str()),
        "{:?}",
        combined.location()
    );
    let first = login.open("/u/login/identifier", None).await?;
    expect(
        &first,
        StatusCode::OK,
        &[
            r#"<label for="username">Email address or username</label>"#,
            r#"value="hint@example.com""#,
            r#"action="/u/login/identifier""#,
        ],
        "identifier screen",
    )?;
    ensure!(
        !first.body.contains(r#"name="password""#),
        "a password field on the first screen"
    );

    let empty = login
        .post("/u/login/identifier", &[("username", " ")])
        .await?;
    expect(
        &empty,
        StatusCode::BAD_REQUEST,
        &[
            r#"aria-invalid="true" aria-describedby="username-error""#,
            r#"id="username-error">Enter your email address or username."#,
        ],
        "empty identifier",
    )?;
    // Any identifier goes on: nothing is looked up, so nothing is revealed.
    let unknown = login
        .post("/u/login/identifier", &[("username", "nobody@example.com")])
        .await?;
    ensure!(unknown.location() == Some(login.uri("/u/login/password").as_str()));
    let known = login
        .post("/u/login/identifier", &[("username", EMAIL)])
        .await?;
    ensure!(known.location() == Some(login.uri("/u/login/password").as_str()));

    let second = login.open("/u/login/password", None).await?;
    expect(
        &second,
        StatusCode::OK,
        &[
            &format!(r#"<span id="identifier">{EMAIL}</span>"#),
            "/u/login/identifier?state=",
        ],
        "password screen",
    )?;
    let wrong = login
        .post("/u/login/password", &[("password", "nope")])
        .await?;
    expect(
        &wrong,
        StatusCode::BAD_REQUEST,
        &[
            "Wrong email or password.",
            r#"aria-describedby="form-error""#,
        ],
        "wrong password",
    )?;
    let empty = login.post("/u/login/password", &[("password", "")]).await?;
    expect(
        &empty,
        StatusCode::BAD_REQUEST,
        &["Enter your password."],
        "no password",
    )?;
    let done = login
        .post("/u/login/password", &[("password", PASSWORD)])
        .await?;
    logged_in(&done, "identifier first")
}

#[tokio::test]
async fn the_password_screen_without_an_identifier_goes_back() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let login = Transaction::start(&server, &[]).await?;
    let second = login.open("/u/login/password", None).await?;
    ensure!(second.location() == Some(login.uri("/u/login/identifier").as_str()));
    Ok(())
}

async fn users_with_email(server: &Server, email: &str) -> anyhow::Result<u64> {
    let params = ListParams::default().with_query(Query::equals("email", email)?);
    let page = server.adapters.users.list(&server.tenant, &params).await?;
    Ok(page.items.len() as u64)
}

#[tokio::test]
async fn signup_checks_its_input_then_creates_the_user_and_logs_in() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let signup = Transaction::start(&server, &[("screen_hint", "signup")]).await?;
    ensure!(
        signup.first.starts_with("/u/signup?state="),
        "{}",
        signup.first
    );
    let page = signup.open("/u/signup", None).await?;
    expect(
        &page,
        StatusCode::OK,
        &[
            "Create your account",
            r#"id="password-policy""#,
            "At least 8 characters",
            "At least 3 of these 4 kinds of characters:",
            r#"minlength="8""#,
            "/u/login?state=",
        ],
        "signup screen",
    )?;
    ensure!(
        !page.body.contains("unmet"),
        "rules marked unmet before any password"
    );

    let bad_email = signup
        .post(
            "/u/signup",
            &[("email", "not-an-email"), ("password", NEW_PASSWORD)],
        )
        .await?;
    expect(
        &bad_email,
        StatusCode::BAD_REQUEST,
        &[
            r#"id="email-error">Enter a valid email address."#,
            r#"value="not-an-email""#,
        ],
        "bad email",
    )?;
    let weak = signup
        .post(
            "/u/signup",
            &[("email", "new@example.com"), ("password", "short")],
        )
        .await?;
    expect(
        &weak,
        StatusCode::BAD_REQUEST,
        &[
            r#"id="password-error">Your password does not meet the requirements below."#,
            r#"class="unmet">At least 8 characters"#,
        ],
        "weak password",
    )?;
    // A taken email reads like any other refusal its owner could not have caused.
    let taken = signup
        .post("/u/signup", &[("email", EMAIL), ("password", NEW_PASSWORD)])
        .await?;
    expect(
        &taken,
        StatusCode::BAD_REQUEST,
        &["We could not create an account with these details."],
        "taken email",
    )?;
    ensure!(!taken.body.contains("exists"), "{}", taken.body);
    ensure!(
        users_with_email(&server, "new@example.com").await? == 0,
        "a refused signup wrote"
    );
    ensure!(users_with_email(&server, EMAIL).await? == 1);

    let done = signup
        .post(
            "/u/signup",
            &[("email", " New@Example.com "), ("password", NEW_PASSWORD)],
        )
        .await?;
    logged_in(&done, "signup")?;
    ensure!(
        users_with_email(&server, "new@example.com").await? == 1,
        "no user created"
    );
    Ok(())
}

#[tokio::test]
async fn a_connection_without_signup_offers_none() -> anyhow::Result<()> {
    let server = Server::start().await?;
    support::edit_default_connection(&server.adapters, &server.tenant, |connection| {
        connection
            .options
            .insert("disable_signup".into(), json!(true));
    })
    .await?;
    let login = Transaction::start(&server, &[]).await?;
    let page = login.open("/u/login", None).await?;
    expect(&page, StatusCode::OK, &["Forgot password?"], "login")?;
    ensure!(
        !page.body.contains("/u/signup"),
        "a signup link: {}",
        page.body
    );
    let signup = login.open("/u/signup", None).await?;
    expect(
        &signup,
        StatusCode::BAD_REQUEST,
        &["Sign up is not available for this application."],
        "signup screen",
    )?;
    ensure!(
        !signup.body.contains(r#"action="/u/signup""#),
        "a signup form"
    );
    let csrf = hidden_value(&login.open("/u/login", None).await?.body, "csrf")?;
    let posted = server
        .post_form(
            "/u/signup",
            &[
                ("state", &login.state),
                ("csrf", &csrf),
                ("email", "new@example.com"),
                ("password", NEW_PASSWORD),
            ],
            &login.cookies,
        )
        .await?;
    ensure!(
        posted.status == StatusCode::BAD_REQUEST,
        "{}",
        posted.status
    );
    ensure!(users_with_email(&server, "new@example.com").await? == 0);
    Ok(())
}

#[tokio::test]
async fn a_reset_request_answers_alike_for_every_email() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let login = Transaction::start(&server, &[]).await?;
    let form = login.open("/u/reset-password/request", None).await?;
    expect(
        &form,
        StatusCode::OK,
        &[
            "Forgot your password?",
            r#"action="/u/reset-password/request""#,
        ],
        "request screen",
    )?;
    let invalid = login
        .post("/u/reset-password/request", &[("email", "nope")])
        .await?;
    expect(
        &invalid,
        StatusCode::BAD_REQUEST,
        &[r#"id="email-error">Enter a valid email address."#],
        "invalid email",
    )?;
    let known = login
        .post("/u/reset-password/request", &[("email", EMAIL)])
        .await?;
    let unknown = login
        .post(
            "/u/reset-password/request",
            &[("email", "nobody@example.com")],
        )
        .await?;
    expect(
        &known,
        StatusCode::OK,
        &["Check your email", EMAIL],
        "known",
    )?;
    ensure!(
        known.body.replace(EMAIL, "x") == unknown.body.replace("nobody@example.com", "x"),
        "the answers differ:\n{}\n{}",
        known.body,
        unknown.body
    );
    Ok(())
}

#[tokio::test]
async fn a_transaction_that_is_gone_or_forged_gets_a_clear_page() -> anyhow::Result<()> {
    let server = Server::start().await?;
    for path in [
        "/u/login",
        "/u/login/identifier",
        "/u/signup",
        "/u/reset-password/request",
    ] {
        let gone = server
            .get(&format!("{path}?state=default.nope"), &[])
            .await?;
        expect(
            &gone,
            StatusCode::BAD_REQUEST,
            &["This login has expired or was already used."],
            path,
        )?;
    }
    let login = Transaction::start(&server, &[]).await?;
    for path in [
        "/u/login",
        "/u/login/identifier",
        "/u/login/password",
        "/u/signup",
    ] {
        let forged = server
            .post_form(
                path,
                &[
                    ("state", &login.state),
                    ("csrf", "forged"),
                    ("username", EMAIL),
                ],
                &login.cookies,
            )
            .await?;
        expect(
            &forged,
            StatusCode::FORBIDDEN,
            &["This form was not sent from this page."],
            path,
        )?;
    }
    let malformed = server
        .post_form(
            "/u/login",
            &[("state", "a"), ("state", "b")],
            &login.cookies,
        )
        .await?;
    expect(
        &malformed,
        StatusCode::BAD_REQUEST,
        &["The form could not be read."],
        "repeated",
    )?;
    Ok(())
}

#[tokio::test]
async fn pages_speak_the_language_asked_for() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let cases = [
        (
            vec![("ui_locales", "de-CH en")],
            Some("fr"),
            "de",
            "Passwort vergessen?",
        ),
        (
            vec![],
            Some("es-MX,es;q=0.9,en;q=0.5"),
            "es",
            "¿Ha olvidado su contraseña?",
        ),
        (vec![], Some("ja, fr;q=0.8"), "fr", "Mot de passe oublié ?"),
        (vec![], None, "en", "Forgot password?"),
    ];
    for (extra, accept, language, text) in cases {
        let login = Transaction::start(&server, &extra).await?;
        let page = login.open("/u/login", accept).await?;
        expect(
            &page,
            StatusCode::OK,
            &[&format!(r#"<html lang="{language}">"#), text],
            language,
        )?;
    }
    // A wrong password is refused in the page's language too.
    let login = Transaction::start(&server, &[("ui_locales", "fr")]).await?;
    let wrong = login
        .post("/u/login", &[("username", EMAIL), ("password", "nope")])
        .await?;
    expect(
        &wrong,
        StatusCode::BAD_REQUEST,
        &["Adresse e-mail ou mot de passe incorrect."],
        "French refusal",
    )?;

    // The tenant offers only Spanish and German, Spanish first: French is not shown.
    let mut tenant = server
        .adapters
        .tenants
        .get(&server.tenant)
        .await?
        .context("no tenant")?;
    tenant.enabled_locales = vec!["es".into(), "de".into()];
    server.adapters.tenants.update(tenant).await?;
    let login = Transaction::start(&server, &[]).await?;
    let page = login.open("/u/login", Some("fr")).await?;
    expect(
        &page,
        StatusCode::OK,
        &[r#"<html lang="es">"#],
        "tenant default",
    )?;
    Ok(())
}

#[tokio::test]
async fn custom_text_and_branding_change_the_page() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let texts = json!({ "login": { "title": "Hallo bei ${companyName}", "buttonText": "Los" } });
    let custom = CustomText {
        prompt: "login".into(),
        language: "de".into(),
        texts: texts.as_object().cloned().unwrap_or_default(),
    };
    server
        .adapters
        .custom_texts
        .set(&server.tenant, custom)
        .await?;
    let branding = Branding {
        colors: Some(BrandingColors {
            primary: Some("#0059D6".into()),
            page_background: Some("red;}body{display:none".into()),
        }),
        logo_url: Some("https://cdn.example.com/logo.png".into()),
        favicon_url: Some("javascript:alert(1)".into()),
        font: None,
    };
    server
        .adapters
        .branding
        .set(&server.tenant, branding)
        .await?;
    let login = Transaction::start(&server, &[("ui_locales", "de")]).await?;
    let page = login.open("/u/login", None).await?;
    expect(
        &page,
        StatusCode::OK,
        &[
            "<h1>Hallo bei AuthHero</h1>",
            r#"<button type="submit">Los</button>"#,
            "Passwort vergessen?",
            "--primary:#0059d6;--on-primary:#ffffff;",
            r#"<img class="logo" src="https://cdn.example.com/logo.png""#,
        ],
        "custom German page",
    )?;
    for dropped in ["display:none", "javascript:", "rel=\"icon\""] {
        ensure!(
            !page.body.contains(dropped),
            "{dropped} reached the page: {}",
            page.body
        );
    }
    // English has no custom text, so it keeps the catalogue's words.
    let english = Transaction::start(&server, &[]).await?;
    let page = english.open("/u/login", None).await?;
    expect(&page, StatusCode::OK, &["<h1>Welcome</h1>"], "English page")?;
    Ok(())
}

#[tokio::test]
async fn the_style_sheet_is_served_for_good() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let login = Transaction::start(&server, &[]).await?;
    let page = login.open("/u/login", None).await?;
    let href = page
        .body
        .split("href=\"")
        .find(|rest| rest.starts_with("/u/assets/"))
        .and_then(|rest| rest.split('"').next())
        .context("no style sheet link")?;
    let sheet = server.get(href, &[]).await?.ok()?;
    let header = |name| {
        sheet
            .headers
            .get(name)
            .and_then(|value| value.to_str().ok())
    };
    ensure!(header(header::CONTENT_TYPE) == Some("text/css; charset=utf-8"));
    ensure!(header(header::CACHE_CONTROL).is_some_and(|value| value.contains("immutable")));
    ensure!(sheet.body.contains(".card"), "{}", sheet.body);
    Ok(())
}

async fn add_email_connection(server: &Server) -> anyhow::Result<()> {
    let now = authhero_core::Timestamp::now();
    let connection = authhero_core::entities::Connection {
        id: "con_email".into(),
        name: "email".into(),
        display_name: None,
        strategy: "email".into(),
        options: Default::default(),
        enabled_clients: vec![server.spa.clone()],
        realms: vec!["email".into()],
        is_domain_connection: false,
        metadata: Default::default(),
        created_at: now,
        updated_at: now,
    };
    server
        .adapters
        .connections
        .create(&server.tenant, connection)
        .await?;
    Ok(())
}

#[tokio::test]
async fn the_email_code_screens_check_their_input() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let plain = Transaction::start(&server, &[]).await?;
    let page = plain.open("/u/login", None).await?;
    ensure!(
        !page.body.contains("/u/login/email"),
        "an email code link without the connection"
    );
    add_email_connection(&server).await?;
    let page = plain.open("/u/login", None).await?;
    expect(
        &page,
        StatusCode::OK,
        &["Log in with a code sent by email"],
        "login",
    )?;

    let login = Transaction::start(&server, &[("connection", "email")]).await?;
    let first = login.open("/u/login", None).await?;
    ensure!(
        first.location() == Some(login.uri("/u/login/email").as_str()),
        "{:?}",
        first.location()
    );
    let early = login.open("/u/login/email-code", None).await?;
    ensure!(
        early.location() == Some(login.uri("/u/login/email").as_str()),
        "code before address"
    );
    let bad = login.post("/u/login/email", &[("email", "nope")]).await?;
    expect(
        &bad,
        StatusCode::BAD_REQUEST,
        &[r#"id="email-error">Enter a valid email address."#],
        "bad address",
    )?;
    let sent = login
        .post("/u/login/email", &[("email", "Someone@Example.com")])
        .await?;
    ensure!(
        sent.location() == Some(login.uri("/u/login/email-code").as_str()),
        "{}",
        sent.body
    );
    let form = login.open("/u/login/email-code", None).await?;
    expect(
        &form,
        StatusCode::OK,
        &[
            "If someone@example.com can log in here",
            r#"autocomplete="one-time-code""#,
        ],
        "code screen",
    )?;
    let empty = login.post("/u/login/email-code", &[("code", " ")]).await?;
    expect(
        &empty,
        StatusCode::BAD_REQUEST,
        &[r#"id="code-error">Enter the code from the email."#],
        "no code",
    )?;
    let wrong = login
        .post("/u/login/email-code", &[("code", "123456")])
        .await?;
    expect(
        &wrong,
        StatusCode::BAD_REQUEST,
        &["That code is wrong or has expired."],
        "wrong code",
    )?;
    ensure!(
        users_with_email(&server, "someone@example.com").await? == 0,
        "a wrong code wrote"
    );
    Ok(())
}

#[tokio::test]
async fn the_tenants_page_template_frames_every_screen() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let template = "<!DOCTYPE html><html lang=\"{{ locale }}\"><head>{%- auth0:head -%}\
        <style>.shell{padding:2rem}</style><script>alert(1)</script></head>\
        <body><div class=\"shell\"><p id=\"shell\">{{ application.name }} at {{ tenant.friendly_name }}, \
        {{ prompt.name }}/{{ prompt.screen.name }}</p>{%- auth0:widget -%}</div></body></html>";
    let stored = authhero_core::entities::UniversalLoginTemplate {
        body: template.into(),
    };
    server
        .adapters
        .universal_login_templates
        .set(&server.tenant, stored)
        .await?;
    let login = Transaction::start(&server, &[]).await?;
    let page = login.open("/u/login", None).await?;
    expect(
        &page,
        StatusCode::OK,
        &[
            r#"<p id="shell">SPA at AuthHero, login/login</p><main class="card">"#,
            r#"<input type="hidden" name="state""#,
            "<title>Log in | SPA</title>",
        ],
        "framed login",
    )?;
    let policy = page
        .headers
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .context("no nonce")?;
    ensure!(
        page.body
            .contains(&format!("<style nonce=\"{nonce}\">.shell")),
        "{}",
        page.body
    );
    // The template's script gets no nonce, so the page's policy keeps it from running.
    ensure!(
        page.body.contains("<script>alert(1)</script>"),
        "{}",
        page.body
    );
    let signup = login.open("/u/signup", None).await?;
    expect(
        &signup,
        StatusCode::OK,
        &["SPA at AuthHero, signup/signup", "Create your account"],
        "framed signup",
    )?;
    Ok(())
}

#[tokio::test]
async fn a_third_party_application_asks_consent_once() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let mut spa = server
        .adapters
        .clients
        .get(&server.tenant, &server.spa)
        .await?
        .context("no SPA")?;
    spa.is_first_party = false;
    server.adapters.clients.update(&server.tenant, spa).await?;
    let extra = [
        ("scope", "openid email read:things"),
        ("audience", crate::API),
    ];
    let login = Transaction::start(&server, &extra).await?;
    let asked = login
        .post("/u/login", &[("username", EMAIL), ("password", PASSWORD)])
        .await?;
    ensure!(
        asked.location() == Some(login.uri("/u/consent").as_str()),
        "{:?} {}",
        asked.location(),
        asked.body
    );
    let page = login.open("/u/consent", None).await?;
    expect(
        &page,
        StatusCode::OK,
        &[
            "Authorize SPA",
            "Know who you are",
            "Your email address",
            "read:things",
            r#"value="accept""#,
        ],
        "consent screen",
    )?;
    let bad = login.post("/u/consent", &[("action", "maybe")]).await?;
    ensure!(bad.status == StatusCode::BAD_REQUEST, "{}", bad.status);
    let done = login.post("/u/consent", &[("action", "accept")]).await?;
    logged_in(&done, "consented")?;
    let grants = server
        .adapters
        .grants
        .list(&server.tenant, &ListParams::default())
        .await?
        .items;
    ensure!(
        grants.len() == 1 && grants[0].scope == ["openid", "email", "read:things"],
        "{grants:?}"
    );
    // Granted once: the next login goes straight back to the application.
    let again = Transaction::start(&server, &extra).await?;
    let answered = again
        .post("/u/login", &[("username", EMAIL), ("password", PASSWORD)])
        .await?;
    logged_in(&answered, "second login")?;
    // A new scope is asked for alone, and declining tells the application.
    let more = Transaction::start(
        &server,
        &[("scope", "openid email profile"), ("audience", crate::API)],
    )
    .await?;
    let asked = more
        .post("/u/login", &[("username", EMAIL), ("password", PASSWORD)])
        .await?;
    ensure!(asked.location() == Some(more.uri("/u/consent").as_str()));
    let page = more.open("/u/consent", None).await?;
    ensure!(
        page.body.contains("Your profile") && !page.body.contains("Your email address"),
        "{}",
        page.body
    );
    let declined = more.post("/u/consent", &[("action", "deny")]).await?;
    let params = redirect_params(declined.location().context("no redirect")?);
    ensure!(
        params.get("error").map(String::as_str) == Some("access_denied"),
        "{params:?}"
    );
    Ok(())
}
