//! The server-rendered pages: Jinja templates (`templates/`) parsed once at start, filled with
//! a screen's words in the page's language and the tenant's look, and served under a content
//! security policy of their own that admits only the page's nonce.

mod look;
pub mod page_template;
mod texts;

use std::sync::LazyLock;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use minijinja::{AutoEscape, Environment, Output, State, UndefinedBehavior, Value, context};
use serde::Serialize;

pub use look::Look;
pub use texts::{LanguageWishes, TextSource};

use crate::{markup, random};

/// Every template, by the name pages use.
const TEMPLATE_SOURCES: [(&str, &str); 18] = [
    ("layout.html", include_str!("../../templates/layout.html")),
    ("macros.html", include_str!("../../templates/macros.html")),
    ("error.html", include_str!("../../templates/error.html")),
    ("message.html", include_str!("../../templates/message.html")),
    ("login.html", include_str!("../../templates/login.html")),
    (
        "login_identifier.html",
        include_str!("../../templates/login_identifier.html"),
    ),
    (
        "login_password.html",
        include_str!("../../templates/login_password.html"),
    ),
    (
        "login_email.html",
        include_str!("../../templates/login_email.html"),
    ),
    (
        "login_email_code.html",
        include_str!("../../templates/login_email_code.html"),
    ),
    ("signup.html", include_str!("../../templates/signup.html")),
    (
        "reset_request.html",
        include_str!("../../templates/reset_request.html"),
    ),
    (
        "reset_email_sent.html",
        include_str!("../../templates/reset_email_sent.html"),
    ),
    (
        "reset_password.html",
        include_str!("../../templates/reset_password.html"),
    ),
    ("logout.html", include_str!("../../templates/logout.html")),
    ("consent.html", include_str!("../../templates/consent.html")),
    (
        "form_post.html",
        include_str!("../../templates/form_post.html"),
    ),
    (
        "web_message.html",
        include_str!("../../templates/web_message.html"),
    ),
    (
        "password_policy.html",
        include_str!("../../templates/password_policy.html"),
    ),
];

/// The templates, parsed once. A template that does not parse is missing here and its page
/// answers 503; the page tests render every screen, so none ships.
static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut templates = Environment::new();
    // A missing text or field is an error, not an empty string, so tests catch it.
    templates.set_undefined_behavior(UndefinedBehavior::Strict);
    templates.set_formatter(escape_text);
    for (name, source) in TEMPLATE_SOURCES {
        if let Err(error) = templates.add_template(name, source) {
            tracing::error!(%error, name, "a page template does not parse");
        }
    }
    templates
});

/// Values are escaped as the rest of the package escapes HTML (minijinja's own escaping also
/// turns `/` into `&#x2f;`, which no attribute or text here needs).
fn escape_text(out: &mut Output, state: &State, value: &Value) -> Result<(), minijinja::Error> {
    match value.as_str() {
        Some(text) if state.auto_escape() == AutoEscape::Html && !value.is_safe() => {
            out.write_str(&markup::escape(text))?;
            Ok(())
        }
        _ => minijinja::escape_formatter(out, state, value),
    }
}

/// The pages' one style sheet, served at [`stylesheet_path`].
pub const STYLESHEET: &str = include_str!("../../assets/universal-login.css");

/// The style sheet's path, versioned by its content, so it can be cached for good.
pub fn stylesheet_path() -> &'static str {
    static PATH: LazyLock<String> = LazyLock::new(|| {
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, STYLESHEET.as_bytes());
        let version = URL_SAFE_NO_PAD.encode(&digest.as_ref()[..9]);
        format!("/u/assets/universal-login.css?v={version}")
    });
    &PATH
}

/// A screen: its template and where its words are in the catalogues.
#[derive(Debug, Clone, Copy)]
pub struct Screen {
    pub template: &'static str,
    pub texts: TextSource,
}

const fn screen(template: &'static str, prompt: &'static str, name: &'static str) -> Screen {
    Screen {
        template,
        texts: TextSource {
            prompt,
            screen: name,
        },
    }
}

pub const ERROR: Screen = screen("error.html", "common", "error");
pub const LOGIN: Screen = screen("login.html", "login", "login");
pub const LOGIN_IDENTIFIER: Screen = screen("login_identifier.html", "login-id", "login-id");
pub const LOGIN_PASSWORD: Screen =
    screen("login_password.html", "login-password", "login-password");
pub const LOGIN_EMAIL: Screen = screen(
    "login_email.html",
    "login-passwordless",
    "login-passwordless-email",
);
pub const LOGIN_EMAIL_CODE: Screen = screen(
    "login_email_code.html",
    "login-passwordless",
    "login-passwordless-email-code",
);
pub const SIGNUP: Screen = screen("signup.html", "signup", "signup");
pub const RESET_REQUEST: Screen = screen(
    "reset_request.html",
    "reset-password",
    "reset-password-request",
);
pub const RESET_EMAIL_SENT: Screen = screen(
    "reset_email_sent.html",
    "reset-password",
    "reset-password-email",
);
pub const RESET_PASSWORD: Screen =
    screen("reset_password.html", "reset-password", "reset-password");
pub const RESET_SUCCESS: Screen =
    screen("message.html", "reset-password", "reset-password-success");
pub const RESET_LINK_UNUSABLE: Screen =
    screen("message.html", "reset-password", "reset-password-error");
pub const EMAIL_VERIFIED: Screen = screen(
    "message.html",
    "email-verification",
    "email-verification-result",
);
pub const LOGOUT: Screen = screen("logout.html", "logout", "logout");
pub const CONSENT: Screen = screen("consent.html", "consent", "consent");
pub const UNBLOCKED: Screen = screen("message.html", "common", "unblock");
pub const LOGGED_OUT: Screen = screen("message.html", "logout", "logout-complete");
pub const FORM_POST: Screen = screen("form_post.html", "common", "form-post");
pub const WEB_MESSAGE: Screen = screen("web_message.html", "common", "form-post");

const PASSWORD_POLICY_TEXTS: TextSource = TextSource {
    prompt: "common",
    screen: "password-policy",
};

/// One page to answer with: a screen in a look, its fields, and its status (200 unless set).
#[derive(Debug)]
pub struct Page<'a> {
    look: &'a Look,
    screen: Screen,
    status: StatusCode,
    fields: Value,
    variables: Vec<(&'static str, String)>,
    framed_by: Option<String>,
}

impl<'a> Page<'a> {
    pub fn new(look: &'a Look, screen: Screen) -> Self {
        Self {
            look,
            screen,
            status: StatusCode::OK,
            fields: Value::from(()),
            variables: Vec::new(),
            framed_by: None,
        }
    }

    pub fn status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    /// What the template shows besides its words, e.g. `state`, `csrf`, the typed `username`.
    pub fn fields(mut self, fields: impl Serialize) -> Self {
        self.fields = Value::from_serialize(fields);
        self
    }

    /// A `${name}` its words may use, beyond `clientName` and `companyName`.
    pub fn variable(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.variables.push((name, value.into()));
        self
    }

    /// Lets the page be framed by this origin (`web_message`, run in the application's hidden
    /// iframe). Anything but `scheme://host[:port]` would widen or break the policy, and leaves
    /// the page unframeable.
    pub fn framed_by(mut self, origin: &str) -> Self {
        let is_origin = url::Url::parse(origin).is_ok_and(|url| url.origin().is_tuple())
            && !origin.contains([' ', ';', ',', '\'']);
        self.framed_by = is_origin.then(|| origin.to_owned());
        self
    }

    fn render(&self, nonce: &str) -> Result<String, minijinja::Error> {
        let mut variables: Vec<(&str, &str)> = vec![
            ("clientName", &self.look.client_name),
            ("companyName", &self.look.company_name),
        ];
        variables.extend(
            self.variables
                .iter()
                .map(|(name, value)| (*name, value.as_str())),
        );
        let language = self.look.language;
        let texts = texts::screen_texts(
            language,
            self.screen.texts,
            self.look.custom_text(self.screen.texts.prompt),
            &variables,
        );
        let policy_texts = texts::screen_texts(
            language,
            PASSWORD_POLICY_TEXTS,
            self.look.custom_text(PASSWORD_POLICY_TEXTS.prompt),
            &[],
        );
        TEMPLATES
            .get_template(self.screen.template)?
            .render(context! {
                lang => language,
                t => texts,
                policy_texts => policy_texts,
                look => Value::from_serialize(self.look),
                nonce => nonce,
                stylesheet => stylesheet_path(),
                ..self.fields.clone()
            })
    }
}

impl Page<'_> {
    /// What the tenant's page template may refer to, in Auth0's names.
    fn template_variables(&self) -> liquid::Object {
        let look = self.look;
        liquid::object!({
            "application": { "name": look.client_name },
            "tenant": {
                "friendly_name": look.company_name,
                "support_email": look.support_email.clone().unwrap_or_default(),
                "support_url": look.support_url.clone().unwrap_or_default(),
            },
            "locale": look.language,
            "prompt": {
                "name": self.screen.texts.prompt,
                "screen": { "name": self.screen.texts.screen },
            },
            "branding": {
                "logo_url": look.logo_url.clone().unwrap_or_default(),
                "colors": {
                    "primary": look.primary.clone().unwrap_or_default(),
                    "page_background": look.page_background.clone().unwrap_or_default(),
                },
            },
        })
    }

    /// The page, inside the tenant's page template when it has one.
    fn document(&self, nonce: &str) -> Result<String, minijinja::Error> {
        let page = self.render(nonce)?;
        let wrapped = self.look.page_template.as_deref().and_then(|template| {
            page_template::wrap(template, &page, &self.template_variables(), nonce)
        });
        Ok(wrapped.unwrap_or(page))
    }
}

impl IntoResponse for Page<'_> {
    fn into_response(self) -> Response {
        let nonce = random::token(16);
        let body = match self.document(&nonce) {
            Ok(body) => body,
            Err(error) => {
                tracing::error!(%error, template = self.screen.template, "rendering a page");
                return StatusCode::SERVICE_UNAVAILABLE.into_response();
            }
        };
        let ancestors = self.framed_by.as_deref().unwrap_or("'none'");
        let policy = format!(
            "default-src 'none'; script-src 'nonce-{nonce}'; style-src 'self' 'nonce-{nonce}'; \
             img-src 'self' data: https:; font-src https:; base-uri 'none'; \
             frame-ancestors {ancestors}"
        );
        let mut response = (
            self.status,
            [(header::CACHE_CONTROL, "no-store")],
            Html(body),
        )
            .into_response();
        if let Ok(policy) = HeaderValue::from_str(&policy) {
            response
                .headers_mut()
                .insert(header::CONTENT_SECURITY_POLICY, policy);
        }
        response
    }
}

/// The fields an error page fills in: `reason` names its words (in `common.error`); `error`
/// and `description` are the technical details, in OAuth's terms.
#[derive(Debug, Serialize)]
struct ErrorFields<'a> {
    reason: &'a str,
    error: &'a str,
    description: Option<&'a str>,
}

/// An error page in `look`: what went wrong in the user's words, and the details.
pub fn error_page(
    look: &Look,
    status: StatusCode,
    reason: &str,
    error: &str,
    description: Option<&str>,
) -> Response {
    Page::new(look, ERROR)
        .status(status)
        .fields(ErrorFields {
            reason,
            error,
            description,
        })
        .into_response()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// Each screen with the fields its handlers give it, error states included.
    fn examples() -> Vec<(Screen, serde_json::Value)> {
        let login = json!({
            "state": "t.1", "csrf": "c", "username": "jane@example.com", "error": "wrong-credentials",
            "error_field": null, "reset_url": "/u/reset-password/request?state=t.1",
            "signup_url": "/u/signup?state=t.1", "edit_url": "/u/login/identifier?state=t.1",
            "email_code_url": "/u/login/email?state=t.1",
        });
        let policy = json!([
            { "code": "lengthAtLeast", "count": "8", "total": "0", "example": "", "verified": false, "items": [] },
            { "code": "containsAtLeast", "count": "3", "total": "4", "example": "", "verified": true,
              "items": [{ "code": "lowerCase", "verified": true }, { "code": "upperCase", "verified": false },
                        { "code": "numbers", "verified": true }, { "code": "specialCharacters", "verified": true }] },
            { "code": "identicalChars", "count": "2", "total": "0", "example": "aaa", "verified": true, "items": [] },
        ]);
        let message = json!({ "title": "title", "message": "description" });
        vec![
            (LOGIN, login.clone()),
            (
                LOGIN,
                with(
                    &login,
                    json!({ "error": "no-password", "error_field": "password", "signup_url": null }),
                ),
            ),
            (
                LOGIN_IDENTIFIER,
                with(
                    &login,
                    json!({ "error": "no-username", "error_field": "username" }),
                ),
            ),
            (
                LOGIN_PASSWORD,
                with(
                    &login,
                    json!({ "error": "user-blocked", "error_field": null }),
                ),
            ),
            (
                LOGIN_EMAIL,
                json!({ "state": "t.1", "csrf": "c", "email": "x", "error": "invalid-email-format",
                "error_field": "email", "login_url": "/u/login" }),
            ),
            (
                LOGIN_EMAIL_CODE,
                json!({ "state": "t.1", "csrf": "c", "email": "jane@example.com", "error": "invalid-code",
                "error_field": "code", "edit_url": "/u/login/email" }),
            ),
            (
                LOGIN_EMAIL_CODE,
                json!({ "state": "t.1", "csrf": "c", "email": "jane@example.com", "error": "user-blocked",
                "error_field": null, "edit_url": "/u/login/email" }),
            ),
            (
                SIGNUP,
                json!({ "state": "t.1", "csrf": "c", "email": "x", "error": "invalid-email-format",
                "error_field": "email", "disabled": false, "policy": policy, "min_length": 8, "login_url": "/u/login" }),
            ),
            (
                SIGNUP,
                json!({ "state": "t.1", "csrf": "c", "email": "", "error": "password-too-weak",
                "error_field": "password", "disabled": false, "policy": policy, "min_length": 8, "login_url": "/u/login" }),
            ),
            (
                SIGNUP,
                json!({ "state": "t.1", "csrf": "c", "email": "", "error": "signup-disabled",
                "error_field": null, "disabled": true, "policy": [], "min_length": 1, "login_url": "/u/login" }),
            ),
            (
                RESET_REQUEST,
                json!({ "state": "t.1", "csrf": "c", "email": "x", "error": "invalid-email-format",
                "error_field": "email", "login_url": "/u/login" }),
            ),
            (RESET_EMAIL_SENT, json!({ "login_url": "/u/login" })),
            (
                RESET_PASSWORD,
                json!({ "ticket": "t.s", "error": "passwords-mismatch", "error_field": "confirm",
                "policy": policy, "min_length": 8 }),
            ),
            (
                RESET_PASSWORD,
                json!({ "ticket": "t.s", "error": "password-previously-used", "error_field": "password",
                "policy": policy, "min_length": 8 }),
            ),
            (RESET_SUCCESS, message.clone()),
            (RESET_LINK_UNUSABLE, message.clone()),
            (
                EMAIL_VERIFIED,
                json!({ "title": "verifiedTitle", "message": "verifiedDescription" }),
            ),
            (
                EMAIL_VERIFIED,
                json!({ "title": "errorTitle", "message": "errorDescription" }),
            ),
            (
                LOGOUT,
                json!({ "hidden": [["client_id", "abc"], ["confirm", "x"]] }),
            ),
            (LOGGED_OUT, message.clone()),
            (UNBLOCKED, message),
            (
                CONSENT,
                json!({ "state": "t.1", "csrf": "c", "scopes": [
                    { "name": "openid", "description": null },
                    { "name": "read:things", "description": "Read your things" },
                    { "name": "write:things", "description": null },
                ] }),
            ),
            (
                UNBLOCKED,
                json!({ "title": "errorTitle", "message": "errorDescription" }),
            ),
            (
                ERROR,
                json!({ "reason": "expired", "error": "invalid_request", "description": null }),
            ),
            (
                ERROR,
                json!({ "reason": "description", "error": "invalid_request", "description": "Unknown client." }),
            ),
            (
                FORM_POST,
                json!({ "redirect_uri": "https://app.example/cb", "hidden": [["code", "abc"]] }),
            ),
            (
                WEB_MESSAGE,
                json!({ "message": { "type": "authorization_response", "response": { "state": "</script>" } },
                "origin": "https://app.example" }),
            ),
        ]
    }

    /// `base` with `changes` laid over it.
    fn with(base: &serde_json::Value, changes: serde_json::Value) -> serde_json::Value {
        let mut merged = base.clone();
        if let (Some(merged), serde_json::Value::Object(changes)) =
            (merged.as_object_mut(), changes)
        {
            merged.extend(changes);
        }
        merged
    }

    fn branded(language: &'static str) -> Look {
        Look {
            language,
            company_name: "Acme".into(),
            client_name: "Shop".into(),
            logo_url: Some("https://cdn.example.com/logo.png".into()),
            primary: Some("#0059d6".into()),
            on_primary: Some("#ffffff".into()),
            page_background: Some("#102030".into()),
            font_url: Some("https://cdn.example.com/brand.woff2".into()),
            support_email: Some("help@example.com".into()),
            ..Look::default()
        }
    }

    #[test]
    fn every_screen_renders_in_every_language_and_look() {
        for language in texts::LANGUAGES {
            let plain = Look {
                language,
                ..Look::default()
            };
            for look in [plain, branded(language)] {
                for (screen, fields) in examples() {
                    let page = Page::new(&look, screen)
                        .fields(&fields)
                        .variable("email", "jane@example.com");
                    let html = page.render("n0nce").unwrap_or_else(|error| {
                        panic!("{}/{language}: {error:#}", screen.template)
                    });
                    assert!(
                        html.contains(&format!("<html lang=\"{language}\">")),
                        "{html}"
                    );
                    assert!(
                        !html.contains("${"),
                        "{}: an unfilled variable:\n{html}",
                        screen.template
                    );
                }
            }
        }
    }

    #[test]
    fn errors_are_tied_to_their_fields() {
        let look = Look::default();
        let (_, fields) = examples().remove(2);
        let html = Page::new(&look, LOGIN_IDENTIFIER)
            .fields(&fields)
            .render("n")
            .unwrap_or_default();
        assert!(
            html.contains(r#"aria-invalid="true" aria-describedby="username-error""#),
            "{html}"
        );
        assert!(
            html.contains(r#"id="username-error">Enter your email address or username."#),
            "{html}"
        );
    }

    #[test]
    fn the_web_message_payload_cannot_end_its_script() {
        let look = Look::default();
        let fields = examples()
            .pop()
            .map(|(_, fields)| fields)
            .unwrap_or_default();
        let html = Page::new(&look, WEB_MESSAGE)
            .fields(&fields)
            .render("n")
            .unwrap_or_default();
        assert!(html.contains("postMessage("), "{html}");
        assert!(!html.contains("</script>\""), "{html}");
    }

    #[test]
    fn only_an_origin_may_frame_a_page() {
        let look = Look::default();
        let framed = |origin: &str| Page::new(&look, WEB_MESSAGE).framed_by(origin).framed_by;
        assert_eq!(
            framed("https://app.example:8443").as_deref(),
            Some("https://app.example:8443")
        );
        assert_eq!(framed("https://a.example 'unsafe-inline'"), None);
        assert_eq!(framed("data:text/html,x"), None);
    }
}
