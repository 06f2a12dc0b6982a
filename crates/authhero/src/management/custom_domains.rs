//! `/api/v2/custom-domains`: the host names a tenant is served on. A new domain waits for
//! verification (`pending_verification`) and serves nothing until `verify` finds it answering
//! through this server (`ready`); names are unique across tenants, so one host never names two
//! tenants.

use async_trait::async_trait;
use authhero_core::DataAdapters;
use authhero_core::entities::CustomDomain;
use authhero_core::ports::Repository;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Map, Value};

use super::auth::Caller;
use super::fields::{Field, field};
use super::openapi;
use super::registry::{Body, Endpoint, Reply, endpoint};
use super::resource::{self, Resource, find, shown};
use crate::error::ApiError;
use crate::flows::custom_domains;
use crate::random;
use crate::state::AppState;

const MAX_DOMAIN_CHARS: usize = 253;

pub fn endpoints() -> Vec<Endpoint> {
    let mut endpoints = resource::crud::<CustomDomain>();
    endpoints.push(
        endpoint!(Post "/custom-domains/{id}/verify", "create:custom_domains",
            "Verify a custom domain", verify,
            Body::None => Reply::Ok(openapi::one::<CustomDomain>)),
    );
    endpoints
}

/// `POST /api/v2/custom-domains/{id}/verify`: 200 with the domain, `ready` once it answered
/// on its well-known path through this server, else still `pending_verification`.
async fn verify(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let tenant = caller.tenant();
    let domain = find::<CustomDomain>(&state, tenant, &id).await?;
    let domain = custom_domains::verify(&state, tenant, domain).await?;
    Ok(Json(shown(domain, &caller)?))
}

#[async_trait]
impl Resource for CustomDomain {
    const PATH: &'static str = "/custom-domains";
    const COLLECTION: &'static str = "custom_domains";
    const MISSING_CODE: &'static str = "inexistent_custom_domain";
    const FILTERS: &'static [&'static str] = &[];
    const ID_FIELD: &'static str = "custom_domain_id";
    const HIDDEN: &'static [&'static str] = &["created_at", "updated_at", "verification_token"];
    const FIELDS: &'static [Field] = &[
        field("domain").required().fixed(),
        field("type").required().fixed(),
        field("custom_client_ip_header"),
        field("tls_policy"),
    ];

    fn repository(adapters: &DataAdapters) -> &dyn Repository<Self> {
        adapters.custom_domains.as_ref()
    }

    fn new_id() -> String {
        random::id("cd")
    }

    /// A new domain is not verified yet, and not the primary one.
    fn complete(body: &mut Map<String, Value>) {
        body.insert(
            "status".into(),
            Value::String("pending_verification".into()),
        );
        body.insert("primary".into(), Value::Bool(false));
        if let Some(Value::String(domain)) = body.get_mut("domain") {
            *domain = domain.to_ascii_lowercase();
        }
    }

    /// A host name: dot-separated labels of letters, digits and inner hyphens.
    fn check(&self) -> Result<(), ApiError> {
        let labels_ok = self.domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
        // A name whose last label is all digits is an IP address, not a domain (RFC 1123).
        let named = self
            .domain
            .rsplit('.')
            .next()
            .is_some_and(|top| top.chars().any(|c| c.is_ascii_alphabetic()));
        if labels_ok && named && self.domain.contains('.') && self.domain.len() <= MAX_DOMAIN_CHARS
        {
            return Ok(());
        }
        Err(ApiError::bad_request(format!(
            "Payload validation error: 'Object didn't pass validation for format hostname: {}' on property domain.",
            self.domain
        )))
    }

    /// A host another tenant (or this one) already has is taken, and the server's own host and
    /// the names under it are never a tenant's: they reach this server without any DNS of the
    /// tenant's, so verifying them would prove nothing and hand the tenant every request.
    async fn admit(
        &self,
        state: &AppState,
        _tenant: &str,
        stored: Option<&Self>,
    ) -> Result<(), ApiError> {
        if stored.is_some() {
            return Ok(());
        }
        let own_host = url::Url::parse(&state.issuer)
            .ok()
            .and_then(|issuer| issuer.host_str().map(str::to_ascii_lowercase));
        if let Some(own_host) = own_host
            && (self.domain == own_host || self.domain.ends_with(&format!(".{own_host}")))
        {
            return Err(ApiError::bad_request(
                "The custom domain cannot be this server's own host, nor a name under it.",
            )
            .with_code("invalid_domain"));
        }
        match state
            .adapters
            .custom_domains
            .find_by_domain(&self.domain)
            .await?
        {
            Some(_) => Err(ApiError::new(
                StatusCode::CONFLICT,
                "The custom domain already exists.",
            )
            .with_code("custom_domain_conflict")),
            None => Ok(()),
        }
    }
}
