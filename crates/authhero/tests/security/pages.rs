//! Finding 7: pages could be framed and sniffed. Every page carries a strict content security
//! policy with `frame-ancestors 'none'` (the `web_message` answer allows only the client's
//! origin), `nosniff` and `no-referrer`, and HSTS when the issuer is https.

use anyhow::{Context, ensure};
use authhero_core::entities::{Branding, BrandingColors};
use axum::http::StatusCode;

use crate::support::{self, Reply};
use crate::{CALLBACK, Server};

fn header<'a>(reply: &'a Reply, name: &str) -> &'a str {
    reply
        .headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
}

fn protected(reply: &Reply, what: &str) -> anyhow::Result<()> {
    ensure!(
        header(reply, "x-content-type-options") == "nosniff",
        "{what}: no nosniff"
    );
    ensure!(
        header(reply, "referrer-policy") == "no-referrer",
        "{what}: referrer policy {:?}",
        header(reply, "referrer-policy")
    );
    Ok(())
}

/// The login form of a fresh `/authorize` of the SPA.
async fn login_page(server: &Server) -> anyhow::Result<Reply> {
    let start = server
        .get(&server.authorize_uri(&server.spa, &[]), &[])
        .await?;
    let login_page = start.location().context("no login redirect")?.to_owned();
    server.get(&login_page, &start.cookies()).await?.ok()
}

#[tokio::test]
async fn pages_cannot_be_framed_or_sniffed() -> anyhow::Result<()> {
    let server = Server::start().await?;
    let form = login_page(&server).await?;
    let error = server.get("/authorize?client_id=nobody", &[]).await?;
    ensure!(error.status == StatusCode::BAD_REQUEST);
    for (reply, what) in [(&form, "login page"), (&error, "error page")] {
        protected(reply, what)?;
        let policy = header(reply, "content-security-policy");
        ensure!(
            policy.contains("frame-ancestors 'none'") && policy.contains("default-src 'none'"),
            "{what}: policy {policy:?}"
        );
        ensure!(
            !policy.contains("unsafe-inline"),
            "{what}: inline code is allowed: {policy:?}"
        );
    }
    // JSON answers carry the same headers.
    let discovery = server
        .get("/.well-known/openid-configuration", &[])
        .await?
        .ok()?;
    protected(&discovery, "discovery")?;
    ensure!(
        !discovery.headers.contains_key("strict-transport-security"),
        "HSTS on a plain http issuer"
    );

    // Silent authentication runs in the application's iframe: only its origin may frame it.
    let (_, session) = server.log_in(&server.spa.clone(), &[]).await?;
    let silent = server
        .get(
            &server.authorize_uri(
                &server.spa,
                &[("prompt", "none"), ("response_mode", "web_message")],
            ),
            &session,
        )
        .await?
        .ok()?;
    let policy = header(&silent, "content-security-policy");
    ensure!(
        policy.contains("frame-ancestors https://app.example.com")
            && policy.contains("script-src 'nonce-"),
        "web_message policy {policy:?}"
    );
    ensure!(CALLBACK.starts_with("https://app.example.com/"));
    Ok(())
}

#[tokio::test]
async fn https_issuers_send_hsts() -> anyhow::Result<()> {
    let issuer = "https://auth.example.com/";
    let (adapters, _) = support::bootstrapped(issuer).await?;
    let router = authhero::AuthHero::new(adapters).issuer(issuer)?.router();
    let reply = support::get(&router, "/.well-known/openid-configuration", &[])
        .await?
        .ok()?;
    ensure!(
        header(&reply, "strict-transport-security").starts_with("max-age="),
        "no HSTS: {:?}",
        reply.headers
    );
    Ok(())
}

/// Every `<tag …>…</tag>` element of a page: its `nonce` (if any) and its contents.
fn inline_blocks(html: &str, tag: &str) -> Vec<(Option<String>, String)> {
    let (open, close) = (format!("<{tag}"), format!("</{tag}>"));
    html.split(open.as_str())
        .skip(1)
        .filter_map(|rest| {
            let (attributes, rest) = rest.split_once('>')?;
            let nonce = attributes
                .split_once("nonce=\"")
                .and_then(|(_, value)| value.split_once('"'))
                .map(|(nonce, _)| nonce.to_owned());
            let (block, _) = rest.split_once(close.as_str())?;
            Some((nonce, block.to_owned()))
        })
        .collect()
}

/// A page works under its own policy only if the policy admits each of its inline blocks, by
/// a nonce that no other page has (the policy names no hashes and allows nothing inline).
fn runs_under_its_policy(reply: &Reply, what: &str) -> anyhow::Result<()> {
    let policy = header(reply, "content-security-policy");
    ensure!(
        !policy.contains("unsafe-inline"),
        "{what}: inline code is allowed: {policy:?}"
    );
    for (tag, directive) in [("style", "style-src"), ("script", "script-src")] {
        for (nonce, block) in inline_blocks(&reply.body, tag) {
            let admitted = nonce.is_some_and(|nonce| {
                policy
                    .split(';')
                    .map(str::trim)
                    .find_map(|part| part.strip_prefix(directive))
                    .is_some_and(|sources| {
                        sources
                            .split_whitespace()
                            .any(|given| given == format!("'nonce-{nonce}'"))
                    })
            });
            ensure!(
                admitted,
                "{what}: the policy {policy:?} blocks its own {tag} {block:?}"
            );
        }
    }
    Ok(())
}

#[tokio::test]
async fn every_page_runs_under_its_own_policy() -> anyhow::Result<()> {
    let server = Server::start().await?;
    // A branded tenant's page sets its colours in an inline style.
    let branding = Branding {
        colors: Some(BrandingColors {
            primary: Some("#0059d6".into()),
            page_background: None,
        }),
        ..Branding::default()
    };
    server
        .adapters
        .branding
        .set(&server.tenant, branding)
        .await?;
    let form = login_page(&server).await?;
    runs_under_its_policy(&form, "login page")?;
    ensure!(
        !inline_blocks(&form.body, "style").is_empty(),
        "no inline style found: the check would prove nothing"
    );
    let again = login_page(&server).await?;
    ensure!(
        header(&again, "content-security-policy") != header(&form, "content-security-policy"),
        "two pages share a nonce"
    );
    let (_, session) = server.log_in(&server.spa.clone(), &[]).await?;
    for mode in ["form_post", "web_message"] {
        let reply = server
            .get(
                &server.authorize_uri(&server.spa, &[("response_mode", mode)]),
                &session,
            )
            .await?
            .ok()?;
        ensure!(
            !inline_blocks(&reply.body, "script").is_empty(),
            "{mode}: no script found"
        );
        runs_under_its_policy(&reply, mode)?;
    }
    let asked = server.get("/oidc/logout", &session).await?.ok()?;
    runs_under_its_policy(&asked, "logout confirmation")?;
    Ok(())
}
