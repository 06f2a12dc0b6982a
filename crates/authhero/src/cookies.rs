//! The session cookie (SSO across the tenant's clients) and the login-transaction cookie that
//! binds a login form to the browser that started it.

use axum::http::HeaderMap;
use axum::http::header::COOKIE;
use cookie::{Cookie, SameSite};

pub const SESSION: &str = "authhero_session";
pub const LOGIN: &str = "authhero_login";

/// The value of cookie `name` in the request, if sent.
pub fn read(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == name)
        .map(|cookie| cookie.value().to_owned())
}

/// The session cookie's value: the session's id (its public `sid`) and the secret that proves it.
pub fn session_value(session_id: &str, secret: &str) -> String {
    format!("{session_id}.{secret}")
}

/// The session id and secret of the request's session cookie, if it sent a well-formed one.
pub fn read_session(headers: &HeaderMap) -> Option<(String, String)> {
    let value = read(headers, SESSION)?;
    let (id, secret) = value.split_once('.')?;
    (!id.is_empty() && !secret.is_empty()).then(|| (id.to_owned(), secret.to_owned()))
}

/// A `Set-Cookie` value: HttpOnly, Secure on https issuers. On https it is `SameSite=None` so
/// silent authentication in an iframe still sees the session; on plain http (development)
/// browsers refuse `None` without `Secure`, so it is `Lax`.
pub fn set(name: &str, value: &str, path: &str, max_age_seconds: i64, secure: bool) -> String {
    let mut cookie = Cookie::new(name.to_owned(), value.to_owned());
    cookie.set_http_only(true);
    cookie.set_path(path.to_owned());
    cookie.set_secure(secure);
    cookie.set_same_site(if secure {
        SameSite::None
    } else {
        SameSite::Lax
    });
    cookie.set_max_age(cookie::time::Duration::seconds(max_age_seconds));
    cookie.to_string()
}

/// A `Set-Cookie` value that deletes the cookie.
pub fn clear(name: &str, path: &str) -> String {
    format!("{name}=; Path={path}; Max-Age=0; HttpOnly")
}
