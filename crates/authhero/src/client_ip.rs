//! The caller's IP address, which brute-force protection counts failures by: the TCP peer the
//! serve loop records, never a forwarded header, which any client can forge.

use std::convert::Infallible;
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

/// What requests without a peer address (in-process calls of the router) count under.
pub const UNKNOWN: &str = "unknown";

/// The peer's IP, IPv4-mapped IPv6 addresses written as IPv4, so one client is one key.
#[derive(Debug, Clone)]
pub struct ClientIp(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Infallible> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(peer)| peer.ip().to_canonical().to_string())
            .unwrap_or_else(|| UNKNOWN.to_owned());
        Ok(ClientIp(ip))
    }
}
