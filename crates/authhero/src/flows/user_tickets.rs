//! The single-use links sent to or made for a user (password reset, email verification): a
//! ticket `<tenant>.<secret>` whose secret, 192 random bits, is stored only as its digest, as
//! the id of a code of the link's type; the page that honours it consumes the code atomically.

use authhero_core::entities::{Code, CodeType, EmailTemplate, Metadata, User};
use serde_json::Value;

use crate::secrets;
use crate::state::AppState;

/// A kind of link: the type of its code and the page (a path under the issuer) that honours it.
#[derive(Debug, Clone, Copy)]
pub struct Kind {
    pub code_type: CodeType,
    pub page: &'static str,
}

/// The longest a ticket may live: thirty days.
pub const MAX_LIFETIME: i64 = 2_592_000;

pub const PASSWORD_RESET: Kind = Kind {
    code_type: CodeType::PasswordReset,
    page: "u/reset-password",
};

pub const EMAIL_VERIFICATION: Kind = Kind {
    code_type: CodeType::EmailVerification,
    page: "u/email-verification",
};

pub const UNBLOCK: Kind = Kind {
    code_type: CodeType::UnblockAccount,
    page: "u/unblock",
};

/// What a ticket's creator asked of it besides its user: where the user goes once it is used
/// (`result_url`), whether that address carries the user's email (`includeEmailInRedirect`),
/// and, for a reset, whether the email counts as verified after it (`mark_email_as_verified`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    pub result_url: Option<String>,
    pub include_email: bool,
    pub mark_email_verified: bool,
}

/// Where the flags of [`Options`] are kept in a ticket's code (its `custom_claims`, which a
/// ticket has no other use for).
const INCLUDE_EMAIL: &str = "include_email_in_redirect";
const MARK_EMAIL_VERIFIED: &str = "mark_email_as_verified";

impl Options {
    /// The options a ticket's code was issued with.
    pub fn of(code: &Code) -> Self {
        let flag = |name: &str| code.custom_claims.get(name) == Some(&Value::Bool(true));
        Self {
            result_url: code.redirect_uri.clone(),
            include_email: flag(INCLUDE_EMAIL),
            mark_email_verified: flag(MARK_EMAIL_VERIFIED),
        }
    }

    /// What a tenant's email template asks of the link it carries (`resultUrl`,
    /// `includeEmailInRedirect`), and how long the link lives: `urlLifetimeInSeconds`, else
    /// `default_lifetime`, at most thirty days.
    pub fn of_template(template: Option<&EmailTemplate>, default_lifetime: i64) -> (Self, i64) {
        let Some(template) = template else {
            return (Self::default(), default_lifetime);
        };
        let options = Self {
            result_url: template.result_url.clone(),
            include_email: template.include_email_in_redirect.unwrap_or(false),
            mark_email_verified: false,
        };
        let lifetime = template
            .url_lifetime_in_seconds
            .and_then(|seconds| i64::try_from(seconds).ok())
            .filter(|seconds| *seconds > 0)
            .map_or(default_lifetime, |seconds| seconds.min(MAX_LIFETIME));
        (options, lifetime)
    }

    fn flags(&self) -> Metadata {
        let mut flags = Metadata::default();
        for (name, set) in [
            (INCLUDE_EMAIL, self.include_email),
            (MARK_EMAIL_VERIFIED, self.mark_email_verified),
        ] {
            if set {
                flags.insert(name.to_owned(), Value::Bool(true));
            }
        }
        flags
    }
}

/// Stores a ticket of `kind` for `user`, valid `lifetime` seconds, and returns the link that
/// carries it.
pub async fn issue(
    state: &AppState,
    tenant_id: &str,
    kind: Kind,
    user: &User,
    client_id: Option<&str>,
    options: &Options,
    lifetime: i64,
) -> authhero_core::Result<String> {
    let now = state.now();
    let (secret, code_id) = secrets::generate(24);
    let code = Code {
        code_id,
        code_type: kind.code_type,
        login_session_id: None,
        session_id: None,
        user_id: Some(user.user_id.clone()),
        client_id: client_id.map(str::to_owned),
        redirect_uri: options.result_url.clone(),
        code_challenge: None,
        code_challenge_method: None,
        nonce: None,
        scope: None,
        audience: None,
        auth_time: None,
        custom_claims: options.flags(),
        created_at: now,
        expires_at: now.plus_seconds(lifetime),
        used_at: None,
    };
    state.adapters.codes.create(tenant_id, code).await?;
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("ticket", &format!("{tenant_id}.{secret}"))
        .finish();
    Ok(format!("{}{}?{query}", state.issuer, kind.page))
}

/// The tenant a ticket names and the id of its code; None for what is not a ticket.
pub fn parse(ticket: &str) -> Option<(&str, String)> {
    let (tenant_id, secret) = ticket.rsplit_once('.')?;
    Some((tenant_id, secrets::digest(secret)))
}
