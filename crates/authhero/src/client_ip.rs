//! The caller's IP address, which brute-force protection counts failures by: the TCP peer the
//! serve loop records, never a forwarded header, which any client can forge.

use std::convert::Infallible;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;

/// What requests without a peer address (in-process calls of the router) count under.
pub const UNKNOWN: &str = "unknown";

/// The peer's IP, IPv4-mapped IPv6 addresses written as IPv4, so one client is one key. An IPv6
/// peer counts as its /64: one subscriber is given a whole /64, and counting each of its 2^64
/// addresses apart would let it guess without end.
#[derive(Debug, Clone)]
pub struct ClientIp(pub String);

/// The user's IP a backend names in Auth0's `auth0-forwarded-for` header, if it is an address.
/// Only a client trusted for it may use it, which the token flow decides.
pub fn forwarded(headers: &HeaderMap) -> Option<String> {
    let value = headers.get("auth0-forwarded-for")?.to_str().ok()?;
    let ip: IpAddr = value.trim().parse().ok()?;
    Some(counted_as(ip))
}

/// The key an address counts under.
fn counted_as(ip: IpAddr) -> String {
    match ip.to_canonical() {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let [a, b, c, d, ..] = v6.segments();
            format!("{}/64", Ipv6Addr::new(a, b, c, d, 0, 0, 0, 0))
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Infallible> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(peer)| counted_as(peer.ip()))
            .unwrap_or_else(|| UNKNOWN.to_owned());
        Ok(ClientIp(ip))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_peers_count_by_their_64() {
        let ip = |text: &str| counted_as(text.parse().unwrap());
        assert_eq!(ip("203.0.113.7"), "203.0.113.7");
        assert_eq!(ip("::ffff:203.0.113.7"), "203.0.113.7");
        assert_eq!(ip("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
        assert_eq!(ip("2001:db8:1:2:ffff::1"), ip("2001:db8:1:2::9"));
        assert_ne!(ip("2001:db8:1:2::1"), ip("2001:db8:1:3::1"));
    }
}
