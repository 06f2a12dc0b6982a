//! The checks of an `/authorize` request that need nothing but the query string and the client:
//! parameters, `redirect_uri`, response type and mode, PKCE, `prompt` and the client's grant
//! types. No I/O, so `GET /authorize` runs them around its client look-up and its benchmark can
//! measure them alone.

use authhero_core::entities::{AuthorizationParams, Client, TokenEndpointAuthMethod};

use super::Params;
use super::grant_types;

/// An `/authorize` query string that parsed (each parameter at most once) and names a client,
/// not yet checked against that client.
#[derive(Debug)]
pub struct AuthorizeQuery(Params);

/// A request its client may make, with where its responses go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizeRequest {
    pub params: AuthorizationParams,
    pub mode: ResponseMode,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseMode {
    Query,
    Fragment,
    FormPost,
    WebMessage,
}

/// Why a request is refused, which decides where the refusal is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// An `invalid_request` error page: the `redirect_uri` is not yet known to be the client's,
    /// so nothing may be sent to it.
    Page(String),
    /// An OAuth error for the client's `redirect_uri`, in the request's response mode.
    Redirect {
        params: Box<AuthorizationParams>,
        mode: ResponseMode,
        error: &'static str,
        description: String,
    },
}

impl AuthorizeQuery {
    pub fn parse(query: &str) -> Result<Self, Refusal> {
        let params = Params::from_urlencoded(query.as_bytes())
            .map_err(|error| Refusal::Page(error.description))?;
        if params.get("client_id").is_none() {
            return Err(Refusal::Page(
                "Missing required parameter: client_id".into(),
            ));
        }
        Ok(Self(params))
    }

    pub fn client_id(&self) -> &str {
        self.0.get("client_id").unwrap_or_default()
    }

    /// Checks the request against the client it names (which the caller has looked up).
    pub fn validate(&self, client: &Client) -> Result<AuthorizeRequest, Refusal> {
        let redirect_uri = self
            .0
            .get("redirect_uri")
            .ok_or_else(|| Refusal::Page("Missing required parameter: redirect_uri".into()))?;
        if !client
            .callbacks
            .iter()
            .any(|callback| callback == redirect_uri)
        {
            return Err(Refusal::Page(format!(
                "Callback URL mismatch. {redirect_uri} is not in the list of allowed callback URLs."
            )));
        }
        let params = authorization_params(&self.0);
        let response_type = ResponseType::parse(params.response_type.as_deref());
        let mode = response_mode(&params, response_type.as_ref());
        let refuse = |params: AuthorizationParams, error, description: String| Refusal::Redirect {
            params: Box::new(params),
            mode,
            error,
            description,
        };
        let Some(response_type) = response_type else {
            return Err(refuse(
                params,
                "unsupported_response_type",
                "response_type must be code, token, id_token or a combination".into(),
            ));
        };
        if let Err((error, description)) = check_request(&params, &response_type, client, mode) {
            return Err(refuse(params, error, description.into()));
        }
        let flow = if response_type.is_code_only() {
            "authorization_code"
        } else {
            "implicit"
        };
        if !grant_types::allows(client, flow) {
            return Err(refuse(
                params,
                "unauthorized_client",
                grant_types::refusal(flow),
            ));
        }
        Ok(AuthorizeRequest { params, mode })
    }
}

fn authorization_params(params: &Params) -> AuthorizationParams {
    let text = |name: &str| params.get(name).map(str::to_owned);
    AuthorizationParams {
        client_id: params.get("client_id").unwrap_or_default().to_owned(),
        redirect_uri: text("redirect_uri"),
        response_type: text("response_type"),
        response_mode: text("response_mode"),
        scope: text("scope"),
        audience: text("audience"),
        state: text("state"),
        nonce: text("nonce"),
        code_challenge: text("code_challenge"),
        code_challenge_method: text("code_challenge_method"),
        prompt: text("prompt"),
        max_age: params.get("max_age").and_then(|value| value.parse().ok()),
        login_hint: text("login_hint"),
        screen_hint: text("screen_hint"),
        connection: text("connection"),
        organization: text("organization"),
        ui_locales: text("ui_locales"),
    }
}

/// The parts of `response_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ResponseType {
    pub(crate) code: bool,
    pub(crate) token: bool,
    pub(crate) id_token: bool,
}

impl ResponseType {
    pub(crate) fn parse(text: Option<&str>) -> Option<ResponseType> {
        let mut parsed = ResponseType {
            code: false,
            token: false,
            id_token: false,
        };
        for part in text?.split(' ') {
            let flag = match part {
                "code" => &mut parsed.code,
                "token" => &mut parsed.token,
                "id_token" => &mut parsed.id_token,
                _ => return None,
            };
            if *flag {
                return None;
            }
            *flag = true;
        }
        Some(parsed)
    }

    fn is_code_only(&self) -> bool {
        self.code && !self.token && !self.id_token
    }
}

/// The response mode a stored request asked for, or its response type's default.
pub(crate) fn mode_for(params: &AuthorizationParams) -> ResponseMode {
    response_mode(
        params,
        ResponseType::parse(params.response_type.as_deref()).as_ref(),
    )
}

pub(crate) fn response_mode(
    params: &AuthorizationParams,
    response_type: Option<&ResponseType>,
) -> ResponseMode {
    match params.response_mode.as_deref() {
        Some("form_post") => ResponseMode::FormPost,
        Some("web_message") => ResponseMode::WebMessage,
        Some("fragment") => ResponseMode::Fragment,
        Some("query") => ResponseMode::Query,
        _ if response_type.is_some_and(ResponseType::is_code_only) || response_type.is_none() => {
            ResponseMode::Query
        }
        _ => ResponseMode::Fragment,
    }
}

/// The rules a valid request keeps, as (error, description) when broken.
fn check_request(
    params: &AuthorizationParams,
    response_type: &ResponseType,
    client: &Client,
    mode: ResponseMode,
) -> Result<(), (&'static str, &'static str)> {
    if let Some(unknown) = params.response_mode.as_deref()
        && !matches!(unknown, "query" | "fragment" | "form_post" | "web_message")
    {
        return Err((
            "invalid_request",
            "response_mode must be query, fragment, form_post or web_message",
        ));
    }
    if mode == ResponseMode::Query && !response_type.is_code_only() {
        return Err((
            "invalid_request",
            "Tokens cannot be returned in the query string",
        ));
    }
    if response_type.id_token && params.nonce.is_none() {
        return Err((
            "invalid_request",
            "nonce is required when response_type includes id_token",
        ));
    }
    if let Some(method) = params.code_challenge_method.as_deref() {
        if !matches!(method, "S256" | "plain") {
            return Err((
                "invalid_request",
                "code_challenge_method must be S256 or plain",
            ));
        }
        if params.code_challenge.is_none() {
            return Err((
                "invalid_request",
                "code_challenge_method without code_challenge",
            ));
        }
    }
    if let Some(challenge) = params.code_challenge.as_deref()
        && (challenge.len() < 43 || challenge.len() > 128)
    {
        return Err((
            "invalid_request",
            "code_challenge must be 43 to 128 characters",
        ));
    }
    let public = client.token_endpoint_auth_method == Some(TokenEndpointAuthMethod::None);
    if public && response_type.code && params.code_challenge.is_none() {
        return Err((
            "invalid_request",
            "Public clients must use PKCE (code_challenge)",
        ));
    }
    if let Some(prompt) = params.prompt.as_deref() {
        let prompts: Vec<&str> = prompt.split(' ').collect();
        if prompts
            .iter()
            .any(|value| !matches!(*value, "none" | "login" | "consent" | "select_account"))
        {
            return Err((
                "invalid_request",
                "prompt must be none, login, consent or select_account",
            ));
        }
        if prompts.contains(&"none") && prompts.len() > 1 {
            return Err((
                "invalid_request",
                "prompt=none cannot be combined with other values",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use authhero_core::Timestamp;

    use super::*;

    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    fn spa() -> Client {
        let mut client = Client::new("spa", "SPA", Timestamp::now());
        client.callbacks = vec!["https://app.example.com/callback".into()];
        client.token_endpoint_auth_method = Some(TokenEndpointAuthMethod::None);
        client
    }

    fn validate(query: &str) -> Result<AuthorizeRequest, Refusal> {
        AuthorizeQuery::parse(query)?.validate(&spa())
    }

    #[test]
    fn accepts_code_with_pkce() {
        let request = validate(&format!(
            "client_id=spa&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback\
             &response_type=code&code_challenge={CHALLENGE}&code_challenge_method=S256&state=s"
        ))
        .unwrap();
        assert_eq!(request.mode, ResponseMode::Query);
        assert_eq!(request.params.state.as_deref(), Some("s"));
    }

    #[test]
    fn refuses_on_a_page_until_the_redirect_uri_is_the_clients() {
        assert!(matches!(
            AuthorizeQuery::parse("redirect_uri=x"),
            Err(Refusal::Page(_))
        ));
        assert!(matches!(
            validate("client_id=spa&redirect_uri=https%3A%2F%2Fevil.example%2F&response_type=code"),
            Err(Refusal::Page(description)) if description.starts_with("Callback URL mismatch.")
        ));
    }

    #[test]
    fn refuses_to_the_client_once_the_redirect_uri_is_known() {
        let refusal = validate(
            "client_id=spa&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback&response_type=code",
        )
        .unwrap_err();
        assert!(matches!(
            refusal,
            Refusal::Redirect { mode: ResponseMode::Query, error: "invalid_request", description, .. }
                if description == "Public clients must use PKCE (code_challenge)"
        ));
    }
}
