//! Verifying a custom domain: the domain is verified when it reaches this server. Each domain
//! gets a random token, served at `/.well-known/authhero/custom-domains/{id}` to requests whose
//! host is that domain; verification fetches that path from the domain, through the
//! [`DomainProbe`](crate::domain_probe::DomainProbe), and compares.

use authhero_core::Result;
use authhero_core::entities::{CustomDomain, CustomDomainStatus};

use crate::random;
use crate::state::AppState;

/// Where a domain shows its verification token; the domain's id follows.
pub const WELL_KNOWN_PATH: &str = "/.well-known/authhero/custom-domains/";

/// The domain after a verification attempt: `ready` when it answered with its token, else
/// as it was (`pending_verification`). A domain no longer pending is left as it is.
pub async fn verify(
    state: &AppState,
    tenant_id: &str,
    mut domain: CustomDomain,
) -> Result<CustomDomain> {
    if domain.status != CustomDomainStatus::PendingVerification {
        return Ok(domain);
    }
    let token = match &domain.verification_token {
        Some(token) => token.clone(),
        None => {
            // Stored before the probe, as the probe's request is answered from the store.
            let token = random::token(24);
            domain.verification_token = Some(token.clone());
            domain.updated_at = state.now();
            domain = state
                .adapters
                .custom_domains
                .update(tenant_id, domain)
                .await?;
            token
        }
    };
    let Some(probe) = &state.domain_probe else {
        return Ok(domain);
    };
    let answer = probe.fetch(&probe_url(&state.issuer, &domain)).await;
    if !answer.is_some_and(|answer| random::constant_time_eq(answer.trim(), &token)) {
        return Ok(domain);
    }
    domain.status = CustomDomainStatus::Ready;
    domain.updated_at = state.now();
    state
        .adapters
        .custom_domains
        .update(tenant_id, domain)
        .await
}

/// The token a request to `host` for domain `custom_domain_id` is shown, if that is the
/// domain's host and it has one.
pub async fn token_for(
    state: &AppState,
    host: &str,
    custom_domain_id: &str,
) -> Result<Option<String>> {
    let found = state.adapters.custom_domains.find_by_domain(host).await?;
    Ok(found
        .map(|(_, domain)| domain)
        .filter(|domain| domain.custom_domain_id == custom_domain_id)
        .and_then(|domain| domain.verification_token))
}

/// The URL verification fetches: the domain on the configured issuer's scheme, and on its port
/// when the issuer names one (a development server on plain http).
fn probe_url(issuer: &str, domain: &CustomDomain) -> String {
    let (scheme, port) = match url::Url::parse(issuer) {
        Ok(url) => (url.scheme().to_owned(), url.port()),
        Err(_) => ("https".to_owned(), None),
    };
    let port = port.map(|port| format!(":{port}")).unwrap_or_default();
    format!(
        "{scheme}://{}{port}{WELL_KNOWN_PATH}{}",
        domain.domain, domain.custom_domain_id
    )
}

#[cfg(test)]
mod tests {
    use authhero_core::Timestamp;
    use authhero_core::entities::CustomDomainType;

    use super::*;

    fn domain() -> CustomDomain {
        CustomDomain {
            custom_domain_id: "cd_1".into(),
            domain: "login.example.com".into(),
            primary: false,
            status: CustomDomainStatus::PendingVerification,
            kind: CustomDomainType::SelfManagedCerts,
            custom_client_ip_header: None,
            tls_policy: None,
            verification_token: None,
            created_at: Timestamp::now(),
            updated_at: Timestamp::now(),
        }
    }

    #[test]
    fn the_probe_follows_the_issuers_scheme_and_port() {
        assert_eq!(
            probe_url("https://auth.example.org/", &domain()),
            "https://login.example.com/.well-known/authhero/custom-domains/cd_1"
        );
        assert_eq!(
            probe_url("http://127.0.0.1:3000/", &domain()),
            "http://login.example.com:3000/.well-known/authhero/custom-domains/cd_1"
        );
    }
}
