//! `POST /oauth/token`: reads the client's credentials and the grant's parameters, runs the
//! grant, and answers as RFC 6749 asks (never cached; a failed Basic authentication is told the
//! scheme).

use axum::Json;
use axum::extract::State;
use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};

use super::client_auth;
use crate::client_ip::{self, ClientIp};
use crate::error::{NO_STORE, OAuthError};
use crate::flows::{Params, grants};
use crate::state::{AppState, Issuer};

pub async fn token(
    State(state): State<AppState>,
    issuer: Issuer,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    params: Params,
) -> Response {
    let answer = match client_auth::credentials(&headers, &params) {
        Ok(credentials) => {
            let forwarded = client_ip::forwarded(&headers);
            let origin = grants::Origin {
                peer: &ip,
                forwarded: forwarded.as_deref(),
            };
            grants::grant(&state, &issuer, credentials, &params, origin)
                .await
                .map_err(OAuthError::from)
        }
        Err(error) => Err(error),
    };
    match answer {
        Ok(answer) => (NO_STORE, Json(answer)).into_response(),
        Err(error) => {
            // RFC 6749 §5.2: a client that failed `client_secret_basic` is told the scheme.
            let challenge = error.error == "invalid_client" && headers.contains_key(AUTHORIZATION);
            let mut response = error.into_response();
            if challenge {
                response.headers_mut().insert(
                    WWW_AUTHENTICATE,
                    HeaderValue::from_static("Basic realm=\"oauth\", charset=\"UTF-8\""),
                );
            }
            response
        }
    }
}
