//! The headers every answer carries against framing, sniffing and leaking URLs: a strict content
//! security policy on pages, `nosniff`, `no-referrer`, and HSTS when the issuer is https.

use std::sync::LazyLock;

use axum::Router;
use axum::http::header::{
    CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY,
    X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderValue, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::html;

/// `'sha256-…'`: admits exactly this inline script or style (CSP level 2).
fn source_hash(content: &str) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, content.as_bytes());
    format!("'sha256-{}'", STANDARD.encode(digest.as_ref()))
}

/// Nothing but the pages' own style and the `form_post` script, and no framing at all.
static PAGE_POLICY: LazyLock<HeaderValue> = LazyLock::new(|| {
    let policy = format!(
        "default-src 'none'; style-src {}; script-src {}; img-src 'self' data: https:; \
         base-uri 'none'; frame-ancestors 'none'",
        source_hash(html::STYLE),
        source_hash(html::FORM_POST_SCRIPT)
    );
    HeaderValue::from_str(&policy).unwrap_or(HeaderValue::from_static("default-src 'none'"))
});

/// The policy of a `web_message` answer: its one script, framed only by the client's origin
/// (silent authentication runs it in the application's hidden iframe).
pub fn web_message_policy(script: &str, client_origin: &str) -> String {
    // An origin is `scheme://host[:port]`; anything else would widen or break the policy.
    let ancestor = if url::Url::parse(client_origin).is_ok_and(|url| url.origin().is_tuple())
        && !client_origin.contains([' ', ';', ',', '\''])
    {
        client_origin
    } else {
        "'none'"
    };
    format!(
        "default-src 'none'; style-src {}; script-src {}; base-uri 'none'; frame-ancestors {ancestor}",
        source_hash(html::STYLE),
        source_hash(script)
    )
}

fn is_html<B>(response: &Response<B>) -> bool {
    response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/html"))
}

/// Adds the headers to every answer of `router`; a page that set its own policy keeps it.
pub fn apply(router: Router, https: bool) -> Router {
    let router = router
        .layer(SetResponseHeaderLayer::if_not_present(
            CONTENT_SECURITY_POLICY,
            |response: &Response<_>| is_html(response).then(|| PAGE_POLICY.clone()),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ));
    if https {
        router.layer(SetResponseHeaderLayer::overriding(
            STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        ))
    } else {
        router
    }
}
