//! Resolving whom a request addresses from its host: a ready custom domain is its tenant's
//! issuer; any other host is the configured issuer.

use authhero_core::entities::CustomDomainStatus;
use axum::extract::FromRequestParts;
use axum::http::header::HOST;
use axum::http::request::Parts;

use crate::error::OAuthError;
use crate::state::{AppState, Issuer};

/// The host a request names: the URI's authority, else the `Host` header without its port.
#[derive(Debug, Clone)]
pub struct RequestHost(pub String);

impl<S: Send + Sync> FromRequestParts<S> for RequestHost {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let host = parts
            .uri
            .host()
            .map(str::to_owned)
            .or_else(|| {
                let value = parts.headers.get(HOST)?.to_str().ok()?;
                // `host:port`; a bracketed IPv6 literal never names a custom domain.
                Some(
                    value
                        .rsplit_once(':')
                        .map_or(value, |(host, _)| host)
                        .to_owned(),
                )
            })
            .unwrap_or_default();
        Ok(Self(host))
    }
}

impl FromRequestParts<AppState> for Issuer {
    type Rejection = OAuthError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, OAuthError> {
        let Ok(RequestHost(host)) = RequestHost::from_request_parts(parts, state).await;
        if !host.is_empty()
            && let Some((tenant_id, domain)) =
                state.adapters.custom_domains.find_by_domain(&host).await?
            && domain.status == CustomDomainStatus::Ready
        {
            return Ok(Issuer {
                url: format!("https://{}/", domain.domain.to_lowercase()),
                tenant_id: Some(tenant_id),
            });
        }
        Ok(Issuer {
            url: state.issuer.clone(),
            tenant_id: None,
        })
    }
}
