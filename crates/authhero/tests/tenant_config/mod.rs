//! What a tenant configures once: branding, prompts and their custom text, attack protection,
//! email templates and provider, and custom domains. Defaults until changed, changes that
//! stick, refusals that write nothing, and another tenant that sees none of it.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::Api;

impl Api {
    pub(crate) async fn put(&self, uri: &str, body: Value) -> anyhow::Result<super::Reply> {
        self.call(
            Method::PUT,
            uri,
            Some(&self.admin_token),
            Some(body.to_string()),
        )
        .await
    }
}

#[tokio::test]
async fn settings_start_at_auth0s_defaults_and_keep_changes() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let prompts = api.get("/api/v2/prompts").await?.expect(StatusCode::OK)?;
    assert_eq!(prompts.body["universal_login_experience"], "new");
    let changed = api
        .patch("/api/v2/prompts", json!({"identifier_first": true}))
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(changed.body["identifier_first"], true);
    assert_eq!(changed.body["universal_login_experience"], "new");

    let branding = api
        .patch(
            "/api/v2/branding",
            json!({"colors": {"primary": "#ff0000"}, "logo_url": "https://cdn.example.com/l.png"}),
        )
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(branding.body["colors"]["primary"], "#ff0000");
    let read = api.get("/api/v2/branding").await?.expect(StatusCode::OK)?;
    assert_eq!(read.body, branding.body);

    let brute = api
        .get("/api/v2/attack-protection/brute-force-protection")
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(brute.body["enabled"], true);
    assert_eq!(brute.body["max_attempts"], 10);
    let brute = api
        .patch(
            "/api/v2/attack-protection/brute-force-protection",
            json!({"max_attempts": 5}),
        )
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(brute.body["max_attempts"], 5);
    assert_eq!(brute.body["mode"], "count_per_identifier_and_ip");
    let throttling = api
        .get("/api/v2/attack-protection/suspicious-ip-throttling")
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(throttling.body["stage"]["pre-login"]["max_attempts"], 100);
    let breached = api
        .get("/api/v2/attack-protection/breached-password-detection")
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(breached.body["enabled"], false);
    // Attack protection is not part of the tenant settings.
    let settings = api
        .get("/api/v2/tenants/settings")
        .await?
        .expect(StatusCode::OK)?;
    assert!(
        settings.body.get("attack_protection").is_none(),
        "{}",
        settings.body
    );

    let text = "/api/v2/prompts/login/custom-text/en";
    assert_eq!(api.get(text).await?.expect(StatusCode::OK)?.body, json!({}));
    let texts = json!({"login": {"title": "Welcome to Acme"}});
    api.put(text, texts.clone()).await?.expect(StatusCode::OK)?;
    assert_eq!(api.get(text).await?.expect(StatusCode::OK)?.body, texts);

    // Refusals write nothing.
    for (uri, body) in [
        ("/api/v2/prompts", json!({"identifier_first": "yes"})),
        ("/api/v2/prompts", json!({"colour": 1})),
        ("/api/v2/branding", json!({"logo_url": 5})),
        (
            "/api/v2/attack-protection/brute-force-protection",
            json!({"max_attempts": -1}),
        ),
    ] {
        api.patch(uri, body.clone())
            .await?
            .expect(StatusCode::BAD_REQUEST)?;
    }
    api.put("/api/v2/prompts/Not_A_Prompt/custom-text/en", texts.clone())
        .await?
        .expect(StatusCode::BAD_REQUEST)?;
    api.put(text, json!({"login": "flat"}))
        .await?
        .expect(StatusCode::BAD_REQUEST)?;
    assert_eq!(api.get(text).await?.body, texts);
    assert_eq!(
        api.get("/api/v2/prompts").await?.body["identifier_first"],
        true
    );

    let other = api.other_tenant_token().await?;
    let theirs = api
        .call(Method::GET, "/api/v2/branding", Some(&other), None)
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(theirs.body, json!({}));
    let theirs = api
        .call(Method::GET, text, Some(&other), None)
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(theirs.body, json!({}));
    Ok(())
}

#[tokio::test]
async fn email_templates_and_provider_round_trip() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let path = "/api/v2/email-templates/verify_email";
    api.get(path)
        .await?
        .expect_error(StatusCode::NOT_FOUND, Some("inexistent_email_template"))?;
    let template = json!({
        "template": "verify_email", "body": "<p>{{ url }}</p>", "from": "no-reply@example.com",
        "subject": "Verify", "syntax": "liquid", "enabled": true, "urlLifetimeInSeconds": 3600,
    });
    api.post("/api/v2/email-templates", template.clone())
        .await?
        .expect(StatusCode::CREATED)?;
    api.post("/api/v2/email-templates", template.clone())
        .await?
        .expect(StatusCode::CONFLICT)?;
    let patched = api
        .patch(path, json!({"subject": "Please verify"}))
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(patched.body["subject"], "Please verify");
    assert_eq!(patched.body["urlLifetimeInSeconds"], 3600);
    let replaced = api
        .put(
            "/api/v2/email-templates/welcome_email",
            json!({"body": "Hi", "from": "a@example.com", "subject": "Hi", "syntax": "liquid", "enabled": false}),
        )
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(replaced.body["template"], "welcome_email");
    for bad in [
        json!({"template": "nope", "body": "b", "from": "f", "subject": "s", "syntax": "liquid", "enabled": true}),
        json!({"template": "reset_email", "body": "b"}),
        json!({"template": "reset_email", "body": "b", "from": "f", "subject": "s", "syntax": "liquid", "enabled": "yes"}),
        // Liquid that does not parse is refused when written, not when the email is sent.
        json!({"template": "reset_email", "body": "{% if url %}open", "from": "f", "subject": "s", "syntax": "liquid", "enabled": true}),
        json!({"template": "reset_email", "body": "b", "from": "f", "subject": "{{ user.name", "syntax": "liquid", "enabled": true}),
        // A range Liquid would build whole before looping.
        json!({"template": "reset_email", "body": "{% for i in (1..9999999999) %}x{% endfor %}", "from": "f", "subject": "s", "syntax": "liquid", "enabled": true}),
    ] {
        api.post("/api/v2/email-templates", bad.clone())
            .await?
            .expect(StatusCode::BAD_REQUEST)?;
    }
    api.get("/api/v2/email-templates/reset_email")
        .await?
        .expect(StatusCode::NOT_FOUND)?;

    api.get("/api/v2/emails/provider")
        .await?
        .expect(StatusCode::NOT_FOUND)?;
    for bad in [
        json!({"name": "carrier-pigeon"}),
        json!({"name": "smtp", "credentials": {"smtp_port": 25}}),
        json!({"name": "smtp", "credentials": {"smtp_host": "mail.example.com", "smtp_port": 0}}),
    ] {
        api.post("/api/v2/emails/provider", bad.clone())
            .await?
            .expect(StatusCode::BAD_REQUEST)?;
    }
    let provider = api
        .post(
            "/api/v2/emails/provider",
            json!({"name": "smtp", "default_from_address": "no-reply@example.com",
                   "credentials": {"smtp_host": "127.0.0.1", "smtp_port": 2525, "smtp_user": "u", "smtp_pass": "secret"}}),
        )
        .await?
        .expect(StatusCode::CREATED)?;
    assert!(
        !provider.body.to_string().contains("secret"),
        "{}",
        provider.body
    );
    let changed = api
        .patch("/api/v2/emails/provider", json!({"enabled": false}))
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(changed.body["enabled"], false);
    assert_eq!(changed.body["name"], "smtp");
    let stored = api
        .adapters
        .email_providers
        .get(&api.tenant)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no provider stored"))?;
    assert_eq!(stored.credentials["smtp_pass"], "secret");

    let other = api.other_tenant_token().await?;
    api.call(Method::GET, path, Some(&other), None)
        .await?
        .expect(StatusCode::NOT_FOUND)?;
    api.call(Method::GET, "/api/v2/emails/provider", Some(&other), None)
        .await?
        .expect(StatusCode::NOT_FOUND)?;
    api.delete("/api/v2/emails/provider")
        .await?
        .expect(StatusCode::NO_CONTENT)?;
    api.get("/api/v2/emails/provider")
        .await?
        .expect(StatusCode::NOT_FOUND)?;
    Ok(())
}

#[tokio::test]
async fn custom_domains_wait_for_verification_and_are_unique() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let created = api
        .post(
            "/api/v2/custom-domains",
            json!({"domain": "Login.Example.com", "type": "auth0_managed_certs"}),
        )
        .await?
        .expect(StatusCode::CREATED)?;
    assert_eq!(created.body["domain"], "login.example.com");
    assert_eq!(created.body["status"], "pending_verification");
    let path = format!(
        "/api/v2/custom-domains/{}",
        created.str("custom_domain_id")?
    );
    let listed = api
        .get("/api/v2/custom-domains")
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(listed.items()?.len(), 1);
    for bad in [
        json!({"domain": "login.example.com", "type": "auth0_managed_certs"}),
        json!({"domain": "no spaces.example.com", "type": "auth0_managed_certs"}),
        json!({"domain": "nodot", "type": "auth0_managed_certs"}),
        json!({"domain": "10.0.0.5", "type": "self_managed_certs"}),
        json!({"domain": "169.254.169.254", "type": "self_managed_certs"}),
        // The server's own host (the issuer's) and names under it are never a tenant's.
        json!({"domain": "localhost", "type": "self_managed_certs"}),
        json!({"domain": "tenant.localhost", "type": "self_managed_certs"}),
        json!({"domain": "ok.example.com", "type": "magic"}),
        json!({"domain": "ok.example.com", "type": "auth0_managed_certs", "status": "ready"}),
    ] {
        let reply = api.post("/api/v2/custom-domains", bad.clone()).await?;
        assert!(
            reply.status == StatusCode::BAD_REQUEST || reply.status == StatusCode::CONFLICT,
            "{bad}: {reply:?}"
        );
    }
    // Another tenant cannot take the host either.
    let other = api.other_tenant_token().await?;
    api.call(
        Method::POST,
        "/api/v2/custom-domains",
        Some(&other),
        Some(json!({"domain": "login.example.com", "type": "self_managed_certs"}).to_string()),
    )
    .await?
    .expect(StatusCode::CONFLICT)?;
    api.call(Method::GET, &path, Some(&other), None)
        .await?
        .expect(StatusCode::NOT_FOUND)?;
    let patched = api
        .patch(&path, json!({"tls_policy": "recommended"}))
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(patched.body["status"], "pending_verification");
    api.patch(&path, json!({"status": "ready"}))
        .await?
        .expect(StatusCode::BAD_REQUEST)?;
    api.delete(&path).await?.expect(StatusCode::NO_CONTENT)?;
    assert!(api.get("/api/v2/custom-domains").await?.items()?.is_empty());
    Ok(())
}

/// Every endpoint the OpenAPI document lists is behind a token: without one, 401.
#[tokio::test]
async fn every_documented_endpoint_needs_a_token() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let document = api
        .call(Method::GET, "/api/v2/openapi.json", None, None)
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(document.body["openapi"], "3.1.0");
    let paths = document.body["paths"]
        .as_object()
        .ok_or_else(|| anyhow::anyhow!("no paths"))?;
    assert!(paths.len() > 30, "{} paths", paths.len());
    for (path, operations) in paths {
        let concrete: String = path
            .split('/')
            .map(|segment| {
                if segment.starts_with('{') {
                    "x"
                } else {
                    segment
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        for verb in operations
            .as_object()
            .map(|o| o.keys())
            .into_iter()
            .flatten()
        {
            let method = Method::from_bytes(verb.to_uppercase().as_bytes())?;
            let reply = api.call(method, &concrete, None, Some("{}".into())).await?;
            assert_eq!(
                reply.status,
                StatusCode::UNAUTHORIZED,
                "{verb} {path}: {reply:?}"
            );
        }
    }
    Ok(())
}

/// What the deploy CLI sends back on import: lifetimes in minutes, flags and page settings.
#[tokio::test]
async fn tenant_settings_take_lifetimes_in_minutes_and_keep_flags() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let updated = api
        .patch(
            "/api/v2/tenants/settings",
            json!({"session_lifetime_in_minutes": 10080, "idle_session_lifetime_in_minutes": 4320,
                   "flags": {"enable_client_connections": true}, "sandbox_version": "18",
                   "error_page": {"show_log_link": false, "url": ""}}),
        )
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(updated.body["session_lifetime"], 168.0);
    assert_eq!(updated.body["idle_session_lifetime"], 72.0);
    assert_eq!(updated.body["flags"]["enable_client_connections"], true);
    assert_eq!(updated.body["error_page"]["show_log_link"], false);
    assert!(updated.body.get("session_lifetime_in_minutes").is_none());
    api.patch(
        "/api/v2/tenants/settings",
        json!({"session_lifetime_in_minutes": "a week"}),
    )
    .await?
    .expect(StatusCode::BAD_REQUEST)?;
    let read = api.get("/api/v2/tenants/settings").await?;
    assert_eq!(read.body["session_lifetime"], 168.0);
    Ok(())
}

/// A connection's clients, read by checkpoint and changed by the list Auth0 takes.
#[tokio::test]
async fn a_connections_clients_are_listed_and_changed() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let client = api
        .post("/api/v2/clients", json!({"name": "Shop"}))
        .await?
        .expect(StatusCode::CREATED)?;
    let client_id = client.str("client_id")?.to_owned();
    let connection = api
        .post(
            "/api/v2/connections",
            json!({"name": "shop-users", "strategy": "auth0"}),
        )
        .await?
        .expect(StatusCode::CREATED)?;
    let path = format!("/api/v2/connections/{}/clients", connection.str("id")?);
    let none = api
        .get(&format!("{path}?take=10"))
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(none.body, json!({"clients": []}));
    api.patch(&path, json!([{"client_id": client_id, "status": true}]))
        .await?
        .expect(StatusCode::NO_CONTENT)?;
    let one = api.get(&path).await?.expect(StatusCode::OK)?;
    assert_eq!(one.body["clients"][0]["client_id"], client_id.as_str());
    let of_client = api
        .get(&format!(
            "/api/v2/clients/{client_id}/connections?strategy=auth0&include_totals=true"
        ))
        .await?
        .expect(StatusCode::OK)?;
    let names: Vec<&str> = of_client.body["connections"]
        .as_array()
        .map(|items| items.iter().filter_map(|c| c["name"].as_str()).collect())
        .unwrap_or_default();
    assert!(names.contains(&"shop-users"), "{}", of_client.body);
    // An unknown client changes nothing, not even the known one beside it.
    api.patch(
        &path,
        json!([{"client_id": client_id, "status": false}, {"client_id": "nobody", "status": true}]),
    )
    .await?
    .expect(StatusCode::NOT_FOUND)?;
    api.patch(&path, json!({"client_id": client_id}))
        .await?
        .expect(StatusCode::BAD_REQUEST)?;
    let still = api.get(&path).await?.expect(StatusCode::OK)?;
    assert_eq!(still.body["clients"].as_array().map(Vec::len), Some(1));
    api.patch(&path, json!([{"client_id": client_id, "status": false}]))
        .await?
        .expect(StatusCode::NO_CONTENT)?;
    let none = api.get(&path).await?.expect(StatusCode::OK)?;
    assert_eq!(none.body, json!({"clients": []}));
    Ok(())
}

/// A connection that exists is online; its users are deleted by email.
#[tokio::test]
async fn a_connections_status_and_its_users_by_email() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let connections = api
        .get("/api/v2/connections?strategy=auth0")
        .await?
        .expect(StatusCode::OK)?;
    let id = connections.items()?[0]["id"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("no id"))?
        .to_owned();
    api.get(&format!("/api/v2/connections/{id}/status"))
        .await?
        .expect(StatusCode::OK)?;
    api.get("/api/v2/connections/con_nope/status")
        .await?
        .expect(StatusCode::NOT_FOUND)?;
    api.create_user("Leaving@Example.com", json!({}))
        .await?
        .expect(StatusCode::CREATED)?;
    let users = format!("/api/v2/connections/{id}/users");
    api.delete(&users).await?.expect(StatusCode::BAD_REQUEST)?;
    api.delete(&format!("{users}?email=leaving%40example.com"))
        .await?
        .expect(StatusCode::NO_CONTENT)?;
    let left = api
        .get("/api/v2/users-by-email?email=leaving%40example.com")
        .await?
        .expect(StatusCode::OK)?;
    assert!(left.items()?.is_empty(), "{}", left.body);
    Ok(())
}

/// The reference page renders the published document with the Redoc the binary ships.
#[tokio::test]
async fn the_reference_page_loads_nothing_from_elsewhere() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let request = axum::http::Request::get("/api/v2/docs").body(axum::body::Body::empty())?;
    let response = tower::ServiceExt::oneshot(api.router.clone(), request).await?;
    assert_eq!(response.status(), StatusCode::OK);
    let policy = response
        .headers()
        .get("content-security-policy")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(policy.contains("script-src 'self'"), "{policy}");
    let page = http_body_util::BodyExt::collect(response.into_body())
        .await
        .map_err(|error| anyhow::anyhow!("{error}"))?
        .to_bytes();
    let page = String::from_utf8_lossy(&page);
    assert!(page.contains("spec-url=\"/api/v2/openapi.json\""), "{page}");
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "{page}"
    );
    let request = axum::http::Request::get("/api/v2/docs/redoc.standalone.js")
        .body(axum::body::Body::empty())?;
    let script = tower::ServiceExt::oneshot(api.router.clone(), request).await?;
    assert_eq!(script.status(), StatusCode::OK);
    assert!(
        script
            .headers()
            .get("content-type")
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.starts_with("text/javascript"))
    );
    Ok(())
}

/// A password change ticket is a link the reset page honours, for one user of this tenant.
#[tokio::test]
async fn a_password_change_ticket_opens_the_reset_page() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let user = api
        .create_user("ticketed@example.com", json!({}))
        .await?
        .expect(StatusCode::CREATED)?;
    let user_id = user.str("user_id")?.to_owned();
    let ticket = api
        .post(
            "/api/v2/tickets/password-change",
            json!({"user_id": user_id, "ttl_sec": 600}),
        )
        .await?
        .expect(StatusCode::CREATED)?;
    let link = ticket.str("ticket")?.to_owned();
    let path = link
        .strip_prefix("http://localhost:3000")
        .ok_or_else(|| anyhow::anyhow!("not this server's link: {link}"))?;
    assert!(path.starts_with("/u/reset-password?ticket="), "{link}");
    let request = axum::http::Request::get(path).body(axum::body::Body::empty())?;
    let page = tower::ServiceExt::oneshot(api.router.clone(), request).await?;
    assert_eq!(page.status(), StatusCode::OK);
    let by_email = api
        .post(
            "/api/v2/tickets/password-change",
            json!({"email": "Ticketed@Example.com", "connection_id": api.database_id().await?}),
        )
        .await?
        .expect(StatusCode::CREATED)?;
    assert_ne!(by_email.str("ticket")?, link);
    let bad = [
        json!({}),
        json!({"user_id": user_id, "email": "ticketed@example.com"}),
        json!({"user_id": user_id, "ttl_sec": 99_999_999}),
        json!({"user_id": user_id, "colour": "red"}),
        json!({"user_id": user_id, "result_url": "javascript:alert(1)"}),
        json!({"user_id": user_id, "mark_email_as_verified": "yes"}),
    ];
    expect_ticket_refusals(&api, "/api/v2/tickets/password-change", &user_id, &bad).await
}

/// Each bad body is a 400, an unknown user a 404, and another tenant's user unknown there.
async fn expect_ticket_refusals(
    api: &Api,
    path: &str,
    user_id: &str,
    bad: &[Value],
) -> anyhow::Result<()> {
    for body in bad {
        api.post(path, body.clone())
            .await?
            .expect(StatusCode::BAD_REQUEST)?;
    }
    api.post(path, json!({"user_id": "auth0|nobody"}))
        .await?
        .expect_error(StatusCode::NOT_FOUND, Some("inexistent_user"))?;
    let other = api.other_tenant_token().await?;
    api.call(
        Method::POST,
        path,
        Some(&other),
        Some(json!({"user_id": user_id}).to_string()),
    )
    .await?
    .expect(StatusCode::NOT_FOUND)?;
    Ok(())
}

/// A password change ticket's options: once the password is changed the user goes to
/// `result_url` with Auth0's outcome and the email, and the email counts as verified.
#[tokio::test]
async fn a_password_change_ticket_goes_on_to_its_result_url() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let user_id = api
        .create_user("onward@example.com", json!({}))
        .await?
        .expect(StatusCode::CREATED)?
        .str("user_id")?
        .to_owned();
    let ticket = api
        .post(
            "/api/v2/tickets/password-change",
            json!({
                "user_id": user_id,
                "result_url": "https://app.example/after-reset",
                "includeEmailInRedirect": true,
                "mark_email_as_verified": true,
            }),
        )
        .await?
        .expect(StatusCode::CREATED)?;
    let link = ticket.str("ticket")?;
    let ticket_value = url::Url::parse(link)?
        .query_pairs()
        .find(|(name, _)| name == "ticket")
        .map(|(_, value)| value.into_owned())
        .ok_or_else(|| anyhow::anyhow!("no ticket in {link}"))?;
    let form = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("ticket", &ticket_value)
        .append_pair("password", "A new and long passphrase 42")
        .append_pair("confirm", "A new and long passphrase 42")
        .finish();
    let request = axum::http::Request::post("/u/reset-password")
        .header(
            axum::http::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(axum::body::Body::from(form))?;
    let response = tower::ServiceExt::oneshot(api.router.clone(), request).await?;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response
        .headers()
        .get(axum::http::header::LOCATION)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    assert!(
        location.starts_with("https://app.example/after-reset?success=true&code=success&message="),
        "{location}"
    );
    assert!(
        location.ends_with("&email=onward%40example.com"),
        "{location}"
    );
    let user = api
        .get(&format!("/api/v2/users/{}", user_id.replace('|', "%7C")))
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(user.body["email_verified"], true);
    Ok(())
}

/// A tenant's theme: created once, found by id and as the default, changed, removed.
#[tokio::test]
async fn a_tenants_theme_round_trips() -> anyhow::Result<()> {
    let api = Api::start().await?;
    api.get("/api/v2/branding/themes/default")
        .await?
        .expect_error(StatusCode::NOT_FOUND, Some("inexistent_theme"))?;
    let theme = json!({
        "displayName": "Acme", "borders": {"button_border_radius": 3}, "colors": {"primary_button": "#635dff"},
        "fonts": {"font_url": ""}, "page_background": {"background_color": "#000000"}, "widget": {"logo_position": "center"},
    });
    let created = api
        .post("/api/v2/branding/themes", theme.clone())
        .await?
        .expect(StatusCode::CREATED)?;
    let id = created.str("themeId")?.to_owned();
    let default = api
        .get("/api/v2/branding/themes/default")
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(default.body["themeId"], id.as_str());
    assert_eq!(default.body["colors"]["primary_button"], "#635dff");
    api.post("/api/v2/branding/themes", theme.clone())
        .await?
        .expect(StatusCode::CONFLICT)?;
    api.post("/api/v2/branding/themes", json!({"colors": "red"}))
        .await?
        .expect(StatusCode::BAD_REQUEST)?;
    let path = format!("/api/v2/branding/themes/{id}");
    let patched = api
        .patch(&path, json!({"displayName": "Acme Dark"}))
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(patched.body["displayName"], "Acme Dark");
    let other = api.other_tenant_token().await?;
    api.call(Method::GET, &path, Some(&other), None)
        .await?
        .expect(StatusCode::NOT_FOUND)?;
    api.delete(&path).await?.expect(StatusCode::NO_CONTENT)?;
    api.get("/api/v2/branding/themes/default")
        .await?
        .expect(StatusCode::NOT_FOUND)?;
    Ok(())
}

#[tokio::test]
async fn the_universal_login_template_is_set_checked_and_deleted() -> anyhow::Result<()> {
    let api = Api::start().await?;
    const PATH: &str = "/api/v2/branding/templates/universal-login";
    api.get(PATH)
        .await?
        .expect_error(StatusCode::NOT_FOUND, Some("not_found"))?;
    let template = "<!DOCTYPE html><html><head>{%- auth0:head -%}</head><body>{%- auth0:widget -%}</body></html>";
    let set = api
        .put(PATH, json!({"template": template}))
        .await?
        .expect(StatusCode::CREATED)?;
    assert_eq!(set.body, json!({"body": template}));
    let read = api.get(PATH).await?.expect(StatusCode::OK)?;
    assert_eq!(read.body, json!({"body": template}));
    // Auth0's SDK sends the template as a bare JSON string.
    let bare = template.replace("<body>", "<body class=\"bare\">");
    api.put(PATH, json!(bare))
        .await?
        .expect(StatusCode::CREATED)?;
    assert_eq!(
        api.get(PATH).await?.expect(StatusCode::OK)?.body["body"],
        bare.as_str()
    );
    api.put(PATH, json!(template))
        .await?
        .expect(StatusCode::CREATED)?;

    // Refused, and the stored template is kept: no widget tag, broken Liquid, too long, wrong
    // type, extra field.
    for refused in [
        json!({"template": "<html><head>{%- auth0:head -%}</head></html>"}),
        json!({"template": "{%- auth0:head -%}{%- auth0:widget -%}{% if %}"}),
        json!({"template": format!("{{% auth0:head %}}{{% auth0:widget %}}{}", "x".repeat(102_400))}),
        json!({"template": 3}),
        json!(3),
        json!(["x"]),
        json!({"template": template, "extra": true}),
        json!({}),
    ] {
        api.put(PATH, refused)
            .await?
            .expect(StatusCode::BAD_REQUEST)?;
    }
    assert_eq!(
        api.get(PATH).await?.expect(StatusCode::OK)?.body["body"],
        template
    );

    let other = api.other_tenant_token().await?;
    api.call(Method::GET, PATH, Some(&other), None)
        .await?
        .expect(StatusCode::NOT_FOUND)?;
    api.delete(PATH).await?.expect(StatusCode::NO_CONTENT)?;
    api.get(PATH).await?.expect(StatusCode::NOT_FOUND)?;
    Ok(())
}

/// The page a ticket link opens: its status, `Location` and body.
async fn open_link(api: &Api, link: &str) -> anyhow::Result<(StatusCode, Option<String>, String)> {
    let path = link
        .strip_prefix("http://localhost:3000")
        .ok_or_else(|| anyhow::anyhow!("not this server's link: {link}"))?;
    let request = axum::http::Request::get(path).body(axum::body::Body::empty())?;
    let page = tower::ServiceExt::oneshot(api.router.clone(), request).await?;
    let status = page.status();
    let location = page
        .headers()
        .get("location")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let body = http_body_util::BodyExt::collect(page.into_body())
        .await?
        .to_bytes();
    Ok((
        status,
        location,
        String::from_utf8_lossy(&body).into_owned(),
    ))
}

/// An email verification ticket verifies its user's email once, then sends them to the
/// `result_url` with Auth0's outcome (or says so itself); bad bodies, unknown users and another
/// tenant's users are refused and make no ticket.
#[tokio::test]
async fn an_email_verification_ticket_verifies_once() -> anyhow::Result<()> {
    let api = Api::start().await?;
    let user = api
        .create_user("unverified@example.com", json!({}))
        .await?
        .expect(StatusCode::CREATED)?;
    assert_eq!(user.body["email_verified"], false);
    let user_id = user.str("user_id")?.to_owned();
    let ticket = api
        .post(
            "/api/v2/tickets/email-verification",
            json!({"user_id": user_id, "result_url": "https://app.example/welcome?from=mail", "ttl_sec": 600}),
        )
        .await?
        .expect(StatusCode::CREATED)?;
    let link = ticket.str("ticket")?.to_owned();
    assert!(
        link.starts_with("http://localhost:3000/u/email-verification?ticket="),
        "{link}"
    );
    let (status, location, _) = open_link(&api, &link).await?;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = location.unwrap_or_default();
    assert!(
        location.starts_with(
            "https://app.example/welcome?from=mail&success=true&code=success&message="
        ),
        "{location}"
    );
    let verified = api
        .get(&format!("/api/v2/users/{}", user_id.replace('|', "%7C")))
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(verified.body["email_verified"], true);
    let (again, _, _) = open_link(&api, &link).await?;
    assert_eq!(again, StatusCode::BAD_REQUEST, "a ticket works once");

    let plain = api
        .post(
            "/api/v2/tickets/email-verification",
            json!({"user_id": user_id}),
        )
        .await?
        .expect(StatusCode::CREATED)?;
    let (status, _, body) = open_link(&api, plain.str("ticket")?).await?;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("Your email address has been verified."),
        "{body}"
    );
    let with_email = api
        .post(
            "/api/v2/tickets/email-verification",
            json!({"user_id": user_id, "result_url": "https://app.example/welcome", "includeEmailInRedirect": true}),
        )
        .await?
        .expect(StatusCode::CREATED)?;
    let (_, location, _) = open_link(&api, with_email.str("ticket")?).await?;
    let location = location.unwrap_or_default();
    assert!(
        location.ends_with("&email=unverified%40example.com"),
        "{location}"
    );

    let bad = [
        json!({}),
        json!({"user_id": user_id, "result_url": "javascript:alert(1)"}),
        json!({"user_id": user_id, "ttl_sec": -1}),
        json!({"user_id": user_id, "includeEmailInRedirect": "yes"}),
        json!({"user_id": user_id, "colour": "red"}),
        json!({"user_id": 7}),
    ];
    expect_ticket_refusals(&api, "/api/v2/tickets/email-verification", &user_id, &bad).await?;
    for forged in [
        "http://localhost:3000/u/email-verification?ticket=default.forged",
        "http://localhost:3000/u/email-verification?ticket=nowhere.forged",
        "http://localhost:3000/u/email-verification",
    ] {
        let (status, _, _) = open_link(&api, forged).await?;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{forged}");
    }
    Ok(())
}

/// Reaches a domain as DNS pointing it at this server would: the request goes to this router,
/// under the domain's name. Domains it does not serve (`unreachable`) give no answer.
#[derive(Debug, Default)]
struct PointedAtThisServer {
    router: std::sync::OnceLock<axum::Router>,
    unreachable: Vec<&'static str>,
}

#[async_trait::async_trait]
impl authhero::DomainProbe for PointedAtThisServer {
    async fn fetch(&self, url: &str) -> Option<String> {
        use http_body_util::BodyExt;
        use tower::ServiceExt;
        let url = url::Url::parse(url).ok()?;
        let host = url.host_str()?;
        if self.unreachable.contains(&host) {
            return None;
        }
        let request = axum::http::Request::get(url.path())
            .header(axum::http::header::HOST, host)
            .body(axum::body::Body::empty())
            .ok()?;
        let response = self.router.get()?.clone().oneshot(request).await.ok()?;
        if response.status() != StatusCode::OK {
            return None;
        }
        let body = response.into_body().collect().await.ok()?.to_bytes();
        String::from_utf8(body.to_vec()).ok()
    }
}

/// A domain is verified once it answers its well-known path through this server; one that
/// does not stays pending, and the token shows only under the domain's own name.
#[tokio::test]
async fn custom_domains_are_verified_by_reaching_this_server() -> anyhow::Result<()> {
    let probe = std::sync::Arc::new(PointedAtThisServer {
        unreachable: vec!["elsewhere.example.com"],
        ..PointedAtThisServer::default()
    });
    let configured = probe.clone();
    let api =
        Api::start_configured(|_| {}, move |authhero| authhero.domain_probe(configured)).await?;
    probe
        .router
        .set(api.router.clone())
        .map_err(|_| anyhow::anyhow!("router set twice"))?;
    let mut paths = Vec::new();
    for domain in ["login.example.com", "elsewhere.example.com"] {
        let created = api
            .post(
                "/api/v2/custom-domains",
                json!({"domain": domain, "type": "self_managed_certs"}),
            )
            .await?
            .expect(StatusCode::CREATED)?;
        paths.push(format!(
            "/api/v2/custom-domains/{}",
            created.str("custom_domain_id")?
        ));
    }
    let verified = api
        .post(&format!("{}/verify", paths[0]), json!({}))
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(verified.body["status"], "ready", "{}", verified.body);
    assert!(verified.body.get("verification_token").is_none());
    let pending = api
        .post(&format!("{}/verify", paths[1]), json!({}))
        .await?
        .expect(StatusCode::OK)?;
    assert_eq!(pending.body["status"], "pending_verification");

    // The token of the pending domain is shown under its name, and under no other.
    let id = pending.str("custom_domain_id")?;
    let well_known = format!("/.well-known/authhero/custom-domains/{id}");
    for (host, status) in [
        ("elsewhere.example.com", StatusCode::OK),
        ("login.example.com", StatusCode::NOT_FOUND),
        ("localhost", StatusCode::NOT_FOUND),
    ] {
        let request = axum::http::Request::get(&well_known)
            .header(axum::http::header::HOST, host)
            .body(axum::body::Body::empty())?;
        let response = tower::ServiceExt::oneshot(api.router.clone(), request).await?;
        assert_eq!(response.status(), status, "{host}");
    }
    // A ready domain stays ready; an unknown or another tenant's domain is a 404.
    api.post(&format!("{}/verify", paths[0]), json!({}))
        .await?
        .expect(StatusCode::OK)?;
    api.post("/api/v2/custom-domains/cd_none/verify", json!({}))
        .await?
        .expect(StatusCode::NOT_FOUND)?;
    let other = api.other_tenant_token().await?;
    api.call(
        Method::POST,
        &format!("{}/verify", paths[1]),
        Some(&other),
        None,
    )
    .await?
    .expect(StatusCode::NOT_FOUND)?;
    Ok(())
}
