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
