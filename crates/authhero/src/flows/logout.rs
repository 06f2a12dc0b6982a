//! Logout's rules: whose logout a request is (a client's, or its tenant's when it names no
//! client), where the browser may be sent afterwards (only to a URL that client or tenant
//! lists), and when the user must confirm first.

use authhero_core::ListParams;

use super::FlowError;
use super::sessions::cookie_session;
use crate::random::constant_time_eq;
use crate::secrets;
use crate::state::{AppState, Issuer};
use crate::tokens;

/// A logout: the tenant whose session ends and the URLs the browser may go to afterwards.
#[derive(Debug)]
pub struct Logout {
    pub tenant_id: String,
    allowed: Vec<String>,
    /// A client was named; without one, the tenant's list applies.
    for_client: bool,
}

/// The logout of `client_id`, or, without one, of the request's tenant (the custom domain's,
/// else the only tenant). An unknown client, or one this issuer does not serve, is refused.
pub async fn of(
    state: &AppState,
    issuer: &Issuer,
    client_id: Option<&str>,
) -> Result<Logout, FlowError> {
    let unknown = || FlowError::invalid_request("Unknown client.");
    if let Some(client_id) = client_id {
        let (tenant_id, client) = state
            .adapters
            .clients
            .find_by_client_id(client_id)
            .await?
            .ok_or_else(unknown)?;
        if !issuer.admits(&tenant_id) {
            return Err(unknown());
        }
        return Ok(Logout {
            tenant_id,
            allowed: client.allowed_logout_urls,
            for_client: true,
        });
    }
    let tenant = tenant_of_request(state, issuer)
        .await?
        .ok_or_else(|| FlowError::invalid_request("client_id is required."))?;
    Ok(Logout {
        tenant_id: tenant.id,
        allowed: tenant.allowed_logout_urls,
        for_client: false,
    })
}

async fn tenant_of_request(
    state: &AppState,
    issuer: &Issuer,
) -> authhero_core::Result<Option<authhero_core::entities::Tenant>> {
    if let Some(tenant_id) = &issuer.tenant_id {
        return state.adapters.tenants.get(tenant_id).await;
    }
    let page = state
        .adapters
        .tenants
        .list(&ListParams::page(0, 2)?)
        .await?;
    Ok((page.items.len() == 1)
        .then(|| page.items.into_iter().next())
        .flatten())
}

impl Logout {
    fn allows(&self, url: &str) -> bool {
        self.allowed.iter().any(|allowed| allowed == url)
    }

    /// Where `/v2/logout` sends the browser: `returnTo` if it is listed; with none, a client's
    /// first listed URL, as Auth0 does; None for the logged-out page.
    pub fn v2_destination(&self, return_to: Option<&str>) -> Result<Option<String>, FlowError> {
        match return_to {
            Some(url) if self.allows(url) => Ok(Some(url.to_owned())),
            Some(url) => Err(FlowError::invalid_request(format!(
                "The returnTo URL {url} is not in the list of allowed logout URLs."
            ))),
            None if self.for_client => Ok(self.allowed.first().cloned()),
            None => Ok(None),
        }
    }

    /// Where `/oidc/logout` sends the browser: `post_logout_redirect_uri` if it is listed, with
    /// the client's `state` added (RP-Initiated Logout 1.0 §3); None for the logged-out page.
    pub fn oidc_destination(
        &self,
        redirect: Option<&str>,
        state: Option<&str>,
    ) -> Result<Option<String>, FlowError> {
        let Some(url) = redirect else {
            return Ok(None);
        };
        if !self.allows(url) {
            return Err(FlowError::invalid_request(format!(
                "{url} is not in the list of allowed logout URLs."
            )));
        }
        let mut target = url::Url::parse(url)
            .map(|url| url.to_string())
            .unwrap_or_else(|_| url.to_owned());
        if let Some(state) = state {
            let encoded: String = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("state", state)
                .finish();
            target.push(if target.contains('?') { '&' } else { '?' });
            target.push_str(&encoded);
        }
        Ok(Some(target))
    }
}

/// What an `id_token_hint` this server signed names: its client (`aud`) and session (`sid`).
/// An expired hint still names them; one that does not verify is refused.
pub async fn hint(
    state: &AppState,
    issuer: &Issuer,
    id_token_hint: &str,
) -> Result<(Option<String>, Option<String>), FlowError> {
    let claims = tokens::verify_ignoring_expiry(state, &issuer.url, id_token_hint)
        .await
        .map_err(|_| FlowError::invalid_request("The id_token_hint is not valid."))?;
    let claim = |name: &str| {
        claims
            .get(name)
            .and_then(|value| value.as_str())
            .map(str::to_owned)
    };
    Ok((claim("aud"), claim("sid")))
}

/// Whether the user must confirm the logout, and with what value: unless the request proves it
/// comes from the session's own application (an `id_token_hint` of this very session), any
/// site could send the browser here (RP-Initiated Logout 1.0 §2). No session to end, or the
/// session's confirmation given, needs none. A hint of another session, such as an attacker's
/// own ID token, proves nothing. The value derives from the cookie's secret, so a page
/// elsewhere cannot compute it.
pub async fn confirmation_needed(
    state: &AppState,
    tenant_id: &str,
    cookie: Option<(String, String)>,
    hinted_session: Option<&str>,
    given: Option<&str>,
) -> Option<String> {
    let secret = cookie.as_ref()?.1.clone();
    let session = cookie_session(state, tenant_id, cookie).await?;
    if hinted_session == Some(session.id.as_str()) {
        return None;
    }
    let expected = secrets::digest(&format!("logout:{secret}"));
    if given.is_some_and(|given| constant_time_eq(given, &expected)) {
        return None;
    }
    Some(expected)
}
